import {describe, expect, test} from 'vitest';
import {activeList, dashboardReducer, effectiveCursor, initialDashboardState, modeOf, type DashboardState} from '../../src/ui/state/dashboard-state.js';
import {failedJob} from '../fixtures/snapshots.js';

const reduce = (state: DashboardState, ...actions: Parameters<typeof dashboardReducer>[1][]) => actions.reduce(dashboardReducer, state);

describe('dashboardReducer', () => {
  test('tab order cycles queues, pools, failed, events and back', () => {
    const order: string[] = [];
    let state = initialDashboardState;
    for (let i = 0; i < 5; i++) {
      order.push(state.focus);
      state = dashboardReducer(state, {type: 'focus-next'});
    }
    expect(order).toEqual(['queues', 'pools', 'failed', 'events', 'queues']);
    expect(dashboardReducer(initialDashboardState, {type: 'focus-prev'}).focus).toBe('events');
  });

  test('move stays inside the list and returns the same state at an edge', () => {
    const down = reduce(initialDashboardState, {type: 'move', delta: 1, rowCount: 2}, {type: 'move', delta: 1, rowCount: 2});
    expect(down.cursors.queues).toBe(1);
    const atEdge = dashboardReducer(down, {type: 'move', delta: 1, rowCount: 2});
    expect(atEdge).toBe(down);
  });

  test('move scrolls the help while it is open', () => {
    const state = reduce(initialDashboardState, {type: 'toggle-help'}, {type: 'move', delta: 3, rowCount: 30});
    expect(state.helpScroll).toBe(3);
    expect(state.cursors.queues).toBe(0);
  });

  test('the cursor follows its row when new rows push it down', () => {
    const onB = dashboardReducer(initialDashboardState, {type: 'move', delta: 1, rowCount: 3, rowIds: ['a', 'b', 'c']});
    expect(effectiveCursor(onB, 'queues', ['a', 'b', 'c'])).toBe(1);
    expect(effectiveCursor(onB, 'queues', ['new', 'a', 'b', 'c'])).toBe(2);
    const next = dashboardReducer(onB, {type: 'move', delta: 1, rowCount: 4, rowIds: ['new', 'a', 'b', 'c']});
    expect(next.anchors.queues).toBe('c');
    // The anchored row is gone: the index stays, inside the list.
    expect(effectiveCursor(onB, 'queues', ['x'])).toBe(0);
  });

  test('opening a group remembers the groups cursor; back restores it', () => {
    const opened = reduce(
      initialDashboardState,
      {type: 'focus', panel: 'failed'},
      {type: 'move', delta: 2, rowCount: 5},
      {type: 'open-group', signature: 'HTTP 503 for <url>', label: 'HTTP 503 for <url>', count: 9},
      {type: 'move', delta: 4, rowCount: 9},
    );
    expect(activeList(opened)).toBe('jobs');
    expect(opened.cursors.jobs).toBe(4);
    const back = dashboardReducer(opened, {type: 'back'});
    expect(back.failedView).toEqual({kind: 'groups'});
    expect(back.cursors.groups).toBe(2);
    expect(back.cursors.jobs).toBe(0);
  });

  test('back closes the innermost thing first: help, then detail, then the group', () => {
    const state = reduce(
      initialDashboardState,
      {type: 'focus', panel: 'failed'},
      {type: 'open-group', signature: 's', label: 's', count: 1},
      {type: 'open-detail', detail: {kind: 'job', job: failedJob()}},
      {type: 'toggle-help'},
    );
    const once = dashboardReducer(state, {type: 'back'});
    expect(once.isHelpOpen).toBe(false);
    expect(once.detail).toBeDefined();
    const twice = dashboardReducer(once, {type: 'back'});
    expect(twice.detail).toBeUndefined();
    expect(twice.failedView.kind).toBe('group');
    const thrice = dashboardReducer(twice, {type: 'back'});
    expect(thrice.failedView.kind).toBe('groups');
    expect(dashboardReducer(thrice, {type: 'back'})).toBe(thrice);
  });

  test('a filter focuses the failed panel; an empty one clears it', () => {
    const filtered = dashboardReducer(initialDashboardState, {type: 'set-filter', text: '  shop '});
    expect(filtered.focus).toBe('failed');
    expect(filtered.failedView).toEqual({kind: 'search', text: 'shop'});
    expect(dashboardReducer(filtered, {type: 'set-filter', text: ''}).failedView).toEqual({kind: 'groups'});
  });

  test('modes: prompt over confirm over help over normal', () => {
    expect(modeOf(initialDashboardState)).toBe('normal');
    const help = dashboardReducer(initialDashboardState, {type: 'toggle-help'});
    expect(modeOf(help)).toBe('help');
    const confirm = dashboardReducer(help, {type: 'ask', message: 'sure?', action: {kind: 'retry-all', total: 3}});
    expect(modeOf(confirm)).toBe('confirm');
    expect(modeOf(dashboardReducer(confirm, {type: 'open-prompt', kind: 'add'}))).toBe('prompt');
  });

  test('prompt edits clear the last error; rejects set it', () => {
    const rejected = reduce(initialDashboardState, {type: 'open-prompt', kind: 'add'}, {type: 'edit-prompt', text: 'x'}, {type: 'reject-prompt', error: 'bad'});
    expect(rejected.prompt).toEqual({kind: 'add', text: 'x', error: 'bad'});
    expect(dashboardReducer(rejected, {type: 'edit-prompt', text: 'xy'}).prompt?.error).toBeUndefined();
  });

  test('a flash is cleared only by its own timer', () => {
    const first = dashboardReducer(initialDashboardState, {type: 'flash', level: 'info', text: 'one'});
    const second = dashboardReducer(first, {type: 'flash', level: 'info', text: 'two'});
    expect(dashboardReducer(second, {type: 'clear-flash', id: first.flash!.id})).toBe(second);
    expect(dashboardReducer(second, {type: 'clear-flash', id: second.flash!.id}).flash).toBeUndefined();
  });

  test('quit drains first, forces second, and closes dialogs', () => {
    const asked = dashboardReducer(initialDashboardState, {type: 'ask', message: 'sure?', action: {kind: 'retry-all', total: 1}});
    const draining = dashboardReducer(asked, {type: 'quit'});
    expect(draining.quit).toBe('draining');
    expect(draining.confirm).toBeUndefined();
    const forced = dashboardReducer(draining, {type: 'quit'});
    expect(forced.quit).toBe('forced');
    expect(dashboardReducer(forced, {type: 'quit'})).toBe(forced);
  });

  test('scale intents are dropped when the snapshot shows them, or when they grow old', () => {
    const intended = dashboardReducer(initialDashboardState, {type: 'scale-intent', pool: 'browsers', size: 5, atMs: 1000});
    expect(dashboardReducer(intended, {type: 'targets-seen', targets: {browsers: 4}, nowMs: 2000})).toBe(intended);
    expect(dashboardReducer(intended, {type: 'targets-seen', targets: {browsers: 5}, nowMs: 2000}).scaleIntents).toEqual({});
    expect(dashboardReducer(intended, {type: 'targets-seen', targets: {browsers: 4}, nowMs: 10_000}).scaleIntents).toEqual({});
  });
});
