// The autoscaler policy of issue #4: a pure function from (resource samples, pool states, limits,
// operator overrides) to at most one decision per pool, each with a human reason. It owns no timer
// and no pool: the engine calls `decideScaling` on an interval, applies the decisions to the
// browser pool and the file pool, and publishes every decision as an event.
//
// Compared with Crawlee's AutoscaledPool (boolean "overloaded" signals, one pool for all work, about
// ten minutes from 1 to 200): the signals here are graded (how far CPU and memory are from their
// marks sets the growth step), backlog is an input, each pool has its own rules, growth at most
// doubles a pool per cooldown (1 -> 200 in about 16 s with headroom), and every decision and every
// blocker is a sentence with numbers.
import type {ResourceSample} from './resource-monitor.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The size range the autoscaler keeps a pool in. Operators change it at run time. */
export interface PoolLimits {
  /** Smallest size; the autoscaler never shrinks below it. */
  readonly min: number;
  /** Largest size; the autoscaler never grows above it. When `min > max`, `max` wins. */
  readonly max: number;
}

/** What the engine knows about one pool when it asks for a decision. */
export interface PoolState {
  /** Current target size (browsers, or file worker threads). */
  readonly size: number;
  /** Units of work in progress: leased pages for browsers, running tasks for files. */
  readonly busy: number;
  /** Jobs waiting for this pool: scrape jobs waiting in browser mode, file tasks queued. */
  readonly backlog: number;
  readonly limits: PoolLimits;
  /**
   * The operator turned autoscaling off for this pool: the policy never changes it, not even to
   * clamp it into `limits` (the operator owns the size; {@link applyOperatorOverride} clamps when
   * the operator sets a size or limits).
   */
  readonly isPinned: boolean;
  /** When the size last changed, by a decision or by the operator; `undefined` if never. */
  readonly lastChangeAtMs: number | undefined;
  /**
   * When `busy` and `backlog` last both became 0; `undefined` while there is work. Keep it with
   * {@link trackIdleSince}.
   */
  readonly idleSinceMs: number | undefined;
}

/**
 * Tuning of the policy. Every field has a default in {@link DEFAULT_AUTOSCALER_CONFIG}.
 *
 * CPU is graded in three bands, using the latest sample:
 * - below `cpuLowRatio`: browsers may grow by several at once (see `decideScaling`);
 * - from `cpuLowRatio` to `cpuHighRatio`: one browser at a time, only if one more browser at the
 *   current average cost per browser stays under `cpuHighRatio`, and only if no sample of the last
 *   `overloadWindowMs` reached `cpuHighRatio` (hysteresis, so a pool just shrunk for overload does
 *   not grow straight back);
 * - at or above `cpuHighRatio`: no new browser; when that lasts `overloadWindowMs`, shrink by one.
 */
