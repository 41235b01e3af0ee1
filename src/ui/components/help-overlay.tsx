import {Box, Text} from 'ink';
import {KEYMAP, type Binding} from '../keymap.js';
import {keymapSections} from '../keymap-table.js';
import {fit} from '../format/text.js';
import {theme} from '../theme.js';
import {Panel} from './panel.js';

export type HelpLine = {readonly kind: 'section'; readonly text: string} | {readonly kind: 'binding'; readonly binding: Binding};

/** The help's lines: a heading per section, then one line per binding, from the keymap table. */
export function helpLines(bindings: readonly Binding[] = KEYMAP): HelpLine[] {
  const lines: HelpLine[] = [];
  for (const {section, bindings: inSection} of keymapSections(bindings)) {
    lines.push({kind: 'section', text: section});
    for (const binding of inSection) lines.push({kind: 'binding', binding});
  }
  return lines;
}

const KEY_WIDTH = 11;
/** Two columns (when one does not fit the height) from this width on: two keys and descriptions side by side. */
const TWO_COLUMNS_FROM = 160;

/** One column when it fits the height; else two when the width allows; else one that scrolls. */
function isTwoColumns(width: number, height: number): boolean {
  return helpLines().length > Math.max(1, height - 2) && width >= TWO_COLUMNS_FROM;
}

function HelpColumn({lines, width}: {lines: readonly HelpLine[]; width: number}) {
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((line, index) =>
        line.kind === 'section' ? (
          <Text key={index} bold underline color={theme.accent} wrap="truncate-end">
            {line.text}
          </Text>
        ) : (
          <Text key={index} wrap="truncate-end">
            <Text color={theme.key} bold>
              {fit(line.binding.label, KEY_WIDTH)}
            </Text>
            {line.binding.description}
          </Text>
        ),
      )}
    </Box>
  );
}

export interface HelpOverlayProps {
  readonly width: number;
  readonly height: number;
  readonly scroll: number;
}

/** Lines the help scrolls through at this size (0 in two columns). */
export function helpScrollLines(width: number, height: number): number {
  return isTwoColumns(width, height) ? 0 : helpLines().length;
}

export function HelpOverlay({width, height, scroll}: HelpOverlayProps) {
  const lines = helpLines();
  const visible = Math.max(1, height - 2);
  const inner = width - 4;
  if (isTwoColumns(width, height)) {
    // Split at a section heading near the middle.
    const middle = Math.ceil(lines.length / 2);
    let split = lines.findIndex((line, index) => index >= middle - 2 && line.kind === 'section');
    if (split < 0) split = middle;
    const columnWidth = Math.floor((inner - 2) / 2);
    return (
      <Panel title="Keys" info="? or esc closes · the footer shows what acts now" width={width} height={height} isFocused>
        <Box flexDirection="row">
          <HelpColumn lines={lines.slice(0, split)} width={columnWidth} />
          <Box width={2} />
          <HelpColumn lines={lines.slice(split)} width={columnWidth} />
        </Box>
      </Panel>
    );
  }
  const start = Math.min(scroll, Math.max(0, lines.length - visible));
  const more = lines.length > visible ? `${start + 1}-${Math.min(lines.length, start + visible)} of ${lines.length} · j/k scroll · ` : '';
  return (
    <Panel title="Keys" info={`${more}? or esc closes`} width={width} height={height} isFocused>
      <HelpColumn lines={lines.slice(start, start + visible)} width={inner} />
    </Panel>
  );
}
