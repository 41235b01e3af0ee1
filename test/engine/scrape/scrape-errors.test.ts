import {describe, expect, test} from 'vitest';
import {
  PermanentScrapeError,
  RetryableScrapeError,
  ScrapeTimeoutError,
  errorForStatus,
  parseRetryAfterMs,
} from '../../../src/engine/scrape/scrape-errors.js';

const NOW_MS = Date.parse('2025-01-01T12:00:00Z');

describe('parseRetryAfterMs', () => {
  test.each([
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['2', 2000],
    [' 120 ', 120_000],
    ['0', 0],
    ['86400', 3_600_000], // capped at one hour
    ['Wed, 01 Jan 2025 12:00:30 GMT', 30_000],
    ['Wed, 01 Jan 2025 11:00:00 GMT', 0], // in the past
    ['Thu, 02 Jan 2025 12:00:00 GMT', 3_600_000],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
  ])('%j -> %j', (header, expected) => {
    expect(parseRetryAfterMs(header, NOW_MS)).toBe(expected);
  });
});

describe('errorForStatus', () => {
  test.each([200, 204, 301, 304, 399])('%i is not an error', (status) => {
    expect(errorForStatus(status)).toBeUndefined();
  });

  test.each([400, 401, 403, 404, 410, 451, 100, 600])('%i is permanent', (status) => {
    const error = errorForStatus(status);
    expect(error).toBeInstanceOf(PermanentScrapeError);
    expect((error as PermanentScrapeError).status).toBe(status);
  });

  test.each([408, 429, 500, 502, 503, 504, 599])('%i is retryable', (status) => {
    const error = errorForStatus(status);
    expect(error).toBeInstanceOf(RetryableScrapeError);
    expect(error).not.toBeInstanceOf(ScrapeTimeoutError);
    expect((error as RetryableScrapeError).status).toBe(status);
  });

  test('the message names the status', () => {
    expect(errorForStatus(404)?.message).toBe('HTTP 404 Not Found');
    expect(errorForStatus(503)?.message).toBe('HTTP 503 Service Unavailable');
    expect(errorForStatus(599)?.message).toBe('HTTP 599');
  });

  test('429 and 503 carry Retry-After; other statuses ignore it', () => {
    expect((errorForStatus(429, '7') as RetryableScrapeError).retryAfterMs).toBe(7000);
    expect((errorForStatus(503, '2') as RetryableScrapeError).retryAfterMs).toBe(2000);
    expect((errorForStatus(503) as RetryableScrapeError).retryAfterMs).toBeUndefined();
    expect((errorForStatus(500, '2') as RetryableScrapeError).retryAfterMs).toBeUndefined();
  });
});

describe('error classes', () => {
  test('have names, optional fields and causes', () => {
    const cause = new Error('socket');
    const timeout = new ScrapeTimeoutError('timed out after 5 ms', {cause});
    expect(timeout).toBeInstanceOf(RetryableScrapeError);
    expect(timeout.name).toBe('ScrapeTimeoutError');
    expect(timeout.cause).toBe(cause);
    expect(timeout.status).toBeUndefined();
    expect(new RetryableScrapeError('x').name).toBe('RetryableScrapeError');
    const permanent = new PermanentScrapeError('HTTP 404 Not Found', {status: 404});
    expect(permanent.name).toBe('PermanentScrapeError');
    expect(permanent.status).toBe(404);
    expect(permanent).not.toBeInstanceOf(RetryableScrapeError);
  });
});
