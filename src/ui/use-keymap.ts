// The one place that reads the keyboard. A key becomes a binding of the keymap table (for the
// current mode); a disabled binding puts its reason in the status line; an enabled one runs its
// handler below. Handlers dispatch UI actions or send engine commands; a command's outcome (or its
// error message) lands in the status line, never as an exception in React.
import {useCallback, useRef, type Dispatch} from 'react';
import {useInput, useStdin, type Key} from 'ink';
import type {EngineView, PoolName} from '../engine/contract.js';
import {removeTarget, retryAllFailed, retryTarget, scalePool} from './engine-commands.js';
import {formatCount} from './format/numbers.js';
import {sanitize} from './format/sanitize.js';
import {truncate} from './format/text.js';
import {findBinding, keyNameOf, keyNameOfCharacter, nextPoolSize, type BindingId, type KeyContext} from './keymap.js';
import {modeOf, type DashboardAction, type FailedTarget, type PendingAction} from './state/dashboard-state.js';
import {parseAddInput} from './state/parse-add-input.js';
import type {Selection} from './state/selectors.js';

export interface KeymapDeps {
  readonly engine: EngineView;
  readonly dispatch: Dispatch<DashboardAction>;
  /** Rows a page-down moves. */
  readonly pageRows: number;
  /** `Date.now`, injectable for tests. */
  readonly now?: () => number;
}

type Handler = (context: KeyContext, deps: KeymapDeps) => void;

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

function describeTarget(target: FailedTarget): string {
  return target.kind === 'job'
    ? `job ${sanitize(target.job.id)}`
    : `${plural(target.group.count, 'job')} of group "${truncate(sanitize(target.group.signature), 40)}"`;
}

/** Runs a command; its result message or its error goes to the status line. */
function run(deps: KeymapDeps, pending: string | undefined, work: () => Promise<string>, options: {reload?: boolean} = {}): void {
  if (pending) deps.dispatch({type: 'flash', level: 'info', text: pending});
  Promise.resolve()
    .then(work)
    .then(
      (message) => deps.dispatch({type: 'flash', level: 'info', text: message}),
      (error: unknown) => deps.dispatch({type: 'flash', level: 'error', text: error instanceof Error ? error.message : String(error)}),
    )
    .finally(() => {
      if (options.reload) deps.dispatch({type: 'reload'});
    });
}

function targetOf(context: KeyContext): FailedTarget | undefined {
  const {job, group} = context.selection;
  if (job) return {kind: 'job', job};
  if (group) return {kind: 'group', group};
  return undefined;
}

function execute(action: PendingAction, deps: KeymapDeps): void {
  if (action.kind === 'retry-all') {
    run(deps, 'Retrying all failed jobs…', async () => `Retried ${plural(await retryAllFailed(deps.engine), 'failed job')}`, {reload: true});
    return;
  }
  const {target} = action;
  run(deps, `Removing ${describeTarget(target)}…`, async () => `Removed ${plural(await removeTarget(deps.engine, target), 'job')}`, {reload: true});
  if (target.kind === 'job') deps.dispatch({type: 'back'});
}

function move(selection: Selection, delta: number): DashboardAction {
  return {type: 'move', delta, rowCount: selection.rowCount, ...(selection.rowIds ? {rowIds: selection.rowIds} : {})};
}

function scale(pool: PoolName, delta: 1 | -1): Handler {
  return (context, deps) => {
    const next = nextPoolSize(context, pool, delta);
    if ('reason' in next) return;
    deps.dispatch({type: 'scale-intent', pool, size: next.size, atMs: (deps.now ?? Date.now)()});
    const name = pool === 'browsers' ? 'browser pool' : 'file pool';
    run(deps, undefined, async () => {
      await scalePool(deps.engine, pool, next.size);
      return `Asked the ${name} for ${next.size}${pool === 'browsers' ? ' (pinned: autoscaling off for browsers)' : ''}`;
    });
  };
}

function isAuto(context: KeyContext, pool: PoolName): boolean {
  return pool === 'browsers' ? context.snapshot.browserPool?.isAuto === true : context.snapshot.filePool.isAuto === true;
}

