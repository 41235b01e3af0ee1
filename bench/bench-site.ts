// The shared synthetic site (../shared/site/server.cjs beside the repository) as a child process
// on a free loopback port, for the benchmarks; stopped by its PID.
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {packageRoot} from '../src/version.js';

export interface BenchSite {
  /** `http://127.0.0.1:PORT` without a trailing slash. */
  readonly base: string;
  readonly child: ChildProcess;
}

export async function startSite(pages: number, latencyMs = 0): Promise<BenchSite> {
  const server = path.resolve(packageRoot(), '..', 'shared', 'site', 'server.cjs');
  if (!existsSync(server)) throw new Error(`benchmark site not found at ${server}`);
  const child = spawn(process.execPath, [server, '--port', '0', '--pages', String(pages), '--latency-ms', String(latencyMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('site did not start within 15 s')), 15_000);
    timer.unref();
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /site: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`site exited early with code ${code}`)));
  });
  child.stdout!.resume();
  return {base, child};
}

export async function stopSite(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  await exited;
}
