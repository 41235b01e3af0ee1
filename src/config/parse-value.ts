/**
 * Turns one raw setting value (a string from an environment variable, a flag or `config set`, or
 * a JSON value from the config file) into its typed value, or throws a one-line `UserError` that
 * names the setting, where the value came from, what was given and what is allowed.
 *
 * This is the only validator of settings: the `conf` store, the environment and the flags all go
 * through it, so a value is accepted or refused the same way wherever it is written.
 */
import os from 'node:os';
import path from 'node:path';

import {UserError} from '../errors.js';
import {SETTING_SPECS, type SettingKey, type SettingSpec} from './settings.js';

type SpecOf<K extends SettingKey> = (typeof SETTING_SPECS)[K];

/**
 * The typed value of a setting: `number` for integers and numbers, `boolean`, the union of its
 * choices for enums, `string` otherwise. Without a type argument, the value of any setting.
 */
export type SettingValue<K extends SettingKey = SettingKey> = K extends SettingKey
  ? SpecOf<K> extends {readonly type: 'enum'; readonly choices: readonly (infer C)[]}
    ? C
    : SpecOf<K>['type'] extends 'integer' | 'number'
      ? number
      : SpecOf<K>['type'] extends 'boolean'
        ? boolean
        : string
  : never;

/** Typed values of some settings, by dotted key. */
export type SettingValues = {[K in SettingKey]?: SettingValue<K>};

/** Every setting key, in the order of `SETTING_SPECS`. */
export const SETTING_KEYS = Object.keys(SETTING_SPECS) as readonly SettingKey[];

/** Whether `key` names a setting (own keys only, so `"constructor"` is not one). */
export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTING_SPECS, key);
}

/** The error for a key that is not a setting: `unknown setting "foo"; known settings: a, b, c`. */
export function unknownSettingError(key: string, where?: string): UserError {
  const place = where === undefined ? '' : ` in ${where}`;
  return new UserError(`unknown setting ${JSON.stringify(key)}${place}; known settings: ${SETTING_KEYS.join(', ')}`);
}

/** Throws `unknownSettingError` unless `key` names a setting. */
export function assertSettingKey(key: string): asserts key is SettingKey {
  if (!isSettingKey(key)) throw unknownSettingError(key);
}

const REDIS_URL_ALLOWED =
  'redis://[user:pass@]host:port[/db], rediss://..., a comma-separated list of them (cluster), or "embedded"';
const REDIS_PREFIX_PATTERN = /^[A-Za-z0-9:_-]{1,64}$/;
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  on: true,
  off: false,
};
// Tabs and newlines too: a value is echoed on one line and may end up in an HTTP header.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const NUMBER_TEXT = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$/;
/** Longest echo of a given value in an error message, so one bad value can't flood the line. */
const MAX_SHOWN_CHARS = 100;

/**
 * What a setting accepts, in words, as the error messages and the README table say it
 * (`an integer from 1 to 100`, `one of browser, http`).
 */
export function describeAllowed(key: SettingKey): string {
  const spec: SettingSpec = SETTING_SPECS[key];
  switch (key) {
    case 'redis.url':
      return REDIS_URL_ALLOWED;
    case 'redis.prefix':
      return '1 to 64 of A-Z a-z 0-9 : _ - (no braces: the {hash tag} is added for you)';
    case 'redis.host':
      return 'a host name or IP address (a URL belongs in redis.url)';
    case 'monitor.memoryThresholdRatio':
      return `a ratio from ${spec.min} to ${spec.max}, or a percentage from ${(spec.min ?? 0) * 100} to 100 (85 or 85% = 0.85)`;
    case 'dataDir':
      return 'a directory path';
    case 'browser.executablePath':
      return 'the path of a Chromium or Chrome executable';
    case 'schedule.cron':
      return 'a cron expression such as "*/15 * * * *"';
    default:
      break;
  }
  switch (spec.type) {
    case 'integer':
      return `an integer${describeRange(spec)}`;
    case 'number':
      return `a number${describeRange(spec)}`;
    case 'boolean':
      return 'true or false (also 1/0, yes/no, on/off)';
    case 'enum':
      return `one of ${(spec.choices ?? []).join(', ')}`;
    case 'string':
      return 'a non-empty string without control characters';
  }
}

function describeRange(spec: SettingSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return ` of at least ${spec.min}`;
  if (spec.max !== undefined) return ` of at most ${spec.max}`;
  return '';
}

/**
 * Converts `raw` to the type of setting `key` and validates it.
 *
 * Strings are parsed (`"3"` -> 3, `"yes"` -> true, `"INFO"` -> `"info"`); JSON values of the right
 * type are taken as they are. Special cases: `monitor.memoryThresholdRatio` also takes a
 * percentage (`85` or `85%` -> 0.85); `redis.url` takes URLs, a cluster list or `embedded`;
 * `dataDir` expands a leading `~` and is made absolute.
 *
 * @param source Where the value came from, for the message: `REDIS_URL`, `--redis`, `config set`,
 *   `config file /home/me/.config/crawler-tui/config.json`.
 * @throws UserError with one line, e.g. `invalid setting scrape.attempts (from SCRAPER_RETRY_ATTEMPTS):
 *   "abc" is not an integer; allowed: an integer from 1 to 100`. Passwords in URLs are masked.
 */
export function parseSettingValue<K extends SettingKey>(key: K, raw: unknown, source: string): SettingValue<K> {
  assertSettingKey(key);
  const spec: SettingSpec = SETTING_SPECS[key];
  const fail = (problem: string): never => {
    throw new UserError(
      `invalid setting ${key} (from ${source}): ${showValue(raw)} ${problem}; allowed: ${describeAllowed(key)}`,
    );
  };
  return parseBySpec(key, spec, raw, fail) as SettingValue<K>;
}

