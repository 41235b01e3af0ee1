import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {brotliCompressSync, deflateSync, gzipSync} from 'node:zlib';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {closeHttpAgents, httpFetch, type HttpFetchOptions} from '../../../src/engine/scrape/http-fetch.js';
import {PermanentScrapeError, RetryableScrapeError, ScrapeTimeoutError} from '../../../src/engine/scrape/scrape-errors.js';

const HTML = '<!doctype html><html><head><title>Hello</title></head><body><p>hi there</p></body></html>';
const MB = 1024 * 1024;
const BIG_BODY_BYTES = 50 * MB;

/** What the server saw of the last /big response. */
interface StreamReport {
  bytesWritten: number;
  finished: boolean;
}

let server: Server;
let base: string;
let bigReport: Promise<StreamReport> = Promise.resolve({bytesWritten: 0, finished: false});
let declaredBigClosed: Promise<boolean> = Promise.resolve(false);
let retryAtDate = '';

/** Streams `total` bytes of "a" without content-length, respecting back-pressure; reports when the response closes. */
function streamBig(res: ServerResponse, total: number): Promise<StreamReport> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let bytesWritten = 0;
    let closed = false;
    res.writeHead(200, {'content-type': 'text/html'});
    res.on('close', () => {
      closed = true;
      resolve({bytesWritten, finished: res.writableFinished});
    });
    const pump = (): void => {
      while (!closed && bytesWritten < total) {
        bytesWritten += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  });
}

function route(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  const redirect = (status: number, location: string): void => {
    res.writeHead(status, {location, 'content-type': 'text/html'}).end('<a href="x">moved</a>');
  };
  switch (path) {
    case '/html':
      res.writeHead(200, {'content-type': 'Text/HTML; Charset="ISO-8859-1"', 'x-test': 'yes'});
      res.end(HTML);
      return;
    case '/headers':
      res.writeHead(200, {'content-type': 'application/json'});
      res.end(JSON.stringify(req.headers));
      return;
    case '/r/1':
      return redirect(301, '/r/2');
    case '/r/2':
      return redirect(302, 'http://127.0.0.1:' + (server.address() as AddressInfo).port + '/r/3#frag');
    case '/r/3':
      return redirect(307, '../html');
    case '/loop/a':
      return redirect(302, '/loop/b');
    case '/loop/b':
      return redirect(302, '/loop/a');
    case '/to-ftp':
      return redirect(302, 'ftp://127.0.0.1/file');
    case '/no-location':
      res.writeHead(304).end();
      return;
    case '/404':
      res.writeHead(404, {'content-type': 'text/html'}).end('<h1>not here</h1>');
      return;
    case '/503':
      res.writeHead(503, {'retry-after': '2', 'content-type': 'text/plain'}).end('busy');
      return;
    case '/429':
      res.writeHead(429, {'retry-after': retryAtDate, 'content-type': 'text/plain'}).end('slow down');
      return;
    case '/big':
      bigReport = streamBig(res, BIG_BODY_BYTES);
      return;
    case '/big-declared':
      declaredBigClosed = new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
      res.writeHead(200, {'content-type': 'text/html', 'content-length': String(BIG_BODY_BYTES)});
      res.write(Buffer.alloc(64 * 1024, 'a')); // then stall: the client must not wait for the rest
      return;
    case '/gzip':
      res.writeHead(200, {'content-type': 'text/html', 'content-encoding': 'gzip'}).end(gzipSync(HTML));
      return;
    case '/br':
      res.writeHead(200, {'content-type': 'text/html', 'content-encoding': 'br'}).end(brotliCompressSync(HTML));
      return;
    case '/deflate':
      res.writeHead(200, {'content-type': 'text/html', 'content-encoding': 'deflate'}).end(deflateSync(HTML));
      return;
    case '/bomb': {
      // ~50 KB on the wire, 50 MB once inflated.
      const bomb = gzipSync(Buffer.alloc(BIG_BODY_BYTES));
      res.writeHead(200, {'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': String(bomb.length)});
      res.end(bomb);
      return;
    }
    case '/bad-gzip':
      res.writeHead(200, {'content-type': 'text/html', 'content-encoding': 'gzip'}).end('this is not gzip');
      return;
    case '/weird-encoding':
      res.writeHead(200, {'content-type': 'text/html', 'content-encoding': 'zstd-ish'}).end('x');
      return;
    case '/image':
      res.writeHead(200, {'content-type': 'image/png'}).end(Buffer.alloc(200 * 1024, 7));
      return;
    case '/hang':
      return; // never answers
    case '/hang-body':
      res.writeHead(200, {'content-type': 'text/html'});
      res.write('<html><body>'); // headers and a little body, then nothing
      return;
    case '/reset':
      req.socket.destroy();
      return;
    case '/reset-body':
      res.writeHead(200, {'content-type': 'text/html'});
      res.write('<html><body>', () => res.destroy());
      return;
    default:
      res.writeHead(500).end();
  }
}