/** What each binding does; the type makes a binding without a handler a compile error. */
export const HANDLERS: Record<BindingId, Handler> = {
  'app.help': (_context, {dispatch}) => dispatch({type: 'toggle-help'}),
  'app.quit': (_context, {dispatch}) => dispatch({type: 'quit'}),
  'nav.next-panel': (context, {dispatch}) => {
    if (context.state.detail) dispatch({type: 'back'});
    dispatch({type: 'focus-next'});
  },
  'nav.prev-panel': (context, {dispatch}) => {
    if (context.state.detail) dispatch({type: 'back'});
    dispatch({type: 'focus-prev'});
  },
  'nav.down': ({selection}, {dispatch}) => dispatch(move(selection, 1)),
  'nav.up': ({selection}, {dispatch}) => dispatch(move(selection, -1)),
  'nav.page-down': ({selection}, {dispatch, pageRows}) => dispatch(move(selection, Math.max(1, pageRows))),
  'nav.page-up': ({selection}, {dispatch, pageRows}) => dispatch(move(selection, -Math.max(1, pageRows))),
  'nav.open': ({selection, state}, {dispatch}) => {
    if (state.focus === 'failed' && selection.group) {
      const {group} = selection;
      dispatch({type: 'open-group', signature: group.signature, label: group.signature, count: group.count});
    } else if (state.focus === 'failed' && selection.job) {
      dispatch({type: 'open-detail', detail: {kind: 'job', job: selection.job}});
    } else if (state.focus === 'events' && selection.event) {
      dispatch({type: 'open-detail', detail: {kind: 'event', event: selection.event}});
    }
  },
  'nav.back': (_context, {dispatch}) => dispatch({type: 'back'}),
  'failed.retry': (context, deps) => {
    const target = targetOf(context);
    if (!target) return;
    run(deps, `Retrying ${describeTarget(target)}…`, async () => `Retried ${plural(await retryTarget(deps.engine, target), 'job')}`, {reload: true});
    if (target.kind === 'job' && context.state.detail) deps.dispatch({type: 'back'});
  },
  'failed.retry-all': ({selection}, {dispatch}) =>
    dispatch({
      type: 'ask',
      message: `Retry all ${plural(selection.failedTotal, 'failed job')}?`,
      action: {kind: 'retry-all', total: selection.failedTotal},
    }),
  'failed.remove': (context, {dispatch}) => {
    const target = targetOf(context);
    if (!target) return;
    const what = target.kind === 'job' ? `failed job ${sanitize(target.job.id)} (${truncate(sanitize(target.job.url ?? 'no URL'), 50)})` : `all ${describeTarget(target)}`;
    dispatch({type: 'ask', message: `Remove ${what}? This cannot be undone.`, action: {kind: 'remove', target}});
  },
  'failed.filter': ({state}, {dispatch}) => dispatch({type: 'open-prompt', kind: 'filter', text: state.failedView.kind === 'search' ? state.failedView.text : ''}),
  'queue.toggle-pause': ({selection}, deps) => {
    const queue = selection.queue;
    if (!queue) return;
    if (queue.isPaused) run(deps, undefined, async () => (await deps.engine.resumeQueue(queue.name), `Resumed queue ${queue.name}`));
    else run(deps, undefined, async () => (await deps.engine.pauseQueue(queue.name), `Paused queue ${queue.name}: active jobs finish, nothing new starts`));
  },
  'queue.toggle-pause-all': ({snapshot}, deps) => {
    const allPaused = snapshot.queues.every((queue) => queue.isPaused);
    if (allPaused) run(deps, undefined, async () => (await deps.engine.resumeQueue('all'), 'Resumed all queues'));
    else run(deps, undefined, async () => (await deps.engine.pauseQueue('all'), 'Paused all queues'));
  },
  'pool.browsers-grow': scale('browsers', 1),
  'pool.browsers-shrink': scale('browsers', -1),
  'pool.files-grow': scale('files', 1),
  'pool.files-shrink': scale('files', -1),
  'pool.toggle-autoscale': (context, deps) => {
    const {engine} = deps;
    const present: PoolName[] = context.snapshot.browserPool ? ['browsers', 'files'] : ['files'];
    const pools = context.state.focus === 'pools' ? [context.selection.pool] : present;
    // Several pools: one switch for all (off if any is on), so A twice is back where it started.
    const turnOn = !pools.some((pool) => isAuto(context, pool));
    run(deps, undefined, async () => {
      for (const pool of pools) await engine.setAutoscale!(pool, turnOn);
      return `Autoscaling ${turnOn ? 'on' : 'off'} for ${pools.join(' and ')}${turnOn ? '' : ' (pinned at the current size)'}`;
    });
  },
  'jobs.add': (_context, {dispatch}) => dispatch({type: 'open-prompt', kind: 'add'}),
  'confirm.yes': ({state}, deps) => {
    const confirm = state.confirm;
    deps.dispatch({type: 'close-confirm'});
    if (confirm) execute(confirm.action, deps);
  },
  'confirm.no': (_context, {dispatch}) => {
    dispatch({type: 'close-confirm'});
    dispatch({type: 'flash', level: 'info', text: 'Cancelled: nothing was changed'});
  },
  'prompt.submit': ({state}, deps) => {
    const prompt = state.prompt;
    if (!prompt) return;
    if (prompt.kind === 'filter') {
      deps.dispatch({type: 'close-prompt'});
      deps.dispatch({type: 'set-filter', text: prompt.text});
      return;
    }
    const parsed = parseAddInput(prompt.text);
    if (!parsed.ok) {
      deps.dispatch({type: 'reject-prompt', error: parsed.error});
      return;
    }
    deps.dispatch({type: 'close-prompt'});
    const {request} = parsed;
    const what = request.crawl ? plural(request.urls.length, 'crawl') : plural(request.urls.length, 'page');
    run(deps, `Adding ${what}…`, async () => {
      const outcome = await deps.engine.addJobs!(request);
      const duplicates = outcome.duplicates > 0 ? `, ${plural(outcome.duplicates, 'duplicate')} skipped` : '';
      return `Added ${request.crawl ? plural(outcome.added, 'crawl') : plural(outcome.added, 'job')}${duplicates}`;
    });
  },
  'prompt.cancel': (_context, {dispatch}) => dispatch({type: 'close-prompt'}),
};

