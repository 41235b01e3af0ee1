/**
 * Capped, timed HTTP GET over undici, for the browserless scrape path.
 *
 * Every failure is thrown as one of the scrape errors ({@link PermanentScrapeError},
 * {@link RetryableScrapeError}, {@link ScrapeTimeoutError}) so the queue layer can decide retries
 * without looking at undici or zlib error codes. The one exception is an abort through
 * `options.signal`: its reason is rethrown untouched, because the caller asked for it.
 */
import {performance} from 'node:perf_hooks';
import type {Transform} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import {createBrotliDecompress, createGunzip, createInflate} from 'node:zlib';
import {Agent, request, type Dispatcher} from 'undici';
import {PermanentScrapeError, RetryableScrapeError, ScrapeTimeoutError, errorForStatus} from './scrape-errors.js';

/** Options for {@link httpFetch}. All are required except where marked; defaults live in `src/config`. */
export interface HttpFetchOptions {
  /** Give up on establishing a TCP/TLS connection after this long (a retryable timeout). */
  connectTimeoutMs: number;
  /** Give up on the whole fetch (every redirect hop and the body) after this long. */
  totalTimeoutMs: number;
  /** Redirects followed before failing with "too many redirects". 0 follows none. */
  maxRedirects: number;
  /** Largest body we accept, measured after decompression. Bigger bodies fail permanently. */
  maxBodyBytes: number;
  /** Sent as the `user-agent` header. */
  userAgent: string;
  /** Aborting it cancels the fetch; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Read the body only for these content types (default: text/html, application/xhtml+xml,
   * application/json, +json, text/plain, text/xml, application/xml, and a missing content type).
   * Others: body not read, `bodySkipped: true`. Receives the lowercased mime type without parameters.
   */
  readBodyFor?: (contentType: string) => boolean;
}

