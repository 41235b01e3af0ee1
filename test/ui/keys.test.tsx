// Every binding of the keymap, pressed against a fake engine: the right command with the right
// arguments, confirms where promised, and a reason in the status line when a key cannot act.
import {describe, expect, test, vi} from 'vitest';
import type {EngineSnapshot, FailedGroupSummary, FailedJobSummary} from '../../src/engine/contract.js';
import {KEYMAP, type BindingId} from '../../src/ui/keymap.js';
import {createFakeEngine, type FakeEngine, type FakeEngineOptions} from '../fakes/fake-engine.js';
import {browserPool, event, failedJob, makeSnapshot, NOW_MS, queue, withFailed} from '../fixtures/snapshots.js';
import {eventually, renderApp, type RenderedApp} from '../helpers/render-app.js';

const pressed = new Set<string>();

async function start(snapshot: EngineSnapshot, options: FakeEngineOptions = {}): Promise<{engine: FakeEngine; ui: RenderedApp}> {
  const engine = createFakeEngine(snapshot, options);
  const ui = await renderApp(engine);
  const press = ui.press.bind(ui);
  ui.press = async (id: BindingId, keyIndex?: number) => {
    pressed.add(id);
    await press(id, keyIndex);
  };
  return {engine, ui};
}

function commands(engine: FakeEngine, name: string): unknown[][] {
  return engine.calls.filter((call) => call.command === name).map((call) => [...call.args]);
}

/** Three failed jobs in two error groups (grouped by the dashboard). */
function threeFailed(): FailedJobSummary[] {
  return [
    failedJob({id: 'a1', url: 'https://shop.example/p/1', error: 'HTTP 503 for https://shop.example/p/1'}),
    failedJob({id: 'a2', url: 'https://shop.example/p/2', error: 'HTTP 503 for https://shop.example/p/2'}),
    failedJob({id: 'f1', queue: 'file', url: 'https://cdn.example/x.png', error: 'HTTP 404 for https://cdn.example/x.png'}),
  ];
}

/** Failed jobs the engine groups and pages itself. */
function engineGrouped(count: number): EngineSnapshot {
  const jobs = Array.from({length: count}, (_, i) =>
    failedJob({id: `g${i}`, url: `https://slow.example/${i}`, error: `timed out after 30000 ms`, signature: 'timed out after <n> ms', failedAtMs: NOW_MS - i * 1000}),
  );
  const group: FailedGroupSummary = {signature: 'timed out after <n> ms', sampleError: 'timed out after 30000 ms', count, queues: ['scrape'], newestFailedAtMs: NOW_MS};
  return {...withFailed(jobs), failedGroups: [group]};
}

async function focus(ui: RenderedApp, title: string): Promise<void> {
  for (let i = 0; i < 4 && !ui.frame().includes(`▶ ${title}`); i++) await ui.press('nav.next-panel');
  await ui.waitForFrame(`▶ ${title}`);
}

