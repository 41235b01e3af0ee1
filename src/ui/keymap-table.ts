import {KEYMAP, type Binding, type KeymapSection} from './keymap.js';

/** Key names as a person reads them: `ctrl+c` -> `Ctrl+C`, `escape` -> `Esc`. */
export function displayKey(key: string): string {
  const names: Record<string, string> = {
    escape: 'Esc',
    enter: 'Enter',
    tab: 'Tab',
    'shift+tab': 'Shift+Tab',
    up: '↑',
    down: '↓',
    pageup: 'PgUp',
    pagedown: 'PgDn',
    backspace: 'Backspace',
  };
  if (names[key]) return names[key];
  if (key.startsWith('ctrl+')) return `Ctrl+${key.slice(5).toUpperCase()}`;
  return key;
}

/** Bindings grouped by section, in table order. */
export function keymapSections(bindings: readonly Binding[] = KEYMAP): Array<{section: KeymapSection; bindings: Binding[]}> {
  const sections: Array<{section: KeymapSection; bindings: Binding[]}> = [];
  for (const binding of bindings) {
    const last = sections.find((entry) => entry.section === binding.section);
    if (last) last.bindings.push(binding);
    else sections.push({section: binding.section, bindings: [binding]});
  }
  return sections;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * The dashboard's keys as a Markdown table for the README, generated from the same table that
 * drives the dashboard, so the two cannot drift.
 */
export function renderKeymapMarkdown(bindings: readonly Binding[] = KEYMAP): string {
  const lines = ['| Key | Action | Where |', '| --- | --- | --- |'];
  for (const {section, bindings: inSection} of keymapSections(bindings)) {
    for (const binding of inSection) {
      const keys = binding.keys.map((key) => `\`${escapeCell(displayKey(key))}\``).join(' ');
      lines.push(`| ${keys} | ${escapeCell(binding.description)} | ${section} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
