// Pages per second, peak memory and CPU per page of browser-mode scraping: our BrowserPool +
// browserFetch against a minimal hand-written Puppeteer loop, on the shared synthetic site.
//
//   npx tsc -p tsconfig.json && node dist/bench/browser-throughput.js [pages] [rounds]
//
// Runs are interleaved (ours, hand, ours, hand, …) for several rounds, so drift on a noisy
// machine spreads over both sides. Everything here is CPU bound on Chromium.
//
// What is measured, per run:
// - pages/s: wall clock from the first acquire/launch (browser start-up included, on both sides)
//   to the last page extracted;
// - peak RSS: node + every Chromium process, i.e. this process's tree minus the site server,
//   sampled every 200 ms from /proc with treeMemoryBytes (anonymous + shared memory of every
//   process, file-backed pages of the largest one: the Chromium binary counted once, node's own
//   ~40 MB of code not at all; a plain VmRSS sum would count the 170 MB binary a dozen times);
// - CPU ms/page: node's process.cpuUsage() plus utime+stime of every Chromium process seen while
//   sampling (each pid's last reading; the last <200 ms of a process that exits is missed).
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {pathToFileURL} from 'node:url';
import puppeteer from 'puppeteer';
import {browserFetch, type BrowserFetchOptions} from '../src/engine/browser/browser-fetch.js';
import {BrowserPool, CHROMIUM_ARGS} from '../src/engine/browser/browser-pool.js';
import {readProcessTree, treeMemoryBytes} from '../src/engine/browser/chromium-processes.js';
import {findChromium} from '../src/engine/browser/find-chromium.js';
import {startSite, stopSite} from './bench-site.js';

/** One run's numbers. */
export interface BrowserBenchResult {
  pagesPerSec: number;
  peakRssBytes: number;
  cpuMsPerPage: number;
  /** Pages whose title carried the site's post-`load` " [js]" marker. */
  renderedPages: number;
}

/** Options for {@link runBrowserBench}. */
export interface BrowserBenchOptions {
  /** Pages fetched, `/p/0` … `/p/<pages-1>`. */
  pages: number;
  browsers: number;
  pagesPerBrowser: number;
  /** @default 'load' */
  waitUntil?: BrowserFetchOptions['waitUntil'];
  /** Site to use (`http://127.0.0.1:PORT/`); unset: one with `pages` pages is started for this run. */
  baseUrl?: string;
  /** PID to leave out of the memory and CPU figures (the site server, when started by the caller). */
  excludePid?: number;
}

const SITE_PAGES = 500;
const SAMPLE_INTERVAL_MS = 200;

/** Samples memory and Chromium CPU of this process's tree while `work` runs. */
async function measure(pages: number, excludePid: number | undefined, work: () => Promise<number>): Promise<BrowserBenchResult> {
  let peakRssBytes = 0;
  const chromiumCpuMs = new Map<number, number>();
  const sample = (): void => {
    const tree = readProcessTree(process.pid).filter((info) => info.pid !== excludePid);
    for (const info of tree) if (info.pid !== process.pid) chromiumCpuMs.set(info.pid, info.cpuMs);
    peakRssBytes = Math.max(peakRssBytes, treeMemoryBytes(tree));
  };
  const cpuBefore = process.cpuUsage();
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS);
  const started = performance.now();
  let renderedPages: number;
  try {
    renderedPages = await work();
  } finally {
    clearInterval(timer);
  }
  const elapsedMs = performance.now() - started;
  sample();
  const nodeCpu = process.cpuUsage(cpuBefore);
  let cpuMs = (nodeCpu.user + nodeCpu.system) / 1000;
  for (const value of chromiumCpuMs.values()) cpuMs += value;
  return {pagesPerSec: (pages / elapsedMs) * 1000, peakRssBytes, cpuMsPerPage: cpuMs / pages, renderedPages};
}

/** Runs `lanes` workers over page indexes 0 … pages-1. */
async function inLanes(pages: number, lanes: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({length: lanes}, async () => {
      while (next < pages) await work(next++);
    }),
  );
}

/** Our pool + browserFetch over `/p/0` … `/p/<pages-1>`, with the pool's default lifecycle settings. */
export async function runBrowserBench(options: BrowserBenchOptions): Promise<BrowserBenchResult> {
  const site = options.baseUrl === undefined ? await startSite(Math.max(options.pages, 1)) : undefined;
  const base = options.baseUrl ?? `${site!.base}/`;
  const profileRoot = await mkdtemp(path.join(os.tmpdir(), 'browser-bench-'));
  const pool = new BrowserPool({
    executablePath: findChromium().executablePath,
    profileRoot,
    browsers: options.browsers,
    pagesPerBrowser: options.pagesPerBrowser,
  });
  try {
    return await measure(options.pages, options.excludePid ?? site?.child.pid, async () => {
      let rendered = 0;
      await inLanes(options.pages, pool.capacity, async (index) => {
        const lease = await pool.acquire();
        try {
          const result = await browserFetch(lease, `${base}p/${index}`, {timeoutMs: 30_000, waitUntil: options.waitUntil ?? 'load'});
          if (result.facts.title.endsWith(' [js]')) rendered++;
        } finally {
          await lease.release();
        }
      });
      return rendered;
    });
  } finally {
    await pool.destroy();
    await rm(profileRoot, {recursive: true, force: true});
    if (site !== undefined) await stopSite(site.child);
  }
}