describe('navigation', () => {
  test('tab and shift-tab move the focus between panels', async () => {
    const {ui} = await start(makeSnapshot());
    expect(ui.frame()).toContain('▶ Queues');
    await ui.press('nav.next-panel');
    await ui.waitForFrame('▶ Pools');
    await ui.press('nav.next-panel');
    await ui.waitForFrame('▶ Failed jobs');
    await ui.press('nav.prev-panel');
    await ui.waitForFrame('▶ Pools');
    await ui.press('nav.prev-panel');
    await ui.press('nav.prev-panel');
    await ui.waitForFrame('▶ Events');
  });

  test('keys that arrive together (typed ahead, key repeat, tmux) act one by one', async () => {
    const {ui} = await start(makeSnapshot());
    await ui.type('\t\tj');
    await ui.waitForFrame('▶ Failed jobs');
    await ui.type('jz');
    await ui.waitForFrame('No key "z" here');
  });

  test('j/k and the arrows choose the queue p acts on', async () => {
    const {engine, ui} = await start(makeSnapshot());
    await ui.press('nav.down');
    await ui.press('queue.toggle-pause');
    await eventually(() => expect(commands(engine, 'pauseQueue')).toEqual([['file']]));
    await ui.press('nav.up', 1);
    await ui.press('queue.toggle-pause');
    await eventually(() => expect(commands(engine, 'pauseQueue')).toEqual([['file'], ['scrape']]));
    await ui.press('nav.down', 1);
    await ui.press('nav.up');
    await ui.press('queue.toggle-pause');
    await eventually(() => expect(commands(engine, 'pauseQueue')).toHaveLength(3));
  });

  test('page down and up move a page through the failed list and read the next page', async () => {
    const {engine, ui} = await start(engineGrouped(120));
    await focus(ui, 'Failed jobs');
    await ui.press('nav.open');
    await ui.waitForFrame('1-50 of 120');
    for (let i = 0; i < 8; i++) await ui.press('nav.page-down');
    await ui.waitForFrame('51-100 of 120');
    expect(commands(engine, 'getFailedJobsPage')).toContainEqual([{offset: 50, limit: 50, signature: 'timed out after <n> ms'}]);
    for (let i = 0; i < 8; i++) await ui.press('nav.page-up', 1);
    await ui.waitForFrame('1-50 of 120');
  });

  test('enter on a group lists its jobs (paged by the engine); esc goes back to the groups', async () => {
    const {engine, ui} = await start(engineGrouped(3));
    await focus(ui, 'Failed jobs');
    await ui.waitForFrame('timed out after <n> ms');
    await ui.press('nav.open');
    await ui.waitForFrame('Failed jobs › group');
    await ui.waitForFrame('https://slow.example/0');
    expect(commands(engine, 'getFailedJobsPage')[0]).toEqual([{offset: 0, limit: 50, signature: 'timed out after <n> ms'}]);
    await ui.press('nav.back');
    await ui.waitForFrame((frame) => !frame.includes('Failed jobs › group') && frame.includes('1 group'));
  });

  test("enter on a job shows its detail: URL, attempts, error, stack, timestamps, data", async () => {
    const job = failedJob({
      id: 'd1',
      url: 'https://shop.example/item/9',
      title: 'Item nine',
      error: 'HTTP 503 for https://shop.example/item/9',
      attemptsMade: 3,
      attemptsMax: 3,
      stack: 'Error: HTTP 503\n    at fetchPage (http-fetch.js:10:5)',
      data: {url: 'https://shop.example/item/9', kind: 'page', mode: 'http'},
      createdAtMs: NOW_MS - 120_000,
      processedAtMs: NOW_MS - 30_000,
      failedAtMs: NOW_MS - 20_000,
    });
    const {ui} = await start(withFailed([job]));
    await focus(ui, 'Failed jobs');
    await ui.press('nav.open');
    await ui.waitForFrame('Failed jobs › group');
    await ui.waitForFrame('d1');
    await ui.press('nav.open');
    const frame = await ui.waitForFrame('Failed job d1');
    expect(frame).toContain('https://shop.example/item/9');
    expect(frame).toContain('Item nine');
    expect(frame).toMatch(/attempts\s+3\/3/);
    expect(frame).toContain('at fetchPage (http-fetch.js:10:5)');
    expect(frame).toContain('2026-05-04 11:59:40 UTC (20s ago)');
    expect(frame).toContain('2026-05-04 11:58:00 UTC (2m ago)');
    expect(frame).toContain('"mode": "http"');
    await ui.press('nav.back');
    await ui.waitForFrame((f) => !f.includes('Failed job d1') && f.includes('Failed jobs › group'));
  });

  test('enter on an event shows its full text', async () => {
    const long = `browser 3 crashed or disconnected; ${'its jobs will be retried and a new browser launched '.repeat(3)}end-of-message`;
    const {ui} = await start(makeSnapshot({events: [event({level: 'warn', kind: 'browser-crashed', message: long})]}));
    await focus(ui, 'Events');
    await ui.press('nav.open');
    const frame = await ui.waitForFrame('Event browser-crashed');
    expect(frame).toContain('end-of-message');
  });

  test('the detail scrolls with j/k when it is longer than the screen', async () => {
    const stack = Array.from({length: 60}, (_, i) => `    at frame${i} (f.js:${i}:1)`).join('\n');
    const {ui} = await start(withFailed([failedJob({id: 's1', stack})]));
    await focus(ui, 'Failed jobs');
    await ui.press('nav.open');
    await ui.waitForFrame('s1');
    await ui.press('nav.open');
    await ui.waitForFrame('lines 1-');
    expect(ui.frame()).not.toContain('frame59');
    for (let i = 0; i < 70; i++) await ui.press('nav.down');
    await ui.waitForFrame('frame59');
  });
});

