import {describe, expect, test} from 'vitest';
import {
  applyOperatorOverride,
  applyScaleDecision,
  decideScaling,
  growthBlocker,
  trackIdleSince,
  type AutoscaleInput,
  type AutoscalerConfig,
  type OperatorOverride,
  type PoolState,
  type ScaleDecision,
} from '../../../src/engine/monitor/autoscaler.js';
import type {ResourceSample} from '../../../src/engine/monitor/resource-monitor.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const NOW = 100_000;

/** Memory fields of a machine with `totalBytes` of RAM, `usedRatio` of it in use. */
function memory(usedRatio: number, totalBytes = 16 * GiB): Pick<ResourceSample, 'memoryUsedRatio' | 'memoryAvailableBytes'> {
  return {memoryUsedRatio: usedRatio, memoryAvailableBytes: totalBytes * (1 - usedRatio)};
}

function sample(atMs: number, fields: Partial<ResourceSample> = {}): ResourceSample {
  return {
    atMs,
    cpuRatio: 0.2,
    ...memory(0.3),
    nodeRssBytes: GiB,
    heapUsedBytes: 100 * MiB,
    loopDelayP50Ms: 1,
    loopDelayP99Ms: 5,
    ...fields,
  };
}

/** One sample a second, from `fromMs` to `toMs` inclusive. */
function series(fromMs: number, toMs: number, fields: Partial<ResourceSample> = {}): ResourceSample[] {
  const samples: ResourceSample[] = [];
  for (let atMs = fromMs; atMs <= toMs; atMs += 1000) samples.push(sample(atMs, fields));
  return samples;
}

/** 30 s of calm readings ending now, then `fields` from `fromMs` to now. */
function calmThen(fromMs: number, fields: Partial<ResourceSample>): ResourceSample[] {
  return [...series(NOW - 30_000, fromMs - 1000), ...series(fromMs, NOW, fields)];
}

function pool(fields: Partial<PoolState> = {}): PoolState {
  return {
    size: 2,
    busy: 0,
    backlog: 0,
    limits: {min: 1, max: 8},
    isPinned: false,
    lastChangeAtMs: undefined,
    idleSinceMs: undefined,
    ...fields,
  };
}

const calm = series(NOW - 30_000, NOW);
/** A browser pool with every slot busy and work waiting. */
const saturated = (fields: Partial<PoolState> = {}): PoolState => pool({size: 2, busy: 8, backlog: 37, ...fields});

function decide(input: Partial<AutoscaleInput>): ScaleDecision[] {
  const decisions = decideScaling({nowMs: NOW, samples: calm, files: pool(), ...input});
  // At most one decision per pool, and every decision says why with numbers.
  expect(decisions.filter((d) => d.pool === 'browsers').length).toBeLessThanOrEqual(1);
  expect(decisions.filter((d) => d.pool === 'files').length).toBeLessThanOrEqual(1);
  for (const decision of decisions) {
    expect(decision.reason).toMatch(/\d/);
    expect(decision.reason).toContain(`${decision.pool} ${decision.from} -> ${decision.to}`);
  }
  return decisions;
}

interface Expected {
  readonly to?: number;
  readonly reason?: string | RegExp;
}

function expectDecision(decision: ScaleDecision | undefined, expected: Expected): void {
  if (expected.to === undefined) {
    expect(decision).toBeUndefined();
    return;
  }
  expect(decision?.to).toBe(expected.to);
  if (typeof expected.reason === 'string') expect(decision?.reason).toBe(expected.reason);
  else if (expected.reason !== undefined) expect(decision?.reason).toMatch(expected.reason);
}

