import {describe, expect, test} from 'vitest';
import {createFakeEngine} from '../fakes/fake-engine.js';
import {browserPool, event, failedJob, makeSnapshot, NOW_MS, queue, resources, series, withFailed} from '../fixtures/snapshots.js';
import {renderApp} from '../helpers/render-app.js';

const HOSTILE = 'Buy now\u001b[2J\u001b]0;x\u0007 \u001b[31mred\u001b[0m\u009b2J\u0007!';

describe('web strings are drawn harmless', () => {
  test('a title with \\u001b[2J and \\u001b]0;x\\u0007 never reaches a frame', async () => {
    const job = failedJob({
      id: 'evil',
      title: HOSTILE,
      url: `https://shop.example/${HOSTILE}`,
      error: `HTTP 500 for ${HOSTILE}`,
      stack: `Error: ${HOSTILE}\n    at x`,
      data: {title: HOSTILE},
    });
    const engine = createFakeEngine(
      withFailed([job], {
        events: [event({level: 'warn', kind: 'page', message: `title ${HOSTILE}`})],
        problems: [{kind: 'other', message: `bad page ${HOSTILE}`, sinceMs: NOW_MS - 1000}],
      }),
    );
    const ui = await renderApp(engine);
    await ui.press('nav.next-panel');
    await ui.press('nav.next-panel');
    await ui.press('nav.open');
    await ui.waitForFrame('evil');
    await ui.press('nav.open');
    await ui.waitForFrame('Failed job evil');
    expect(ui.frame()).toContain('Buy now red!');
    for (const frame of ui.frames()) {
      expect(frame).not.toContain('\u001b[2J');
      expect(frame).not.toContain('\u001b]0;');
      expect(frame).not.toContain('\u0007');
      expect(frame).not.toContain('\u009b');
      // The only escape sequences left are the dashboard's own colours (SGR).
      expect(frame.replace(/\u001b\[[0-9;]*m/g, '')).not.toContain('\u001b');
    }
  });
});

describe('panels', () => {
  test('queues: counts per state, a paused flag, throughput per minute and a trend', async () => {
    const engine = createFakeEngine(
      makeSnapshot({
        queues: [
          queue('scrape', {waiting: 12_345, prioritized: 120, active: 8, delayed: 3, completed: 98_765, failed: 42}, {completedSeries: series(Array.from({length: 120}, () => 5))}),
          queue('file', {waiting: 130, completed: 40_120, failed: 1}, {isPaused: true}),
        ],
      }),
    );
    const ui = await renderApp(engine);
    const frame = ui.frame();
    expect(frame).toMatch(/queue\s+wait\s+prio\s+active\s+delay\s+done\s+failed\s+\/min/);
    expect(frame).toMatch(/scrape\s+12,345\s+120\s+8\s+3\s+98,765\s+42\s+300\s+[▁-█]+/);
    expect(frame).toMatch(/file ⏸\s+130\s+0\s+0\s+0\s+40,120\s+1/);
    expect(frame).toContain('1 paused');
  });

  test('pools: size, target, busy, limits, auto or pinned, restarts, the last decision and what holds growth', async () => {
    const engine = createFakeEngine(
      makeSnapshot({
        browserPool: browserPool({size: 4, targetSize: 6, growthBlocker: 'cpu 86% >= 80%'}),
        filePool: {size: 2, targetSize: 2, busy: 1, queued: 0, completed: 9, failed: 0, restarts: 3, isAuto: false, limits: {min: 1, max: 4}},
      }),
    );
    const ui = await renderApp(engine);
    const frame = ui.frame();
    expect(frame).toMatch(/browsers\s+4→6\s+auto\s+busy 9\/16 pages\s+limits 1-8\s+1 restart\s+1 crash\s/);
    expect(frame).toContain('12s ago, autoscaler: cpu 43% < 60%: browsers 3 -> 4');
    expect(frame).toContain('held: cpu 86% >= 80%');
    expect(frame).toMatch(/files\s+2\s+pinned\s+busy 1\/2 threads\s+limits 1-4\s+3 restarts/);
  });

  test('pools: a node without a browser pool says why', async () => {
    const engine = createFakeEngine(
      makeSnapshot({browserPool: undefined, problems: [{kind: 'browser-unavailable', message: 'Chromium not found: install chromium', sinceMs: NOW_MS}]}),
    );
    const ui = await renderApp(engine);
    expect(ui.frame()).toMatch(/browsers\s+none: Chromium not found: install chromium/);
  });

  test('resources: current value, trend and the threshold mark for each', async () => {
    const engine = createFakeEngine(makeSnapshot({resources: resources({thresholds: {cpuHighRatio: 0.8, memoryHighRatio: 0.9, loopDelayHighMs: 200, nodeRssBytes: 3 * 2 ** 30}})}));
    const ui = await renderApp(engine, {columns: 140, rows: 45});
    const frame = await ui.waitForFrame('Resources');
    expect(frame).toMatch(/CPU\s+\d+%\s+[▁-█]+\s+▲ 80%/);
    expect(frame).toMatch(/memory\s+\d+%\s+[▁-█]+\s+▲ 90%/);
    expect(frame).toMatch(/node RSS\s+[\d.]+ GiB\s+[▁-█]+\s+▲ 3\.0 GiB/);
    expect(frame).toMatch(/loop p99\s+\d+ ms\s+[▁-█]+\s+▲ 200 ms/);
  });

  test('resources before the first sample', async () => {
    const ui = await renderApp(createFakeEngine(makeSnapshot({resources: undefined})));
    expect(ui.frame()).toContain('no samples yet');
  });

  test('failed jobs: grouped by error signature with counts, newest first', async () => {
    const jobs = [
      failedJob({error: 'HTTP 503 for https://a.example/1', failedAtMs: NOW_MS - 2000}),
      failedJob({error: 'timed out after 30000 ms', failedAtMs: NOW_MS - 1000}),
      failedJob({error: 'HTTP 503 for https://a.example/2', failedAtMs: NOW_MS - 3000}),
    ];
    const ui = await renderApp(createFakeEngine(withFailed(jobs)));
    const frame = ui.frame();
    expect(frame).toContain('3 in 2 groups');
    const timedOut = frame.indexOf('timed out after <n> ms');
    const http = frame.indexOf('HTTP 503 for <url>');
    expect(timedOut).toBeGreaterThan(0);
    expect(timedOut).toBeLessThan(http);
    expect(frame).toMatch(/2 scrape\s+2s\s+HTTP 503 for <url>/);
  });

  test('events: newest first, with their level', async () => {
    const engine = createFakeEngine(
      makeSnapshot({
        events: [
          event({atMs: NOW_MS - 60_000, kind: 'redis-reconnected', message: 'Redis answers again'}),
          event({atMs: NOW_MS - 5000, level: 'warn', kind: 'browser-crashed', message: 'browser 3 crashed'}),
        ],
      }),
    );
    const ui = await renderApp(engine);
    const frame = ui.frame();
    expect(frame.indexOf('browser 3 crashed')).toBeLessThan(frame.indexOf('Redis answers again'));
    expect(frame).toMatch(/5s ▲ browser-crashed/);
  });

  test('header: node, Redis with the password masked, mode, uptime and a problems banner', async () => {
    const engine = createFakeEngine(
      makeSnapshot({
        redis: 'redis://admin:hunter2@10.0.0.5:6379',
        nodes: [
          {id: 'web-1:4242', host: 'web-1', pid: 4242, version: '0.1.0', phase: 'running', startedAtMs: NOW_MS, lastSeenAtMs: NOW_MS, isSelf: true},
          {id: 'web-2:99', host: 'web-2', pid: 99, version: '0.1.0', phase: 'running', startedAtMs: NOW_MS, lastSeenAtMs: NOW_MS, isSelf: false},
        ],
        problems: [
          {kind: 'redis-unreachable', message: 'Redis: connect ECONNREFUSED 10.0.0.5:6379', sinceMs: NOW_MS - 12_000},
          {kind: 'file-pool-crashed', message: 'file worker exited', sinceMs: NOW_MS},
        ],
      }),
    );
    const ui = await renderApp(engine, {columns: 140, rows: 45});
    const frame = await ui.waitForFrame('mode local');
    expect(frame).toContain('● running');
    expect(frame).toContain('up 2h14m');
    expect(frame).toContain('node web-1:4242 +1 node');
    expect(frame).toContain('redis://admin:***@10.0.0.5:6379');
    expect(frame).not.toContain('hunter2');
    expect(frame).toContain('▲ Redis: connect ECONNREFUSED 10.0.0.5:6379 (redis-unreachable, 12s)  +1 more problem');
  });

  test('the focused panel has a heavy border and a marker; moving the focus keeps every line in place', async () => {
    const ui = await renderApp(createFakeEngine(makeSnapshot()));
    expect(ui.frame()).toContain('┏━ ▶ Queues');
    await ui.press('nav.next-panel');
    const frame = await ui.waitForFrame('┏━ ▶ Pools');
    expect(frame).toContain('╭─ Queues');
    expect(frame).toMatch(/│ {3}queue\s+wait/);
    expect(frame).toMatch(/┃ ▸ browsers\s+4\s+auto/);
  });
});

describe('sizes', () => {
  function widest(frame: string): number {
    return Math.max(...frame.split('\n').map((line) => [...line].length));
  }

  test('80x24: every line fits, nothing is lost off the bottom', async () => {
    const ui = await renderApp(createFakeEngine(withFailed([failedJob(), failedJob({error: 'boom'})])), {columns: 80, rows: 24});
    const frame = await ui.waitForFrame((f) => widest(f) <= 80);
    expect(frame.split('\n')).toHaveLength(23);
    expect(frame).toContain('Queues');
    expect(frame).toContain('Pools');
    expect(frame).toContain('Resources');
    expect(frame).toContain('Failed jobs');
    expect(frame).toContain('? help');
  });

  test('follows a resize, from 100 columns to 140x45 and down to 80x24', async () => {
    const ui = await renderApp(createFakeEngine(makeSnapshot({events: [event()]})));
    await ui.resize(140, 45);
    const wide = await ui.waitForFrame((f) => f.split('\n').length === 44);
    expect(widest(wide)).toBe(140);
    // Wide: pools and resources side by side.
    expect(wide.split('\n').some((line) => line.includes('Pools') && line.includes('Resources'))).toBe(true);
    await ui.resize(80, 24);
    const narrow = await ui.waitForFrame((f) => f.split('\n').length === 23);
    expect(widest(narrow)).toBeLessThanOrEqual(80);
  });

  test('below 80x24 the status line says what is needed', async () => {
    const ui = await renderApp(createFakeEngine(makeSnapshot()), {columns: 70, rows: 20});
    await ui.waitForFrame('the dashboard needs at least 80x24');
  });

  test('a failed list is drawn from one page only, never all jobs', async () => {
    const jobs = Array.from({length: 120}, (_, i) => failedJob({id: `p${i}`, signature: 'same', error: 'same'}));
    const engine = createFakeEngine({...withFailed(jobs), failedGroups: [{signature: 'same', sampleError: 'same', count: 120, queues: ['scrape'], newestFailedAtMs: NOW_MS}]});
    const ui = await renderApp(engine);
    await ui.press('nav.next-panel');
    await ui.press('nav.next-panel');
    await ui.press('nav.open');
    await ui.waitForFrame('1-50 of 120');
    const pages = engine.calls.filter((call) => call.command === 'getFailedJobsPage').map((call) => call.args[0] as {limit: number});
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) expect(page.limit).toBeLessThanOrEqual(50);
  });
});

describe('header at every width', () => {
  test.each([80, 100, 140])('%i columns: phase, uptime and Redis are always there', async (columns) => {
    const engine = createFakeEngine(
      makeSnapshot({
        nodes: [
          {id: 'scraper-1:4242', host: 'scraper-1', pid: 4242, version: '0.1.0', phase: 'running', startedAtMs: NOW_MS, lastSeenAtMs: NOW_MS, isSelf: true},
          {id: 'scraper-2:981', host: 'scraper-2', pid: 981, version: '0.1.0', phase: 'running', startedAtMs: NOW_MS, lastSeenAtMs: NOW_MS, isSelf: false},
        ],
      }),
    );
    const ui = await renderApp(engine, {columns, rows: 40});
    const header = (await ui.waitForFrame((frame) => [...frame.split('\n')[0]!].length <= columns && frame.includes('Queues'))).split('\n')[0]!;
    expect(header).toContain('● running');
    expect(header).toContain('2h14m');
    expect(header).toContain('redis://:***@10.0.0.5:6379');
    expect(header).not.toContain('…');
  });
});
