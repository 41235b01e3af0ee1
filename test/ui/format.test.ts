import {describe, expect, test} from 'vitest';
import {formatAge, formatDuration, formatTimestamp} from '../../src/ui/format/duration.js';
import {errorSignature} from '../../src/ui/format/error-signature.js';
import {formatBytes, formatCount, formatLatencyMs, formatPercent} from '../../src/ui/format/numbers.js';
import {sanitize, sanitizeMultiline} from '../../src/ui/format/sanitize.js';
import {bucketSums, sparkline, sparklineSegments, sumSince} from '../../src/ui/format/sparkline.js';
import {fit, truncate, wrapLines} from '../../src/ui/format/text.js';
import {NOW_MS, series} from '../fixtures/snapshots.js';

describe('sanitize', () => {
  test.each([
    ['plain text', 'plain text'],
    ['clear\u001b[2Jscreen', 'clearscreen'],
    ['title\u001b]0;pwned\u0007 end', 'title end'],
    ['osc with st\u001b]8;;https://evil\u001b\\link\u001b]8;;\u001b\\', 'osc with stlink'],
    ['colour \u001b[31mred\u001b[0m', 'colour red'],
    ['c1 csi \u009b2J done', 'c1 csi  done'],
    ['c1 osc \u009d0;x\u0007 done', 'c1 osc  done'],
    ['dcs \u001bPq#0;2;0;0;0\u001b\\ done', 'dcs  done'],
    ['reset \u001bc now', 'reset  now'],
    ['bell\u0007 nul\u0000 del\u007f', 'bell nul del'],
    ['line\nbreak\ttab\r\n', 'line break tab '],
    ['bidi \u202eevil\u202c \u2066x\u2069', 'bidi evil x'],
    ['unterminated \u001b]0;title forever', 'unterminated '],
    ['lone escape at end\u001b', 'lone escape at end'],
    ['日本語のタイトル', '日本語のタイトル'],
  ])('sanitize(%j)', (input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });

  test('sanitizeMultiline keeps line breaks and drops the rest', () => {
    expect(sanitizeMultiline('Error: x\r\n    at f (\u001b[2Ja.js:1)\n\tat g\u0007')).toBe('Error: x\n    at f (a.js:1)\n  at g');
  });
});

describe('text cells', () => {
  test.each([
    ['abcdef', 4, 'abc…'],
    ['abc', 4, 'abc'],
    ['abc', 0, ''],
    ['日本語です', 3, '日本…'],
  ])('truncate(%j, %i)', (text, width, expected) => {
    expect(truncate(text, width)).toBe(expected);
  });

  test('fit pads and aligns to an exact width', () => {
    expect(fit('ab', 5)).toBe('ab   ');
    expect(fit('ab', 5, 'right')).toBe('   ab');
    expect(fit('abcdefg', 5)).toBe('abcd…');
  });

  test('wrapLines breaks long lines and keeps empty ones', () => {
    expect(wrapLines('abcdefg\n\nxy', 3)).toEqual(['abc', 'def', 'g', '', 'xy']);
  });
});

describe('numbers', () => {
  test.each([
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [3 * 2 ** 30, '3.0 GiB'],
    [-1, '–'],
  ])('formatBytes(%d)', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });

  test.each([
    [0, '0'],
    [12_345, '12,345'],
    [99_999, '99,999'],
    [123_456, '123k'],
    [1_234_567, '1.2M'],
    [12_345_678_901, '12.3G'],
  ])('formatCount(%d)', (count, expected) => {
    expect(formatCount(count)).toBe(expected);
  });

  test('percent and latency', () => {
    expect(formatPercent(0.434)).toBe('43%');
    expect(formatLatencyMs(0.42)).toBe('0.4 ms');
    expect(formatLatencyMs(120)).toBe('120 ms');
    expect(formatLatencyMs(1500)).toBe('1.5 s');
  });
});

describe('durations', () => {
  test.each([
    [0, '0s'],
    [45_000, '45s'],
    [185_000, '3m05s'],
    [(2 * 3600 + 14 * 60) * 1000, '2h14m'],
    [(3 * 24 + 4) * 3600 * 1000, '3d04h'],
    [-5, '–'],
  ])('formatDuration(%d)', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  test('formatAge is relative to the snapshot clock', () => {
    expect(formatAge(NOW_MS - 500, NOW_MS)).toBe('now');
    expect(formatAge(NOW_MS - 12_000, NOW_MS)).toBe('12s');
    expect(formatAge(NOW_MS - 4 * 60_000, NOW_MS)).toBe('4m');
    expect(formatAge(undefined, NOW_MS)).toBe('–');
  });

  test('formatTimestamp is UTC and says how long ago', () => {
    expect(formatTimestamp(NOW_MS - 60_000, NOW_MS)).toBe('2026-05-04 11:59:00 UTC (1m ago)');
  });
});

describe('sparkline', () => {
  test('scales to the largest value and right-aligns in its width', () => {
    expect(sparkline([0, 1, 2, 4], 6)).toBe('  ▁▃▅█');
  });

  test('a fixed max keeps ratios comparable', () => {
    expect(sparkline([0.5, 1], 2, {max: 1})).toBe('▅█');
  });

  test('shows only the newest values that fit', () => {
    expect(sparkline([9, 9, 9, 0, 4], 2)).toBe('▁█');
  });

  test('marks bars at or above the threshold', () => {
    expect(sparklineSegments([0.2, 0.9, 0.95, 0.1], 4, {max: 1, threshold: 0.8})).toEqual([
      {text: '▂', kind: 'under'},
      {text: '▇█', kind: 'over'},
      {text: '▂', kind: 'under'},
    ]);
  });

  test('sumSince adds the last minute of points', () => {
    const points = series(Array.from({length: 120}, () => 2));
    expect(sumSince(points, NOW_MS, 60_000)).toBe(120);
  });

  test('bucketSums keeps the newest bucket complete', () => {
    expect(bucketSums([1, 1, 1, 1, 1], 2)).toEqual([1, 2, 2]);
  });
});

describe('errorSignature', () => {
  test.each([
    ['HTTP 503 for https://shop.example/p/1', 'HTTP 503 for <url>'],
    ['HTTP 503 for https://other.example/x?y=1', 'HTTP 503 for <url>'],
    ['timed out after 30000 ms', 'timed out after <n> ms'],
    ['job 3f2a9b8c7d6e5f40 stalled', 'job <id> stalled'],
    ['cannot read "foo.json"', 'cannot read <str>'],
    ['first line\n    at stack (x.js:1:2)', 'first line'],
  ])('errorSignature(%j)', (error, expected) => {
    expect(errorSignature(error)).toBe(expected);
  });
});
