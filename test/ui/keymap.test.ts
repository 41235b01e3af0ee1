import {describe, expect, test, vi} from 'vitest';
import type {Key} from 'ink';
import type {EngineView} from '../../src/engine/contract.js';
import {capabilitiesOf} from '../../src/ui/engine-commands.js';
import {KEYMAP, findBinding, keyNameOf, modesOf, type Binding, type KeyContext} from '../../src/ui/keymap.js';
import {displayKey, renderKeymapMarkdown} from '../../src/ui/keymap-table.js';
import {dashboardReducer, initialDashboardState, type DashboardState, type Mode} from '../../src/ui/state/dashboard-state.js';
import {failedGroupsOf, listRowIds, selectionOf} from '../../src/ui/state/selectors.js';
import {HANDLERS, handleKey} from '../../src/ui/use-keymap.js';
import {createFakeEngine} from '../fakes/fake-engine.js';
import {makeSnapshot} from '../fixtures/snapshots.js';

const noKey: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
} as Key;

describe('the keymap table', () => {
  test('every binding has a handler, a description and a label', () => {
    for (const binding of KEYMAP as readonly Binding[]) {
      expect(HANDLERS).toHaveProperty([binding.id]);
      expect(binding.description.length).toBeGreaterThan(5);
      // The help shows a description beside its key on an 80-column terminal.
      expect(binding.description.length, binding.id).toBeLessThanOrEqual(65);
      expect(binding.label.length).toBeGreaterThan(0);
    }
    expect(Object.keys(HANDLERS).sort()).toEqual(KEYMAP.map((binding) => binding.id).sort());
  });

  test('no key means two things in the same mode', () => {
    const seen = new Map<string, string>();
    for (const binding of KEYMAP as readonly Binding[]) {
      for (const mode of modesOf(binding)) {
        for (const key of binding.keys) {
          const slot = `${mode}:${key}`;
          expect(seen.get(slot), `${slot} is bound twice`).toBeUndefined();
          seen.set(slot, binding.id);
        }
      }
    }
  });

  test('the issue keys are all there', () => {
    const keysOf = (id: string) => (KEYMAP as readonly Binding[]).find((binding) => binding.id === id)?.keys;
    expect(keysOf('nav.next-panel')).toContain('tab');
    expect(keysOf('nav.prev-panel')).toContain('shift+tab');
    expect(keysOf('nav.down')).toEqual(['j', 'down']);
    expect(keysOf('nav.up')).toEqual(['k', 'up']);
    for (const [key, id] of [
      ['enter', 'nav.open'],
      ['escape', 'nav.back'],
      ['r', 'failed.retry'],
      ['R', 'failed.retry-all'],
      ['x', 'failed.remove'],
      ['p', 'queue.toggle-pause'],
      ['P', 'queue.toggle-pause-all'],
      ['+', 'pool.browsers-grow'],
      ['-', 'pool.browsers-shrink'],
      [']', 'pool.files-grow'],
      ['[', 'pool.files-shrink'],
      ['A', 'pool.toggle-autoscale'],
      ['a', 'jobs.add'],
      ['/', 'failed.filter'],
      ['q', 'app.quit'],
      ['?', 'app.help'],
    ] as const) {
      expect(findBinding(key, 'normal')?.id, key).toBe(id);
    }
  });

  test('the Markdown table has one row per binding, with every key', () => {
    const markdown = renderKeymapMarkdown();
    const rows = markdown.trim().split('\n').slice(2);
    expect(rows).toHaveLength(KEYMAP.length);
    expect(markdown).toContain('| `q` `Ctrl+C` | Quit');
    expect(markdown).toContain('| `Tab` |');
    expect(markdown).toContain('`Shift+Tab`');
    expect(displayKey('escape')).toBe('Esc');
  });
});

describe('keyNameOf', () => {
  test.each<[string, Partial<Key>, string]>([
    ['q', {}, 'q'],
    ['R', {shift: true}, 'R'],
    ['', {tab: true}, 'tab'],
    ['', {tab: true, shift: true}, 'shift+tab'],
    ['', {upArrow: true}, 'up'],
    ['', {pageDown: true}, 'pagedown'],
    ['\r', {return: true}, 'enter'],
    ['', {escape: true, meta: true}, 'escape'],
    ['c', {ctrl: true}, 'ctrl+c'],
    ['', {delete: true}, 'backspace'],
  ])('%j %j -> %s', (input, key, name) => {
    expect(keyNameOf(input, {...noKey, ...key})).toBe(name);
  });
});

describe('handleKey', () => {
  function contextFor(state: DashboardState, engine: EngineView): KeyContext {
    const snapshot = engine.getSnapshot();
    const {groups} = failedGroupsOf(snapshot);
    const rowIds = listRowIds(snapshot, groups, []);
    return {state, snapshot, selection: selectionOf(state, snapshot, {groups, events: [], page: undefined, scrollLines: 0, rowIds}), can: capabilitiesOf(engine)};
  }

  test.each<[Mode, string, string]>([
    ['confirm', 'z', 'Answer the question first'],
    ['help', 'p', 'Close the help first'],
    ['normal', 'z', 'No key "z" here'],
  ])('in %s mode, %s explains itself', (mode, key, message) => {
    const engine = createFakeEngine(makeSnapshot());
    let state = initialDashboardState;
    if (mode === 'confirm') state = dashboardReducer(state, {type: 'ask', message: '?', action: {kind: 'retry-all', total: 1}});
    if (mode === 'help') state = dashboardReducer(state, {type: 'toggle-help'});
    const dispatch = vi.fn();
    handleKey(key, key, contextFor(state, engine), {engine, dispatch, pageRows: 10});
    expect(dispatch).toHaveBeenCalledWith(expect.objectContaining({type: 'flash', level: 'warn', text: expect.stringContaining(message)}));
  });

  test('in a prompt, letters are text (q does not quit) but ctrl+c does', () => {
    const engine = createFakeEngine(makeSnapshot());
    const state = dashboardReducer(initialDashboardState, {type: 'open-prompt', kind: 'add'});
    const dispatch = vi.fn();
    handleKey('q', 'q', contextFor(state, engine), {engine, dispatch, pageRows: 10});
    expect(dispatch).toHaveBeenLastCalledWith({type: 'edit-prompt', text: 'q'});
    handleKey('ctrl+c', 'c', contextFor(state, engine), {engine, dispatch, pageRows: 10});
    expect(dispatch).toHaveBeenLastCalledWith({type: 'quit'});
  });

  test('pasted text is sanitized before it reaches the prompt', () => {
    const engine = createFakeEngine(makeSnapshot());
    const state = dashboardReducer(initialDashboardState, {type: 'open-prompt', kind: 'add'});
    const dispatch = vi.fn();
    handleKey('x', 'https://a.example/\u001b[2J\nhttps://b.example/', contextFor(state, engine), {engine, dispatch, pageRows: 10});
    expect(dispatch).toHaveBeenLastCalledWith({type: 'edit-prompt', text: 'https://a.example/ https://b.example/'});
  });
});
