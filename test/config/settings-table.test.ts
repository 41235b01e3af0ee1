import {describe, expect, test} from 'vitest';

import {SETTING_KEYS} from '../../src/config/parse-value.js';
import {settingsMarkdownTable} from '../../src/config/settings-table.js';
import {SETTING_SPECS} from '../../src/config/settings.js';

describe('settingsMarkdownTable', () => {
  test('has a header and one well-formed row per setting', () => {
    const lines = settingsMarkdownTable().trimEnd().split('\n');
    expect(lines[0]).toBe('| key | env | default | allowed | description |');
    expect(lines[1]).toBe('| --- | --- | --- | --- | --- |');
    expect(lines).toHaveLength(SETTING_KEYS.length + 2);
    for (const line of lines.slice(2)) {
      // Five cells: six unescaped pipes.
      expect(line.replace(/\\\|/g, '').split('|')).toHaveLength(7);
    }
  });

  test('rows name the env variables, default and allowed values', () => {
    const table = settingsMarkdownTable();
    expect(table).toContain(
      '| `scrape.attempts` | `SCRAPER_RETRY_ATTEMPTS`, `CRAWLER_SCRAPE_ATTEMPTS` | `3` | an integer from 1 to 100 |',
    );
    expect(table).toContain('| `redis.url` | `REDIS_URL`, `CRAWLER_REDIS_URL` | unset | redis://');
    // The default comes from the spec (it changes as features land).
    expect(table).toContain(
      `| \`scrape.mode\` | \`CRAWLER_SCRAPE_MODE\` | \`${SETTING_SPECS['scrape.mode'].default}\` | one of browser, http |`,
    );
  });
});

describe('README', () => {
  test('its settings table is the generated one', async () => {
    const {readFileSync} = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const between = readme.split('<!-- settings-table:start -->\n')[1]?.split('<!-- settings-table:end -->')[0];
    expect(between).toBe(settingsMarkdownTable());
  });
});

describe('README key table', () => {
  test('is the one generated from the keymap', async () => {
    const {readFileSync} = await import('node:fs');
    const {renderKeymapMarkdown} = await import('../../src/ui/keymap-table.js');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const between = readme.split('<!-- keymap-table:start -->\n')[1]?.split('<!-- keymap-table:end -->')[0];
    expect(between).toBe(renderKeymapMarkdown().trimEnd() + '\n');
  });
});