describe('decideScaling: browsers', () => {
  test.each<[string, Partial<AutoscaleInput>, Expected]>([
    // CPU
    ['cpu 86% for 6s with backlog: no new browser', {samples: calmThen(NOW - 5000, {cpuRatio: 0.86}), browsers: saturated()}, {}],
    [
      'cpu 86% for 10s: shrink by one',
      {samples: calmThen(NOW - 9000, {cpuRatio: 0.86}), browsers: saturated({size: 4, busy: 16})},
      {to: 3, reason: 'cpu 86% >= 80% for 10s: browsers 4 -> 3'},
    ],
    [
      'cpu over the mark for 10s at varying levels: the lowest is reported',
      {
        samples: [...calmThen(NOW - 9000, {cpuRatio: 0.95}).slice(0, -2), sample(NOW - 1000, {cpuRatio: 0.82}), sample(NOW, {cpuRatio: 0.9})],
        browsers: pool({size: 4}),
      },
      {to: 3, reason: 'cpu 82% >= 80% for 10s: browsers 4 -> 3'},
    ],
    [
      'cpu high for 20s but the pool changed 5s ago: wait a full window after the change',
      {samples: calmThen(NOW - 19_000, {cpuRatio: 0.9}), browsers: pool({size: 4, lastChangeAtMs: NOW - 5000})},
      {},
    ],
    ['cpu high for 10s at min: hold', {samples: calmThen(NOW - 9000, {cpuRatio: 0.9}), browsers: pool({size: 1})}, {}],
    [
      'cpu between the marks: one browser at a time',
      {samples: series(NOW - 30_000, NOW, {cpuRatio: 0.65}), browsers: saturated({size: 8, busy: 32, limits: {min: 1, max: 16}})},
      {to: 9, reason: /cpu 65%.*browsers 8 -> 9 \(wants 18; cpu 60%-80%: one at a time\)$/},
    ],
    [
      'cpu between the marks but 1 more browser would pass the high mark: hold',
      {samples: series(NOW - 30_000, NOW, {cpuRatio: 0.7}), browsers: saturated({size: 4, busy: 16})},
      {},
    ],
    [
      'cpu between the marks after an 85% reading 4s ago: hold (hysteresis)',
      {
        samples: [...series(NOW - 30_000, NOW - 5000, {cpuRatio: 0.65}), sample(NOW - 4000, {cpuRatio: 0.85}), ...series(NOW - 3000, NOW, {cpuRatio: 0.65})],
        browsers: saturated({size: 8, busy: 32, limits: {min: 1, max: 16}}),
      },
      {},
    ],
    // memory
    [
      'memory: 1.0 GiB available < 1.2 GiB needed: no new browser, no shrink',
      {samples: series(NOW - 30_000, NOW, memory(0.75, 4 * GiB)), browsers: saturated()},
      {},
    ],
    [
      'memory 93% used: shrink by one',
      {samples: series(NOW - 30_000, NOW, memory(0.93)), browsers: saturated({size: 4, busy: 16})},
      {to: 3, reason: 'memory 93% used >= 90%: browsers 4 -> 3'},
    ],
    [
      'memory below the reserve: shrink by one',
      {samples: series(NOW - 30_000, NOW, memory(0.89, 4 * GiB)), browsers: pool({size: 3})},
      {to: 2, reason: 'memory: 0.4 GiB available < 0.5 GiB reserve: browsers 3 -> 2'},
    ],
    [
      'memory 93% used, changed 2s ago: hold',
      {samples: series(NOW - 30_000, NOW, memory(0.93)), browsers: pool({size: 4, lastChangeAtMs: NOW - 2000})},
      {},
    ],
    [
      'memory room for one browser only: grow by one',
      {samples: series(NOW - 30_000, NOW, {cpuRatio: 0.1, ...memory(0.6, 4 * GiB)}), browsers: saturated()},
      {to: 3, reason: /browsers 2 -> 3 \(wants 12; memory room for 1\)$/},
    ],
    // growth
    [
      'backlog, all slots busy, headroom: grow by what cpu allows',
      {samples: series(NOW - 30_000, NOW, {cpuRatio: 0.35}), browsers: saturated()},
      {to: 4, reason: 'backlog 37 pages, 8/8 slots busy, cpu 35%, 11.2 GiB available: browsers 2 -> 4 (wants 12; cpu room for 2)'},
    ],
    ['backlog, idle machine: at most double', {browsers: saturated({size: 3, busy: 12})}, {to: 6, reason: /browsers 3 -> 6 \(wants 13; at most doubling\)$/}],
    ['backlog near max: up to max', {browsers: saturated({size: 6, busy: 24, limits: {min: 1, max: 7}})}, {to: 7, reason: /\(wants 16; max 7\)$/}],
    ['small backlog: as many as the work needs', {browsers: saturated({size: 4, busy: 16, backlog: 5})}, {to: 6, reason: /browsers 4 -> 6$/}],
    ['backlog fits in the free slots: hold', {browsers: pool({size: 2, busy: 3, backlog: 5})}, {}],
    ['within the grow cooldown: hold', {browsers: saturated({lastChangeAtMs: NOW - 1000})}, {}],
    ['at max: hold', {browsers: saturated({size: 8, busy: 32})}, {}],
    ['no samples: hold', {samples: [], browsers: saturated()}, {}],
    ['latest sample 10s old: hold', {samples: series(NOW - 30_000, NOW - 10_000), browsers: saturated()}, {}],
    ['event loop p99 300ms: hold', {samples: series(NOW - 30_000, NOW, {loopDelayP99Ms: 300}), browsers: saturated()}, {}],
    ['empty pool (min 0) with backlog: launch one', {browsers: pool({size: 0, backlog: 3, limits: {min: 0, max: 8}})}, {to: 1}],
    // idle
    ['idle for 30s: shrink by one', {browsers: pool({size: 4, idleSinceMs: NOW - 30_000})}, {to: 3, reason: 'idle for 30s: browsers 4 -> 3'}],
    ['idle for 20s: hold', {browsers: pool({size: 4, idleSinceMs: NOW - 20_000})}, {}],
    ['idle at min: hold', {browsers: pool({size: 1, idleSinceMs: NOW - 60_000})}, {}],
    ['idle but shrunk 2s ago: hold', {browsers: pool({size: 3, idleSinceMs: NOW - 60_000, lastChangeAtMs: NOW - 2000})}, {}],
    // limits
    ['size above max (limits changed): clamp', {browsers: pool({size: 4, limits: {min: 1, max: 2}})}, {to: 2, reason: 'limits changed: max 2: browsers 4 -> 2'}],
    ['size below min: clamp', {browsers: pool({size: 1, limits: {min: 3, max: 8}})}, {to: 3, reason: 'limits changed: min 3: browsers 1 -> 3'}],
    ['min above max: max wins', {browsers: pool({size: 4, limits: {min: 5, max: 3}})}, {to: 3}],
    // pinned: the operator owns the size
    ['pinned, cpu high for 10s: untouched', {samples: calmThen(NOW - 9000, {cpuRatio: 0.9}), browsers: pool({size: 4, isPinned: true})}, {}],
    ['pinned, memory 95% used: untouched', {samples: series(NOW - 30_000, NOW, memory(0.95)), browsers: pool({size: 4, isPinned: true})}, {}],
    ['pinned, backlog and headroom: untouched', {browsers: saturated({isPinned: true})}, {}],
    ['pinned, idle for 60s: untouched', {browsers: pool({size: 4, isPinned: true, idleSinceMs: NOW - 60_000})}, {}],
    ['pinned, above max: untouched', {browsers: pool({size: 4, isPinned: true, limits: {min: 1, max: 2}})}, {}],
  ])('%s', (_name, input, expected) => {
    const decisions = decide(input);
    expectDecision(
      decisions.find((d) => d.pool === 'browsers'),
      expected,
    );
  });

  test('no browser pool: only the file pool is decided', () => {
    expect(decide({files: pool({backlog: 50})}).map((d) => d.pool)).toEqual(['files']);
  });

  test('config overrides replace defaults; undefined fields keep them', () => {
    const input: Partial<AutoscaleInput> = {samples: calmThen(NOW - 4000, {cpuRatio: 0.75}), browsers: pool({size: 4})};
    const config: Partial<AutoscalerConfig> = {cpuHighRatio: 0.7, overloadWindowMs: 5000, cpuLowRatio: undefined};
    expect(decide({...input, config})).toEqual([{pool: 'browsers', from: 4, to: 3, reason: 'cpu 75% >= 70% for 5s: browsers 4 -> 3'}]);
  });
});

