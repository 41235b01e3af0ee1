import type {Command} from 'commander';
import {resolveSettingsWithSources, type ResolvedSettings, type SettingFlags} from '../config/resolve.js';
import {isSettingKey, unknownSettingError} from '../config/parse-value.js';
import type {SettingKey} from '../config/settings.js';
import {UserError} from '../errors.js';

/** Flags that set a setting directly: flag -> setting key (DESIGN.md's global and run flags). */
const SETTING_FLAGS: ReadonlyArray<{flags: string; attribute: string; key: SettingKey; description: string}> = [
  {flags: '--redis <url>', attribute: 'redis', key: 'redis.url', description: "Redis URL, cluster list, or 'embedded' (env REDIS_URL)"},
  {flags: '--prefix <prefix>', attribute: 'prefix', key: 'redis.prefix', description: 'Redis key prefix (default crawler)'},
  {flags: '--data-dir <dir>', attribute: 'dataDir', key: 'dataDir', description: 'results, media and embedded Redis data (default: XDG data dir)'},
];

export const RUN_SETTING_FLAGS: ReadonlyArray<{flags: string; attribute: string; key: SettingKey; description: string}> = [
  {flags: '--concurrency <n>', attribute: 'concurrency', key: 'scrape.concurrency', description: 'scrape jobs at once on this node'},
  {flags: '--browsers <n>', attribute: 'browsers', key: 'browser.browsers', description: 'browsers in the pool'},
  {flags: '--file-workers <n>', attribute: 'fileWorkers', key: 'files.workers', description: 'worker threads in the file pool'},
  {flags: '--http-port <port>', attribute: 'httpPort', key: 'http.port', description: 'HTTP API port (off when unset)'},
  {flags: '--log-level <level>', attribute: 'logLevel', key: 'log.level', description: 'JSON log level in --no-ui mode'},
  {flags: '--pages-per-browser <n>', attribute: 'pagesPerBrowser', key: 'browser.pagesPerBrowser', description: 'pages one browser renders at once'},
  {flags: '--extractor <path>', attribute: 'extractor', key: 'scrape.extractor', description: 'module whose default export returns custom data per page'},
];

export function addGlobalOptions(program: Command): void {
  for (const flag of SETTING_FLAGS) program.option(flag.flags, flag.description);
  program.option('--set <key=value>', 'set any setting for this run, repeatable (see `config get`)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
}

export function addRunSettingOptions(command: Command): void {
  for (const flag of RUN_SETTING_FLAGS) command.option(flag.flags, flag.description);
}

/** Turns the parsed global and command options into settings, validated with their flag names. */
export function settingsFromOptions(options: Record<string, unknown>): ResolvedSettings {
  const flags: Record<string, {value: unknown; source: string}> = {};
  for (const flag of [...SETTING_FLAGS, ...RUN_SETTING_FLAGS]) {
    const value = options[flag.attribute];
    if (value !== undefined) flags[flag.key] = {value, source: flag.flags.split(' ')[0]!};
  }
  for (const pair of (options['set'] as string[] | undefined) ?? []) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UserError(`invalid --set "${pair}": expected KEY=VALUE, e.g. --set scrape.attempts=5`);
    const key = pair.slice(0, equals);
    if (!isSettingKey(key)) throw unknownSettingError(key, '--set');
    flags[key] = {value: pair.slice(equals + 1), source: `--set ${key}`};
  }
  return resolveSettingsWithSources({flags: flags as SettingFlags});
}

/** Parses an integer flag, refusing anything else with one line naming the flag and the range. */
export function parseIntegerOption(flag: string, raw: unknown, min: number, max: number): number {
  const text = String(raw).trim();
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UserError(`invalid value for ${flag}: "${String(raw)}"; allowed: an integer from ${min} to ${max}`);
  }
  return value;
}

export function parseChoiceOption<T extends string>(flag: string, raw: unknown, choices: readonly T[]): T {
  if (typeof raw === 'string' && (choices as readonly string[]).includes(raw)) return raw as T;
  throw new UserError(`invalid value for ${flag}: "${String(raw)}"; allowed: ${choices.join(', ')}`);
}
