// Colours and glyphs in one place. Colours are Ink colour names (chalk), so a terminal without
// colour still gets a readable dashboard: focus is also shown by a heavier border and a marker.

export const theme = {
  /** The app name, titles of focused panels. */
  accent: 'cyan',
  /** Border of the focused panel. */
  focusBorder: 'cyan',
  /** Border of the other panels. */
  border: 'gray',
  /** Labels, column heads, secondary text. */
  muted: 'gray',
  ok: 'green',
  warn: 'yellow',
  error: 'red',
  /** A paused queue, a pinned pool. */
  paused: 'yellow',
  /** Sparkline bars under their threshold. */
  trend: 'cyan',
  /** Sparkline bars at or above their threshold. */
  trendOver: 'red',
  /** Keys in the footer and the help. */
  key: 'cyan',
  /** Text of the selected row in the focused panel (drawn inverse). */
  selection: 'cyan',
} as const;

export const glyphs = {
  selected: '▸',
  separator: '│',
  threshold: '▲',
  paused: '⏸',
  running: '●',
  auto: 'auto',
  pinned: 'pinned',
  arrow: '→',
} as const;

/** Ink colour of an event or status-line level. */
export function levelColor(level: 'info' | 'warn' | 'error'): string {
  return level === 'error' ? theme.error : level === 'warn' ? theme.warn : theme.muted;
}
