import {Text} from 'ink';
import type {EngineEvent} from '../../engine/contract.js';
import {formatAge} from '../format/duration.js';
import {sanitize} from '../format/sanitize.js';
import {fit} from '../format/text.js';
import {glyphs, levelColor, theme} from '../theme.js';
import {Line, Panel, visibleWindow} from './panel.js';

const LEVEL_ICON: Record<EngineEvent['level'], string> = {info: '·', warn: '▲', error: '✖'};

export interface EventsPanelProps {
  /** Newest first. */
  readonly events: readonly EngineEvent[];
  readonly nowMs: number;
  readonly width: number;
  readonly height: number;
  readonly isFocused: boolean;
  readonly cursor: number;
}

export function EventsPanel({events, nowMs, width, height, isFocused, cursor}: EventsPanelProps) {
  const visible = Math.max(0, height - 2);
  const selected = Math.min(cursor, events.length - 1);
  const {start, end} = visibleWindow(events.length, isFocused ? selected : 0, visible);
  const warnings = events.filter((event) => event.level !== 'info').length;
  // Messages say what happened; the kind column is worth its room only on a wide panel.
  const kindWidth = width - 4 >= 90 ? 18 : 0;
  return (
    <Panel title="Events" info={`${events.length}${warnings > 0 ? ` · ${warnings} warn/error` : ''}`} width={width} height={height} isFocused={isFocused}>
      {events.length === 0 ? <Line color={theme.muted}>no events yet</Line> : null}
      {events.slice(start, end).map((event, offset) => {
        const index = start + offset;
        const isSelected = isFocused && index === selected;
        return (
          <Text key={`${event.atMs}-${index}`} wrap="truncate-end">
            <Text color={theme.selection}>{isSelected ? `${glyphs.selected} ` : '  '}</Text>
            <Text color={theme.muted}>{fit(formatAge(event.atMs, nowMs), 4, 'right')} </Text>
            <Text color={levelColor(event.level)}>{LEVEL_ICON[event.level]} </Text>
            <Text inverse={isSelected}>
              {kindWidth > 0 ? <Text color={event.level === 'info' ? theme.muted : levelColor(event.level)}>{fit(sanitize(event.kind), kindWidth)}</Text> : null}
              <Text color={event.level === 'info' ? undefined : levelColor(event.level)}>{sanitize(event.message)}</Text>
            </Text>
          </Text>
        );
      })}
    </Panel>
  );
}
