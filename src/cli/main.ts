import {Command, CommanderError} from 'commander';
import {BugError, UserError} from '../errors.js';
import {maskSecrets} from '../config/parse-value.js';
import {VERSION} from '../version.js';
import {runAdd, type AddCommandOptions} from './commands/add.js';
import {runConfigGet, runConfigPath, runConfigSet, runConfigUnset} from './commands/config-commands.js';
import {runDemo} from './commands/demo.js';
import {runDoctor} from './commands/doctor.js';
import {parseIntegerOption} from './options.js';
import {runExport} from './commands/export.js';
import {runFailed, runPauseResume, runRemove, runRetry, runScale, runStatus} from './commands/queue-commands.js';
import {addGlobalOptions, addRunSettingOptions, settingsFromOptions} from './options.js';
import {runHeadless} from './run-headless.js';

export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_USER = 2;
export const EXIT_INTERRUPTED = 130;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Builds the command tree; each action stores its exit code in `result.code`. */
function buildProgram(result: {code: number}): Command {
  const program = new Command('crawler-tui')
    .description('A whole scraping node in one binary: queues on Redis, scrape and file workers, crawls, and a live dashboard.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({outputError: (text, write) => write(text.replace(/^error: /, 'crawler-tui: '))});
  addGlobalOptions(program);

  const withSettings = <A extends unknown[]>(action: (settings: ReturnType<typeof settingsFromOptions>, ...args: A) => Promise<number> | number) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const resolved = settingsFromOptions(command.optsWithGlobals());
      result.code = await action(resolved, ...(args.slice(0, -1) as A));
    };

  const run = program
    .command('run', {isDefault: true})
    .description('run the engine on this node with the live dashboard (--no-ui: headless JSON logs)')
    .option('--no-ui', 'headless: JSON log lines on stdout (for PM2/systemd)')
    .option('--exit-when-idle', 'stop (exit 0) once nothing is waiting, delayed or active')
    .option('--attach', 'dashboard of the whole fleet without local pools (not available yet)');
  addRunSettingOptions(run);
  run.action(
    withSettings(async (resolved, options: {ui: boolean; exitWhenIdle?: boolean; attach?: boolean}) => {
      if (options.attach) throw new UserError('--attach is not available yet: the fleet dashboard is still being built');
      if (options.ui && process.stdout.isTTY && process.stdin.isTTY) {
        // Loaded only here: Ink and React cost start-up time every other command should not pay.
        preferInteractiveInk();
        const {runDashboard} = await import('./run-dashboard.js');
        return runDashboard(resolved.settings, {exitWhenIdle: options.exitWhenIdle === true});
      }
      if (options.ui) process.stderr.write('crawler-tui: no terminal for the dashboard (stdin/stdout are not a TTY); running headless as with --no-ui\n');
      return runHeadless(resolved.settings, {exitWhenIdle: options.exitWhenIdle === true});
    }),
  );

  program
    .command('add')
    .description('enqueue pages or crawls')
    .argument('[url...]', 'absolute http(s) URLs')
    .option('--crawl', 'follow links from each URL (same origin by default)')
    .option('--max-pages <n>', 'page budget of the crawl (default crawl.maxPages)')
    .option('--max-depth <n>', 'link depth of the crawl (default crawl.maxDepth)')
    .option('--include <glob>', 'only crawl paths matching the glob (repeatable)', collect)
    .option('--exclude <glob>', 'never crawl paths matching the glob (repeatable)', collect)
    .option('--any-origin', 'let the crawl leave the start URL origin')
    .option('--mode <mode>', 'browser or http (default scrape.mode)')
    .option('--bulk', 'bulk priority: after manual and scheduled jobs')
    .option('--priority <n>', 'priority inside the band, 0-999, lower first (default 500)')
    .option('--file <path>', 'read URLs from a file, one per line (- for standard input); streamed')
    .option('--json', 'print the outcome as JSON')
    .action(withSettings((resolved, urls: string[], options: AddCommandOptions) => runAdd(urls, options, resolved.settings)));

  program
    .command('status')
    .description('queue counts and crawls')
    .option('--json', 'print JSON')
    .action(withSettings((resolved, options: {json?: boolean}) => runStatus(options, resolved.settings)));

  program
    .command('failed')
    .description('the newest failed jobs (the dead-letter view)')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'how many (default 20)')
    .action(withSettings((resolved, options: {json?: boolean; limit?: string}) => runFailed(options, resolved.settings)));

  program
    .command('retry')
    .description('move failed jobs back to their queue')
    .argument('[jobId...]', 'ids from `failed`')
    .option('--all', 'every failed job')
    .action(withSettings((resolved, ids: string[], options: {all?: boolean}) => runRetry(ids, options, resolved.settings)));

  program
    .command('remove')
    .description('delete jobs')
    .argument('<jobId...>', 'job ids')
    .action(withSettings((resolved, ids: string[]) => runRemove(ids, resolved.settings)));

  for (const action of ['pause', 'resume'] as const) {
    program
      .command(action)
      .description(`${action} a queue on every node: scrape, file or all (default all)`)
      .argument('[queue]', 'scrape | file | all')
      .action(withSettings((resolved, which: string | undefined) => runPauseResume(action, which, resolved.settings)));
  }

  program
    .command('scale')
    .description('operator override on every running node: set a pool size (pins it) or hand it back to the autoscaler')
    .argument('<pool>', 'files | browsers')
    .argument('<size>', 'a number, or auto')
    .action(withSettings((resolved, pool: string, size: string) => runScale(pool, size, resolved.settings)));

  const config = program.command('config').description('read and change persisted settings');
  config
    .command('get')
    .description('every setting with its value and where it came from, or one value')
    .argument('[key]', 'a setting key, e.g. scrape.attempts')
    .option('--json', 'print JSON')
    .action(withSettings((resolved, key: string | undefined, options: {json?: boolean}) => runConfigGet(key, resolved, options)));
  config
    .command('set')
    .description('persist a setting in the config file')
    .argument('<key>', 'a setting key')
    .argument('<value>', 'its value')
    .action((key: string, value: string) => {
      result.code = runConfigSet(key, value);
    });
  config
    .command('unset')
    .description('remove a setting from the config file')
    .argument('<key>', 'a setting key')
    .action((key: string) => {
      result.code = runConfigUnset(key);
    });
  config
    .command('path')
    .description('print the config file and data directory paths')
    .action(withSettings((resolved) => runConfigPath(resolved)));

  program
    .command('demo')
    .description('serve a small built-in site on loopback and crawl it: works offline, the first thing to run')
    .option('--pages <n>', 'pages of the demo site (default 120)')
    .action(
      withSettings((resolved, options: {pages?: string}) =>
        runDemo(resolved, {pages: options.pages === undefined ? undefined : parseIntegerOption('--pages', options.pages, 2, 100_000)}),
      ),
    );

  program
    .command('doctor')
    .description('check Redis, the data directory and the config')
    .option('--json', 'print JSON')
    .action(withSettings((resolved, options: {json?: boolean}) => runDoctor(resolved, options)));

  program
    .command('export')
    .description('concatenate results to JSONL or CSV')
    .option('--crawl <id>', 'only this crawl')
    .option('--format <format>', 'jsonl or csv (default jsonl)')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(withSettings((resolved, options: {crawl?: string; format?: string; out?: string}) => runExport(options, resolved.settings)));

  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/**
 * Ink draws only the final frame when it believes it runs in CI, and decides that from the CI
 * variables once, when it is first imported. We only get here with a TTY on both ends, which is
 * an operator at a terminal whatever the environment says (some cloud shells export CI=true).
 */
export function preferInteractiveInk(): void {
  process.env['CI'] = 'false';
  process.env['CONTINUOUS_INTEGRATION'] = 'false';
}

/** Runs the command line and returns the process exit code (0 ok, 1 bug, 2 user error, 130 interrupted). */
export async function main(argv: readonly string[]): Promise<number> {
  const result = {code: EXIT_OK};
  const program = buildProgram(result);
  try {
    await program.parseAsync([...argv], {from: 'user'});
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they exit 0.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
      return EXIT_USER;
    }
    if (error instanceof UserError) {
      process.stderr.write(`crawler-tui: ${maskSecrets(error.message)}${error.hint ? ` (${error.hint})` : ''}\n`);
      return EXIT_USER;
    }
    const bug = error instanceof Error ? error : new BugError(String(error));
    process.stderr.write(`crawler-tui: unexpected error (a bug; please report it):\n${bug.stack ?? bug.message}\n`);
    return EXIT_BUG;
  }
}
