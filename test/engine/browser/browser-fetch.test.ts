import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {browserFetch, type BrowserFetchOptions} from '../../../src/engine/browser/browser-fetch.js';
import {BrowserPool} from '../../../src/engine/browser/browser-pool.js';
import {findChromium} from '../../../src/engine/browser/find-chromium.js';
import {PermanentScrapeError, RetryableScrapeError, ScrapeTimeoutError} from '../../../src/engine/scrape/scrape-errors.js';

const SITE_SERVER = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/site/server.cjs');
const JOB_TIMEOUT_MS = 4_000;
const OPTIONS: BrowserFetchOptions = {timeoutMs: JOB_TIMEOUT_MS};

let site: ChildProcess;
let siteUrl: string;
let hostile: Server;
let hostileUrl: string;
let pool: BrowserPool;
let base: string;
/** Requests the hostile server saw, by path. */
const seen: string[] = [];

const html = (body: string, head = ''): string => `<!doctype html><html><head><title>hostile</title>${head}</head><body>${body}</body></html>`;

beforeAll(async () => {
  site = spawn(process.execPath, [SITE_SERVER, '--port', '0', '--pages', '20', '--latency-ms', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolveLine, reject) => {
    createInterface({input: site.stdout!}).once('line', resolveLine);
    site.once('exit', (code) => reject(new Error(`site exited with ${code}`)));
  });
  siteUrl = /site: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)![1]!;
  site.stdout!.resume();

  hostile = createServer((request, response) => {
    const path = request.url ?? '/';
    seen.push(path);
    const page = (status: number, body: string, headers: Record<string, string> = {}): void => {
      response.writeHead(status, {'content-type': 'text/html; charset=utf-8', ...headers});
      response.end(body);
    };
    switch (path) {
      case '/hang':
        return page(200, html('<p>before</p><script>while (true) {}</script><p>after</p>'));
      case '/hang-after-load':
        return page(200, html('<p>loaded</p><script>addEventListener("load", () => setTimeout(() => { while (true) {} }, 0));</script>'));
      case '/alert':
        return page(200, html('<p>x</p><script>addEventListener("load", () => { alert("x"); const ok = confirm("y"); document.title = "after dialogs " + ok; });</script>'));
      case '/popup':
        return page(200, html('<p>x</p><script>addEventListener("load", () => { window.open("/target-1"); window.open("/target-2", "_blank", "noopener"); document.title = "opened"; });</script>'));
      case '/download':
        response.writeHead(200, {'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="x.bin"'});
        return void response.end(Buffer.alloc(4096, 7));
      case '/html-download':
        return page(200, html('<p>save me</p>'), {'content-disposition': 'attachment; filename="x.html"'});
      case '/pdf':
        response.writeHead(200, {'content-type': 'application/pdf'});
        return void response.end('%PDF-1.4\n%%EOF\n');
      case '/missing':
        return page(404, html('<h1>not here</h1>'));
      case '/busy':
        return page(503, html('<h1>busy</h1>'), {'retry-after': '7'});
      case '/js-redirect':
        return page(200, html('<p>x</p><script>addEventListener("load", () => { location.href = "/landing"; });</script>'));
      case '/landing':
        return page(200, '<!doctype html><html><head><title>landing</title></head><body><h1>landed</h1></body></html>');
      case '/late-marker':
        return page(200, html('<p>x</p><script>addEventListener("load", () => { document.title += " [js]"; });</script><script async src="/slow.js"></script>'));
      case '/slow-script':
        return page(200, html('<p>waiting</p><script src="/slow.js"></script>'));
      case '/slow.js':
        setTimeout(() => {
          response.writeHead(200, {'content-type': 'text/javascript'});
          response.end('1;');
        }, 20_000).unref();
        return;
      case '/odd-images':
        return page(
          200,
          html('<img src="/pixel?id=1"><img src="/photo.png" srcset="/photo-2x.png 2x"><a href="/a#frag">a</a><a href="javascript:void 0">j</a>' +
            '<a href="mailto:x@example.com">m</a><a href="/a">again</a><video poster="/poster.jpg" src="/clip.mp4"></video>'),
        );
      case '/pixel?id=1':
      case '/photo.png':
      case '/photo-2x.png':
        response.writeHead(200, {'content-type': 'image/png'});
        return void response.end(Buffer.alloc(16));
      default:
        return page(200, html(`<h1>ok ${path}</h1>`));
    }
  });
  await new Promise<void>((resolveListen) => hostile.listen(0, '127.0.0.1', resolveListen));
  hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;

  base = mkdtempSync(join(tmpdir(), 'browser-fetch-'));
  pool = new BrowserPool({executablePath: findChromium().executablePath, profileRoot: join(base, 'profiles'), browsers: 1, pagesPerBrowser: 2});
});

afterAll(async () => {
  await pool?.destroy();
  rmSync(base, {recursive: true, force: true});
  hostile?.closeAllConnections();
  await new Promise((resolveClose) => hostile?.close(resolveClose));
  if (site?.pid !== undefined && site.exitCode === null) process.kill(site.pid, 'SIGTERM');
});