describe('decideScaling: files', () => {
  test.each<[string, Partial<AutoscaleInput>, Expected]>([
    ['file backlog 50: grow by one', {files: pool({size: 2, backlog: 50})}, {to: 3, reason: 'file backlog 50 > 10: files 2 -> 3'}],
    ['file backlog 10 (at the threshold): hold', {files: pool({size: 2, backlog: 10})}, {}],
    ['file backlog 50 at max: hold', {files: pool({size: 8, backlog: 50})}, {}],
    ['file backlog 50 within the cooldown: hold', {files: pool({size: 2, backlog: 50, lastChangeAtMs: NOW - 500})}, {}],
    ['file backlog 50, memory 95% used: hold', {samples: series(NOW - 30_000, NOW, memory(0.95)), files: pool({size: 2, backlog: 50})}, {}],
    ['file backlog 50, no samples: grow (files do not need them)', {samples: [], files: pool({size: 2, backlog: 50})}, {to: 3}],
    ['file backlog 50, cpu 95%: grow (cpu does not hold files back)', {samples: series(NOW - 30_000, NOW, {cpuRatio: 0.95}), files: pool({size: 2, backlog: 50})}, {to: 3}],
    ['idle for 30s: shrink by one', {files: pool({size: 4, idleSinceMs: NOW - 30_000})}, {to: 3, reason: 'idle for 30s: files 4 -> 3'}],
    ['idle for 29.5s: hold', {files: pool({size: 4, idleSinceMs: NOW - 29_500})}, {}],
    ['idle at min: hold', {files: pool({size: 1, idleSinceMs: NOW - 90_000})}, {}],
    ['size above max: clamp', {files: pool({size: 6, limits: {min: 1, max: 4}})}, {to: 4, reason: 'limits changed: max 4: files 6 -> 4'}],
    ['pinned, backlog 50: untouched', {files: pool({size: 2, backlog: 50, isPinned: true})}, {}],
    ['pinned, idle for 60s: untouched', {files: pool({size: 4, isPinned: true, idleSinceMs: NOW - 60_000})}, {}],
    ['pinned, above max: untouched', {files: pool({size: 6, isPinned: true, limits: {min: 1, max: 4}})}, {}],
  ])('%s', (_name, input, expected) => {
    expectDecision(
      decide(input).find((d) => d.pool === 'files'),
      expected,
    );
  });
});

