import {spawnSync} from 'node:child_process';
import {accessSync, constants, mkdirSync} from 'node:fs';
import type {ResolvedSettings} from '../../config/resolve.js';
import {openSettingsStore} from '../../config/store.js';
import {openBackend} from '../../engine/backend.js';
import {findChromium} from '../../engine/browser/find-chromium.js';

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Checks what a node needs, printing one line per check; exit 2 when any is not ok. */
export async function runDoctor(resolved: ResolvedSettings, options: {json?: boolean}): Promise<number> {
  const {settings} = resolved;
  const checks: Check[] = [];
  checks.push({name: 'node', ok: Number(process.versions.node.split('.')[0]) >= 20, detail: process.version});
  checks.push({name: 'config', ok: true, detail: `${openSettingsStore().path} (settings valid)`});
  try {
    mkdirSync(settings.dataDir, {recursive: true});
    accessSync(settings.dataDir, constants.W_OK);
    checks.push({name: 'data dir', ok: true, detail: `${settings.dataDir} (writable)`});
  } catch (error) {
    checks.push({name: 'data dir', ok: false, detail: `${settings.dataDir}: ${(error as Error).message}`});
  }
  try {
    const backend = await openBackend(settings, {isFailFast: true});
    const info = String(await backend.client.info('server'));
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    checks.push({name: 'redis', ok: true, detail: `${backend.target.display} (Redis ${version}, ${backend.target.source})`});
    await backend.close();
  } catch (error) {
    checks.push({name: 'redis', ok: false, detail: (error as Error).message});
  }
  const redisServer = spawnSync('redis-server', ['--version'], {encoding: 'utf8'});
  checks.push({
    name: 'redis-server',
    ok: true,
    detail: redisServer.error ? 'not installed (only needed for the embedded Redis)' : redisServer.stdout.trim().split(' ').slice(0, 3).join(' '),
  });
  try {
    const chromium = findChromium(settings.browser.executablePath);
    checks.push({
      name: 'browser',
      ok: true,
      detail: `${chromium.executablePath} (${chromium.version ?? 'version unknown'}; from ${chromium.source === 'setting' ? 'browser.executablePath / PUPPETEER_EXECUTABLE_PATH' : chromium.source === 'puppeteer' ? "Puppeteer's configured or downloaded browser" : 'PATH'})`,
    });
  } catch (error) {
    const hint = (error as {hint?: string}).hint;
    checks.push({name: 'browser', ok: false, detail: `${(error as Error).message}${hint ? ` (${hint})` : ''}`});
  }
  if (options.json) process.stdout.write(`${JSON.stringify(checks)}\n`);
  else for (const check of checks) process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(13)} ${check.detail}\n`);
  return checks.every((check) => check.ok) ? 0 : 2;
}
