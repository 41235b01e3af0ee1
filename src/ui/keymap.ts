// Every key of the dashboard, as data. This one table drives dispatch (use-keymap.ts), the footer,
// the `?` help overlay and the README's key table (keymap-table.ts). A binding that cannot act now
// returns the reason from `disabledReason`, and the status line shows it instead of doing nothing.
import type {Key} from 'ink';
import type {EngineSnapshot} from '../engine/contract.js';
import type {Capabilities} from './engine-commands.js';
import type {DashboardState, Mode} from './state/dashboard-state.js';
import type {Selection} from './state/selectors.js';

/** What a binding's `disabledReason` may look at. */
export interface KeyContext {
  readonly state: DashboardState;
  readonly snapshot: EngineSnapshot;
  readonly selection: Selection;
  readonly can: Capabilities;
}

export type KeymapSection = 'General' | 'Navigation' | 'Failed jobs' | 'Queues' | 'Pools' | 'Dialogs';

export interface Binding {
  readonly id: string;
  /** Key names as {@link keyNameOf} returns them: `q`, `R`, `ctrl+c`, `tab`, `shift+tab`, `enter`, `escape`, `up`. */
  readonly keys: readonly string[];
  /** How the keys are written in the footer and the help. */
  readonly label: string;
  readonly description: string;
  readonly section: KeymapSection;
  /** A short hint for the footer; absent: help only. */
  readonly footer?: string;
  /** Where the binding applies. @default ['normal'] */
  readonly modes?: readonly Mode[];
  /** Why the binding cannot act now, or `undefined` when it can. */
  readonly disabledReason?: (context: KeyContext) => string | undefined;
}

const DRAINING = 'The node is draining: commands are off (q again forces the exit)';

function whenRunning(context: KeyContext): string | undefined {
  if (context.state.quit !== 'running') return DRAINING;
  if (context.snapshot.phase === 'draining' || context.snapshot.phase === 'stopped') return `The engine is ${context.snapshot.phase}: commands are off`;
  return undefined;
}

function failedTargetReason(context: KeyContext, verb: string): string | undefined {
  const {state, selection} = context;
  if (state.detail?.kind === 'job') return undefined;
  if (state.focus !== 'failed') return `Select a failed job or error group to ${verb}: tab to the Failed jobs panel`;
  if (selection.failedTotal === 0 && !selection.group && !selection.job) return `No failed jobs to ${verb}`;
  if (!selection.group && !selection.job) return `Nothing selected to ${verb}`;
  return undefined;
}

/** The size +/- or ]/[ would ask for, and why it cannot. */
export function nextPoolSize(context: KeyContext, pool: 'browsers' | 'files', delta: 1 | -1): {size: number} | {reason: string} {
  const {snapshot, state, can} = context;
  const name = pool === 'browsers' ? 'browser pool' : 'file pool';
  if (pool === 'browsers') {
    if (!can.scaleBrowserPool) return {reason: 'This engine cannot scale the browser pool from the dashboard yet (crawler-tui scale browsers N)'};
    if (!snapshot.browserPool) return {reason: 'No browser pool on this node (Chromium not found, or browser.browsers is 0)'};
  }
  const summary = pool === 'browsers' ? snapshot.browserPool! : snapshot.filePool;
  const current = state.scaleIntents[pool]?.size ?? summary.targetSize;
  const min = Math.max(1, summary.limits?.min ?? 1);
  const max = summary.limits?.max ?? Number.POSITIVE_INFINITY;
  const size = current + delta;
  if (delta > 0 && size > max) return {reason: `The ${name} is at its maximum of ${max} (limits ${min}-${max})`};
  if (delta < 0 && size < min) return {reason: `The ${name} is at its minimum of ${min}`};
  return {size};
}

function poolReason(context: KeyContext, pool: 'browsers' | 'files', delta: 1 | -1): string | undefined {
  const running = whenRunning(context);
  if (running) return running;
  const next = nextPoolSize(context, pool, delta);
  return 'reason' in next ? next.reason : undefined;
}

