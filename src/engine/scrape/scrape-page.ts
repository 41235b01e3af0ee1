import type {FileTask} from '../files/file-tasks.js';
import {crawlPageJobId, createCrawlFilter, resultRelPath, shortHash, type ScrapeJobData} from '../jobs.js';
import type {CrawlFrontier} from '../crawl/frontier.js';
import type {RobotsCache} from '../crawl/robots.js';
import type {CrawlerQueues, NewScrapeJob} from '../queue/queues.js';
import {extractFromHtml, stripControlChars} from './extract.js';
import {httpFetch} from './http-fetch.js';
import {browserFetch, type BrowserFetchOptions} from '../browser/browser-fetch.js';
import type {BrowserPool} from '../browser/browser-pool.js';
import type {Extractor, ExtractorContext} from './extractor.js';
import {PermanentScrapeError} from './scrape-errors.js';

/** What one scraped page leaves in `<data dir>/results/`. */
export interface PageResult {
  readonly url: string;
  readonly finalUrl: string;
  readonly status: number;
  readonly mode: 'browser' | 'http';
  readonly contentType: string;
  readonly title: string;
  readonly description: string;
  readonly canonicalUrl: string | undefined;
  readonly h1: string;
  readonly textExcerpt: string;
  readonly links: readonly string[];
  readonly media: readonly string[];
  /** A JSON response, parsed (API endpoints). */
  readonly json?: unknown;
  /** What a custom extractor returned. */
  readonly data?: unknown;
  readonly jobId: string;
  readonly origin: ScrapeJobData['origin'];
  readonly crawlId?: string;
  readonly depth?: number;
  readonly timings: {readonly startedAtMs: number; readonly ttfbMs: number; readonly totalMs: number};
  readonly scrapedAtMs: number;
}

/** What the scrape job returns to BullMQ (kept small: it is stored with the completed job). */
export interface ScrapeJobOutcome {
  readonly status: number;
  readonly finalUrl: string;
  readonly links: number;
  readonly childrenAdded: number;
  readonly totalMs: number;
}

