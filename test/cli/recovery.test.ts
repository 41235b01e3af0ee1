import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliEnvironment, runCli, startCli, startPrivateRedis, startSite, waitFor, type PrivateRedis, type TestSite} from '../helpers/processes.js';
import {countsOf, readResults, type StatusJson} from '../helpers/results.js';

function embeddedRedisPids(dataDir: string): number[] {
  // Only the redis-servers whose working directory is this test's data dir: never anyone else's.
  const out = execFileSync('ps', ['-eo', 'pid,args'], {encoding: 'utf8'});
  return out
    .split('\n')
    .filter((line) => line.includes('redis-server'))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => {
      try {
        return execFileSync('readlink', [`/proc/${pid}/cwd`], {encoding: 'utf8'}).trim() === join(dataDir, 'redis');
      } catch {
        return false;
      }
    });
}

describe('nothing is lost', () => {
  let redis: PrivateRedis;
  let site: TestSite;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    site = await startSite(400, 20);
  });

  afterAll(async () => {
    await site?.stop();
    await redis?.stop();
  });

  test('kill -9 in the middle of a 300-page crawl, then a restart: every page is in the results exactly once', async () => {
    const cli = cliEnvironment(redis.url);
    const settings = ['--set', 'queue.lockMs=2000'];
    const added = await runCli([...cli.flags, 'add', '--crawl', '--max-pages', '300', '--mode', 'http', site.url, '--json'], cli.env);
    const crawlId = (JSON.parse(added.stdout) as {crawls: Array<{crawlId: string}>}).crawls[0]!.crawlId;

    const node = startCli([...cli.flags, ...settings, 'run', '--no-ui', '--concurrency', '8'], cli.env);
    await waitFor(() => (node.output().match(/"page scraped"/g)?.length ?? 0) >= 60 || node.exited(), 60_000, '60 pages scraped');
    node.kill('SIGKILL');
    const killed = await node.result;
    expect(killed.signal).toBe('SIGKILL');
    const before = (killed.stdout.match(/"page scraped"/g) ?? []).length;
    expect(before).toBeLessThan(300);

    const restart = await runCli([...cli.flags, ...settings, 'run', '--no-ui', '--exit-when-idle', '--concurrency', '8'], cli.env);
    expect(restart.code).toBe(0);

    const urls = readResults(cli.dataDir, crawlId).map((r) => r.url);
    expect(urls).toHaveLength(300);
    expect(new Set(urls).size).toBe(300);
    const status = JSON.parse((await runCli([...cli.flags, 'status', '--json'], cli.env)).stdout) as StatusJson;
    expect(countsOf(status, 'file')).toMatchObject({waiting: 0, prioritized: 0, active: 0, delayed: 0, failed: 0});
    expect(countsOf(status, 'scrape')).toMatchObject({waiting: 0, prioritized: 0, active: 0, delayed: 0, failed: 0});
    // No temp files of interrupted writes are left among the results.
    expect(readdirSync(join(cli.dataDir, 'results', crawlId)).filter((name) => !name.endsWith('.json'))).toEqual([]);
  });

  test('with no node running, add starts the embedded Redis, keeps the jobs, and the next run processes them', async () => {
    const cli = cliEnvironment('embedded');
    const added = await runCli([...cli.flags, 'add', '--mode', 'http', `${site.url}p/1`, `${site.url}p/2`], cli.env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('2 added');
    // The embedded server was stopped when `add` (its last user) exited, its data kept in AOF.
    expect(embeddedRedisPids(cli.dataDir)).toEqual([]);
    expect(existsSync(join(cli.dataDir, 'redis'))).toBe(true);

    const run = await runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle'], cli.env);
    expect(run.code).toBe(0);
    expect(readResults(cli.dataDir).map((r) => r.url).sort()).toEqual([`${site.url}p/1`, `${site.url}p/2`]);
    expect(embeddedRedisPids(cli.dataDir)).toEqual([]);
  });

  test('add in a second terminal reaches the embedded Redis that a running node started', async () => {
    const cli = cliEnvironment('embedded');
    const node = startCli([...cli.flags, 'run', '--no-ui'], cli.env);
    await waitFor(() => node.output().includes('"node started"'), 30_000, 'node start');
    const pids = embeddedRedisPids(cli.dataDir);
    expect(pids).toHaveLength(1);

    const added = await runCli([...cli.flags, 'add', '--mode', 'http', `${site.url}p/5`], cli.env);
    expect(added.code).toBe(0);
    // The node's server is still the only one, and still up after `add` left.
    expect(embeddedRedisPids(cli.dataDir)).toEqual(pids);
    await waitFor(() => readResults(cli.dataDir).length === 1, 30_000, 'the page to be scraped');

    node.kill('SIGTERM');
    const stopped = await node.result;
    expect(stopped.code).toBe(0);
    expect(embeddedRedisPids(cli.dataDir)).toEqual([]);
  });

  test('SIGINT drains: active jobs finish or go back to the queue within the grace period, and nothing is lost', async () => {
    const slow = await startSite(200, 400);
    try {
      const cli = cliEnvironment(redis.url);
      const added = await runCli([...cli.flags, 'add', '--crawl', '--max-pages', '40', '--mode', 'http', slow.url, '--json'], cli.env);
      const crawlId = (JSON.parse(added.stdout) as {crawls: Array<{crawlId: string}>}).crawls[0]!.crawlId;
      // Each page takes 400 ms; a 100 ms grace period cannot let all 8 active jobs finish.
      const node = startCli([...cli.flags, '--set', 'shutdown.graceMs=100', 'run', '--no-ui', '--concurrency', '8'], cli.env);
      await waitFor(() => (node.output().match(/"page scraped"/g)?.length ?? 0) >= 9 || node.exited(), 60_000, '9 pages scraped');
      node.kill('SIGINT');
      const stopped = await node.result;
      expect(stopped.code).toBe(130);
      expect(stopped.stdout).toContain('"node stopped"');

      const status = JSON.parse((await runCli([...cli.flags, 'status', '--json'], cli.env)).stdout) as StatusJson;
      const scrape = countsOf(status, 'scrape');
      // Nothing was left active (locked by a dead node) and nothing failed: the rest is waiting.
      expect(scrape.active).toBe(0);
      expect(scrape.failed).toBe(0);
      expect(scrape.waiting + scrape.prioritized).toBeGreaterThan(0);

      const restart = await runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle', '--concurrency', '8'], cli.env);
      expect(restart.code).toBe(0);
      const urls = readResults(cli.dataDir, crawlId).map((r) => r.url);
      expect(urls).toHaveLength(40);
      expect(new Set(urls).size).toBe(40);
    } finally {
      await slow.stop();
    }
  });
});
