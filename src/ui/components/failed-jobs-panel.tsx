import {Text} from 'ink';
import type {FailedJobSummary} from '../../engine/contract.js';
import {formatAge} from '../format/duration.js';
import {formatCount} from '../format/numbers.js';
import {sanitize} from '../format/sanitize.js';
import {fit} from '../format/text.js';
import {glyphs, theme} from '../theme.js';
import type {FailedGroupView, FailedView} from '../state/dashboard-state.js';
import type {LoadedPage} from '../state/selectors.js';
import {Line, Panel, visibleWindow} from './panel.js';

export interface FailedJobsPanelProps {
  readonly view: FailedView;
  readonly groups: readonly FailedGroupView[];
  readonly isPartial: boolean;
  readonly failedTotal: number;
  readonly page: LoadedPage | undefined;
  readonly pageError: string | undefined;
  readonly canPage: boolean;
  readonly groupsCursor: number;
  readonly jobsCursor: number;
  readonly nowMs: number;
  readonly width: number;
  readonly height: number;
  readonly isFocused: boolean;
}

/** `attempts made / allowed`, or just the attempts made. */
export function attemptsLabel(job: FailedJobSummary): string {
  return job.attemptsMax !== undefined ? `${job.attemptsMade}/${job.attemptsMax}` : `${job.attemptsMade}`;
}

function Marker({isSelected, isFocused}: {isSelected: boolean; isFocused: boolean}) {
  return <Text color={isFocused ? theme.selection : theme.muted}>{isSelected ? `${glyphs.selected} ` : '  '}</Text>;
}

function GroupsList({groups, cursor, nowMs, inner, rows, isFocused}: {groups: readonly FailedGroupView[]; cursor: number; nowMs: number; inner: number; rows: number; isFocused: boolean}) {
  if (groups.length === 0) return <Line color={theme.ok}>No failed jobs.</Line>;
  const selected = Math.min(cursor, groups.length - 1);
  const {start, end} = visibleWindow(groups.length, selected, rows - 1);
  const errorWidth = Math.max(10, inner - 2 - 8 - 12 - 7);
  return (
    <>
      <Line color={theme.muted}>{'  ' + fit('count', 7, 'right') + ' ' + fit('queue', 12) + fit('newest', 7) + 'error (variable parts as <url>, <n>, <id>)'}</Line>
      {groups.slice(start, end).map((group, offset) => {
        const isSelected = start + offset === selected;
        return (
          <Text key={group.signature} wrap="truncate-end">
            <Marker isSelected={isSelected} isFocused={isFocused} />
            <Text inverse={isSelected && isFocused}>
              <Text bold color={theme.error}>
                {fit(formatCount(group.count), 7, 'right')}
              </Text>{' '}
              {fit(group.queues.join(','), 12)}
              <Text color={theme.muted}>{fit(formatAge(group.newestFailedAtMs, nowMs), 7)}</Text>
              {fit(sanitize(group.signature), errorWidth)}
            </Text>
          </Text>
        );
      })}
    </>
  );
}

function JobsList({page, cursor, nowMs, inner, rows, isFocused, showsError}: {page: LoadedPage; cursor: number; nowMs: number; inner: number; rows: number; isFocused: boolean; showsError: boolean}) {
  const {jobs, total} = page.page;
  if (total === 0) return <Line color={theme.muted}>No failed jobs match.</Line>;
  const index = Math.min(cursor, total - 1) - page.offset;
  if (index < 0 || index >= jobs.length) return <Line color={theme.muted}>reading the page…</Line>;
  const {start, end} = visibleWindow(jobs.length, index, rows - 1);
  const idWidth = Math.min(24, Math.max(4, ...jobs.slice(start, end).map((job) => [...sanitize(job.id)].length))) + 1;
  const rest = Math.max(20, inner - 2 - idWidth - 7 - 6 - 6);
  // In a group every job has the same error (up to its variable parts): the URL gets the room.
  const urlWidth = showsError ? Math.floor(rest * 0.5) : rest;
  const errorWidth = rest - urlWidth;
  return (
    <>
      <Line color={theme.muted}>{'  ' + fit('id', idWidth) + fit('queue', 7) + fit('age', 6) + fit('tries', 6) + fit('url', urlWidth) + (showsError ? 'error' : '')}</Line>
      {jobs.slice(start, end).map((job, offset) => {
        const isSelected = start + offset === index;
        return (
          <Text key={`${job.queue}:${job.id}`} wrap="truncate-end">
            <Marker isSelected={isSelected} isFocused={isFocused} />
            <Text inverse={isSelected && isFocused}>
              {fit(sanitize(job.id), idWidth - 1) + ' '}
              {fit(job.queue, 7)}
              <Text color={theme.muted}>{fit(formatAge(job.failedAtMs, nowMs), 6)}</Text>
              {fit(attemptsLabel(job), 6)}
              {fit(sanitize(job.url ?? '–'), urlWidth - 1) + ' '}
              {showsError ? <Text color={theme.error}>{fit(sanitize(job.error), errorWidth)}</Text> : null}
            </Text>
          </Text>
        );
      })}
    </>
  );
}

export function FailedJobsPanel(props: FailedJobsPanelProps) {
  const {view, groups, isPartial, failedTotal, page, pageError, canPage, nowMs, width, height, isFocused} = props;
  const inner = width - 4;
  const rows = Math.max(1, height - 2);
  let title: string;
  let info: string;
  if (view.kind === 'groups') {
    title = 'Failed jobs';
    info = `${formatCount(failedTotal)} in ${groups.length} group${groups.length === 1 ? '' : 's'}${isPartial ? ` (grouped from the newest)` : ''} · newest first`;
  } else {
    const what = view.kind === 'group' ? `group "${sanitize(view.label)}"` : `matching "${sanitize(view.text)}"`;
    title = `Failed jobs › ${what}`;
    const total = page?.page.total;
    const from = page ? page.offset + 1 : 0;
    const to = page ? page.offset + page.page.jobs.length : 0;
    info = total === undefined ? 'reading…' : total === 0 ? '0 jobs' : `${from}-${to} of ${formatCount(total)}${canPage ? '' : ' (newest only)'} · esc back`;
  }
  return (
    <Panel title={title} info={info} width={width} height={height} isFocused={isFocused}>
      {pageError && view.kind !== 'groups' ? <Line color={theme.error}>cannot read failed jobs: {sanitize(pageError)}</Line> : null}
      {view.kind === 'groups' ? (
        <GroupsList groups={groups} cursor={props.groupsCursor} nowMs={nowMs} inner={inner} rows={rows} isFocused={isFocused} />
      ) : page ? (
        <JobsList page={page} cursor={props.jobsCursor} nowMs={nowMs} inner={inner} rows={rows} isFocused={isFocused} showsError={view.kind === 'search'} />
      ) : (
        <Line color={theme.muted}>reading failed jobs…</Line>
      )}
    </Panel>
  );
}
