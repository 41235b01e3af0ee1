// HTTP-mode crawl throughput of the whole pipeline: enqueue -> scrape worker (fetch, extract,
// claim links in Redis, add children) -> file queue -> file pool writes the result JSON.
// A private redis-server and the shared site run as children on loopback; both are stopped by PID.
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {pathToFileURL} from 'node:url';
import {resolveSettings} from '../src/config/resolve.js';
import {createEngine} from '../src/engine/create-engine.js';
import {addCrawls} from '../src/engine/enqueue.js';
import {packageRoot} from '../src/version.js';

export interface HttpThroughputRun {
  readonly pages: number;
  readonly concurrency: number;
  /** Pages scraped per second (scrape jobs completed). */
  readonly pagesPerSec: number;
  /** Pages per second until every result file was written too. */
  readonly pagesPerSecWithFiles: number;
  readonly cpuMsPerPage: number;
  readonly peakRssBytes: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function firstLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  const lines = createInterface({input: child.stdout!});
  for await (const line of lines) if (pattern.test(line)) return line;
  throw new Error('child exited before it was ready');
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startBenchServices(
  sitePages: number,
  latencyMs: number,
): Promise<{siteUrl: string; sitePid: number; redisUrl: string; redisPid: number; stop(): Promise<void>}> {
  const siteScript = path.resolve(packageRoot(), '..', 'shared', 'site', 'server.cjs');
  const site = spawn(process.execPath, [siteScript, '--port', '0', '--pages', String(sitePages), '--latency-ms', String(latencyMs)], {stdio: ['ignore', 'pipe', 'inherit']});
  const siteUrl = /site: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(await firstLine(site, /^site: /))![1]!;
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {stdio: ['ignore', 'pipe', 'inherit']});
  await firstLine(redis, /Ready to accept connections/);
  return {
    siteUrl,
    sitePid: site.pid!,
    redisUrl: `redis://127.0.0.1:${port}`,
    redisPid: redis.pid!,
    stop: async () => void (await Promise.all([stop(site), stop(redis)])),
  };
}

export async function runHttpThroughput(options: {siteUrl: string; redisUrl: string; pages: number; concurrency: number; fileWorkers?: number}): Promise<HttpThroughputRun> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'crawler-tui-bench-'));
  const settings = resolveSettings({
    store: null,
    env: {},
    flags: {
      'redis.url': {value: options.redisUrl, source: 'bench'},
      'redis.prefix': {value: `bench${Math.random().toString(36).slice(2, 8)}`, source: 'bench'},
      dataDir: {value: dataDir, source: 'bench'},
      'scrape.concurrency': {value: options.concurrency, source: 'bench'},
      'files.workers': {value: options.fileWorkers ?? 2, source: 'bench'},
      // Pages only: the media of the site would turn this into a download benchmark.
      'scrape.downloadMedia': {value: false, source: 'bench'},
      'log.level': {value: 'silent', source: 'bench'},
    },
  });
  const engine = await createEngine(settings);
  const [crawl] = await addCrawls(engine.backend, [options.siteUrl], {
    mode: 'http',
    origin: 'manual',
    maxPages: options.pages,
    maxDepth: 100,
    include: [],
    exclude: [],
    sameOrigin: true,
  });
  let scraped = 0;
  let peakRssBytes = 0;
  const rssTimer = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss)), 100);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  let scrapedAt = 0;
  const allScraped = new Promise<void>((resolve) =>
    engine.on('job-completed', ({queue}) => {
      if (queue === 'scrape' && ++scraped === options.pages) {
        scrapedAt = performance.now();
        resolve();
      }
    }),
  );
  engine.start();
  await allScraped;
  // Every result file written: poll the directory (the file queue drains right behind).
  const resultsDir = path.join(dataDir, 'results', crawl!.crawlId);
  for (;;) {
    let files = 0;
    try {
      files = readdirSync(resultsDir).filter((name) => name.endsWith('.json')).length;
    } catch {
      // not created yet
    }
    if (files >= options.pages) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const filesAt = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(rssTimer);
  await engine.stop();
  rmSync(dataDir, {recursive: true, force: true});
  return {
    pages: options.pages,
    concurrency: options.concurrency,
    pagesPerSec: options.pages / ((scrapedAt - startedAt) / 1000),
    pagesPerSecWithFiles: options.pages / ((filesAt - startedAt) / 1000),
    cpuMsPerPage: (cpu.user + cpu.system) / 1000 / options.pages,
    peakRssBytes,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const services = await startBenchServices(1000, 0);
  try {
    for (let round = 1; round <= 3; round++) {
      const run = await runHttpThroughput({...services, pages: 500, concurrency: 16});
      console.log(`round ${round}: ${run.pagesPerSec.toFixed(0)} pages/s scraped, ${run.pagesPerSecWithFiles.toFixed(0)} with results written, ${run.cpuMsPerPage.toFixed(1)} ms CPU/page`);
    }
  } finally {
    await services.stop();
  }
}
