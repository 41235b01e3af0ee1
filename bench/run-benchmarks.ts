// `npm run bench` (`-- --quick` for a short run): runs the benchmarks interleaved, prints the
// figures and writes BENCHMARKS.md. Everything runs on loopback against ../shared/site.
import {writeFileSync} from 'node:fs';
import {cpus, totalmem} from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {packageRoot, VERSION} from '../src/version.js';
import {runFilePoolLoopDelayBench, type LoopDelayRun} from './file-pool-loop-delay.js';
import {runHttpThroughput, startBenchServices, type HttpThroughputRun} from './http-throughput.js';

const {values} = parseArgs({options: {quick: {type: 'boolean', default: false}, out: {type: 'string'}}});
const rounds = values.quick ? 1 : 3;

function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summary(numbers: readonly number[], digits = 0): string {
  const text = (n: number) => n.toFixed(digits);
  return numbers.length === 1 ? text(numbers[0]!) : `${text(median(numbers))} (${text(Math.min(...numbers))}-${text(Math.max(...numbers))})`;
}

const sections: string[] = [];
const log = (line: string) => console.log(line);

// 1. HTTP-mode crawl throughput of the full pipeline at concurrency 16.
const httpRows: string[] = [];
for (const latencyMs of [0, 50]) {
  const services = await startBenchServices(1000, latencyMs);
  try {
    const runs: HttpThroughputRun[] = [];
    for (let round = 0; round < rounds; round++) {
      const run = await runHttpThroughput({...services, pages: 500, concurrency: 16});
      runs.push(run);
      log(`http crawl, site latency ${latencyMs} ms, round ${round + 1}: ${run.pagesPerSec.toFixed(0)} pages/s`);
    }
    httpRows.push(
      `| ${latencyMs} ms | ${summary(runs.map((r) => r.pagesPerSec))} | ${summary(runs.map((r) => r.pagesPerSecWithFiles))} | ${summary(
        runs.map((r) => r.cpuMsPerPage),
        1,
      )} | ${summary(runs.map((r) => r.peakRssBytes / 1024 / 1024))} |`,
    );
  } finally {
    await services.stop();
  }
}
sections.push(
  [
    '## HTTP-mode crawl, whole pipeline',
    '',
    'A 500-page crawl of the local site (1,000 pages) at concurrency 16: enqueue, scrape worker',
    '(fetch, parse, claim links in Redis, add child jobs), file queue, file pool writing one JSON',
    'result per page. Media downloads off. One node process, a private redis-server, the site, all on',
    'this machine. CPU is of the node process (main thread plus file threads).',
    '',
    '| site latency | pages/s scraped | pages/s with results on disk | CPU ms/page | peak RSS MB |',
    '| --- | --- | --- | --- | --- |',
    ...httpRows,
  ].join('\n'),
);

// 2. Event-loop delay with file work in the pool vs on the main thread, interleaved rounds.
const poolRuns: LoopDelayRun[] = [];
const mainRuns: LoopDelayRun[] = [];
for (let round = 0; round < rounds; round++) {
  const {withPool, onMainThread} = await runFilePoolLoopDelayBench({tasks: values.quick ? 600 : 2000});
  poolRuns.push(withPool);
  mainRuns.push(onMainThread);
  log(`file work, round ${round + 1}: p99 loop delay ${withPool.p99Ms.toFixed(1)} ms in the pool, ${onMainThread.p99Ms.toFixed(1)} ms on the main thread`);
}
const loopRow = (name: string, runs: LoopDelayRun[]) =>
  `| ${name} | ${summary(runs.map((r) => r.p50Ms), 2)} | ${summary(runs.map((r) => r.p99Ms), 2)} | ${summary(runs.map((r) => r.maxMs), 1)} | ${summary(runs.map((r) => r.tasksPerSec))} |`;
sections.push(
  [
    '## Event loop: file work in the pool vs on the main thread',
    '',
    `${values.quick ? 600 : 2000} file tasks a run (half ~40 KB JSON result writes, half image downloads from the site),`,
    'through the 2-thread file pool, or done on the main thread the way a crawler without a pool',
    'does it (16 at a time, sync JSON + hashing + fs writes). Main-thread event-loop delay by',
    '`perf_hooks.monitorEventLoopDelay` (1 ms resolution).',
    '',
    '| file work | p50 ms | p99 ms | max ms | tasks/s |',
    '| --- | --- | --- | --- | --- |',
    loopRow('file pool (2 threads)', poolRuns),
    loopRow('main thread', mainRuns),
  ].join('\n'),
);

const header = [
  '# Benchmarks',
  '',
  `Written by \`npm run bench${values.quick ? ' -- --quick' : ''}\` (crawler-tui ${VERSION}, Node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,`,
  `${new Date().toISOString().slice(0, 10)}). Figures are the median and (range) of ${rounds} round${rounds > 1 ? 's' : ''}; this machine is shared`,
  'and noisy, so compare ratios within one run rather than absolute numbers across runs.',
].join('\n');
const out = values.out ?? path.join(packageRoot(), 'BENCHMARKS.md');
writeFileSync(out, `${header}\n\n${sections.join('\n\n')}\n`);
log(`written to ${out}`);
