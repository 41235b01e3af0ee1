import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliEnvironment, runCli, startPrivateRedis, startSite, type PrivateRedis, type TestSite} from '../helpers/processes.js';
import {countsOf, readResults, type StatusJson} from '../helpers/results.js';

// Real Redis (a private server), the real local site, the built CLI: `npm test` builds first.
describe('crawls in HTTP mode', () => {
  let redis: PrivateRedis;
  let site: TestSite;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    site = await startSite(300);
  });

  afterAll(async () => {
    await site?.stop();
    await redis?.stop();
  });

  test('--max-pages 200 yields exactly 200 result files with 200 distinct normalised URLs', async () => {
    const cli = cliEnvironment(redis.url);
    const added = await runCli([...cli.flags, 'add', '--crawl', '--max-pages', '200', '--mode', 'http', site.url, '--json'], cli.env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const {crawls} = JSON.parse(added.stdout) as {crawls: Array<{crawlId: string}>};
    const crawlId = crawls[0]!.crawlId;

    const run = await runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle', '--concurrency', '16'], cli.env);
    expect(run.code).toBe(0);

    const results = readResults(cli.dataDir, crawlId);
    expect(results).toHaveLength(200);
    expect(new Set(results.map((r) => r.url)).size).toBe(200);
    for (const result of results) {
      expect(result.status).toBe(200);
      expect(result.url.startsWith(site.url)).toBe(true);
      expect(result.title).toMatch(/^Page \d+:/);
      expect(result.links.length).toBeGreaterThanOrEqual(10);
      expect(result.mode).toBe('http');
    }

    const status = JSON.parse((await runCli([...cli.flags, 'status', '--json'], cli.env)).stdout) as StatusJson;
    expect(countsOf(status, 'scrape')).toMatchObject({waiting: 0, prioritized: 0, active: 0, delayed: 0, failed: 0, completed: 200});
    expect(countsOf(status, 'file')).toMatchObject({waiting: 0, active: 0, delayed: 0, failed: 0});
    expect(status.crawls.find((c) => c.crawlId === crawlId)).toMatchObject({done: 200, failed: 0, claimed: 200});
  });

  test('a crawl of the whole site reaches every page exactly once, with two nodes sharing it', async () => {
    const small = await startSite(120);
    try {
      const cli = cliEnvironment(redis.url);
      const added = await runCli([...cli.flags, 'add', '--crawl', '--max-pages', '10000', '--mode', 'http', small.url, '--json'], cli.env);
      expect(added.code).toBe(0);
      const crawlId = (JSON.parse(added.stdout) as {crawls: Array<{crawlId: string}>}).crawls[0]!.crawlId;

      const [first, second] = await Promise.all([
        runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle', '--concurrency', '4'], cli.env),
        runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle', '--concurrency', '4'], cli.env),
      ]);
      expect(first.code).toBe(0);
      expect(second.code).toBe(0);

      const urls = readResults(cli.dataDir, crawlId).map((r) => r.url);
      // `/` and `/p/0` are two URLs of the same page; both are linked, so both are scraped.
      const expected = [small.url, ...Array.from({length: 120}, (_, i) => `${small.url}p/${i}`)];
      expect(urls.sort()).toEqual(expected.sort());
    } finally {
      await small.stop();
    }
  });

  test('--include and --exclude globs and --max-depth bound the crawl', async () => {
    const cli = cliEnvironment(redis.url);
    const added = await runCli(
      [...cli.flags, 'add', '--crawl', '--max-depth', '1', '--include', '/p/*', '--exclude', '/p/1*', '--mode', 'http', `${site.url}p/0`, '--json'],
      cli.env,
    );
    expect(added.code).toBe(0);
    const crawlId = (JSON.parse(added.stdout) as {crawls: Array<{crawlId: string}>}).crawls[0]!.crawlId;
    expect((await runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle'], cli.env)).code).toBe(0);
    const results = readResults(cli.dataDir, crawlId);
    const root = results.find((r) => r.url === `${site.url}p/0`)!;
    expect(root.depth).toBe(0);
    const expectedChildren = root.links.filter((link) => /\/p\/\d+$/.test(link) && !/\/p\/1/.test(link) && link !== root.url);
    expect(results.map((r) => r.url).sort()).toEqual([root.url, ...expectedChildren].sort());
    expect(results.every((r) => (r.depth ?? 0) <= 1)).toBe(true);
  });
});
