import {EventEmitter} from 'node:events';
import {hostname} from 'node:os';
import {UnrecoverableError, WaitingError, Worker, type Job} from 'bullmq';
import type {Settings} from '../config/settings.js';
import type {
  AddJobsOutcome,
  AddJobsRequest,
  BrowserPoolSummary,
  FailedGroupSummary,
  FailedJobsPage,
  FailedJobsQuery,
  OperatorCommands,
  PoolName,
  ResourcesSummary,
  ScaleDecisionSummary,
  EngineEvent,
  EngineProblem,
  EngineSnapshot,
  EngineView,
  FailedJobSummary,
  QueueName,
  QueueSummary,
  SeriesPoint,
} from './contract.js';
import {openBackend, type Backend} from './backend.js';
import {listenForControl, type ControlCommand} from './fleet/control.js';
import {readHeartbeats, removeHeartbeat, writeHeartbeat, type NodeHeartbeat} from './fleet/heartbeat.js';
import {ResourceMonitor, type ResourceSample} from './monitor/resource-monitor.js';
import {PoolAutoscaler, type PoolScalingState} from './monitor/pool-autoscaler.js';
import {createRedisClient} from './queue/connection.js';
import {RobotsCache} from './crawl/robots.js';
import {FilePool} from './files/file-pool.js';
import type {FileTask, FileTaskResult} from './files/file-tasks.js';
import {InvalidJobError, parseScrapeJobData, type ScrapeJobData} from './jobs.js';
import {QUEUE_NAMES, failedJobsPage} from './queue/queues.js';
import {addCrawls, addPages} from './enqueue.js';
import {totalmem} from 'node:os';
import {closeHttpAgents} from './scrape/http-fetch.js';
import {PermanentScrapeError, RetryableScrapeError, ScrapeTimeoutError} from './scrape/scrape-errors.js';
import {scrapePage, type ScrapeDependencies, type ScrapeJobOutcome} from './scrape/scrape-page.js';
import {BrowserPool, defaultPoolSize, type BrowserPoolStats} from './browser/browser-pool.js';
import {reapOrphanedBrowsers} from './browser/chromium-processes.js';
import {findChromium, type ChromiumInfo} from './browser/find-chromium.js';
import {DEFAULT_BLOCK_RESOURCE_TYPES} from './browser/browser-fetch.js';
import {loadExtractor, type Extractor} from './scrape/extractor.js';
import {join} from 'node:path';
import {VERSION} from '../version.js';

/** Typed events of a running engine, for embedding services and the headless log. */
export interface EngineEvents {
  'job-completed': [{queue: QueueName; jobId: string; url?: string; durationMs: number; outcome?: ScrapeJobOutcome}];
  'job-failed': [{queue: QueueName; jobId: string; url?: string; error: string; attemptsMade: number; isFinal: boolean}];
  'job-stalled': [{queue: QueueName; jobId: string}];
  event: [EngineEvent];
  change: [];
}

const SHUTDOWN_REASON = 'crawler-tui: shutting down';
const THROUGHPUT_POINTS = 600;
const EVENTS_KEPT = 200;
const HEARTBEAT_INTERVAL_MS = 2000;
/** A node that missed this many intervals of heartbeats is gone (killed, frozen, partitioned). */
const HEARTBEAT_TTL_MS = 5 * HEARTBEAT_INTERVAL_MS;

/**
 * A scraping node: the scrape and file workers, the file pool, and the snapshot the dashboard
 * and headless log read. `createEngine` connects; `start()` begins taking jobs; `stop()` drains.
 */
export class Engine extends EventEmitter<EngineEvents> implements EngineView, OperatorCommands {
  readonly backend: Backend;
  readonly settings: Settings;
  readonly #filePool: FilePool;
  readonly #robots: RobotsCache;
  readonly #active = new Map<string, AbortController>();
  readonly #startedAtMs = Date.now();
  #scrapeWorker: Worker | undefined;
  #fileWorker: Worker | undefined;
  #phase: EngineSnapshot['phase'] = 'starting';
  #snapshot: EngineSnapshot;
  #listeners = new Set<() => void>();
  #queueSummaries: QueueSummary[] = [];
  #failedJobs: FailedJobSummary[] = [];
  #events: EngineEvent[] = [];
  #problems: EngineProblem[] = [];
  #throughput: SeriesPoint[] = [];
  #completedSinceTick = 0;
  #scrapeCompleted = 0;
  #scrapeFailed = 0;
  #statsTimer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  #stopControl: (() => Promise<void>) | undefined;
  #subscriber: ReturnType<typeof createRedisClient> | undefined;
  readonly monitor = new ResourceMonitor();
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #fleet: NodeHeartbeat[] = [];
  #lastDecisions: Partial<Record<PoolName, ScaleDecisionSummary>> = {};

