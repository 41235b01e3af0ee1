/**
 * Scrapes one URL with a leased browser page: navigate, wait for the configured lifecycle event,
 * then read the facts of HTTP mode (`PageFacts`) from the live DOM, i.e. after the page's scripts
 * ran, in a single `page.evaluate` round trip.
 *
 * Cost per page is what matters (everything is CPU bound on Chromium), which decided:
 * - Pages are reused (no new tab or context per job); per-page set-up happens once per tab.
 * - Images, fonts and media are blocked inside Chromium with `Network.setBlockedURLs` URL
 *   patterns (by file extension). Measured on the test site, 4 pages, `load`: about 17-22
 *   pages/s, against 13-16 with Puppeteer's request interception or CDP `Fetch` interception,
 *   which pause every (or every matching) request for a round trip to Node. Resource types that
 *   have no extension patterns (or all types, with `exactBlocking`) fall back to `Fetch`
 *   interception restricted to those types.
 * - The blocked URLs are still collected (from `requestfailed`), and the blocked images and media
 *   join `facts.media`.
 * - Extraction walks the DOM text only up to the excerpt budget (no `innerText`, which forces
 *   layout, and no `page.content()` + reparse).
 *
 * What only a browser sees: `facts.title` is `document.title` after scripts ran, and links,
 * media and text come from the DOM as scripts left it at `waitUntil`. That is why the default
 * `waitUntil` is `load`: many pages (the test site among them) change the DOM in a `load`
 * handler, which `domcontentloaded` would miss; with images blocked `load` follows it closely.
 */
import {performance} from 'node:perf_hooks';
import type {CDPSession, HTTPRequest, HTTPResponse, Page} from 'puppeteer';
import {tryNormalizeUrl} from '../crawl/normalize-url.js';
import type {PageFacts} from '../scrape/extract.js';
import {stripControlChars} from '../scrape/extract.js';
import {PermanentScrapeError, RetryableScrapeError, ScrapeTimeoutError, errorForStatus} from '../scrape/scrape-errors.js';
import {BrowserCrashedError, type PageLease} from './browser-pool.js';

/** Options for {@link browserFetch}. */
export interface BrowserFetchOptions {
  /** The whole job (navigation, waiting, extraction) must finish within this; then the page is closed and {@link ScrapeTimeoutError} thrown. */
  timeoutMs: number;
  /** Lifecycle event navigation waits for. @default 'load' */
  waitUntil?: 'load' | 'domcontentloaded' | 'networkidle0' | 'networkidle2';
  /**
   * Puppeteer resource types (`image`, `font`, `media`, `stylesheet`, `script`, `xhr`, …) not
   * loaded. `document` cannot be blocked. @default ['image', 'font', 'media']
   */
  blockResourceTypes?: readonly string[];
  /**
   * Block by resource type exactly (CDP `Fetch` interception), also catching images and fonts
   * whose URLs have no telling extension, at the cost of a round trip to Node per blocked
   * request and interception overhead on every request. @default false
   */
  exactBlocking?: boolean;
  /** User agent of the page; unset keeps Chromium's (which says HeadlessChrome). */
  userAgent?: string;
  /** Aborting it stops the job: the page is closed and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Links kept; media URLs are capped at the same number. @default 5000 */
  maxLinks?: number;
  /** Length of `facts.textExcerpt`, in characters. @default 500 */
  excerptChars?: number;
}

/** What {@link browserFetch} resolves with. */
export interface BrowserFetchResult {
  /** The URL as passed. */
  url: string;
  /** The URL of the final response (after redirects). */
  finalUrl: string;
  status: number;
  /** Lowercased mime type without parameters; `''` when the server sent none. */
  contentType: string;
  /** The page's facts from the DOM after scripts ran (see the module comment). */
  facts: PageFacts;
  timings: {
    /** Wall-clock start (epoch ms). */
    startedAtMs: number;
    /** From the start until the final main response's headers arrived. */
    ttfbMs: number;
    /** From the start until extraction finished. */
    totalMs: number;
  };
  /** URLs the page requested but we blocked (images, fonts, media by default), de-duplicated, capped at `maxLinks`. */
  blockedMedia: string[];
}

/** The default of {@link BrowserFetchOptions.blockResourceTypes}. */
export const DEFAULT_BLOCK_RESOURCE_TYPES: readonly string[] = ['image', 'font', 'media'];

