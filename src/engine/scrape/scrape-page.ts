import type {FileTask} from '../files/file-tasks.js';
import {crawlPageJobId, createCrawlFilter, resultRelPath, shortHash, type ScrapeJobData} from '../jobs.js';
import type {CrawlFrontier} from '../crawl/frontier.js';
import type {RobotsCache} from '../crawl/robots.js';
import type {CrawlerQueues, NewScrapeJob} from '../queue/queues.js';
import {extractFromHtml, stripControlChars} from './extract.js';
import {httpFetch} from './http-fetch.js';
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
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

function isJsonType(contentType: string): boolean {
  return contentType === 'application/json' || contentType.endsWith('+json');
}

/**
 * The scrape processor for HTTP mode: fetch, extract, hand the file work (result JSON, media)
 * to the file queue, and for crawls claim and enqueue the page's new links. Throws the scrape
 * errors of scrape-errors.ts; the worker turns them into retries or permanent failures.
 */
export async function scrapePageOverHttp(
  jobId: string,
  job: ScrapeJobData,
  deps: ScrapeDependencies,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<ScrapeJobOutcome> {
  if (job.kind === 'crawl' && deps.respectRobots && !(await deps.robots.isAllowed(job.url))) {
    throw new PermanentScrapeError(`disallowed by robots.txt: ${job.url}`);
  }
  const fetched = await httpFetch(job.url, {
    ...deps.fetch,
    totalTimeoutMs: timeoutMs,
    signal,
    readBodyFor: (type) => HTML_TYPES.has(type) || isJsonType(type) || type.startsWith('text/'),
  });
  const base = {
    url: job.url,
    finalUrl: fetched.finalUrl,
    status: fetched.status,
    mode: 'http' as const,
    contentType: fetched.contentType,
    jobId,
    origin: job.origin,
    ...(job.crawl ? {crawlId: job.crawl.crawlId, depth: job.crawl.depth} : {}),
    timings: fetched.timings,
    scrapedAtMs: Date.now(),
  };
  const fileTasks: Array<{task: FileTask; jobId?: string}> = [];
  let result: PageResult;

  if (HTML_TYPES.has(fetched.contentType) && fetched.body) {
    const facts = extractFromHtml(decodeBody(fetched.body, fetched.charset), fetched.finalUrl);
    result = {...base, ...facts};
    if (deps.downloadMedia) {
      for (const url of facts.media) {
        // One download per media URL while its job is remembered; storage is content-addressed anyway.
        fileTasks.push({
          task: {kind: 'download', dataDir: deps.dataDir, url, maxBytes: deps.maxMediaBytes, timeoutMs: deps.fileTimeoutMs, userAgent: deps.fetch.userAgent, purpose: 'media'},
          jobId: `m-${shortHash(url)}`,
        });
      }
    }
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

  let childrenAdded = 0;
  if (job.crawl && job.crawl.depth < job.crawl.maxDepth && result.links.length > 0) {
    childrenAdded = await enqueueCrawlChildren(jobId, job, result.links, deps);
  }

  fileTasks.unshift({task: {kind: 'write-json', dataDir: deps.dataDir, relPath: resultRelPath(jobId, job.crawl?.crawlId), value: result}});
  await deps.queues.addFileTasks(fileTasks);
  return {status: result.status, finalUrl: result.finalUrl, links: result.links.length, childrenAdded, totalMs: result.timings.totalMs};
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
