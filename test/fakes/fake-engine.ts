// An EngineView backed by a settable snapshot, recording every command it is sent.
import type {EngineSnapshot, EngineView, FailedJobsQuery, OperatorCommands} from '../../src/engine/contract.js';

export interface Call {
  readonly command: string;
  readonly args: readonly unknown[];
}

export interface FakeEngine extends EngineView {
  readonly calls: Call[];
  /** Publishes a new snapshot built from the current one. */
  push(partial: Partial<EngineSnapshot>): void;
  /** Makes the next call of `command` reject with `message`. */
  failNext(command: string, message: string): void;
  /** Resolves a pending `stop()` (stop waits for this when `holdStop` was set). */
  finishStop(): void;
}

export interface FakeEngineOptions {
  /** Optional commands this engine does not offer. */
  readonly without?: ReadonlyArray<keyof OperatorCommands>;
  /** `stop()` stays pending until `finishStop()`. */
  readonly holdStop?: boolean;
}

export function createFakeEngine(initial: EngineSnapshot, options: FakeEngineOptions = {}): FakeEngine {
  let snapshot = initial;
  const listeners = new Set<() => void>();
  const calls: Call[] = [];
  const failures = new Map<string, string>();
  let stopping: Promise<void> | undefined;
  let releaseStop: () => void = () => undefined;

  const publish = (next: EngineSnapshot) => {
    snapshot = next;
    for (const listener of listeners) listener();
  };
  const record = async <T>(command: string, args: unknown[], result: T): Promise<T> => {
    calls.push({command, args});
    const failure = failures.get(command);
    if (failure !== undefined) {
      failures.delete(command);
      throw new Error(failure);
    }
    return result;
  };

  const operator: OperatorCommands = {
    scaleBrowserPool: (size) => record('scaleBrowserPool', [size], undefined),
    setAutoscale: (pool, isOn) => record('setAutoscale', [pool, isOn], undefined),
    addJobs: (request) => record('addJobs', [request], {added: request.urls.length, duplicates: 0}),
    retryJobs: (queue, ids) => record('retryJobs', [queue, ids], ids.length),
    removeJobs: (queue, ids) => record('removeJobs', [queue, ids], ids.length),
    retryFailedGroup: (signature) => record('retryFailedGroup', [signature], 0),
    removeFailedGroup: (signature) => record('removeFailedGroup', [signature], 0),
    getFailedJobsPage: async (query: FailedJobsQuery) => {
      const matching = snapshot.failedJobs.filter(
        (job) =>
          (query.signature === undefined || (job.signature ?? '') === query.signature) &&
          (query.text === undefined || `${job.url ?? ''} ${job.error}`.toLowerCase().includes(query.text.toLowerCase())),
      );
      return record('getFailedJobsPage', [query], {jobs: matching.slice(query.offset, query.offset + query.limit), total: matching.length});
    },
  };
  const offered = Object.fromEntries(Object.entries(operator).filter(([name]) => !options.without?.includes(name as keyof OperatorCommands)));

  return {
    ...offered,
    calls,
    getSnapshot: () => snapshot,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    push: (partial) => publish({...snapshot, ...partial}),
    failNext: (command, message) => failures.set(command, message),
    finishStop: () => releaseStop(),
    pauseQueue: (queue) => record('pauseQueue', [queue], undefined),
    resumeQueue: (queue) => record('resumeQueue', [queue], undefined),
    retryJob: (queue, id) => record('retryJob', [queue, id], undefined),
    retryAll: (queue) => record('retryAll', [queue], snapshot.queues.find((q) => q.name === queue)?.counts.failed ?? 0),
    removeJob: (queue, id) => record('removeJob', [queue, id], undefined),
    scaleFilePool: (size) => {
      calls.push({command: 'scaleFilePool', args: [size]});
    },
    stop: () => {
      stopping ??= (async () => {
        calls.push({command: 'stop', args: []});
        publish({...snapshot, phase: 'draining'});
        if (options.holdStop) await new Promise<void>((resolve) => (releaseStop = resolve));
      })();
      return stopping;
    },
  };
}
