/**
 * The README's table of settings, generated from `SETTING_SPECS` so the documentation cannot
 * drift from what the code accepts.
 */
import {envNamesFor} from './env.js';
import {describeAllowed, SETTING_KEYS} from './parse-value.js';
import {SETTING_SPECS, type SettingKey, type SettingSpec} from './settings.js';

/**
 * A Markdown table with one row per setting: key | env | default | allowed | description.
 * Ends with a newline.
 */
export function settingsMarkdownTable(): string {
  const lines = ['| key | env | default | allowed | description |', '| --- | --- | --- | --- | --- |'];
  for (const key of SETTING_KEYS) {
    const spec: SettingSpec = SETTING_SPECS[key];
    const cells = [
      code(key),
      envNamesFor(key).map(code).join(', '),
      describeDefault(key, spec),
      escapeCell(describeAllowed(key)),
      escapeCell(spec.description),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function describeDefault(key: SettingKey, spec: SettingSpec): string {
  if (key === 'dataDir') return "the user's data directory (`crawler-tui config path`)";
  if (spec.default === undefined) return 'unset';
  return code(String(spec.default));
}

/** A code span; a backtick inside (none today) would end it early, so it gets a longer fence. */
function code(text: string): string {
  const fence = text.includes('`') ? '`` ' : '`';
  const close = text.includes('`') ? ' ``' : '`';
  return `${fence}${escapePipes(text)}${close}`;
}

/** In a GFM table a pipe ends the cell even inside a code span, so it is always escaped. */
function escapePipes(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function escapeCell(text: string): string {
  return escapePipes(text).replace(/\n/g, ' ');
}