describe('growthBlocker', () => {
  test.each<[string, Partial<AutoscaleInput>, 'browsers' | 'files', string | undefined]>([
    ['cpu high', {samples: series(NOW - 30_000, NOW, {cpuRatio: 0.86}), browsers: saturated()}, 'browsers', 'cpu 86% >= 80%'],
    [
      'memory below one browser plus the reserve',
      {samples: series(NOW - 30_000, NOW, memory(0.75, 4 * GiB)), browsers: saturated()},
      'browsers',
      'memory: 1.0 GiB available < 1.2 GiB needed for another browser',
    ],
    [
      'memory ratio would pass the high mark',
      {samples: series(NOW - 30_000, NOW, memory(0.88)), browsers: saturated()},
      'browsers',
      'memory 88% used: another browser (0.7 GiB) would pass 90%',
    ],
    ['memory over the high mark', {samples: series(NOW - 30_000, NOW, memory(0.92)), browsers: saturated()}, 'browsers', 'memory 92% used >= 90%'],
    ['event loop', {samples: series(NOW - 30_000, NOW, {loopDelayP99Ms: 312.4}), browsers: saturated()}, 'browsers', 'event loop p99 312ms >= 200ms'],
    [
      'cpu between the marks, no room for one more',
      {samples: series(NOW - 30_000, NOW, {cpuRatio: 0.75}), browsers: saturated({size: 5})},
      'browsers',
      'cpu 75% + ~15% per browser would reach 80%',
    ],
    [
      'cpu recently over the mark',
      {samples: [...series(NOW - 30_000, NOW - 4000, {cpuRatio: 0.85}), ...series(NOW - 3000, NOW, {cpuRatio: 0.62})], browsers: saturated({size: 8, limits: {min: 1, max: 16}})},
      'browsers',
      'cpu 62% but 85% >= 80% 4s ago',
    ],
    ['no samples', {samples: [], browsers: saturated()}, 'browsers', 'no resource sample in the last 5s'],
    ['pinned', {browsers: saturated({isPinned: true})}, 'browsers', 'pinned by operator at 2'],
    ['at max', {browsers: saturated({size: 8})}, 'browsers', 'at max 8'],
    ['cooldown', {browsers: saturated({lastChangeAtMs: NOW - 1000})}, 'browsers', 'cooldown: last change 1s ago < 2s'],
    ['nothing in the way', {browsers: saturated()}, 'browsers', undefined],
    ['no browser pool', {}, 'browsers', 'no browser pool on this node'],
    ['files: memory over the high mark', {samples: series(NOW - 30_000, NOW, memory(0.95))}, 'files', 'memory 95% used >= 90%'],
    ['files: cooldown', {files: pool({lastChangeAtMs: NOW - 500})}, 'files', 'cooldown: last change 0.5s ago < 1s'],
    ['files: nothing in the way', {}, 'files', undefined],
  ])('%s', (_name, input, poolName, expected) => {
    expect(growthBlocker({nowMs: NOW, samples: calm, files: pool(), ...input}, poolName)).toBe(expected);
  });
});

