import {Box, Text} from 'ink';
import type {EngineEvent, FailedJobSummary} from '../../engine/contract.js';
import {formatTimestamp} from '../format/duration.js';
import {sanitize, sanitizeMultiline} from '../format/sanitize.js';
import {fit, wrapLines} from '../format/text.js';
import {theme} from '../theme.js';
import type {Detail} from '../state/dashboard-state.js';
import {attemptsLabel} from './failed-jobs-panel.js';
import {Panel} from './panel.js';

export interface DetailLine {
  /** Set on the first line of a field. */
  readonly label: string;
  readonly text: string;
  readonly color?: string;
}

const LABEL_WIDTH = 11;

function field(label: string, text: string, width: number, color?: string): DetailLine[] {
  return wrapLines(text, width).map((line, index) => ({label: index === 0 ? label : '', text: line, ...(color ? {color} : {})}));
}

function jsonOf(data: unknown): string {
  try {
    return JSON.stringify(data, null, 2) ?? '–';
  } catch {
    return String(data);
  }
}

/** Every field of a failed job, wrapped to `width`, every web string sanitized (pure, for tests). */
export function jobDetailLines(job: FailedJobSummary, nowMs: number, width: number): DetailLine[] {
  return [
    ...field('URL', sanitize(job.url ?? '–'), width, theme.accent),
    ...(job.title !== undefined ? field('title', sanitize(job.title), width) : []),
    ...field('job', `${sanitize(job.id)} on queue ${job.queue}`, width),
    ...field('attempts', attemptsLabel(job), width),
    ...field('failed', formatTimestamp(job.failedAtMs, nowMs), width),
    ...(job.processedAtMs !== undefined ? field('started', formatTimestamp(job.processedAtMs, nowMs), width) : []),
    ...(job.createdAtMs !== undefined ? field('created', formatTimestamp(job.createdAtMs, nowMs), width) : []),
    ...field('error', sanitizeMultiline(job.error), width, theme.error),
    ...field('stack', job.stack !== undefined ? sanitizeMultiline(job.stack) : '(none recorded)', width, theme.muted),
    ...field('data', job.data !== undefined ? sanitizeMultiline(jsonOf(job.data)) : '(none recorded)', width),
  ];
}

export function eventDetailLines(event: EngineEvent, nowMs: number, width: number): DetailLine[] {
  return [
    ...field('when', formatTimestamp(event.atMs, nowMs), width),
    ...field('level', event.level, width),
    ...field('kind', sanitize(event.kind), width),
    ...field('message', sanitizeMultiline(event.message), width, event.level === 'info' ? undefined : event.level === 'warn' ? theme.warn : theme.error),
  ];
}

export function detailLines(detail: Detail, nowMs: number, width: number): DetailLine[] {
  return detail.kind === 'job' ? jobDetailLines(detail.job, nowMs, width) : eventDetailLines(detail.event, nowMs, width);
}

/** The text width detail lines are wrapped to inside a body of `width` columns. */
export function detailTextWidth(width: number): number {
  return Math.max(10, width - 4 - LABEL_WIDTH);
}

export interface DetailViewProps {
  readonly detail: Detail;
  readonly lines: readonly DetailLine[];
  readonly scroll: number;
  readonly width: number;
  readonly height: number;
}

export function DetailView({detail, lines, scroll, width, height}: DetailViewProps) {
  const visible = Math.max(1, height - 2);
  const start = Math.min(scroll, Math.max(0, lines.length - visible));
  const title = detail.kind === 'job' ? `Failed job ${sanitize(detail.job.id)}` : `Event ${sanitize(detail.event.kind)}`;
  const more = lines.length > visible ? `lines ${start + 1}-${Math.min(lines.length, start + visible)} of ${lines.length} · j/k scroll · ` : '';
  const actions = detail.kind === 'job' ? 'r retry · x remove · ' : '';
  return (
    <Panel title={title} info={`${more}${actions}esc back`} width={width} height={height} isFocused>
      <Box flexDirection="column">
        {lines.slice(start, start + visible).map((line, index) => (
          <Text key={start + index} wrap="truncate-end">
            <Text color={theme.muted}>{fit(line.label, LABEL_WIDTH)}</Text>
            <Text color={line.color}>{line.text}</Text>
          </Text>
        ))}
      </Box>
    </Panel>
  );
}