  readonly #browserPool: BrowserPool | undefined;
  readonly #browserProblem: string | undefined;
  readonly chromium: ChromiumInfo | undefined;
  readonly #extractor: Extractor | undefined;
  readonly autoscaler: PoolAutoscaler;

  constructor(backend: Backend, settings: Settings, parts: EngineParts = {}) {
    super();
    this.backend = backend;
    this.settings = settings;
    this.#browserPool = parts.browserPool;
    this.#browserProblem = parts.browserProblem;
    this.chromium = parts.chromium;
    this.#extractor = parts.extractor;
    const pool = parts.browserPool;
    const maxBrowsers = pool ? pool.stats().capacity / settings.browser.pagesPerBrowser : 0;
    this.autoscaler = new PoolAutoscaler({
      monitor: this.monitor,
      isEnabled: settings.autoscale.enabled,
      config: {pagesPerBrowser: settings.browser.pagesPerBrowser, memoryHighRatio: settings.monitor.memoryThresholdRatio},
      initial: {
        files: {size: settings.files.workers, limits: {min: 1, max: Math.max(settings.files.workers, settings.files.maxWorkers)}},
        ...(pool ? {browsers: {size: settings.autoscale.enabled ? 1 : maxBrowsers, limits: {min: 1, max: maxBrowsers}}} : {}),
      },
      pools: {
        files: {
          busy: () => this.#filePool.stats().busy,
          backlog: () => this.#waitingIn('file') + this.#filePool.stats().queued,
          resize: (size) => this.#resizeFilePool(size),
        },
        ...(pool
          ? {
              browsers: {
                busy: () => pool.stats().inUse,
                backlog: () => this.#waitingIn('scrape'),
                resize: (size) => {
                  pool.resize(size);
                  if (this.#scrapeWorker) this.#scrapeWorker.concurrency = Math.max(settings.scrape.concurrency, pool.capacity);
                },
              },
            }
          : {}),
      },
      onChange: ({pool: name, from, to, reason, byOperator}) => {
        this.#lastDecisions[name] = {atMs: Date.now(), from, to, reason, by: byOperator ? 'operator' : 'autoscaler'};
        this.#event('info', 'scale', byOperator ? reason : `autoscaler: ${reason}`);
      },
    });
    if (pool && settings.autoscale.enabled) pool.resize(1);
    pool?.on('browser-launched', ({id, pid, launchMs}) => this.#event('info', 'browser-launched', `browser ${id} launched (pid ${pid ?? '?'}, ${launchMs} ms)`));
    pool?.on('browser-retired', ({id, reason}) => this.#event('info', 'browser-retired', `browser ${id} retired (${reason})`));
    pool?.on('browser-crashed', ({id, pid}) =>
      this.#event('warn', 'browser-crashed', `browser ${id} (pid ${pid ?? '?'}) crashed or disconnected; its jobs will be retried and a new browser launched`),
    );
    this.#filePool = new FilePool({size: settings.files.workers});
    this.#robots = new RobotsCache(this.#fetchSettings());
    this.#snapshot = this.#buildSnapshot();
  }

  #fetchSettings(): ScrapeDependencies['fetch'] & {totalTimeoutMs: number} {
    const scrape = this.settings.scrape;
    return {
      connectTimeoutMs: scrape.connectTimeoutMs,
      totalTimeoutMs: Math.min(scrape.timeoutMs, 30_000),
      maxRedirects: scrape.maxRedirects,
      maxBodyBytes: scrape.maxBodyBytes,
      userAgent: scrape.userAgent,
    };
  }

  /** Starts taking jobs from both queues. */
  start(): void {
    if (this.#scrapeWorker) return;
    const {settings, backend} = this;
    const workerOptions = {
      connection: backend.client,
      prefix: backend.keyPrefix,
      lockDuration: settings.queue.lockMs,
      stalledInterval: Math.max(1000, Math.floor(settings.queue.lockMs / 2)),
      // A page that stalls a node more than this often is a page that kills nodes: fail it.
      maxStalledCount: 5,
    };
    this.#scrapeWorker = new Worker('scrape', (job, token) => this.#processScrape(job, token), {
      ...workerOptions,
      // HTTP jobs run scrape.concurrency at once; browser jobs also wait for a page of the pool,
      // so the worker takes at least as many jobs as the pool can render.
      concurrency: Math.max(settings.scrape.concurrency, this.#browserPool?.capacity ?? 0),
      settings: {backoffStrategy: (attemptsMade, _type, error) => retryDelayMs(attemptsMade, settings.scrape.backoffMs, error)},
    });
    this.#fileWorker = new Worker('file', (job, token) => this.#processFile(job, token), {
      ...workerOptions,
      concurrency: this.#filePool.stats().size,
    });
    for (const [queue, worker] of [['scrape', this.#scrapeWorker], ['file', this.#fileWorker]] as const) {
      worker.on('completed', (job, result) => this.#onCompleted(queue, job, result));
      worker.on('failed', (job, error) => {
        if (job) this.#onFailed(queue, job, error);
      });
      worker.on('stalled', (jobId) => {
        this.emit('job-stalled', {queue, jobId});
        this.#event('warn', 'stalled', `${queue} job ${jobId} stalled (its node died or hung); it was returned to the queue`);
      });
      worker.on('error', (error) => this.#reportProblem('redis-unreachable', `${queue} worker: ${error.message}`));
    }
    this.#phase = 'running';
    this.#event('info', 'started', `node started: scrape concurrency ${settings.scrape.concurrency}, file workers ${settings.files.workers}`);
    void this.#listenForControl();
    this.monitor.start();
    this.autoscaler.start();
    this.#heartbeatTimer = setInterval(() => void this.#beat(), HEARTBEAT_INTERVAL_MS);
    this.#heartbeatTimer.unref();
    void this.#beat();
    this.#statsTimer = setInterval(() => void this.#refreshStats(), 1000);
    this.#statsTimer.unref();
    void this.#refreshStats();
  }

  get nodeId(): string {
    return `${hostname()}:${process.pid}`;
  }

  /** This node's heartbeat, as `status` and the fleet view read it. */
  heartbeat(): NodeHeartbeat {
    const snapshot = this.#snapshot;
    const sample: ResourceSample | undefined = this.monitor.window.latest();
    return {
      id: this.nodeId,
      host: hostname(),
      pid: process.pid,
      version: VERSION,
      startedAtMs: this.#startedAtMs,
      atMs: Date.now(),
      phase: this.#phase,
      pools: {
        files: {size: snapshot.filePool.size, targetSize: snapshot.filePool.targetSize, busy: snapshot.filePool.busy, isAuto: false},
        scrape: {concurrency: snapshot.scrapeWorker.concurrency, active: snapshot.scrapeWorker.active},
      },
      ...(sample
        ? {resources: {cpuRatio: sample.cpuRatio, memoryUsedRatio: sample.memoryUsedRatio, nodeRssBytes: sample.nodeRssBytes, loopDelayP99Ms: sample.loopDelayP99Ms}}
        : {}),
      completed: snapshot.scrapeWorker.completed,
      failed: snapshot.scrapeWorker.failed,
    };
  }

  /** Every node of the fleet with a live heartbeat (this one included), as last read. */
  get fleet(): readonly NodeHeartbeat[] {
    return this.#fleet;
  }

  async #beat(): Promise<void> {
    try {
      await writeHeartbeat(this.backend.client, this.backend.keyPrefix, this.heartbeat(), HEARTBEAT_TTL_MS);
      this.#fleet = await readHeartbeats(this.backend.client, this.backend.keyPrefix);
    } catch {
      // Redis trouble is reported by the stats refresh; a missed beat only ages the heartbeat.
    }
  }

  async #listenForControl(): Promise<void> {
    this.#subscriber = createRedisClient(this.backend.target, {name: `crawler-tui:${process.pid}:control`});
    this.#subscriber.on('error', () => undefined);
    try {
      this.#stopControl = await listenForControl(this.#subscriber, this.backend.keyPrefix, this.nodeId, (command) => this.#onControl(command));
    } catch (error) {
      this.#event('warn', 'control', `cannot listen for operator commands: ${(error as Error).message}`);
    }
  }

  #onControl(command: ControlCommand): void {
    if (command.command !== 'scale') return;
    this.autoscaler.override(command.pool, command.size === 'auto' ? {kind: 'unpin'} : {kind: 'set-size', size: command.size});
  }

  #waitingIn(queue: QueueName): number {
    const counts = this.#queueSummaries.find((summary) => summary.name === queue)?.counts;
    return counts ? counts.waiting + counts.prioritized : 0;
  }

