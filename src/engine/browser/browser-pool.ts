/**
 * A pool of headless Chromium browsers, each serving a few pages at once. Jobs borrow a page with
 * {@link BrowserPool.acquire} and give it back with {@link PageLease.release}; pages are kept and
 * reused between jobs (a new tab costs a renderer start-up, a reused one only a navigation).
 *
 * Lifecycle, in short:
 * - browsers launch lazily, when a job waits and fewer than `browsers` are alive;
 * - a browser retires after `retireAfterPages` leases, when its process tree passes
 *   `maxBrowserRssBytes`, after `idleRetireMs` without work, or when the pool shrinks; a retiring
 *   browser takes no new leases and closes once its last lease is released;
 * - a browser that crashes or disconnects fails every lease on it with {@link BrowserCrashedError}
 *   (a retryable error, so the job is tried again) and is replaced on the next acquire;
 * - closing is bounded: `closeTimeoutMs`, then SIGKILL of the browser's process group, then of
 *   anything still running with its profile directory, which is then removed.
 *
 * Ownership: whoever creates the pool (the engine) owns it and must call {@link BrowserPool.destroy}.
 * Scrape jobs only borrow pages and must release every lease, also when they fail.
 */
import {randomBytes} from 'node:crypto';
import {EventEmitter} from 'node:events';
import {mkdir} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer, {type Browser, type Page} from 'puppeteer';
import {RetryableScrapeError} from '../scrape/scrape-errors.js';
import {
  findProcessesByProfileDir,
  processTreeRssBytes,
  removeProfileDir,
  signalQuietly,
  waitForExit,
} from './chromium-processes.js';

/** Options for {@link BrowserPool}. Use {@link defaultPoolSize} for `browsers` and `pagesPerBrowser`. */
export interface BrowserPoolOptions {
  /** The Chromium/Chrome to launch (see `findChromium`). */
  executablePath: string;
  /**
   * Directory that holds one temporary profile per browser, `<profileRoot>/<pid>-<n>-<random>`.
   * Put it inside the node's data directory: `reapOrphanedBrowsers(profileRoot)` at start-up
   * relies on everything under it being ours.
   */
  profileRoot: string;
  /** Browsers alive at once (launching, serving and retiring ones alike); an integer >= 0. */
  browsers: number;
  /** Pages one browser serves at once; an integer >= 1. */
  pagesPerBrowser: number;
  /** Retire a browser after it has served this many leases (bounds leaks in long-lived renderers). @default 100 */
  retireAfterPages?: number;
  /**
   * Retire a browser when the resident memory of its process tree passes this (measured by
   * `processTreeRssBytes`: anonymous + shared memory of every process, the binary once; one
   * browser with 4 pages of the test site sits at 0.4-0.7 GiB). @default 1.5 GiB
   */
  maxBrowserRssBytes?: number;
  /** Retire a browser that has had no lease for this long. @default 60_000 */
  idleRetireMs?: number;
  /** How long a browser (or a page) gets to close before its processes are killed. @default 5_000 */
  closeTimeoutMs?: number;
  /** Give up on a launch after this long. @default 30_000 */
  launchTimeoutMs?: number;
  /** Run headless; `false` is for debugging on a desktop. @default true */
  headless?: boolean;
  /**
   * How often browsers are checked for RSS and idleness. RSS is sampled here rather than per page
   * because reading a process tree from /proc costs a few hundred microseconds per browser.
   * @default 5_000
   */
  checkIntervalMs?: number;
}

/** A page borrowed from the pool. Release it exactly once (further calls return the same promise). */
export interface PageLease {
  /** The page; do not close it yourself, and remove any listener you add before releasing. */
  readonly page: Page;
  /** The browser it belongs to, as in {@link BrowserPoolStats}. */
  readonly browserId: number;
  /**
   * Aborted when the lease can no longer work: reason {@link BrowserCrashedError} when its browser
   * crashed or disconnected, a {@link RetryableScrapeError} when the pool is being destroyed.
   */
  readonly signal: AbortSignal;
  /**
   * Marks the page as unfit for reuse (its job timed out, its renderer crashed or hung) and starts
   * closing it now, so a runaway script stops burning CPU before the lease is released. If the
   * page does not close within `closeTimeoutMs`, its browser is retired.
   */
  invalidate(): void;
  /**
   * Gives the page back. With `isReusable` (default true) and a healthy page and browser, the
   * page is kept open for the next job; otherwise it is closed (bounded by `closeTimeoutMs`)
   * before the promise resolves. The slot is free for the next acquire at once.
   */
  release(options?: {isReusable?: boolean}): Promise<void>;
}

