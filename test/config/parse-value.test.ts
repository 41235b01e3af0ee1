import {describe, expect, test} from 'vitest';

import {describeAllowed, maskSecrets, parseSettingValue, SETTING_KEYS} from '../../src/config/parse-value.js';
import {UserError} from '../../src/errors.js';

/** The message of the UserError thrown by `fn`; fails the test when nothing (or something else) is thrown. */
function userErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as UserError).message;
  }
  throw new Error('expected a UserError');
}

describe('parseSettingValue', () => {
  test.each([
    ['3', 3],
    [' 7 ', 7],
    ['+5', 5],
    [5, 5],
  ])('integer %j -> %j', (raw, value) => {
    expect(parseSettingValue('scrape.attempts', raw, 'test')).toBe(value);
  });

  test.each(['1.5', '', ' 3x', 'abc', '1e2', '0x10', 1.5, true, null])('integer rejects %j', (raw) => {
    expect(userErrorOf(() => parseSettingValue('scrape.attempts', raw, 'test'))).toContain('is not an integer');
  });

  test('an integer out of range names the range', () => {
    expect(userErrorOf(() => parseSettingValue('scrape.attempts', '101', 'test'))).toBe(
      'invalid setting scrape.attempts (from test): "101" is out of range; allowed: an integer from 1 to 100',
    );
    expect(userErrorOf(() => parseSettingValue('files.maxMediaBytes', '99999999999999999999', 'x'))).toContain(
      'is out of range',
    );
  });

  test('the message names setting, source, value and what is allowed', () => {
    expect(userErrorOf(() => parseSettingValue('scrape.attempts', 'abc', 'SCRAPER_RETRY_ATTEMPTS'))).toBe(
      'invalid setting scrape.attempts (from SCRAPER_RETRY_ATTEMPTS): "abc" is not an integer; allowed: an integer from 1 to 100',
    );
  });

  test.each([
    ['true', true],
    ['FALSE', false],
    ['1', true],
    ['0', false],
    ['yes', true],
    ['no', false],
    ['on', true],
    ['off', false],
    [true, true],
  ])('boolean %j -> %j', (raw, value) => {
    expect(parseSettingValue('scrape.respectRobots', raw, 'test')).toBe(value);
  });

  test('boolean rejects other words', () => {
    expect(userErrorOf(() => parseSettingValue('scrape.respectRobots', 'maybe', 'test'))).toBe(
      'invalid setting scrape.respectRobots (from test): "maybe" is not a boolean; allowed: true or false (also 1/0, yes/no, on/off)',
    );
  });

  test('enum accepts a choice in any case and returns its canonical spelling', () => {
    expect(parseSettingValue('log.level', 'WARN', 'LOG_LEVEL')).toBe('warn');
    expect(parseSettingValue('scrape.mode', 'http', 'test')).toBe('http');
    expect(userErrorOf(() => parseSettingValue('scrape.mode', 'ftp', '--mode'))).toBe(
      'invalid setting scrape.mode (from --mode): "ftp" is not a choice; allowed: one of browser, http',
    );
  });

  test.each([
    ['0.85', 0.85],
    ['85', 0.85],
    ['85%', 0.85],
    ['100', 1],
    ['1', 1],
    ['0.05', 0.05],
    [0.5, 0.5],
    [50, 0.5],
  ])('memory threshold %j -> %j', (raw, ratio) => {
    expect(parseSettingValue('monitor.memoryThresholdRatio', raw, 'MEMORY_THRESHOLD')).toBe(ratio);
  });

  test.each(['101', '0.01', '2', '-5', 'lots', '0.5%'])('memory threshold rejects %j', (raw) => {
    expect(userErrorOf(() => parseSettingValue('monitor.memoryThresholdRatio', raw, 'MEMORY_THRESHOLD'))).toMatch(
      /^invalid setting monitor\.memoryThresholdRatio \(from MEMORY_THRESHOLD\): .* allowed: a ratio from 0\.05 to 1, or a percentage from 5 to 100/,
    );
  });

  test.each([
    ['redis://localhost:6379', 'redis://localhost:6379'],
    ['redis://h', 'redis://h'],
    ['rediss://user:pw@h:6380/2', 'rediss://user:pw@h:6380/2'],
    ['redis://:pw@h:6379/0', 'redis://:pw@h:6379/0'],
    ['redis://a:7000, redis://b:7001', 'redis://a:7000,redis://b:7001'],
    ['embedded', 'embedded'],
    [' Embedded ', 'embedded'],
  ])('redis.url %j -> %j', (raw, value) => {
    expect(parseSettingValue('redis.url', raw, 'REDIS_URL')).toBe(value);
  });

  test('a bad redis.url gives the one-line message', () => {
    expect(userErrorOf(() => parseSettingValue('redis.url', 'nope', 'REDIS_URL'))).toBe(
      'invalid setting redis.url (from REDIS_URL): "nope" is not a Redis URL; allowed: ' +
        'redis://[user:pass@]host:port[/db], rediss://..., a comma-separated list of them (cluster), or "embedded"',
    );
  });

  test.each(['http://h:6379', 'redis://', 'redis://h:6379/x', 'redis://h,', 'redis://h:99999', 'localhost:6379', ''])(
    'redis.url rejects %j',
    (raw) => {
      expect(() => parseSettingValue('redis.url', raw, 'REDIS_URL')).toThrow(UserError);
    },
  );

  test('a password is never echoed in an error', () => {
    const message = userErrorOf(() => parseSettingValue('redis.url', 'redis://admin:hunter2@h:6379/x', 'REDIS_URL'));
    expect(message).not.toContain('hunter2');
    expect(message).toContain('"redis://admin:***@h:6379/x" is not a Redis URL');
    const other = userErrorOf(() => parseSettingValue('redis.host', 'redis://:hunter2@h', 'REDIS_HOST'));
    expect(other).not.toContain('hunter2');
  });

  test('redis.prefix allows letters, digits, colon, underscore and dash only', () => {
    expect(parseSettingValue('redis.prefix', 'crawler:prod_1-a', 'test')).toBe('crawler:prod_1-a');
    expect(userErrorOf(() => parseSettingValue('redis.prefix', '{crawler}', '--prefix'))).toBe(
      'invalid setting redis.prefix (from --prefix): "{crawler}" is not a valid key prefix; ' +
        'allowed: 1 to 64 of A-Z a-z 0-9 : _ - (no braces: the {hash tag} is added for you)',
    );
    expect(() => parseSettingValue('redis.prefix', 'a'.repeat(65), 'test')).toThrow(UserError);
    expect(() => parseSettingValue('redis.prefix', 'a b', 'test')).toThrow(UserError);
  });

  test('strings must be non-empty and free of control characters', () => {
    expect(parseSettingValue('schedule.cron', ' */5 * * * * ', 'CRAWLER_CRON')).toBe('*/5 * * * *');
    expect(userErrorOf(() => parseSettingValue('schedule.cron', '  ', 'CRAWLER_CRON'))).toBe(
      'invalid setting schedule.cron (from CRAWLER_CRON): "  " is empty; allowed: a cron expression such as "*/15 * * * *"',
    );
    expect(userErrorOf(() => parseSettingValue('scrape.userAgent', 'a\r\nX-Evil: 1', 'test'))).toBe(
      'invalid setting scrape.userAgent (from test): "a\\r\\nX-Evil: 1" contains a control character; ' +
        'allowed: a non-empty string without control characters',
    );
    expect(userErrorOf(() => parseSettingValue('redis.host', 6379, 'config file /x'))).toContain(
      '6379 is not a string',
    );
  });

  test('dataDir is made absolute and ~ is expanded', () => {
    expect(parseSettingValue('dataDir', '/srv/crawl', 'test')).toBe('/srv/crawl');
    expect(parseSettingValue('dataDir', 'rel/dir', 'test')).toBe(`${process.cwd()}/rel/dir`);
    expect(parseSettingValue('dataDir', '~/crawl', 'test')).not.toContain('~');
    expect(() => parseSettingValue('dataDir', '', 'test')).toThrow(UserError);
  });

  test('a long value is cut in the message', () => {
    const message = userErrorOf(() => parseSettingValue('scrape.attempts', 'x'.repeat(5000), 'test'));
    expect(message.length).toBeLessThan(300);
    expect(message).not.toContain('\n');
  });

  test('an unknown key is refused with the list of settings', () => {
    expect(() => parseSettingValue('nope' as never, '1', 'test')).toThrow(/^unknown setting "nope"; known settings: redis\.url, /);
  });

  test('every setting has an allowed text and accepts its own default', () => {
    for (const key of SETTING_KEYS) {
      expect(describeAllowed(key)).not.toBe('');
    }
    expect(parseSettingValue('scrape.maxBodyBytes', 10 * 1024 * 1024, 'default')).toBe(10 * 1024 * 1024);
  });
});

describe('maskSecrets', () => {
  test.each([
    ['redis://:secret@h', 'redis://:***@h'],
    ['redis://user:secret@h', 'redis://user:***@h'],
    ['rediss://user:secret@h:6380/1', 'rediss://user:***@h:6380/1'],
    ['redis://secret@h', 'redis://***@h'],
    ['redis://:p@ss@h', 'redis://:***@h'],
    ['redis://:a@h1:7000,redis://:b@h2:7001', 'redis://:***@h1:7000,redis://:***@h2:7001'],
    ['redis://h1:7000,redis://u:b@h2:7001', 'redis://h1:7000,redis://u:***@h2:7001'],
    ['redis://localhost:6379', 'redis://localhost:6379'],
    ['embedded', 'embedded'],
    ['connecting to redis://u:pw@h failed', 'connecting to redis://u:***@h failed'],
    ['https://example.com/?mail=a@b', 'https://example.com/?mail=a@b'],
  ])('%s -> %s', (value, masked) => {
    expect(maskSecrets(value)).toBe(masked);
  });
});
