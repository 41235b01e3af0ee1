import {createHash} from 'node:crypto';
import picomatch from 'picomatch';
import {normalizeUrl, InvalidUrlError} from './crawl/normalize-url.js';

/** Where a scrape job came from; decides its priority band. */
export type JobOrigin = 'manual' | 'schedule' | 'bulk' | 'crawl';
export type ScrapeMode = 'browser' | 'http';

/** The limits and filters of one crawl, copied into every page job of it. */
export interface CrawlSpec {
  readonly crawlId: string;
  readonly depth: number;
  readonly maxPages: number;
  readonly maxDepth: number;
  /** Globs on the URL path (`/blog/**`); empty = everything. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly sameOrigin: boolean;
  /** The origin of the start URL (`https://example.com`). */
  readonly rootOrigin: string;
}

/** The data of a job on the `scrape` queue: plain JSON, validated at the edge. */
export interface ScrapeJobData {
  /** The normalised URL (the dedup key). */
  readonly url: string;
  readonly kind: 'page' | 'crawl';
  readonly mode: ScrapeMode;
  readonly origin: JobOrigin;
  /** The BullMQ priority (lower runs first), inherited by crawl children. */
  readonly priority: number;
  readonly crawl?: CrawlSpec;
  readonly schedule?: string;
}

/**
 * Priority bands (BullMQ: lower runs first): manual before schedule before bulk. `--priority N`
 * (0-999, lower first) orders jobs inside their band; crawl children inherit their root's value.
 */
const BAND_BASE: Record<Exclude<JobOrigin, 'crawl'>, number> = {manual: 1_000, schedule: 2_000, bulk: 3_000};
export const DEFAULT_PRIORITY_IN_BAND = 500;

export function priorityFor(origin: Exclude<JobOrigin, 'crawl'>, inBand = DEFAULT_PRIORITY_IN_BAND): number {
  return BAND_BASE[origin] + inBand;
}

export function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 20);
}

/** While a job for the same page is waiting, delayed or active, adding it again is a no-op. */
export function pageDedupId(url: string, mode: ScrapeMode): string {
  return `page-${mode}-${shortHash(url)}`;
}

/** Crawl pages get deterministic ids, so a parent re-run after a crash re-adds the same jobs. */
export function crawlPageJobId(crawlId: string, url: string): string {
  return `c-${crawlId}-${shortHash(url)}`;
}

/** Results live at a path derived from the crawl and the job id: a re-run overwrites. */
export function resultRelPath(jobId: string, crawlId: string | undefined): string {
  const safeId = jobId.replace(/[^A-Za-z0-9_-]/g, '_');
  return crawlId ? `results/${crawlId}/${safeId}.json` : `results/pages/${safeId}.json`;
}

export function newCrawlId(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Whether a link found on a crawl page belongs to the crawl (origin, include/exclude globs). */
export function createCrawlFilter(spec: Pick<CrawlSpec, 'include' | 'exclude' | 'sameOrigin' | 'rootOrigin'>): (url: string) => boolean {
  const isIncluded = spec.include.length > 0 ? picomatch([...spec.include], {dot: true}) : () => true;
  const isExcluded = spec.exclude.length > 0 ? picomatch([...spec.exclude], {dot: true}) : () => false;
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (spec.sameOrigin && parsed.origin !== spec.rootOrigin) return false;
    const path = parsed.pathname;
    return isIncluded(path) && !isExcluded(path);
  };
}

export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Checks a job payload read from Redis. Anything can write to Redis (another client, an old
 * version): a payload of the wrong shape fails its job permanently with this message, and
 * nothing else in the queue is disturbed.
 */
export function parseScrapeJobData(raw: unknown): ScrapeJobData {
  if (!isRecord(raw)) throw new InvalidJobError('job data is not an object');
  const {url, kind, mode, origin, priority, crawl, schedule} = raw;
  if (typeof url !== 'string') throw new InvalidJobError('job data has no url string');
  let normalized: string;
  try {
    normalized = normalizeUrl(url);
  } catch (error) {
    throw new InvalidJobError(error instanceof InvalidUrlError ? error.message : `invalid URL "${url}"`);
  }
  if (kind !== 'page' && kind !== 'crawl') throw new InvalidJobError(`job kind "${String(kind)}" is not page or crawl`);
  if (mode !== 'browser' && mode !== 'http') throw new InvalidJobError(`job mode "${String(mode)}" is not browser or http`);
  if (origin !== 'manual' && origin !== 'bulk' && origin !== 'schedule' && origin !== 'crawl') {
    throw new InvalidJobError(`job origin "${String(origin)}" is not manual, schedule, bulk or crawl`);
  }
  const safePriority = typeof priority === 'number' && Number.isInteger(priority) && priority >= 0 ? priority : priorityFor('manual');
  let crawlSpec: CrawlSpec | undefined;
  if (kind === 'crawl') {
    if (!isRecord(crawl)) throw new InvalidJobError('crawl job has no crawl settings');
    const {crawlId, depth, maxPages, maxDepth, include, exclude, sameOrigin, rootOrigin} = crawl;
    if (typeof crawlId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(crawlId)) throw new InvalidJobError('crawl job has a bad crawlId');
    for (const [name, value] of Object.entries({depth, maxPages, maxDepth})) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new InvalidJobError(`crawl job has a bad ${name}: ${JSON.stringify(value)}`);
      }
    }
    if (!isStringArray(include) || !isStringArray(exclude)) throw new InvalidJobError('crawl job include/exclude must be string lists');
    if (typeof sameOrigin !== 'boolean' || typeof rootOrigin !== 'string') throw new InvalidJobError('crawl job has a bad sameOrigin/rootOrigin');
    crawlSpec = {
      crawlId,
      depth: depth as number,
      maxPages: maxPages as number,
      maxDepth: maxDepth as number,
      include,
      exclude,
      sameOrigin,
      rootOrigin,
    };
  }
  return {
    url: normalized,
    kind,
    mode,
    origin,
    priority: safePriority,
    ...(crawlSpec ? {crawl: crawlSpec} : {}),
    ...(typeof schedule === 'string' ? {schedule} : {}),
  };
}