export interface AutoscalerConfig {
  /** CPU share (all cores, 0-1) at which no browser is launched and sustained load shrinks the pool. @default 0.8 */
  readonly cpuHighRatio: number;
  /** CPU share below which browsers may grow by more than one per step. @default 0.6 */
  readonly cpuLowRatio: number;
  /**
   * How long CPU must stay at or above `cpuHighRatio` (counted from the later of the start of the
   * overload and the last size change) before the browser pool sheds one browser; also the
   * look-back of the CPU hysteresis. @default 10_000
   */
  readonly overloadWindowMs: number;
  /** Available memory kept free for everything else: no browser is launched into it. @default 512 MiB */
  readonly memoryReserveBytes: number;
  /**
   * Memory one more browser is expected to take. The browser pool measured 0.4-0.7 GiB for one
   * browser serving 4 pages (process tree RSS, see `BrowserPoolOptions.maxBrowserRssBytes`), so
   * the default is the top of that range; pass a measured average when you have one.
   * @default 700 MiB
   */
  readonly bytesPerBrowser: number;
  /** System memory share (0-1) at which no browser is launched and the browser pool shrinks. @default 0.9 */
  readonly memoryHighRatio: number;
  /** Event-loop delay p99 of this process at which no browser is launched. @default 200 */
  readonly loopDelayHighMs: number;
  /** A latest sample older than this counts as no sample: browsers then neither grow nor shrink for load. @default 5_000 */
  readonly sampleMaxAgeMs: number;
  /** Pages one browser serves at once (must match the browser pool's `pagesPerBrowser`). @default 4 */
  readonly pagesPerBrowser: number;
  /** Least time between a size change and the next growth of the browser pool. @default 2_000 */
  readonly browserGrowCooldownMs: number;
  /** Least time between a size change and the next idle or memory shrink of the browser pool. @default 5_000 */
  readonly browserShrinkCooldownMs: number;
  /** How long the browser pool must have had no work before it sheds a browser. @default 30_000 */
  readonly browserIdleShrinkMs: number;
  /** The file pool grows while more than this many file tasks wait. @default 10 */
  readonly fileBacklogThreshold: number;
  /** Least time between a size change and the next growth of the file pool. @default 1_000 */
  readonly fileGrowCooldownMs: number;
  /** Least time between a size change and the next idle shrink of the file pool. @default 5_000 */
  readonly fileShrinkCooldownMs: number;
  /** How long the file pool must have had no work before it sheds a thread. @default 30_000 */
  readonly fileIdleShrinkMs: number;
}

/** The defaults of every {@link AutoscalerConfig} field. */
export const DEFAULT_AUTOSCALER_CONFIG: AutoscalerConfig = Object.freeze({
  cpuHighRatio: 0.8,
  cpuLowRatio: 0.6,
  overloadWindowMs: 10_000,
  memoryReserveBytes: 512 * MiB,
  bytesPerBrowser: 700 * MiB,
  memoryHighRatio: 0.9,
  loopDelayHighMs: 200,
  sampleMaxAgeMs: 5_000,
  pagesPerBrowser: 4,
  browserGrowCooldownMs: 2_000,
  browserShrinkCooldownMs: 5_000,
  browserIdleShrinkMs: 30_000,
  fileBacklogThreshold: 10,
  fileGrowCooldownMs: 1_000,
  fileShrinkCooldownMs: 5_000,
  fileIdleShrinkMs: 30_000,
});

/** Which pool a decision is about. */
export type PoolName = 'browsers' | 'files';

/** One size change, to apply and to publish as an event. */
export interface ScaleDecision {
  readonly pool: PoolName;
  readonly from: number;
  readonly to: number;
  /** A sentence with the numbers behind it, e.g. `cpu 86% >= 80% for 10s: browsers 4 -> 3`. */
  readonly reason: string;
}

/** Everything {@link decideScaling} looks at. */
export interface AutoscaleInput {
  /** The time of the decision (`Date.now()` in the engine, simulated in tests). */
  readonly nowMs: number;
  /**
   * Resource samples, oldest first, covering at least the last `overloadWindowMs` plus one sample
   * (the sample before the window tells when its first interval began). Older samples are harmless.
   */
  readonly samples: readonly ResourceSample[];
  /** The browser pool; absent when the node has none (HTTP-only mode). */
  readonly browsers?: PoolState;
  readonly files: PoolState;
  readonly config?: Partial<AutoscalerConfig>;
}

