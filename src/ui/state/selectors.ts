// Pure derivations from (UI state, snapshot, loaded page) that both the panels and the keymap use,
// so what is drawn as selected is exactly what a key acts on.
import type {EngineEvent, EngineSnapshot, FailedJobSummary, FailedJobsPage, PoolName, QueueSummary} from '../../engine/contract.js';
import {errorSignature} from '../format/error-signature.js';
import {activeList, effectiveCursor, type DashboardState, type FailedGroupView, type FailedView, type ListId} from './dashboard-state.js';

/** Jobs read per page of the failed list. */
export const FAILED_PAGE_SIZE = 50;

export const POOLS: readonly PoolName[] = ['browsers', 'files'];

export interface FailedGroups {
  readonly groups: readonly FailedGroupView[];
  /** Grouped from the snapshot's newest failed jobs only (the engine sends no groups). */
  readonly isPartial: boolean;
}

const groupsCache = new WeakMap<object, FailedGroups>();

/** The signature a job is grouped by. */
export function signatureOf(job: FailedJobSummary): string {
  return job.signature ?? errorSignature(job.error);
}

/** Error groups, newest first: the engine's, or grouped here from `failedJobs`. Cached per snapshot array. */
export function failedGroupsOf(snapshot: EngineSnapshot): FailedGroups {
  const source: object = snapshot.failedGroups ?? snapshot.failedJobs;
  const cached = groupsCache.get(source);
  if (cached) return cached;
  let result: FailedGroups;
  if (snapshot.failedGroups) {
    // Newest first, whatever order the engine keeps them in.
    const groups = [...snapshot.failedGroups].sort((a, b) => (b.newestFailedAtMs ?? 0) - (a.newestFailedAtMs ?? 0));
    result = {groups, isPartial: false};
  } else {
    const bySignature = new Map<string, {group: FailedGroupView; queues: Set<string>}>();
    const jobs = [...snapshot.failedJobs].sort((a, b) => (b.failedAtMs ?? 0) - (a.failedAtMs ?? 0));
    for (const job of jobs) {
      const signature = signatureOf(job);
      const entry = bySignature.get(signature);
      if (entry) {
        entry.queues.add(job.queue);
        entry.group = {...entry.group, count: entry.group.count + 1, queues: [...entry.queues]};
      } else {
        bySignature.set(signature, {
          group: {signature, sampleError: job.error, count: 1, queues: [job.queue], newestFailedAtMs: job.failedAtMs},
          queues: new Set([job.queue]),
        });
      }
    }
    result = {groups: [...bySignature.values()].map((entry) => entry.group), isPartial: failedTotalOf(snapshot) > snapshot.failedJobs.length};
  }
  groupsCache.set(source, result);
  return result;
}

/** Failed jobs in all queues, from the queue counts (O(queues), never a list of jobs). */
export function failedTotalOf(snapshot: EngineSnapshot): number {
  if (snapshot.queues.length === 0) return snapshot.failedJobs.length;
  return snapshot.queues.reduce((sum, queue) => sum + queue.counts.failed, 0);
}

/** The page query of the failed list view, or `undefined` in the groups view. */
export function failedQueryOf(view: FailedView, cursor: number): {offset: number; limit: number; signature?: string; text?: string} | undefined {
  if (view.kind === 'groups') return undefined;
  const offset = Math.floor(cursor / FAILED_PAGE_SIZE) * FAILED_PAGE_SIZE;
  return view.kind === 'group'
    ? {offset, limit: FAILED_PAGE_SIZE, signature: view.signature}
    : {offset, limit: FAILED_PAGE_SIZE, text: view.text};
}

/** A page of the failed list as loaded, with the query it answers. */
export interface LoadedPage {
  readonly offset: number;
  readonly key: string;
  readonly page: FailedJobsPage;
}

/** Newest first, as the events panel lists them. */
export function eventsNewestFirst(snapshot: EngineSnapshot): readonly EngineEvent[] {
  return [...snapshot.events].reverse();
}

