/**
 * The contract between the engine and everything that shows it (the dashboard, headless logs,
 * `status`). Types only: `src/ui` imports this file and nothing else from the engine.
 */

export type QueueName = 'scrape' | 'file';

export interface QueueCounts {
  readonly waiting: number;
  readonly prioritized: number;
  readonly active: number;
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
}

export interface QueueSummary {
  readonly name: QueueName;
  readonly counts: QueueCounts;
  readonly isPaused: boolean;
  /**
   * Jobs of this queue completed per sampling interval (1 s in the local engine), oldest first,
   * bounded (at most 600 points). The dashboard sums the last minute for its `/min` column and
   * draws the trend from it. Optional: when it is absent for `scrape`, the dashboard uses
   * {@link EngineSnapshot.throughput}; for other queues it shows no rate.
   */
  readonly completedSeries?: readonly SeriesPoint[];
}

/** Which pool an operator or the autoscaler sizes (the CLI's `scale browsers|files`). */
export type PoolName = 'browsers' | 'files';

/** The size range the autoscaler keeps a pool in. */
export interface PoolLimits {
  readonly min: number;
  readonly max: number;
}

/** One size change of a pool, by the autoscaler or by an operator, with its reason. */
export interface ScaleDecisionSummary {
  readonly atMs: number;
  readonly from: number;
  readonly to: number;
  /** A sentence with the numbers behind it, e.g. `cpu 86% >= 80% for 10s: browsers 4 -> 3`. */
  readonly reason: string;
  readonly by: 'autoscaler' | 'operator';
}

/**
 * The browser pool of this node (Puppeteer + Chromium). Absent from the snapshot when the node has
 * none (no Chromium, `browser.browsers` 0, or attach mode).
 */
export interface BrowserPoolSummary {
  /** Browsers running (launched and not retired). */
  readonly size: number;
  /** Browsers the pool is heading for (the autoscaler's or the operator's number). */
  readonly targetSize: number;
  /** Pages leased right now. */
  readonly busy: number;
  /** Pages the pool can serve at once: browsers × pages per browser. */
  readonly capacity: number;
  /** Scrape jobs waiting for a page of the pool. */
  readonly waiting: number;
  /** `true` while the autoscaler sizes the pool; `false` when an operator pinned it. */
  readonly isAuto: boolean;
  /** The autoscaler's range; absent when no autoscaler runs. */
  readonly limits?: PoolLimits;
  /** Browsers launched to replace a crashed one. */
  readonly restarts: number;
  /** Browsers that crashed or disconnected. */
  readonly crashes: number;
  /** Resident memory of all browsers' process trees at the last check. */
  readonly rssBytes?: number;
  /** The newest size change (autoscaler or operator). */
  readonly lastDecision?: ScaleDecisionSummary;
  /** Why the autoscaler does not grow the pool now (`cpu 86% >= 80%`), absent when nothing holds it. */
  readonly growthBlocker?: string;
}

export interface FilePoolSummary {
  readonly size: number;
  readonly targetSize: number;
  readonly busy: number;
  readonly queued: number;
  readonly completed: number;
  readonly failed: number;
  readonly restarts: number;
  /**
   * `true` while the autoscaler sizes the pool, `false` when an operator pinned it. Optional until
   * the autoscaler runs in the engine; the dashboard shows "pinned" when absent.
   */
  readonly isAuto?: boolean;
  /** The autoscaler's range; absent when no autoscaler runs. */
  readonly limits?: PoolLimits;
  /** The newest size change (autoscaler or operator). */
  readonly lastDecision?: ScaleDecisionSummary;
  /** Why the autoscaler does not grow the pool now, absent when nothing holds it. */
  readonly growthBlocker?: string;
}

export interface ScrapeWorkerSummary {
  readonly concurrency: number;
  readonly active: number;
  readonly completed: number;
  readonly failed: number;
}

/** One point of a time series, oldest first in the arrays that hold them. */
export interface SeriesPoint {
  readonly atMs: number;
  readonly value: number;
}

/**
 * Resource trends of this node, sampled by the resource monitor (oldest first, bounded: at most
 * 600 points; the dashboard draws the newest that fit).
 */