/**
 * Decides how the pools change now: at most one decision per pool, browsers first. A pool that is
 * pinned never gets a decision. Otherwise the first rule that applies wins:
 *
 * Browsers
 * 1. Size outside `limits` (they changed): clamp, `limits changed: max 2: browsers 4 -> 2`.
 * 2. Memory pressure (latest sample: used >= `memoryHighRatio`, or available < `memoryReserveBytes`),
 *    above `min`, `browserShrinkCooldownMs` after the last change: shrink by one.
 * 3. CPU >= `cpuHighRatio` in every sample for `overloadWindowMs`, counted from the later of the
 *    start of the overload and the last change, above `min`: shrink by one (so at most one browser
 *    per window): `cpu 86% >= 80% for 10s: browsers 4 -> 3` (86% is the lowest reading of the run).
 * 4. Growth: backlog > free page slots (`size × pagesPerBrowser − busy`), below `max`,
 *    `browserGrowCooldownMs` after the last change, and no blocker (see {@link growthBlocker}: a
 *    fresh sample, CPU under the high mark, memory for one more browser, event loop under
 *    `loopDelayHighMs`). The step is the smallest of:
 *    - the browsers the work needs: `ceil((busy + backlog) / pagesPerBrowser) − size`;
 *    - room to `max`;
 *    - memory room: `floor(min(available − reserve, total × (memoryHighRatio − used)) / bytesPerBrowser)`;
 *    - CPU room: `floor((cpuHighRatio − cpu) / (cpu / size))`, the browsers that fit under the high
 *      mark if each costs what the current ones do on average (all CPU is charged to them, which
 *      over-charges them and keeps the step cautious). Below `cpuLowRatio` at least 1; in the
 *      `cpuLowRatio`..`cpuHighRatio` band at most 1, and none when the room is 0 or CPU reached
 *      the high mark within `overloadWindowMs` (hysteresis);
 *    - doubling: `max(1, size)`, so a launch storm is bounded and 1 -> 8 takes three steps.
 * 5. Idle for `browserIdleShrinkMs`, above `min`, `browserShrinkCooldownMs` after the last change:
 *    shrink by one (`idle for 30s: browsers 4 -> 3`).
 *
 * Files
 * 1. Clamp into `limits`, as for browsers.
 * 2. Growth by one: backlog > `fileBacklogThreshold`, below `max`, `fileGrowCooldownMs` after the
 *    last change, and memory not critical (when a fresh sample exists: used < `memoryHighRatio`
 *    and available >= `memoryReserveBytes`). CPU does not hold the file pool back: its `max` is
 *    meant to be about the core count.
 * 3. Idle for `fileIdleShrinkMs`, above `min`, `fileShrinkCooldownMs` after the last change: shrink by one.
 *
 * A pool that is busy with a trickle of work (never idle, never backlogged) keeps its size.
 */
export function decideScaling(input: AutoscaleInput): ScaleDecision[] {
  const config = resolveConfig(input.config);
  const decisions: ScaleDecision[] = [];
  if (input.browsers !== undefined) {
    const decision = decideBrowsers(input.nowMs, input.samples, input.browsers, config);
    if (decision !== undefined) decisions.push(decision);
  }
  const decision = decideFiles(input.nowMs, input.samples, input.files, config);
  if (decision !== undefined) decisions.push(decision);
  return decisions;
}

/**
 * Why a pool cannot grow right now, for the dashboard (`browsers 4/8 held: cpu 86% >= 80%`), or
 * `undefined` when nothing stops it (it grows as soon as it has the backlog). Checked in order:
 * pinned, at `max`, resources (browsers: no fresh sample, CPU, memory, event loop; files: critical
 * memory), cooldown. Lack of backlog is not a blocker.
 */
export function growthBlocker(input: AutoscaleInput, pool: PoolName): string | undefined {
  const config = resolveConfig(input.config);
  const state = pool === 'browsers' ? input.browsers : input.files;
  if (state === undefined) return 'no browser pool on this node';
  if (state.isPinned) return `pinned by operator at ${state.size}`;
  const {max} = effectiveLimits(state.limits);
  if (state.size >= max) return `at max ${max}`;
  const resource =
    pool === 'browsers'
      ? browserHeadroom(input.nowMs, input.samples, state, config).blocker
      : fileMemoryBlocker(freshLatest(input.nowMs, input.samples, config), config);
  if (resource !== undefined) return resource;
  const cooldownMs = pool === 'browsers' ? config.browserGrowCooldownMs : config.fileGrowCooldownMs;
  return cooldownBlocker(input.nowMs, state, cooldownMs);
}

/** The pool state after a decision has been applied at `nowMs`. */
export function applyScaleDecision(state: PoolState, decision: ScaleDecision, nowMs: number): PoolState {
  return {...state, size: decision.to, lastChangeAtMs: nowMs};
}