/** One job the way the scrape processor runs it: acquire, fetch, always release. */
async function scrape(url: string, options: BrowserFetchOptions = OPTIONS) {
  const lease = await pool.acquire();
  try {
    return await browserFetch(lease, url, options);
  } finally {
    await lease.release();
  }
}

async function scrapeError(url: string, options: BrowserFetchOptions = OPTIONS): Promise<{error: unknown; ms: number}> {
  const started = Date.now();
  const error = await scrape(url, options).then(() => undefined, (caught: unknown) => caught);
  return {error, ms: Date.now() - started};
}

/** The pool still does real work: a site page, rendered. */
async function expectHealthy(): Promise<void> {
  const result = await scrape(`${siteUrl}p/2`);
  expect(result.facts.title).toMatch(/ \[js\]$/);
}

describe('browserFetch on the test site', () => {
  test('sees the DOM after scripts ran, with links and media, and blocks the images', async () => {
    const stats = `${siteUrl}__stats`;
    await fetch(`${stats}?reset=1`);
    const result = await scrape(`${siteUrl}p/3`);
    expect(result).toMatchObject({url: `${siteUrl}p/3`, finalUrl: `${siteUrl}p/3`, status: 200, contentType: 'text/html'});
    expect(result.facts.title).toMatch(/^Page 3: .* \[js\]$/);
    expect(result.facts.h1).toMatch(/^Page 3: /);
    expect(result.facts.h1).not.toContain('[js]');
    expect(result.facts.links.length).toBeGreaterThanOrEqual(10);
    for (const link of result.facts.links) expect(link).toMatch(new RegExp(`^${siteUrl}(p/\\d+)?$`));
    expect(result.facts.media.length).toBeGreaterThanOrEqual(3);
    for (const media of result.facts.media) expect(media).toMatch(new RegExp(`^${siteUrl}img/\\d+\\.(png|jpg)$`));
    expect(result.facts.textExcerpt.length).toBeGreaterThan(100);
    expect(result.facts.textExcerpt.length).toBeLessThanOrEqual(500);
    expect(result.blockedMedia.sort()).toEqual([...new Set(result.facts.media)].sort());
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.ttfbMs);
    const counters = (await (await fetch(stats)).json()) as {pages: number; images: number};
    expect(counters).toMatchObject({pages: 1, images: 0});
  });

  test('images are loaded when nothing is blocked', async () => {
    await fetch(`${siteUrl}__stats?reset=1`);
    const result = await scrape(`${siteUrl}p/6`, {...OPTIONS, blockResourceTypes: []});
    expect(result.blockedMedia).toEqual([]);
    const counters = (await (await fetch(`${siteUrl}__stats`)).json()) as {images: number};
    // Cached images (max-age) from earlier tests may be served from the browser cache.
    expect(counters.images + result.facts.media.length).toBeGreaterThan(0);
    expect(result.facts.title).toMatch(/ \[js\]$/);
  });
});

