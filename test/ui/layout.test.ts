import {describe, expect, test} from 'vitest';
import {computeLayout} from '../../src/ui/layout.js';

const base = {queueCount: 2, hasProblems: false, focus: 'queues' as const};

function heightOf(layout: ReturnType<typeof computeLayout>): number {
  return layout.rows.reduce((sum, row) => sum + Math.max(...row.map((box) => box.height)), 0);
}

describe('computeLayout', () => {
  test.each([
    [80, 24],
    [100, 40],
    [120, 30],
    [140, 45],
    [200, 60],
  ])('%ix%i: panels fill the body exactly and never exceed the width', (columns, rows) => {
    const layout = computeLayout({...base, columns, rows});
    expect(layout.height).toBe(rows - 1);
    expect(heightOf(layout)).toBe(layout.bodyHeight);
    expect(layout.headerHeight + layout.bodyHeight + 2).toBe(layout.height);
    for (const row of layout.rows) expect(row.reduce((sum, box) => sum + box.width, 0)).toBe(columns);
    expect(layout.isTooSmall).toBe(false);
  });

  test('wide from 120x30: queues across, pools | resources, failed | events', () => {
    const layout = computeLayout({...base, columns: 140, rows: 45});
    expect(layout.kind).toBe('wide');
    expect(layout.rows.map((row) => row.map((box) => box.panel))).toEqual([['queues'], ['pools', 'resources'], ['failed', 'events']]);
  });

  test('80x24 stacks compact panels and gives the bottom to failed jobs', () => {
    const layout = computeLayout({...base, columns: 80, rows: 24});
    expect(layout.kind).toBe('narrow');
    expect(layout.rows.map((row) => row[0]!.panel)).toEqual(['queues', 'pools', 'resources', 'failed']);
    expect(layout.isPoolsCompact).toBe(true);
    expect(layout.isResourcesCompact).toBe(true);
  });

  test('80x24 with events focused shows events in the bottom slot', () => {
    const layout = computeLayout({...base, columns: 80, rows: 24, focus: 'events'});
    expect(layout.rows.map((row) => row[0]!.panel)).toEqual(['queues', 'pools', 'resources', 'events']);
  });

  test('a problem banner takes a header line', () => {
    const layout = computeLayout({...base, columns: 80, rows: 24, hasProblems: true});
    expect(layout.headerHeight).toBe(2);
    expect(heightOf(layout)).toBe(layout.bodyHeight);
  });

  test('below 80x24 it says so', () => {
    expect(computeLayout({...base, columns: 70, rows: 20}).isTooSmall).toBe(true);
  });
});