function editPrompt(keyName: string, input: string, context: KeyContext, deps: KeymapDeps): void {
  const text = context.state.prompt?.text ?? '';
  if (keyName === 'backspace') {
    deps.dispatch({type: 'edit-prompt', text: [...text].slice(0, -1).join('')});
    return;
  }
  if (keyName === 'ctrl+u') {
    deps.dispatch({type: 'edit-prompt', text: ''});
    return;
  }
  // Typed or pasted text; a pasted list of URLs (one a line) becomes one space-separated line.
  const typed = sanitize(input);
  if (typed !== '' && !keyName.startsWith('ctrl+')) deps.dispatch({type: 'edit-prompt', text: text + typed});
}

/**
 * Handles one key: the binding for the mode, its disabled reason, or its handler. Exposed (and
 * pure apart from `deps`) so the dispatch rules are testable without rendering.
 */
export function handleKey(keyName: string, input: string, context: KeyContext, deps: KeymapDeps): void {
  const mode = modeOf(context.state);
  const isText = mode === 'prompt' && !keyName.startsWith('ctrl+') && keyName !== 'enter' && keyName !== 'escape';
  const binding = isText ? undefined : findBinding(keyName, mode);
  if (!binding) {
    if (mode === 'prompt') editPrompt(keyName, input, context, deps);
    else if (mode === 'confirm') deps.dispatch({type: 'flash', level: 'warn', text: 'Answer the question first: y yes, n no'});
    else if (mode === 'help' && findBinding(keyName, 'normal')) deps.dispatch({type: 'flash', level: 'warn', text: 'Close the help first: ? or esc'});
    else if ([...keyName].length === 1 && keyName.trim() !== '') deps.dispatch({type: 'flash', level: 'warn', text: `No key "${sanitize(keyName)}" here: ? lists the keys`});
    return;
  }
  const reason = binding.disabledReason?.(context);
  if (reason !== undefined) {
    deps.dispatch({type: 'flash', level: 'warn', text: reason});
    return;
  }
  HANDLERS[binding.id as BindingId](context, deps);
}

/**
 * Handles one input event from Ink. Outside a prompt, several plain characters in one event are
 * keys typed ahead (Ink passes a run of text as one event), handled one by one.
 */
export function handleInput(input: string, key: Key, context: KeyContext, deps: KeymapDeps): void {
  const characters = [...input];
  if (modeOf(context.state) !== 'prompt' && characters.length > 1 && !key.ctrl && !key.meta) {
    for (const character of characters) handleKey(keyNameOfCharacter(character), character, context, deps);
    return;
  }
  handleKey(keyNameOf(input, key), input, context, deps);
}

/** Reads the keyboard (only when stdin is a TTY: Ink crashes on raw mode otherwise). */
export function useKeymap(context: KeyContext, deps: KeymapDeps): void {
  const {isRawModeSupported} = useStdin();
  // The handler reads the newest context through refs, so useInput does not resubscribe per render.
  const contextRef = useRef(context);
  contextRef.current = context;
  const depsRef = useRef(deps);
  depsRef.current = deps;
  const onInput = useCallback<Parameters<typeof useInput>[0]>((input, key) => {
    handleInput(input, key, contextRef.current, depsRef.current);
  }, []);
  useInput(onInput, {isActive: isRawModeSupported === true});
}