const DEFAULT_MAX_LINKS = 5000;
const DEFAULT_EXCERPT_CHARS = 500;
const MAX_TITLE_CHARS = 1000;
const MAX_DESCRIPTION_CHARS = 2000;
const MAX_H1_CHARS = 1000;
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml', '']);

/** File extensions per resource type, for `Network.setBlockedURLs`. Chromium matches them case-sensitively. */
const EXTENSIONS: Record<string, readonly string[]> = {
  image: ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'bmp', 'apng', 'tif', 'tiff', 'jxl', 'heic'],
  font: ['woff', 'woff2', 'ttf', 'otf', 'eot'],
  media: ['mp4', 'webm', 'ogg', 'ogv', 'oga', 'mp3', 'wav', 'm4a', 'm4v', 'mov', 'flac', 'aac', 'opus', 'm3u8', 'mpd'],
  stylesheet: ['css'],
};

/** CDP's spelling of the resource types (Puppeteer lowercases them). */
const CDP_RESOURCE_TYPES = [
  'Document', 'Stylesheet', 'Image', 'Media', 'Font', 'Script', 'TextTrack', 'XHR', 'Fetch', 'Prefetch',
  'EventSource', 'WebSocket', 'Manifest', 'SignedExchange', 'Ping', 'CSPViolationReport', 'Preflight', 'FedCM', 'Other',
];
const CDP_TYPE_BY_LOWERCASE = new Map(CDP_RESOURCE_TYPES.map((type) => [type.toLowerCase(), type]));

/** Blocked types whose URLs also count as the page's media. */
const MEDIA_TYPES = new Set(['image', 'media']);

/** One job on a page: what the page's listeners report into. */
interface JobState {
  mainResponse: HTTPResponse | undefined;
  mainResponseAtMs: number;
  /** url → resource type, in order of blocking. */
  blocked: Map<string, string>;
  /** The resource types this job blocks (lowercase). */
  blockedTypes: ReadonlySet<string>;
  /** Requests that started during this job: a late failure of the previous document's request is not ours. */
  requests: WeakSet<HTTPRequest>;
  fail: (error: Error) => void;
  /** Called when the main response arrives (see {@link waitForMainResponse}). */
  onMainResponse: (() => void) | undefined;
}

/** Set-up done once per tab, plus the job currently running on it. */
interface PageState {
  session: CDPSession | undefined;
  /** Current blocking configuration, to skip the CDP calls when a job asks for the same. */
  blockingKey: string;
  userAgent: string | undefined;
  job: JobState | undefined;
}

const pageStates = new WeakMap<Page, PageState>();

function stateFor(page: Page): PageState {
  let state = pageStates.get(page);
  if (state !== undefined) return state;
  const created: PageState = {session: undefined, blockingKey: '', userAgent: undefined, job: undefined};
  // Listeners live as long as the tab and report into whichever job is current, so nothing is
  // added or removed per job.
  page.on('request', (request) => created.job?.requests.add(request));
  page.on('requestfailed', (request) => {
    const job = created.job;
    if (job === undefined || !job.requests.has(request)) return;
    // Requests blocked by Network.setBlockedURLs fail with an empty error text (CDP reports
    // blockedReason "inspector", which Puppeteer does not pass on), so failure() is null; those
    // failed by Fetch.failRequest say ERR_BLOCKED_BY_CLIENT.
    const errorText = request.failure()?.errorText;
    if (errorText !== undefined && errorText !== 'net::ERR_BLOCKED_BY_CLIENT') return;
    // URL patterns also catch what is not of a blocked type, e.g. Chromium's own /favicon.ico
    // request (type "other"): that is not the page's media.
    const type = request.resourceType();
    if (job.blockedTypes.has(type) && !job.blocked.has(request.url())) job.blocked.set(request.url(), type);
  });
  page.on('response', (response) => {
    const job = created.job;
    if (job === undefined || !response.request().isNavigationRequest() || response.frame() !== page.mainFrame()) return;
    job.mainResponse = response;
    job.mainResponseAtMs = performance.now();
    job.onMainResponse?.();
  });
  // Renderer crash (out of memory, a Chromium bug, or a killed renderer).
  page.on('error', (error) => created.job?.fail(new RetryableScrapeError(`the page crashed: ${error.message}`, {cause: error})));
  pageStates.set(page, created);
  return created;
}

