/** A sample with the time it was taken. */
export interface TimedSample {
  readonly atMs: number;
}

/**
 * Samples of the last `windowMs`, oldest first. Pushing drops what fell out of the window, so
 * memory is bounded by the sampling rate times the window.
 */
export class SampleWindow<T extends TimedSample> {
  readonly #windowMs: number;
  #samples: T[] = [];

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  push(sample: T): void {
    this.#samples.push(sample);
    const oldest = sample.atMs - this.#windowMs;
    let drop = 0;
    while (drop < this.#samples.length && this.#samples[drop]!.atMs < oldest) drop++;
    if (drop > 0) this.#samples = this.#samples.slice(drop);
  }

  /** Samples taken in the last `ms` before `nowMs`, oldest first. */
  since(ms: number, nowMs = this.latest()?.atMs ?? Date.now()): readonly T[] {
    const from = nowMs - ms;
    return this.#samples.filter((sample) => sample.atMs >= from);
  }

  all(): readonly T[] {
    return this.#samples;
  }

  latest(): T | undefined {
    return this.#samples[this.#samples.length - 1];
  }

  clear(): void {
    this.#samples = [];
  }
}

/**
 * Least-squares slope of `value` over time, in units per minute; undefined with fewer than 3
 * samples. Used for memory trends: a slope that stays positive over the window is a leak.
 */
export function slopePerMinute<T extends TimedSample>(samples: readonly T[], value: (sample: T) => number): number | undefined {
  if (samples.length < 3) return undefined;
  const t0 = samples[0]!.atMs;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumXX = 0;
  for (const sample of samples) {
    const x = (sample.atMs - t0) / 60_000;
    const y = value(sample);
    sumX += x;
    sumY += y;
    sumXY += x * y;
    sumXX += x * x;
  }
  const n = samples.length;
  const denominator = n * sumXX - sumX * sumX;
  return denominator === 0 ? undefined : (n * sumXY - sumX * sumY) / denominator;
}
