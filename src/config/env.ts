/**
 * Settings from environment variables: the seed systems' names (`REDIS_URL`, `WORKER_CONCURRENCY`,
 * ...) listed in `SETTING_SPECS`, then `CRAWLER_<KEY>` for every setting.
 */
import {parseSettingValue, SETTING_KEYS, type SettingValues} from './parse-value.js';
import {SETTING_SPECS, type SettingKey, type SettingSpec} from './settings.js';
import {CONFIG_DIR_ENV} from './store.js';

/** `scrape.attempts` -> `CRAWLER_SCRAPE_ATTEMPTS`, `dataDir` -> `CRAWLER_DATA_DIR`. */
export function crawlerEnvName(key: SettingKey): string {
  return `CRAWLER_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/\./g, '_').toUpperCase()}`;
}

/**
 * The variables read for `key`, in the order they are tried: the spec's `env` names, then
 * `CRAWLER_<KEY>` (once, when the spec doesn't list it already).
 */
export function envNamesFor(key: SettingKey): readonly string[] {
  const spec: SettingSpec = SETTING_SPECS[key];
  const names = [...(spec.env ?? [])];
  const generic = crawlerEnvName(key);
  if (!names.includes(generic)) names.push(generic);
  return names;
}

/** The first variable of `envNamesFor(key)` that is set and not empty, with its raw value. */
export function findEnvSetting(
  env: NodeJS.ProcessEnv,
  key: SettingKey,
): {readonly name: string; readonly raw: string} | undefined {
  for (const name of envNamesFor(key)) {
    const raw = env[name];
    // `FOO= crawler-tui` or an empty line in an env file means "not set", not "set to nothing".
    if (raw !== undefined && raw !== '') return {name, raw};
  }
  return undefined;
}

/**
 * The settings given by environment variables, typed and validated.
 * @throws UserError naming the variable, e.g. `invalid setting log.level (from LOG_LEVEL): "loud" ...`
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv): SettingValues {
  const values: Partial<Record<SettingKey, unknown>> = {};
  for (const key of SETTING_KEYS) {
    const found = findEnvSetting(env, key);
    if (found) values[key] = parseSettingValue(key, found.raw, found.name);
  }
  return values as SettingValues;
}

/**
 * `CRAWLER_*` variables that no setting reads (a typo such as `CRAWLER_MAX_PAGE`), for `doctor`
 * and a start-up warning. `CRAWLER_CONFIG_DIR` is known.
 */
export function unknownCrawlerEnvNames(env: NodeJS.ProcessEnv): string[] {
  const known = new Set<string>([CONFIG_DIR_ENV, ...SETTING_KEYS.flatMap((key) => envNamesFor(key))]);
  return Object.keys(env)
    .filter((name) => name.startsWith('CRAWLER_') && !known.has(name))
    .sort();
}
