/**
 * Builds the one `Settings` object of a process: defaults < config file < environment < flags,
 * every layer validated by `parseSettingValue`, the result deep-frozen. Also remembers where each
 * value came from, for `config get`.
 */
import {findEnvSetting} from './env.js';
import {
  isSettingKey,
  maskSecrets,
  parseSettingValue,
  SETTING_KEYS,
  unknownSettingError,
  type SettingValue,
} from './parse-value.js';
import {defaultDataDir} from './paths.js';
import {openSettingsStore} from './store.js';
import {SETTING_SPECS, type SettingKey, type Settings} from './settings.js';

/**
 * Where a value came from: `'default'`, `'config file'`, the environment variable's name
 * (`'REDIS_URL'`), or the flag's name as the caller gave it (`'--redis'`).
 */
export type SettingSource = 'default' | 'config file' | (string & {});

/** A value given on the command line, with the flag that gave it (used in messages and `config get`). */
export interface SettingFlag {
  /** A string as typed, or an already-typed value (a number, a boolean). `undefined` = flag not given. */
  readonly value: unknown;
  /** The flag as the user typed it, e.g. `'--redis'`, `'--data-dir'`. */
  readonly source: string;
}

/** Flag values by setting key: `{'redis.url': {value: 'embedded', source: '--redis'}}`. */
export type SettingFlags = {readonly [K in SettingKey]?: SettingFlag};

/** What `resolveSettings` needs of a store: `SettingsStore` or a plain object in tests. */
export interface SettingsReader {
  all(): Partial<Record<SettingKey, unknown>>;
  /** The config file's path, for messages. */
  readonly path?: string;
}

/** Options of `resolveSettings`. */
export interface ResolveSettingsOptions {
  /** Command-line values; they win over everything. @default none */
  flags?: SettingFlags;
  /** Environment to read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * The persisted settings; `null` for none.
   * @default openSettingsStore({env}) (honours CRAWLER_CONFIG_DIR from `env`)
   */
  store?: SettingsReader | null;
}

/** The settings and, for every key, where its value came from. */
export interface ResolvedSettings {
  readonly settings: Settings;
  readonly sources: Readonly<Record<SettingKey, SettingSource>>;
}

/** One row of `config get`. */
export interface SettingRow {
  readonly key: SettingKey;
  /** The value, with passwords in URLs masked; undefined when unset. */
  readonly value: SettingValue | undefined;
  readonly source: SettingSource;
}

/**
 * Resolves the settings: defaults < config file < environment < flags.
 * Every layer is validated, so a bad value in the config file stops start-up even when an
 * environment variable overrides it (it would bite on the next run otherwise).
 * @throws UserError (one line) for a bad value, or a key in the config file that is no setting
 */
export function resolveSettings(options: ResolveSettingsOptions = {}): Settings {
  return resolveSettingsWithSources(options).settings;
}

/** `resolveSettings`, plus where each value came from. */
export function resolveSettingsWithSources(options: ResolveSettingsOptions = {}): ResolvedSettings {
  const env = options.env ?? process.env;
  const store = options.store === undefined ? openSettingsStore({env}) : options.store;
  const values = new Map<SettingKey, unknown>();
  const sources = {} as Record<SettingKey, SettingSource>;

  for (const key of SETTING_KEYS) {
    values.set(key, key === 'dataDir' ? defaultDataDir(env) : SETTING_SPECS[key].default);
    sources[key] = 'default';
  }

  if (store) {
    const where = store.path === undefined ? 'config file' : `config file ${store.path}`;
    for (const [key, raw] of Object.entries(store.all())) {
      if (!isSettingKey(key)) throw unknownSettingError(key, where);
      values.set(key, parseSettingValue(key, raw, where));
      sources[key] = 'config file';
    }
  }

  for (const key of SETTING_KEYS) {
    const found = findEnvSetting(env, key);
    if (!found) continue;
    values.set(key, parseSettingValue(key, found.raw, found.name));
    sources[key] = found.name;
  }

  for (const [key, flag] of Object.entries(options.flags ?? {}) as [string, SettingFlag | undefined][]) {
    if (flag === undefined || flag.value === undefined) continue;
    if (!isSettingKey(key)) throw unknownSettingError(key);
    values.set(key, parseSettingValue(key, flag.value, flag.source));
    sources[key] = flag.source;
  }

  return {settings: deepFreeze(nest(values)) as unknown as Settings, sources: Object.freeze(sources)};
}

/**
 * Rows for `config get`: every setting, its value (passwords masked) and where it came from,
 * in the order of `SETTING_SPECS`.
 */
export function describeSettings(resolved: ResolvedSettings): SettingRow[] {
  return SETTING_KEYS.map((key) => {
    const value = settingAt(resolved.settings, key);
    return {
      key,
      value: typeof value === 'string' ? maskSecrets(value) : value,
      source: resolved.sources[key],
    };
  });
}

/** The value of dotted `key` in a `Settings` object (`settingAt(s, 'scrape.attempts')`). */
export function settingAt<K extends SettingKey>(settings: Settings, key: K): SettingValue<K> | undefined {
  let node: unknown = settings;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return node as SettingValue<K> | undefined;
}

/** `{'scrape.attempts': 3}` -> `{scrape: {attempts: 3}}`; unset values are kept as `undefined` leaves. */
function nest(values: ReadonlyMap<SettingKey, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of values) {
    const parts = key.split('.');
    const leaf = parts.pop() as string;
    let node = root;
    for (const part of parts) node = (node[part] ??= {}) as Record<string, unknown>;
    node[leaf] = value;
  }
  return root;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/*
 * Compile-time check that `Settings` (written by hand in settings.ts) and `SETTING_SPECS` agree:
 * the same dotted keys, and each parsed value fits its field. A setting added to one and not the
 * other fails `tsc` here.
 */
type LeafKeys<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends object ? LeafKeys<T[K], `${Prefix}${K}.`> : `${Prefix}${K}`;
}[keyof T & string];
type ValueAt<T, K extends string> = K extends `${infer Head}.${infer Rest}`
  ? Head extends keyof T
    ? ValueAt<T[Head], Rest>
    : never
  : K extends keyof T
    ? T[K]
    : never;
type SameKeys = [LeafKeys<Settings>] extends [SettingKey] ? ([SettingKey] extends [LeafKeys<Settings>] ? true : false) : false;
type FittingValues =
  false extends {[K in SettingKey]: [SettingValue<K>] extends [ValueAt<Settings, K>] ? true : false}[SettingKey]
    ? false
    : true;
const settingsMatchSpecs: [SameKeys, FittingValues] = [true, true];
void settingsMatchSpecs;