export interface ResourceSeries {
  /** Busy share of all cores, 0-1. */
  readonly cpuRatio: readonly SeriesPoint[];
  /** Share of system memory in use, 0-1. */
  readonly memoryUsedRatio: readonly SeriesPoint[];
  /** This process and all its descendants, Chromium included. */
  readonly nodeRssBytes: readonly SeriesPoint[];
  /** Event-loop delay p99 of this process per interval. */
  readonly loopDelayP99Ms: readonly SeriesPoint[];
}

/** The marks the autoscaler acts on; the dashboard draws each on its trend. */
export interface ResourceThresholds {
  /** No browser is launched at or above it (`AutoscalerConfig.cpuHighRatio`). @default 0.8 */
  readonly cpuHighRatio: number;
  /** The browser pool shrinks at or above it (`AutoscalerConfig.memoryHighRatio`). @default 0.9 */
  readonly memoryHighRatio: number;
  /** No browser is launched at or above it (`AutoscalerConfig.loopDelayHighMs`). @default 200 */
  readonly loopDelayHighMs: number;
  /** A budget for the node's process tree, when one is configured. */
  readonly nodeRssBytes?: number;
}

export interface ResourcesSummary {
  readonly series: ResourceSeries;
  readonly thresholds: ResourceThresholds;
  /** System memory, to put `memoryUsedRatio` in bytes. */
  readonly memoryTotalBytes?: number;
}

/** One node of the fleet, from its heartbeat. */
export interface NodeSummary {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly version: string;
  readonly phase: string;
  readonly startedAtMs: number;
  /** When its newest heartbeat was written. */
  readonly lastSeenAtMs: number;
  /** This process. */
  readonly isSelf: boolean;
}

export interface FailedJobSummary {
  readonly queue: QueueName;
  readonly id: string;
  readonly url: string | undefined;
  readonly error: string;
  readonly attemptsMade: number;
  readonly failedAtMs: number | undefined;
  /**
   * The key of the job's error group: the error with its variable parts (numbers, URLs, ids)
   * replaced. Optional: the dashboard derives one from `error` when it is absent.
   */
  readonly signature?: string;
  /** Attempts the job was allowed (`scrape.attempts`). */
  readonly attemptsMax?: number;
  /** The error's stack (the first lines are enough). */
  readonly stack?: string;
  /** The page title, when the page loaded before the job failed. */
  readonly title?: string;
  /** The job's data (plain JSON, e.g. `ScrapeJobData`). */
  readonly data?: Readonly<Record<string, unknown>>;
  readonly createdAtMs?: number;
  /** When the last attempt started. */
  readonly processedAtMs?: number;
}

/** Failed jobs that share an error signature. */
export interface FailedGroupSummary {
  readonly signature: string;
  /** The error of the newest job of the group, as it was thrown. */
  readonly sampleError: string;
  /** Jobs of the group in the failed sets. */
  readonly count: number;
  readonly queues: readonly QueueName[];
  readonly newestFailedAtMs: number | undefined;
}

/** One page of the failed sets, newest first (see {@link OperatorCommands.getFailedJobsPage}). */
export interface FailedJobsQuery {
  readonly offset: number;
  readonly limit: number;
  /** Only jobs whose URL or error contains this text (case-insensitive). */
  readonly text?: string;
  /** Only jobs of this error group. */
  readonly signature?: string;
}

export interface FailedJobsPage {
  readonly jobs: readonly FailedJobSummary[];
  /** Jobs matching the query in all (the page is `jobs`). */
  readonly total: number;
}

/** What the dashboard's `a` prompt (and later other callers) may enqueue. */
export interface AddJobsRequest {
  /** Absolute http(s) URLs; one bad URL refuses the whole request. */
  readonly urls: readonly string[];
  /** @default the `scrape.mode` setting */
  readonly mode?: 'browser' | 'http';
  /** Present: start one crawl per URL; absent: add single pages. */
  readonly crawl?: {
    /** @default the `crawl.maxPages` setting */
    readonly maxPages?: number;
    /** @default the `crawl.maxDepth` setting */
    readonly maxDepth?: number;
    readonly include?: readonly string[];
    readonly exclude?: readonly string[];
    /** @default true */
    readonly sameOrigin?: boolean;
  };
}

export interface AddJobsOutcome {
  /** Jobs (pages, or crawl start pages) enqueued. */
  readonly added: number;
  /** Jobs not added because the same page was already waiting, delayed or active. */
  readonly duplicates: number;
}

export interface EngineEvent {
  readonly atMs: number;
  readonly level: 'info' | 'warn' | 'error';
  readonly kind: string;
  readonly message: string;
}

