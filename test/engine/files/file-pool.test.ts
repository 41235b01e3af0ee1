// These tests run the real worker threads, which load the COMPILED worker
// (dist/src/engine/files/file-worker.js, see resolveFileWorkerUrl): `npm test` builds first; when
// running vitest by hand, run `npx tsc -p tsconfig.json` before.
import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {monitorEventLoopDelay} from 'node:perf_hooks';
import {pathToFileURL} from 'node:url';
import zlib from 'node:zlib';
import {describe, expect, onTestFinished, test} from 'vitest';
import {FilePool, resolveFileWorkerUrl} from '../../../src/engine/files/file-pool.js';
import {assertInsideDir, extensionFor, mediaPathFor, type FileTask} from '../../../src/engine/files/file-tasks.js';

// ---------- helpers ----------

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([len, typed, crc]);
}
/** A real, decodable 32x24 RGB PNG whose pixels depend on `seed`. */
function makePng(seed: number): Buffer {
  const [w, h] = [32, 24];
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w * 3; x++) raw[y * (w * 3 + 1) + 1 + x] = (x * 7 + y * 13 + seed * 31) & 255;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const BIG_BYTES = 1024 * 1024;

/** Local site on 127.0.0.1:0; closed when the test finishes. */
async function startSite(): Promise<{base: string; hits: () => number}> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    res.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://x');
    const delayMs = Number(url.searchParams.get('delay') ?? 0);
    const send = (): void => {
      const img = /^\/img\/(\d+)\.png$/.exec(url.pathname);
      if (img) {
        const body = makePng(Number(img[1]));
        res.writeHead(200, {'content-type': 'image/png', 'content-length': body.length}).end(body);
      } else if (url.pathname === '/big' || url.pathname === '/big-declared') {
        // /big has no content-length, so only the streaming cap can stop it.
        const headers: http.OutgoingHttpHeaders = {'content-type': 'application/octet-stream'};
        if (url.pathname === '/big-declared') headers['content-length'] = BIG_BYTES;
        res.writeHead(200, headers);
        const chunk = Buffer.alloc(64 * 1024, 7);
        let sent = 0;
        const pump = (): void => {
          while (sent < BIG_BYTES && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        pump();
      } else {
        res.writeHead(404, {'content-type': 'text/plain'}).end('not found');
      }
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const {port} = server.address() as AddressInfo;
  return {base: `http://127.0.0.1:${port}`, hits: () => hits};
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'file-pool-test-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true}));
  return dir;
}

function makePool(size: number): FilePool {
  const pool = new FilePool({size});
  onTestFinished(() => pool.destroy());
  return pool;
}

function download(dataDir: string, url: string, overrides: Partial<Extract<FileTask, {kind: 'download'}>> = {}): FileTask {
  return {kind: 'download', dataDir, url, maxBytes: 256 * 1024, timeoutMs: 10_000, userAgent: 'crawler-tui-test', purpose: 'media', ...overrides};
}

/** Polls instead of sleeping a fixed time. */
async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {recursive: true, withFileTypes: true}).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

// ---------- pure helpers ----------

describe('file-tasks helpers', () => {
  const sha = 'ab'.padEnd(64, '0');

  test.each([
    ['image/png', 'png'],
    ['image/jpeg', 'jpg'],
    ['IMAGE/SVG+XML; charset=utf-8', 'svg'],
    ['audio/mpeg', 'mp3'],
    ['text/plain; charset=utf-8', 'txt'],
    ['text/html', 'html'],
    ['application/x-whatever', 'bin'],
    ['', 'bin'],
  ])('extensionFor(%j) is %s', (contentType, ext) => {
    expect(extensionFor(contentType)).toBe(ext);
  });

  test('mediaPathFor fans out on the first two hex digits and never uses a web name', () => {
    expect(mediaPathFor(sha, 'image/png')).toBe(`media/ab/${sha}.png`);
    expect(mediaPathFor(sha, 'text/html', 'body')).toBe(`bodies/ab/${sha}.html`);
    expect(() => mediaPathFor('../../etc/passwd', 'image/png')).toThrow(/SHA-256/);
  });

  test.each(['../../etc/x', '../x', '/etc/passwd', 'a/../../x', 'a\0b', '', '.', 'C:\\x'])(
    'assertInsideDir refuses %j',
    (relPath) => {
      expect(() => assertInsideDir('/data', relPath)).toThrow();
    },
  );

  test('assertInsideDir resolves paths inside the directory', () => {
    expect(assertInsideDir('/data', 'results/a.json')).toBe(path.resolve('/data/results/a.json'));
    expect(assertInsideDir('/data', 'a/../b.json')).toBe(path.resolve('/data/b.json'));
  });

  test('the worker URL falls back to dist/ when running from the TypeScript source', () => {
    const url = resolveFileWorkerUrl(pathToFileURL(path.resolve('src/engine/files/file-pool.ts')).href);
    expect(url.pathname).toMatch(/\/dist\/src\/engine\/files\/file-worker\.js$/);
    expect(() => resolveFileWorkerUrl('file:///nowhere/lib/file-pool.js')).toThrow(/npm run build/);
  });
});

// ---------- the pool ----------

describe('FilePool', () => {
  test('write-json is atomic and a re-run overwrites the same file', async () => {
    const dataDir = await tempDir();
    const pool = makePool(2);
    const first = await pool.run({kind: 'write-json', dataDir, relPath: 'results/p/1.json', value: {n: 1}});
    const second = await pool.run({kind: 'write-json', dataDir, relPath: 'results/p/1.json', value: {n: 2, s: 'ü'}});
    expect(second).toEqual({kind: 'write-json', path: path.join(dataDir, 'results/p/1.json'), bytes: Buffer.byteLength('{"n":2,"s":"ü"}')});
    expect(first.kind === 'write-json' && first.path).toBe(second.kind === 'write-json' && second.path);
    expect(await filesUnder(dataDir)).toEqual([path.join('results', 'p', '1.json')]); // no temp files, no copies
    expect(JSON.parse(await readFile(path.join(dataDir, 'results/p/1.json'), 'utf8'))).toEqual({n: 2, s: 'ü'});
  });

  test('a path escaping the data directory is refused and nothing is written', async () => {
    const dataDir = await tempDir();
    const pool = makePool(1);
    await expect(pool.run({kind: 'write-json', dataDir, relPath: '../../etc/x', value: 1})).rejects.toThrow(/escapes the data directory/);
    await expect(pool.run({kind: 'write-json', dataDir, relPath: '/etc/x', value: 1})).rejects.toThrow(/relative/);
    // Exactly the two paths the tasks asked for (scanning all of /tmp would see other programs' files).
    expect(existsSync(path.resolve(dataDir, '../../etc/x'))).toBe(false);
    expect(existsSync('/etc/x')).toBe(false);
    expect(await filesUnder(dataDir)).toEqual([]);
    // The task error did not cost the thread.
    expect(pool.stats()).toMatchObject({size: 1, restarts: 0, failed: 2});
    await expect(pool.run({kind: 'write-json', dataDir, relPath: 'ok.json', value: 1})).resolves.toMatchObject({bytes: 1});
  });

  test('downloads are content-addressed: the same bytes twice are stored once', async () => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = makePool(2);
    const png = makePng(3);
    const sha256 = createHash('sha256').update(png).digest('hex');

    const first = await pool.run(download(dataDir, `${site.base}/img/3.png`));
    // Same bytes under another URL: still one file.
    const second = await pool.run(download(dataDir, `${site.base}/img/3.png?copy=1`));

    const expectedPath = path.join(dataDir, 'media', sha256.slice(0, 2), `${sha256}.png`);
    expect(first).toEqual({kind: 'download', url: `${site.base}/img/3.png`, path: expectedPath, sha256, bytes: png.length, contentType: 'image/png', isNew: true});
    expect(second).toMatchObject({path: expectedPath, sha256, isNew: false});
    expect(await readFile(expectedPath)).toEqual(png);
    expect(await filesUnder(path.join(dataDir, 'media'))).toEqual([path.relative(path.join(dataDir, 'media'), expectedPath)]);
  });

  test("purpose 'body' stores under bodies/", async () => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = makePool(1);
    const result = await pool.run(download(dataDir, `${site.base}/img/1.png`, {purpose: 'body'}));
    expect(result.path.startsWith(path.join(dataDir, 'bodies') + path.sep)).toBe(true);
  });

  test('a large body streams through a temp file and is stored whole', async () => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = makePool(1);
    const result = await pool.run(download(dataDir, `${site.base}/big`, {maxBytes: 2 * BIG_BYTES}));
    const expected = createHash('sha256').update(Buffer.alloc(BIG_BYTES, 7)).digest('hex');
    expect(result).toMatchObject({sha256: expected, bytes: BIG_BYTES, contentType: 'application/octet-stream', isNew: true});
    expect(result.path.endsWith(`${expected}.bin`)).toBe(true);
    expect((await readFile(result.path)).length).toBe(BIG_BYTES);
    expect(await readdir(path.join(dataDir, 'media', '.tmp'))).toEqual([]);
  });

  // 100 kB is hit while the body is still held in memory, 600 kB after it went to a temp file.
  test.each([
    ['streamed past the cap (no content-length)', '/big', 100_000],
    ['streamed past the cap after spilling to disk', '/big', 600_000],
    ['declared larger than the cap', '/big-declared', 100_000],
  ])('a download %s is rejected and leaves no temp file', async (_, route, maxBytes) => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = makePool(1);
    await expect(pool.run(download(dataDir, `${site.base}${route}`, {maxBytes}))).rejects.toThrow(`larger than ${maxBytes} bytes`);
    expect(await filesUnder(dataDir)).toEqual([]);
  });

  test('a 404 is rejected with the status and URL', async () => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = makePool(1);
    const url = `${site.base}/nope.png`;
    await expect(pool.run(download(dataDir, url))).rejects.toThrow(`HTTP 404 for ${url}`);
    expect(await filesUnder(dataDir)).toEqual([]);
  });

  test('a download past its timeout is rejected', async () => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = makePool(1);
    await expect(pool.run(download(dataDir, `${site.base}/img/1.png?delay=2000`, {timeoutMs: 100}))).rejects.toThrow(/timed out after 100 ms/);
  });

  test('resize up and down while tasks run; every task still completes', async () => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = makePool(1);
    const tasks = Array.from({length: 24}, (_, i) => pool.run(download(dataDir, `${site.base}/img/${i}.png?delay=40`)));
    await waitFor(() => pool.stats().busy === 1);
    expect(pool.stats()).toMatchObject({size: 1, targetSize: 1, queued: 23});

    pool.resize(4);
    expect(pool.stats()).toMatchObject({size: 4, targetSize: 4});
    await waitFor(() => pool.stats().busy === 4);

    pool.resize(2);
    // Busy threads finish their task before leaving, so size drops to the target later.
    expect(pool.stats().targetSize).toBe(2);
    await waitFor(() => pool.stats().size === 2);

    const results = await Promise.all(tasks);
    expect(results).toHaveLength(24);
    expect(new Set(results.map((r) => r.path)).size).toBe(24);
    const stats = pool.stats();
    expect(stats).toMatchObject({size: 2, targetSize: 2, busy: 0, queued: 0, completed: 24, failed: 0, restarts: 0});
    expect(stats.workers.reduce((sum, w) => sum + w.tasksDone, 0)).toBeLessThanOrEqual(24);
  });

  test('a crashed thread is replaced, its task fails, and the pool keeps working', async () => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = makePool(1);
    const slow = pool.run(download(dataDir, `${site.base}/img/1.png?delay=5000`));
    // Wait for the request to reach the site: the thread is then really running the task (a thread
    // killed before it has loaded hands its task to the next one instead of failing it).
    await waitFor(() => site.hits() === 1);
    const [victim] = pool.stats().workers;

    await pool.killWorkerForTest(victim!.id);
    await expect(slow).rejects.toThrow(/crashed while running a download task/);

    const stats = pool.stats();
    expect(stats).toMatchObject({size: 1, restarts: 1, failed: 1});
    expect(stats.workers[0]!.id).not.toBe(victim!.id);
    await expect(pool.run({kind: 'write-json', dataDir, relPath: 'after.json', value: [1]})).resolves.toMatchObject({bytes: 3});
  });

  test('a worker entry that cannot load fails tasks instead of respawning forever', async () => {
    const dir = await tempDir();
    const bad = path.join(dir, 'bad-worker.mjs');
    await writeFile(bad, "throw new Error('cannot load');\n");
    const pool = new FilePool({size: 1, workerUrl: pathToFileURL(bad)});
    onTestFinished(() => pool.destroy());
    await expect(pool.run({kind: 'write-json', dataDir: dir, relPath: 'x.json', value: 1})).rejects.toThrow(/failed to start 3 times/);
    expect(pool.stats().restarts).toBe(3);
  });

  test('queued tasks run in FIFO order, and maxQueued bounds the queue', async () => {
    const dataDir = await tempDir();
    const pool = new FilePool({size: 1, maxQueued: 5});
    onTestFinished(() => pool.destroy());
    const order: number[] = [];
    const tasks = Array.from({length: 6}, (_, i) =>
      pool.run({kind: 'write-json', dataDir, relPath: `${i}.json`, value: i}).then(() => order.push(i)),
    );
    // One running + five queued: the seventh has no room.
    await expect(pool.run({kind: 'write-json', dataDir, relPath: 'x.json', value: 1})).rejects.toThrow(/queue is full/);
    await Promise.all(tasks);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('aborting a queued task removes it from the queue', async () => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = makePool(1);
    const running = pool.run(download(dataDir, `${site.base}/img/1.png?delay=200`));
    const controller = new AbortController();
    const queued = pool.run({kind: 'write-json', dataDir, relPath: 'never.json', value: 1}, controller.signal);
    expect(pool.stats().queued).toBe(1);
    controller.abort(new Error('not needed any more'));
    await expect(queued).rejects.toThrow('not needed any more');
    expect(pool.stats().queued).toBe(0);
    await running;
    expect(await filesUnder(dataDir).then((f) => f.includes('never.json'))).toBe(false);
  });

  test('destroy() rejects queued tasks, lets the running one finish, and returns the same promise twice', async () => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = new FilePool({size: 1});
    const running = pool.run(download(dataDir, `${site.base}/img/1.png?delay=100`));
    const queued = pool.run({kind: 'write-json', dataDir, relPath: 'late.json', value: 1});
    await waitFor(() => pool.stats().busy === 1);

    const first = pool.destroy();
    const second = pool.destroy();
    expect(second).toBe(first);
    await expect(queued).rejects.toThrow(/destroyed before the task started/);
    await expect(running).resolves.toMatchObject({kind: 'download', isNew: true});
    await first;
    expect(pool.stats()).toMatchObject({size: 0, busy: 0, queued: 0});
    await expect(pool.run({kind: 'write-json', dataDir, relPath: 'x.json', value: 1})).rejects.toThrow(/destroyed/);
  });

  test('the main event loop stays responsive while the pool writes and downloads 200 files', async () => {
    const dataDir = await tempDir();
    const site = await startSite();
    const pool = makePool(2);
    const result = {url: 'http://127.0.0.1/p/1', links: Array.from({length: 300}, (_, i) => ({href: `/p/${i}`, text: `link ${i}`})), text: 'lorem ipsum '.repeat(2000)};

    const histogram = monitorEventLoopDelay({resolution: 1});
    histogram.enable();
    const done = await Promise.all(
      Array.from({length: 200}, (_, i) =>
        i % 2 === 0
          ? pool.run({kind: 'write-json', dataDir, relPath: `results/${i}.json`, value: {...result, i}})
          : pool.run(download(dataDir, `${site.base}/img/${i % 40}.png`)),
      ),
    );
    histogram.disable();

    expect(done).toHaveLength(200);
    // A loose sanity bound (a blocked loop shows seconds), not a speed target.
    const p99Ms = histogram.percentile(99) / 1e6;
    expect(p99Ms).toBeLessThan(200);
    expect(pool.stats()).toMatchObject({completed: 200, failed: 0});
  });
});