/**
 * The next `idleSinceMs`: kept while the pool stays idle, set to `nowMs` when it becomes idle,
 * `undefined` while it has work (busy or backlog). Call it with each fresh reading of the pool.
 */
export function trackIdleSince(
  previousIdleSinceMs: number | undefined,
  busy: number,
  backlog: number,
  nowMs: number,
): number | undefined {
  if (busy > 0 || backlog > 0) return undefined;
  return previousIdleSinceMs ?? nowMs;
}

/** An operator's command for one pool (CLI now, dashboard later). */
export type OperatorOverride =
  /** Sets the size (clamped into the limits) and pins the pool, so the autoscaler leaves it there. */
  | {readonly kind: 'set-size'; readonly size: number}
  /** Changes the limits; the size is clamped into them at once, pinned or not. */
  | {readonly kind: 'set-limits'; readonly min?: number; readonly max?: number}
  /** Turns autoscaling off for the pool at its current size. */
  | {readonly kind: 'pin'}
  /** Turns autoscaling back on for the pool. */
  | {readonly kind: 'unpin'};

/** The outcome of {@link applyOperatorOverride}. */
export interface OverrideResult {
  readonly state: PoolState;
  /** The size change, when there is one (apply it to the pool like any decision). */
  readonly decision: ScaleDecision | undefined;
  /** What happened, for the event log: `operator set browsers to 6 (pinned): browsers 2 -> 6`. */
  readonly reason: string;
}

/**
 * Applies an operator's command to a pool's state. Every command yields a reason; those that move
 * the size also yield a decision and count as a change (`lastChangeAtMs = nowMs`), so cooldowns
 * apply after them as after the autoscaler's own changes.
 */
export function applyOperatorOverride(
  pool: PoolName,
  state: PoolState,
  override: OperatorOverride,
  nowMs: number,
): OverrideResult {
  switch (override.kind) {
    case 'pin':
      return {state: {...state, isPinned: true}, decision: undefined, reason: `operator pinned ${pool} at ${state.size}`};
    case 'unpin':
      return {
        state: {...state, isPinned: false},
        decision: undefined,
        reason: `operator turned autoscaling back on for ${pool} (at ${state.size})`,
      };
    case 'set-size': {
      const {min, max} = effectiveLimits(state.limits);
      const to = Math.min(max, Math.max(min, Math.round(override.size)));
      const clampNote = to === override.size ? '' : ` (asked ${override.size}, limits ${min}-${max})`;
      const head = `operator set ${pool} to ${to}${clampNote}, pinned`;
      return changeBy(pool, {...state, isPinned: true}, to, to === state.size ? head : `${head}: ${pool} ${state.size} -> ${to}`, nowMs);
    }
    case 'set-limits': {
      const limits: PoolLimits = {min: override.min ?? state.limits.min, max: override.max ?? state.limits.max};
      const {min, max} = effectiveLimits(limits);
      const to = Math.min(max, Math.max(min, state.size));
      const head = `operator set ${pool} limits ${min}-${max}`;
      return changeBy(pool, {...state, limits}, to, to === state.size ? head : `${head}: ${pool} ${state.size} -> ${to}`, nowMs);
    }
  }
}

function changeBy(pool: PoolName, state: PoolState, to: number, reason: string, nowMs: number): OverrideResult {
  if (to === state.size) return {state, decision: undefined, reason};
  return {state: {...state, size: to, lastChangeAtMs: nowMs}, decision: {pool, from: state.size, to, reason}, reason};
}

function resolveConfig(overrides: Partial<AutoscalerConfig> | undefined): AutoscalerConfig {
  if (overrides === undefined) return DEFAULT_AUTOSCALER_CONFIG;
  const config: Record<string, unknown> = {...DEFAULT_AUTOSCALER_CONFIG};
  // Partial<> from an object spread may carry explicit `undefined`s: they mean "default".
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) config[key] = value;
  return config as unknown as AutoscalerConfig;
}

