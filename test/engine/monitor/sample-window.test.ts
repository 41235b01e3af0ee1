import {describe, expect, test} from 'vitest';
import {SampleWindow, slopePerMinute, type TimedSample} from '../../../src/engine/monitor/sample-window.js';

interface Reading extends TimedSample {
  readonly value: number;
}

const reading = (atMs: number, value = 0): Reading => ({atMs, value});
const times = (samples: readonly TimedSample[]): number[] => samples.map((s) => s.atMs);

function windowOf(windowMs: number, atMs: readonly number[]): SampleWindow<Reading> {
  const window = new SampleWindow<Reading>(windowMs);
  for (const at of atMs) window.push(reading(at));
  return window;
}

describe('SampleWindow', () => {
  test.each<[string, number, number[], number[]]>([
    ['keeps everything inside the window', 10_000, [0, 1000, 5000, 10_000], [0, 1000, 5000, 10_000]],
    ['drops what fell out when a sample is pushed', 10_000, [0, 1000, 5000, 11_500], [5000, 11_500]],
    ['a sample exactly windowMs old stays', 5000, [0, 5000], [0, 5000]],
    ['a jump past the window leaves only the newest', 1000, [0, 100, 200, 60_000], [60_000]],
    ['empty', 1000, [], []],
  ])('%s', (_name, windowMs, pushed, kept) => {
    expect(times(windowOf(windowMs, pushed).all())).toEqual(kept);
  });

  test.each<[string, number, number | undefined, number[]]>([
    ['the last 3 s before the latest sample', 3000, undefined, [7000, 8000, 9000, 10_000]],
    ['the last 3 s before a time after the latest sample', 3000, 12_000, [9000, 10_000]],
    ['more than the window returns everything kept', 60_000, undefined, [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]],
    ['nothing in the last 1 s before a later time', 1000, 20_000, []],
  ])('since: %s', (_name, ms, nowMs, expected) => {
    const window = windowOf(60_000, [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    expect(times(window.since(ms, nowMs))).toEqual(expected);
  });

  test('latest and clear', () => {
    const window = windowOf(10_000, [0, 1000, 2000]);
    expect(window.latest()?.atMs).toBe(2000);
    window.clear();
    expect(window.latest()).toBeUndefined();
    expect(window.all()).toEqual([]);
    window.push(reading(3000));
    expect(times(window.all())).toEqual([3000]);
  });
});

describe('slopePerMinute', () => {
  const line = (perMinute: number, count: number, stepMs = 1000, offset = 0): Reading[] =>
    Array.from({length: count}, (_, i) => reading(i * stepMs, offset + (perMinute * i * stepMs) / 60_000));

  test.each<[string, Reading[], number | undefined]>([
    ['fewer than 3 samples', line(10, 2), undefined],
    ['no samples', [], undefined],
    ['all at the same instant', [reading(5, 1), reading(5, 2), reading(5, 3)], undefined],
    ['flat', line(0, 10, 1000, 42), 0],
    ['rising 60 MiB a minute', line(60, 30), 60],
    ['falling 5 a minute, sampled every 10 s', line(-5, 12, 10_000, 100), -5],
  ])('%s', (_name, samples, expected) => {
    const slope = slopePerMinute(samples, (s) => s.value);
    if (expected === undefined) expect(slope).toBeUndefined();
    else expect(slope).toBeCloseTo(expected, 9);
  });

  test('noise around a rising trend still gives its slope', () => {
    const samples = Array.from({length: 60}, (_, i) => reading(i * 1000, i * 2 + (i % 2 === 0 ? 3 : -3)));
    // 2 per second = 120 per minute; the ±3 alternation shifts it by well under 1%.
    expect(slopePerMinute(samples, (s) => s.value)).toBeCloseTo(120, 0);
  });
});