/** A stable id for an event row (events have no id of their own). */
export function eventRowId(event: EngineEvent): string {
  return `${event.atMs}|${event.kind}|${event.message}`;
}

/** Row ids of the lists whose cursors follow their rows (jobs are paged and keep their index). */
export type ListRowIds = Readonly<Record<Exclude<ListId, 'jobs'>, readonly string[]>>;

export function listRowIds(snapshot: EngineSnapshot, groups: readonly FailedGroupView[], events: readonly EngineEvent[]): ListRowIds {
  return {
    queues: snapshot.queues.map((queue) => queue.name),
    pools: POOLS,
    groups: groups.map((group) => group.signature),
    events: events.map(eventRowId),
  };
}

/** Where each list's cursor is now (see `effectiveCursor`). */
export function effectiveCursors(state: DashboardState, rowIds: ListRowIds): Readonly<Record<ListId, number>> {
  return {
    queues: effectiveCursor(state, 'queues', rowIds.queues),
    pools: effectiveCursor(state, 'pools', rowIds.pools),
    groups: effectiveCursor(state, 'groups', rowIds.groups),
    events: effectiveCursor(state, 'events', rowIds.events),
    jobs: state.cursors.jobs,
  };
}

/** What the keys act on now, derived from the cursors. */
export interface Selection {
  readonly queue: QueueSummary | undefined;
  readonly pool: PoolName;
  /** The selected error group (failed panel focused, groups view). */
  readonly group: FailedGroupView | undefined;
  /** The selected job (failed panel focused, list view; or the job whose detail is open). */
  readonly job: FailedJobSummary | undefined;
  /** The selected event (events panel focused). */
  readonly event: EngineEvent | undefined;
  /** Rows of the list j/k move through now. */
  readonly rowCount: number;
  /** Their ids, when the list's cursor follows its rows. */
  readonly rowIds: readonly string[] | undefined;
  readonly failedTotal: number;
}

export interface SelectionInputs {
  readonly groups: readonly FailedGroupView[];
  readonly events: readonly EngineEvent[];
  /** The loaded page of the list view, if any. */
  readonly page: LoadedPage | undefined;
  /** Lines of the open help or detail view (for scrolling). */
  readonly scrollLines: number;
  readonly rowIds: ListRowIds;
}

export function selectionOf(state: DashboardState, snapshot: EngineSnapshot, inputs: SelectionInputs): Selection {
  const list = activeList(state);
  const cursors = effectiveCursors(state, inputs.rowIds);
  const queues = snapshot.queues;
  const queue = queues[cursors.queues];
  const pool = POOLS[cursors.pools]!;
  const isFailedFocused = state.focus === 'failed' && !state.detail && !state.isHelpOpen;
  const group = isFailedFocused && state.failedView.kind === 'groups' ? inputs.groups[cursors.groups] : undefined;
  let job: FailedJobSummary | undefined;
  if (state.detail?.kind === 'job') job = state.detail.job;
  else if (isFailedFocused && state.failedView.kind !== 'groups' && inputs.page) {
    const {page, offset} = inputs.page;
    const index = Math.min(state.cursors.jobs, page.total - 1) - offset;
    job = index >= 0 ? page.jobs[index] : undefined;
  }
  const event =
    state.focus === 'events' && !state.detail && !state.isHelpOpen
      ? inputs.events[cursors.events]
      : state.detail?.kind === 'event'
        ? state.detail.event
        : undefined;
  const rowCount = (() => {
    switch (list) {
      case 'help':
      case 'detail':
        return inputs.scrollLines;
      case 'queues':
        return queues.length;
      case 'pools':
        return POOLS.length;
      case 'groups':
        return inputs.groups.length;
      case 'jobs':
        return inputs.page?.page.total ?? 0;
      case 'events':
        return inputs.events.length;
    }
  })();
  const rowIds = list === 'help' || list === 'detail' || list === 'jobs' ? undefined : inputs.rowIds[list];
  return {queue, pool, group, job, event, rowCount, rowIds, failedTotal: failedTotalOf(snapshot)};
}