describe('failed jobs', () => {
  test('r on a job retries it', async () => {
    const {engine, ui} = await start(withFailed(threeFailed()));
    await focus(ui, 'Failed jobs');
    await ui.press('nav.open');
    await ui.waitForFrame('a1');
    await ui.press('failed.retry');
    await eventually(() => expect(commands(engine, 'retryJob')).toEqual([['scrape', 'a1']]));
    await ui.waitForFrame('Retried 1 job');
  });

  test('the selection stays on its group when a new error group arrives above it', async () => {
    const jobs = threeFailed();
    const {engine, ui} = await start(withFailed(jobs));
    await focus(ui, 'Failed jobs');
    await ui.press('nav.down');
    await ui.waitForFrame(/▸\s+1 file\s+\S+\s+HTTP 404/.test.bind(/▸\s+1 file\s+\S+\s+HTTP 404/));
    const newest = failedJob({id: 'n1', error: 'socket hang up', failedAtMs: NOW_MS + 1000});
    engine.push(withFailed([newest, ...jobs]));
    await ui.waitForFrame('socket hang up');
    expect(ui.frame()).toMatch(/▸\s+1 file\s+\S+\s+HTTP 404/);
    await ui.press('failed.retry');
    await eventually(() => expect(commands(engine, 'retryJobs')).toEqual([['file', ['f1']]]));
  });

  test('r on a group the engine sent retries the whole group by its signature', async () => {
    const {engine, ui} = await start(engineGrouped(7));
    await focus(ui, 'Failed jobs');
    await ui.press('failed.retry');
    await eventually(() => expect(commands(engine, 'retryFailedGroup')).toEqual([['timed out after <n> ms']]));
  });

  test('r on a group the dashboard made retries its jobs per queue (retryJobs)', async () => {
    const {engine, ui} = await start(withFailed(threeFailed()));
    await focus(ui, 'Failed jobs');
    await ui.waitForFrame('HTTP 503 for <url>');
    await ui.press('failed.retry');
    await eventually(() => expect(commands(engine, 'retryJobs')).toEqual([['scrape', ['a1', 'a2']]]));
    await ui.waitForFrame('Retried 2 jobs');
  });

  test('without retryJobs the group falls back to retryJob per job', async () => {
    const {engine, ui} = await start(withFailed(threeFailed()), {without: ['retryJobs', 'retryFailedGroup', 'getFailedJobsPage']});
    await focus(ui, 'Failed jobs');
    await ui.press('failed.retry');
    await eventually(() => expect(commands(engine, 'retryJob')).toEqual([['scrape', 'a1'], ['scrape', 'a2']]));
  });

  test('R asks first; y retries every queue with failed jobs', async () => {
    const {engine, ui} = await start(withFailed(threeFailed()));
    await ui.press('failed.retry-all');
    await ui.waitForFrame('Retry all 3 failed jobs?');
    expect(commands(engine, 'retryAll')).toEqual([]);
    await ui.press('confirm.yes');
    await eventually(() => expect(commands(engine, 'retryAll')).toEqual([['scrape'], ['file']]));
    await ui.waitForFrame('Retried 3 failed jobs');
  });

  test('R then n (or esc) changes nothing', async () => {
    const {engine, ui} = await start(withFailed(threeFailed()));
    await ui.press('failed.retry-all');
    await ui.waitForFrame('Retry all 3 failed jobs?');
    await ui.press('confirm.no');
    await ui.waitForFrame('Cancelled: nothing was changed');
    await ui.press('failed.retry-all');
    await ui.waitForFrame('Retry all 3 failed jobs?');
    await ui.press('confirm.no', 2);
    await ui.waitForFrame((frame) => !frame.includes('Retry all 3 failed jobs?'));
    expect(commands(engine, 'retryAll')).toEqual([]);
  });

  test('enter also confirms', async () => {
    const {engine, ui} = await start(withFailed(threeFailed()));
    await ui.press('failed.retry-all');
    await ui.waitForFrame('Retry all 3 failed jobs?');
    await ui.press('confirm.yes', 2);
    await eventually(() => expect(commands(engine, 'retryAll')).toHaveLength(2));
  });

  test('x on a job asks, then removes it', async () => {
    const {engine, ui} = await start(withFailed(threeFailed()));
    await focus(ui, 'Failed jobs');
    await ui.press('nav.open');
    await ui.waitForFrame('a1');
    await ui.press('failed.remove');
    await ui.waitForFrame('Remove failed job a1 (https://shop.example/p/1)? This cannot be undone.');
    expect(commands(engine, 'removeJob')).toEqual([]);
    await ui.press('confirm.yes');
    await eventually(() => expect(commands(engine, 'removeJob')).toEqual([['scrape', 'a1']]));
  });

  test('x on an engine group asks with its count, then removes the group', async () => {
    const {engine, ui} = await start(engineGrouped(7));
    await focus(ui, 'Failed jobs');
    await ui.press('failed.remove');
    await ui.waitForFrame('Remove all 7 jobs of group "timed out after <n> ms"?');
    await ui.press('confirm.yes');
    await eventually(() => expect(commands(engine, 'removeFailedGroup')).toEqual([['timed out after <n> ms']]));
  });

  test('r and x act on the job whose detail is open', async () => {
    const {engine, ui} = await start(withFailed(threeFailed()));
    await focus(ui, 'Failed jobs');
    await ui.press('nav.open');
    await ui.waitForFrame('a1');
    await ui.press('nav.down');
    await ui.press('nav.open');
    await ui.waitForFrame('Failed job a2');
    await ui.press('failed.retry');
    await eventually(() => expect(commands(engine, 'retryJob')).toEqual([['scrape', 'a2']]));
  });

  test('/ filters failed jobs by URL or error text; an empty filter clears it', async () => {
    const {engine, ui} = await start(withFailed(threeFailed()));
    await ui.press('failed.filter');
    await ui.waitForFrame('Filter failed jobs ›');
    await ui.type('cdn.example');
    await ui.waitForFrame('Filter failed jobs › cdn.example');
    await ui.press('prompt.submit');
    await ui.waitForFrame('matching "cdn.example"');
    await ui.waitForFrame('f1');
    expect(commands(engine, 'getFailedJobsPage')).toContainEqual([{offset: 0, limit: 50, text: 'cdn.example'}]);
    expect(ui.frame()).not.toContain('shop.example/p/1');
    await ui.press('failed.filter');
    await ui.waitForFrame('Filter failed jobs › cdn.example');
    for (let i = 0; i < 11; i++) await ui.type('backspace');
    await ui.press('prompt.submit');
    await ui.waitForFrame((frame) => !frame.includes('matching') && frame.includes('2 groups'));
  });

  test('esc closes a prompt without sending anything', async () => {
    const {engine, ui} = await start(withFailed(threeFailed()));
    await ui.press('failed.filter');
    await ui.type('shop');
    await ui.press('prompt.cancel');
    await ui.waitForFrame((frame) => !frame.includes('Filter failed jobs ›'));
    expect(commands(engine, 'getFailedJobsPage')).toEqual([]);
  });
});

