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
}

export interface FilePoolSummary {
  readonly size: number;
  readonly targetSize: number;
  readonly busy: number;
  readonly queued: number;
  readonly completed: number;
  readonly failed: number;
  readonly restarts: number;
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

export interface FailedJobSummary {
  readonly queue: QueueName;
  readonly id: string;
  readonly url: string | undefined;
  readonly error: string;
  readonly attemptsMade: number;
  readonly failedAtMs: number | undefined;
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

export interface EngineView extends EngineCommands {
  /** Plain serialisable data; the same object until something changes. */
  getSnapshot(): EngineSnapshot;
  subscribe(onChange: () => void): () => void;
}
