// Entry point of a file-pool thread. The pool loads the compiled file
// (`new URL('./file-worker.js', import.meta.url)`); nothing else should import it.
//
// Protocol (see FileWorkerRequest/FileWorkerResponse): the pool posts `{id, task}` and gets exactly
// one `{id, ok, result | error}` back; `{id, cancel: true}` aborts a running task early. The pool
// sends at most one task at a time, but nothing here depends on that.
import {createHash, randomBytes} from 'node:crypto';
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import {parentPort} from 'node:worker_threads';
import {Agent, interceptors, request} from 'undici';
import {
  assertInsideDir,
  mediaPathFor,
  type FileTask,
  type FileTaskResult,
  type FileWorkerRequest,
  type FileWorkerResponse,
} from './file-tasks.js';

const MAX_REDIRECTIONS = 5;
/** Bodies up to this size are held in memory until hashed; larger ones stream to a temp file. */
const SPILL_BYTES = 256 * 1024;

// One dispatcher per thread, so connections to the same host are reused across downloads.
const dispatcher = new Agent().compose(interceptors.redirect({maxRedirections: MAX_REDIRECTIONS}));

const running = new Map<number, AbortController>();

function randomSuffix(): string {
  return randomBytes(8).toString('hex');
}

// Synchronous on purpose: this thread runs one task at a time and exists so that blocking is fine
// here. Each async fs call is a hop through libuv's thread pool (4 threads shared by the whole
// process, main thread included); sync calls skip that and measured ~2x faster for small files.
function writeJson(task: Extract<FileTask, {kind: 'write-json'}>): FileTaskResult {
  const target = assertInsideDir(task.dataDir, task.relPath);
  const json = JSON.stringify(task.value) as string | undefined;
  // JSON.stringify(undefined) (or a function) returns undefined; writing "undefined" would be worse.
  if (json === undefined) throw new TypeError(`value for ${task.relPath} is not JSON-serialisable`);
  mkdirSync(path.dirname(target), {recursive: true});
  // Same directory as the target so the rename stays on one file system and is atomic: readers see
  // the old file or the new one, never half of one, and a re-run overwrites instead of adding a copy.
  const tmp = `${target}.${randomSuffix()}.tmp`;
  try {
    writeFileSync(tmp, json);
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, {force: true});
    throw error;
  }
  return {kind: 'write-json', path: target, bytes: Buffer.byteLength(json)};
}

function tooLarge(maxBytes: number): Error {
  return new Error(`larger than ${maxBytes} bytes`);
}

async function download(task: Extract<FileTask, {kind: 'download'}>, cancel: AbortSignal): Promise<FileTaskResult> {
  const {url, maxBytes, timeoutMs} = task;
  const protocol = new URL(url).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`unsupported protocol ${protocol} for ${url}`);
  const dataDir = path.resolve(task.dataDir);
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([cancel, deadline]);

  // Temp files live under media/.tmp for both purposes: same file system as the final place, so the
  // final link/rename is atomic, and one place to sweep if the process dies mid-download.
  const tmp = path.join(dataDir, 'media', '.tmp', `${randomSuffix()}.part`);
  let fd: number | undefined;
  const head: Buffer[] = [];
  let bytes = 0;
  const hash = createHash('sha256');
  let contentType = 'application/octet-stream';
  try {
    const {statusCode, headers, body} = await request(url, {
      method: 'GET',
      dispatcher,
      signal,
      headers: {'user-agent': task.userAgent, accept: '*/*'},
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (statusCode < 200 || statusCode > 299) {
      // Drain (bounded) so the connection can be reused; the error is what matters.
      await body.dump({limit: 64 * 1024}).catch(() => undefined);
      throw new Error(`HTTP ${statusCode} for ${url}`);
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      body.destroy();
      throw tooLarge(maxBytes);
    }
    const type = headers['content-type'];
    const typeValue = Array.isArray(type) ? type[0] : type;
    if (typeValue !== undefined && typeValue.trim() !== '') contentType = typeValue.trim();

    // Hash and count while streaming; the cap is enforced on bytes actually received
    // (content-length may be missing or wrong), and throwing inside for-await destroys the body,
    // which aborts the transfer. The first SPILL_BYTES stay in memory: most media is small and
    // repeats (logos, icons), and a repeat then costs no file at all. Past that the body goes to a
    // temp file, so memory stays bounded whatever the size. Writes are synchronous (see writeJson).
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw tooLarge(maxBytes);
      hash.update(chunk);
      if (fd === undefined && bytes <= SPILL_BYTES) {
        head.push(chunk);
        continue;
      }
      if (fd === undefined) fd = openTemp(tmp, head);
      writeSync(fd, chunk);
    }
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, {force: true});
    if (deadline.aborted && !cancel.aborted) {
      throw Object.assign(new Error(`timed out after ${timeoutMs} ms for ${url}`), {name: 'TimeoutError'});
    }
    throw error;
  }

  const sha256 = hash.digest('hex');
  const target = path.join(dataDir, mediaPathFor(sha256, contentType, task.purpose));
  // Still in memory and already stored: nothing to write.
  if (fd === undefined && existsSync(target)) return {kind: 'download', url, path: target, sha256, bytes, contentType, isNew: false};
  let isNew: boolean;
  try {
    fd ??= openTemp(tmp, head);
    closeSync(fd);
    fd = undefined;
    mkdirSync(path.dirname(target), {recursive: true});
    isNew = storeOnce(tmp, target);
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, {force: true});
  }
  return {kind: 'download', url, path: target, sha256, bytes, contentType, isNew};
}