  #resizeFilePool(size: number): void {
    this.#filePool.resize(size);
    if (this.#fileWorker) this.#fileWorker.concurrency = size;
  }

  /** A pool's autoscaling state (size, limits, pinned, why it does not grow, last reason). */
  scalingState(pool: 'files' | 'browsers'): PoolScalingState | undefined {
    return this.autoscaler.state(pool);
  }

  async #processScrape(job: Job, token: string | undefined): Promise<ScrapeJobOutcome> {
    let data: ScrapeJobData;
    try {
      data = parseScrapeJobData(job.data);
    } catch (error) {
      throw new UnrecoverableError(`bad job payload: ${(error as Error).message}`);
    }
    const jobId = String(job.id);
    const controller = new AbortController();
    this.#active.set(jobId, controller);
    const timeoutMs = this.settings.scrape.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    // The job's clock starts when its work starts (in browser mode: once it has a page).
    const startTimer = () => {
      timer ??= setTimeout(() => controller.abort(new ScrapeTimeoutError(`timed out after ${timeoutMs} ms`)), timeoutMs);
    };
    try {
      return await scrapePage(jobId, data, this.#scrapeDependencies(), controller.signal, timeoutMs, startTimer);
    } catch (error) {
      throw await this.#translateError(job, token, controller.signal, error);
    } finally {
      clearTimeout(timer);
      this.#active.delete(jobId);
    }
  }

