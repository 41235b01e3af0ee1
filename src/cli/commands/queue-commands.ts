import type {Settings} from '../../config/settings.js';
import type {QueueName} from '../../engine/contract.js';
import {UserError} from '../../errors.js';
import {openBackend, type Backend} from '../../engine/backend.js';
import {sendControl} from '../../engine/fleet/control.js';
import {readHeartbeats} from '../../engine/fleet/heartbeat.js';
import {QUEUE_NAMES} from '../../engine/queue/queues.js';
import {stripControlChars} from '../../engine/scrape/extract.js';
import {parseChoiceOption, parseIntegerOption} from '../options.js';

async function withBackend<T>(settings: Settings, work: (backend: Backend) => Promise<T>): Promise<T> {
  const backend = await openBackend(settings, {isFailFast: true});
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

export async function runStatus(options: {json?: boolean}, settings: Settings): Promise<number> {
  return withBackend(settings, async (backend) => {
    const queues = await backend.queues.summaries();
    const crawlIds = (await backend.frontier.listCrawlIds()).slice(-20);
    const crawls = (await Promise.all(crawlIds.map((id) => backend.frontier.status(id)))).filter((c) => c !== undefined);
    crawls.sort((a, b) => b.createdAtMs - a.createdAtMs);
    const nodes = await readHeartbeats(backend.client, backend.keyPrefix);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({redis: backend.target.display, prefix: settings.redis.prefix, queues, nodes, crawls})}\n`);
      return 0;
    }
    const lines = [`redis   ${backend.target.display}  prefix ${settings.redis.prefix}`, ''];
    if (nodes.length === 0) lines.push('nodes   none running', '');
    else {
      lines.push(`nodes (${nodes.length})`);
      for (const node of nodes) {
        const r = node.resources;
        const resources = r
          ? `cpu ${Math.round(r.cpuRatio * 100)}%  mem ${Math.round(r.memoryUsedRatio * 100)}%  rss ${Math.round(r.nodeRssBytes / 2 ** 20)} MiB  loop p99 ${r.loopDelayP99Ms.toFixed(0)} ms`
          : 'resources pending';
        lines.push(
          `  ${node.id.padEnd(28)} ${node.phase.padEnd(9)} scrape ${node.pools.scrape.active}/${node.pools.scrape.concurrency}  files ${node.pools.files.busy}/${node.pools.files.size}  ${resources}  up ${Math.round((node.atMs - node.startedAtMs) / 1000)}s  done ${node.completed} failed ${node.failed}`,
        );
      }
      lines.push('');
    }
    lines.push(`${'queue'.padEnd(8)}${['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'].map((h) => h.padStart(12)).join('')}`);
    for (const queue of queues) {
      const c = queue.counts;
      lines.push(
        `${queue.name.padEnd(8)}${[c.waiting, c.prioritized, c.active, c.delayed, c.completed, c.failed].map((n) => String(n).padStart(12)).join('')}${queue.isPaused ? '  PAUSED' : ''}`,
      );
    }
    if (crawls.length > 0) {
      lines.push('', 'crawls (newest first)');
      for (const crawl of crawls) {
        lines.push(`  ${crawl.crawlId}  ${crawl.done} done, ${crawl.failed} failed, ${crawl.claimed}/${crawl.maxPages} pages claimed  ${stripControlChars(crawl.rootUrl)}`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  });
}

export async function runFailed(options: {json?: boolean; limit?: string}, settings: Settings): Promise<number> {
  const limit = options.limit === undefined ? 20 : parseIntegerOption('--limit', options.limit, 1, 10_000);
  return withBackend(settings, async (backend) => {
    const failed = await backend.queues.failedJobs(limit);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(failed)}\n`);
      return 0;
    }
    if (failed.length === 0) {
      process.stdout.write('no failed jobs\n');
      return 0;
    }
    for (const job of failed) {
      const when = job.failedAtMs ? new Date(job.failedAtMs).toISOString() : '';
      process.stdout.write(`${job.queue}/${job.id}  attempts ${job.attemptsMade}  ${when}  ${stripControlChars(job.url ?? '')}\n    ${stripControlChars(job.error).slice(0, 300)}\n`);
    }
    return 0;
  });
}

export async function runRetry(ids: string[], options: {all?: boolean}, settings: Settings): Promise<number> {
  if (options.all && ids.length > 0) throw new UserError('give job ids or --all, not both');
  if (!options.all && ids.length === 0) throw new UserError('nothing to retry: give job ids (see `crawler-tui failed`) or --all');
  return withBackend(settings, async (backend) => {
    if (options.all) {
      const count = await backend.queues.retryAllFailed();
      process.stdout.write(`${count} failed job(s) moved back to the queue\n`);
      return 0;
    }
    // Look every id up first: an unknown id refuses the call before anything moves.
    const found = [];
    for (const id of ids) {
      const hit = await backend.queues.findJob(id);
      if (!hit) throw new UserError(`no job with id "${id}"`);
      const state = await hit.job.getState();
      if (state !== 'failed') throw new UserError(`job ${id} is ${state}, not failed; only failed jobs can be retried`);
      found.push(hit);
    }
    for (const {job} of found) await job.retry('failed');
    process.stdout.write(`${found.length} job(s) moved back to the queue\n`);
    return 0;
  });
}

export async function runRemove(ids: string[], settings: Settings): Promise<number> {
  if (ids.length === 0) throw new UserError('nothing to remove: give one or more job ids');
  return withBackend(settings, async (backend) => {
    const found = [];
    for (const id of ids) {
      const hit = await backend.queues.findJob(id);
      if (!hit) throw new UserError(`no job with id "${id}"`);
      found.push(hit);
    }
    for (const {queue, job} of found) await backend.queues.byName(queue).remove(String(job.id));
    process.stdout.write(`${found.length} job(s) removed\n`);
    return 0;
  });
}

export async function runPauseResume(action: 'pause' | 'resume', which: string | undefined, settings: Settings): Promise<number> {
  const target = parseChoiceOption(action, which ?? 'all', ['scrape', 'file', 'all'] as const);
  const names: readonly QueueName[] = target === 'all' ? QUEUE_NAMES : [target];
  return withBackend(settings, async (backend) => {
    if (action === 'pause') await backend.queues.pause(names);
    else await backend.queues.resume(names);
    process.stdout.write(`${names.join(', ')} ${action === 'pause' ? 'paused' : 'resumed'} (fleet-wide)\n`);
    return 0;
  });
}

/** `scale files N`: an operator override sent to every running node over Redis pub/sub. */
export async function runScale(pool: string, size: string, settings: Settings): Promise<number> {
  const which = parseChoiceOption('scale', pool, ['files', 'browsers'] as const);
  const target: number | 'auto' = size === 'auto' ? 'auto' : parseIntegerOption(`scale ${which}`, size, 1, 64);
  return withBackend(settings, async (backend) => {
    const reached = await sendControl(backend.client, backend.keyPrefix, {target: 'all', body: {command: 'scale', pool: which, size: target}});
    if (reached === 0) throw new UserError(`no running node listens on ${backend.target.display} with prefix ${settings.redis.prefix}: nothing to scale`);
    process.stdout.write(`scale ${which} ${target} sent to ${reached} node(s)${target === 'auto' ? ' (autoscaling back on)' : ' (pinned: autoscaling off for that pool until scale ... auto)'}\n`);
    return 0;
  });
}