/** Why a browser stopped taking leases. */
export type RetireReason = 'page-limit' | 'memory' | 'idle' | 'resize' | 'unresponsive-page' | 'shutdown';

/** One browser in {@link BrowserPoolStats}. */
export interface BrowserStats {
  id: number;
  /** PID of the browser's main process; `undefined` while launching. */
  pid: number | undefined;
  /** Tabs open: leased plus kept for reuse. */
  pagesOpen: number;
  /** Leases currently out. */
  pagesLeased: number;
  /** Leases granted since launch. */
  pagesServed: number;
  ageMs: number;
  /**
   * Resident memory of the browser's process tree at the last check (see `checkIntervalMs`), with
   * the shared Chromium binary counted once (`processTreeRssBytes`); 0 before the first check.
   */
  rssBytes: number;
  state: 'launching' | 'ready' | 'retiring' | 'closed';
}

/** A point-in-time view of a {@link BrowserPool}, for the dashboard and the autoscaler. */
export interface BrowserPoolStats {
  browsers: BrowserStats[];
  /** `browsers × pagesPerBrowser`: the scrape worker's concurrency should follow it. */
  capacity: number;
  /** Leases out. */
  inUse: number;
  /** `acquire()` calls waiting for a page. */
  waiting: number;
  /** Browsers launched successfully since the pool was created. */
  launched: number;
  /** Launches that failed. */
  launchFailures: number;
  /** Browsers retired (for any {@link RetireReason}). */
  retired: number;
  /** Browsers that crashed or disconnected. */
  crashes: number;
  /** Browsers launched to replace a crashed one. */
  restarts: number;
}

/** Events of {@link BrowserPool}. */
export interface BrowserPoolEvents {
  /** A browser started and can take pages. */
  'browser-launched': [{id: number; pid: number | undefined; launchMs: number}];
  /** A browser stopped taking pages; it closes when its last lease is released. */
  'browser-retired': [{id: number; reason: RetireReason}];
  /** A browser died or disconnected without being asked to; its leases failed with {@link BrowserCrashedError}. */
  'browser-crashed': [{id: number; pid: number | undefined}];
}

/** Thrown to (and used as the abort reason of) a job whose browser died: the job is retried. */
export class BrowserCrashedError extends RetryableScrapeError {
  override readonly name: string = 'BrowserCrashedError';
  /** The browser that died. */
  readonly browserId: number;

  constructor(browserId: number, message = `browser ${browserId} crashed or disconnected`) {
    super(message);
    this.browserId = browserId;
  }
}

const GiB = 1024 ** 3;
const DEFAULTS = {
  retireAfterPages: 100,
  maxBrowserRssBytes: 1.5 * GiB,
  idleRetireMs: 60_000,
  closeTimeoutMs: 5_000,
  launchTimeoutMs: 30_000,
  headless: true,
  checkIntervalMs: 5_000,
};

/** Memory we plan per browser with 4 pages (measured 300-600 MB summed RSS on the test site; real sites weigh more). */
const PLANNED_BYTES_PER_BROWSER = 1 * GiB;

/**
 * Pool size for this machine. Rendering is CPU bound: one Chromium serving 4 pages keeps about two
 * cores busy (browser process, network service and 4 renderers take turns), so more browsers
 * than `cores / 2` only contend for the same cores and add memory. Memory caps it too: half of
 * RAM at {@link PLANNED_BYTES_PER_BROWSER} each. 4 pages per browser is where throughput per
 * browser stopped growing in our measurements (K=4 ≈ K=8 on 2 cores) while a crash costs fewer jobs.
 */