async function configureBlocking(page: Page, state: PageState, types: readonly string[], isExact: boolean): Promise<void> {
  const wanted = [...new Set(types.map((type) => type.toLowerCase()))].filter((type) => type !== 'document').sort();
  const key = `${isExact}:${wanted.join(',')}`;
  if (key === state.blockingKey) return;
  const patterns: string[] = [];
  const intercepted: string[] = [];
  for (const type of wanted) {
    const extensions = EXTENSIONS[type];
    if (extensions !== undefined && !isExact) {
      for (const ext of extensions) {
        for (const e of ext === ext.toUpperCase() ? [ext] : [ext, ext.toUpperCase()]) patterns.push(`*.${e}`, `*.${e}?*`);
      }
    } else {
      const cdpType = CDP_TYPE_BY_LOWERCASE.get(type);
      if (cdpType === undefined) throw new RangeError(`unknown resource type "${type}" in blockResourceTypes`);
      intercepted.push(cdpType);
    }
  }
  if (state.session === undefined) {
    const session = await page.createCDPSession();
    session.on('Fetch.requestPaused', (event) => {
      const job = state.job;
      const type = event.resourceType.toLowerCase();
      if (job !== undefined && job.blockedTypes.has(type) && !job.blocked.has(event.request.url)) job.blocked.set(event.request.url, type);
      void session.send('Fetch.failRequest', {requestId: event.requestId, errorReason: 'BlockedByClient'}).catch(() => {});
    });
    // setBlockedURLs only takes effect in a session with the Network domain enabled.
    await session.send('Network.enable');
    state.session = session;
  }
  await state.session.send('Network.setBlockedURLs', {urls: patterns});
  if (intercepted.length > 0) {
    await state.session.send('Fetch.enable', {
      patterns: intercepted.map((resourceType) => ({urlPattern: '*', resourceType: resourceType as never, requestStage: 'Request' as const})),
    });
  } else if (state.blockingKey !== '') {
    await state.session.send('Fetch.disable');
  }
  state.blockingKey = key;
}

/**
 * Navigates the leased page to `url` and extracts the page's facts.
 *
 * The caller keeps owning the lease and must release it afterwards, also after a failure. A
 * failure that leaves the page unfit (timeout, abort, crash) has already invalidated the lease,
 * so `release()` closes the page whatever `isReusable` says.
 *
 * @throws {ScrapeTimeoutError} after `timeoutMs` (also when a script loop hangs the page).
 * @throws the `signal`'s reason when it aborts.
 * @throws {BrowserCrashedError} when the browser died during the job (retry it).
 * @throws {RetryableScrapeError} page crash, network errors, 408/429/5xx (with `retryAfterMs`).
 * @throws {PermanentScrapeError} invalid URL, other 4xx, too many redirects, a response that is
 * not HTML or is a download (`use --mode http`).
 * @throws {RangeError} `blockResourceTypes` names a type Chromium does not know.
 */
