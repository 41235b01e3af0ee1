import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, onTestFinished, test} from 'vitest';
import {browserFetch} from '../../../src/engine/browser/browser-fetch.js';
import {
  BrowserCrashedError,
  BrowserPool,
  defaultPoolSize,
  type BrowserPoolOptions,
  type PageLease,
} from '../../../src/engine/browser/browser-pool.js';
import {findProcessesByProfileRoot} from '../../../src/engine/browser/chromium-processes.js';
import {findChromium} from '../../../src/engine/browser/find-chromium.js';
import {RetryableScrapeError} from '../../../src/engine/scrape/scrape-errors.js';

const SITE_SERVER = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/site/server.cjs');
const executablePath = findChromium().executablePath;

let site: ChildProcess;
let siteUrl: string;

beforeAll(async () => {
  site = spawn(process.execPath, [SITE_SERVER, '--port', '0', '--pages', '50', '--latency-ms', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolveLine, reject) => {
    createInterface({input: site.stdout!}).once('line', resolveLine);
    site.once('exit', (code) => reject(new Error(`site exited with ${code}`)));
  });
  siteUrl = /site: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)![1]!;
  site.stdout!.resume();
});

afterAll(() => {
  if (site.pid !== undefined && site.exitCode === null) process.kill(site.pid, 'SIGTERM');
});

/** A pool with its own profile root; destroyed (and checked clean) when the test ends. */
function makePool(options: Partial<BrowserPoolOptions> = {}): {pool: BrowserPool; profileRoot: string} {
  const base = mkdtempSync(join(tmpdir(), 'browser-pool-'));
  const profileRoot = join(base, 'profiles');
  const pool = new BrowserPool({executablePath, profileRoot, browsers: 1, pagesPerBrowser: 2, ...options});
  onTestFinished(async () => {
    await pool.destroy();
    rmSync(base, {recursive: true, force: true});
  });
  return {pool, profileRoot};
}

const FETCH = {timeoutMs: 10_000} as const;

describe('defaultPoolSize', () => {
  test.each([
    [{cores: 2, totalMemoryBytes: 24 * 2 ** 30}, 1],
    [{cores: 16, totalMemoryBytes: 64 * 2 ** 30}, 8],
    [{cores: 16, totalMemoryBytes: 4 * 2 ** 30}, 2],
    [{cores: 1, totalMemoryBytes: 2 ** 30}, 1],
  ])('%o -> %i browsers of 4 pages', (system, browsers) => {
    expect(defaultPoolSize(system)).toEqual({browsers, pagesPerBrowser: 4});
  });
});

