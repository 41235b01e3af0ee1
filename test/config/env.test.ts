import {describe, expect, test} from 'vitest';

import {
  crawlerEnvName,
  envNamesFor,
  settingsFromEnv,
  unknownCrawlerEnvNames,
} from '../../src/config/env.js';
import {UserError} from '../../src/errors.js';

describe('crawlerEnvName', () => {
  test.each([
    ['scrape.attempts', 'CRAWLER_SCRAPE_ATTEMPTS'],
    ['dataDir', 'CRAWLER_DATA_DIR'],
    ['monitor.memoryThresholdRatio', 'CRAWLER_MONITOR_MEMORY_THRESHOLD_RATIO'],
    ['scrape.maxBodyBytes', 'CRAWLER_SCRAPE_MAX_BODY_BYTES'],
  ] as const)('%s -> %s', (key, name) => {
    expect(crawlerEnvName(key)).toBe(name);
  });

  test('the seed names come first, CRAWLER_<KEY> last and once', () => {
    expect(envNamesFor('redis.url')).toEqual(['REDIS_URL', 'CRAWLER_REDIS_URL']);
    expect(envNamesFor('dataDir')).toEqual(['CRAWLER_DATA_DIR']);
    expect(envNamesFor('scrape.mode')).toEqual(['CRAWLER_SCRAPE_MODE']);
  });
});

describe('settingsFromEnv', () => {
  test('honours the seed systems\u2019 variable names', () => {
    expect(
      settingsFromEnv({
        REDIS_URL: 'redis://:pw@redis.internal:6379/2',
        REDIS_HOST: 'redis.internal',
        REDIS_PORT: '6380',
        WORKER_CONCURRENCY: '8',
        MAX_CONCURRENT_TASKS: '4',
        MEMORY_THRESHOLD: '85',
        MAX_JOB_DURATION: '120000',
        SCRAPER_RETRY_ATTEMPTS: '5',
        CRAWLER_MAX_PAGES: '250',
        LOG_LEVEL: 'debug',
        PUPPETEER_EXECUTABLE_PATH: '/usr/bin/chromium',
        CRAWLER_CRON: '*/10 * * * *',
        CRAWLER_PREFIX: 'fleet-a',
        CRAWLER_DATA_DIR: '/srv/crawler',
      }),
    ).toEqual({
      'redis.url': 'redis://:pw@redis.internal:6379/2',
      'redis.host': 'redis.internal',
      'redis.port': 6380,
      'scrape.concurrency': 8,
      'files.workers': 4,
      'monitor.memoryThresholdRatio': 0.85,
      'scrape.timeoutMs': 120_000,
      'scrape.attempts': 5,
      'crawl.maxPages': 250,
      'log.level': 'debug',
      'browser.executablePath': '/usr/bin/chromium',
      'schedule.cron': '*/10 * * * *',
      'redis.prefix': 'fleet-a',
      dataDir: '/srv/crawler',
    });
  });

  test('MEMORY_THRESHOLD takes a ratio or a percentage', () => {
    expect(settingsFromEnv({MEMORY_THRESHOLD: '0.85'})).toEqual({'monitor.memoryThresholdRatio': 0.85});
    expect(settingsFromEnv({MEMORY_THRESHOLD: '85'})).toEqual({'monitor.memoryThresholdRatio': 0.85});
  });

  test('CRAWLER_<KEY> works for every setting, after the seed name', () => {
    expect(settingsFromEnv({CRAWLER_SCRAPE_BACKOFF_MS: '250', CRAWLER_SCRAPE_MODE: 'http'})).toEqual({
      'scrape.backoffMs': 250,
      'scrape.mode': 'http',
    });
    expect(settingsFromEnv({SCRAPER_RETRY_ATTEMPTS: '2', CRAWLER_SCRAPE_ATTEMPTS: '9'})).toEqual({'scrape.attempts': 2});
    expect(settingsFromEnv({CRAWLER_SCRAPE_ATTEMPTS: '9'})).toEqual({'scrape.attempts': 9});
  });

  test('empty variables count as unset', () => {
    expect(settingsFromEnv({REDIS_URL: '', SCRAPER_RETRY_ATTEMPTS: '', CRAWLER_SCRAPE_ATTEMPTS: '4'})).toEqual({
      'scrape.attempts': 4,
    });
    expect(settingsFromEnv({})).toEqual({});
  });

  test.each([
    [
      {REDIS_URL: 'nope'},
      'invalid setting redis.url (from REDIS_URL): "nope" is not a Redis URL; allowed: redis://[user:pass@]host:port[/db], ' +
        'rediss://..., a comma-separated list of them (cluster), or "embedded"',
    ],
    [
      {WORKER_CONCURRENCY: '-1'},
      'invalid setting scrape.concurrency (from WORKER_CONCURRENCY): "-1" is out of range; allowed: an integer from 1 to 1000',
    ],
    [
      {LOG_LEVEL: 'loud'},
      'invalid setting log.level (from LOG_LEVEL): "loud" is not a choice; allowed: one of trace, debug, info, warn, error, fatal, silent',
    ],
    [
      {SCRAPER_RETRY_ATTEMPTS: 'abc'},
      'invalid setting scrape.attempts (from SCRAPER_RETRY_ATTEMPTS): "abc" is not an integer; allowed: an integer from 1 to 100',
    ],
    [
      {CRAWLER_SCRAPE_RESPECT_ROBOTS: 'perhaps'},
      'invalid setting scrape.respectRobots (from CRAWLER_SCRAPE_RESPECT_ROBOTS): "perhaps" is not a boolean; allowed: true or false (also 1/0, yes/no, on/off)',
    ],
  ])('%j is refused with one line', (env, message) => {
    let thrown: unknown;
    try {
      settingsFromEnv(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as Error).message).toBe(message);
    expect(message).not.toContain('\n');
  });

  test('a password in REDIS_URL is masked in the message', () => {
    expect(() => settingsFromEnv({REDIS_URL: 'redis://app:hunter2@h:6379/db'})).toThrow(
      'invalid setting redis.url (from REDIS_URL): "redis://app:***@h:6379/db" is not a Redis URL',
    );
  });
});

describe('unknownCrawlerEnvNames', () => {
  test('lists CRAWLER_ variables no setting reads', () => {
    expect(
      unknownCrawlerEnvNames({
        CRAWLER_MAX_PAGE: '1',
        CRAWLER_MAX_PAGES: '1',
        CRAWLER_CONFIG_DIR: '/x',
        CRAWLER_SCRAPE_ATTEMPTS: '1',
        HOME: '/root',
      }),
    ).toEqual(['CRAWLER_MAX_PAGE']);
  });
});
