// A pool of worker_threads that does the node's file work (JSON results, media downloads) so that
// hashing, serialising and disk I/O never block the main event loop, where the queues, the
// scheduler and the dashboard live.
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {Worker} from 'node:worker_threads';
import type {FileTask, FileTaskResult, FileWorkerRequest, FileWorkerResponse} from './file-tasks.js';

/** Options for {@link FilePool}. */
export interface FilePoolOptions {
  /** Number of worker threads; an integer >= 1. Change it later with {@link FilePool.resize}. */
  size: number;
  /**
   * Worker entry to load instead of the compiled `file-worker.js`.
   * @internal exposed for tests
   */
  workerUrl?: URL;
  /**
   * Tasks allowed to wait for a free worker; `run()` rejects beyond that, so a producer that
   * outruns the disk gets an error instead of growing memory without bound.
   * @default 10_000
   */
  maxQueued?: number;
}

/** A point-in-time view of a {@link FilePool}, for the dashboard and the autoscaler. */
export interface FilePoolStats {
  /** Live threads, including ones retiring after their current task. */
  size: number;
  /** The size asked for (constructor or last `resize()`). */
  targetSize: number;
  /** Threads running a task. */
  busy: number;
  /** Tasks waiting for a free thread. */
  queued: number;
  /** Tasks that finished successfully. */
  completed: number;
  /** Tasks that reached a thread and failed (task error, crash, cancel, destroy). */
  failed: number;
  /** Threads replaced after crashing. */
  restarts: number;
  workers: Array<{id: number; threadId: number; busy: boolean; tasksDone: number; startedAtMs: number}>;
}

const DEFAULT_MAX_QUEUED = 10_000;
/** How long destroy() lets running tasks finish before terminating their threads. */
const DESTROY_GRACE_MS = 5_000;
/** Threads that die before coming online this many times in a row stop the pool from respawning. */
const MAX_STARTUP_FAILURES = 3;

interface PendingTask {
  task: FileTask;
  resolve: (result: FileTaskResult) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface RunningTask extends PendingTask {
  id: number;
  /** The queued entry this came from: abort() and re-queueing find it by identity. */
  source: PendingTask;
  /** Set once the caller has been answered (abort, destroy); the worker's late reply is then ignored. */
  isSettled: boolean;
}

interface PoolWorker {
  id: number;
  worker: Worker;
  threadId: number;
  current: RunningTask | undefined;
  tasksDone: number;
  startedAtMs: number;
  /** The worker module loaded and said so; crashes before that are start-up failures. */
  isReady: boolean;
  /** Leaves the pool after its current task (shrink). */
  isRetiring: boolean;
  /** We terminated it on purpose; its exit is not a crash. */
  isExitExpected: boolean;
  lastError: Error | undefined;
  exited: Promise<void>;
}

/**
 * Where the compiled worker lives. Normally it is the `file-worker.js` next to this module
 * (`dist/src/engine/files/`). Under vitest this module is loaded from the TypeScript source
 * (`src/engine/files/file-pool.ts`), which has no `.js` sibling, and Node 20 threads cannot run
 * `.ts`, so we fall back to the same path under `dist/`, which `npm test` builds first.
 *
 * @internal exposed for tests
 */
export function resolveFileWorkerUrl(moduleUrl: string = import.meta.url): URL {
  const sibling = new URL('./file-worker.js', moduleUrl);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const srcAt = moduleUrl.lastIndexOf('/src/');
  if (srcAt !== -1) {
    const compiledModule = `${moduleUrl.slice(0, srcAt)}/dist/src/${moduleUrl.slice(srcAt + '/src/'.length)}`;
    const compiled = new URL('./file-worker.js', compiledModule.replace(/\.ts$/, '.js'));
    if (existsSync(fileURLToPath(compiled))) return compiled;
  }
  throw new Error(
    `file worker not found next to ${moduleUrl} nor under dist/; run \`npm run build\` to compile it`,
  );
}

/**
 * Runs {@link FileTask}s on a fixed-size (resizable) set of worker threads, one task per thread at
 * a time, queueing the rest in FIFO order. A thread that crashes is replaced and only the task it
 * was running fails.
 *
 * Owner: whoever constructs the pool calls {@link FilePool.destroy}; until then its threads keep
 * the process alive.
 */
export class FilePool {
  readonly #workerUrl: URL;
  readonly #maxQueued: number;
  readonly #workers: PoolWorker[] = [];
  readonly #queue: PendingTask[] = [];
  #targetSize: number;
  #nextWorkerId = 1;
  #nextTaskId = 1;
  #completed = 0;
  #failed = 0;
  #restarts = 0;
  #startupFailures = 0;
  /** Set when threads keep dying at start-up; every task then fails with it. */
  #brokenError: Error | undefined;
  #destroying: Promise<void> | undefined;

