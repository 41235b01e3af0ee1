/**
 * The scrape layer's error vocabulary. The queue layer only needs one question answered: retry or
 * not? {@link PermanentScrapeError} means "don't" (bullmq `UnrecoverableError` territory),
 * {@link RetryableScrapeError} means "try again later", honouring `retryAfterMs` when set.
 */
import {STATUS_CODES} from 'node:http';

/** Upper bound for a server-supplied Retry-After: a hostile or buggy header must not park a job for days. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * A failure that will not go away by retrying: a 4xx other than 408/429, an invalid URL or
 * unsupported scheme, a redirect loop, too many redirects, a body over the size cap.
 */
export class PermanentScrapeError extends Error {
  override readonly name: string = 'PermanentScrapeError';
  /** The HTTP status that caused it, when it came from a response. */
  readonly status?: number;

  constructor(message: string, options: {status?: number; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    if (options.status !== undefined) this.status = options.status;
  }
}

/** A failure that may go away: 408, 429, 5xx, network errors, timeouts. */
export class RetryableScrapeError extends Error {
  override readonly name: string = 'RetryableScrapeError';
  /** The HTTP status that caused it, when it came from a response. */
  readonly status?: number;
  /** How long the server asked us to wait (Retry-After), capped at one hour. */
  readonly retryAfterMs?: number;

  constructor(message: string, options: {status?: number; retryAfterMs?: number; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** The connection, the response headers or the whole fetch took longer than allowed. */
export class ScrapeTimeoutError extends RetryableScrapeError {
  override readonly name: string = 'ScrapeTimeoutError';
}

/**
 * Parses a Retry-After header (delay in seconds, or an HTTP date) into milliseconds from `nowMs`.
 * Dates in the past give 0; anything above one hour is capped at one hour.
 *
 * @returns `undefined` when the header is missing or unparseable.
 */
export function parseRetryAfterMs(header: string | undefined, nowMs = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  let delayMs: number;
  if (/^\d+$/.test(value)) {
    delayMs = Number(value) * 1000;
  } else {
    // Date.parse accepts far more than IMF-fixdate; require a letter so "1.5" or "-3" are rejected
    // rather than read as a year.
    if (!/[a-z]/i.test(value)) return undefined;
    const atMs = Date.parse(value);
    if (Number.isNaN(atMs)) return undefined;
    delayMs = Math.max(0, atMs - nowMs);
  }
  return Math.min(delayMs, MAX_RETRY_AFTER_MS);
}

/**
 * The error for a final (post-redirect) response status, or `undefined` when it is not an error.
 *
 * - 2xx, 3xx: `undefined`.
 * - 408, 429, 5xx: {@link RetryableScrapeError}; 429 and 503 carry `retryAfterMs` from the header.
 * - any other status (4xx, and the odd 1xx/6xx+): {@link PermanentScrapeError}.
 */
export function errorForStatus(status: number, retryAfterHeader?: string): Error | undefined {
  if (status >= 200 && status < 400) return undefined;
  const reason = STATUS_CODES[status];
  const message = reason ? `HTTP ${status} ${reason}` : `HTTP ${status}`;
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfterMs(retryAfterHeader);
    return new RetryableScrapeError(message, retryAfterMs === undefined ? {status} : {status, retryAfterMs});
  }
  if (status === 408 || (status >= 500 && status < 600)) return new RetryableScrapeError(message, {status});
  return new PermanentScrapeError(message, {status});
}
