import {readFileSync, readdirSync} from 'node:fs';
import {cpus, freemem, totalmem} from 'node:os';
import {monitorEventLoopDelay, type IntervalHistogram} from 'node:perf_hooks';
import {SampleWindow} from './sample-window.js';

/** One reading of this node and its machine. */
export interface ResourceSample {
  readonly atMs: number;
  /** Busy share of all cores since the previous sample, 0-1. */
  readonly cpuRatio: number;
  /** Share of system memory in use (total minus available), 0-1. */
  readonly memoryUsedRatio: number;
  readonly memoryAvailableBytes: number;
  /** This process and all its descendants (Chromium included). */
  readonly nodeRssBytes: number;
  readonly heapUsedBytes: number;
  /** Event-loop delay of this process since the previous sample. */
  readonly loopDelayP50Ms: number;
  readonly loopDelayP99Ms: number;
}

export interface ResourceMonitorOptions {
  /** @default 1000 */
  readonly intervalMs?: number;
  /** How much history is kept for trends. @default 600_000 (10 minutes) */
  readonly windowMs?: number;
}

interface CpuTimes {
  readonly idle: number;
  readonly total: number;
}

function readCpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const {user, nice, sys, irq, idle: cpuIdle} = cpu.times;
    idle += cpuIdle;
    total += user + nice + sys + irq + cpuIdle;
  }
  return {idle, total};
}

/** MemAvailable (what can be had without swapping) on Linux; free memory elsewhere. */
function readAvailableMemoryBytes(): number {
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

const PAGE_SIZE_BYTES = 4096;

function rssOfPid(pid: number): number {
  try {
    // statm's second field is resident pages: a tiny read, cheaper than parsing /proc/<pid>/stat.
    return Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * PAGE_SIZE_BYTES;
  } catch {
    return 0; // exited while we looked
  }
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const tid of threads) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) {
        if (child !== '') children.push(Number(child));
      }
    } catch {
      // thread gone
    }
  }
  return children;
}

/**
 * RSS of a process and all its descendants (Chromium included), walking the `children` files under /proc/<pid>/task
 * from the root: a few small reads per process of our own tree instead of a scan of every
 * process on the machine, and no `ps` spawn. Elsewhere: this process's RSS only.
 */
export function processTreeRssBytes(rootPid = process.pid): number {
  if (process.platform !== 'linux') return process.memoryUsage.rss();
  let total = 0;
  const stack = [rootPid];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += rssOfPid(pid);
    stack.push(...childrenOf(pid));
  }
  return total;
}

/**
 * Samples CPU, memory, the process tree's RSS and event-loop delay every `intervalMs` and keeps
 * `windowMs` of history. `record()` is the seam tests use instead of timers.
 */
export class ResourceMonitor {
  readonly window: SampleWindow<ResourceSample>;
  readonly #intervalMs: number;
  readonly #histogram: IntervalHistogram;
  #previousCpu: CpuTimes = readCpuTimes();
  #timer: NodeJS.Timeout | undefined;
  #listeners = new Set<(sample: ResourceSample) => void>();

  constructor(options: ResourceMonitorOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 1000;
    this.window = new SampleWindow(options.windowMs ?? 600_000);
    this.#histogram = monitorEventLoopDelay({resolution: 10});
  }

  start(): void {
    if (this.#timer) return;
    this.#histogram.enable();
    this.#previousCpu = readCpuTimes();
    this.#timer = setInterval(() => this.record(this.read()), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#histogram.disable();
  }

  /** Takes a reading now (and resets the event-loop histogram for the next one). */
  read(): ResourceSample {
    const cpu = readCpuTimes();
    const totalDelta = cpu.total - this.#previousCpu.total;
    const idleDelta = cpu.idle - this.#previousCpu.idle;
    this.#previousCpu = cpu;
    const available = readAvailableMemoryBytes();
    const total = totalmem();
    const sample: ResourceSample = {
      atMs: Date.now(),
      cpuRatio: totalDelta > 0 ? Math.min(1, Math.max(0, 1 - idleDelta / totalDelta)) : 0,
      memoryUsedRatio: Math.min(1, Math.max(0, 1 - available / total)),
      memoryAvailableBytes: available,
      nodeRssBytes: processTreeRssBytes(),
      heapUsedBytes: process.memoryUsage().heapUsed,
      // The histogram is in nanoseconds; with no samples it reports NaN-ish huge minimums.
      loopDelayP50Ms: this.#histogram.count > 0 ? this.#histogram.percentile(50) / 1e6 : 0,
      loopDelayP99Ms: this.#histogram.count > 0 ? this.#histogram.percentile(99) / 1e6 : 0,
    };
    this.#histogram.reset();
    return sample;
  }

  /** Adds one sample. Called by the timer; tests call it directly. */
  record(sample: ResourceSample): void {
    this.window.push(sample);
    for (const listener of this.#listeners) listener(sample);
  }

  onSample(listener: (sample: ResourceSample) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
