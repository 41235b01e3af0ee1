import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import {onTestFinished} from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_PATH = join(REPO_ROOT, 'dist/bin/crawler-tui.js');
export const SITE_SERVER = resolve(REPO_ROOT, '../shared/site/server.cjs');

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function tempDir(prefix = 'crawler-tui-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return dir;
}

export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill(signal);
  });
}

/** A private redis-server on a free loopback port, stopped by its PID when `stop` is called. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startPrivateRedis(options: {dir?: string} = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = options.dir ?? tempDir('crawler-tui-redis-');
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.dir ? 'yes' : 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = createInterface({input: child.stdout!});
  await waitFor(
    () =>
      new Promise<boolean>((resolveReady) => {
        const onLine = (line: string) => {
          if (line.includes('Ready to accept connections')) resolveReady(true);
        };
        lines.on('line', onLine);
        setTimeout(() => resolveReady(false), 200);
      }),
    10_000,
    'redis-server to start',
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    stop: async () => {
      await stopChild(child);
      if (!options.dir) rmSync(dir, {recursive: true, force: true});
    },
  };
}

/** The shared synthetic site on a free loopback port. */
export interface TestSite {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startSite(pages: number, latencyMs = 0): Promise<TestSite> {
  const child = spawn(process.execPath, [SITE_SERVER, '--port', '0', '--pages', String(pages), '--latency-ms', String(latencyMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await new Promise<string>((resolveLine, reject) => {
    const lines = createInterface({input: child.stdout!});
    lines.once('line', resolveLine);
    child.once('exit', (code) => reject(new Error(`site exited with ${code}`)));
  });
  const match = /site: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(firstLine);
  if (!match) throw new Error(`unexpected site output: ${firstLine}`);
  return {url: match[1]!, pid: child.pid!, stop: () => stopChild(child)};
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI to completion. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<CliResult> {
  const child = startCli(args, env);
  if (input !== undefined) child.stdin!.end(input);
  else child.stdin!.end();
  return child.result;
}

export interface RunningCli {
  readonly pid: number;
  readonly stdin: NodeJS.WritableStream | null;
  readonly result: Promise<CliResult>;
  readonly output: () => string;
  /** True once the process has exited (a wait on its output should stop then). */
  readonly exited: () => boolean;
  kill(signal: NodeJS.Signals): void;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: {PATH: process.env['PATH'], HOME: process.env['HOME'], ...env},
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolveResult) => {
    child.on('close', (code, signal) => resolveResult({code, signal, stdout, stderr}));
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {pid: child.pid!, stdin: child.stdin, result, output: () => stdout, exited: () => child.exitCode !== null || child.signalCode !== null, kill: (signal) => child.kill(signal)};
}

/** A fresh configuration for one test: its own config dir, data dir and Redis key prefix. */
export interface CliEnvironment {
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
  readonly configDir: string;
  readonly prefix: string;
  /** Global flags that pin Redis, prefix and data dir. */
  readonly flags: readonly string[];
}

export function cliEnvironment(redisUrl: string, extraEnv: NodeJS.ProcessEnv = {}): CliEnvironment {
  const root = tempDir();
  const dataDir = join(root, 'data');
  const configDir = join(root, 'config');
  const prefix = `t${Math.random().toString(36).slice(2, 10)}`;
  onTestFinished(() => rmSync(root, {recursive: true, force: true}));
  return {
    env: {CRAWLER_CONFIG_DIR: configDir, ...extraEnv},
    dataDir,
    configDir,
    prefix,
    flags: ['--redis', redisUrl, '--prefix', prefix, '--data-dir', dataDir],
  };
}
