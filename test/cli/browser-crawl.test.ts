import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliEnvironment, runCli, startCli, startPrivateRedis, startSite, waitFor, type PrivateRedis, type TestSite} from '../helpers/processes.js';
import {countsOf, readResults, type StatusJson} from '../helpers/results.js';

/** PIDs of Chromium processes started for this data directory (their profile lives under it). */
function ourChromiumPids(dataDir: string): number[] {
  const marker = `--user-data-dir=${join(dataDir, 'browser-profiles')}`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').some((arg) => arg.startsWith(marker));
      } catch {
        return false;
      }
    })
    .map(Number);
}

function mainBrowserPid(dataDir: string): number | undefined {
  // The browser process is the one without --type= (renderers, GPU and utility processes have one).
  return ourChromiumPids(dataDir).find((pid) => {
    try {
      return !readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--type=');
    } catch {
      return false;
    }
  });
}

function profileDirsLeft(dataDir: string): string[] {
  const root = join(dataDir, 'browser-profiles');
  return existsSync(root) ? readdirSync(root) : [];
}

describe('browser mode', () => {
  let redis: PrivateRedis;
  let site: TestSite;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    site = await startSite(400);
  });

  afterAll(async () => {
    await site?.stop();
    await redis?.stop();
  });

  test('a 200-page browser crawl stores text that exists only after the page script ran; no Chromium or profile is left', async () => {
    const cli = cliEnvironment(redis.url);
    const added = await runCli([...cli.flags, 'add', '--crawl', '--max-pages', '200', '--mode', 'browser', site.url, '--json'], cli.env);
    expect(added.code).toBe(0);
    const crawlId = (JSON.parse(added.stdout) as {crawls: Array<{crawlId: string}>}).crawls[0]!.crawlId;
    const run = await runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle', '--browsers', '1', '--pages-per-browser', '4', '--set', 'scrape.downloadMedia=false'], cli.env);
    expect(run.code).toBe(0);

    const results = readResults(cli.dataDir, crawlId);
    expect(results).toHaveLength(200);
    expect(new Set(results.map((r) => r.url)).size).toBe(200);
    for (const result of results) {
      expect(result.mode).toBe('browser');
      // The site's load handler appends " [js]" to the title: only a browser sees it.
      expect(result.title).toMatch(/^Page \d+: .* \[js\]$/);
      expect(result.links.length).toBeGreaterThanOrEqual(10);
      // Images were blocked but their URLs are collected.
      expect(result.media.some((url) => url.includes('/img/'))).toBe(true);
    }
    expect(ourChromiumPids(cli.dataDir)).toEqual([]);
    expect(profileDirsLeft(cli.dataDir)).toEqual([]);
  });

  test('killing the Chromium process mid-crawl: the pool replaces it, jobs are retried, every page once', async () => {
    const cli = cliEnvironment(redis.url);
    const added = await runCli([...cli.flags, 'add', '--crawl', '--max-pages', '80', '--mode', 'browser', site.url, '--json'], cli.env);
    const crawlId = (JSON.parse(added.stdout) as {crawls: Array<{crawlId: string}>}).crawls[0]!.crawlId;
    const node = startCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle', '--browsers', '1', '--set', 'scrape.downloadMedia=false'], cli.env);
    await waitFor(() => (node.output().match(/"page scraped"/g)?.length ?? 0) >= 15 || node.exited(), 60_000, '15 pages');
    const pid = mainBrowserPid(cli.dataDir);
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    const run = await node.result;
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"event":"browser-crashed"');
    expect((run.stdout.match(/"event":"browser-launched"/g) ?? []).length).toBeGreaterThanOrEqual(2);

    const urls = readResults(cli.dataDir, crawlId).map((r) => r.url);
    expect(urls).toHaveLength(80);
    expect(new Set(urls).size).toBe(80);
    const status = JSON.parse((await runCli([...cli.flags, 'status', '--json'], cli.env)).stdout) as StatusJson;
    expect(countsOf(status, 'scrape').failed).toBe(0);
    expect(ourChromiumPids(cli.dataDir)).toEqual([]);
  });

  test('retirement: with K = 20 a 100-page crawl launches at least 5 browsers, never more than N at once', async () => {
    const cli = cliEnvironment(redis.url);
    await runCli([...cli.flags, 'add', '--crawl', '--max-pages', '100', '--mode', 'browser', site.url], cli.env);
    const node = startCli(
      [...cli.flags, '--set', 'browser.retireAfterPages=20', 'run', '--no-ui', '--exit-when-idle', '--browsers', '2', '--set', 'scrape.downloadMedia=false'],
      cli.env,
    );
    let maxAlive = 0;
    let seenAtMax: string[] = [];
    while (!node.exited()) {
      const mains = ourChromiumPids(cli.dataDir).filter((pid) => {
        try {
          return !readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--type=');
        } catch {
          return false;
        }
      });
      if (mains.length > maxAlive) {
        maxAlive = mains.length;
        seenAtMax = mains.map((pid) => {
          try {
            return `${pid} ${readFileSync(`/proc/${pid}/stat`, 'latin1').split(' ')[2]} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 60)}`;
          } catch {
            return `${pid} gone`;
          }
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const run = await node.result;
    expect(run.code).toBe(0);
    expect((run.stdout.match(/"event":"browser-launched"/g) ?? []).length).toBeGreaterThanOrEqual(5);
    expect(maxAlive).toBeGreaterThan(0);
    expect(maxAlive, seenAtMax.join('\n')).toBeLessThanOrEqual(2);
    expect(readResults(cli.dataDir)).toHaveLength(100);
  });

  test('SIGINT in the middle of a browser crawl leaves no Chromium and no profile directory', async () => {
    const cli = cliEnvironment(redis.url);
    await runCli([...cli.flags, 'add', '--crawl', '--max-pages', '300', '--mode', 'browser', site.url], cli.env);
    const node = startCli([...cli.flags, '--set', 'shutdown.graceMs=500', 'run', '--no-ui', '--browsers', '1'], cli.env);
    await waitFor(() => (node.output().match(/"page scraped"/g)?.length ?? 0) >= 5 || node.exited(), 60_000, '5 pages');
    expect(ourChromiumPids(cli.dataDir).length).toBeGreaterThan(0);
    node.kill('SIGINT');
    const run = await node.result;
    expect(run.code).toBe(130);
    expect(ourChromiumPids(cli.dataDir)).toEqual([]);
    expect(profileDirsLeft(cli.dataDir)).toEqual([]);
  });

  test('a custom extractor gets the live page and its data is stored; a throwing one fails the job with its message', async () => {
    const cli = cliEnvironment(redis.url);
    const extractor = join(cli.dataDir, '..', 'extractor.mjs');
    writeFileSync(
      extractor,
      `export default async ({page, html, url}) => {
        if (url.endsWith('/p/13')) throw new Error('no price on this page');
        if (page) return {dyn: await page.$eval('#dyn', (el) => el.textContent), via: 'browser'};
        return {length: html.length, via: 'http'};
      };`,
    );
    await runCli([...cli.flags, 'add', '--mode', 'browser', `${site.url}p/12`, `${site.url}p/13`], cli.env);
    await runCli([...cli.flags, 'add', '--mode', 'http', `${site.url}p/14`], cli.env);
    const run = await runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle', '--extractor', extractor, '--set', 'scrape.downloadMedia=false'], cli.env);
    expect(run.code).toBe(0);
    const byUrl = new Map(readResults(cli.dataDir).map((r) => [r.url, r]));
    expect(byUrl.get(`${site.url}p/12`)?.data).toEqual({dyn: expect.stringMatching(/^rendered \d+ images$/), via: 'browser'});
    expect(byUrl.get(`${site.url}p/14`)?.data).toEqual({length: expect.any(Number), via: 'http'});
    const failed = JSON.parse((await runCli([...cli.flags, 'failed', '--json'], cli.env)).stdout) as Array<{url: string; error: string; attemptsMade: number}>;
    expect(failed).toEqual([expect.objectContaining({url: `${site.url}p/13`, error: 'extractor failed: no price on this page', attemptsMade: 1})]);

    const missing = await runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle', '--extractor', '/nonexistent/x.mjs'], cli.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^crawler-tui: extractor \/nonexistent\/x\.mjs does not exist/);
  });
});