describe('queues', () => {
  test('p pauses the selected queue, and resumes it when paused', async () => {
    const {engine, ui} = await start(makeSnapshot({queues: [queue('scrape', {}, {isPaused: true}), queue('file')]}));
    await ui.press('queue.toggle-pause');
    await eventually(() => expect(commands(engine, 'resumeQueue')).toEqual([['scrape']]));
    await ui.waitForFrame('Resumed queue scrape');
  });

  test('P pauses all queues, and resumes them when all are paused', async () => {
    const {engine, ui} = await start(makeSnapshot());
    await ui.press('queue.toggle-pause-all');
    await eventually(() => expect(commands(engine, 'pauseQueue')).toEqual([['all']]));
    engine.push({queues: engine.getSnapshot().queues.map((q) => ({...q, isPaused: true}))});
    await ui.waitForFrame('2 paused');
    await ui.press('queue.toggle-pause-all');
    await eventually(() => expect(commands(engine, 'resumeQueue')).toEqual([['all']]));
  });

  test('a adds pages or a crawl from a checked prompt', async () => {
    const {engine, ui} = await start(makeSnapshot());
    await ui.press('jobs.add');
    await ui.waitForFrame('Add ›');
    await ui.type('https://docs.example/ --crawl --max-pages 20 --mode http');
    await ui.press('prompt.submit');
    await eventually(() =>
      expect(commands(engine, 'addJobs')).toEqual([[{urls: ['https://docs.example/'], mode: 'http', crawl: {maxPages: 20}}]]),
    );
    await ui.waitForFrame('Added 1 crawl');
  });

  test('a refuses a bad line in the prompt and sends nothing', async () => {
    const {engine, ui} = await start(makeSnapshot());
    await ui.press('jobs.add');
    await ui.type('docs.example');
    await ui.press('prompt.submit');
    await ui.waitForFrame('"docs.example" is not a URL');
    expect(ui.frame()).toContain('Add › docs.example');
    expect(commands(engine, 'addJobs')).toEqual([]);
  });

  test("the engine's refusal of an add shows in the status line", async () => {
    const {engine, ui} = await start(makeSnapshot());
    engine.failNext('addJobs', 'the URL https://x.example/ is blocked by robots.txt');
    await ui.press('jobs.add');
    await ui.type('https://x.example/');
    await ui.press('prompt.submit');
    await ui.waitForFrame('blocked by robots.txt');
  });
});