describe('BrowserPool', () => {
  test('acquire launches lazily, pages are reused, and stats describe the browser', async () => {
    const {pool} = makePool();
    const launched: number[] = [];
    pool.on('browser-launched', ({id}) => launched.push(id));
    expect(pool.stats()).toMatchObject({browsers: [], capacity: 2, inUse: 0, launched: 0});

    const lease = await pool.acquire();
    const page = lease.page;
    await lease.release();
    const again = await pool.acquire();
    expect(again.page).toBe(page);
    const stats = pool.stats();
    expect(launched).toEqual([1]);
    expect(stats.inUse).toBe(1);
    expect(stats.browsers).toEqual([
      expect.objectContaining({id: 1, pagesLeased: 1, pagesOpen: 1, pagesServed: 2, state: 'ready', pid: expect.any(Number)}),
    ]);
    // A page released as not reusable is closed; the next lease gets a fresh one.
    await again.release({isReusable: false});
    expect(page.isClosed()).toBe(true);
    const third = await pool.acquire();
    expect(third.page).not.toBe(page);
    await third.release();
    await pool.destroy();
  });

  test('waiters are served first come, first served, and an aborted waiter leaves the queue', async () => {
    const {pool} = makePool({pagesPerBrowser: 1});
    const first = await pool.acquire();
    const order: string[] = [];
    const second = pool.acquire().then((lease) => (order.push('second'), lease));
    const controller = new AbortController();
    const aborted = pool.acquire(controller.signal);
    const third = pool.acquire().then((lease) => (order.push('third'), lease));
    expect(pool.stats().waiting).toBe(3);
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    expect(pool.stats().waiting).toBe(2);

    await first.release();
    const secondLease = await second;
    await secondLease.release();
    const thirdLease = await third;
    await thirdLease.release();
    expect(order).toEqual(['second', 'third']);
    expect(pool.stats().launched).toBe(1);
  });

  test('retirement after K pages: 100 cycles with K=20 launch at least 5 browsers, never more than `browsers` at once', async () => {
    const {pool} = makePool({browsers: 2, pagesPerBrowser: 2, retireAfterPages: 20});
    let maxAlive = 0;
    const retiredReasons: string[] = [];
    const sample = (): void => {
      maxAlive = Math.max(maxAlive, pool.stats().browsers.length);
    };
    pool.on('browser-launched', sample);
    pool.on('browser-retired', ({reason}) => retiredReasons.push(reason));
    let next = 0;
    await Promise.all(
      Array.from({length: 3}, async () => {
        while (next < 100) {
          next++;
          const lease = await pool.acquire();
          sample();
          expect(await lease.page.evaluate('6 * 7')).toBe(42);
          await lease.release();
        }
      }),
    );
    const stats = pool.stats();
    expect(stats.launched).toBeGreaterThanOrEqual(5);
    expect(maxAlive).toBeLessThanOrEqual(2);
    expect(retiredReasons.length).toBeGreaterThanOrEqual(4);
    expect(new Set(retiredReasons)).toEqual(new Set(['page-limit']));
    for (const browser of stats.browsers) expect(browser.pagesServed).toBeLessThanOrEqual(20);
  });

  test('killing a browser mid-job fails that lease with BrowserCrashedError; the next acquire gets a new browser', async () => {
    const {pool, profileRoot} = makePool({browsers: 1, pagesPerBrowser: 2});
    const crashed: Array<{id: number}> = [];
    pool.on('browser-crashed', (event) => crashed.push(event));
    const lease = await pool.acquire();
    const pid = pool.stats().browsers[0]!.pid!;
    // ?delay keeps the navigation in flight while we kill the browser.
    const job = browserFetch(lease, `${siteUrl}p/3?delay=5000`, FETCH);
    setTimeout(() => process.kill(pid, 'SIGKILL'), 300);
    const error = await job.then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(BrowserCrashedError);
    expect(error).toBeInstanceOf(RetryableScrapeError);
    expect(lease.signal.aborted).toBe(true);
    await lease.release();

    const next = await pool.acquire();
    const result = await browserFetch(next, `${siteUrl}p/4`, FETCH);
    expect(result.facts.title).toMatch(/^Page 4: .* \[js\]$/);
    await next.release();
    const stats = pool.stats();
    expect(stats).toMatchObject({crashes: 1, restarts: 1, launched: 2});
    expect(crashed).toEqual([{id: 1, pid}]);
    expect(stats.browsers.map((b) => b.id)).toEqual([2]);
    // The dead browser's processes and profile are gone; only the replacement's remain.
    await pool.destroy();
    expect(findProcessesByProfileRoot(profileRoot)).toEqual([]);
    expect(readdirSync(profileRoot)).toEqual([]);
  });

  test('destroy closes everything, removes every profile, aborts leases out and rejects later acquires', async () => {
    const {pool, profileRoot} = makePool({browsers: 2, pagesPerBrowser: 2});
    const leases: PageLease[] = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(findProcessesByProfileRoot(profileRoot).length).toBeGreaterThan(0);
    expect(readdirSync(profileRoot).length).toBe(2);
    const waiting = pool.acquire();
    const extra = pool.acquire();
    waiting.catch(() => {});
    extra.catch(() => {});
    expect(pool.stats().waiting).toBe(2);
    const started = Date.now();
    const destroying = pool.destroy();
    expect(pool.destroy()).toBe(destroying);
    await destroying;
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(waiting).rejects.toThrow(/destroyed/);
    await expect(extra).rejects.toThrow(/destroyed/);
    for (const lease of leases) {
      expect(lease.signal.aborted).toBe(true);
      await lease.release(); // still safe after destroy
    }
    await expect(pool.acquire()).rejects.toThrow(/destroyed/);
    expect(findProcessesByProfileRoot(profileRoot)).toEqual([]);
    expect(readdirSync(profileRoot)).toEqual([]);
  });

  test('destroy during a launch cuts it short and leaves nothing behind', async () => {
    const {pool, profileRoot} = makePool();
    const acquiring = pool.acquire();
    acquiring.catch(() => {});
    await new Promise((resolveSoon) => setTimeout(resolveSoon, 50));
    expect(pool.stats().browsers).toEqual([expect.objectContaining({state: 'launching'})]);
    const started = Date.now();
    await pool.destroy();
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(acquiring).rejects.toThrow(/destroyed/);
    expect(pool.stats()).toMatchObject({launchFailures: 0, browsers: []});
    expect(findProcessesByProfileRoot(profileRoot)).toEqual([]);
    expect(readdirSync(profileRoot)).toEqual([]);
  });

  test('idle and oversized browsers are retired by checkBrowsers, which also samples RSS', async () => {
    const {pool} = makePool({browsers: 1, idleRetireMs: 60_000});
    const lease = await pool.acquire();
    pool.checkBrowsers();
    const rss = pool.stats().browsers[0]!.rssBytes;
    expect(rss).toBeGreaterThan(50 * 1024 * 1024);
    await lease.release();
    const retired = new Promise<string>((resolveReason) => pool.once('browser-retired', ({reason}) => resolveReason(reason)));
    pool.checkBrowsers(Date.now() + 61_000);
    expect(await retired).toBe('idle');

    const {pool: small} = makePool({browsers: 1, maxBrowserRssBytes: 1024});
    const busy = await small.acquire();
    const memoryRetired = new Promise<string>((resolveReason) => small.once('browser-retired', ({reason}) => resolveReason(reason)));
    small.checkBrowsers();
    expect(await memoryRetired).toBe('memory');
    // Retiring waits for the lease out; the next acquire needs a new browser but the limit is 1.
    expect(small.stats().browsers[0]!.state).toBe('retiring');
    const next = small.acquire();
    await busy.release();
    const replacement = await next;
    expect(replacement.browserId).toBe(2);
    await replacement.release();
  });

  test('resize changes capacity and retires browsers beyond the new size', async () => {
    const {pool} = makePool({browsers: 2, pagesPerBrowser: 1});
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    expect(pool.stats().browsers).toHaveLength(2);
    expect(pool.capacity).toBe(2);
    pool.resize(1, 3);
    expect(pool.capacity).toBe(3);
    expect(pool.stats().browsers.filter((browser) => browser.state === 'retiring')).toHaveLength(1);
    await a!.release();
    await b!.release();
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(new Set(leases.map((lease) => lease.browserId)).size).toBe(1);
    // The retired browser closes in the background once its lease is back.
    const deadline = Date.now() + 10_000;
    while (pool.stats().browsers.length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pool.stats().browsers).toHaveLength(1);
    for (const lease of leases) await lease.release();
    expect(() => pool.resize(1, 0)).toThrow(RangeError);
  });

  test('a launch that fails rejects the waiting acquire with a retryable error', async () => {
    const {pool, profileRoot} = makePool({executablePath: '/bin/false', launchTimeoutMs: 5_000});
    await expect(pool.acquire()).rejects.toBeInstanceOf(RetryableScrapeError);
    expect(pool.stats()).toMatchObject({launchFailures: 1, launched: 0, browsers: []});
    expect(readdirSync(profileRoot)).toEqual([]);
  });
});