export function defaultPoolSize(
  system: {cores?: number; totalMemoryBytes?: number} = {},
): {browsers: number; pagesPerBrowser: number} {
  const cores = system.cores ?? os.availableParallelism();
  const totalMemoryBytes = system.totalMemoryBytes ?? os.totalmem();
  const byCpu = Math.floor(cores / 2);
  const byMemory = Math.floor((totalMemoryBytes * 0.5) / PLANNED_BYTES_PER_BROWSER);
  return {browsers: Math.max(1, Math.min(byCpu, byMemory)), pagesPerBrowser: 4};
}

/**
 * Flags for every launch. The machine may have no network: without the first five, Chromium
 * keeps trying to reach Google (component updates, sync, field trials). As root it needs
 * `--no-sandbox`; `--disable-dev-shm-usage` avoids crashes with a small /dev/shm in containers.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
  '--disable-dev-shm-usage',
];

interface Waiter {
  resolve: (lease: PageLease) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Times a page could not be made for it because its browser died meanwhile. */
  attempts: number;
}

interface PooledBrowser {
  id: number;
  state: 'launching' | 'ready' | 'retiring' | 'closed';
  browser: Browser | undefined;
  pid: number | undefined;
  profileDir: string;
  startedAtMs: number;
  /** Leases granted (or being granted) since launch. */
  pagesServed: number;
  /** Slots taken: leases out plus pages being created for a waiter. */
  inUse: number;
  leases: Set<PoolLease>;
  idlePages: Page[];
  rssBytes: number;
  lastActiveAtMs: number;
  /** Set when retirement was asked for while still launching. */
  pendingRetire: RetireReason | undefined;
  /** We are closing it: its disconnect is not a crash. */
  isClosing: boolean;
  closing: Promise<void> | undefined;
  /** True while Node has not seen the main process exit, i.e. its PID (and group id) is still ours. */
  isProcessAlive: () => boolean;
  /** Aborted when the browser starts closing or dies: pending CDP calls on it may never answer. */
  gone: AbortController;
  /** Aborted by destroy() while the launch is in flight: Puppeteer then kills the half-started browser. */
  launchAbort: AbortController;
}

class PoolLease implements PageLease {
  readonly page: Page;
  readonly browserId: number;
  readonly signal: AbortSignal;
  readonly controller = new AbortController();
  isReusable = true;
  /** The close started by invalidate(); release() waits for it. */
  closing: Promise<void> | undefined;
  #released: Promise<void> | undefined;
  readonly #onInvalidate: (lease: PoolLease) => void;
  readonly #onRelease: (lease: PoolLease, isReusable: boolean) => Promise<void>;

  constructor(
    page: Page,
    browserId: number,
    onInvalidate: (lease: PoolLease) => void,
    onRelease: (lease: PoolLease, isReusable: boolean) => Promise<void>,
  ) {
    this.page = page;
    this.browserId = browserId;
    this.signal = this.controller.signal;
    this.#onInvalidate = onInvalidate;
    this.#onRelease = onRelease;
  }

  get isReleased(): boolean {
    return this.#released !== undefined;
  }