/**
 * The baseline: what a developer writes by hand. One browser, K reused pages, images/fonts/media
 * blocked with Puppeteer's request interception, one evaluate for title and links per page.
 */
export async function runHandLoop(options: {
  pages: number;
  concurrency: number;
  waitUntil: 'load' | 'domcontentloaded';
  baseUrl: string;
  excludePid?: number;
}): Promise<BrowserBenchResult> {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'browser-bench-hand-'));
  const blocked = new Set(['image', 'font', 'media']);
  try {
    return await measure(options.pages, options.excludePid, async () => {
      const browser = await puppeteer.launch({
        executablePath: findChromium().executablePath,
        userDataDir,
        pipe: true,
        args: [...CHROMIUM_ARGS],
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      try {
        const pages = await Promise.all(
          Array.from({length: options.concurrency}, async () => {
            const page = await browser.newPage();
            await page.setRequestInterception(true);
            page.on('request', (request) => {
              if (request.isInterceptResolutionHandled()) return;
              void (blocked.has(request.resourceType()) ? request.abort('blockedbyclient') : request.continue());
            });
            return page;
          }),
        );
        let rendered = 0;
        let next = 0;
        await Promise.all(
          pages.map(async (page) => {
            while (next < options.pages) {
              const index = next++;
              await page.goto(`${options.baseUrl}p/${index}`, {waitUntil: options.waitUntil, timeout: 30_000});
              // A string, because our tsconfig has no DOM lib.
              const facts = (await page.evaluate(
                '({title: document.title, links: Array.from(document.links, (a) => a.href)})',
              )) as {title: string; links: string[]};
              if (facts.title.endsWith(' [js]')) rendered++;
            }
          }),
        );
        return rendered;
      } finally {
        await browser.close();
      }
    });
  } finally {
    await rm(userDataDir, {recursive: true, force: true});
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const pages = Number(process.argv[2] ?? SITE_PAGES);
  const rounds = Number(process.argv[3] ?? 3);
  const chromium = findChromium();
  const site = await startSite(SITE_PAGES);
  const baseUrl = `${site.base}/`;
  const excludePid = site.child.pid;
  const configs: Array<{name: string; run: () => Promise<BrowserBenchResult>}> = [
    {name: 'ours 1x4 load', run: () => runBrowserBench({pages, browsers: 1, pagesPerBrowser: 4, baseUrl, excludePid})},
    {name: 'hand K=4 domcontentloaded', run: () => runHandLoop({pages, concurrency: 4, waitUntil: 'domcontentloaded', baseUrl, excludePid})},
    {name: 'ours 2x4 load', run: () => runBrowserBench({pages, browsers: 2, pagesPerBrowser: 4, baseUrl, excludePid})},
    {name: 'hand K=4 load', run: () => runHandLoop({pages, concurrency: 4, waitUntil: 'load', baseUrl, excludePid})},
    {
      name: 'ours 1x4 domcontentloaded',
      run: () => runBrowserBench({pages, browsers: 1, pagesPerBrowser: 4, baseUrl, excludePid, waitUntil: 'domcontentloaded'}),
    },
  ];
  const results = new Map<string, BrowserBenchResult[]>(configs.map((config) => [config.name, []]));
  try {
    console.log(`${chromium.version ?? 'unknown browser'} (${chromium.executablePath}, via ${chromium.source}); ${os.availableParallelism()} cores; ${pages} pages per run; ${rounds} rounds`);
    for (let round = 1; round <= rounds; round++) {
      for (const config of configs) {
        const result = await config.run();
        results.get(config.name)!.push(result);
        console.log(
          `round ${round} ${config.name.padEnd(28)} ${result.pagesPerSec.toFixed(1).padStart(6)} pages/s  ` +
            `${(result.peakRssBytes / 2 ** 20).toFixed(0).padStart(5)} MiB  ${result.cpuMsPerPage.toFixed(1).padStart(6)} CPU ms/page  ` +
            `rendered ${result.renderedPages}/${pages}`,
        );
      }
    }
  } finally {
    await stopSite(site.child);
  }
  const handDcl = median(results.get('hand K=4 domcontentloaded')!.map((r) => r.pagesPerSec));
  console.log('');
  console.log(
    `${'run'.padEnd(28)}${'pages/s median'.padStart(16)}${'range'.padStart(14)}${'vs hand dcl'.padStart(13)}` +
      `${'peak RSS MiB'.padStart(14)}${'CPU ms/page'.padStart(13)}${'rendered'.padStart(10)}`,
  );
  for (const [name, runs] of results) {
    const rates = runs.map((r) => r.pagesPerSec);
    const range = `${Math.min(...rates).toFixed(1)}-${Math.max(...rates).toFixed(1)}`;
    console.log(
      `${name.padEnd(28)}${median(rates).toFixed(1).padStart(16)}${range.padStart(14)}${(median(rates) / handDcl).toFixed(2).padStart(12)}x` +
        `${median(runs.map((r) => r.peakRssBytes / 2 ** 20)).toFixed(0).padStart(14)}` +
        `${median(runs.map((r) => r.cpuMsPerPage)).toFixed(1).padStart(13)}` +
        `${`${Math.min(...runs.map((r) => r.renderedPages))}/${pages}`.padStart(10)}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
