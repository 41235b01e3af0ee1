// UI-only state of the dashboard (what is focused, selected, open), as a pure reducer. Engine data
// is not kept here: it comes from the snapshot on each render. An action that makes no sense in
// the current state returns the same state object, so React skips the render.
import type {EngineEvent, FailedJobSummary, PoolName} from '../../engine/contract.js';

/** Panels that take the focus, in tab order. The resources panel only shows. */
export type PanelId = 'queues' | 'pools' | 'failed' | 'events';
export const PANEL_ORDER: readonly PanelId[] = ['queues', 'pools', 'failed', 'events'];

/** Lists with their own cursor. `groups` and `jobs` are the two views of the failed panel. */
export type ListId = 'queues' | 'pools' | 'groups' | 'jobs' | 'events';

/** What the failed-jobs panel lists. */
export type FailedView =
  | {readonly kind: 'groups'}
  /** The jobs of one error group. */
  | {readonly kind: 'group'; readonly signature: string; readonly label: string; readonly count: number}
  /** The jobs whose URL or error contains `text` (the `/` filter). */
  | {readonly kind: 'search'; readonly text: string};

/** A full-body view opened with enter. */
export type Detail = {readonly kind: 'job'; readonly job: FailedJobSummary} | {readonly kind: 'event'; readonly event: EngineEvent};

/** A group of failed jobs as the dashboard shows it (from the engine, or grouped from `failedJobs`). */
export interface FailedGroupView {
  readonly signature: string;
  readonly sampleError: string;
  readonly count: number;
  readonly queues: readonly string[];
  readonly newestFailedAtMs: number | undefined;
}

/** What `r` and `x` act on. */
export type FailedTarget = {readonly kind: 'job'; readonly job: FailedJobSummary} | {readonly kind: 'group'; readonly group: FailedGroupView};

/** An action that waits for the operator's yes. */
export type PendingAction = {readonly kind: 'retry-all'; readonly total: number} | {readonly kind: 'remove'; readonly target: FailedTarget};

export type FlashLevel = 'info' | 'warn' | 'error';

/** Which keys apply: dialogs take the keyboard while they are open. */
export type Mode = 'normal' | 'help' | 'confirm' | 'prompt';

export interface DashboardState {
  readonly focus: PanelId;
  readonly cursors: Readonly<Record<ListId, number>>;
  /**
   * The id of the row each cursor is on, so the selection stays on its item when new rows push
   * it down (a new error group, a new event). See `effectiveCursor`.
   */
  readonly anchors: Readonly<Partial<Record<ListId, string>>>;
  readonly failedView: FailedView;
  /** The groups cursor to restore when a group is closed. */
  readonly groupsCursorBeforeOpen: number;
  readonly detail: Detail | undefined;
  readonly detailScroll: number;
  readonly isHelpOpen: boolean;
  readonly helpScroll: number;
  readonly confirm: {readonly message: string; readonly action: PendingAction} | undefined;
  readonly prompt: {readonly kind: 'add' | 'filter'; readonly text: string; readonly error: string | undefined} | undefined;
  /** The status-line message; `id` lets a timer clear exactly the message it was set for. */
  readonly flash: {readonly level: FlashLevel; readonly text: string; readonly id: number} | undefined;
  /** `draining`: the first quit was asked, the engine is stopping; `forced`: quit again. */
  readonly quit: 'running' | 'draining' | 'forced';
  /**
   * Sizes asked for with +/- and ]/[ but not yet seen in a snapshot, so pressing + three times
   * asks for three more even before the engine has published the first change.
   */
  readonly scaleIntents: Readonly<Partial<Record<PoolName, {readonly size: number; readonly atMs: number}>>>;
  /** Bumped after a command that changes the failed sets, so the shown page is read again. */
  readonly reloadToken: number;
}