describe('pools', () => {
  test('+ and - size the browser pool, counting presses before the snapshot catches up', async () => {
    const {engine, ui} = await start(makeSnapshot());
    await ui.press('pool.browsers-grow');
    await ui.press('pool.browsers-grow', 1);
    await eventually(() => expect(commands(engine, 'scaleBrowserPool')).toEqual([[5], [6]]));
    await ui.waitForFrame('4→6…');
    engine.push({browserPool: browserPool({targetSize: 6, isAuto: false})});
    await ui.waitForFrame('4→6 ');
    await ui.press('pool.browsers-shrink');
    await eventually(() => expect(commands(engine, 'scaleBrowserPool')).toEqual([[5], [6], [5]]));
  });

  test('] and [ size the file pool', async () => {
    const {engine, ui} = await start(makeSnapshot());
    await ui.press('pool.files-grow');
    await eventually(() => expect(commands(engine, 'scaleFilePool')).toEqual([[3]]));
    engine.push({filePool: {...engine.getSnapshot().filePool, targetSize: 3}});
    await ui.waitForFrame('2→3');
    await ui.press('pool.files-shrink');
    await eventually(() => expect(commands(engine, 'scaleFilePool')).toEqual([[3], [2]]));
  });

  test('A switches autoscaling off for both pools, or for the selected pool when Pools is focused', async () => {
    const {engine, ui} = await start(makeSnapshot());
    await ui.press('pool.toggle-autoscale');
    await eventually(() => expect(commands(engine, 'setAutoscale')).toEqual([['browsers', false], ['files', false]]));
    await focus(ui, 'Pools');
    await ui.press('nav.down');
    await ui.press('pool.toggle-autoscale');
    await eventually(() => expect(commands(engine, 'setAutoscale')).toEqual([['browsers', false], ['files', false], ['files', false]]));
    engine.push({filePool: {...engine.getSnapshot().filePool, isAuto: false}});
    await ui.waitForFrame((frame) => /files\s+2\s+pinned/.test(frame));
    await ui.press('pool.toggle-autoscale');
    await eventually(() => expect(commands(engine, 'setAutoscale').at(-1)).toEqual(['files', true]));
  });
});

