// How much does file work (JSON results, image downloads) stall the main event loop, with the
// FilePool versus done on the main thread the way a naive crawler does it?
//
//   npx tsc -p tsconfig.json && node dist/bench/file-pool-loop-delay.js
//
// Spawns the shared synthetic site (../shared/site/server.cjs relative to the repo root) on a free
// port, runs the same task list both ways while monitorEventLoopDelay samples the main thread, and
// prints a table. The event-loop delay is the number that matters; tasks/s is context.
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {monitorEventLoopDelay, performance} from 'node:perf_hooks';
import {pathToFileURL} from 'node:url';
import {request} from 'undici';
import {FilePool} from '../src/engine/files/file-pool.js';
import {mediaPathFor, type FileTask} from '../src/engine/files/file-tasks.js';
import {startSite, stopSite} from './bench-site.js';

/** Main-thread event-loop delay and throughput of one run. */
export interface LoopDelayRun {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  tasksPerSec: number;
}

/** Options for {@link runFilePoolLoopDelayBench}. */
export interface FilePoolLoopDelayBenchOptions {
  /** File tasks per run, half JSON writes and half image downloads. @default 2000 */
  tasks?: number;
  /** Threads in the pool. @default 2 */
  poolSize?: number;
  /** Tasks in flight at once on the main-thread run (a crawler's concurrency). @default 16 */
  mainThreadConcurrency?: number;
  /** Print the table to stdout. @default false */
  print?: boolean;
}

const SITE_PAGES = 200;
const SITE_IMAGES = 40; // server.cjs serves /img/0.png … /img/39.png
const WARM_UP_TASKS = 40;
const USER_AGENT = 'crawler-tui-bench';

/** A scrape result of roughly 40 KB once serialised, shaped like what a crawler stores. */
function makeResult(i: number): Record<string, unknown> {
  const words = 'lorem ipsum dolor sit amet crawler queue browser worker redis page link image'.split(' ');
  const text = Array.from({length: 3300}, (_, k) => words[(k * 7 + i) % words.length]).join(' ');
  return {
    url: `http://127.0.0.1/p/${i}`,
    status: 200,
    fetchedAtMs: 1_700_000_000_000 + i,
    title: `Page ${i}`,
    text,
    links: Array.from({length: 150}, (_, k) => ({href: `/p/${(i + k) % SITE_PAGES}`, text: `Page ${k}`, rel: null})),
    images: Array.from({length: 4}, (_, k) => `/img/${(i + k) % SITE_IMAGES}.png`),
  };
}

type Job = {kind: 'write'; relPath: string; value: Record<string, unknown>} | {kind: 'download'; url: string};

function makeJobs(count: number, base: string, prefix: string): Job[] {
  return Array.from({length: count}, (_, i): Job =>
    i % 2 === 0
      ? {kind: 'write', relPath: `results/${prefix}/${i % 100}/${i}.json`, value: makeResult(i)}
      : {kind: 'download', url: `${base}/img/${i % SITE_IMAGES}.png`},
  );
}

function toTask(job: Job, dataDir: string): FileTask {
  return job.kind === 'write'
    ? {kind: 'write-json', dataDir, relPath: job.relPath, value: job.value}
    : {kind: 'download', dataDir, url: job.url, maxBytes: 1024 * 1024, timeoutMs: 30_000, userAgent: USER_AGENT, purpose: 'media'};
}

/** What a naive crawler does inline: buffer the body, hash it, write it synchronously. */
async function runOnMainThread(job: Job, dataDir: string): Promise<void> {
  if (job.kind === 'write') {
    const target = path.join(dataDir, job.relPath);
    mkdirSync(path.dirname(target), {recursive: true});
    writeFileSync(target, JSON.stringify(job.value));
    return;
  }
  const {statusCode, headers, body} = await request(job.url, {headers: {'user-agent': USER_AGENT}});
  const bytes = Buffer.from(await body.arrayBuffer());
  if (statusCode !== 200) throw new Error(`HTTP ${statusCode} for ${job.url}`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const target = path.join(dataDir, mediaPathFor(sha256, String(headers['content-type'] ?? '')));
  mkdirSync(path.dirname(target), {recursive: true});
  if (!existsSync(target)) writeFileSync(target, bytes);
}

async function withLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({length: lanes}, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function measure(taskCount: number, work: () => Promise<void>): Promise<LoopDelayRun> {
  const histogram = monitorEventLoopDelay({resolution: 1});
  histogram.enable();
  const startMs = performance.now();
  await work();
  const elapsedMs = performance.now() - startMs;
  histogram.disable();
  const round = (ns: number): number => Math.round(ns / 1e4) / 100; // ns -> ms, 2 decimals
  return {
    p50Ms: round(histogram.percentile(50)),
    p99Ms: round(histogram.percentile(99)),
    maxMs: round(histogram.max),
    tasksPerSec: Math.round((taskCount / elapsedMs) * 1000),
  };
}

/**
 * Runs the same file work through a {@link FilePool} and on the main thread, measuring the main
 * thread's event-loop delay during each.
 */
export async function runFilePoolLoopDelayBench(
  options: FilePoolLoopDelayBenchOptions = {},
): Promise<{withPool: LoopDelayRun; onMainThread: LoopDelayRun}> {
  const taskCount = options.tasks ?? 2000;
  const poolSize = options.poolSize ?? 2;
  const lanes = options.mainThreadConcurrency ?? 16;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'file-pool-bench-'));
  const {base, child} = await startSite(SITE_PAGES);
  const pool = new FilePool({size: poolSize, maxQueued: taskCount + WARM_UP_TASKS});
  try {
    const poolDir = path.join(dataDir, 'pool');
    const mainDir = path.join(dataDir, 'main');
    // Warm-ups: thread start-up, JIT and connection set-up are not what we measure.
    await Promise.all(makeJobs(WARM_UP_TASKS, base, 'warm').map((job) => pool.run(toTask(job, poolDir))));
    await withLanes(makeJobs(WARM_UP_TASKS, base, 'warm'), lanes, (job) => runOnMainThread(job, mainDir));

    const poolJobs = makeJobs(taskCount, base, 'run');
    const withPool = await measure(taskCount, async () => {
      await Promise.all(poolJobs.map((job) => pool.run(toTask(job, poolDir))));
    });
    const mainJobs = makeJobs(taskCount, base, 'run');
    const onMainThread = await measure(taskCount, () => withLanes(mainJobs, lanes, (job) => runOnMainThread(job, mainDir)));

    if (options.print) {
      const row = (name: string, r: LoopDelayRun): string =>
        `${name.padEnd(24)}${r.p50Ms.toFixed(2).padStart(9)}${r.p99Ms.toFixed(2).padStart(9)}${r.maxMs.toFixed(2).padStart(9)}${String(r.tasksPerSec).padStart(10)}`;
      console.log(
        [
          `file tasks per run: ${taskCount} (${Math.ceil(taskCount / 2)} JSON writes of ~40 KB, ${Math.floor(taskCount / 2)} image downloads)`,
          `main-thread event-loop delay (monitorEventLoopDelay, resolution 1 ms)`,
          `${'run'.padEnd(24)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'tasks/s'.padStart(10)}`,
          row(`FilePool (${poolSize} threads)`, withPool),
          row(`main thread (${lanes} lanes)`, onMainThread),
        ].join('\n'),
      );
    }
    return {withPool, onMainThread};
  } finally {
    await pool.destroy();
    await stopSite(child);
    await rm(dataDir, {recursive: true, force: true});
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runFilePoolLoopDelayBench({print: true}).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
