import type {SeriesPoint} from '../../engine/contract.js';

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export interface SparklineOptions {
  /** The value drawn as a full bar. @default the largest value (at least `threshold`) */
  readonly max?: number;
  /** Values at or above it are marked (`isOver`). */
  readonly threshold?: number;
}

/** A run of bars of one kind: under or over the threshold, or padding where there is no data. */
export interface SparklineSegment {
  readonly text: string;
  readonly kind: 'empty' | 'under' | 'over';
}

/** The newest `width` values of a series, oldest first. */
export function lastValues(points: readonly SeriesPoint[], width: number): number[] {
  const start = Math.max(0, points.length - width);
  const values: number[] = [];
  for (let index = start; index < points.length; index++) values.push(points[index]!.value);
  return values;
}

function barFor(value: number, max: number): string {
  if (!(max > 0) || !Number.isFinite(value) || value <= 0) return BARS[0];
  const level = Math.round((Math.min(value, max) / max) * (BARS.length - 1));
  return BARS[Math.max(0, Math.min(BARS.length - 1, level))]!;
}

/** Bars for `values` (oldest first), right-aligned in `width` columns (left-padded with spaces). */
export function sparkline(values: readonly number[], width: number, options: SparklineOptions = {}): string {
  return sparklineSegments(values, width, options)
    .map((segment) => segment.text)
    .join('');
}

/** {@link sparkline} split into runs, so a view can colour the bars at or above the threshold. */
export function sparklineSegments(values: readonly number[], width: number, options: SparklineOptions = {}): SparklineSegment[] {
  if (width <= 0) return [];
  const shown = values.slice(-width);
  const largest = shown.reduce((max, value) => (Number.isFinite(value) && value > max ? value : max), 0);
  const max = options.max ?? Math.max(largest, options.threshold ?? 0);
  const segments: SparklineSegment[] = [];
  const push = (text: string, kind: SparklineSegment['kind']) => {
    const last = segments[segments.length - 1];
    if (last && last.kind === kind) segments[segments.length - 1] = {text: last.text + text, kind};
    else segments.push({text, kind});
  };
  if (shown.length < width) push(' '.repeat(width - shown.length), 'empty');
  for (const value of shown) {
    const isOver = options.threshold !== undefined && value >= options.threshold;
    push(barFor(value, max), isOver ? 'over' : 'under');
  }
  return segments;
}

/** Sum of the points in the last `windowMs` before `nowMs` (e.g. jobs completed in the last minute). */
export function sumSince(points: readonly SeriesPoint[], nowMs: number, windowMs: number): number {
  let sum = 0;
  for (let index = points.length - 1; index >= 0; index--) {
    const point = points[index]!;
    if (point.atMs <= nowMs - windowMs) break;
    sum += point.value;
  }
  return sum;
}

/**
 * Sums consecutive points into buckets of `size` points (per-second counts into per-10-second
 * counts), so a narrow sparkline still shows a long trend.
 */
export function bucketSums(values: readonly number[], size: number): number[] {
  if (size <= 1) return [...values];
  const buckets: number[] = [];
  // Align buckets to the newest value, so the last bar is always complete.
  const first = values.length % size;
  if (first > 0) buckets.push(values.slice(0, first).reduce((a, b) => a + b, 0));
  for (let start = first; start < values.length; start += size) {
    buckets.push(values.slice(start, start + size).reduce((a, b) => a + b, 0));
  }
  return buckets;
}