  constructor(options: FilePoolOptions) {
    assertSize(options.size);
    const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
    if (!(maxQueued >= 0)) throw new RangeError(`maxQueued must be >= 0, got ${maxQueued}`);
    this.#maxQueued = maxQueued;
    this.#workerUrl = options.workerUrl ?? resolveFileWorkerUrl();
    // A missing entry would otherwise surface as an async 'error' on every spawned thread.
    if (this.#workerUrl.protocol === 'file:' && !existsSync(fileURLToPath(this.#workerUrl))) {
      throw new Error(`file worker ${this.#workerUrl.href} does not exist; run \`npm run build\``);
    }
    this.#targetSize = options.size;
    this.#fill();
  }

  /**
   * Runs `task` on the next free thread. Aborting `signal` removes a queued task, or rejects a
   * running one at once and asks its thread to stop (the thread counts as busy until it has).
   */
  run(task: FileTask, signal?: AbortSignal): Promise<FileTaskResult> {
    if (this.#destroying) return Promise.reject(new Error('FilePool is destroyed; cannot run more tasks'));
    if (this.#brokenError) return Promise.reject(this.#brokenError);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#queue.length >= this.#maxQueued && !this.#hasIdleWorker()) {
      return Promise.reject(new Error(`FilePool queue is full (maxQueued=${this.#maxQueued}); slow the producer down`));
    }
    return new Promise<FileTaskResult>((resolve, reject) => {
      const pending: PendingTask = {task, resolve, reject, signal, onAbort: undefined};
      if (signal) {
        pending.onAbort = () => this.#abort(pending);
        signal.addEventListener('abort', pending.onAbort, {once: true});
      }
      this.#queue.push(pending);
      this.#pump();
    });
  }

  /**
   * Changes the number of threads. Growing starts threads now (or keeps retiring ones). Shrinking
   * stops idle threads first; busy ones leave after their current task, which is never cut short.
   */
  resize(size: number): void {
    assertSize(size);
    if (this.#destroying) return;
    this.#targetSize = size;
    const active = this.#workers.filter((w) => !w.isRetiring);
    // Un-retiring a busy thread is cheaper than starting a new one.
    for (const w of this.#workers) {
      if (active.length >= size) break;
      // Only busy retirees: idle ones are already being terminated.
      if (w.isRetiring && !w.isExitExpected) {
        w.isRetiring = false;
        active.push(w);
      }
    }
    let excess = active.length - size;
    for (const w of active) {
      if (excess <= 0) break;
      if (w.current === undefined) {
        this.#retire(w);
        excess--;
      }
    }
    for (const w of active) {
      if (excess <= 0) break;
      if (w.current !== undefined && !w.isRetiring) {
        w.isRetiring = true;
        excess--;
      }
    }
    this.#fill();
    this.#pump();
  }

  stats(): FilePoolStats {
    return {
      size: this.#workers.length,
      targetSize: this.#targetSize,
      busy: this.#workers.filter((w) => w.current !== undefined).length,
      queued: this.#queue.length,
      completed: this.#completed,
      failed: this.#failed,
      restarts: this.#restarts,
      workers: this.#workers.map((w) => ({
        id: w.id,
        threadId: w.threadId,
        busy: w.current !== undefined,
        tasksDone: w.tasksDone,
        startedAtMs: w.startedAtMs,
      })),
    };
  }

  /**
   * Rejects queued tasks, gives running ones a few seconds to finish, then terminates every thread.
   * Calling it again returns the same promise.
   */
  destroy(): Promise<void> {
    return (this.#destroying ??= this.#shutdown());
  }

  /**
   * Terminates thread `id` as if it had crashed (its task fails, a replacement starts).
   * @internal exposed for tests
   */
  async killWorkerForTest(id: number): Promise<void> {
    const w = this.#workers.find((candidate) => candidate.id === id);
    if (!w) throw new Error(`no file worker with id ${id}`);
    await w.worker.terminate();
    await w.exited;
  }

  async #shutdown(): Promise<void> {
    for (const pending of this.#queue.splice(0)) {
      this.#detachSignal(pending);
      pending.reject(new Error('FilePool destroyed before the task started'));
    }
    for (const w of this.#workers) if (w.current === undefined) this.#retire(w);
    const running = this.#workers.filter((w) => w.current !== undefined).map((w) => w.exited);
    // Running tasks retire their thread when they finish (see #onMessage), so waiting for the
    // exits is waiting for the tasks. The timer is unref()ed: it must not hold the process open.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, DESTROY_GRACE_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    const all = [...this.#workers];
    for (const w of all) {
      if (w.current) this.#settle(w.current, new Error('FilePool destroyed while the task was running'));
      this.#retire(w);
    }
    await Promise.all(all.map((w) => w.exited));
  }

  #hasIdleWorker(): boolean {
    return this.#workers.some((w) => w.current === undefined && !w.isRetiring);
  }

  #fill(): void {
    if (this.#destroying || this.#brokenError) return;
    let active = this.#workers.filter((w) => !w.isRetiring).length;
    while (active < this.#targetSize) {
      this.#spawn();
      active++;
    }
  }