  invalidate(): void {
    if (!this.isReusable) return;
    this.isReusable = false;
    if (this.#released === undefined) this.#onInvalidate(this);
  }

  release(options: {isReusable?: boolean} = {}): Promise<void> {
    return (this.#released ??= this.#onRelease(this, options.isReusable ?? true));
  }
}

/**
 * Resolves to true when `promise` settles within `timeoutMs`, false otherwise. The timer is not
 * unref()ed: it is awaited, and a destroy() in progress must keep the process alive.
 */
async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Up to `browsers` Chromium processes serving up to `pagesPerBrowser` leased pages each (see the
 * module comment for the lifecycle). Browsers launch on demand, so constructing a pool starts
 * nothing; {@link BrowserPool.destroy} stops everything.
 */
export class BrowserPool extends EventEmitter<BrowserPoolEvents> {
  readonly #executablePath: string;
  readonly #profileRoot: string;
  readonly #retireAfterPages: number;
  readonly #maxBrowserRssBytes: number;
  readonly #idleRetireMs: number;
  readonly #closeTimeoutMs: number;
  readonly #launchTimeoutMs: number;
  readonly #headless: boolean;
  #targetBrowsers: number;
  #pagesPerBrowser: number;

  readonly #browsers = new Map<number, PooledBrowser>();
  readonly #waiters: Waiter[] = [];
  /** Closes and clean-ups in flight (crash clean-up included), so destroy() can wait for them. */
  readonly #pending = new Set<Promise<void>>();
  readonly #timer: NodeJS.Timeout;
  #nextId = 0;
  #launched = 0;
  #launchFailures = 0;
  #retired = 0;
  #crashes = 0;
  #restarts = 0;
  /** Crashed browsers not yet replaced: the next launches count as restarts. */
  #replacementsOwed = 0;
  #destroying: Promise<void> | undefined;

  constructor(options: BrowserPoolOptions) {
    super();
    assertCount('browsers', options.browsers, 0);
    assertCount('pagesPerBrowser', options.pagesPerBrowser, 1);
    this.#executablePath = options.executablePath;
    this.#profileRoot = path.resolve(options.profileRoot);
    this.#targetBrowsers = options.browsers;
    this.#pagesPerBrowser = options.pagesPerBrowser;
    this.#retireAfterPages = options.retireAfterPages ?? DEFAULTS.retireAfterPages;
    this.#maxBrowserRssBytes = options.maxBrowserRssBytes ?? DEFAULTS.maxBrowserRssBytes;
    this.#idleRetireMs = options.idleRetireMs ?? DEFAULTS.idleRetireMs;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs;
    this.#launchTimeoutMs = options.launchTimeoutMs ?? DEFAULTS.launchTimeoutMs;
    this.#headless = options.headless ?? DEFAULTS.headless;
    assertCount('retireAfterPages', this.#retireAfterPages, 1);
    this.#timer = setInterval(() => this.checkBrowsers(), options.checkIntervalMs ?? DEFAULTS.checkIntervalMs);
    this.#timer.unref();
  }

  /** Pages that can be leased at once when every browser is up: `browsers × pagesPerBrowser`. */
  get capacity(): number {
    return this.#targetBrowsers * this.#pagesPerBrowser;
  }

  /**
   * Borrows a page. Waits (first come, first served) while every slot is taken, launching a
   * browser when fewer than `browsers` are alive.
   *
   * @throws the signal's reason when `signal` aborts while waiting.
   * @throws {RetryableScrapeError} when the browser launched for it failed to start.
   * @throws {Error} when the pool is destroyed (before or while waiting).
   */
  acquire(signal?: AbortSignal): Promise<PageLease> {
    if (this.#destroying !== undefined) return Promise.reject(new Error('the browser pool was destroyed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<PageLease>((resolve, reject) => {
      const waiter: Waiter = {resolve, reject, signal, onAbort: undefined, attempts: 0};
      if (signal !== undefined) {
        waiter.onAbort = () => {
          const index = this.#waiters.indexOf(waiter);
          if (index !== -1) this.#waiters.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, {once: true});
      }
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  /**
   * Changes the pool size. Growing launches browsers as jobs wait; shrinking retires the least
   * busy browsers (they finish their leases first) and closes pages kept beyond `pagesPerBrowser`.
   */
  resize(browsers: number, pagesPerBrowser: number = this.#pagesPerBrowser): void {
    assertCount('browsers', browsers, 0);
    assertCount('pagesPerBrowser', pagesPerBrowser, 1);
    if (this.#destroying !== undefined) return;
    this.#targetBrowsers = browsers;
    this.#pagesPerBrowser = pagesPerBrowser;
    const active = [...this.#browsers.values()]
      .filter((entry) => (entry.state === 'ready' || entry.state === 'launching') && entry.pendingRetire === undefined)
      .sort((a, b) => a.inUse - b.inUse);
    while (active.length > browsers) this.#retire(active.shift()!, 'resize');
    for (const entry of this.#browsers.values()) {
      while (entry.idlePages.length > 0 && entry.idlePages.length + entry.inUse > pagesPerBrowser) {
        this.#track(this.#closePage(entry, entry.idlePages.pop()!));
      }
    }
    this.#pump();
  }

  /**
   * Samples each browser's process-tree RSS and retires browsers that are over
   * `maxBrowserRssBytes` or idle for `idleRetireMs`. Called by the pool's timer every
   * `checkIntervalMs`; exposed so tests (and the autoscaler, before a decision) can run it now.
   */
  checkBrowsers(nowMs: number = Date.now()): void {
    for (const entry of this.#browsers.values()) {
      if (entry.state !== 'ready' && entry.state !== 'retiring') continue;
      if (entry.pid !== undefined) entry.rssBytes = processTreeRssBytes(entry.pid);
      if (entry.state !== 'ready') continue;
      if (entry.rssBytes > this.#maxBrowserRssBytes) this.#retire(entry, 'memory');
      else if (entry.inUse === 0 && nowMs - entry.lastActiveAtMs >= this.#idleRetireMs) this.#retire(entry, 'idle');
    }
  }

  stats(): BrowserPoolStats {
    const now = Date.now();
    const browsers: BrowserStats[] = [];
    let inUse = 0;
    for (const entry of this.#browsers.values()) {
      inUse += entry.leases.size;
      browsers.push({
        id: entry.id,
        pid: entry.pid,
        pagesOpen: entry.inUse + entry.idlePages.length,
        pagesLeased: entry.leases.size,
        pagesServed: entry.pagesServed,
        ageMs: now - entry.startedAtMs,
        rssBytes: entry.rssBytes,
        state: entry.state,
      });
    }
    return {
      browsers,
      capacity: this.capacity,
      inUse,
      waiting: this.#waiters.length,
      launched: this.#launched,
      launchFailures: this.#launchFailures,
      retired: this.#retired,
      crashes: this.#crashes,
      restarts: this.#restarts,
    };
  }

  /**
   * Rejects waiting acquires, aborts leases still out, closes every browser (each gets
   * `closeTimeoutMs`, then its processes are killed) and removes the profile directories.
   * Calling it again returns the same promise.
   */
  destroy(): Promise<void> {
    return (this.#destroying ??= this.#shutdown());
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#timer);
    for (const waiter of this.#waiters.splice(0)) {
      if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(new Error('the browser pool was destroyed'));
    }
    // Launches in flight are cut short (Puppeteer kills the process) and finish first, so every
    // browser that will ever exist is in the map when we close them below.
    for (const entry of this.#browsers.values()) if (entry.state === 'launching') entry.launchAbort.abort();
    while ([...this.#browsers.values()].some((entry) => entry.state === 'launching')) {
      await Promise.allSettled([...this.#pending]);
    }
    for (const entry of this.#browsers.values()) {
      for (const lease of entry.leases) lease.controller.abort(new RetryableScrapeError('the browser pool is shutting down'));
      this.#retire(entry, 'shutdown');
      this.#track(this.#closeBrowser(entry));
    }
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Hands free slots to waiters in FIFO order, then launches browsers for the waiters left. */
  #pump(): void {
    if (this.#destroying !== undefined) return;
    while (this.#waiters.length > 0) {
      const entry = this.#pickBrowser();
      if (entry === undefined) break;
      const waiter = this.#waiters.shift()!;
      if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      void this.#grant(entry, waiter);
    }
    let alive = this.#browsers.size;
    const launching = [...this.#browsers.values()].filter((entry) => entry.state === 'launching').length;
    let uncovered = this.#waiters.length - launching * this.#pagesPerBrowser;
    while (uncovered > 0 && alive < this.#targetBrowsers) {
      this.#launch();
      alive++;
      uncovered -= this.#pagesPerBrowser;
    }
  }

  /** A ready browser with a free slot: one with a page to reuse first, then the least busy. */
  #pickBrowser(): PooledBrowser | undefined {
    let best: PooledBrowser | undefined;
    for (const entry of this.#browsers.values()) {
      if (entry.state !== 'ready' || entry.inUse >= this.#pagesPerBrowser) continue;
      if (
        best === undefined ||
        (entry.idlePages.length > 0 && best.idlePages.length === 0) ||
        ((entry.idlePages.length > 0) === (best.idlePages.length > 0) && entry.inUse < best.inUse)
      ) {
        best = entry;
      }
    }
    return best;
  }

  async #grant(entry: PooledBrowser, waiter: Waiter): Promise<void> {
    entry.inUse++;
    entry.pagesServed++;
    entry.lastActiveAtMs = Date.now();
    // The slot is taken synchronously, so this browser stops taking leases at exactly K.
    if (entry.pagesServed >= this.#retireAfterPages) this.#retire(entry, 'page-limit');
    let page = entry.idlePages.pop();
    try {
      if (page === undefined || page.isClosed()) page = await this.#newPage(entry);
    } catch (error) {
      if (error instanceof NewPageTimeoutError) this.#retire(entry, 'unresponsive-page');
      entry.inUse--;
      const isBrowserGone = entry.state === 'closed' || entry.browser?.connected !== true;
      if (isBrowserGone && waiter.attempts < 2 && this.#destroying === undefined) {
        // Its browser died while we were opening a tab: the waiter has lost nothing yet, so it
        // goes back to the front of the queue instead of failing.
        waiter.attempts++;
        this.#waiters.unshift(waiter);
      } else if (this.#destroying !== undefined) {
        waiter.reject(new Error('the browser pool was destroyed'));
      } else {
        waiter.reject(isBrowserGone ? new BrowserCrashedError(entry.id) : error);
      }
      this.#afterSlotFreed(entry);
      return;
    }
    const lease = new PoolLease(
      page,
      entry.id,
      (invalid) => {
        invalid.closing = this.#track(this.#closeLeasedPage(entry, invalid));
      },
      (released, isReusable) => this.#release(entry, released, isReusable),
    );
    entry.leases.add(lease);
    if (entry.state === 'closed') lease.controller.abort(new BrowserCrashedError(entry.id));
    waiter.resolve(lease);
  }

  /**
   * Opens a tab. A browser that closes or dies meanwhile may never answer `Target.createTarget`
   * (we have seen it hang for 30 s), so the call is raced against the browser going away and
   * against `launchTimeoutMs`; a tab that opens after we gave up is closed.
   */
  async #newPage(entry: PooledBrowser): Promise<Page> {
    if (entry.browser === undefined || entry.gone.signal.aborted) throw new BrowserCrashedError(entry.id);
    const opening = entry.browser.newPage();
    let timer: NodeJS.Timeout | undefined;
    let onGone: (() => void) | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new NewPageTimeoutError(entry.id, this.#launchTimeoutMs)), this.#launchTimeoutMs);
      onGone = () => reject(new BrowserCrashedError(entry.id));
      entry.gone.signal.addEventListener('abort', onGone, {once: true});
    });
    try {
      const page = await Promise.race([opening, giveUp]);
      this.#preparePage(page);
      return page;
    } catch (error) {
      void opening.then((late) => late.close()).catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
      entry.gone.signal.removeEventListener('abort', onGone!);
    }
  }

  /**
   * Per-page handlers, installed once per tab (not per job). Dialogs would block the page's
   * script until answered: dismiss alert/confirm/prompt, but accept beforeunload, since
   * dismissing that one cancels our next navigation. Popups are already blocked by Chromium's
   * popup blocker (we drop Puppeteer's `--disable-popup-blocking`); any that slip through
   * (e.g. opened from a user-gesture-like event) are closed.
   */
  #preparePage(page: Page): void {
    page.on('dialog', (dialog) => {
      void (dialog.type() === 'beforeunload' ? dialog.accept() : dialog.dismiss()).catch(() => {});
    });
    page.on('popup', (popup) => {
      void popup?.close().catch(() => {});
    });
  }

  async #release(entry: PooledBrowser, lease: PoolLease, isReusable: boolean): Promise<void> {
    if (!entry.leases.delete(lease)) return;
    entry.inUse--;
    entry.lastActiveAtMs = Date.now();
    const page = lease.page;
    const isKept =
      isReusable &&
      lease.isReusable &&
      !lease.signal.aborted &&
      entry.state === 'ready' &&
      !page.isClosed() &&
      entry.idlePages.length + entry.inUse < this.#pagesPerBrowser;
    let closing: Promise<void> | undefined;
    if (isKept) entry.idlePages.push(page);
    // An invalidated lease's page is already closing (see #closeLeasedPage); a retiring browser's
    // pages go with the browser, which closes as soon as its last lease is back.
    else if (entry.state === 'ready' && lease.isReusable) closing = this.#track(this.#closePage(entry, page));
    this.#afterSlotFreed(entry);
    // Resolving after the tab is gone keeps "released" meaning "no longer running anything".
    await (closing ?? lease.closing);
  }

  #afterSlotFreed(entry: PooledBrowser): void {
    if (entry.state === 'retiring' && entry.inUse === 0) this.#track(this.#closeBrowser(entry));
    this.#pump();
  }

  async #closeLeasedPage(entry: PooledBrowser, lease: PoolLease): Promise<void> {
    if (entry.state === 'closed') return;
    await this.#closePage(entry, lease.page);
  }

  /**
   * Closes a tab; a tab that does not close in time (a renderer stuck in a script loop can delay
   * it) gets its browser retired, which kills the renderer with the browser once the other
   * leases are done.
   */
  async #closePage(entry: PooledBrowser, page: Page): Promise<void> {
    if (page.isClosed()) return;
    const isClosed = await settlesWithin(page.close(), this.#closeTimeoutMs);
    if (!isClosed && entry.state === 'ready') this.#retire(entry, 'unresponsive-page');
  }

  #retire(entry: PooledBrowser, reason: RetireReason): void {
    if (entry.state === 'launching') {
      entry.pendingRetire ??= reason;
      return;
    }
    if (entry.state !== 'ready') return;
    entry.state = 'retiring';
    this.#retired++;
    this.emit('browser-retired', {id: entry.id, reason});
    if (entry.inUse === 0) this.#track(this.#closeBrowser(entry));
  }

  #launch(): void {
    const id = ++this.#nextId;
    const profileDir = path.join(this.#profileRoot, `${process.pid}-${id}-${randomBytes(4).toString('hex')}`);
    const entry: PooledBrowser = {
      id,
      state: 'launching',
      browser: undefined,
      pid: undefined,
      profileDir,
      startedAtMs: Date.now(),
      pagesServed: 0,
      inUse: 0,
      leases: new Set(),
      idlePages: [],
      rssBytes: 0,
      lastActiveAtMs: Date.now(),
      pendingRetire: undefined,
      isClosing: false,
      closing: undefined,
      isProcessAlive: () => false,
      gone: new AbortController(),
      launchAbort: new AbortController(),
    };
    this.#browsers.set(id, entry);
    this.#track(this.#start(entry));
  }

  async #start(entry: PooledBrowser): Promise<void> {
    const startedAt = performance.now();
    let browser: Browser;
    try {
      await mkdir(entry.profileDir, {recursive: true});
      browser = await puppeteer.launch({
        executablePath: this.#executablePath,
        userDataDir: entry.profileDir,
        headless: this.#headless,
        // A pipe instead of a WebSocket: no port to find, and the connection dies with the process.
        pipe: true,
        args: [...CHROMIUM_ARGS],
        // Keep Chromium's popup blocker on: window.open without a user gesture then opens nothing.
        ignoreDefaultArgs: ['--disable-popup-blocking'],
        downloadBehavior: {policy: 'deny'},
        timeout: this.#launchTimeoutMs,
        signal: entry.launchAbort.signal,
        // The node handles signals itself (graceful drain); Puppeteer's SIGINT handler would
        // kill the browser and call process.exit(130) under our feet. Its 'exit' hook stays, so
        // a dying node still takes its browsers down.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (error) {
      await this.#launchFailed(entry, error);
      return;
    }
    const child = browser.process();
    entry.browser = browser;
    entry.pid = child?.pid;
    entry.isProcessAlive = () => child !== null && child.exitCode === null && child.signalCode === null;
    browser.on('disconnected', () => this.#onDisconnected(entry));
    if (!browser.connected) {
      this.#onDisconnected(entry);
      return;
    }
    this.#launched++;
    if (this.#replacementsOwed > 0) {
      this.#replacementsOwed--;
      this.#restarts++;
    }
    entry.state = 'ready';
    entry.lastActiveAtMs = Date.now();
    this.emit('browser-launched', {id: entry.id, pid: entry.pid, launchMs: Math.round(performance.now() - startedAt)});
    // Chromium starts with one blank tab: use it as the first page instead of paying for another.
    try {
      const [first] = await browser.pages();
      if (first !== undefined && entry.state === 'ready') {
        this.#preparePage(first);
        entry.idlePages.push(first);
      }
    } catch {
      // Not worth failing the launch over; newPage() will make one.
    }
    if (this.#destroying !== undefined) return; // #shutdown closes it
    if (entry.pendingRetire !== undefined) this.#retire(entry, entry.pendingRetire);
    this.#pump();
  }

  async #launchFailed(entry: PooledBrowser, error: unknown): Promise<void> {
    // A launch cut short by destroy() is not a failure worth counting.
    if (this.#destroying === undefined) this.#launchFailures++;
    entry.state = 'closed';
    entry.gone.abort();
    // A launch that timed out may have left a half-started Chromium behind.
    const stragglers = findProcessesByProfileDir(entry.profileDir);
    for (const pid of stragglers) signalQuietly(pid, 'SIGKILL');
    await waitForExit(stragglers, this.#closeTimeoutMs);
    await removeProfileDir(entry.profileDir).catch(() => {});
    this.#browsers.delete(entry.id);
    // The waiters this launch was meant for fail now, rather than wait for a browser that may
    // never start (a missing library, a broken executable): their jobs are retried later.
    const message = error instanceof Error ? error.message : String(error);
    const failure = new RetryableScrapeError(`could not launch ${this.#executablePath}: ${message}`, {cause: error});
    for (const waiter of this.#waiters.splice(0, this.#pagesPerBrowser)) {
      if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(failure);
    }
    this.#pump();
  }

  #onDisconnected(entry: PooledBrowser): void {
    if (entry.isClosing || entry.state === 'closed') return;
    this.#crashes++;
    this.#replacementsOwed++;
    entry.state = 'closed';
    entry.gone.abort();
    entry.idlePages.length = 0;
    this.#browsers.delete(entry.id);
    this.emit('browser-crashed', {id: entry.id, pid: entry.pid});
    for (const lease of entry.leases) lease.controller.abort(new BrowserCrashedError(entry.id));
    this.#track(this.#killAndClean(entry));
    this.#pump();
  }

  async #closeBrowser(entry: PooledBrowser): Promise<void> {
    entry.closing ??= (async () => {
      entry.isClosing = true;
      entry.gone.abort();
      if (entry.browser !== undefined) await settlesWithin(entry.browser.close(), this.#closeTimeoutMs);
      await this.#killAndClean(entry);
      entry.state = 'closed';
      this.#browsers.delete(entry.id);
      this.#pump();
    })();
    return entry.closing;
  }

  /**
   * Makes sure nothing of a browser survives, then removes its profile. While Node has not seen
   * the main process exit, its PID is still ours and it leads its process group (Puppeteer
   * spawns it detached), so the whole group gets SIGKILL; after that, anything still running
   * with this browser's profile directory does.
   */
  async #killAndClean(entry: PooledBrowser): Promise<void> {
    if (entry.pid !== undefined && entry.isProcessAlive()) signalQuietly(-entry.pid, 'SIGKILL');
    const stragglers = findProcessesByProfileDir(entry.profileDir);
    for (const pid of stragglers) signalQuietly(pid, 'SIGKILL');
    await waitForExit(entry.pid === undefined ? stragglers : [entry.pid, ...stragglers], this.#closeTimeoutMs);
    await removeProfileDir(entry.profileDir).catch(() => {});
  }

  /** Remembers a background promise until it settles, so destroy() can wait for it. */
  #track(promise: Promise<void>): Promise<void> {
    const tracked = promise.catch(() => {});
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
    return tracked;
  }
}

/** `newPage()` did not answer within `launchTimeoutMs`: the browser is retired as unresponsive. */
class NewPageTimeoutError extends RetryableScrapeError {
  override readonly name: string = 'NewPageTimeoutError';
  constructor(browserId: number, timeoutMs: number) {
    super(`browser ${browserId} did not open a page within ${timeoutMs} ms`);
  }
}

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`BrowserPool: ${name} must be an integer >= ${min}, got ${value}`);
  }
}
