import {describeSettings, type ResolvedSettings} from '../../config/resolve.js';
import {assertSettingKey} from '../../config/parse-value.js';
import {openSettingsStore} from '../../config/store.js';

export function runConfigGet(key: string | undefined, resolved: ResolvedSettings, options: {json?: boolean}): number {
  const rows = describeSettings(resolved);
  if (key !== undefined) {
    assertSettingKey(key);
    const row = rows.find((candidate) => candidate.key === key)!;
    process.stdout.write(options.json ? `${JSON.stringify(row)}\n` : `${row.value === undefined ? '' : String(row.value)}\n`);
    return 0;
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  const width = Math.max(...rows.map((row) => row.key.length));
  for (const row of rows) {
    const value = row.value === undefined ? '(unset)' : String(row.value);
    process.stdout.write(`${row.key.padEnd(width)}  ${value}${row.source === 'default' ? '' : `   [${row.source}]`}\n`);
  }
  return 0;
}

export function runConfigSet(key: string, value: string): number {
  const store = openSettingsStore();
  store.set(key, value);
  process.stdout.write(`${key} saved in ${store.path}\n`);
  return 0;
}

export function runConfigUnset(key: string): number {
  const store = openSettingsStore();
  store.delete(key);
  process.stdout.write(`${key} removed from ${store.path}\n`);
  return 0;
}

export function runConfigPath(resolved: ResolvedSettings): number {
  process.stdout.write(`config file  ${openSettingsStore().path}\ndata dir     ${resolved.settings.dataDir}\n`);
  return 0;
}