export const KEYMAP = [
  // General
  {
    id: 'app.help',
    keys: ['?'],
    label: '?',
    description: 'Show or hide this help',
    section: 'General',
    footer: 'help',
    modes: ['normal', 'help'],
  },
  {
    id: 'app.quit',
    keys: ['q', 'ctrl+c'],
    label: 'q',
    description: 'Quit: drain active jobs, then exit (q again forces the exit)',
    section: 'General',
    footer: 'quit',
    modes: ['normal', 'help', 'confirm', 'prompt'],
  },
  // Navigation
  {id: 'nav.next-panel', keys: ['tab'], label: 'tab', description: 'Focus the next panel', section: 'Navigation', footer: 'panel'},
  {id: 'nav.prev-panel', keys: ['shift+tab'], label: 'shift-tab', description: 'Focus the previous panel', section: 'Navigation'},
  {
    id: 'nav.down',
    keys: ['j', 'down'],
    label: 'j/↓',
    description: 'Move down (scrolls the help and detail views)',
    section: 'Navigation',
    footer: 'move',
    modes: ['normal', 'help'],
    disabledReason: ({selection, state}) => (selection.rowCount === 0 && !state.isHelpOpen && !state.detail ? 'Nothing to move through in this panel' : undefined),
  },
  {
    id: 'nav.up',
    keys: ['k', 'up'],
    label: 'k/↑',
    description: 'Move up',
    section: 'Navigation',
    modes: ['normal', 'help'],
    disabledReason: ({selection, state}) => (selection.rowCount === 0 && !state.isHelpOpen && !state.detail ? 'Nothing to move through in this panel' : undefined),
  },
  {
    id: 'nav.page-down',
    keys: ['pagedown', 'ctrl+d'],
    label: 'pgdn/^d',
    description: 'Move down a page (reads the next page of failed jobs)',
    section: 'Navigation',
    modes: ['normal', 'help'],
    disabledReason: ({selection, state}) => (selection.rowCount === 0 && !state.isHelpOpen && !state.detail ? 'Nothing to page through in this panel' : undefined),
  },
  {
    id: 'nav.page-up',
    keys: ['pageup', 'ctrl+u'],
    label: 'pgup/^u',
    description: 'Move up a page',
    section: 'Navigation',
    modes: ['normal', 'help'],
    disabledReason: ({selection, state}) => (selection.rowCount === 0 && !state.isHelpOpen && !state.detail ? 'Nothing to page through in this panel' : undefined),
  },
  {
    id: 'nav.open',
    keys: ['enter'],
    label: 'enter',
    description: "Open: an error group's jobs, a job's detail, an event's full text",
    section: 'Navigation',
    footer: 'open',
    disabledReason: ({state, selection}) => {
      if (state.detail) return 'Already open: esc goes back';
      if (state.focus === 'failed') return selection.group || selection.job ? undefined : 'No failed job or group selected';
      if (state.focus === 'events') return selection.event ? undefined : 'No events yet';
      return 'Nothing to open here: enter opens failed-job groups, jobs and events';
    },
  },
  {
    id: 'nav.back',
    keys: ['escape'],
    label: 'esc',
    description: 'Back: close help or detail, leave a group, clear the filter',
    section: 'Navigation',
    footer: 'back',
    modes: ['normal', 'help'],
    disabledReason: ({state}) =>
      state.isHelpOpen || state.detail || (state.focus === 'failed' && state.failedView.kind !== 'groups') ? undefined : 'Nothing to go back from',
  },
  // Failed jobs
  {
    id: 'failed.retry',
    keys: ['r'],
    label: 'r',
    description: 'Retry the selected failed job, or all jobs of the selected group',
    section: 'Failed jobs',
    footer: 'retry',
    disabledReason: (context) => whenRunning(context) ?? failedTargetReason(context, 'retry'),
  },
  {
    id: 'failed.retry-all',
    keys: ['R'],
    label: 'R',
    description: 'Retry all failed jobs of every queue (asks first)',
    section: 'Failed jobs',
    footer: 'retry all',
    disabledReason: (context) => whenRunning(context) ?? (context.selection.failedTotal === 0 ? 'No failed jobs to retry' : undefined),
  },
  {
    id: 'failed.remove',
    keys: ['x'],
    label: 'x',
    description: 'Remove the selected failed job or error group (asks first)',
    section: 'Failed jobs',
    footer: 'remove',
    disabledReason: (context) => whenRunning(context) ?? failedTargetReason(context, 'remove'),
  },
  {
    id: 'failed.filter',
    keys: ['/'],
    label: '/',
    description: 'Filter failed jobs by URL or error text (empty clears)',
    section: 'Failed jobs',
    footer: 'filter',
  },
  // Queues
  {
    id: 'queue.toggle-pause',
    keys: ['p'],
    label: 'p',
    description: 'Pause or resume the selected queue',
    section: 'Queues',
    footer: 'pause',
    disabledReason: (context) => {
      const running = whenRunning(context);
      if (running) return running;
      if (context.snapshot.queues.length === 0) return 'No queues yet';
      if (context.state.focus !== 'queues' || context.state.detail) return 'Select a queue first: tab to the Queues panel (P pauses all)';
      return undefined;
    },
  },
  {
    id: 'queue.toggle-pause-all',
    keys: ['P'],
    label: 'P',
    description: 'Pause all queues, or resume them when all are paused',
    section: 'Queues',
    disabledReason: (context) => whenRunning(context) ?? (context.snapshot.queues.length === 0 ? 'No queues yet' : undefined),
  },
  // Pools
  {
    id: 'pool.browsers-grow',
    keys: ['+', '='],
    label: '+',
    description: 'One more browser (pins the browser pool: autoscaling off)',
    section: 'Pools',
    footer: 'browsers',
    disabledReason: (context) => poolReason(context, 'browsers', 1),
  },
  {
    id: 'pool.browsers-shrink',
    keys: ['-', '_'],
    label: '-',
    description: 'One browser fewer (pins the browser pool)',
    section: 'Pools',
    disabledReason: (context) => poolReason(context, 'browsers', -1),
  },
  {
    id: 'pool.files-grow',
    keys: [']'],
    label: ']',
    description: 'One more file worker thread',
    section: 'Pools',
    footer: 'files',
    disabledReason: (context) => poolReason(context, 'files', 1),
  },
  {
    id: 'pool.files-shrink',
    keys: ['['],
    label: '[',
    description: 'One file worker thread fewer',
    section: 'Pools',
    disabledReason: (context) => poolReason(context, 'files', -1),
  },
  {
    id: 'pool.toggle-autoscale',
    keys: ['A'],
    label: 'A',
    description: 'Autoscaling on/off: the selected pool in Pools, else both pools',
    section: 'Pools',
    footer: 'autoscale',
    disabledReason: (context) => whenRunning(context) ?? (context.can.setAutoscale ? undefined : 'This engine cannot switch autoscaling from the dashboard yet'),
  },
  {
    id: 'jobs.add',
    keys: ['a'],
    label: 'a',
    description: 'Add a URL or a crawl (prompt, checked before it is sent)',
    section: 'Queues',
    footer: 'add',
    disabledReason: (context) =>
      whenRunning(context) ?? (context.can.addJobs ? undefined : 'This engine cannot add jobs from the dashboard yet: use crawler-tui add URL'),
  },
  // Dialogs
  {id: 'confirm.yes', keys: ['y', 'Y', 'enter'], label: 'y/enter', description: 'Confirm the question', section: 'Dialogs', footer: 'yes', modes: ['confirm']},
  {id: 'confirm.no', keys: ['n', 'N', 'escape'], label: 'n/esc', description: 'Cancel the question', section: 'Dialogs', footer: 'no', modes: ['confirm']},
  {id: 'prompt.submit', keys: ['enter'], label: 'enter', description: 'Send the prompt (add, filter)', section: 'Dialogs', footer: 'send', modes: ['prompt']},
  {id: 'prompt.cancel', keys: ['escape'], label: 'esc', description: 'Close the prompt without sending', section: 'Dialogs', footer: 'cancel', modes: ['prompt']},
] as const satisfies readonly Binding[];