/** What {@link httpFetch} resolves with: a final 2xx (or a 3xx without `Location`, e.g. 304) response. */
export interface HttpFetchResult {
  /** The URL as passed to {@link httpFetch}. */
  url: string;
  /** The URL the final response came from (after redirects; serialised by WHATWG URL, no fragment). */
  finalUrl: string;
  status: number;
  /** Lowercased mime type without parameters, e.g. `text/html`; `''` when the server sent none. */
  contentType: string;
  /** Lowercased `charset` parameter of the content type, when present. */
  charset?: string;
  /** Final response headers, names lowercased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The decompressed body; `undefined` when `bodySkipped`. */
  body: Buffer | undefined;
  /** True when `readBodyFor` declined the content type and the body was discarded unread. */
  bodySkipped: boolean;
  /** Every URL we were redirected to, in order; the last one equals `finalUrl`. Empty without redirects. */
  redirects: string[];
  timings: {
    /** Wall-clock start (epoch ms). */
    startedAtMs: number;
    /** From the start until the final response's headers arrived (includes redirect hops). */
    ttfbMs: number;
    /** From the start until the body was read (or discarded). */
    totalMs: number;
  };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Bodies we don't want (redirects, errors, images) are read up to this much so the socket can be reused, then the socket is dropped. */
const DISCARD_LIMIT_BYTES = 64 * 1024;

const READABLE_TYPES = new Set([
  '',
  'text/html',
  'application/xhtml+xml',
  'application/json',
  'text/plain',
  'text/xml',
  'application/xml',
]);

/** The default for {@link HttpFetchOptions.readBodyFor}. */
function defaultReadBodyFor(contentType: string): boolean {
  return READABLE_TYPES.has(contentType) || contentType.endsWith('+json');
}

/**
 * One keep-alive agent per connect timeout; in practice one per process, since the timeout comes
 * from settings. Created lazily so importing this module opens nothing. This module owns them:
 * call {@link closeHttpAgents} at shutdown.
 */
const agents = new Map<number, Agent>();

function agentFor(connectTimeoutMs: number): Agent {
  let agent = agents.get(connectTimeoutMs);
  if (agent === undefined) {
    agent = new Agent({connect: {timeout: connectTimeoutMs}, keepAliveTimeout: 4_000});
    agents.set(connectTimeoutMs, agent);
  }
  return agent;
}

/**
 * Closes the shared undici agents (waits for requests in flight). Safe to call more than once; a
 * later {@link httpFetch} creates a fresh agent.
 */
export async function closeHttpAgents(): Promise<void> {
  const closing = [...agents.values()];
  agents.clear();
  await Promise.allSettled(closing.map((agent) => agent.close()));
}

/**
 * GETs `url`, following up to `maxRedirects` redirects by hand, and reads the (decompressed) body
 * up to `maxBodyBytes` when `readBodyFor` accepts its content type.
 *
 * @throws {PermanentScrapeError} invalid or non-http(s) URL, redirect loop, too many redirects,
 * body over `maxBodyBytes` (by content-length or while streaming), undecodable body, 4xx other than 408/429.
 * @throws {RetryableScrapeError} 408, 429, 5xx (with `retryAfterMs` for 429/503), network errors.
 * @throws {ScrapeTimeoutError} connect timeout, or the fetch took longer than `totalTimeoutMs`.
 */
export async function httpFetch(url: string, options: HttpFetchOptions): Promise<HttpFetchResult> {
  const startedAtMs = Date.now();
  const t0 = performance.now();
  const outer = options.signal;
  outer?.throwIfAborted();

  const start = parseHttpUrl(url, url);
  let current = start;
  const redirects: string[] = [];
  const seen = new Set([current]);

  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new ScrapeTimeoutError(`timed out after ${options.totalTimeoutMs} ms`)),
    options.totalTimeoutMs,
  );
  timer.unref();
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, {once: true});

  const dispatcher = agentFor(options.connectTimeoutMs);
  try {
    for (;;) {
      const response = await request(current, {
        dispatcher,
        method: 'GET',
        headers: {
          'user-agent': options.userAgent,
          accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
          'accept-encoding': 'gzip, deflate, br',
        },
        signal: controller.signal,
        // Backstops for our own timer; undici reports them as its own error codes, mapped below.
        headersTimeout: options.totalTimeoutMs,
        bodyTimeout: options.totalTimeoutMs,
      });
      const {statusCode: status, body} = response;
      const headers = flattenHeaders(response.headers);

      const location = headers['location'];
      if (REDIRECT_STATUSES.has(status) && location !== undefined) {
        await discard(body, controller.signal);
        const next = parseHttpUrl(location, url, current);
        if (seen.has(next)) {
          throw new PermanentScrapeError(`redirect loop: ${[start, ...redirects, next].join(' -> ')}`, {status});
        }
        if (redirects.length >= options.maxRedirects) {
          throw new PermanentScrapeError(`too many redirects (${options.maxRedirects})`, {status});
        }
        seen.add(next);
        redirects.push(next);
        current = next;
        continue;
      }

      const ttfbMs = Math.round(performance.now() - t0);
      const statusError = errorForStatus(status, headers['retry-after']);
      if (statusError !== undefined) {
        await discard(body, controller.signal);
        throw statusError;
      }

      const {contentType, charset} = parseContentType(headers['content-type']);
      const readBodyFor = options.readBodyFor ?? defaultReadBodyFor;
      let wanted: boolean;
      try {
        wanted = readBodyFor(contentType);
      } catch (error) {
        destroyBody(body); // a throwing predicate must not leak the socket
        throw error;
      }
      let content: Buffer | undefined;
      let bodySkipped = false;
      if (wanted) {
        content = await readCapped(body, headers, options.maxBodyBytes);
      } else {
        bodySkipped = true;
        await discard(body, controller.signal);
      }

      const result: HttpFetchResult = {
        url,
        finalUrl: current,
        status,
        contentType,
        headers,
        body: content,
        bodySkipped,
        redirects,
        timings: {startedAtMs, ttfbMs, totalMs: Math.round(performance.now() - t0)},
      };
      if (charset !== undefined) result.charset = charset;
      return result;
    }
  } catch (error) {
    // Whatever undici or zlib threw after an abort is a symptom; the reason (our timeout, or the
    // caller's signal) is the cause.
    if (controller.signal.aborted) throw controller.signal.reason;
    throw toScrapeError(error, current, options);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/** Parses (and resolves) an http(s) URL for requesting; the fragment is dropped since it is never sent. */
function parseHttpUrl(input: string, originalUrl: string, base?: string): string {
  let parsed: URL;
  try {
    parsed = base === undefined ? new URL(input) : new URL(input, base);
  } catch (error) {
    const what = base === undefined ? `invalid URL "${input}"` : `invalid redirect location "${input}" from ${base}`;
    throw new PermanentScrapeError(what, {cause: error});
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    const where = base === undefined ? '' : ` (redirected from ${originalUrl})`;
    throw new PermanentScrapeError(`unsupported scheme "${parsed.protocol}" in ${parsed.href}${where}`);
  }
  parsed.hash = '';
  return parsed.href;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseContentType(header: string | undefined): {contentType: string; charset?: string} {
  if (header === undefined) return {contentType: ''};
  const [mime = '', ...params] = header.split(';');
  const contentType = mime.trim().toLowerCase();
  for (const param of params) {
    const match = /^\s*charset\s*=\s*"?([^";\s]+)"?\s*$/i.exec(param);
    if (match?.[1]) return {contentType, charset: match[1].toLowerCase()};
  }
  return {contentType};
}

/**
 * Gets rid of a body we won't use. undici keeps the socket busy until the body is consumed or
 * destroyed, so an ignored body leaks a connection: read a little (so small bodies keep the
 * keep-alive socket), destroy beyond that.
 */