export const initialDashboardState: DashboardState = {
  focus: 'queues',
  cursors: {queues: 0, pools: 0, groups: 0, jobs: 0, events: 0},
  anchors: {},
  failedView: {kind: 'groups'},
  groupsCursorBeforeOpen: 0,
  detail: undefined,
  detailScroll: 0,
  isHelpOpen: false,
  helpScroll: 0,
  confirm: undefined,
  prompt: undefined,
  flash: undefined,
  quit: 'running',
  scaleIntents: {},
  reloadToken: 0,
};

export type DashboardAction =
  | {readonly type: 'focus-next'}
  | {readonly type: 'focus-prev'}
  | {readonly type: 'focus'; readonly panel: PanelId}
  /**
   * Moves the cursor of the active list (or scrolls help/detail) by `delta`, within `rowCount`.
   * `rowIds` (the list's rows, when known) lets the cursor start from its anchored row.
   */
  | {readonly type: 'move'; readonly delta: number; readonly rowCount: number; readonly rowIds?: readonly string[]}
  | {readonly type: 'open-group'; readonly signature: string; readonly label: string; readonly count: number}
  | {readonly type: 'open-detail'; readonly detail: Detail}
  | {readonly type: 'back'}
  | {readonly type: 'toggle-help'}
  | {readonly type: 'ask'; readonly message: string; readonly action: PendingAction}
  | {readonly type: 'close-confirm'}
  | {readonly type: 'open-prompt'; readonly kind: 'add' | 'filter'; readonly text?: string}
  | {readonly type: 'edit-prompt'; readonly text: string}
  | {readonly type: 'reject-prompt'; readonly error: string}
  | {readonly type: 'close-prompt'}
  | {readonly type: 'set-filter'; readonly text: string}
  | {readonly type: 'flash'; readonly level: FlashLevel; readonly text: string}
  | {readonly type: 'clear-flash'; readonly id: number}
  | {readonly type: 'quit'}
  | {readonly type: 'scale-intent'; readonly pool: PoolName; readonly size: number; readonly atMs: number}
  /** A snapshot arrived: intents it fulfils (or that are older than `intentTtlMs`) are dropped. */
  | {readonly type: 'targets-seen'; readonly targets: Partial<Record<PoolName, number>>; readonly nowMs: number}
  | {readonly type: 'reload'};

/** Scale intents the engine has not confirmed within this long are forgotten. */
export const INTENT_TTL_MS = 3000;

export function modeOf(state: DashboardState): Mode {
  if (state.prompt) return 'prompt';
  if (state.confirm) return 'confirm';
  if (state.isHelpOpen) return 'help';
  return 'normal';
}

