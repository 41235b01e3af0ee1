import {chmodSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliEnvironment, runCli, startPrivateRedis, tempDir, type PrivateRedis} from '../helpers/processes.js';
import {type StatusJson} from '../helpers/results.js';

describe('bad input: one clear line, exit 2, queue unchanged', () => {
  let redis: PrivateRedis;

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  const cases: ReadonlyArray<{name: string; args: string[]; env?: NodeJS.ProcessEnv; stderr: RegExp}> = [
    {name: 'an invalid URL', args: ['add', 'http://127.0.0.1:9/ok', 'not a url'], stderr: /^crawler-tui: invalid URL "not a url"/},
    {name: 'a non-http URL', args: ['add', 'ftp://127.0.0.1/file'], stderr: /^crawler-tui: invalid URL "ftp:\/\/127\.0\.0\.1\/file"/},
    {name: '--max-pages 0', args: ['add', '--crawl', '--max-pages', '0', 'http://127.0.0.1:9/'], stderr: /^crawler-tui: invalid value for --max-pages: "0"; allowed: an integer from 1 to/},
    {name: '--max-depth -1', args: ['add', '--crawl', '--max-depth', '-1', 'http://127.0.0.1:9/'], stderr: /^crawler-tui: invalid value for --max-depth: "-1"/},
    {name: 'a bad --mode', args: ['add', '--mode', 'telnet', 'http://127.0.0.1:9/'], stderr: /^crawler-tui: invalid value for --mode: "telnet"; allowed: browser, http$/},
    {name: 'crawl flags without --crawl', args: ['add', '--max-pages', '5', 'http://127.0.0.1:9/'], stderr: /^crawler-tui: --max-pages only applies to crawls: add --crawl$/},
    {name: 'an unknown flag', args: ['add', '--bogus', 'http://127.0.0.1:9/'], stderr: /^crawler-tui: unknown option '--bogus'/},
    {name: 'an unknown command', args: ['frobnicate'], stderr: /^crawler-tui: unknown command 'frobnicate'|too many arguments/},
    {name: 'a bad env value', args: ['add', 'http://127.0.0.1:9/'], env: {SCRAPER_RETRY_ATTEMPTS: 'lots'}, stderr: /^crawler-tui: invalid setting scrape\.attempts \(from SCRAPER_RETRY_ATTEMPTS\): "lots" is not an integer/},
    {name: 'REDIS_URL=nope', args: ['status'], env: {REDIS_URL: 'nope'}, stderr: /^crawler-tui: invalid setting redis\.url \(from REDIS_URL\): "nope" is not a Redis URL/},
    {name: '--browsers -1', args: ['run', '--no-ui', '--browsers', '-1'], stderr: /^crawler-tui: invalid setting browser\.browsers \(from --browsers\): "-1" is out of range/},
    {name: 'an unknown --set key', args: ['--set', 'nope.key=1', 'status'], stderr: /^crawler-tui: unknown setting "nope\.key"/},
    {name: 'an unreadable --file', args: ['add', '--file', '/nonexistent/urls.txt'], stderr: /^crawler-tui: cannot read --file \/nonexistent\/urls\.txt: ENOENT/},
    {name: 'pause of an unknown queue', args: ['pause', 'emails'], stderr: /^crawler-tui: invalid value for pause: "emails"; allowed: scrape, file, all$/},
    {name: 'retry with neither ids nor --all', args: ['retry'], stderr: /^crawler-tui: nothing to retry/},
    {name: 'export with a bad --format', args: ['export', '--format', 'xml'], stderr: /^crawler-tui: invalid value for --format: "xml"; allowed: jsonl, csv$/},
  ];

  test.each(cases)('$name', async ({args, env, stderr}) => {
    const cli = cliEnvironment(redis.url, env);
    // Something already queued, which the bad call must leave alone.
    const seeded = await runCli([...cli.flags, 'add', '--mode', 'http', 'http://127.0.0.1:9/already-queued'], {CRAWLER_CONFIG_DIR: cli.configDir});
    expect(seeded.code).toBe(0);

    const result = await runCli([...cli.flags, ...args], cli.env);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(stderr);
    // One line (commander adds a usage hint on a second line for its own parse errors).
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(result.stderr).not.toMatch(/\n\s+at /);

    const status = JSON.parse((await runCli([...cli.flags, 'status', '--json'], {CRAWLER_CONFIG_DIR: cli.configDir})).stdout) as StatusJson;
    const scrape = status.queues.find((q) => q.name === 'scrape')!.counts;
    expect(scrape.waiting + (scrape.prioritized ?? 0)).toBe(1);
  });

  test('a --file with one bad line adds nothing; BOM, CRLF, blanks and comments are fine', async () => {
    const cli = cliEnvironment(redis.url);
    const dir = tempDir();
    const good = join(dir, 'good.txt');
    writeFileSync(good, '\uFEFFhttp://127.0.0.1:9/a\r\n\r\n# a comment\r\nhttp://127.0.0.1:9/b\r\nhttp://127.0.0.1:9/c');
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'http://127.0.0.1:9/x\nhttp://127.0.0.1:9/y\nnot-a-url\n');
    const binary = join(dir, 'binary.bin');
    writeFileSync(binary, Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x0a, 0x89, 0x50]));

    const refused = await runCli([...cli.flags, 'add', '--file', bad], cli.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(`crawler-tui: invalid URL "not-a-url": cannot be parsed as an absolute URL (line 3 of ${bad})`);
    const refusedBinary = await runCli([...cli.flags, 'add', '--file', binary], cli.env);
    expect(refusedBinary.code).toBe(2);
    expect(refusedBinary.stderr).toMatch(/^crawler-tui: invalid URL .*\(line 1 of /);

    const added = await runCli([...cli.flags, 'add', '--file', good, '--json'], cli.env);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toEqual({added: 3, duplicates: 0, invalid: 0});

    const status = JSON.parse((await runCli([...cli.flags, 'status', '--json'], cli.env)).stdout) as StatusJson;
    const scrape = status.queues.find((q) => q.name === 'scrape')!.counts;
    expect(scrape.waiting + scrape.prioritized).toBe(3);
  });

  test('--file - streams standard input; bad lines are skipped, reported, and exit 2', async () => {
    const cli = cliEnvironment(redis.url);
    const urls = Array.from({length: 2500}, (_, i) => `http://127.0.0.1:9/s/${i}`);
    const input = [...urls.slice(0, 1200), 'garbage line', ...urls.slice(1200)].join('\n');
    const result = await runCli([...cli.flags, 'add', '--bulk', '--file', '-', '--json'], cli.env, input);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({added: 2500, duplicates: 0, invalid: 1});
    expect(result.stderr).toContain('skipped line 1201 of standard input: invalid URL "garbage line"');
  });

  test('a config file with a bad value stops start-up naming the file', async () => {
    const cli = cliEnvironment(redis.url);
    const set = await runCli(['config', 'set', 'scrape.attempts', '7'], cli.env);
    expect(set.code).toBe(0);
    const got = await runCli(['config', 'get', 'scrape.attempts'], cli.env);
    expect(got.stdout.trim()).toBe('7');
    const badSet = await runCli(['config', 'set', 'scrape.attempts', 'zero'], cli.env);
    expect(badSet.code).toBe(2);
    expect(badSet.stderr.trim()).toMatch(/^crawler-tui: invalid setting scrape\.attempts \(from config set\): "zero" is not an integer/);
    writeFileSync(join(cli.configDir, 'config.json'), JSON.stringify({'scrape.attempts': -4}));
    chmodSync(join(cli.configDir, 'config.json'), 0o600);
    const status = await runCli([...cli.flags, 'status'], cli.env);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/invalid setting scrape\.attempts \(from config file .*config\.json\): "?-4"? is out of range/);
  });

  test('the Redis password never appears in output', async () => {
    const cli = cliEnvironment(redis.url);
    const result = await runCli(['--redis', 'redis://user:hunter2@127.0.0.1:1/0', '--data-dir', cli.dataDir, 'status'], cli.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('user:***@127.0.0.1:1');
    expect(result.stderr + result.stdout).not.toContain('hunter2');
    const config = await runCli(['config', 'get', 'redis.url'], {...cli.env, REDIS_URL: 'redis://:hunter2@127.0.0.1:6380'});
    expect(config.stdout).not.toContain('hunter2');
  });
});