describe('applyOperatorOverride', () => {
  test.each<[string, PoolState, OperatorOverride, Partial<PoolState>, ScaleDecision | undefined, string]>([
    [
      'set-size pins and resizes',
      pool({size: 2}),
      {kind: 'set-size', size: 6},
      {size: 6, isPinned: true, lastChangeAtMs: NOW},
      {pool: 'browsers', from: 2, to: 6, reason: 'operator set browsers to 6, pinned: browsers 2 -> 6'},
      'operator set browsers to 6, pinned: browsers 2 -> 6',
    ],
    [
      'set-size beyond max is clamped',
      pool({size: 2}),
      {kind: 'set-size', size: 20},
      {size: 8, isPinned: true},
      {pool: 'browsers', from: 2, to: 8, reason: 'operator set browsers to 8 (asked 20, limits 1-8), pinned: browsers 2 -> 8'},
      'operator set browsers to 8 (asked 20, limits 1-8), pinned: browsers 2 -> 8',
    ],
    ['set-size to the current size only pins', pool({size: 2}), {kind: 'set-size', size: 2}, {size: 2, isPinned: true, lastChangeAtMs: undefined}, undefined, 'operator set browsers to 2, pinned'],
    [
      'set-limits below the size clamps at once',
      pool({size: 4}),
      {kind: 'set-limits', max: 2},
      {size: 2, limits: {min: 1, max: 2}, lastChangeAtMs: NOW},
      {pool: 'browsers', from: 4, to: 2, reason: 'operator set browsers limits 1-2: browsers 4 -> 2'},
      'operator set browsers limits 1-2: browsers 4 -> 2',
    ],
    [
      'set-limits clamps a pinned pool too',
      pool({size: 1, isPinned: true}),
      {kind: 'set-limits', min: 3},
      {size: 3, isPinned: true, limits: {min: 3, max: 8}},
      {pool: 'browsers', from: 1, to: 3, reason: 'operator set browsers limits 3-8: browsers 1 -> 3'},
      'operator set browsers limits 3-8: browsers 1 -> 3',
    ],
    ['set-limits around the size', pool({size: 4}), {kind: 'set-limits', min: 2, max: 12}, {size: 4, limits: {min: 2, max: 12}}, undefined, 'operator set browsers limits 2-12'],
    ['pin', pool({size: 3}), {kind: 'pin'}, {size: 3, isPinned: true}, undefined, 'operator pinned browsers at 3'],
    ['unpin', pool({size: 3, isPinned: true}), {kind: 'unpin'}, {isPinned: false}, undefined, 'operator turned autoscaling back on for browsers (at 3)'],
  ])('%s', (_name, state, override, expectedState, expectedDecision, expectedReason) => {
    const result = applyOperatorOverride('browsers', state, override, NOW);
    expect(result.state).toMatchObject(expectedState);
    expect(result.decision).toEqual(expectedDecision);
    expect(result.reason).toBe(expectedReason);
  });
});

describe('trackIdleSince', () => {
  test.each<[number | undefined, number, number, number | undefined]>([
    [undefined, 0, 0, NOW],
    [NOW - 5000, 0, 0, NOW - 5000],
    [NOW - 5000, 1, 0, undefined],
    [NOW - 5000, 0, 3, undefined],
    [undefined, 2, 0, undefined],
  ])('previous %s, busy %s, backlog %s -> %s', (previous, busy, backlog, expected) => {
    expect(trackIdleSince(previous, busy, backlog, NOW)).toBe(expected);
  });
});