  async #processFile(job: Job, token: string | undefined): Promise<FileTaskResult> {
    const jobId = `file:${String(job.id)}`;
    const controller = new AbortController();
    this.#active.set(jobId, controller);
    try {
      return await this.#filePool.run(job.data as FileTask, controller.signal);
    } catch (error) {
      throw await this.#translateError(job, token, controller.signal, error);
    } finally {
      this.#active.delete(jobId);
    }
  }

  /** Maps a processor error to what BullMQ should do: retry, fail now, or put the job back. */
  async #translateError(job: Job, token: string | undefined, signal: AbortSignal, error: unknown): Promise<Error> {
    if (signal.aborted && signal.reason === SHUTDOWN_REASON) {
      // Shutdown grace ran out: the job goes back to the queue without using an attempt.
      await job.moveToWait(token);
      return new WaitingError();
    }
    const cause = signal.aborted && signal.reason instanceof Error ? signal.reason : error;
    if (cause instanceof PermanentScrapeError || cause instanceof InvalidJobError) return new UnrecoverableError(cause.message);
    // The file worker reports a media URL that answered 4xx as "HTTP 404 for <url>": retrying
    // cannot help (but 408 and 429 can).
    if (cause instanceof Error && /^HTTP 4(?!08|29)\d\d\b/.test(cause.message)) return new UnrecoverableError(cause.message);
    if (cause instanceof Error) return cause;
    return new Error(String(cause));
  }

  #scrapeDependencies(): ScrapeDependencies {
    const {settings, backend} = this;
    return {
      dataDir: settings.dataDir,
      queues: backend.queues,
      frontier: backend.frontier,
      robots: this.#robots,
      fetch: this.#fetchSettings(),
      respectRobots: settings.scrape.respectRobots,
      downloadMedia: settings.scrape.downloadMedia,
      nonHtml: settings.scrape.nonHtml,
      maxMediaBytes: settings.files.maxMediaBytes,
      fileTimeoutMs: settings.files.timeoutMs,
      ...(this.#browserPool
        ? {
            browser: {
              pool: this.#browserPool,
              fetchOptions: {
                waitUntil: settings.browser.waitUntil,
                blockResourceTypes: parseResourceTypes(settings.browser.blockResourceTypes),
                userAgent: settings.scrape.userAgent,
              },
            },
          }
        : {}),
      ...(this.#browserProblem ? {browserProblem: this.#browserProblem} : {}),
      ...(this.#extractor ? {extractor: this.#extractor} : {}),
    };
  }

  /** The browser pool's state, or undefined when this node has none. */
  browserPoolStats(): BrowserPoolStats | undefined {
    return this.#browserPool?.stats();
  }

  #onCompleted(queue: QueueName, job: Job, result: unknown): void {
    const durationMs = (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now());
    const url = (job.data as {url?: string}).url;
    if (queue === 'scrape') {
      this.#completedSinceTick++;
      this.#scrapeCompleted++;
      const crawlId = (job.data as ScrapeJobData).crawl?.crawlId;
      if (crawlId) void this.backend.frontier.recordOutcome(crawlId, 'done').catch(() => undefined);
    }
    this.emit('job-completed', {queue, jobId: String(job.id), url, durationMs, outcome: queue === 'scrape' ? (result as ScrapeJobOutcome) : undefined});
  }

  #onFailed(queue: QueueName, job: Job, error: Error): void {
    if (error instanceof WaitingError || error.name === 'WaitingError') return;
    const attempts = job.opts.attempts ?? 1;
    const isFinal = error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    const url = (job.data as {url?: string}).url;
    if (queue === 'scrape' && isFinal) {
      this.#scrapeFailed++;
      const crawlId = (job.data as ScrapeJobData).crawl?.crawlId;
      if (crawlId) void this.backend.frontier.recordOutcome(crawlId, 'failed').catch(() => undefined);
    }
    this.emit('job-failed', {queue, jobId: String(job.id), url, error: error.message, attemptsMade: job.attemptsMade, isFinal});
  }

  #event(level: EngineEvent['level'], kind: string, message: string): void {
    const event = {atMs: Date.now(), level, kind, message};
    this.#events = [...this.#events.slice(-(EVENTS_KEPT - 1)), event];
    this.emit('event', event);
    this.#publish();
  }

  #reportProblem(kind: EngineProblem['kind'], message: string): void {
    if (this.#problems.some((problem) => problem.kind === kind)) return;
    this.#problems = [...this.#problems, {kind, message, sinceMs: Date.now()}];
    this.#event('error', kind, message);
  }

  async #refreshStats(): Promise<void> {
    try {
      this.#queueSummaries = await this.backend.queues.summaries();
      const failedTotal = this.#queueSummaries.reduce((sum, queue) => sum + queue.counts.failed, 0);
      if (failedTotal !== this.#failedJobs.length || failedTotal > 0) this.#failedJobs = await this.backend.queues.failedJobs(50);
      if (this.#problems.some((problem) => problem.kind === 'redis-unreachable')) {
        this.#problems = this.#problems.filter((problem) => problem.kind !== 'redis-unreachable');
        this.#event('info', 'redis-reconnected', 'Redis answers again');
      }
    } catch (error) {
      this.#reportProblem('redis-unreachable', `Redis: ${(error as Error).message}`);
    }
    this.#throughput = [...this.#throughput.slice(-(THROUGHPUT_POINTS - 1)), {atMs: Date.now(), value: this.#completedSinceTick}];
    this.#completedSinceTick = 0;
    this.#publish();
  }

  #browserPoolSummary(): BrowserPoolSummary | undefined {
    const pool = this.#browserPool;
    const scaling = this.autoscaler?.state('browsers');
    if (!pool || !scaling) return undefined;
    const stats = pool.stats();
    const alive = stats.browsers.filter((browser) => browser.state !== 'closed');
    return {
      size: alive.length,
      targetSize: scaling.size,
      busy: stats.inUse,
      capacity: stats.capacity,
      waiting: stats.waiting,
      isAuto: !scaling.isPinned,
      limits: scaling.limits,
      restarts: stats.restarts,
      crashes: stats.crashes,
      rssBytes: alive.reduce((sum, browser) => sum + browser.rssBytes, 0),
      ...(this.#lastDecisions.browsers ? {lastDecision: this.#lastDecisions.browsers} : {}),
      ...(scaling.blocker ? {growthBlocker: scaling.blocker} : {}),
    };
  }

  #resourcesSummary(): ResourcesSummary {
    const samples = this.monitor.window.since(600_000);
    const series = (value: (sample: ResourceSample) => number) => samples.map((sample) => ({atMs: sample.atMs, value: value(sample)}));
    return {
      series: {
        cpuRatio: series((sample) => sample.cpuRatio),
        memoryUsedRatio: series((sample) => sample.memoryUsedRatio),
        nodeRssBytes: series((sample) => sample.nodeRssBytes),
        loopDelayP99Ms: series((sample) => sample.loopDelayP99Ms),
      },
      thresholds: {cpuHighRatio: 0.8, memoryHighRatio: this.settings.monitor.memoryThresholdRatio, loopDelayHighMs: 50},
      memoryTotalBytes: totalmem(),
    };
  }

  #failedGroups(): FailedGroupSummary[] {
    const groups = new Map<string, {sampleError: string; count: number; queues: Set<QueueName>; newest: number | undefined}>();
    for (const job of this.#failedJobs) {
      const signature = job.signature ?? job.error;
      const group = groups.get(signature) ?? {sampleError: job.error, count: 0, queues: new Set<QueueName>(), newest: undefined};
      group.count++;
      group.queues.add(job.queue);
      group.newest = Math.max(group.newest ?? 0, job.failedAtMs ?? 0) || undefined;
      groups.set(signature, group);
    }
    return [...groups].map(([signature, group]) => ({
      signature,
      sampleError: group.sampleError,
      count: group.count,
      queues: [...group.queues],
      newestFailedAtMs: group.newest,
    }));
  }

  #buildSnapshot(): EngineSnapshot {
    const pool = this.#filePool.stats();
    const fileScaling = this.autoscaler?.state('files');
    const browserPool = this.#browserPoolSummary();
    return {
      mode: 'local',
      nodes: this.#fleet.map((node) => ({
        id: node.id,
        host: node.host,
        pid: node.pid,
        version: node.version,
        phase: node.phase,
        startedAtMs: node.startedAtMs,
        lastSeenAtMs: node.atMs,
        isSelf: node.id === this.nodeId,
      })),
      ...(browserPool ? {browserPool} : {}),
      resources: this.#resourcesSummary(),
      failedGroups: this.#failedGroups(),
      takenAtMs: Date.now(),
      phase: this.#phase,
      node: {id: this.nodeId, host: hostname(), pid: process.pid, startedAtMs: this.#startedAtMs, version: VERSION},
      redis: this.backend.target.display,
      queues: this.#queueSummaries,
      scrapeWorker: {
        concurrency: this.settings.scrape.concurrency,
        active: [...this.#active.keys()].filter((id) => !id.startsWith('file:')).length,
        completed: this.#scrapeCompleted,
        failed: this.#scrapeFailed,
      },
      filePool: {
        size: pool.size,
        targetSize: pool.targetSize,
        busy: pool.busy,
        queued: pool.queued,
        completed: pool.completed,
        failed: pool.failed,
        restarts: pool.restarts,
        ...(fileScaling ? {isAuto: !fileScaling.isPinned, limits: fileScaling.limits} : {}),
        ...(this.#lastDecisions.files ? {lastDecision: this.#lastDecisions.files} : {}),
        ...(fileScaling?.blocker ? {growthBlocker: fileScaling.blocker} : {}),
      },
      throughput: this.#throughput,
      failedJobs: this.#failedJobs,
      events: this.#events,
      problems: this.#problems,
    };
  }

  #publish(): void {
    this.#snapshot = this.#buildSnapshot();
    for (const listener of this.#listeners) listener();
    this.emit('change');
  }

  getSnapshot = (): EngineSnapshot => this.#snapshot;

  subscribe = (onChange: () => void): (() => void) => {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  };

  async pauseQueue(queue: QueueName | 'all'): Promise<void> {
    await this.backend.queues.pause(queue === 'all' ? QUEUE_NAMES : [queue]);
    void this.#refreshStats();
  }

  async resumeQueue(queue: QueueName | 'all'): Promise<void> {
    await this.backend.queues.resume(queue === 'all' ? QUEUE_NAMES : [queue]);
    void this.#refreshStats();
  }

  async retryJob(queue: QueueName, jobId: string): Promise<void> {
    const job = await this.backend.queues.byName(queue).getJob(jobId);
    if (job) await job.retry('failed');
    void this.#refreshStats();
  }

  async retryAll(): Promise<number> {
    const count = await this.backend.queues.retryAllFailed();
    void this.#refreshStats();
    return count;
  }

  async removeJob(queue: QueueName, jobId: string): Promise<void> {
    await this.backend.queues.byName(queue).remove(jobId);
    void this.#refreshStats();
  }

  scaleFilePool(size: number): void {
    this.autoscaler.override('files', {kind: 'set-size', size});
  }

  scaleBrowserPool(size: number): void {
    this.autoscaler.override('browsers', {kind: 'set-size', size});
  }

  setAutoscale(pool: PoolName, isOn: boolean): void {
    this.autoscaler.override(pool, isOn ? {kind: 'unpin'} : {kind: 'pin'});
  }

  async addJobs(request: AddJobsRequest): Promise<AddJobsOutcome> {
    const mode = request.mode ?? this.settings.scrape.mode;
    if (request.crawl) {
      const crawls = await addCrawls(this.backend, request.urls, {
        mode,
        origin: 'manual',
        maxPages: request.crawl.maxPages ?? this.settings.crawl.maxPages,
        maxDepth: request.crawl.maxDepth ?? this.settings.crawl.maxDepth,
        include: request.crawl.include ?? [],
        exclude: request.crawl.exclude ?? [],
        sameOrigin: request.crawl.sameOrigin ?? true,
      });
      this.#event('info', 'added', `crawl${crawls.length > 1 ? 's' : ''} started: ${crawls.map((crawl) => crawl.url).join(', ')}`);
      return {added: crawls.length, duplicates: 0};
    }
    const outcome = await addPages(this.backend, request.urls, {mode, origin: 'manual'});
    this.#event('info', 'added', `${outcome.added} page(s) added, ${outcome.duplicates} already queued`);
    return {added: outcome.added, duplicates: outcome.duplicates};
  }

  async retryJobs(queue: QueueName, jobIds: readonly string[]): Promise<number> {
    let count = 0;
    for (const id of jobIds) {
      const job = await this.backend.queues.byName(queue).getJob(id);
      if (job && (await job.isFailed())) {
        await job.retry('failed');
        count++;
      }
    }
    void this.#refreshStats();
    return count;
  }

  async removeJobs(queue: QueueName, jobIds: readonly string[]): Promise<number> {
    let count = 0;
    for (const id of jobIds) count += await this.backend.queues.byName(queue).remove(id);
    void this.#refreshStats();
    return count;
  }

  async #jobsOfGroup(signature: string): Promise<Array<{queue: QueueName; id: string}>> {
    const page = await failedJobsPage(this.backend.queues, {offset: 0, limit: 100_000, signature});
    return page.jobs.map((job) => ({queue: job.queue, id: job.id}));
  }

  async retryFailedGroup(signature: string): Promise<number> {
    let count = 0;
    for (const {queue, id} of await this.#jobsOfGroup(signature)) count += await this.retryJobs(queue, [id]);
    return count;
  }

  async removeFailedGroup(signature: string): Promise<number> {
    let count = 0;
    for (const {queue, id} of await this.#jobsOfGroup(signature)) count += await this.removeJobs(queue, [id]);
    return count;
  }

  getFailedJobsPage(query: FailedJobsQuery): Promise<FailedJobsPage> {
    return failedJobsPage(this.backend.queues, query);
  }

  /** Resolves when nothing is waiting, delayed or active in either queue (checked twice, 500 ms apart). */
  async waitUntilIdle(signal?: AbortSignal): Promise<void> {
    let quietChecks = 0;
    while (!signal?.aborted) {
      const pending = await this.backend.queues.pendingCount().catch(() => 1);
      quietChecks = pending === 0 && this.#active.size === 0 ? quietChecks + 1 : 0;
      if (quietChecks >= 2) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /**
   * Graceful stop: take no new jobs, let active ones finish for up to `shutdown.graceMs`, then
   * abort the rest and put them back in their queue. Calling it again returns the same promise.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#phase = 'draining';
    this.#publish();
    const workers = [this.#scrapeWorker, this.#fileWorker].filter((worker): worker is Worker => worker !== undefined);
    const closing = Promise.all(workers.map((worker) => worker.close()));
    const graceTimer = setTimeout(() => {
      for (const controller of this.#active.values()) controller.abort(SHUTDOWN_REASON);
    }, this.settings.shutdown.graceMs);
    try {
      await closing;
    } finally {
      clearTimeout(graceTimer);
    }
    this.autoscaler.stop();
    await this.#browserPool?.destroy();
    clearInterval(this.#statsTimer);
    clearInterval(this.#heartbeatTimer);
    this.monitor.stop();
    await removeHeartbeat(this.backend.client, this.backend.keyPrefix, this.nodeId).catch(() => undefined);
    await this.#stopControl?.();
    this.#subscriber?.disconnect();
    await this.#filePool.destroy();
    await closeHttpAgents();
    await this.backend.close();
    this.#phase = 'stopped';
    this.#publish();
  }
}

/** Exponential backoff with full jitter, or the server's Retry-After when it gave one. */
export function retryDelayMs(attemptsMade: number, baseMs: number, error: Error | undefined, random = Math.random): number {
  if (error instanceof RetryableScrapeError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const ceiling = baseMs * 2 ** Math.max(0, attemptsMade - 1);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** What `createEngine` builds besides the Redis backend. */
export interface EngineParts {
  readonly browserPool?: BrowserPool;
  readonly browserProblem?: string;
  readonly chromium?: ChromiumInfo;
  readonly extractor?: Extractor;
}

function parseResourceTypes(setting: string): string[] {
  if (setting.trim() === 'none') return [];
  const types = setting.split(',').map((type) => type.trim()).filter(Boolean);
  return types.length > 0 ? types : [...DEFAULT_BLOCK_RESOURCE_TYPES];
}

/**
 * Finds Chromium and builds the browser pool (browsers launch on demand). No Chromium is not
 * fatal: HTTP mode works, and browser-mode jobs fail with a message that says what to install.
 * Chromium left by a crashed earlier run of this data directory is reaped first.
 */
async function prepareBrowserPool(settings: Settings): Promise<Pick<EngineParts, 'browserPool' | 'browserProblem' | 'chromium'>> {
  const sized = defaultPoolSize();
  const browsers = settings.browser.browsers ?? sized.browsers;
  if (browsers === 0) return {browserProblem: 'browser.browsers is 0'};
  let chromium: ChromiumInfo;
  try {
    chromium = findChromium(settings.browser.executablePath);
  } catch (error) {
    const hint = (error as {hint?: string}).hint;
    return {browserProblem: `${(error as Error).message}${hint ? ` (${hint})` : ''}`};
  }
  const profileRoot = join(settings.dataDir, 'browser-profiles');
  await reapOrphanedBrowsers(profileRoot);
  const browserPool = new BrowserPool({
    executablePath: chromium.executablePath,
    profileRoot,
    browsers,
    pagesPerBrowser: settings.browser.pagesPerBrowser,
    retireAfterPages: settings.browser.retireAfterPages,
    maxBrowserRssBytes: settings.browser.maxRssBytes,
  });
  return {browserPool, chromium};
}

/** Connects to Redis (starting the embedded one if needed) and builds an engine; call `start()`. */
export async function createEngine(settings: Settings): Promise<Engine> {
  // The extractor first: a bad one stops start-up before anything is started.
  const extractor = settings.scrape.extractor ? await loadExtractor(settings.scrape.extractor) : undefined;
  const backend = await openBackend(settings);
  try {
    const browser = await prepareBrowserPool(settings);
    return new Engine(backend, settings, {...browser, ...(extractor ? {extractor} : {})});
  } catch (error) {
    await backend.close();
    throw error;
  }
}
