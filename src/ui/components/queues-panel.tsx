import {Text} from 'ink';
import type {EngineSnapshot, QueueSummary, SeriesPoint} from '../../engine/contract.js';
import {formatCount} from '../format/numbers.js';
import {sanitize} from '../format/sanitize.js';
import {bucketSums, lastValues, sparkline, sumSince} from '../format/sparkline.js';
import {fit} from '../format/text.js';
import {glyphs, theme} from '../theme.js';
import {Line, Panel} from './panel.js';

const COLUMNS = [
  ['waiting', 'wait', 8],
  ['prioritized', 'prio', 7],
  ['active', 'active', 7],
  ['delayed', 'delay', 7],
  ['completed', 'done', 8],
  ['failed', 'failed', 7],
] as const;
const NAME_WIDTH = 10;
const RATE_WIDTH = 7;
/** Seconds per sparkline bar: one bar is ten one-second points. */
const BAR_POINTS = 10;

/** The completions series of a queue (`throughput` stands in for scrape when the engine sends none). */
export function completedSeriesOf(queue: QueueSummary, snapshot: EngineSnapshot): readonly SeriesPoint[] | undefined {
  return queue.completedSeries ?? (queue.name === 'scrape' ? snapshot.throughput : undefined);
}

/** One queue as a line of fixed-width cells, then the trend (pure, for tests). */
export function queueCells(queue: QueueSummary, snapshot: EngineSnapshot, trendWidth: number): {cells: string; rate: string; trend: string} {
  const name = `${sanitize(queue.name)}${queue.isPaused ? ` ${glyphs.paused}` : ''}`;
  let cells = fit(name, NAME_WIDTH);
  for (const [field, , width] of COLUMNS) cells += fit(formatCount(queue.counts[field]), width, 'right');
  const series = completedSeriesOf(queue, snapshot);
  const rate = series ? formatCount(sumSince(series, snapshot.takenAtMs, 60_000)) : '–';
  const trend = series && trendWidth > 0 ? sparkline(bucketSums(lastValues(series, trendWidth * BAR_POINTS), BAR_POINTS), trendWidth) : '';
  return {cells, rate: fit(rate, RATE_WIDTH, 'right'), trend};
}

export interface QueuesPanelProps {
  readonly snapshot: EngineSnapshot;
  readonly width: number;
  readonly height: number;
  readonly isFocused: boolean;
  readonly cursor: number;
}

export function QueuesPanel({snapshot, width, height, isFocused, cursor}: QueuesPanelProps) {
  const inner = width - 4;
  const fixed = 2 + NAME_WIDTH + COLUMNS.reduce((sum, [, , w]) => sum + w, 0) + RATE_WIDTH + 2;
  const trendWidth = Math.max(0, inner - fixed);
  const paused = snapshot.queues.filter((queue) => queue.isPaused).length;
  const info = paused > 0 ? `${paused} paused` : 'counts · /min · trend';
  let head = '  ' + fit('queue', NAME_WIDTH);
  for (const [, label, w] of COLUMNS) head += fit(label, w, 'right');
  head += fit('/min', RATE_WIDTH, 'right');
  if (trendWidth > 0) head += '  ' + fit(`trend (${BAR_POINTS}s a bar)`, trendWidth);
  return (
    <Panel title="Queues" info={info} width={width} height={height} isFocused={isFocused}>
      <Line color={theme.muted}>{head}</Line>
      {snapshot.queues.length === 0 ? <Line color={theme.muted}>  waiting for the first queue counts…</Line> : null}
      {snapshot.queues.map((queue, index) => {
        const isSelected = index === Math.min(cursor, snapshot.queues.length - 1);
        const {cells, rate, trend} = queueCells(queue, snapshot, trendWidth);
        return (
          <Text key={queue.name} wrap="truncate-end">
            <Text color={isSelected && isFocused ? theme.selection : theme.muted}>{isSelected ? `${glyphs.selected} ` : '  '}</Text>
            <Text inverse={isSelected && isFocused} color={queue.isPaused ? theme.paused : undefined}>
              {cells}
            </Text>
            <Text bold>{rate}</Text>
            {trend ? <Text color={theme.trend}>{'  ' + trend}</Text> : null}
          </Text>
        );
      })}
    </Panel>
  );
}