// --- a simulated run loop: the engine's interval, with a machine model instead of a machine ---

interface Machine {
  readonly totalBytes: number;
  /** CPU used by everything else, 0-1, at a given time. */
  readonly otherCpuRatio: (atMs: number) => number;
  readonly cpuPerBrowserRatio: number;
  readonly baseUsedBytes: number;
  readonly bytesPerBrowser: number;
}

interface Workload {
  /** Pages waiting in the scrape queue at `atMs` (beyond what the browsers hold). */
  readonly pagesWaiting: (atMs: number) => number;
  /** File tasks waiting at `atMs`. */
  readonly filesWaiting: (atMs: number) => number;
}

interface Run {
  readonly decisions: ReadonlyArray<ScaleDecision & {readonly atMs: number}>;
  readonly browserSizes: ReadonlyArray<{readonly atMs: number; readonly size: number}>;
  readonly fileSizes: ReadonlyArray<{readonly atMs: number; readonly size: number}>;
}

/**
 * Ticks once a second for `durationMs`: reads the pools, takes a sample from the machine model,
 * asks for decisions and applies them, as the engine's interval will.
 */
function simulate(options: {
  readonly durationMs: number;
  readonly machine: Machine;
  readonly workload: Workload;
  browsers?: PoolState;
  files: PoolState;
  readonly pinAtMs?: {readonly atMs: number; readonly pool: 'browsers' | 'files'; readonly override: OperatorOverride};
}): Run {
  let {browsers, files} = options;
  const {machine, workload} = options;
  const samples: ResourceSample[] = [];
  const decisions: Array<ScaleDecision & {atMs: number}> = [];
  const browserSizes: Array<{atMs: number; size: number}> = [];
  const fileSizes: Array<{atMs: number; size: number}> = [];
  for (let atMs = 1000; atMs <= options.durationMs; atMs += 1000) {
    if (options.pinAtMs?.atMs === atMs) {
      const {pool: name, override} = options.pinAtMs;
      const current = name === 'browsers' ? browsers! : files;
      const result = applyOperatorOverride(name, current, override, atMs);
      if (name === 'browsers') browsers = result.state;
      else files = result.state;
    }
    if (browsers !== undefined) {
      const slots = browsers.size * 4;
      const work = workload.pagesWaiting(atMs);
      const busy = Math.min(slots, work);
      const backlog = work - busy;
      browsers = {...browsers, busy, backlog, idleSinceMs: trackIdleSince(browsers.idleSinceMs, busy, backlog, atMs)};
    }
    const fileWork = workload.filesWaiting(atMs);
    const fileBusy = Math.min(files.size, fileWork);
    files = {...files, busy: fileBusy, backlog: fileWork - fileBusy, idleSinceMs: trackIdleSince(files.idleSinceMs, fileBusy, fileWork - fileBusy, atMs)};

    const browserCount = browsers?.size ?? 0;
    const usedBytes = machine.baseUsedBytes + browserCount * machine.bytesPerBrowser;
    samples.push(
      sample(atMs, {
        cpuRatio: Math.min(1, machine.otherCpuRatio(atMs) + browserCount * machine.cpuPerBrowserRatio),
        memoryUsedRatio: usedBytes / machine.totalBytes,
        memoryAvailableBytes: machine.totalBytes - usedBytes,
      }),
    );
    if (samples.length > 30) samples.shift();

    for (const decision of decideScaling({nowMs: atMs, samples, browsers, files})) {
      decisions.push({...decision, atMs});
      if (decision.pool === 'browsers') browsers = applyScaleDecision(browsers!, decision, atMs);
      else files = applyScaleDecision(files, decision, atMs);
    }
    if (browsers !== undefined) browserSizes.push({atMs, size: browsers.size});
    fileSizes.push({atMs, size: files.size});
  }
  return {decisions, browserSizes, fileSizes};
}

const firstAt = (sizes: Run['browserSizes'], size: number): number | undefined => sizes.find((s) => s.size === size)?.atMs;

const roomyMachine: Machine = {
  totalBytes: 32 * GiB,
  otherCpuRatio: () => 0.05,
  cpuPerBrowserRatio: 0.03,
  baseUsedBytes: 4 * GiB,
  bytesPerBrowser: 600 * MiB,
};
const busyQueue: Workload = {pagesWaiting: () => 1000, filesWaiting: () => 0};