function effectiveLimits(limits: PoolLimits): PoolLimits {
  return {min: Math.min(limits.min, limits.max), max: limits.max};
}

function freshLatest(nowMs: number, samples: readonly ResourceSample[], config: AutoscalerConfig): ResourceSample | undefined {
  const latest = samples[samples.length - 1];
  return latest !== undefined && nowMs - latest.atMs <= config.sampleMaxAgeMs ? latest : undefined;
}

function sinceLastChangeMs(nowMs: number, state: PoolState): number {
  return state.lastChangeAtMs === undefined ? Number.POSITIVE_INFINITY : nowMs - state.lastChangeAtMs;
}

function cooldownBlocker(nowMs: number, state: PoolState, cooldownMs: number): string | undefined {
  const elapsedMs = sinceLastChangeMs(nowMs, state);
  return elapsedMs >= cooldownMs ? undefined : `cooldown: last change ${seconds(elapsedMs)} ago < ${seconds(cooldownMs)}`;
}

function clampDecision(pool: PoolName, state: PoolState): ScaleDecision | undefined {
  const {min, max} = effectiveLimits(state.limits);
  if (state.size > max) return {pool, from: state.size, to: max, reason: `limits changed: max ${max}: ${pool} ${state.size} -> ${max}`};
  if (state.size < min) return {pool, from: state.size, to: min, reason: `limits changed: min ${min}: ${pool} ${state.size} -> ${min}`};
  return undefined;
}

function idleShrink(
  pool: PoolName,
  nowMs: number,
  state: PoolState,
  idleShrinkMs: number,
  shrinkCooldownMs: number,
): ScaleDecision | undefined {
  const {min} = effectiveLimits(state.limits);
  if (state.idleSinceMs === undefined || state.size <= min) return undefined;
  const idleMs = nowMs - state.idleSinceMs;
  if (idleMs < idleShrinkMs || sinceLastChangeMs(nowMs, state) < shrinkCooldownMs) return undefined;
  return {pool, from: state.size, to: state.size - 1, reason: `idle for ${seconds(idleMs)}: ${pool} ${state.size} -> ${state.size - 1}`};
}

/** Why memory is under pressure in the latest sample; `undefined` when it is not. */
function memoryPressure(latest: ResourceSample, config: AutoscalerConfig): string | undefined {
  if (latest.memoryUsedRatio >= config.memoryHighRatio) {
    return `memory ${percent(latest.memoryUsedRatio)} used >= ${percent(config.memoryHighRatio)}`;
  }
  if (latest.memoryAvailableBytes < config.memoryReserveBytes) {
    return `memory: ${gib(latest.memoryAvailableBytes)} available < ${gib(config.memoryReserveBytes)} reserve`;
  }
  return undefined;
}

/** The run of CPU readings >= the high mark that ends with the latest sample. */
function cpuOverload(
  samples: readonly ResourceSample[],
  config: AutoscalerConfig,
): {readonly startMs: number; readonly lowestRatio: number} | undefined {
  let first = samples.length - 1;
  if (first < 0 || samples[first]!.cpuRatio < config.cpuHighRatio) return undefined;
  let lowestRatio = samples[first]!.cpuRatio;
  while (first > 0 && samples[first - 1]!.cpuRatio >= config.cpuHighRatio) {
    first--;
    lowestRatio = Math.min(lowestRatio, samples[first]!.cpuRatio);
  }
  // A reading covers the interval since the previous sample, so the run began at the sample
  // before it; with no sample before it, only at its own time is known.
  const startMs = first > 0 ? samples[first - 1]!.atMs : samples[first]!.atMs;
  return {startMs, lowestRatio};
}

interface Headroom {
  /** Why no browser can be launched now. */
  readonly blocker: string | undefined;
  /** How many browsers resources allow now (when not blocked), with what limits it. */
  readonly caps: ReadonlyArray<{readonly count: number; readonly note: string}>;
  readonly latest: ResourceSample | undefined;
}