function parseBySpec(
  key: SettingKey,
  spec: SettingSpec,
  raw: unknown,
  fail: (problem: string) => never,
): number | boolean | string {
  if (key === 'monitor.memoryThresholdRatio') return parseRatioOrPercentage(spec, raw, fail);
  switch (spec.type) {
    case 'integer': {
      const value = toInteger(raw) ?? fail('is not an integer');
      return checkRange(spec, value, fail);
    }
    case 'number': {
      const value = toNumber(raw) ?? fail('is not a number');
      return checkRange(spec, value, fail);
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const value = typeof raw === 'string' ? BOOLEAN_WORDS[raw.trim().toLowerCase()] : undefined;
      return value ?? fail('is not a boolean');
    }
    case 'enum': {
      if (typeof raw !== 'string') return fail('is not a string');
      // LOG_LEVEL=INFO is common enough to accept; the stored value is the canonical spelling.
      const wanted = raw.trim().toLowerCase();
      return (spec.choices ?? []).find((choice) => choice.toLowerCase() === wanted) ?? fail('is not a choice');
    }
    case 'string':
      return parseString(key, raw, fail);
  }
}

function parseString(key: SettingKey, raw: unknown, fail: (problem: string) => never): string {
  if (typeof raw !== 'string') return fail('is not a string');
  if (raw.trim() === '') return fail('is empty');
  if (CONTROL_CHARACTER.test(raw)) return fail('contains a control character');
  switch (key) {
    case 'redis.url':
      return normalizeRedisUrl(raw) ?? fail('is not a Redis URL');
    case 'redis.prefix':
      // Braces would break the {hash tag} we wrap the prefix in for Redis Cluster.
      return REDIS_PREFIX_PATTERN.test(raw) ? raw : fail('is not a valid key prefix');
    case 'redis.host': {
      const host = raw.trim();
      return /[\s/@]/.test(host) ? fail('is not a host name') : host;
    }
    case 'dataDir':
      return resolveUserPath(raw);
    case 'schedule.cron':
      // Only non-empty here: the scheduler parses the expression (and knows the time zone).
      return raw.trim();
    default:
      return raw;
  }
}

function toInteger(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw === 'string' && INTEGER_TEXT.test(raw)) return Number(raw.trim());
  return undefined;
}

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string' && NUMBER_TEXT.test(raw)) return Number(raw.trim());
  return undefined;
}

function checkRange(spec: SettingSpec, value: number, fail: (problem: string) => never): number {
  const tooLarge = spec.type === 'integer' && !Number.isSafeInteger(value);
  if (tooLarge || (spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    return fail('is out of range');
  }
  return value === 0 ? 0 : value; // no -0
}

/** MEMORY_THRESHOLD was a percentage in the seed systems and a ratio in others: take both. */
function parseRatioOrPercentage(spec: SettingSpec, raw: unknown, fail: (problem: string) => never): number {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  const isPercent = typeof text === 'string' && text.endsWith('%');
  const value = toNumber(isPercent ? text.slice(0, -1) : text) ?? fail('is not a number');
  if (isPercent || value > 1) {
    if (value > 100) return fail('is out of range');
    return checkRange(spec, value / 100, fail);
  }
  return checkRange(spec, value, fail);
}

/** The canonical form of a `redis.url` value, or undefined when it is not one. */
function normalizeRedisUrl(raw: string): string | undefined {
  const text = raw.trim();
  if (text.toLowerCase() === 'embedded') return 'embedded';
  const urls = text.split(',').map((part) => part.trim());
  return urls.every(isRedisUrl) ? urls.join(',') : undefined;
}

function isRedisUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return false;
  if (url.hostname === '' || url.search !== '' || url.hash !== '') return false;
  // The path, when present, is the database number.
  return url.pathname === '' || url.pathname === '/' || /^\/\d{1,5}$/.test(url.pathname);
}

/** `~` and `~/x` are expanded (a config file or a systemd unit has no shell to do it), then made absolute. */
function resolveUserPath(raw: string): string {
  const expanded = raw === '~' || raw.startsWith('~/') ? path.join(os.homedir(), raw.slice(1)) : raw;
  return path.resolve(expanded);
}

/** The value as it appears in a message: JSON-quoted, passwords masked, long values cut. */
function showValue(raw: unknown): string {
  if (typeof raw === 'string') {
    const masked = maskSecrets(raw);
    return JSON.stringify(masked.length > MAX_SHOWN_CHARS ? `${masked.slice(0, MAX_SHOWN_CHARS)}…` : masked);
  }
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = String(raw); // a BigInt or a cycle: only reachable from code, not from users
  }
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

/*
 * `scheme://` then the userinfo up to the LAST `@` before the host's end (`/`, `?`, `#`,
 * whitespace), so a password containing a raw `@` is masked whole. In a cluster list the next
 * `scheme://` contains a `/`, so one match never runs into the next URL.
 */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;

/**
 * Hides passwords in URLs inside `value`: `redis://:secret@h` -> `redis://:***@h`,
 * `redis://user:secret@h` -> `redis://user:***@h`. Userinfo without a colon is masked whole
 * (`redis://secret@h` -> `redis://***@h`), because some clients read it as a password.
 * Used by error messages, logs and `config get`.
 */
export function maskSecrets(value: string): string {
  return value.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon === -1 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}
