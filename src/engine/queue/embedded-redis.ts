import {spawn, spawnSync} from 'node:child_process';
import {mkdirSync, readFileSync, writeFileSync, renameSync, rmSync, openSync, closeSync} from 'node:fs';
import {createServer, createConnection} from 'node:net';
import {join} from 'node:path';
import {UserError} from '../../errors.js';

/**
 * The embedded default of DESIGN.md: when no Redis is configured and none answers on
 * 127.0.0.1:6379, crawler-tui runs its own `redis-server` with its data (AOF) in the data
 * directory. A state file records its port and pid so that other invocations against the same
 * data directory (`add` in a second terminal, the next `run`) find it again instead of starting
 * a second server on the same files.
 */
export interface EmbeddedRedisInfo {
  readonly pid: number;
  readonly port: number;
  readonly startedAtMs: number;
}

export interface EmbeddedRedisHandle {
  readonly url: string;
  readonly info: EmbeddedRedisInfo;
  /** True when this process spawned the server (and so is expected to stop it). */
  readonly isOwned: boolean;
  readonly dataDir: string;
}

const STATE_FILE = 'embedded.json';

export function embeddedRedisDir(dataDir: string): string {
  return join(dataDir, 'redis');
}

export function readEmbeddedRedisInfo(dataDir: string): EmbeddedRedisInfo | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(embeddedRedisDir(dataDir), STATE_FILE), 'utf8')) as EmbeddedRedisInfo;
    if (Number.isInteger(parsed.pid) && Number.isInteger(parsed.port)) return parsed;
  } catch {
    // No state file, or a torn one: treated as "no embedded server".
  }
  return undefined;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a raw PING (no client library) so that probing costs nothing and never retries. */
export function pingRedis(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({host, port});
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      // +PONG from an open server; -NOAUTH means a server that wants a password: still a Redis.
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG') || answer.startsWith('-NOAUTH'));
    });
  });
}

/** Finds a running embedded server of this data directory, if one is alive and answers. */
export async function findRunningEmbeddedRedis(dataDir: string): Promise<EmbeddedRedisInfo | undefined> {
  const info = readEmbeddedRedisInfo(dataDir);
  if (!info || !isProcessAlive(info.pid)) return undefined;
  return (await pingRedis('127.0.0.1', info.port)) ? info : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function findRedisServerBinary(): string {
  // CRAWLER_REDIS_SERVER names another redis-server binary (a build of your own, valkey-server).
  const binary = process.env['CRAWLER_REDIS_SERVER'] || 'redis-server';
  const probe = spawnSync(binary, ['--version'], {encoding: 'utf8'});
  if (probe.error) {
    throw new UserError(
      'no Redis configured, none answers on 127.0.0.1:6379, and redis-server is not installed to start an embedded one',
      `install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set --redis URL / REDIS_URL${binary === 'redis-server' ? '' : `; CRAWLER_REDIS_SERVER=${binary} was not found`}`,
    );
  }
  return binary;
}

/**
 * Returns the embedded server of `dataDir`, starting one if none runs. Two processes racing to
 * start one are serialised by an exclusive lock file; the loser adopts the winner's server.
 */
export async function ensureEmbeddedRedis(dataDir: string, options: {startTimeoutMs?: number} = {}): Promise<EmbeddedRedisHandle> {
  const running = await findRunningEmbeddedRedis(dataDir);
  if (running) return {url: `redis://127.0.0.1:${running.port}`, info: running, isOwned: false, dataDir};

  const dir = embeddedRedisDir(dataDir);
  mkdirSync(dir, {recursive: true});
  const lockPath = join(dir, 'start.lock');
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  let lockFd: number | undefined;
  while (lockFd === undefined) {
    try {
      lockFd = openSync(lockPath, 'wx');
    } catch {
      const other = await findRunningEmbeddedRedis(dataDir);
      if (other) return {url: `redis://127.0.0.1:${other.port}`, info: other, isOwned: false, dataDir};
      if (Date.now() > deadline) {
        // A lock left by a process that died while starting the server: take it over.
        rmSync(lockPath, {force: true});
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    const again = await findRunningEmbeddedRedis(dataDir);
    if (again) return {url: `redis://127.0.0.1:${again.port}`, info: again, isOwned: false, dataDir};
    return await startEmbeddedRedis(dataDir, deadline);
  } finally {
    closeSync(lockFd);
    rmSync(lockPath, {force: true});
  }
}

async function startEmbeddedRedis(dataDir: string, deadline: number): Promise<EmbeddedRedisHandle> {
  const binary = findRedisServerBinary();
  const dir = embeddedRedisDir(dataDir);
  const port = await freePort();
  const logFile = join(dir, 'redis.log');
  const child = spawn(
    binary,
    [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--save', '',
      '--daemonize', 'no',
      '--logfile', logFile,
      // BullMQ's keys must never be evicted.
      '--maxmemory-policy', 'noeviction',
    ],
    // Its own process group: a Ctrl-C in the terminal must not stop Redis under a node that is
    // still draining; we stop it ourselves when the last user leaves.
    {detached: true, stdio: 'ignore'},
  );
  let exitCode: number | null | undefined;
  child.on('exit', (code) => {
    exitCode = code;
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new UserError(`could not start ${binary}`);

  while (Date.now() < deadline) {
    if (exitCode !== undefined) break;
    if (await pingRedis('127.0.0.1', port, 300)) {
      const info: EmbeddedRedisInfo = {pid, port, startedAtMs: Date.now()};
      const statePath = join(dir, STATE_FILE);
      writeFileSync(`${statePath}.tmp`, JSON.stringify(info));
      renameSync(`${statePath}.tmp`, statePath);
      return {url: `redis://127.0.0.1:${port}`, info, isOwned: true, dataDir};
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (exitCode === undefined) process.kill(pid, 'SIGKILL');
  let tail = '';
  try {
    tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-1)[0] ?? '';
  } catch {
    // no log written
  }
  throw new UserError(`the embedded redis-server did not start (data in ${dir})${tail ? `: ${tail}` : ''}`);
}

/** Forgets the state file when its server is gone, so nobody tries to adopt a dead port. */
export function clearEmbeddedRedisInfo(dataDir: string, pid: number): void {
  const info = readEmbeddedRedisInfo(dataDir);
  if (info?.pid === pid) rmSync(join(embeddedRedisDir(dataDir), STATE_FILE), {force: true});
}
