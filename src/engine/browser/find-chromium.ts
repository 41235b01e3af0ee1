/**
 * Finds the Chromium/Chrome executable the browser pool launches, in this order:
 * 1. the `browser.executablePath` setting (which also reads PUPPETEER_EXECUTABLE_PATH),
 * 2. the browser Puppeteer is set up with: the one its postinstall downloaded, or the system
 *    browser our `.puppeteerrc.cjs` points it at when the download was skipped,
 * 3. `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable` on PATH.
 */
import {execFileSync} from 'node:child_process';
import {accessSync, constants, statSync} from 'node:fs';
import path from 'node:path';
import {executablePath as puppeteerExecutablePath} from 'puppeteer';
import {UserError} from '../../errors.js';

/** The browser {@link findChromium} settled on. */
export interface ChromiumInfo {
  /** Absolute (or as configured) path of the executable. */
  executablePath: string;
  /** Where it came from: the setting/env var, Puppeteer's own configuration or download, or PATH. */
  source: 'setting' | 'puppeteer' | 'path';
  /** First line of `<executable> --version` up to the version number, e.g. `Chromium 156.0.8078.79`; `undefined` when that failed. */
  version: string | undefined;
}

const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

const NOT_FOUND_HINT =
  'install one (Debian/Ubuntu: apt-get install chromium) or set PUPPETEER_EXECUTABLE_PATH / browser.executablePath; --mode http needs no browser';

/** `--version` spawns the browser, so each path is asked once per process. */
const versionCache = new Map<string, string | undefined>();

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The version string of a browser executable, cached per path; `undefined` when it cannot be run.
 * Only stdout is read: Debian's /usr/bin/chromium is a shell wrapper that may print a harmless
 * shell warning on stderr.
 */
export function chromiumVersion(executablePath: string): string | undefined {
  if (versionCache.has(executablePath)) return versionCache.get(executablePath);
  let version: string | undefined;
  try {
    const output = execFileSync(executablePath, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
    const firstLine = output.split('\n').find((line) => line.trim() !== '')?.trim();
    // "Chromium 156.0.8078.79 built on Debian GNU/Linux 12 (bookworm)" → "Chromium 156.0.8078.79"
    version = firstLine === undefined ? undefined : (/^.*?\d+(?:\.\d+)+/.exec(firstLine)?.[0] ?? firstLine);
  } catch {
    version = undefined;
  }
  versionCache.set(executablePath, version);
  return version;
}

function fromPuppeteer(): string | undefined {
  try {
    const candidate = puppeteerExecutablePath();
    return candidate !== '' && isExecutableFile(candidate) ? candidate : undefined;
  } catch {
    // Puppeteer throws when its configuration is unusable; that only means "not from Puppeteer".
    return undefined;
  }
}

function fromPath(): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const name of PATH_NAMES) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Resolves the browser to launch and asks it for its version.
 *
 * @param configuredPath The `browser.executablePath` setting. When it is unset, the
 * PUPPETEER_EXECUTABLE_PATH environment variable counts as the setting.
 * @throws {UserError} when the configured path is not an executable file (naming the setting), or
 * when no browser is found at all (naming what to install).
 */
export function findChromium(configuredPath?: string): ChromiumInfo {
  const fromEnv = process.env['PUPPETEER_EXECUTABLE_PATH'];
  const setting = configuredPath ?? (fromEnv === '' ? undefined : fromEnv);
  if (setting !== undefined) {
    const name = configuredPath !== undefined ? 'browser.executablePath (or PUPPETEER_EXECUTABLE_PATH)' : 'PUPPETEER_EXECUTABLE_PATH';
    if (!isExecutableFile(setting)) {
      throw new UserError(
        `${name} is set to "${setting}", which is not an executable file`,
        `fix or unset ${name} (unset, Puppeteer's browser or chromium/google-chrome on PATH is used)`,
      );
    }
    return {executablePath: setting, source: 'setting', version: chromiumVersion(setting)};
  }
  const puppeteerPath = fromPuppeteer();
  if (puppeteerPath !== undefined) {
    return {executablePath: puppeteerPath, source: 'puppeteer', version: chromiumVersion(puppeteerPath)};
  }
  const onPath = fromPath();
  if (onPath !== undefined) return {executablePath: onPath, source: 'path', version: chromiumVersion(onPath)};
  throw new UserError('no Chromium or Chrome found', NOT_FOUND_HINT);
}