export async function browserFetch(lease: PageLease, url: string, options: BrowserFetchOptions): Promise<BrowserFetchResult> {
  const startedAtMs = Date.now();
  const t0 = performance.now();
  options.signal?.throwIfAborted();
  lease.signal.throwIfAborted();
  assertHttpUrl(url);
  const blockTypes = options.blockResourceTypes ?? DEFAULT_BLOCK_RESOURCE_TYPES;
  assertResourceTypes(blockTypes);
  const page = lease.page;
  if (page.isClosed()) throw new RetryableScrapeError('the leased page is closed');
  const maxLinks = options.maxLinks ?? DEFAULT_MAX_LINKS;
  const excerptChars = options.excerptChars ?? DEFAULT_EXCERPT_CHARS;

  const controller = new AbortController();
  const abort = (reason: unknown): void => controller.abort(reason);
  const timer = setTimeout(
    () => abort(new ScrapeTimeoutError(`browser fetch of ${url} timed out after ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  // Not unref()ed: the caller awaits this job, and the timer is what ends a hung one.
  const onOuterAbort = (): void => abort(options.signal?.reason);
  const onLeaseAbort = (): void => abort(lease.signal.reason);
  options.signal?.addEventListener('abort', onOuterAbort, {once: true});
  lease.signal.addEventListener('abort', onLeaseAbort, {once: true});
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {once: true});
  });
  aborted.catch(() => {});

  const state = stateFor(page);
  const job: JobState = {
    mainResponse: undefined,
    mainResponseAtMs: 0,
    blocked: new Map(),
    blockedTypes: new Set(blockTypes.map((type) => type.toLowerCase())),
    requests: new WeakSet(),
    fail: abort,
    onMainResponse: undefined,
  };
  state.job = job;

  const work = (async (): Promise<BrowserFetchResult> => {
    await configureBlocking(page, state, blockTypes, options.exactBlocking ?? false);
    if (options.userAgent !== undefined && options.userAgent !== state.userAgent) {
      await page.setUserAgent(options.userAgent);
      state.userAgent = options.userAgent;
    }
    let response: HTTPResponse | null;
    try {
      // Our own timer bounds the job; Puppeteer's would only cover the navigation.
      response = await page.goto(url, {waitUntil: options.waitUntil ?? 'load', timeout: 0});
    } catch (error) {
      if (/net::ERR_ABORTED/.test(String(error))) await waitForMainResponse(job, 250);
      throw navigationError(error, job.mainResponse, url);
    }
    response ??= job.mainResponse ?? null;
    if (response === null) throw new RetryableScrapeError(`no response for ${url}`);
    const status = response.status();
    const headers = response.headers();
    const statusError = errorForStatus(status, headers['retry-after']);
    if (statusError !== undefined) throw statusError;
    const contentType = mimeType(headers['content-type']);
    if (!HTML_TYPES.has(contentType)) {
      throw new PermanentScrapeError(`not an HTML page (content-type ${contentType}): use --mode http`, {status});
    }
    const raw = await extractWithRetry(page, maxLinks + 100, excerptChars * 2 + 256);
    const facts = toFacts(raw, job.blocked, maxLinks, excerptChars);
    // A script may have navigated on (location.href = …): the facts are the new document's.
    const finalResponse = job.mainResponse ?? response;
    const blockedMedia = capSet([...job.blocked.keys()].map((u) => tryNormalizeUrl(u)), maxLinks);
    const ttfbMs = job.mainResponseAtMs > 0 ? job.mainResponseAtMs - t0 : performance.now() - t0;
    return {
      url,
      finalUrl: stripControlChars(finalResponse.url().split('#')[0] ?? finalResponse.url()),
      status,
      contentType,
      facts,
      timings: {startedAtMs, ttfbMs: Math.round(ttfbMs), totalMs: Math.round(performance.now() - t0)},
      blockedMedia,
    };
  })();
  work.catch(() => {}); // when the race is lost, the work's late rejection is nobody's business

  try {
    return await Promise.race([work, aborted]);
  } catch (error) {
    if (controller.signal.aborted) {
      // Timed out, aborted or crashed: the page may still be busy (a script loop keeps its
      // renderer at 100 %), so it is closed now rather than handed to the next job.
      lease.invalidate();
      throw controller.signal.reason;
    }
    if (lease.signal.aborted) throw lease.signal.reason;
    if (error instanceof PermanentScrapeError || error instanceof RetryableScrapeError) throw error;
    lease.invalidate();
    if (isTargetGone(error)) {
      const isBrowserGone = !page.browser().connected;
      throw isBrowserGone
        ? new BrowserCrashedError(lease.browserId)
        : new RetryableScrapeError(`the page closed or crashed while scraping ${url}`, {cause: error});
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new RetryableScrapeError(`browser scrape of ${url} failed: ${message}`, {cause: error});
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    lease.signal.removeEventListener('abort', onLeaseAbort);
    if (state.job === job) state.job = undefined;
  }
}

/**
 * A navigation that Chromium turns into a (denied) download rejects with ERR_ABORTED before
 * Puppeteer has emitted the main response, which tells us why. Give it a moment to arrive.
 */
async function waitForMainResponse(job: JobState, timeoutMs: number): Promise<void> {
  if (job.mainResponse !== undefined) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    job.onMainResponse = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  job.onMainResponse = undefined;
}

/**
 * Runs the extraction, again when a script navigated the page meanwhile: a page that redirects
 * itself from a `load` handler destroys the context our evaluate runs in ("Execution context was
 * destroyed"). The retries wait a little for the new document; the job timer still bounds them.
 */
async function extractWithRetry(page: Page, maxItems: number, textBudget: number): Promise<RawFacts> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.evaluate(extractInPage, maxItems, textBudget);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= 5 || !/Execution context was destroyed|Cannot find context|context.*(?:destroyed|detached)/i.test(message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** Throws a RangeError for a resource type Chromium does not know (a configuration mistake, not a page's fault). */
function assertResourceTypes(types: readonly string[]): void {
  for (const type of types) {
    if (!CDP_TYPE_BY_LOWERCASE.has(type.toLowerCase())) {
      throw new RangeError(`unknown resource type "${type}" in blockResourceTypes (known: ${[...CDP_TYPE_BY_LOWERCASE.keys()].join(', ')})`);
    }
  }
}

function assertHttpUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new PermanentScrapeError(`invalid URL "${url}"`, {cause: error});
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PermanentScrapeError(`unsupported scheme "${parsed.protocol}" in ${parsed.href}`);
  }
}

function mimeType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Chromium net errors that retrying will not fix. */
const PERMANENT_NET_ERRORS = new Set([
  'ERR_TOO_MANY_REDIRECTS',
  'ERR_INVALID_URL',
  'ERR_UNSAFE_PORT',
  'ERR_UNSAFE_REDIRECT',
  'ERR_INVALID_REDIRECT',
  'ERR_DISALLOWED_URL_SCHEME',
  'ERR_UNKNOWN_URL_SCHEME',
  'ERR_BLOCKED_BY_CLIENT',
  'ERR_BLOCKED_BY_RESPONSE',
]);

function navigationError(error: unknown, mainResponse: HTTPResponse | undefined, url: string): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const code = /net::(ERR_[A-Z0-9_]+)/.exec(message)?.[1];
  if (code === undefined) return error;
  if (code === 'ERR_ABORTED' && mainResponse !== undefined) {
    // A response arrived but the navigation was dropped: Chromium turned it into a download
    // (Content-Disposition: attachment, or a type it does not render), which we deny.
    const status = mainResponse.status();
    const headers = mainResponse.headers();
    const statusError = errorForStatus(status, headers['retry-after']);
    if (statusError !== undefined) return statusError;
    const contentType = mimeType(headers['content-type']);
    const disposition = headers['content-disposition'];
    const what = disposition === undefined ? `content-type ${contentType || 'none'}` : `content-type ${contentType || 'none'}, a download`;
    return new PermanentScrapeError(`not an HTML page (${what}): use --mode http`, {status});
  }
  if (code.startsWith('ERR_CERT_') || PERMANENT_NET_ERRORS.has(code)) {
    return new PermanentScrapeError(`navigation to ${url} failed: ${code}`, {cause: error});
  }
  return new RetryableScrapeError(`navigation to ${url} failed: ${code}`, {cause: error});
}

/** Puppeteer's ways of saying the tab or its connection is gone. */
function isTargetGone(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Target closed|Session closed|Connection closed|detached|Protocol error|has been closed/i.test(message);
}

/** What the page hands back; strings are raw (not yet stripped, normalised or capped). */
interface RawFacts {
  title: string;
  description: string | null;
  ogDescription: string | null;
  canonical: string | null;
  h1: string | null;
  text: string;
  links: string[];
  media: string[];
}

/**
 * Runs inside the page (Puppeteer sends its source), so it may use nothing from this module.
 * The DOM is typed `any` because our tsconfig has no DOM lib.
 */
function extractInPage(maxItems: number, textBudget: number): RawFacts {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const doc: any = (globalThis as any).document;
  const cap = (value: unknown, max: number): string | null => (typeof value === 'string' ? value.slice(0, max) : null);
  const attr = (selector: string, name: string): string | null => cap(doc.querySelector(selector)?.getAttribute(name), 8192);

  // The same notion of visible text as extract.ts: not script/style/noscript/template, and every
  // tag boundary except inline ones separates words.
  const skip = new Set(['script', 'style', 'noscript', 'template', 'title']);
  const inline = new Set([
    'a', 'abbr', 'b', 'bdi', 'bdo', 'cite', 'code', 'data', 'dfn', 'em', 'font', 'i', 'kbd', 'label', 'mark', 'q',
    's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'var', 'wbr',
  ]);
  let text = '';
  const separate = (): void => {
    if (text !== '' && !text.endsWith(' ')) text += ' ';
  };
  const walk = (node: any): void => {
    for (let child = node.firstChild; child !== null && text.length < textBudget; child = child.nextSibling) {
      if (child.nodeType === 3) {
        text += String(child.data).replace(/\s+/g, ' ');
      } else if (child.nodeType === 1) {
        const tag = String(child.localName);
        if (skip.has(tag)) continue;
        const isInline = inline.has(tag);
        if (!isInline) separate();
        walk(child);
        if (!isInline) separate();
      }
    }
  };
  if (doc.body) walk(doc.body);

  const resolve = (raw: string | null | undefined): string | null => {
    if (typeof raw !== 'string') return null;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return null;
    try {
      return new URL(trimmed, doc.baseURI).href.split('#')[0]!;
    } catch {
      return null;
    }
  };
  const firstCandidate = (srcset: string | null): string | null => {
    const match = srcset === null ? null : /^[\s,]*(\S+)/.exec(srcset);
    return match?.[1]?.replace(/,+$/, '') || null;
  };

  const links: string[] = [];
  const seenLinks = new Set<string>();
  for (const element of doc.querySelectorAll('a[href], area[href]')) {
    if (links.length >= maxItems) break;
    const href = resolve(element.getAttribute('href'));
    if (href !== null && !seenLinks.has(href)) {
      seenLinks.add(href);
      links.push(href);
    }
  }

  const media: string[] = [];
  const seenMedia = new Set<string>();
  const addMedia = (raw: string | null | undefined): void => {
    const href = resolve(raw);
    if (href !== null && media.length < maxItems && !seenMedia.has(href)) {
      seenMedia.add(href);
      media.push(href);
    }
  };
  for (const element of doc.querySelectorAll('img, video, audio, source')) {
    if (media.length >= maxItems) break;
    const tag = String(element.localName);
    if (tag === 'img') addMedia(element.currentSrc || element.getAttribute('src'));
    else addMedia(element.getAttribute('src'));
    if (tag === 'img' || tag === 'source') addMedia(firstCandidate(element.getAttribute('srcset')));
    if (tag === 'video') addMedia(element.getAttribute('poster'));
  }

  return {
    title: cap(doc.title, 4 * 1000) ?? '',
    description: attr('meta[name="description" i]', 'content'),
    ogDescription: attr('meta[property="og:description" i], meta[name="og:description" i]', 'content'),
    canonical: resolve(doc.querySelector('link[rel~="canonical" i][href]')?.getAttribute('href')),
    h1: cap(doc.querySelector('h1')?.textContent, 4 * 1000),
    text,
    links,
    media,
  };
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/** Normalised, stripped, de-duplicated, capped. */
function capSet(urls: Iterable<string | undefined>, max: number, into = new Set<string>()): string[] {
  for (const url of urls) {
    if (into.size >= max) break;
    if (url !== undefined) into.add(stripControlChars(url));
  }
  return [...into];
}

function toFacts(raw: RawFacts, blocked: ReadonlyMap<string, string>, maxLinks: number, excerptChars: number): PageFacts {
  const media = new Set<string>();
  capSet(raw.media.map((u) => tryNormalizeUrl(u)), maxLinks, media);
  const blockedMedia = [...blocked].filter(([, type]) => MEDIA_TYPES.has(type)).map(([u]) => tryNormalizeUrl(u));
  capSet(blockedMedia, maxLinks, media);
  const canonical = raw.canonical === null ? undefined : tryNormalizeUrl(raw.canonical);
  return {
    title: truncate(stripControlChars(raw.title), MAX_TITLE_CHARS),
    description: truncate(stripControlChars(raw.description ?? raw.ogDescription ?? ''), MAX_DESCRIPTION_CHARS),
    canonicalUrl: canonical === undefined ? undefined : stripControlChars(canonical),
    h1: truncate(stripControlChars(raw.h1 ?? ''), MAX_H1_CHARS),
    textExcerpt: truncate(stripControlChars(raw.text), excerptChars).trimEnd(),
    links: capSet(raw.links.map((u) => tryNormalizeUrl(u)), maxLinks),
    media: [...media],
  };
}

/** Cuts at `maxChars` without leaving half a surrogate pair behind. */
function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const code = text.charCodeAt(maxChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars);
}
