// The dashboard's side of the command contract: which optional commands this engine offers, and
// the fallbacks to the basic commands where one exists. Every function here returns a promise and
// never throws synchronously, so a key handler can `.then/.catch` it into the status line.
import type {EngineView, FailedJobSummary, FailedJobsPage, FailedJobsQuery, PoolName, QueueName} from '../engine/contract.js';
import type {FailedTarget} from './state/dashboard-state.js';
import {signatureOf} from './state/selectors.js';

/** Optional commands this engine offers (see `OperatorCommands` in the contract). */
export interface Capabilities {
  readonly scaleBrowserPool: boolean;
  readonly setAutoscale: boolean;
  readonly addJobs: boolean;
  /** Pages through every failed job; without it only the snapshot's newest failed jobs are listed. */
  readonly pagesFailedJobs: boolean;
}

export function capabilitiesOf(engine: EngineView): Capabilities {
  return {
    scaleBrowserPool: typeof engine.scaleBrowserPool === 'function',
    setAutoscale: typeof engine.setAutoscale === 'function',
    addJobs: typeof engine.addJobs === 'function',
    pagesFailedJobs: typeof engine.getFailedJobsPage === 'function',
  };
}

function matches(job: FailedJobSummary, query: FailedJobsQuery): boolean {
  if (query.signature !== undefined && signatureOf(job) !== query.signature) return false;
  if (query.text !== undefined) {
    const needle = query.text.toLowerCase();
    if (!(job.url ?? '').toLowerCase().includes(needle) && !job.error.toLowerCase().includes(needle)) return false;
  }
  return true;
}

/**
 * A page of failed jobs: from the engine when it pages, else from the snapshot's newest ones. A
 * group's signature means something to the engine only when it sent the groups (`failedGroups`);
 * groups made here from `failedJobs` are listed from `failedJobs` too.
 */
export async function readFailedPage(engine: EngineView, query: FailedJobsQuery): Promise<FailedJobsPage> {
  const snapshot = engine.getSnapshot();
  const isEngineSignature = query.signature === undefined || snapshot.failedGroups !== undefined;
  if (engine.getFailedJobsPage && isEngineSignature) return engine.getFailedJobsPage(query);
  const all = snapshot.failedJobs.filter((job) => matches(job, query));
  return {jobs: all.slice(query.offset, query.offset + query.limit), total: all.length};
}

/** The most jobs of a group the fallback reads to act on them one by one. */
const GROUP_FALLBACK_LIMIT = 1000;

async function groupJobs(engine: EngineView, signature: string): Promise<FailedJobSummary[]> {
  const page = await readFailedPage(engine, {offset: 0, limit: GROUP_FALLBACK_LIMIT, signature});
  return [...page.jobs];
}

function byQueue(jobs: readonly FailedJobSummary[]): Map<QueueName, string[]> {
  const ids = new Map<QueueName, string[]>();
  for (const job of jobs) ids.set(job.queue, [...(ids.get(job.queue) ?? []), job.id]);
  return ids;
}

async function eachQueue(
  engine: EngineView,
  jobs: readonly FailedJobSummary[],
  bulk: ((queue: QueueName, ids: readonly string[]) => Promise<number>) | undefined,
  one: (queue: QueueName, id: string) => Promise<void>,
): Promise<number> {
  let total = 0;
  for (const [queue, ids] of byQueue(jobs)) {
    if (bulk) total += await bulk(queue, ids);
    else {
      for (const id of ids) await one(queue, id);
      total += ids.length;
    }
  }
  return total;
}

/** Groups come from the engine (their signatures are the engine's), not from the dashboard. */
function isEngineGroup(engine: EngineView): boolean {
  return engine.getSnapshot().failedGroups !== undefined;
}

/** Retries a job or a whole error group; resolves with how many jobs went back to their queue. */
export async function retryTarget(engine: EngineView, target: FailedTarget): Promise<number> {
  if (target.kind === 'job') {
    await engine.retryJob(target.job.queue, target.job.id);
    return 1;
  }
  if (engine.retryFailedGroup && isEngineGroup(engine)) return engine.retryFailedGroup(target.group.signature);
  const jobs = await groupJobs(engine, target.group.signature);
  return eachQueue(engine, jobs, engine.retryJobs?.bind(engine), (queue, id) => engine.retryJob(queue, id));
}

/** Removes a job or a whole error group; resolves with how many jobs were removed. */
export async function removeTarget(engine: EngineView, target: FailedTarget): Promise<number> {
  if (target.kind === 'job') {
    await engine.removeJob(target.job.queue, target.job.id);
    return 1;
  }
  if (engine.removeFailedGroup && isEngineGroup(engine)) return engine.removeFailedGroup(target.group.signature);
  const jobs = await groupJobs(engine, target.group.signature);
  return eachQueue(engine, jobs, engine.removeJobs?.bind(engine), (queue, id) => engine.removeJob(queue, id));
}

/** Retries every failed job of every queue that has some; resolves with the count. */
export async function retryAllFailed(engine: EngineView): Promise<number> {
  let total = 0;
  for (const queue of engine.getSnapshot().queues) {
    if (queue.counts.failed > 0) total += await engine.retryAll(queue.name);
  }
  return total;
}

export async function scalePool(engine: EngineView, pool: PoolName, size: number): Promise<void> {
  if (pool === 'files') await engine.scaleFilePool(size);
  else if (engine.scaleBrowserPool) await engine.scaleBrowserPool(size);
  else throw new Error('this engine cannot scale the browser pool');
}
