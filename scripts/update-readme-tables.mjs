// Regenerates the README's generated tables (settings, keys) from the code: `npm run build` first.
import {readFileSync, writeFileSync} from 'node:fs';
import {settingsMarkdownTable} from '../dist/src/config/settings-table.js';
import {renderKeymapMarkdown} from '../dist/src/ui/keymap-table.js';

const path = new URL('../README.md', import.meta.url);
let readme = readFileSync(path, 'utf8');
const replace = (name, body) => {
  const pattern = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
  readme = readme.replace(pattern, `$1${body}$2`);
};
replace('settings-table', settingsMarkdownTable());
replace('keymap-table', renderKeymapMarkdown().trimEnd() + '\n');
writeFileSync(path, readme);