async function discard(body: Dispatcher.ResponseData['body'], signal: AbortSignal): Promise<void> {
  try {
    await body.dump({limit: DISCARD_LIMIT_BYTES, signal});
  } catch {
    destroyBody(body);
  }
}

/**
 * Destroys a body we gave up on. undici turns a plain destroy() of an unfinished body into an
 * 'error' event (RequestAbortedError), which is an uncaught exception when nobody listens.
 */
function destroyBody(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * Streams the body through the decoders its content-encoding needs and collects it, failing as
 * soon as the decoded total passes the cap, so neither a huge body nor a zip bomb is ever held
 * in memory whole.
 */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  headers: Record<string, string>,
  maxBodyBytes: number,
): Promise<Buffer> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    destroyBody(body);
    throw new PermanentScrapeError(
      `body too large: content-length ${declared} bytes is over the ${maxBodyBytes}-byte cap`,
    );
  }

  const encodings = (headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  let decoders: Transform[];
  try {
    // Content-Encoding lists codings in the order they were applied; undo them in reverse.
    decoders = encodings.reverse().map(createDecoder);
  } catch (error) {
    destroyBody(body);
    throw error;
  }

  const chunks: Buffer[] = [];
  let total = 0;
  // pipeline may reject with the AbortError of a stage it tore down rather than with the error
  // that made it tear them down, so the cap error is kept aside.
  let overCap: PermanentScrapeError | undefined;
  const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > maxBodyBytes) {
        overCap = new PermanentScrapeError(`body too large: more than the ${maxBodyBytes}-byte cap`);
        throw overCap;
      }
      chunks.push(chunk);
    }
  };
  try {
    // pipeline destroys every stage (and so undici's socket) when `collect` throws. Its typings
    // have no overload for "readable, any number of transforms, async sink", hence the cast.
    await (pipeline as (...stages: unknown[]) => Promise<void>)(body, ...decoders, collect);
  } catch (error) {
    destroyBody(body);
    throw overCap ?? decodeError(error, encodings);
  }
  return Buffer.concat(chunks, total);
}

function createDecoder(encoding: string): Transform {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    // RFC 9110 "deflate" is zlib-wrapped; the rare server sending raw deflate fails as undecodable.
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      throw new PermanentScrapeError(`unsupported content-encoding "${encoding}"`);
  }
}

function decodeError(error: unknown, encodings: readonly string[]): unknown {
  const code = errorCode(error);
  // zlib reports Z_* codes; brotli reports its own error names, e.g. ERR__ERROR_FORMAT_PADDING_1.
  if (code === undefined || !(code.startsWith('Z_') || code.startsWith('ERR__ERROR_'))) return error;
  const message = error instanceof Error ? error.message : String(error);
  // A body cut short is usually a dropped connection: worth another try. Garbage is not.
  if (code === 'Z_BUF_ERROR') {
    return new RetryableScrapeError(`truncated ${encodings.join(', ')} body (${code}): ${message}`, {cause: error});
  }
  return new PermanentScrapeError(`cannot decode ${encodings.join(', ')} body (${code}): ${message}`, {cause: error});
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Codes that say the server speaks broken HTTP; retrying will not fix it. */
function isProtocolError(code: string): boolean {
  return code.startsWith('HPE_') || code === 'UND_ERR_HEADERS_OVERFLOW' || code === 'UND_ERR_INVALID_ARG';
}

function toScrapeError(error: unknown, url: string, options: HttpFetchOptions): unknown {
  if (error instanceof PermanentScrapeError || error instanceof RetryableScrapeError) return error;
  const code = errorCode(error);
  if (code === undefined) return error; // not a network failure: a bug, let it surface as is
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new ScrapeTimeoutError(`connect timed out after ${options.connectTimeoutMs} ms: ${url}`, {cause: error});
  }
  if (TIMEOUT_CODES.has(code)) {
    // undici's own header/body timers are set to the total timeout as a backstop; when one of
    // them wins the race against ours, report it the same way.
    return new ScrapeTimeoutError(`timed out after ${options.totalTimeoutMs} ms`, {cause: error});
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isProtocolError(code)) {
    return new PermanentScrapeError(`bad HTTP response (${code}) from ${url}: ${message}`, {cause: error});
  }
  // undici wraps socket failures (UND_ERR_SOCKET); the system code underneath is the useful part.
  const causeCode = errorCode(error instanceof Error ? error.cause : undefined);
  const codes = causeCode !== undefined && causeCode !== code ? `${causeCode}, ${code}` : code;
  return new RetryableScrapeError(`network error (${codes}) fetching ${url}: ${message}`, {cause: error});
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const {code} = error as {code: unknown};
  return typeof code === 'string' ? code : undefined;
}