export interface EngineProblem {
  readonly kind: 'redis-unreachable' | 'browser-unavailable' | 'file-pool-crashed' | 'other';
  readonly message: string;
  readonly sinceMs: number;
}

export interface EngineSnapshot {
  readonly takenAtMs: number;
  readonly phase: 'starting' | 'running' | 'draining' | 'stopped';
  readonly node: {
    readonly id: string;
    readonly host: string;
    readonly pid: number;
    readonly startedAtMs: number;
    readonly version: string;
  };
  /** The Redis in use, password masked. */
  readonly redis: string;
  readonly queues: readonly QueueSummary[];
  readonly scrapeWorker: ScrapeWorkerSummary;
  readonly filePool: FilePoolSummary;
  /** Pages completed per interval, oldest first, bounded. */
  readonly throughput: readonly SeriesPoint[];
  readonly failedJobs: readonly FailedJobSummary[];
  readonly events: readonly EngineEvent[];
  readonly problems: readonly EngineProblem[];
  /**
   * `local`: this process runs the pools; `attach`: a dashboard of the fleet without pools.
   * @default 'local' (when absent)
   */
  readonly mode?: 'local' | 'attach';
  /** Every node with a live heartbeat, this one included. Absent: only `node` is known. */
  readonly nodes?: readonly NodeSummary[];
  /** The browser pool; absent when this node has none. */
  readonly browserPool?: BrowserPoolSummary;
  /** Resource trends and the autoscaler's thresholds; absent until the first sample. */
  readonly resources?: ResourcesSummary;
  /**
   * Every failed job grouped by error signature, newest group first, capped (100 groups is
   * plenty). Counts must not need a read of every job on each snapshot: keep them incrementally
   * or refresh them on a slow timer. Absent: the dashboard groups `failedJobs` itself.
   */
  readonly failedGroups?: readonly FailedGroupSummary[];
}

/** What a caller may ask of an engine: the local one, or (later) the fleet view. */
export interface EngineCommands {
  pauseQueue(queue: QueueName | 'all'): Promise<void>;
  resumeQueue(queue: QueueName | 'all'): Promise<void>;
  retryJob(queue: QueueName, jobId: string): Promise<void>;
  retryAll(queue: QueueName): Promise<number>;
  removeJob(queue: QueueName, jobId: string): Promise<void>;
  scaleFilePool(size: number): void;
  stop(): Promise<void>;
}

/**
 * Commands the dashboard uses when an engine offers them. Every member is optional on
 * {@link EngineView}: the dashboard explains a missing one when its key is pressed, and falls back
 * to {@link EngineCommands} where it can (for example `retryJobs` -> `retryJob` per id).
 * Each throws an `Error` whose message says what went wrong; the dashboard shows the message.
 */
export interface OperatorCommands {
  /** Sets the browser pool's size (clamped into its limits) and pins it (autoscaling off). */
  scaleBrowserPool(size: number): void | Promise<void>;
  /** Turns autoscaling on or off for a pool; off pins it at its current size. */
  setAutoscale(pool: PoolName, isOn: boolean): void | Promise<void>;
  /** Enqueues pages or crawls; throws (e.g. a `UserError`) when the request is invalid. */
  addJobs(request: AddJobsRequest): Promise<AddJobsOutcome>;
  /** Moves these failed jobs back to their queue; resolves with how many moved. */
  retryJobs(queue: QueueName, jobIds: readonly string[]): Promise<number>;
  /** Deletes these jobs; resolves with how many were deleted. */
  removeJobs(queue: QueueName, jobIds: readonly string[]): Promise<number>;
  /** Retries every failed job of an error group (see {@link FailedGroupSummary.signature}). */
  retryFailedGroup(signature: string): Promise<number>;
  /** Deletes every failed job of an error group. */
  removeFailedGroup(signature: string): Promise<number>;
  /**
   * One page of the failed sets, newest first, filtered. Must read only the page (plus what a
   * filter needs to scan), never every failed job into memory at once.
   */
  getFailedJobsPage(query: FailedJobsQuery): Promise<FailedJobsPage>;
}

export interface EngineView extends EngineCommands, Partial<OperatorCommands> {
  /** Plain serialisable data; the same object until something changes. */
  getSnapshot(): EngineSnapshot;
  subscribe(onChange: () => void): () => void;
}