export interface ScrapeDependencies {
  readonly dataDir: string;
  readonly queues: CrawlerQueues;
  readonly frontier: CrawlFrontier;
  readonly robots: RobotsCache;
  readonly fetch: {
    readonly connectTimeoutMs: number;
    readonly maxRedirects: number;
    readonly maxBodyBytes: number;
    readonly userAgent: string;
  };
  readonly respectRobots: boolean;
  readonly downloadMedia: boolean;
  readonly nonHtml: 'save' | 'skip';
  readonly maxMediaBytes: number;
  readonly fileTimeoutMs: number;
  /** Absent when this node has no browser (none found, or `browser.browsers` 0). */
  readonly browser?: {
    readonly pool: BrowserPool;
    readonly fetchOptions: Omit<BrowserFetchOptions, 'timeoutMs' | 'signal'>;
  };
  /** Why there is no browser, for the failure message of a browser-mode job. */
  readonly browserProblem?: string;
  readonly extractor?: Extractor;
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

function isJsonType(contentType: string): boolean {
  return contentType === 'application/json' || contentType.endsWith('+json');
}

/** A page fetched in either mode, before the shared part (file tasks, crawl children) runs. */
interface FetchedPage {
  readonly result: PageResult;
  readonly fileTasks: Array<{task: FileTask; jobId?: string}>;
}

/**
 * The scrape processor: fetch (plain HTTP, or a page of the browser pool), extract, run the
 * custom extractor, hand the file work (result JSON, media) to the file queue, and for crawls
 * claim and enqueue the page's new links. Throws the scrape errors of scrape-errors.ts; the
 * worker turns them into retries or permanent failures.
 *
 * `timeoutMs` bounds the work itself; in browser mode the wait for a free page comes first and
 * does not count against it (`startTimer` is called once a page is ours).
 */
export async function scrapePage(
  jobId: string,
  job: ScrapeJobData,
  deps: ScrapeDependencies,
  signal: AbortSignal,
  timeoutMs: number,
  startTimer: () => void = () => undefined,
): Promise<ScrapeJobOutcome> {
  if (job.kind === 'crawl' && deps.respectRobots && !(await deps.robots.isAllowed(job.url))) {
    throw new PermanentScrapeError(`disallowed by robots.txt: ${job.url}`);
  }
  const fetched =
    job.mode === 'browser'
      ? await fetchInBrowser(jobId, job, deps, signal, timeoutMs, startTimer)
      : (startTimer(), await fetchOverHttp(jobId, job, deps, signal, timeoutMs));
  const {result, fileTasks} = fetched;

  let childrenAdded = 0;
  if (job.crawl && job.crawl.depth < job.crawl.maxDepth && result.links.length > 0) {
    childrenAdded = await enqueueCrawlChildren(jobId, job, result.links, deps);
  }

  fileTasks.unshift({task: {kind: 'write-json', dataDir: deps.dataDir, relPath: resultRelPath(jobId, job.crawl?.crawlId), value: result}});
  await deps.queues.addFileTasks(fileTasks);
  return {status: result.status, finalUrl: result.finalUrl, links: result.links.length, childrenAdded, totalMs: result.timings.totalMs};
}

function resultBase(jobId: string, job: ScrapeJobData, mode: 'http' | 'browser', fetched: {finalUrl: string; status: number; contentType: string; timings: PageResult['timings']}) {
  return {
    url: job.url,
    finalUrl: fetched.finalUrl,
    status: fetched.status,
    mode,
    contentType: fetched.contentType,
    jobId,
    origin: job.origin,
    ...(job.crawl ? {crawlId: job.crawl.crawlId, depth: job.crawl.depth} : {}),
    timings: fetched.timings,
    scrapedAtMs: Date.now(),
  };
}

function mediaTasks(urls: readonly string[], deps: ScrapeDependencies): Array<{task: FileTask; jobId?: string}> {
  if (!deps.downloadMedia) return [];
  // One download per media URL while its job is remembered; storage is content-addressed anyway.
  return urls.map((url) => ({
    task: {kind: 'download', dataDir: deps.dataDir, url, maxBytes: deps.maxMediaBytes, timeoutMs: deps.fileTimeoutMs, userAgent: deps.fetch.userAgent, purpose: 'media'},
    jobId: `m-${shortHash(url)}`,
  }));
}

async function fetchInBrowser(
  jobId: string,
  job: ScrapeJobData,
  deps: ScrapeDependencies,
  signal: AbortSignal,
  timeoutMs: number,
  startTimer: () => void,
): Promise<FetchedPage> {
  const browser = deps.browser;
  if (!browser) throw new PermanentScrapeError(browserUnavailableMessage(deps));
  const lease = await browser.pool.acquire(signal);
  startTimer();
  let isReusable = false;
  try {
    const fetched = await browserFetch(lease, job.url, {...browser.fetchOptions, timeoutMs, signal});
    // The browser asks for /favicon.ico by itself; it is media of the page only if the page says so.
    const requested = fetched.blockedMedia.filter((url) => !url.endsWith('/favicon.ico') || fetched.facts.media.includes(url));
    const media = [...new Set([...fetched.facts.media, ...requested])];
    let result: PageResult = {...resultBase(jobId, job, 'browser', fetched), ...fetched.facts, media};
    if (deps.extractor) {
      const data = await runExtractor(deps.extractor, {page: lease.page, url: fetched.finalUrl, job}, signal);
      result = {...result, data};
    }
    isReusable = true;
    return {result, fileTasks: mediaTasks(media, deps)};
  } catch (error) {
    // A page whose job failed may be stuck in a script or half-navigated: never reuse it.
    if (!(error instanceof PermanentScrapeError)) lease.invalidate();
    throw error;
  } finally {
    await lease.release({isReusable});
  }
}

function browserUnavailableMessage(deps: ScrapeDependencies): string {
  return `browser mode is not available on this node: ${deps.browserProblem ?? 'no browser pool'}; add the job with --mode http, or install Chromium`;
}

async function fetchOverHttp(jobId: string, job: ScrapeJobData, deps: ScrapeDependencies, signal: AbortSignal, timeoutMs: number): Promise<FetchedPage> {
  const fetched = await httpFetch(job.url, {
    ...deps.fetch,
    totalTimeoutMs: timeoutMs,
    signal,
    readBodyFor: (type) => HTML_TYPES.has(type) || isJsonType(type) || type.startsWith('text/'),
  });
  const base = resultBase(jobId, job, 'http', fetched);
  const fileTasks: Array<{task: FileTask; jobId?: string}> = [];
  let result: PageResult;

  if (HTML_TYPES.has(fetched.contentType) && fetched.body) {
    const html = decodeBody(fetched.body, fetched.charset);
    const facts = extractFromHtml(html, fetched.finalUrl);
    result = {...base, ...facts};
    fileTasks.push(...mediaTasks(facts.media, deps));
    if (deps.extractor) result = {...result, data: await runExtractor(deps.extractor, {html, url: fetched.finalUrl, job}, signal)};
  } else {
    result = {...base, title: '', description: '', canonicalUrl: undefined, h1: '', textExcerpt: '', links: [], media: []};
    if (isJsonType(fetched.contentType) && fetched.body) {
      try {
        result = {...result, json: JSON.parse(fetched.body.toString('utf8'))};
      } catch (error) {
        throw new PermanentScrapeError(`response is not valid JSON: ${(error as Error).message}`);
      }
    } else if (fetched.contentType.startsWith('text/') && fetched.body) {
      result = {...result, textExcerpt: stripControlChars(fetched.body.toString('utf8').slice(0, 2000)).slice(0, 500)};
    } else if (deps.nonHtml === 'save') {
      fileTasks.push({
        task: {kind: 'download', dataDir: deps.dataDir, url: fetched.finalUrl, maxBytes: deps.maxMediaBytes, timeoutMs: deps.fileTimeoutMs, userAgent: deps.fetch.userAgent, purpose: 'body'},
        jobId: `b-${shortHash(fetched.finalUrl)}`,
      });
    }
  }
  return {result, fileTasks};
}

/**
 * Runs the user's extractor. A throw fails the job with its message (not retried: an
 * extractor that throws on a page will throw again); a value that JSON cannot carry is refused
 * with a clear message rather than stored half.
 */
async function runExtractor(extractor: Extractor, context: ExtractorContext, signal: AbortSignal): Promise<unknown> {
  let value: unknown;
  try {
    value = await Promise.race([
      extractor(context),
      new Promise((_resolve, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), {once: true});
      }),
    ]);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new PermanentScrapeError(`extractor failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new PermanentScrapeError(`extractor returned a value that is not JSON-serialisable: ${(error as Error).message}`);
  }
  if (json === undefined && value !== undefined) {
    throw new PermanentScrapeError(`extractor returned a value that is not JSON-serialisable: a ${typeof value}`);
  }
  return json === undefined ? undefined : JSON.parse(json);
}

async function enqueueCrawlChildren(jobId: string, job: ScrapeJobData, links: readonly string[], deps: ScrapeDependencies): Promise<number> {
  const crawl = job.crawl!;
  const belongs = createCrawlFilter(crawl);
  let candidates = links.filter(belongs);
  if (deps.respectRobots) {
    // Disallowed links never become jobs: they would only take page budget to fail.
    const allowed = await Promise.all(candidates.map((url) => deps.robots.isAllowed(url)));
    candidates = candidates.filter((_url, index) => allowed[index]);
  }
  const claimed = await deps.frontier.claim(crawl.crawlId, jobId, crawl.maxPages, candidates);
  const children: NewScrapeJob[] = claimed.map((url) => ({
    jobId: crawlPageJobId(crawl.crawlId, url),
    data: {url, kind: 'crawl', mode: job.mode, origin: 'crawl', priority: job.priority, crawl: {...crawl, depth: crawl.depth + 1}},
  }));
  const outcome = await deps.queues.addScrapeJobs(children);
  return outcome.added;
}

function decodeBody(body: Buffer, charset: string | undefined): string {
  if (!charset || /^utf-?8$/i.test(charset)) return body.toString('utf8');
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return body.toString('utf8');
  }
}