describe('simulated run loop', () => {
  test('browsers go 1 -> 8 within 60 s with headroom and a big backlog', () => {
    const run = simulate({durationMs: 60_000, machine: roomyMachine, workload: busyQueue, browsers: pool({size: 1}), files: pool({size: 1})});
    const reachedAtMs = firstAt(run.browserSizes, 8);
    expect(reachedAtMs).toBeDefined();
    expect(reachedAtMs!).toBeLessThanOrEqual(10_000);
    expect(run.decisions.filter((d) => d.pool === 'browsers').map((d) => `${d.from}->${d.to}@${d.atMs / 1000}s`)).toEqual([
      '1->2@1s',
      '2->4@3s',
      '4->8@5s',
    ]);
    expect(run.browserSizes.at(-1)?.size).toBe(8);
  });

  test('browsers go 1 -> 200 within 60 s on a big machine (Crawlee needs about 590 s)', () => {
    const machine: Machine = {
      totalBytes: 256 * GiB,
      otherCpuRatio: () => 0.05,
      cpuPerBrowserRatio: 0.003,
      baseUsedBytes: 8 * GiB,
      bytesPerBrowser: 600 * MiB,
    };
    const run = simulate({
      durationMs: 60_000,
      machine,
      workload: {pagesWaiting: () => 5000, filesWaiting: () => 0},
      browsers: pool({size: 1, limits: {min: 1, max: 200}}),
      files: pool({size: 1}),
    });
    const reachedAtMs = firstAt(run.browserSizes, 200);
    expect(reachedAtMs).toBeDefined();
    expect(reachedAtMs!).toBeLessThanOrEqual(20_000);
    // Doubling: 1, 2, 4, ..., 128, then the last 72.
    expect(run.decisions.map((d) => d.to)).toEqual([2, 4, 8, 16, 32, 64, 128, 200]);
  });

  test('browsers settle where the CPU allows and stay there', () => {
    // Each browser costs 10% CPU: 7 browsers make 75%, an 8th would pass 80%.
    const machine: Machine = {...roomyMachine, cpuPerBrowserRatio: 0.1};
    const run = simulate({
      durationMs: 120_000,
      machine,
      workload: busyQueue,
      browsers: pool({size: 1, limits: {min: 1, max: 16}}),
      files: pool({size: 1}),
    });
    expect(run.browserSizes.at(-1)?.size).toBe(7);
    expect(run.decisions.every((d) => d.to > d.from)).toBe(true);
    expect(firstAt(run.browserSizes, 7)!).toBeLessThanOrEqual(10_000);
  });

  test('cpu taken by something else: no new browser, then one shed per overload window until under the mark', () => {
    // 8 browsers at 8% each plus 5% make 69%; from 30 s another process takes 40% more, so the pool
    // must shed browsers until 45% + n × 8% is under 80% (n = 4).
    const machine: Machine = {...roomyMachine, cpuPerBrowserRatio: 0.08, otherCpuRatio: (atMs) => (atMs >= 30_000 ? 0.45 : 0.05)};
    const run = simulate({durationMs: 90_000, machine, workload: busyQueue, browsers: pool({size: 1}), files: pool({size: 1})});
    const before = run.browserSizes.find((s) => s.atMs === 29_000)!.size;
    const shrinks = run.decisions.filter((d) => d.to < d.from);
    expect(shrinks.length).toBeGreaterThan(0);
    for (const shrink of shrinks) expect(shrink.reason).toMatch(/^cpu \d+% >= 80% for 1\d(\.\d)?s: browsers \d+ -> \d+$/);
    // One per window: at least 10 s apart.
    for (let i = 1; i < shrinks.length; i++) expect(shrinks[i]!.atMs - shrinks[i - 1]!.atMs).toBeGreaterThanOrEqual(10_000);
    const after = run.browserSizes.at(-1)!.size;
    expect(after).toBeLessThan(before);
    expect(0.45 + after * 0.08).toBeLessThan(0.8);
    // No growth after the load arrived.
    expect(run.decisions.filter((d) => d.atMs >= 30_000 && d.to > d.from)).toEqual([]);
  });

  test('files grow to max with backlog 50, then shrink back to min after idling', () => {
    const workload: Workload = {pagesWaiting: () => 0, filesWaiting: (atMs) => (atMs <= 20_000 ? 50 : 0)};
    const run = simulate({durationMs: 120_000, machine: roomyMachine, workload, files: pool({size: 1, limits: {min: 1, max: 6}})});
    const grows = run.decisions.filter((d) => d.to > d.from);
    expect(grows.map((d) => d.reason)).toEqual([
      'file backlog 49 > 10: files 1 -> 2',
      'file backlog 48 > 10: files 2 -> 3',
      'file backlog 47 > 10: files 3 -> 4',
      'file backlog 46 > 10: files 4 -> 5',
      'file backlog 45 > 10: files 5 -> 6',
    ]);
    expect(firstAt(run.fileSizes, 6)!).toBeLessThanOrEqual(5_000);
    // Idle from 21 s: the first shrink 30 s later, then one per shrink cooldown.
    const shrinks = run.decisions.filter((d) => d.to < d.from);
    expect(shrinks.map((d) => `${d.reason}@${d.atMs / 1000}s`)).toEqual([
      'idle for 30s: files 6 -> 5@51s',
      'idle for 35s: files 5 -> 4@56s',
      'idle for 40s: files 4 -> 3@61s',
      'idle for 45s: files 3 -> 2@66s',
      'idle for 50s: files 2 -> 1@71s',
    ]);
    expect(run.fileSizes.at(-1)?.size).toBe(1);
  });

  test('browsers shrink back to min after idling', () => {
    const workload: Workload = {pagesWaiting: (atMs) => (atMs <= 10_000 ? 1000 : 0), filesWaiting: () => 0};
    const run = simulate({durationMs: 120_000, machine: roomyMachine, workload, browsers: pool({size: 1}), files: pool({size: 1})});
    expect(Math.max(...run.browserSizes.map((s) => s.size))).toBe(8);
    expect(run.browserSizes.at(-1)?.size).toBe(1);
    expect(run.decisions.filter((d) => d.to < d.from).every((d) => /^idle for \d+s: browsers \d+ -> \d+$/.test(d.reason))).toBe(true);
  });

  test('a pinned pool is never changed, whatever the load', () => {
    const workload: Workload = {pagesWaiting: () => 1000, filesWaiting: () => 50};
    const run = simulate({
      durationMs: 120_000,
      machine: roomyMachine,
      workload,
      browsers: pool({size: 2, isPinned: true}),
      files: pool({size: 1, isPinned: true}),
    });
    expect(run.decisions).toEqual([]);
  });

  test('pinning mid-run stops autoscaling of that pool only; the other keeps scaling', () => {
    const workload: Workload = {pagesWaiting: () => 1000, filesWaiting: () => 50};
    const run = simulate({
      durationMs: 30_000,
      machine: roomyMachine,
      workload,
      browsers: pool({size: 1}),
      files: pool({size: 1, limits: {min: 1, max: 6}}),
      pinAtMs: {atMs: 2000, pool: 'browsers', override: {kind: 'pin'}},
    });
    expect(run.decisions.filter((d) => d.pool === 'browsers').map((d) => d.atMs)).toEqual([1000]);
    expect(run.browserSizes.at(-1)?.size).toBe(2);
    expect(run.fileSizes.at(-1)?.size).toBe(6);
  });

  test('every decision of every run has a reason with numbers', () => {
    const workload: Workload = {pagesWaiting: (atMs) => (atMs % 60_000 < 20_000 ? 500 : 0), filesWaiting: (atMs) => (atMs % 45_000 < 10_000 ? 50 : 0)};
    const run = simulate({durationMs: 300_000, machine: {...roomyMachine, cpuPerBrowserRatio: 0.09}, workload, browsers: pool({size: 1}), files: pool({size: 1})});
    expect(run.decisions.length).toBeGreaterThan(10);
    for (const decision of run.decisions) {
      expect(decision.reason.length).toBeGreaterThan(0);
      expect(decision.reason).toMatch(/\d/);
      expect(decision.reason).toContain(`${decision.pool} ${decision.from} -> ${decision.to}`);
    }
  });
});