function browserHeadroom(
  nowMs: number,
  samples: readonly ResourceSample[],
  state: PoolState,
  config: AutoscalerConfig,
): Headroom {
  const latest = freshLatest(nowMs, samples, config);
  const blocked = (blocker: string): Headroom => ({blocker, caps: [], latest});
  if (latest === undefined) return blocked(`no resource sample in the last ${seconds(config.sampleMaxAgeMs)}`);
  const cpu = latest.cpuRatio;
  if (cpu >= config.cpuHighRatio) return blocked(`cpu ${percent(cpu)} >= ${percent(config.cpuHighRatio)}`);

  if (latest.memoryUsedRatio >= config.memoryHighRatio) {
    return blocked(`memory ${percent(latest.memoryUsedRatio)} used >= ${percent(config.memoryHighRatio)}`);
  }
  const neededBytes = config.bytesPerBrowser + config.memoryReserveBytes;
  if (latest.memoryAvailableBytes < neededBytes) {
    return blocked(`memory: ${gib(latest.memoryAvailableBytes)} available < ${gib(neededBytes)} needed for another browser`);
  }
  // Total memory is not in the sample, but follows from available / (1 - used).
  const totalBytes = latest.memoryAvailableBytes / (1 - latest.memoryUsedRatio);
  const ratioRoomBytes = totalBytes * (config.memoryHighRatio - latest.memoryUsedRatio);
  if (ratioRoomBytes < config.bytesPerBrowser) {
    return blocked(
      `memory ${percent(latest.memoryUsedRatio)} used: another browser (${gib(config.bytesPerBrowser)}) would pass ${percent(config.memoryHighRatio)}`,
    );
  }
  if (latest.loopDelayP99Ms >= config.loopDelayHighMs) {
    return blocked(`event loop p99 ${Math.round(latest.loopDelayP99Ms)}ms >= ${config.loopDelayHighMs}ms`);
  }

  // The current CPU is charged to the current browsers: it over-charges them (other processes,
  // idle browsers), which keeps the prediction on the cautious side.
  const perBrowserRatio = state.size > 0 && cpu > 0 ? cpu / state.size : undefined;
  const cpuRoom = perBrowserRatio === undefined ? Infinity : Math.floor((config.cpuHighRatio - cpu) / perBrowserRatio);
  let cpuCap: {count: number; note: string};
  if (cpu >= config.cpuLowRatio) {
    const windowStartMs = latest.atMs - config.overloadWindowMs;
    const peak = samples.findLast((sample) => sample.atMs >= windowStartMs && sample.cpuRatio >= config.cpuHighRatio);
    if (peak !== undefined) {
      return blocked(
        `cpu ${percent(cpu)} but ${percent(peak.cpuRatio)} >= ${percent(config.cpuHighRatio)} ${seconds(latest.atMs - peak.atMs)} ago`,
      );
    }
    if (cpuRoom < 1) {
      return blocked(
        `cpu ${percent(cpu)} + ~${percent(perBrowserRatio ?? 0)} per browser would reach ${percent(config.cpuHighRatio)}`,
      );
    }
    cpuCap = {count: 1, note: `cpu ${percent(config.cpuLowRatio)}-${percent(config.cpuHighRatio)}: one at a time`};
  } else {
    const count = Math.max(1, cpuRoom);
    cpuCap = {count, note: `cpu room for ${count}`};
  }
  const memoryCount = Math.floor(Math.min(latest.memoryAvailableBytes - config.memoryReserveBytes, ratioRoomBytes) / config.bytesPerBrowser);
  return {
    blocker: undefined,
    caps: [cpuCap, {count: memoryCount, note: `memory room for ${memoryCount}`}],
    latest,
  };
}