/** Creates the temp file (and media/.tmp) and writes the chunks held in memory so far. */
function openTemp(tmp: string, head: Buffer[]): number {
  mkdirSync(path.dirname(tmp), {recursive: true});
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of head.splice(0)) writeSync(fd, chunk);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/**
 * Puts `tmp` at `target` unless `target` already exists (same hash = same bytes); true when stored.
 * link() fails with EEXIST atomically, so two threads downloading the same file at once store it
 * once and exactly one of them reports isNew. Some file systems cannot hard-link; they fall back to
 * exists + rename, where a race at worst rewrites identical bytes.
 */
function storeOnce(tmp: string, target: string): boolean {
  try {
    linkSync(tmp, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw error;
  }
  if (existsSync(target)) return false;
  renameSync(tmp, target);
  return true;
}

async function runTask(task: FileTask, signal: AbortSignal): Promise<FileTaskResult> {
  switch (task.kind) {
    case 'write-json':
      return writeJson(task);
    case 'download':
      return download(task, signal);
    default:
      throw new Error(`unknown file task kind: ${JSON.stringify((task as {kind?: unknown}).kind)}`);
  }
}

function toErrorShape(error: unknown): {message: string; name: string} {
  if (error instanceof Error) return {message: error.message, name: error.name};
  return {message: String(error), name: 'Error'};
}

async function handle(port: NonNullable<typeof parentPort>, id: number, task: FileTask): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  let reply: FileWorkerResponse;
  try {
    reply = {id, ok: true, result: await runTask(task, controller.signal)};
  } catch (error) {
    reply = {id, ok: false, error: toErrorShape(error)};
  } finally {
    running.delete(id);
  }
  port.postMessage(reply);
}

if (parentPort === null) {
  throw new Error('file-worker.js is a worker_threads entry point; start it through FilePool, not directly');
}
const port = parentPort;
port.on('message', (message: FileWorkerRequest) => {
  if ('cancel' in message) {
    running.get(message.id)?.abort(new Error('task cancelled'));
    return;
  }
  // handle() catches everything itself; the extra catch only guards postMessage failing, which
  // must not become an unhandled rejection (that would kill the thread).
  handle(port, message.id, message.task).catch((error: unknown) => {
    try {
      port.postMessage({id: message.id, ok: false, error: toErrorShape(error)} satisfies FileWorkerResponse);
    } catch {
      // Nothing left to report to; the pool's task stays pending until destroy() or a crash.
    }
  });
});
port.postMessage({ready: true} satisfies FileWorkerResponse);
