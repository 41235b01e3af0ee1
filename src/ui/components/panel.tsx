import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {truncate} from '../format/text.js';
import {theme} from '../theme.js';

export interface PanelProps {
  readonly title: string;
  /** Drawn at the right end of the top border (counts, paging). */
  readonly info?: string;
  readonly width: number;
  readonly height: number;
  /** A heavier border in the focus colour, and a marker before the title. */
  readonly isFocused: boolean;
  readonly children: ReactNode;
}

const ROUND = {topLeft: '╭', topRight: '╮', horizontal: '─'};
const BOLD = {topLeft: '┏', topRight: '┓', horizontal: '━'};

/**
 * A bordered box with its title in the top border. Ink boxes have no border titles, so the top
 * edge is drawn as text and the box below it has no top border.
 */
export function Panel({title, info, width, height, isFocused, children}: PanelProps) {
  const chars = isFocused ? BOLD : ROUND;
  const color = isFocused ? theme.focusBorder : theme.border;
  const inner = Math.max(0, width - 2);
  const shownInfo = info ? ` ${truncate(info, Math.max(0, Math.floor(inner / 2) - 2))} ` : '';
  const marker = isFocused ? '▶ ' : '';
  const shownTitle = ` ${marker}${truncate(title, Math.max(0, inner - shownInfo.length - marker.length - 4))} `;
  const fill = Math.max(0, inner - 1 - [...shownTitle].length - [...shownInfo].length - 1);
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      <Text color={color} wrap="truncate-end">
        {chars.topLeft}
        {chars.horizontal}
        <Text bold={isFocused} color={isFocused ? theme.accent : undefined}>
          {shownTitle}
        </Text>
        {chars.horizontal.repeat(fill)}
        <Text color={theme.muted}>{shownInfo}</Text>
        {chars.horizontal}
        {chars.topRight}
      </Text>
      {/* Keyed by style: Ink 6.8 applies only the changed style props on update, and a lone
          borderStyle change then turns the top border back on (styles.js ignores borderTop). */}
      <Box
        key={isFocused ? 'focused' : 'plain'}
        flexDirection="column"
        borderStyle={isFocused ? 'bold' : 'round'}
        borderTop={false}
        borderColor={color}
        paddingX={1}
        width={width}
        height={Math.max(1, height - 1)}
        overflowY="hidden"
      >
        {children}
      </Box>
    </Box>
  );
}

/** One line of a panel: never wraps, so a long cell cannot push the layout. */
export function Line({children, color, dimColor, bold, inverse}: {children: ReactNode; color?: string; dimColor?: boolean; bold?: boolean; inverse?: boolean}) {
  return (
    <Text wrap="truncate-end" color={color} dimColor={dimColor} bold={bold} inverse={inverse}>
      {children}
    </Text>
  );
}

/** Rows `start..start+count` that keep `cursor` in view (centred where possible). */
export function visibleWindow(rowCount: number, cursor: number, count: number): {start: number; end: number} {
  if (count <= 0) return {start: 0, end: 0};
  const start = Math.max(0, Math.min(cursor - Math.floor(count / 2), rowCount - count));
  return {start, end: Math.min(rowCount, start + count)};
}