/** The list that j/k move through now, or the view they scroll. */
export function activeList(state: DashboardState): ListId | 'help' | 'detail' {
  if (state.isHelpOpen) return 'help';
  if (state.detail) return 'detail';
  if (state.focus === 'failed') return state.failedView.kind === 'groups' ? 'groups' : 'jobs';
  return state.focus;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

let nextFlashId = 1;

/**
 * Where a list's cursor is now: on its anchored row if that row is still listed (it may have
 * moved), else the remembered index, kept inside the list.
 */
export function effectiveCursor(state: DashboardState, list: ListId, rowIds: readonly string[]): number {
  const anchor = state.anchors[list];
  if (anchor !== undefined) {
    const index = rowIds.indexOf(anchor);
    if (index >= 0) return index;
  }
  return clamp(state.cursors[list], 0, Math.max(0, rowIds.length - 1));
}

export function dashboardReducer(state: DashboardState, action: DashboardAction): DashboardState {
  switch (action.type) {
    case 'focus-next':
    case 'focus-prev': {
      const index = PANEL_ORDER.indexOf(state.focus);
      const step = action.type === 'focus-next' ? 1 : PANEL_ORDER.length - 1;
      return {...state, focus: PANEL_ORDER[(index + step) % PANEL_ORDER.length]!};
    }
    case 'focus':
      return state.focus === action.panel ? state : {...state, focus: action.panel};
    case 'move': {
      const list = activeList(state);
      if (list === 'help' || list === 'detail') {
        const key = list === 'help' ? 'helpScroll' : 'detailScroll';
        const next = clamp(state[key] + action.delta, 0, Math.max(0, action.rowCount - 1));
        return next === state[key] ? state : {...state, [key]: next};
      }
      const current = action.rowIds ? effectiveCursor(state, list, action.rowIds) : state.cursors[list];
      const next = clamp(current + action.delta, 0, Math.max(0, action.rowCount - 1));
      const anchor = action.rowIds?.[next];
      if (next === state.cursors[list] && anchor === state.anchors[list]) return state;
      return {...state, cursors: {...state.cursors, [list]: next}, anchors: {...state.anchors, [list]: anchor}};
    }
    case 'open-group':
      return {
        ...state,
        focus: 'failed',
        failedView: {kind: 'group', signature: action.signature, label: action.label, count: action.count},
        groupsCursorBeforeOpen: state.cursors.groups,
        cursors: {...state.cursors, jobs: 0},
        anchors: {...state.anchors, jobs: undefined},
      };
    case 'open-detail':
      return {...state, detail: action.detail, detailScroll: 0};
    case 'back': {
      if (state.isHelpOpen) return {...state, isHelpOpen: false};
      if (state.detail) return {...state, detail: undefined, detailScroll: 0};
      if (state.focus === 'failed' && state.failedView.kind !== 'groups') {
        const groups = state.failedView.kind === 'group' ? state.groupsCursorBeforeOpen : state.cursors.groups;
        return {...state, failedView: {kind: 'groups'}, cursors: {...state.cursors, groups, jobs: 0}, anchors: {...state.anchors, jobs: undefined}};
      }
      return state;
    }
    case 'toggle-help':
      return {...state, isHelpOpen: !state.isHelpOpen, helpScroll: 0};
    case 'ask':
      return {...state, confirm: {message: action.message, action: action.action}};
    case 'close-confirm':
      return state.confirm ? {...state, confirm: undefined} : state;
    case 'open-prompt':
      return {...state, prompt: {kind: action.kind, text: action.text ?? '', error: undefined}};
    case 'edit-prompt':
      return state.prompt ? {...state, prompt: {...state.prompt, text: action.text, error: undefined}} : state;
    case 'reject-prompt':
      return state.prompt ? {...state, prompt: {...state.prompt, error: action.error}} : state;
    case 'close-prompt':
      return state.prompt ? {...state, prompt: undefined} : state;
    case 'set-filter': {
      const text = action.text.trim();
      const failedView: FailedView = text === '' ? {kind: 'groups'} : {kind: 'search', text};
      return {...state, focus: 'failed', detail: undefined, failedView, cursors: {...state.cursors, jobs: 0}, anchors: {...state.anchors, jobs: undefined}};
    }
    case 'flash':
      return {...state, flash: {level: action.level, text: action.text, id: nextFlashId++}};
    case 'clear-flash':
      return state.flash?.id === action.id ? {...state, flash: undefined} : state;
    case 'quit':
      if (state.quit === 'forced') return state;
      return {...state, quit: state.quit === 'running' ? 'draining' : 'forced', confirm: undefined, prompt: undefined};
    case 'scale-intent':
      return {...state, scaleIntents: {...state.scaleIntents, [action.pool]: {size: action.size, atMs: action.atMs}}};
    case 'targets-seen': {
      let changed = false;
      const intents: Partial<Record<PoolName, {readonly size: number; readonly atMs: number}>> = {};
      for (const [pool, intent] of Object.entries(state.scaleIntents) as Array<[PoolName, {size: number; atMs: number}]>) {
        const isDone = action.targets[pool] === intent.size || action.nowMs - intent.atMs > INTENT_TTL_MS;
        if (isDone) changed = true;
        else intents[pool] = intent;
      }
      return changed ? {...state, scaleIntents: intents} : state;
    }
    case 'reload':
      return {...state, reloadToken: state.reloadToken + 1};
  }
}
