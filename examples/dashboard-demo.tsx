// The dashboard against a scripted engine: a busy node with two queues, an autoscaled browser
// pool, failing pages and a few crashes. Every key works: commands change the scripted state.
//
//   npx tsx examples/dashboard-demo.tsx
//
// Also a manual QA tool (try 80x24, resize, paste hostile text) and the source of screenshots.
import {runUi} from '../src/cli/run-ui.js';
import type {
  AddJobsRequest,
  EngineEvent,
  EngineSnapshot,
  EngineView,
  FailedGroupSummary,
  FailedJobSummary,
  FailedJobsQuery,
  PoolName,
  QueueName,
  SeriesPoint,
} from '../src/engine/contract.js';

const TICK_MS = 1000;
const POINTS = 600;
const startedAtMs = Date.now() - (3 * 3600 + 17 * 60) * 1000;

let seed = 7;
function random(): number {
  seed = (seed * 16807) % 2147483647;
  return (seed - 1) / 2147483646;
}

function push(points: SeriesPoint[], atMs: number, value: number): SeriesPoint[] {
  return [...points.slice(-(POINTS - 1)), {atMs, value}];
}

function history(now: number, make: (i: number) => number): SeriesPoint[] {
  return Array.from({length: 300}, (_, i) => ({atMs: now - (299 - i) * TICK_MS, value: make(i)}));
}

const ERRORS = [
  (url: string) => `HTTP 503 for ${url}`,
  (url: string) => `net::ERR_NAME_NOT_RESOLVED at ${url}`,
  () => `timed out after ${25_000 + Math.floor(random() * 10_000)} ms`,
  (url: string) => `HTTP 404 for ${url}`,
];

function signatureOf(error: string): string {
  return error
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/(?<!HTTP )\b\d+\b/g, '<n>');
}

class ScriptedEngine implements EngineView {
  #listeners = new Set<() => void>();
  #failed: FailedJobSummary[] = [];
  #events: EngineEvent[] = [];
  #jobNumber = 0;
  #snapshot: EngineSnapshot;
  #stopping: Promise<void> | undefined;