  #spawn(): void {
    const worker = new Worker(this.#workerUrl, {resourceLimits: {maxOldGenerationSizeMb: 256}});
    let onExit!: () => void;
    const w: PoolWorker = {
      id: this.#nextWorkerId++,
      worker,
      threadId: worker.threadId,
      current: undefined,
      tasksDone: 0,
      startedAtMs: Date.now(),
      isReady: false,
      isRetiring: false,
      isExitExpected: false,
      lastError: undefined,
      exited: new Promise<void>((resolve) => (onExit = resolve)),
    };
    worker.on('message', (message: FileWorkerResponse) => this.#onMessage(w, message));
    // 'error' is an uncaught exception inside the thread; 'exit' always follows, and handles it.
    worker.on('error', (error: Error) => (w.lastError = error));
    worker.on('exit', (code) => {
      this.#onExit(w, code);
      onExit();
    });
    this.#workers.push(w);
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const w = this.#workers.find((candidate) => candidate.current === undefined && !candidate.isRetiring);
      if (!w) return;
      const pending = this.#queue.shift()!;
      const running: RunningTask = {...pending, id: this.#nextTaskId++, source: pending, isSettled: false};
      w.current = running;
      try {
        w.worker.postMessage({id: running.id, task: running.task} satisfies FileWorkerRequest);
      } catch (error) {
        // DataCloneError: the value holds something that cannot cross threads (a function, a socket).
        w.current = undefined;
        this.#failed++;
        this.#settle(running, error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  #onMessage(w: PoolWorker, message: FileWorkerResponse): void {
    if ('ready' in message) {
      // Not 'online': that fires before the module is evaluated, so a worker that throws while
      // loading would look healthy and be respawned forever.
      w.isReady = true;
      this.#startupFailures = 0;
      return;
    }
    const running = w.current;
    if (!running || running.id !== message.id) return;
    w.current = undefined;
    w.tasksDone++;
    if (running.isSettled) {
      // The caller already got an abort error; the late answer changes nothing for them.
      this.#failed++;
    } else if (message.ok) {
      this.#completed++;
      this.#settle(running, undefined, message.result);
    } else {
      this.#failed++;
      this.#settle(running, Object.assign(new Error(message.error.message), {name: message.error.name}));
    }
    if (w.isRetiring || this.#destroying) this.#retire(w);
    this.#pump();
  }

  #onExit(w: PoolWorker, code: number): void {
    const index = this.#workers.indexOf(w);
    if (index !== -1) this.#workers.splice(index, 1);
    const running = w.current;
    w.current = undefined;
    if (w.isExitExpected) return;

    const cause = w.lastError ? w.lastError.message : `exit code ${code}`;
    if (running && !w.isReady && !running.isSettled) {
      // The thread died before it could read the task, so the task never ran: give it to the next
      // thread (front of the queue, keeping FIFO order) instead of failing it.
      this.#queue.unshift(running.source);
    } else if (running) {
      this.#failed++;
      this.#settle(
        running,
        new Error(`file worker ${w.id} (thread ${w.threadId}) crashed while running a ${running.task.kind} task: ${cause}`, {
          cause: w.lastError,
        }),
      );
    }
    if (this.#destroying) return;
    this.#restarts++;
    if (!w.isReady && ++this.#startupFailures >= MAX_STARTUP_FAILURES) {
      // Respawning a thread that cannot even start would spin forever; fail loudly instead.
      this.#brokenError = new Error(
        `file worker failed to start ${this.#startupFailures} times in a row (${cause}); check ${this.#workerUrl.href}`,
      );
      for (const pending of this.#queue.splice(0)) {
        this.#detachSignal(pending);
        pending.reject(this.#brokenError);
      }
      return;
    }
    this.#fill();
    this.#pump();
  }

  #retire(w: PoolWorker): void {
    if (w.isExitExpected) return;
    w.isRetiring = true;
    w.isExitExpected = true;
    void w.worker.terminate();
  }

  #abort(pending: PendingTask): void {
    const queuedAt = this.#queue.indexOf(pending);
    if (queuedAt !== -1) {
      this.#queue.splice(queuedAt, 1);
      pending.reject(abortReason(pending.signal!));
      return;
    }
    const w = this.#workers.find((candidate) => candidate.current?.source === pending);
    if (!w || !w.current) return;
    const running = w.current;
    // The thread stays busy until it answers; only the caller is released now.
    w.worker.postMessage({id: running.id, cancel: true} satisfies FileWorkerRequest);
    this.#settle(running, abortReason(pending.signal!));
  }

  #settle(running: RunningTask, error: Error | undefined, result?: FileTaskResult): void {
    if (running.isSettled) return;
    running.isSettled = true;
    this.#detachSignal(running);
    if (error) running.reject(error);
    else running.resolve(result!);
  }

  #detachSignal(pending: PendingTask): void {
    if (pending.signal && pending.onAbort) pending.signal.removeEventListener('abort', pending.onAbort);
  }
}

function assertSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`FilePool size must be an integer >= 1, got ${size}`);
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('file task aborted', {cause: reason});
}
