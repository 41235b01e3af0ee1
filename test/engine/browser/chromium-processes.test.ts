import {mkdirSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import puppeteer, {type Browser} from 'puppeteer';
import {describe, expect, onTestFinished, test} from 'vitest';
import {
  findProcessesByProfileDir,
  findProcessesByProfileRoot,
  processTreeRssBytes,
  readProcessTree,
  reapOrphanedBrowsers,
  treeMemoryBytes,
} from '../../../src/engine/browser/chromium-processes.js';
import {findChromium} from '../../../src/engine/browser/find-chromium.js';
import {CHROMIUM_ARGS} from '../../../src/engine/browser/browser-pool.js';

const ARGS = [...CHROMIUM_ARGS];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, {recursive: true, force: true}));
  return dir;
}

/** A Chromium started directly, the way a crashed run would have left one behind. */
async function launchLoose(userDataDir: string): Promise<Browser> {
  const browser = await puppeteer.launch({
    executablePath: findChromium().executablePath,
    userDataDir,
    pipe: true,
    args: ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onTestFinished(async () => {
    if (browser.connected) await browser.close();
  });
  return browser;
}

describe('process tree readers', () => {
  test('the RSS of our own tree is at least our own RSS', () => {
    const rss = processTreeRssBytes(process.pid);
    expect(rss).toBeGreaterThanOrEqual(process.memoryUsage().rss * 0.5);
    expect(readProcessTree(process.pid)[0]).toMatchObject({pid: process.pid, ppid: process.ppid});
  });

  test('a process that does not exist has an empty tree', () => {
    expect(processTreeRssBytes(2 ** 22 + 1)).toBe(0);
    expect(readProcessTree(2 ** 22 + 1)).toEqual([]);
  });

  test('a browser tree includes its helpers, all found by profile directory', async () => {
    const root = tempDir('procs-root-');
    const dir = join(root, 'one');
    const browser = await launchLoose(dir);
    const pid = browser.process()!.pid!;
    const tree = readProcessTree(pid);
    expect(tree.length).toBeGreaterThan(2); // main + zygotes + utilities + renderer
    const rss = processTreeRssBytes(pid);
    // (a live browser: the two readings differ by a few pages)
    expect(Math.abs(rss - treeMemoryBytes(tree))).toBeLessThan(0.1 * rss);
    expect(rss).toBeGreaterThan(treeMemoryBytes([tree[0]!]));
    // The shared binary is counted once, so the figure stays well below the plain VmRSS sum.
    expect(rss).toBeLessThan(tree.reduce((sum, info) => sum + info.rssBytes, 0));
    const byDir = findProcessesByProfileDir(dir);
    expect(byDir).toContain(pid);
    expect(findProcessesByProfileRoot(root).sort()).toEqual(byDir.sort());
    // The root itself is not a profile: only directories inside it match the root search.
    expect(findProcessesByProfileRoot(dir)).toEqual([]);
  });
});

describe('reapOrphanedBrowsers', () => {
  test('kills a Chromium left with a profile under the root, removes its profile, and spares others', async () => {
    const root = tempDir('reap-root-');
    const elsewhere = tempDir('reap-elsewhere-');
    mkdirSync(join(root, 'stale-empty-profile'));
    const orphan = await launchLoose(join(root, '4242-1-deadbeef'));
    const bystander = await launchLoose(join(elsewhere, 'profile'));
    const orphanPid = orphan.process()!.pid!;
    const disconnected = new Promise<void>((resolve) => orphan.once('disconnected', () => resolve()));

    const result = await reapOrphanedBrowsers(root);

    expect(result.killed).toBeGreaterThanOrEqual(3);
    expect(result.removedDirs).toBe(2);
    await disconnected;
    expect(findProcessesByProfileRoot(root)).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
    expect(readProcessTree(orphanPid)).toEqual([]);
    // The browser with a profile outside the root still works.
    expect(bystander.connected).toBe(true);
    const page = await bystander.newPage();
    expect(await page.evaluate('1 + 1')).toBe(2);
    expect(findProcessesByProfileRoot(elsewhere).length).toBeGreaterThan(0);
  });

  test('a root that does not exist reaps nothing', async () => {
    expect(await reapOrphanedBrowsers(join(tmpdir(), 'no-such-root-for-reap'))).toEqual({killed: 0, removedDirs: 0});
  });
});