  constructor() {
    const now = Date.now();
    for (let i = 0; i < 180; i++) this.#fail(now - (180 - i) * 20_000);
    this.#failed.push({
      queue: 'scrape',
      id: 'j-hostile',
      url: 'https://evil.example/\u001b[2Jpage',
      title: 'Totally normal title\u001b]0;pwned\u0007\u001b[2J',
      error: 'extractor threw: \u001b[31mred alert\u001b[0m',
      attemptsMade: 1,
      attemptsMax: 1,
      failedAtMs: now - 4000,
      stack: 'Error: extractor threw\n    at extract (extractor.js:12:7)\n    at scrapePage (scrape-page.js:88:13)',
      data: {url: 'https://evil.example/page', kind: 'page', mode: 'browser', origin: 'manual'},
      createdAtMs: now - 60_000,
      processedAtMs: now - 9000,
    });
    this.#event(now - 90_000, 'info', 'started', 'node started: scrape concurrency 16, file workers 2');
    this.#event(now - 60_000, 'info', 'autoscale', 'autoscaler: cpu 41% < 60%: browsers 3 -> 4');
    this.#event(now - 40_000, 'warn', 'browser-crashed', 'browser 2 (pid 31337) crashed or disconnected; its jobs will be retried and a new browser launched');
    this.#event(now - 20_000, 'error', 'redis-unreachable', 'Redis: connect ECONNREFUSED 10.0.0.5:6379');
    this.#event(now - 18_000, 'info', 'redis-reconnected', 'Redis answers again');
    this.#snapshot = {
      takenAtMs: now,
      phase: 'running',
      mode: 'local',
      node: {id: 'scraper-1:4242', host: 'scraper-1', pid: 4242, startedAtMs, version: '0.1.0'},
      nodes: [
        {id: 'scraper-1:4242', host: 'scraper-1', pid: 4242, version: '0.1.0', phase: 'running', startedAtMs, lastSeenAtMs: now, isSelf: true},
        {id: 'scraper-2:981', host: 'scraper-2', pid: 981, version: '0.1.0', phase: 'running', startedAtMs, lastSeenAtMs: now, isSelf: false},
      ],
      redis: 'redis://:***@10.0.0.5:6379',
      queues: [
        {name: 'scrape', counts: {waiting: 104_211, prioritized: 1_250, active: 16, delayed: 37, completed: 481_902, failed: 0}, isPaused: false, completedSeries: history(now, (i) => 5 + Math.round(3 * Math.sin(i / 25) + random() * 2))},
        {name: 'file', counts: {waiting: 212, prioritized: 0, active: 2, delayed: 0, completed: 390_118, failed: 0}, isPaused: false, completedSeries: history(now, (i) => 4 + Math.round(2 * Math.sin(i / 30) + random()))},
      ],
      scrapeWorker: {concurrency: 16, active: 16, completed: 481_902, failed: 181},
      filePool: {size: 2, targetSize: 2, busy: 2, queued: 14, completed: 390_118, failed: 3, restarts: 0, isAuto: true, limits: {min: 1, max: 4}},
      browserPool: {
        size: 4,
        targetSize: 4,
        busy: 14,
        capacity: 16,
        waiting: 3,
        isAuto: true,
        limits: {min: 1, max: 8},
        restarts: 1,
        crashes: 1,
        rssBytes: 2.3 * 2 ** 30,
        lastDecision: {atMs: now - 60_000, from: 3, to: 4, reason: 'cpu 41% < 60%: browsers 3 -> 4', by: 'autoscaler'},
        growthBlocker: 'cpu 83% >= 80%',
      },
      throughput: [],
      resources: {
        series: {
          cpuRatio: history(now, (i) => Math.min(0.98, 0.6 + 0.25 * Math.sin(i / 20) + random() * 0.08)),
          memoryUsedRatio: history(now, (i) => 0.55 + i / 3000 + random() * 0.01),
          nodeRssBytes: history(now, (i) => (2.4 + 0.4 * Math.sin(i / 40)) * 2 ** 30),
          loopDelayP99Ms: history(now, () => 12 + random() * 30),
        },
        thresholds: {cpuHighRatio: 0.8, memoryHighRatio: 0.9, loopDelayHighMs: 200, nodeRssBytes: 3.5 * 2 ** 30},
        memoryTotalBytes: 7.6 * 2 ** 30,
      },
      failedJobs: [],
      failedGroups: [],
      events: [],
      problems: [],
    };
    this.#publish({});
    setInterval(() => this.#tick(), TICK_MS).unref();
  }

  #event(atMs: number, level: EngineEvent['level'], kind: string, message: string): void {
    this.#events = [...this.#events.slice(-199), {atMs, level, kind, message}];
  }

  #fail(atMs: number): void {
    const n = ++this.#jobNumber;
    const host = ['shop.example', 'news.example', 'cdn.example'][n % 3]!;
    const url = `https://${host}/item/${n}`;
    const error = ERRORS[Math.floor(random() * ERRORS.length)]!(url);
    this.#failed.unshift({
      queue: host === 'cdn.example' ? 'file' : 'scrape',
      id: `j${n.toString(36)}x${(n * 7919).toString(36)}`,
      url,
      error,
      attemptsMade: 3,
      attemptsMax: 3,
      failedAtMs: atMs,
      stack: `Error: ${error}\n    at fetchPage (http-fetch.js:41:11)\n    at async scrapePage (scrape-page.js:97:20)`,
      data: {url, kind: 'page', mode: 'http', origin: 'bulk', priority: 3500},
      createdAtMs: atMs - 90_000,
      processedAtMs: atMs - 30_000,
    });
  }

  #groups(): FailedGroupSummary[] {
    const groups = new Map<string, FailedGroupSummary>();
    for (const job of this.#failed) {
      const signature = signatureOf(job.error);
      const group = groups.get(signature);
      groups.set(
        signature,
        group
          ? {...group, count: group.count + 1, queues: group.queues.includes(job.queue) ? group.queues : [...group.queues, job.queue]}
          : {signature, sampleError: job.error, count: 1, queues: [job.queue], newestFailedAtMs: job.failedAtMs},
      );
    }
    return [...groups.values()];
  }

  #publish(partial: Partial<EngineSnapshot>): void {
    const failedBy = (queue: QueueName) => this.#failed.filter((job) => job.queue === queue).length;
    const base = {...this.#snapshot, ...partial};
    this.#snapshot = {
      ...base,
      queues: base.queues.map((queue) => ({...queue, counts: {...queue.counts, failed: failedBy(queue.name)}})),
      failedJobs: this.#failed.slice(0, 50),
      failedGroups: this.#groups(),
      events: this.#events,
    };
    for (const listener of this.#listeners) listener();
  }

  #tick(): void {
    const s = this.#snapshot;
    if (s.phase === 'stopped') return;
    const now = Date.now();
    const isDraining = s.phase === 'draining';
    const queues = s.queues.map((queue) => {
      const done = queue.isPaused || isDraining ? 0 : Math.max(0, Math.round((queue.name === 'scrape' ? 5 : 4) + random() * 4 - 2));
      const counts = queue.counts;
      return {
        ...queue,
        counts: {...counts, waiting: Math.max(0, counts.waiting - done + (queue.isPaused ? 0 : Math.round(random() * 5))), completed: counts.completed + done},
        completedSeries: push([...(queue.completedSeries ?? [])], now, done),
      };
    });
    if (random() < 0.15) this.#fail(now);
    const pool = s.browserPool!;
    let browserPool = {...pool, busy: Math.min(pool.capacity, Math.max(0, pool.busy + Math.round(random() * 4 - 2)))};
    const series = s.resources!.series;
    const lastCpu = series.cpuRatio[series.cpuRatio.length - 1]?.value ?? 0.5;
    const cpu = Math.max(0.05, Math.min(0.99, lastCpu + (random() - 0.5) * 0.12));
    if (browserPool.isAuto && random() < 0.05) {
      const to = cpu < 0.6 ? Math.min(8, browserPool.targetSize + 1) : Math.max(1, browserPool.targetSize - 1);
      if (to !== browserPool.targetSize) {
        const reason = cpu < 0.6 ? `cpu ${Math.round(cpu * 100)}% < 60%: browsers ${browserPool.targetSize} -> ${to}` : `cpu ${Math.round(cpu * 100)}% >= 80% for 10s: browsers ${browserPool.targetSize} -> ${to}`;
        browserPool = {...browserPool, targetSize: to, lastDecision: {atMs: now, from: browserPool.targetSize, to, reason, by: 'autoscaler'}};
        this.#event(now, 'info', 'autoscale', `autoscaler: ${reason}`);
      }
    }
    if (browserPool.size !== browserPool.targetSize) {
      const size = browserPool.size + Math.sign(browserPool.targetSize - browserPool.size);
      browserPool = {...browserPool, size, capacity: size * 4};
    }
    if (random() < 0.01) {
      browserPool = {...browserPool, crashes: browserPool.crashes + 1, restarts: browserPool.restarts + 1};
      this.#event(now, 'warn', 'browser-crashed', `browser ${browserPool.crashes + 2} crashed or disconnected; its jobs will be retried`);
    }
    browserPool = {...browserPool, ...(cpu >= 0.8 ? {growthBlocker: `cpu ${Math.round(cpu * 100)}% >= 80%`} : {growthBlocker: undefined})};
    const files = s.filePool;
    const filePool = files.size === files.targetSize ? files : {...files, size: files.targetSize};
    this.#publish({
      takenAtMs: now,
      queues,
      browserPool,
      filePool,
      resources: {
        ...s.resources!,
        series: {
          cpuRatio: push([...series.cpuRatio], now, cpu),
          memoryUsedRatio: push([...series.memoryUsedRatio], now, Math.min(0.95, (series.memoryUsedRatio.at(-1)?.value ?? 0.6) + (random() - 0.48) * 0.01)),
          nodeRssBytes: push([...series.nodeRssBytes], now, (2.2 + browserPool.size * 0.1 + random() * 0.2) * 2 ** 30),
          loopDelayP99Ms: push([...series.loopDelayP99Ms], now, 10 + random() * 40),
        },
      },
      nodes: s.nodes?.map((node) => ({...node, lastSeenAtMs: now})),
    });
  }

  getSnapshot = (): EngineSnapshot => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  async pauseQueue(queue: QueueName | 'all'): Promise<void> {
    this.#setPaused(queue, true);
  }

  async resumeQueue(queue: QueueName | 'all'): Promise<void> {
    this.#setPaused(queue, false);
  }

  #setPaused(queue: QueueName | 'all', isPaused: boolean): void {
    this.#event(Date.now(), 'info', isPaused ? 'paused' : 'resumed', `${queue} ${isPaused ? 'paused' : 'resumed'} by the operator`);
    this.#publish({queues: this.#snapshot.queues.map((q) => (queue === 'all' || q.name === queue ? {...q, isPaused} : q))});
  }

  async retryJob(queue: QueueName, jobId: string): Promise<void> {
    await this.retryJobs(queue, [jobId]);
  }

  async retryJobs(queue: QueueName, jobIds: readonly string[]): Promise<number> {
    return this.#take((job) => job.queue === queue && jobIds.includes(job.id), true);
  }

  async retryAll(queue: QueueName): Promise<number> {
    return this.#take((job) => job.queue === queue, true);
  }

  async retryFailedGroup(signature: string): Promise<number> {
    return this.#take((job) => signatureOf(job.error) === signature, true);
  }

  async removeJob(queue: QueueName, jobId: string): Promise<void> {
    await this.removeJobs(queue, [jobId]);
  }

  async removeJobs(queue: QueueName, jobIds: readonly string[]): Promise<number> {
    return this.#take((job) => job.queue === queue && jobIds.includes(job.id), false);
  }

  async removeFailedGroup(signature: string): Promise<number> {
    return this.#take((job) => signatureOf(job.error) === signature, false);
  }

  #take(matches: (job: FailedJobSummary) => boolean, isRetry: boolean): number {
    const taken = this.#failed.filter(matches);
    this.#failed = this.#failed.filter((job) => !matches(job));
    const queues = this.#snapshot.queues.map((queue) =>
      isRetry ? {...queue, counts: {...queue.counts, waiting: queue.counts.waiting + taken.filter((job) => job.queue === queue.name).length}} : queue,
    );
    this.#publish({queues});
    return taken.length;
  }

  async getFailedJobsPage(query: FailedJobsQuery) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    const text = query.text?.toLowerCase();
    const all = this.#failed.filter(
      (job) =>
        (query.signature === undefined || signatureOf(job.error) === query.signature) &&
        (text === undefined || (job.url ?? '').toLowerCase().includes(text) || job.error.toLowerCase().includes(text)),
    );
    return {jobs: all.slice(query.offset, query.offset + query.limit), total: all.length};
  }

  scaleFilePool(size: number): void {
    const files = this.#snapshot.filePool;
    this.#event(Date.now(), 'info', 'scale', `operator set files to ${size}: files ${files.targetSize} -> ${size}`);
    this.#publish({filePool: {...files, targetSize: size, lastDecision: {atMs: Date.now(), from: files.targetSize, to: size, reason: `operator set files to ${size}`, by: 'operator'}}});
  }

  async scaleBrowserPool(size: number): Promise<void> {
    const pool = this.#snapshot.browserPool!;
    const to = Math.max(pool.limits?.min ?? 1, Math.min(pool.limits?.max ?? size, size));
    const reason = `operator set browsers to ${to}, pinned: browsers ${pool.targetSize} -> ${to}`;
    this.#event(Date.now(), 'info', 'scale', reason);
    this.#publish({browserPool: {...pool, targetSize: to, isAuto: false, lastDecision: {atMs: Date.now(), from: pool.targetSize, to, reason, by: 'operator'}}});
  }

  async setAutoscale(pool: PoolName, isOn: boolean): Promise<void> {
    this.#event(Date.now(), 'info', 'autoscale', `operator turned autoscaling ${isOn ? 'on' : 'off'} for ${pool}`);
    if (pool === 'browsers') this.#publish({browserPool: {...this.#snapshot.browserPool!, isAuto: isOn}});
    else this.#publish({filePool: {...this.#snapshot.filePool, isAuto: isOn}});
  }

  async addJobs(request: AddJobsRequest) {
    if (request.urls.some((url) => url.includes('blocked'))) throw new Error('robots.txt of that site disallows crawling it');
    const scrape = this.#snapshot.queues.find((queue) => queue.name === 'scrape')!;
    const duplicates = request.urls.filter((url) => url.endsWith('/dup')).length;
    const added = request.urls.length - duplicates;
    this.#event(Date.now(), 'info', 'added', `operator added ${added} ${request.crawl ? 'crawl(s)' : 'page(s)'}`);
    this.#publish({queues: this.#snapshot.queues.map((q) => (q === scrape ? {...q, counts: {...q.counts, prioritized: q.counts.prioritized + added}} : q))});
    return {added, duplicates};
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#publish({phase: 'draining'});
      await new Promise((resolve) => setTimeout(resolve, 2500));
      this.#publish({phase: 'stopped'});
    })();
    return this.#stopping;
  }
}

await runUi(new ScriptedEngine());
process.stdout.write('dashboard demo: stopped\n');
