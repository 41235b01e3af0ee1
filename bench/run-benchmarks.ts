// `npm run bench` (`-- --quick` for a short run): runs the benchmarks interleaved, prints the
// figures and writes BENCHMARKS.md. Everything runs on loopback against ../shared/site.
import {writeFileSync} from 'node:fs';
import {cpus, totalmem} from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {packageRoot, VERSION} from '../src/version.js';
import {runFilePoolLoopDelayBench, type LoopDelayRun} from './file-pool-loop-delay.js';
import {runHttpThroughput, startBenchServices, type HttpThroughputRun} from './http-throughput.js';
import {runBrowserBench, runHandLoop, type BrowserBenchResult} from './browser-throughput.js';

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

// 2. Browser-mode throughput: our pool (1x4 and 2x4) against a minimal hand-written Puppeteer
// loop (one browser, 4 reused pages, images/fonts/media blocked), interleaved.
{
  const pages = values.quick ? 100 : 500;
  const services = await startBenchServices(500, 0);
  const excludePid = services.sitePid;
  const configs: Array<{name: string; run: () => Promise<BrowserBenchResult>}> = [
    {name: 'crawler-tui pool 1x4 (waits for load)', run: () => runBrowserBench({pages, browsers: 1, pagesPerBrowser: 4, baseUrl: services.siteUrl, excludePid})},
    {name: 'hand-written loop K=4 (domcontentloaded)', run: () => runHandLoop({pages, concurrency: 4, waitUntil: 'domcontentloaded', baseUrl: services.siteUrl, excludePid})},
    {name: 'crawler-tui pool 2x4 (waits for load)', run: () => runBrowserBench({pages, browsers: 2, pagesPerBrowser: 4, baseUrl: services.siteUrl, excludePid})},
    {name: 'hand-written loop K=4 (load)', run: () => runHandLoop({pages, concurrency: 4, waitUntil: 'load', baseUrl: services.siteUrl, excludePid})},
  ];
  const results = new Map<string, BrowserBenchResult[]>(configs.map((config) => [config.name, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const config of configs) {
        const result = await config.run();
        results.get(config.name)!.push(result);
        log(`browser, round ${round + 1}, ${config.name}: ${result.pagesPerSec.toFixed(1)} pages/s`);
      }
    }
  } finally {
    await services.stop();
  }
  const handDcl = median(results.get('hand-written loop K=4 (domcontentloaded)')!.map((r) => r.pagesPerSec));
  const rows = [...results].map(([name, runs]) => {
    const rate = median(runs.map((r) => r.pagesPerSec));
    return `| ${name} | ${summary(runs.map((r) => r.pagesPerSec), 1)} | ${(rate / handDcl).toFixed(2)}x | ${summary(
      runs.map((r) => r.peakRssBytes / 2 ** 20),
    )} | ${summary(runs.map((r) => r.cpuMsPerPage))} | ${Math.min(...runs.map((r) => r.renderedPages))}/${pages} |`;
  });
  sections.push(
    [
      '## Browser mode: the pool against a hand-written Puppeteer loop',
      '',
      `${pages} pages of the local site in browser mode, same Chromium and flags, images/fonts/media blocked. The`,
      'hand-written loop is the practical bound: one browser, 4 reused pages, no queue. "rendered" counts pages',
      "whose title shows the site's load-time script ran: waiting for DOMContentLoaded is faster but misses it.",
      'Peak RSS and CPU are of the process tree (node plus Chromium), without the site server.',
      '',
      '| run | pages/s | vs hand-written (dcl) | peak RSS MiB | CPU ms/page | rendered |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
}

// 3. Event-loop delay with file work in the pool vs on the main thread, interleaved rounds.
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