export type BindingId = (typeof KEYMAP)[number]['id'];

export function modesOf(binding: Binding): readonly Mode[] {
  return binding.modes ?? ['normal'];
}

/** The binding a key triggers in a mode, if any. */
export function findBinding(keyName: string, mode: Mode): Binding | undefined {
  return (KEYMAP as readonly Binding[]).find((binding) => binding.keys.includes(keyName) && modesOf(binding).includes(mode));
}

export function bindingById(id: BindingId): Binding {
  return (KEYMAP as readonly Binding[]).find((binding) => binding.id === id)!;
}

/** Ink's (input, key) as one key name, the vocabulary of {@link Binding.keys}. */
export function keyNameOf(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return || input === '\r' || input === '\n') return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
  return input;
}

/**
 * The key name of one character of a typed-ahead run: Ink hands keys that arrive together
 * (fast typing, key repeat, a multiplexer) over as one string, e.g. `"\t\tj"`.
 */
export function keyNameOfCharacter(character: string): string {
  if (character === '\t') return 'tab';
  if (character === '\r' || character === '\n') return 'enter';
  if (character === '\u007f' || character === '\b') return 'backspace';
  if (character === '\u001b') return 'escape';
  const code = character.charCodeAt(0);
  if (code >= 1 && code <= 26) return `ctrl+${String.fromCharCode(code + 96)}`;
  return character;
}
