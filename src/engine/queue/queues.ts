import {Queue, type Job, type JobsOptions} from 'bullmq';
import type {FailedJobSummary, QueueCounts, QueueName, QueueSummary} from '../contract.js';
import type {FileTask} from '../files/file-tasks.js';
import type {ScrapeJobData} from '../jobs.js';
import {pageDedupId} from '../jobs.js';
import {failureSignature} from '../failure-signature.js';
import type {RedisClient} from './connection.js';

export const QUEUE_NAMES: readonly QueueName[] = ['scrape', 'file'];

export interface QueueSettings {
  readonly attempts: number;
  readonly backoffMs: number;
}

/** A job to add to the scrape queue, with the id it gets when it is new. */
export interface NewScrapeJob {
  readonly data: ScrapeJobData;
  /** Deterministic ids (crawl pages) make re-adding the same page a no-op. */
  readonly jobId?: string;
}

export interface AddOutcome {
  readonly added: number;
  /** Jobs not added because the same page is already waiting, delayed or active. */
  readonly duplicates: number;
  readonly jobIds: readonly string[];
}

function newJobId(): string {
  // Custom ids let us tell a new job from a deduplicated one (BullMQ returns the existing id).
  // They must not look like integers nor contain ':'.
  return `j${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** The two BullMQ queues of DESIGN.md, and the few operations the CLI and the engine need. */
export class CrawlerQueues {
  readonly scrape: Queue;
  readonly file: Queue;
  readonly #settings: QueueSettings;

  constructor(connection: RedisClient, prefix: string, settings: QueueSettings) {
    this.#settings = settings;
    this.scrape = new Queue('scrape', {connection, prefix});
    this.file = new Queue('file', {connection, prefix});
  }

  byName(name: QueueName): Queue {
    return name === 'scrape' ? this.scrape : this.file;
  }

  scrapeJobOptions(data: ScrapeJobData, jobId: string): JobsOptions {
    return {
      jobId,
      priority: data.priority,
      attempts: this.#settings.attempts,
      // The strategy itself is the worker's (exponential with jitter, or Retry-After).
      backoff: {type: 'scrape', delay: this.#settings.backoffMs},
      removeOnComplete: {age: 24 * 3600, count: 20_000},
      removeOnFail: false,
      // Crawl pages are deduplicated by the crawl's claims and their deterministic ids.
      ...(data.kind === 'page' ? {deduplication: {id: pageDedupId(data.url, data.mode)}} : {}),
    };
  }

  /** Adds scrape jobs in one round trip (BullMQ addBulk). */
  async addScrapeJobs(jobs: readonly NewScrapeJob[]): Promise<AddOutcome> {
    if (jobs.length === 0) return {added: 0, duplicates: 0, jobIds: []};
    const requested = jobs.map((job) => ({id: job.jobId ?? newJobId(), data: job.data}));
    const added = await this.scrape.addBulk(
      requested.map((job) => ({name: job.data.kind, data: job.data, opts: this.scrapeJobOptions(job.data, job.id)})),
    );
    let duplicates = 0;
    added.forEach((job, index) => {
      if (job.id !== requested[index]!.id) duplicates++;
    });
    return {added: added.length - duplicates, duplicates, jobIds: added.map((job) => String(job.id))};
  }

  async addFileTasks(tasks: ReadonlyArray<{task: FileTask; jobId?: string}>): Promise<void> {
    if (tasks.length === 0) return;
    await this.file.addBulk(
      tasks.map(({task, jobId}) => ({
        name: task.kind,
        data: task,
        opts: {
          ...(jobId ? {jobId} : {}),
          attempts: 3,
          backoff: {type: 'exponential', delay: 1000},
          removeOnComplete: {age: 3600, count: 10_000},
          removeOnFail: false,
        },
      })),
    );
  }

  async summaries(): Promise<QueueSummary[]> {
    return Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const queue = this.byName(name);
        const [counts, isPaused] = await Promise.all([
          queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
          queue.isPaused(),
        ]);
        return {name, counts: countsOf(counts), isPaused};
      }),
    );
  }

  /** Jobs still to do (waiting, prioritized, delayed, active) across both queues. */
  async pendingCount(): Promise<number> {
    let total = 0;
    for (const name of QUEUE_NAMES) {
      const counts = await this.byName(name).getJobCounts('waiting', 'prioritized', 'active', 'delayed');
      total += Object.values(counts).reduce((sum, n) => sum + n, 0);
    }
    return total;
  }

  async failedJobs(limit: number): Promise<FailedJobSummary[]> {
    const lists = await Promise.all(
      QUEUE_NAMES.map(async (name) => (await this.byName(name).getFailed(0, limit - 1)).map((job) => summarizeFailed(name, job as Job))),
    );
    return lists
      .flat()
      .sort((a, b) => (b.failedAtMs ?? 0) - (a.failedAtMs ?? 0))
      .slice(0, limit);
  }

  /** Finds a job by id in either queue (ids are unique across them in practice). */
  async findJob(jobId: string): Promise<{queue: QueueName; job: Job} | undefined> {
    for (const name of QUEUE_NAMES) {
      const job = (await this.byName(name).getJob(jobId)) as Job | undefined;
      if (job) return {queue: name, job};
    }
    return undefined;
  }

  async retryAllFailed(): Promise<number> {
    let total = 0;
    for (const name of QUEUE_NAMES) {
      const queue = this.byName(name);
      total += await queue.getFailedCount();
      // retryJobs moves failed jobs back to wait in batches, atomically per batch.
      await queue.retryJobs({state: 'failed', count: 1000});
    }
    return total;
  }

  async pause(names: readonly QueueName[]): Promise<void> {
    await Promise.all(names.map((name) => this.byName(name).pause()));
  }

  async resume(names: readonly QueueName[]): Promise<void> {
    await Promise.all(names.map((name) => this.byName(name).resume()));
  }

  async close(): Promise<void> {
    await Promise.all([this.scrape.close(), this.file.close()]);
  }
}

function countsOf(raw: Record<string, number>): QueueCounts {
  return {
    waiting: raw['waiting'] ?? 0,
    prioritized: raw['prioritized'] ?? 0,
    active: raw['active'] ?? 0,
    delayed: raw['delayed'] ?? 0,
    completed: raw['completed'] ?? 0,
    failed: raw['failed'] ?? 0,
  };
}

export function summarizeFailed(queue: QueueName, job: Job): FailedJobSummary {
  const data = job.data as Record<string, unknown> | undefined;
  const error = job.failedReason ?? 'unknown error';
  // Result files and file tasks can be large; the detail view needs the job's own fields only.
  const shownData = queue === 'file' && data ? {kind: data['kind'], url: data['url'], relPath: data['relPath']} : data;
  return {
    queue,
    id: String(job.id),
    url: typeof data?.['url'] === 'string' ? data['url'] : undefined,
    error,
    attemptsMade: job.attemptsMade,
    failedAtMs: job.finishedOn,
    signature: failureSignature(error),
    ...(job.opts.attempts !== undefined ? {attemptsMax: job.opts.attempts} : {}),
    ...(job.stacktrace?.length ? {stack: job.stacktrace[job.stacktrace.length - 1]} : {}),
    ...(shownData ? {data: shownData} : {}),
    createdAtMs: job.timestamp,
    ...(job.processedOn !== undefined ? {processedAtMs: job.processedOn} : {}),
  };
}

/** Pages through failed jobs of both queues, newest first, optionally filtered. */
export async function failedJobsPage(
  queues: CrawlerQueues,
  query: {offset: number; limit: number; text?: string; signature?: string},
  scanLimit = 10_000,
): Promise<{jobs: FailedJobSummary[]; total: number}> {
  const text = query.text?.toLowerCase();
  const matches = (job: FailedJobSummary) =>
    (!query.signature || job.signature === query.signature) &&
    (!text || job.error.toLowerCase().includes(text) || (job.url ?? '').toLowerCase().includes(text));
  if (!text && !query.signature) {
    // Unfiltered: page each queue's failed set directly, never loading it whole.
    const all = await queues.failedJobs(query.offset + query.limit);
    const counts = await Promise.all(QUEUE_NAMES.map((name) => queues.byName(name).getFailedCount()));
    return {jobs: all.slice(query.offset, query.offset + query.limit), total: counts.reduce((sum, n) => sum + n, 0)};
  }
  // Filtered: scan in chunks up to scanLimit jobs (the dead-letter view of a sick crawl can be
  // large; the filter shows what it found within the scan).
  const found: FailedJobSummary[] = [];
  for (const name of QUEUE_NAMES) {
    for (let start = 0; start < scanLimit; start += 500) {
      const chunk = (await queues.byName(name).getFailed(start, start + 499)) as Job[];
      for (const job of chunk) {
        const summary = summarizeFailed(name, job);
        if (matches(summary)) found.push(summary);
      }
      if (chunk.length < 500) break;
    }
  }
  found.sort((a, b) => (b.failedAtMs ?? 0) - (a.failedAtMs ?? 0));
  return {jobs: found.slice(query.offset, query.offset + query.limit), total: found.length};
}
