import {UserError} from '../errors.js';
import type {Backend} from './backend.js';
import {InvalidUrlError, normalizeUrl} from './crawl/normalize-url.js';
import {newCrawlId, priorityFor, type JobOrigin, type ScrapeMode} from './jobs.js';
import type {AddOutcome} from './queue/queues.js';

export interface AddPagesOptions {
  readonly mode: ScrapeMode;
  readonly origin: Exclude<JobOrigin, 'crawl'>;
  /** 0-999 inside the origin's band, lower first. */
  readonly priorityInBand?: number;
  readonly schedule?: string;
}

export interface AddCrawlOptions extends AddPagesOptions {
  readonly maxPages: number;
  readonly maxDepth: number;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly sameOrigin: boolean;
}

/** Normalises every URL first, so one bad URL refuses the whole call and nothing is half-added. */
export function normalizeAll(urls: readonly string[]): string[] {
  return urls.map((url) => {
    try {
      return normalizeUrl(url.trim());
    } catch (error) {
      if (error instanceof InvalidUrlError) throw new UserError(error.message);
      throw error;
    }
  });
}

export async function addPages(backend: Backend, urls: readonly string[], options: AddPagesOptions): Promise<AddOutcome> {
  const normalized = normalizeAll(urls);
  const priority = priorityFor(options.origin, options.priorityInBand);
  return backend.queues.addScrapeJobs(
    normalized.map((url) => ({
      data: {url, kind: 'page', mode: options.mode, origin: options.origin, priority, ...(options.schedule ? {schedule: options.schedule} : {})},
    })),
  );
}

export interface AddedCrawl {
  readonly crawlId: string;
  readonly url: string;
  readonly jobId: string;
}

/** Starts one crawl per URL; each page of it becomes its own job, shared by every node. */
export async function addCrawls(backend: Backend, urls: readonly string[], options: AddCrawlOptions): Promise<AddedCrawl[]> {
  const normalized = normalizeAll(urls);
  const priority = priorityFor(options.origin, options.priorityInBand);
  const crawls: AddedCrawl[] = [];
  for (const url of normalized) {
    const crawlId = newCrawlId();
    await backend.frontier.createCrawl(crawlId, url, options.maxPages);
    const outcome = await backend.queues.addScrapeJobs([
      {
        jobId: `c-${crawlId}-root`,
        data: {
          url,
          kind: 'crawl',
          mode: options.mode,
          origin: options.origin,
          priority,
          crawl: {
            crawlId,
            depth: 0,
            maxPages: options.maxPages,
            maxDepth: options.maxDepth,
            include: options.include,
            exclude: options.exclude,
            sameOrigin: options.sameOrigin,
            rootOrigin: new URL(url).origin,
          },
          ...(options.schedule ? {schedule: options.schedule} : {}),
        },
      },
    ]);
    crawls.push({crawlId, url, jobId: outcome.jobIds[0]!});
  }
  return crawls;
}