const OPTIONS: HttpFetchOptions = {
  connectTimeoutMs: 2_000,
  totalTimeoutMs: 10_000,
  maxRedirects: 5,
  maxBodyBytes: 1 * MB,
  userAgent: 'crawler-tui-test/1.0',
};

/** Runs `promise` and returns what it rejected with (fails the test when it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await closeHttpAgents();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('httpFetch', () => {
  test('fetches an HTML page with its content type, charset, headers and timings', async () => {
    const result = await httpFetch(`${base}/html`, OPTIONS);
    expect(result.status).toBe(200);
    expect(result.url).toBe(`${base}/html`);
    expect(result.finalUrl).toBe(`${base}/html`);
    expect(result.contentType).toBe('text/html');
    expect(result.charset).toBe('iso-8859-1');
    expect(result.headers['x-test']).toBe('yes');
    expect(result.body?.toString('utf8')).toBe(HTML);
    expect(result.bodySkipped).toBe(false);
    expect(result.redirects).toEqual([]);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.ttfbMs);
    expect(result.timings.startedAtMs).toBeLessThanOrEqual(Date.now());
  });

  test('sends the user agent and accept-encoding', async () => {
    const result = await httpFetch(`${base}/headers`, OPTIONS);
    expect(result.charset).toBeUndefined();
    const sent = JSON.parse(result.body!.toString('utf8')) as Record<string, string>;
    expect(sent['user-agent']).toBe('crawler-tui-test/1.0');
    expect(sent['accept-encoding']).toBe('gzip, deflate, br');
  });

  test('follows a redirect chain, resolving relative locations', async () => {
    const result = await httpFetch(`${base}/r/1`, OPTIONS);
    expect(result.status).toBe(200);
    expect(result.finalUrl).toBe(`${base}/html`);
    expect(result.redirects).toEqual([`${base}/r/2`, `${base}/r/3`, `${base}/html`]);
    expect(result.body?.toString('utf8')).toBe(HTML);
  });

  test('stops at maxRedirects', async () => {
    const error = await rejectionOf(httpFetch(`${base}/r/1`, {...OPTIONS, maxRedirects: 2}));
    expect(error).toBeInstanceOf(PermanentScrapeError);
    expect((error as Error).message).toBe('too many redirects (2)');
  });

  test('detects a redirect loop', async () => {
    const error = await rejectionOf(httpFetch(`${base}/loop/a`, OPTIONS));
    expect(error).toBeInstanceOf(PermanentScrapeError);
    expect((error as Error).message).toBe(`redirect loop: ${base}/loop/a -> ${base}/loop/b -> ${base}/loop/a`);
  });

  test('refuses to follow a redirect to a non-http scheme', async () => {
    const error = await rejectionOf(httpFetch(`${base}/to-ftp`, OPTIONS));
    expect(error).toBeInstanceOf(PermanentScrapeError);
    expect((error as Error).message).toMatch(/unsupported scheme "ftp:"/);
  });

  test('rejects invalid and non-http URLs before any traffic', async () => {
    await expect(httpFetch('not a url', OPTIONS)).rejects.toBeInstanceOf(PermanentScrapeError);
    await expect(httpFetch('ftp://127.0.0.1/x', OPTIONS)).rejects.toThrow(/unsupported scheme/);
  });

  test('returns a 3xx without Location as the final response', async () => {
    const result = await httpFetch(`${base}/no-location`, OPTIONS);
    expect(result.status).toBe(304);
    expect(result.body?.length).toBe(0);
  });

  test('404 is permanent', async () => {
    const error = await rejectionOf(httpFetch(`${base}/404`, OPTIONS));
    expect(error).toBeInstanceOf(PermanentScrapeError);
    expect((error as PermanentScrapeError).status).toBe(404);
    expect((error as Error).message).toBe('HTTP 404 Not Found');
  });

  test('503 with Retry-After seconds is retryable with retryAfterMs', async () => {
    const error = await rejectionOf(httpFetch(`${base}/503`, OPTIONS));
    expect(error).toBeInstanceOf(RetryableScrapeError);
    expect((error as RetryableScrapeError).status).toBe(503);
    expect((error as RetryableScrapeError).retryAfterMs).toBe(2000);
  });

  test('429 with an HTTP-date Retry-After is retryable with retryAfterMs', async () => {
    retryAtDate = new Date(Date.now() + 30_000).toUTCString();
    const error = await rejectionOf(httpFetch(`${base}/429`, OPTIONS));
    expect(error).toBeInstanceOf(RetryableScrapeError);
    expect((error as RetryableScrapeError).status).toBe(429);
    // HTTP dates have one-second resolution.
    expect((error as RetryableScrapeError).retryAfterMs).toBeGreaterThan(25_000);
    expect((error as RetryableScrapeError).retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  test('a 50 MB body without content-length is cut off at the cap, not buffered', async () => {
    const rssBefore = process.memoryUsage().rss;
    const error = await rejectionOf(httpFetch(`${base}/big`, OPTIONS));
    expect(error).toBeInstanceOf(PermanentScrapeError);
    expect((error as Error).message).toMatch(/body too large/);
    const report = await bigReport;
    expect(report.finished).toBe(false); // the client closed the socket before the server was done
    expect(report.bytesWritten).toBeLessThan(20 * MB);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(40 * MB);
  });

  test('a declared content-length over the cap is rejected without reading the body', async () => {
    const error = await rejectionOf(httpFetch(`${base}/big-declared`, OPTIONS));
    expect(error).toBeInstanceOf(PermanentScrapeError);
    expect((error as Error).message).toMatch(/content-length 52428800 bytes is over the 1048576-byte cap/);
    expect(await declaredBigClosed).toBe(true);
  });

  test.each(['gzip', 'br', 'deflate'])('decompresses a %s body', async (encoding) => {
    const result = await httpFetch(`${base}/${encoding}`, OPTIONS);
    expect(result.headers['content-encoding']).toBe(encoding);
    expect(result.body?.toString('utf8')).toBe(HTML);
  });

  test('applies the cap to the decompressed size (zip bomb)', async () => {
    const error = await rejectionOf(httpFetch(`${base}/bomb`, OPTIONS));
    expect(error).toBeInstanceOf(PermanentScrapeError);
    expect((error as Error).message).toMatch(/body too large: more than the 1048576-byte cap/);
  });

  test('a body that does not decode is permanent', async () => {
    await expect(httpFetch(`${base}/bad-gzip`, OPTIONS)).rejects.toThrow(/cannot decode gzip body \(Z_DATA_ERROR\)/);
    await expect(httpFetch(`${base}/weird-encoding`, OPTIONS)).rejects.toThrow(/unsupported content-encoding "zstd-ish"/);
  });

  test('skips bodies of content types it does not read', async () => {
    const result = await httpFetch(`${base}/image`, OPTIONS);
    expect(result.status).toBe(200);
    expect(result.contentType).toBe('image/png');
    expect(result.bodySkipped).toBe(true);
    expect(result.body).toBeUndefined();
  });

  test('readBodyFor decides which bodies are read', async () => {
    const image = await httpFetch(`${base}/image`, {...OPTIONS, readBodyFor: (type) => type.startsWith('image/')});
    expect(image.body?.length).toBe(200 * 1024);
    const html = await httpFetch(`${base}/html`, {...OPTIONS, readBodyFor: () => false});
    expect(html.bodySkipped).toBe(true);
  });

  test('unread and error bodies do not leak connections', async () => {
    // Far more requests than sockets undici would keep if bodies were left hanging.
    for (let i = 0; i < 30; i++) {
      const paths = ['/image', '/404', '/r/3', '/big-declared'];
      await httpFetch(`${base}${paths[i % paths.length]}`, OPTIONS).catch(() => undefined);
    }
    const result = await httpFetch(`${base}/html`, {...OPTIONS, totalTimeoutMs: 2_000});
    expect(result.status).toBe(200);
  });

  test('a server that never answers times out', async () => {
    const error = await rejectionOf(httpFetch(`${base}/hang`, {...OPTIONS, totalTimeoutMs: 300}));
    expect(error).toBeInstanceOf(ScrapeTimeoutError);
    expect(error).toBeInstanceOf(RetryableScrapeError);
    expect((error as Error).message).toBe('timed out after 300 ms');
  });

  test('a body that stalls times out', async () => {
    const error = await rejectionOf(httpFetch(`${base}/hang-body`, {...OPTIONS, totalTimeoutMs: 300}));
    expect(error).toBeInstanceOf(ScrapeTimeoutError);
  });

  test('an abort through options.signal rejects with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 50);
    const error = await rejectionOf(httpFetch(`${base}/hang`, {...OPTIONS, signal: controller.signal}));
    expect(error).toBe(reason);
  });

  test('an already aborted signal rejects at once', async () => {
    const reason = new Error('too late');
    const error = await rejectionOf(httpFetch(`${base}/html`, {...OPTIONS, signal: AbortSignal.abort(reason)}));
    expect(error).toBe(reason);
  });

  test('a connection reset is retryable and names the code', async () => {
    const error = await rejectionOf(httpFetch(`${base}/reset`, OPTIONS));
    expect(error).toBeInstanceOf(RetryableScrapeError);
    expect(error).not.toBeInstanceOf(ScrapeTimeoutError);
    expect((error as Error).message).toMatch(/network error \(.*(ECONNRESET|UND_ERR_SOCKET).*\)/);
  });

  test('a connection dropped in the middle of the body is retryable', async () => {
    const error = await rejectionOf(httpFetch(`${base}/reset-body`, OPTIONS));
    expect(error).toBeInstanceOf(RetryableScrapeError);
    expect((error as Error).message).toMatch(/network error/);
  });

  test('a refused connection is retryable and names ECONNREFUSED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejectionOf(httpFetch(`http://127.0.0.1:${port}/`, OPTIONS));
    expect(error).toBeInstanceOf(RetryableScrapeError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  test('closeHttpAgents can be called twice, and a later fetch gets a fresh agent', async () => {
    await closeHttpAgents();
    await closeHttpAgents();
    const result = await httpFetch(`${base}/html`, OPTIONS);
    expect(result.status).toBe(200);
  });
});