describe('browserFetch on hostile pages', () => {
  test('an inline while(true) times out within the job timeout, its page is not reused, and the pool keeps serving', async () => {
    const lease = await pool.acquire();
    const started = Date.now();
    const error = await browserFetch(lease, `${hostileUrl}/hang`, OPTIONS).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScrapeTimeoutError);
    expect(Date.now() - started).toBeLessThan(JOB_TIMEOUT_MS + 2_000);
    await lease.release(); // the default isReusable: true is overridden by the failure
    expect(lease.page.isClosed()).toBe(true);
    await expectHealthy();
  });

  test('a script loop that starts after load (extraction hangs) times out too', async () => {
    const {error, ms} = await scrapeError(`${hostileUrl}/hang-after-load`);
    expect(error).toBeInstanceOf(ScrapeTimeoutError);
    expect(ms).toBeLessThan(JOB_TIMEOUT_MS + 2_000);
    await expectHealthy();
  });

  test('waitUntil decides whether a load-time script has run', async () => {
    // An async script that never arrives holds `load` back but not DOMContentLoaded.
    const early = await scrape(`${hostileUrl}/late-marker`, {...OPTIONS, waitUntil: 'domcontentloaded'});
    expect(early.facts.title).toBe('hostile');
    const {error} = await scrapeError(`${hostileUrl}/late-marker`, {...OPTIONS, timeoutMs: 1_000});
    expect(error).toBeInstanceOf(ScrapeTimeoutError);
  });

  test('alert and confirm are dismissed and the page completes', async () => {
    const started = Date.now();
    const result = await scrape(`${hostileUrl}/alert`);
    expect(result.facts.title).toBe('after dialogs false');
    expect(Date.now() - started).toBeLessThan(JOB_TIMEOUT_MS);
  });

  test('popups opened on load are not left open', async () => {
    const lease = await pool.acquire();
    try {
      const result = await browserFetch(lease, `${hostileUrl}/popup`, OPTIONS);
      expect(result.facts.title).toBe('opened');
      await new Promise((resolveWait) => setTimeout(resolveWait, 300));
      const urls = (await lease.page.browser().pages()).map((page) => page.url());
      expect(urls.filter((url) => url.includes('/target-'))).toEqual([]);
    } finally {
      await lease.release();
    }
    await expectHealthy();
  });

  test('a download is refused as not HTML', async () => {
    const {error, ms} = await scrapeError(`${hostileUrl}/download`);
    expect(error).toBeInstanceOf(PermanentScrapeError);
    expect((error as Error).message).toMatch(/not an HTML page \(content-type application\/octet-stream, a download\): use --mode http/);
    expect(ms).toBeLessThan(JOB_TIMEOUT_MS);
    const htmlDownload = await scrapeError(`${hostileUrl}/html-download`);
    expect(htmlDownload.error).toBeInstanceOf(PermanentScrapeError);
    expect((htmlDownload.error as Error).message).toMatch(/a download/);
    await expectHealthy();
  });

  test('a PDF is not HTML', async () => {
    const {error} = await scrapeError(`${hostileUrl}/pdf`);
    expect(error).toBeInstanceOf(PermanentScrapeError);
    expect((error as Error).message).toContain('content-type application/pdf');
  });

  test('404 is permanent, 503 is retryable with Retry-After', async () => {
    const missing = await scrapeError(`${hostileUrl}/missing`);
    expect(missing.error).toBeInstanceOf(PermanentScrapeError);
    expect(missing.error).toMatchObject({status: 404});
    const busy = await scrapeError(`${hostileUrl}/busy`);
    expect(busy.error).toBeInstanceOf(RetryableScrapeError);
    expect(busy.error).toMatchObject({status: 503, retryAfterMs: 7_000});
  });

  test('a crashed renderer fails only its job, quickly', async () => {
    const lease = await pool.acquire();
    const started = Date.now();
    try {
      const before = seen.filter((path) => path === '/slow.js').length;
      const job = browserFetch(lease, `${hostileUrl}/slow-script`, {timeoutMs: 15_000});
      while (seen.filter((path) => path === '/slow.js').length === before) await new Promise((r) => setTimeout(r, 20));
      const session = await lease.page.createCDPSession();
      void session.send('Page.crash').catch(() => {});
      const error = await job.then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(RetryableScrapeError);
      expect((error as Error).message).toMatch(/crashed/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await lease.release();
    }
    expect(pool.stats().crashes).toBe(0);
    await expectHealthy();
  });

  test('an outer abort stops the job with the abort reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('job cancelled')), 200);
    const {error, ms} = await scrapeError(`${hostileUrl}/hang`, {...OPTIONS, timeoutMs: 30_000, signal: controller.signal});
    expect((error as Error).message).toBe('job cancelled');
    expect(ms).toBeLessThan(3_000);
    await expectHealthy();
  });

  test('a page that navigates itself on load is scraped, not failed', async () => {
    for (let i = 0; i < 8; i++) {
      const result = await scrape(`${hostileUrl}/js-redirect`);
      // Which document the extraction saw depends on timing; either way it is consistent.
      if (result.facts.title === 'landing') {
        expect(result.facts.h1).toBe('landed');
        expect(result.finalUrl).toBe(`${hostileUrl}/landing`);
      } else {
        expect(result.facts.title).toBe('hostile');
        expect(result.finalUrl).toBe(`${hostileUrl}/js-redirect`);
      }
    }
  });

  test('an unknown resource type is a configuration error', async () => {
    await expect(scrape(`${hostileUrl}/x`, {...OPTIONS, blockResourceTypes: ['image', 'pictures']})).rejects.toThrow(RangeError);
  });

  test('invalid and non-http URLs fail permanently without navigating', async () => {
    await expect(scrape('not a url')).rejects.toBeInstanceOf(PermanentScrapeError);
    await expect(scrape('file:///etc/passwd')).rejects.toThrow(/unsupported scheme/);
  });

  test('links and media are normalised and de-duplicated; extension-less images need exactBlocking', async () => {
    const loose = await scrape(`${hostileUrl}/odd-images`);
    expect(loose.facts.links).toEqual([`${hostileUrl}/a`]);
    expect(loose.facts.media).toEqual([
      `${hostileUrl}/pixel?id=1`,
      `${hostileUrl}/photo.png`,
      `${hostileUrl}/photo-2x.png`,
      `${hostileUrl}/clip.mp4`,
      `${hostileUrl}/poster.jpg`,
    ]);
    // URL patterns block by extension: /pixel?id=1 was loaded.
    expect(loose.blockedMedia).not.toContain(`${hostileUrl}/pixel?id=1`);
    const before = seen.filter((path) => path === '/pixel?id=1').length;
    const exact = await scrape(`${hostileUrl}/odd-images`, {...OPTIONS, exactBlocking: true});
    expect(exact.blockedMedia).toContain(`${hostileUrl}/pixel?id=1`);
    expect(seen.filter((path) => path === '/pixel?id=1').length).toBe(before);
    // Back to the default on the same pages: the cheap mode is restored.
    const again = await scrape(`${hostileUrl}/odd-images`);
    expect(again.blockedMedia).not.toContain(`${hostileUrl}/pixel?id=1`);
    await expectHealthy();
  });
});
