import {Box, Text} from 'ink';
import type {EngineSnapshot, SeriesPoint} from '../../engine/contract.js';
import {formatBytes, formatLatencyMs, formatPercent} from '../format/numbers.js';
import {lastValues, sparklineSegments} from '../format/sparkline.js';
import {fit} from '../format/text.js';
import {glyphs, theme} from '../theme.js';
import {Line, Panel} from './panel.js';

/** One resource trend: its newest value, the series, and the mark it is drawn against. */
export interface ResourceRow {
  readonly label: string;
  readonly points: readonly SeriesPoint[];
  readonly format: (value: number) => string;
  readonly threshold: number | undefined;
  /** The value of a full bar: 1 for ratios, else the larger of the threshold and the peak. */
  readonly max: number | undefined;
}

export function resourceRows(snapshot: EngineSnapshot): ResourceRow[] | undefined {
  const resources = snapshot.resources;
  if (!resources) return undefined;
  const {series, thresholds} = resources;
  return [
    {label: 'CPU', points: series.cpuRatio, format: formatPercent, threshold: thresholds.cpuHighRatio, max: 1},
    {label: 'memory', points: series.memoryUsedRatio, format: formatPercent, threshold: thresholds.memoryHighRatio, max: 1},
    {label: 'node RSS', points: series.nodeRssBytes, format: formatBytes, threshold: thresholds.nodeRssBytes, max: undefined},
    {label: 'loop p99', points: series.loopDelayP99Ms, format: formatLatencyMs, threshold: thresholds.loopDelayHighMs, max: undefined},
  ];
}

const LABEL_WIDTH = 9;
const VALUE_WIDTH = 8;
const MARK_WIDTH = 9;

function valueColor(value: number | undefined, threshold: number | undefined): string | undefined {
  if (value === undefined || threshold === undefined) return undefined;
  if (value >= threshold) return theme.error;
  if (value >= threshold * 0.85) return theme.warn;
  return theme.ok;
}

export function ResourceLine({row, width}: {row: ResourceRow; width: number}) {
  const latest = row.points[row.points.length - 1]?.value;
  const barsWidth = Math.max(0, width - LABEL_WIDTH - VALUE_WIDTH - MARK_WIDTH - 2);
  const segments = sparklineSegments(lastValues(row.points, barsWidth), barsWidth, {
    ...(row.max !== undefined ? {max: row.max} : {}),
    ...(row.threshold !== undefined ? {threshold: row.threshold} : {}),
  });
  const mark = row.threshold !== undefined ? `${glyphs.threshold} ${row.format(row.threshold)}` : '';
  return (
    <Text wrap="truncate-end">
      <Text color={theme.muted}>{fit(row.label, LABEL_WIDTH)}</Text>
      <Text bold color={valueColor(latest, row.threshold)}>
        {fit(latest === undefined ? '–' : row.format(latest), VALUE_WIDTH - 1, 'right')}
      </Text>{' '}
      {segments.map((segment, index) => (
        <Text key={index} color={segment.kind === 'over' ? theme.trendOver : theme.trend}>
          {segment.text}
        </Text>
      ))}
      {'  '}
      <Text color={theme.muted}>{fit(mark, MARK_WIDTH)}</Text>
    </Text>
  );
}

export interface ResourcesPanelProps {
  readonly snapshot: EngineSnapshot;
  readonly width: number;
  readonly height: number;
  readonly isCompact: boolean;
}

export function ResourcesPanel({snapshot, width, height, isCompact}: ResourcesPanelProps) {
  const rows = resourceRows(snapshot);
  const inner = width - 4;
  const total = snapshot.resources?.memoryTotalBytes;
  const info = inner >= 70 && total ? `${formatBytes(total)} RAM · ${glyphs.threshold} autoscaler limits` : `${glyphs.threshold} autoscaler limits`;
  return (
    <Panel title="Resources" info={info} width={width} height={height} isFocused={false}>
      {!rows ? (
        <Line color={theme.muted}>no samples yet (the resource monitor reports once a second)</Line>
      ) : isCompact ? (
        [0, 2].map((start) => (
          <Box key={start} flexDirection="row">
            <ResourceLine row={rows[start]!} width={Math.floor((inner - 2) / 2)} />
            <Text>{'  '}</Text>
            <ResourceLine row={rows[start + 1]!} width={Math.floor((inner - 2) / 2)} />
          </Box>
        ))
      ) : (
        rows.map((row) => <ResourceLine key={row.label} row={row} width={inner} />)
      )}
    </Panel>
  );
}
