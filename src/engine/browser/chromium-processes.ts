/**
 * Small /proc readers for the browser pool: the RSS and CPU of a process tree, and the Chromium
 * processes that belong to a profile root. Linux only; on other systems every reader returns
 * "nothing found" (0, empty lists), which turns memory-based retirement and orphan reaping off
 * rather than breaking the pool.
 *
 * No `ps` is spawned: one process tree costs a few small file reads (`/proc/<pid>/task/<tid>/children`
 * and `/proc/<pid>/status`), cheap enough to run every few seconds per browser.
 */
import {readdirSync, readFileSync} from 'node:fs';
import {readdir, rm} from 'node:fs/promises';
import path from 'node:path';

/** One process of a tree, as {@link readProcessTree} sees it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Process group id (a Puppeteer-launched Chromium is its group's leader). */
  pgrp: number;
  /** Resident set size (VmRSS = anonymous + file-backed + shared memory). Shared pages count in every process that maps them. */
  rssBytes: number;
  /** Resident anonymous memory (RssAnon): heaps, JS heaps, mostly private. */
  anonBytes: number;
  /** Resident file-backed memory (RssFile): mostly the executable and libraries, shared by every Chromium process. */
  fileBytes: number;
  /** Resident shared memory (RssShmem): Chromium's IPC and graphics buffers. */
  shmemBytes: number;
  /** User + system CPU time used so far (utime + stime, at USER_HZ = 100 as on every mainstream Linux). */
  cpuMs: number;
}

/** Linux reports utime/stime in USER_HZ ticks, which is 100 on every architecture Node supports. */
const MS_PER_TICK = 10;

/**
 * The fields of `/proc/<pid>/stat` after the command name. The name is in parentheses and may
 * itself contain spaces and parentheses, so we cut at the last `)`.
 */
function readStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The `kB` figures of `/proc/<pid>/status` we use; 0 when missing (kernel threads, zombies). */
function readMemory(pid: number): Pick<ProcessInfo, 'rssBytes' | 'anonBytes' | 'fileBytes' | 'shmemBytes'> {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // gone meanwhile
  }
  const kB = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  };
  return {rssBytes: kB('VmRSS'), anonBytes: kB('RssAnon'), fileBytes: kB('RssFile'), shmemBytes: kB('RssShmem')};
}

/** Reads one process; `undefined` when it is gone or a zombie (a zombie holds no memory and runs nothing). */
export function readProcess(pid: number): ProcessInfo | undefined {
  const fields = readStatFields(pid);
  // fields[0] = state, [1] = ppid, [2] = pgrp, [11] = utime, [12] = stime
  if (fields === undefined || fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return {
    pid,
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    ...readMemory(pid),
    cpuMs: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK,
  };
}

function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/** Children of `pid` from `/proc/<pid>/task/<tid>/children`; `undefined` when the kernel lacks that file. */
function childrenOf(pid: number): number[] | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && tid === String(pid)) return undefined;
      continue; // the thread ended between readdir and read
    }
    for (const child of text.split(' ')) if (child !== '' && child !== '\n') children.push(Number(child));
  }
  return children;
}

/**
 * `rootPid` and all its live descendants. Uses the `children` files (CONFIG_PROC_CHILDREN, present
 * on common kernels); without them, falls back to one scan of every `/proc/<pid>/stat`.
 */
export function readProcessTree(rootPid: number): ProcessInfo[] {
  const root = readProcess(rootPid);
  if (root === undefined) return [];
  const tree: ProcessInfo[] = [root];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const children = childrenOf(pid);
    if (children === undefined) return scanTree(rootPid);
    for (const child of children) {
      const info = readProcess(child);
      if (info === undefined) continue;
      tree.push(info);
      queue.push(child);
    }
  }
  return tree;
}

function scanTree(rootPid: number): ProcessInfo[] {
  const byParent = new Map<number, ProcessInfo[]>();
  let root: ProcessInfo | undefined;
  for (const pid of allPids()) {
    const info = readProcess(pid);
    if (info === undefined) continue;
    if (pid === rootPid) root = info;
    const siblings = byParent.get(info.ppid) ?? [];
    siblings.push(info);
    byParent.set(info.ppid, siblings);
  }
  if (root === undefined) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(byParent.get(tree[i]!.pid) ?? []));
  return tree;
}

/**
 * Resident memory of a set of processes with the shared executable counted once: the sum of
 * anonymous and shared-memory pages plus the largest file-backed share.
 *
 * Summing VmRSS over a Chromium tree triple-counts: every one of its ~12 processes maps the same
 * ~170 MB binary, so one browser with 4 pages "uses" 1.3-1.6 GiB by VmRSS while its proportional
 * share (PSS, from smaps_rollup) is 0.3-0.7 GiB. This figure lands within ~20 % of PSS and costs a
 * status read per process (smaps_rollup costs ~35 ms per browser tree).
 */
export function treeMemoryBytes(processes: Iterable<ProcessInfo>): number {
  let total = 0;
  let largestFile = 0;
  for (const info of processes) {
    total += info.anonBytes + info.shmemBytes;
    largestFile = Math.max(largestFile, info.fileBytes);
  }
  return total + largestFile;
}

/**
 * Resident memory of `rootPid` and its descendants, shared code counted once (see
 * {@link treeMemoryBytes}); 0 when the process is gone (or not on Linux).
 */
export function processTreeRssBytes(rootPid: number): number {
  return treeMemoryBytes(readProcessTree(rootPid));
}

