/**
 * The persisted settings: a flat JSON file (`{"scrape.attempts": 5}`) in the user's config
 * directory, written through `conf` (atomic writes, file mode) and read directly.
 *
 * Why read it ourselves: constructing `Conf` creates the config directory when the file is
 * missing, and `crawler-tui status` or `config get` must not leave files behind on a machine where
 * nothing was ever set. So `Conf` is constructed only by `set` and `delete`.
 */
import fs from 'node:fs';
import path from 'node:path';

import {createRequire} from 'node:module';
import type ConfClass from 'conf';

import {UserError} from '../errors.js';
import {assertSettingKey, isSettingKey, maskSecrets, parseSettingValue} from './parse-value.js';
import {APP_DIR_NAME, defaultConfigDir} from './paths.js';
import type {SettingKey} from './settings.js';

/** Environment variable naming the directory of the config file (tests and users set it). */
export const CONFIG_DIR_ENV = 'CRAWLER_CONFIG_DIR';

/** conf keeps its own bookkeeping (migrations) under this key; it is never a setting. */
const CONF_INTERNAL_KEY = '__internal__';

/** The persisted settings, as `config get|set` and `resolveSettings` use them. */
export interface SettingsStore {
  /** Absolute path of the config file (it may not exist yet). */
  readonly path: string;
  /** The stored value of `key` as it is in the file (not validated), or undefined. @throws UserError for an unknown key */
  get(key: string): unknown;
  /**
   * Validates `value` with `parseSettingValue` (source `config set`) and stores the typed value
   * (`"5"` is stored as 5, `"85"` for the memory threshold as 0.85).
   * @throws UserError for an unknown key or a bad value; nothing is written then
   */
  set(key: string, value: unknown): void;
  /**
   * Removes `key` from the file, so the default (or env/flag) applies again. A key that is no
   * setting can be deleted when the file has it, to clean up after a typo or an older version.
   * @throws UserError for an unknown key the file doesn't have
   */
  delete(key: string): void;
  /**
   * Everything in the file, unvalidated. It may hold keys that are no setting (a hand edit, an
   * older version): `resolveSettings` reports those and bad values with the file's path.
   */
  all(): Partial<Record<SettingKey, unknown>>;
}

/** Options of `openSettingsStore`. */
export interface OpenSettingsStoreOptions {
  /**
   * Directory of `config.json`.
   * @default `$CRAWLER_CONFIG_DIR`, else the user's config directory (`~/.config/crawler-tui` on Linux)
   */
  cwd?: string;
  /** Environment read for `CRAWLER_CONFIG_DIR` and the XDG directories. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the settings store. Cheap and free of side effects: nothing is read or created until a
 * method is called, and only `set`/`delete` write.
 */
export function openSettingsStore(options: OpenSettingsStoreOptions = {}): SettingsStore {
  const env = options.env ?? process.env;
  const dir = path.resolve(options.cwd || env[CONFIG_DIR_ENV] || defaultConfigDir(env));
  const filePath = path.join(dir, 'config.json');

  const read = (): Record<string, unknown> => readConfigFile(filePath);
  const openConf = (): ConfClass<Record<string, unknown>> => {
    // conf is loaded only when something is written: it pulls in when-exit, which hooks
    // SIGINT/SIGTERM and re-raises them, so a running node that had imported it would see every
    // signal twice (and take the first Ctrl-C for the second). Node >= 20.19 can require ESM.
    const Conf = (createRequire(import.meta.url)('conf') as {default: typeof ConfClass}).default;
    // A corrupt file would make conf throw a bare SyntaxError; read it first for our message.
    read();
    return new Conf<Record<string, unknown>>({
      projectName: APP_DIR_NAME,
      projectSuffix: '',
      // Always pass our own directory, so the file conf writes is the one `read` reads.
      cwd: dir,
      configName: 'config',
      // Keys are flat dotted strings; conf would otherwise nest `scrape.attempts` as {scrape: {attempts}}.
      accessPropertiesByDotNotation: false,
      // redis.url may hold a password.
      configFileMode: 0o600,
    });
  };

  return {
    path: filePath,
    get(key) {
      assertSettingKey(key);
      const stored = read();
      return Object.hasOwn(stored, key) ? stored[key] : undefined;
    },
    set(key, value) {
      assertSettingKey(key);
      const typed = parseSettingValue(key, value, 'config set');
      openConf().set(key, typed);
    },
    delete(key) {
      if (!isSettingKey(key) && !Object.hasOwn(read(), key)) assertSettingKey(key);
      // Nothing to delete in a missing file: don't create one just to remove a key from it.
      if (!fs.existsSync(filePath)) return;
      openConf().delete(key);
    },
    all() {
      const stored = read();
      delete stored[CONF_INTERNAL_KEY];
      return stored as Partial<Record<SettingKey, unknown>>;
    },
  };
}

/** The file's object, `{}` when it doesn't exist. @throws UserError when it is not a JSON object */
function readConfigFile(filePath: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Object.create(null) as Record<string, unknown>;
    throw new UserError(`cannot read config file ${filePath}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // Some of V8's messages quote the text (`Unexpected token 'r', "{"a": redis://:pw@h}" is not
    // valid JSON`), which may hold a password: drop the quote, keep the rest.
    const reason = (error as Error).message.replace(/, ".*" is not valid JSON$/s, '');
    throw new UserError(
      `config file ${filePath} is not valid JSON: ${maskSecrets(reason)}`,
      'fix it or delete it (settings fall back to their defaults)',
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserError(`config file ${filePath} is not a JSON object of settings`, 'fix it or delete it');
  }
  // A null prototype, so a key like "__proto__" or "constructor" in the file is just a key.
  return Object.assign(Object.create(null) as Record<string, unknown>, data);
}