describe('keys that cannot act say why', () => {
  test('p outside the Queues panel', async () => {
    const {engine, ui} = await start(makeSnapshot());
    await ui.press('nav.next-panel');
    await ui.press('queue.toggle-pause');
    await ui.waitForFrame('tab to the Queues panel');
    expect(commands(engine, 'pauseQueue')).toEqual([]);
  });

  test.each<[string, () => EngineSnapshot, FakeEngineOptions, BindingId, string]>([
    ['r outside the Failed jobs panel', () => withFailed(threeFailed()), {}, 'failed.retry', 'tab to the Failed jobs panel'],
    ['x outside the Failed jobs panel', () => withFailed(threeFailed()), {}, 'failed.remove', 'tab to the Failed jobs panel'],
    ['R with nothing failed', () => makeSnapshot(), {}, 'failed.retry-all', 'No failed jobs to retry'],
    ['+ at the maximum', () => makeSnapshot({browserPool: browserPool({targetSize: 8})}), {}, 'pool.browsers-grow', 'at its maximum of 8'],
    ['- at the minimum', () => makeSnapshot({browserPool: browserPool({targetSize: 1})}), {}, 'pool.browsers-shrink', 'at its minimum of 1'],
    ['+ without a browser pool', () => makeSnapshot({browserPool: undefined}), {}, 'pool.browsers-grow', 'No browser pool on this node'],
    ['+ on an engine that cannot scale browsers', () => makeSnapshot(), {without: ['scaleBrowserPool']}, 'pool.browsers-grow', 'cannot scale the browser pool'],
    [
      '] at the maximum',
      () => makeSnapshot({filePool: {...makeSnapshot().filePool, targetSize: 4}}),
      {},
      'pool.files-grow',
      'file pool is at its maximum of 4',
    ],
    ['[ at the minimum', () => makeSnapshot({filePool: {...makeSnapshot().filePool, targetSize: 1}}), {}, 'pool.files-shrink', 'file pool is at its minimum of 1'],
    ['A on an engine without autoscaling', () => makeSnapshot(), {without: ['setAutoscale']}, 'pool.toggle-autoscale', 'cannot switch autoscaling'],
    ['a on an engine that cannot add', () => makeSnapshot(), {without: ['addJobs']}, 'jobs.add', 'use crawler-tui add URL'],
    ['enter in the Queues panel', () => makeSnapshot(), {}, 'nav.open', 'Nothing to open here'],
    ['esc with nothing open', () => makeSnapshot(), {}, 'nav.back', 'Nothing to go back from'],
    ['p with no queues yet', () => makeSnapshot({queues: []}), {}, 'queue.toggle-pause', 'No queues yet'],
    ['P with no queues yet', () => makeSnapshot({queues: []}), {}, 'queue.toggle-pause-all', 'No queues yet'],
    ['j with no queues yet', () => makeSnapshot({queues: []}), {}, 'nav.down', 'Nothing to move through'],
    ['k with no queues yet', () => makeSnapshot({queues: []}), {}, 'nav.up', 'Nothing to move through'],
    ['page down with no queues yet', () => makeSnapshot({queues: []}), {}, 'nav.page-down', 'Nothing to page through'],
    ['page up with no queues yet', () => makeSnapshot({queues: []}), {}, 'nav.page-up', 'Nothing to page through'],
  ])('%s', async (_name, snapshot, options, id, reason) => {
    const {engine, ui} = await start(snapshot(), options);
    const before = engine.calls.length;
    await ui.press(id);
    await ui.waitForFrame(reason);
    expect(engine.calls.length).toBe(before);
  });

  test('while draining, commands are off and say so', async () => {
    const {engine, ui} = await start(makeSnapshot(), {holdStop: true});
    await ui.press('app.quit');
    await ui.waitForFrame('draining…');
    await ui.press('app.help');
    await ui.press('app.help');
    await ui.press('pool.files-grow');
    await ui.waitForFrame('draining…');
    expect(commands(engine, 'scaleFilePool')).toEqual([]);
  });
});

describe('help', () => {
  test('? lists every binding of the keymap, and closes again', async () => {
    const {ui} = await start(makeSnapshot(), {});
    await ui.press('app.help');
    const frame = await ui.waitForFrame('Keys');
    for (const binding of KEYMAP) {
      expect(frame, binding.id).toContain(binding.label);
      expect(frame, binding.id).toContain(binding.description);
    }
    await ui.press('app.help');
    await ui.waitForFrame('▶ Queues');
  });

  test('at 80x24 the help scrolls to its last binding', async () => {
    const {ui} = await start(makeSnapshot());
    await ui.resize(80, 24);
    await ui.press('app.help');
    await ui.waitForFrame('j/k scroll');
    for (let i = 0; i < 40; i++) await ui.press('nav.down');
    await ui.waitForFrame(KEYMAP[KEYMAP.length - 1]!.description);
    await ui.press('nav.back');
    await ui.waitForFrame('Queues');
  });
});

describe('quit', () => {
  test('q drains the engine first and shows it', async () => {
    const {engine, ui} = await start(makeSnapshot(), {holdStop: true});
    await ui.press('app.quit');
    await ui.waitForFrame('draining… active jobs finish, nothing new starts; q again forces the exit');
    // stop() is called from an effect after the "draining" frame is drawn: wait for it.
    await vi.waitFor(() => expect(commands(engine, 'stop')).toEqual([[]]), {timeout: 5000});
  });

  test('ctrl+c is q', async () => {
    const {engine, ui} = await start(makeSnapshot(), {holdStop: true});
    await ui.press('app.quit', 1);
    await ui.waitForFrame('draining…');
    // stop() is called from an effect after the "draining" frame is drawn: wait for it.
    await vi.waitFor(() => expect(commands(engine, 'stop')).toEqual([[]]), {timeout: 5000});
  });
});

// Last in the file (tests run in order): skipped with the others when a run filters by name.
test('every binding of the keymap was pressed by a test above', () => {
  const missing = KEYMAP.map((binding) => binding.id).filter((id) => !pressed.has(id));
  expect(missing, 'bindings no test pressed').toEqual([]);
});