/**
 * The profile directory named by a `--user-data-dir=<dir>` argument in `cmdline`, when `<dir>`
 * is `profileDir` itself (`isExact`) or a directory inside it, else `undefined`.
 *
 * Chromium's helper processes rewrite their command line (setproctitle), joining the arguments
 * with spaces instead of NULs, so we cannot split into arguments. Instead we look for the literal
 * `--user-data-dir=<our path>` at an argument boundary (which also works when the path contains
 * spaces), and read the one path component after it up to the next NUL, space or slash: our
 * profile directory names never contain spaces.
 */
function profileDirIn(cmdline: string, profileDir: string, isExact: boolean): string | undefined {
  const prefix = isExact ? profileDir : profileDir + path.sep;
  const needle = `--user-data-dir=${prefix}`;
  for (let index = cmdline.indexOf(needle); index !== -1; index = cmdline.indexOf(needle, index + 1)) {
    const before = index === 0 ? '\0' : cmdline[index - 1];
    if (before !== '\0' && before !== ' ') continue;
    const rest = cmdline.slice(index + needle.length);
    const end = rest.search(/[\0 /]/);
    const name = end === -1 ? rest : rest.slice(0, end);
    if (isExact) {
      if (name === '') return profileDir;
    } else if (name !== '') {
      return prefix + name;
    }
  }
  return undefined;
}

/**
 * pid → profile dir of every live process whose `--user-data-dir` lies inside `profileRoot`
 * (or, with `isExact`, is `profileRoot` itself).
 */
function processesByProfileRoot(profileRoot: string, isExact = false): Map<number, string> {
  const resolved = path.resolve(profileRoot);
  const found = new Map<number, string>();
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const dir = profileDirIn(cmdline, resolved, isExact);
    if (dir === undefined) continue;
    // A zombie has an empty cmdline already, but a process can die between the two reads.
    if (readProcess(pid) !== undefined) found.set(pid, dir);
  }
  return found;
}

/**
 * PIDs of live processes started with `--user-data-dir=<profileRoot>/…`. Every Chromium process
 * of a browser (main, zygotes, GPU, utilities, renderers) carries that flag, so this finds a whole
 * browser by the directory we created for it, never by executable name. (Chromium's crashpad
 * handler does not carry it; it is not in the browser's process group either, and exits by itself
 * once the browser it watches is gone.)
 */
export function findProcessesByProfileRoot(profileRoot: string): number[] {
  return [...processesByProfileRoot(profileRoot).keys()];
}

/** PIDs of live processes started with exactly `--user-data-dir=<profileDir>`: one browser's processes. */
export function findProcessesByProfileDir(profileDir: string): number[] {
  return [...processesByProfileRoot(profileDir, true).keys()];
}

/** Sends `signal` and swallows "no such process" (it ended by itself meanwhile). */
export function signalQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once none of `pids` is alive (zombies count as gone), or after `timeoutMs`. */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every((pid) => readProcess(pid) === undefined)) return true;
    if (Date.now() >= deadline) return false;
    // Not unref()ed: whoever awaits this (a pool's destroy()) must keep the process alive until it is done.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Removes a profile directory, retrying briefly: a Chromium that is still dying may write one more
 * file into it while `rm` walks the tree (ENOTEMPTY).
 */
export async function removeProfileDir(dir: string): Promise<void> {
  await rm(dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 50});
}

/**
 * Kills the Chromium processes a previous, crashed run left behind under `profileRoot`, then
 * removes the profile directories under it that no live process uses.
 *
 * They are ours by construction: the profile root lives inside this node's data directory, and
 * only our browser pool starts Chromium with a profile there. Call it at start-up, before any
 * {@link BrowserPool} launches a browser under the same root: it cannot tell the previous run's
 * browsers from this run's. Two nodes must therefore not share a data directory (which the
 * node's data-directory lock already forbids).
 *
 * Besides the matching PIDs, each matching process group is killed as a whole: a browser's main
 * process leads its group, so this also catches a helper that lost its flag.
 */
/**
 * Whether a profile directory belongs to another live node: the pool names them
 * `<owner pid>-<n>-<random>`. Several nodes may share a data directory (and so a profile root);
 * only the profiles of dead owners are orphans. Our own pid cannot own anything yet at start-up,
 * so a match on it is a previous run whose pid was reused (common in containers).
 */
function hasLiveOwner(dir: string): boolean {
  const owner = Number(/^(\d+)-/.exec(path.basename(dir))?.[1]);
  if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid) return false;
  try {
    process.kill(owner, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function reapOrphanedBrowsers(profileRoot: string): Promise<{killed: number; removedDirs: number}> {
  const root = path.resolve(profileRoot);
  const orphans = new Map([...processesByProfileRoot(root)].filter(([, dir]) => !hasLiveOwner(dir)));
  const groups = new Set<number>();
  for (const pid of orphans.keys()) {
    const info = readProcess(pid);
    // Only groups led by one of the orphans: never signal a group we cannot prove is ours.
    if (info !== undefined && orphans.has(info.pgrp)) groups.add(info.pgrp);
  }
  let killed = 0;
  for (const pid of orphans.keys()) if (signalQuietly(pid, 'SIGKILL')) killed++;
  for (const pgrp of groups) signalQuietly(-pgrp, 'SIGKILL');
  await waitForExit([...orphans.keys()], 5_000);

  const inUse = new Set(processesByProfileRoot(root).values());
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return {killed, removedDirs: 0};
  }
  let removedDirs = 0;
  for (const entry of entries) {
    const dir = path.join(root, entry);
    if (inUse.has(dir) || hasLiveOwner(dir)) continue;
    try {
      await removeProfileDir(dir);
      removedDirs++;
    } catch {
      // Left for the next start-up; a leftover profile costs disk space, nothing else.
    }
  }
  return {killed, removedDirs};
}