function decideBrowsers(
  nowMs: number,
  samples: readonly ResourceSample[],
  state: PoolState,
  config: AutoscalerConfig,
): ScaleDecision | undefined {
  if (state.isPinned) return undefined;
  const clamp = clampDecision('browsers', state);
  if (clamp !== undefined) return clamp;
  const {min, max} = effectiveLimits(state.limits);
  const shrinkTo = (reason: string): ScaleDecision => ({
    pool: 'browsers',
    from: state.size,
    to: state.size - 1,
    reason: `${reason}: browsers ${state.size} -> ${state.size - 1}`,
  });

  const latest = freshLatest(nowMs, samples, config);
  if (latest !== undefined && state.size > min) {
    const pressure = memoryPressure(latest, config);
    if (pressure !== undefined && sinceLastChangeMs(nowMs, state) >= config.browserShrinkCooldownMs) return shrinkTo(pressure);
    const overload = cpuOverload(samples, config);
    if (overload !== undefined) {
      const fromMs = Math.max(overload.startMs, state.lastChangeAtMs ?? Number.NEGATIVE_INFINITY);
      const durationMs = latest.atMs - fromMs;
      if (durationMs >= config.overloadWindowMs) {
        return shrinkTo(`cpu ${percent(overload.lowestRatio)} >= ${percent(config.cpuHighRatio)} for ${seconds(durationMs)}`);
      }
    }
  }

  const slots = state.size * config.pagesPerBrowser;
  const freeSlots = Math.max(0, slots - state.busy);
  if (state.backlog > freeSlots && state.size < max && cooldownBlocker(nowMs, state, config.browserGrowCooldownMs) === undefined) {
    const headroom = browserHeadroom(nowMs, samples, state, config);
    if (headroom.blocker === undefined && headroom.latest !== undefined) {
      const wanted = Math.ceil((state.busy + state.backlog) / config.pagesPerBrowser) - state.size;
      const caps = [
        {count: wanted, note: ''},
        {count: max - state.size, note: `max ${max}`},
        ...headroom.caps,
        {count: Math.max(1, state.size), note: 'at most doubling'},
      ];
      const step = Math.min(...caps.map((cap) => cap.count));
      if (step >= 1) {
        const limiter = step < wanted ? caps.find((cap) => cap.count === step && cap.note !== '') : undefined;
        const to = state.size + step;
        const facts =
          `backlog ${state.backlog} pages, ${Math.min(state.busy, slots)}/${slots} slots busy, ` +
          `cpu ${percent(headroom.latest.cpuRatio)}, ${gib(headroom.latest.memoryAvailableBytes)} available`;
        const why = limiter === undefined ? '' : ` (wants ${state.size + wanted}; ${limiter.note})`;
        return {pool: 'browsers', from: state.size, to, reason: `${facts}: browsers ${state.size} -> ${to}${why}`};
      }
    }
  }

  return idleShrink('browsers', nowMs, state, config.browserIdleShrinkMs, config.browserShrinkCooldownMs);
}

function fileMemoryBlocker(latest: ResourceSample | undefined, config: AutoscalerConfig): string | undefined {
  return latest === undefined ? undefined : memoryPressure(latest, config);
}

function decideFiles(
  nowMs: number,
  samples: readonly ResourceSample[],
  state: PoolState,
  config: AutoscalerConfig,
): ScaleDecision | undefined {
  if (state.isPinned) return undefined;
  const clamp = clampDecision('files', state);
  if (clamp !== undefined) return clamp;
  const {max} = effectiveLimits(state.limits);
  if (
    state.backlog > config.fileBacklogThreshold &&
    state.size < max &&
    cooldownBlocker(nowMs, state, config.fileGrowCooldownMs) === undefined &&
    fileMemoryBlocker(freshLatest(nowMs, samples, config), config) === undefined
  ) {
    const to = state.size + 1;
    return {
      pool: 'files',
      from: state.size,
      to,
      reason: `file backlog ${state.backlog} > ${config.fileBacklogThreshold}: files ${state.size} -> ${to}`,
    };
  }
  return idleShrink('files', nowMs, state, config.fileIdleShrinkMs, config.fileShrinkCooldownMs);
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

/** `10s`, `1.5s`: one decimal, dropped when whole. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`;
}
