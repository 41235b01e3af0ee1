import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {describe, expect, onTestFinished, test} from 'vitest';

import {SETTING_KEYS} from '../../src/config/parse-value.js';
import {defaultDataDir} from '../../src/config/paths.js';
import {
  describeSettings,
  resolveSettings,
  resolveSettingsWithSources,
  settingAt,
} from '../../src/config/resolve.js';
import {SETTING_SPECS} from '../../src/config/settings.js';
import {openSettingsStore} from '../../src/config/store.js';
import {UserError} from '../../src/errors.js';

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crawler-tui-resolve-'));
  onTestFinished(() => fs.rmSync(dir, {recursive: true, force: true}));
  return dir;
}

describe('resolveSettings', () => {
  test('without a store, env or flags every setting has its default', () => {
    const env = {XDG_DATA_HOME: '/xdg/data'};
    const settings = resolveSettings({env, store: null});
    for (const key of SETTING_KEYS) {
      if (key === 'dataDir') continue;
      expect(settingAt(settings, key), key).toBe(SETTING_SPECS[key].default);
    }
    expect(settings.dataDir).toBe(defaultDataDir(env));
    expect(settings.redis.url).toBeUndefined();
    expect(Object.keys(settings).sort()).toEqual([...new Set(SETTING_KEYS.map((key) => key.split('.')[0]))].sort());
  });

  test('precedence: default < config file < env < flag', () => {
    const store = openSettingsStore({cwd: tempDir()});
    store.set('scrape.attempts', '4');
    store.set('crawl.maxPages', '40');
    store.set('crawl.maxDepth', '4');
    const env = {SCRAPER_RETRY_ATTEMPTS: '5', CRAWLER_MAX_PAGES: '50'};
    const flags = {'scrape.attempts': {value: '6', source: '--attempts'}};

    const {settings, sources} = resolveSettingsWithSources({store, env, flags});

    expect(settings.scrape.attempts).toBe(6);
    expect(sources['scrape.attempts']).toBe('--attempts');
    expect(settings.crawl.maxPages).toBe(50);
    expect(sources['crawl.maxPages']).toBe('CRAWLER_MAX_PAGES');
    expect(settings.crawl.maxDepth).toBe(4);
    expect(sources['crawl.maxDepth']).toBe('config file');
    expect(settings.files.workers).toBe(SETTING_SPECS['files.workers'].default);
    expect(sources['files.workers']).toBe('default');
  });

  test('flags may be typed values; undefined flags are ignored', () => {
    const settings = resolveSettings({
      store: null,
      env: {},
      flags: {
        'browser.browsers': {value: 3, source: '--browsers'},
        'files.workers': {value: undefined, source: '--file-workers'},
        'redis.url': {value: 'embedded', source: '--redis'},
      },
    });
    expect(settings.browser.browsers).toBe(3);
    expect(settings.files.workers).toBe(SETTING_SPECS['files.workers'].default);
    expect(settings.redis.url).toBe('embedded');
  });

  test('a bad flag names the flag', () => {
    expect(() =>
      resolveSettings({store: null, env: {}, flags: {'browser.browsers': {value: 'two', source: '--browsers'}}}),
    ).toThrow('invalid setting browser.browsers (from --browsers): "two" is not an integer; allowed: an integer from 0 to 64');
  });

  test('the settings object is deeply frozen', () => {
    const settings = resolveSettings({store: null, env: {}});
    const before = settings.scrape.attempts;
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.scrape)).toBe(true);
    expect(() => {
      (settings.scrape as {attempts: number}).attempts = 99;
    }).toThrow(TypeError);
    expect(settings.scrape.attempts).toBe(before);
  });

  test('a bad value in the config file names the file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({'scrape.attempts': 'lots'}));
    const store = openSettingsStore({cwd: dir});
    expect(() => resolveSettings({store, env: {}})).toThrow(
      `invalid setting scrape.attempts (from config file ${file}): "lots" is not an integer; allowed: an integer from 1 to 100`,
    );
    // Even when the environment overrides it: it would bite on the next run.
    expect(() => resolveSettings({store, env: {SCRAPER_RETRY_ATTEMPTS: '2'}})).toThrow(UserError);
  });

  test('a key in the config file that is no setting is reported with the file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({'scrape.atempts': 2}));
    expect(() => resolveSettings({store: openSettingsStore({cwd: dir}), env: {}})).toThrow(
      `unknown setting "scrape.atempts" in config file ${file}; known settings: ${SETTING_KEYS.join(', ')}`,
    );
  });

  test('a plain object works as the store', () => {
    const settings = resolveSettings({store: {all: () => ({'log.level': 'warn'})}, env: {}});
    expect(settings.log.level).toBe('warn');
  });

  test('the store defaults to CRAWLER_CONFIG_DIR from the given env', () => {
    const dir = tempDir();
    openSettingsStore({cwd: dir}).set('http.port', '8080');
    const {settings, sources} = resolveSettingsWithSources({env: {CRAWLER_CONFIG_DIR: dir}});
    expect(settings.http.port).toBe(8080);
    expect(sources['http.port']).toBe('config file');
  });

  test('REDIS_HOST and REDIS_PORT fill redis.host and redis.port', () => {
    const settings = resolveSettings({store: null, env: {REDIS_HOST: '10.0.0.5', REDIS_PORT: '6380'}});
    expect(settings.redis).toEqual({url: undefined, host: '10.0.0.5', port: 6380, prefix: SETTING_SPECS['redis.prefix'].default});
  });

  test('reading settings creates no file or directory', () => {
    const parent = tempDir();
    const configDir = path.join(parent, 'config');
    const xdgConfig = path.join(parent, 'xdg-config');
    const xdgData = path.join(parent, 'xdg-data');
    resolveSettings({env: {CRAWLER_CONFIG_DIR: configDir}});
    resolveSettings({env: {XDG_CONFIG_HOME: xdgConfig, XDG_DATA_HOME: xdgData}});
    expect(fs.readdirSync(parent)).toEqual([]);
  });
});

describe('describeSettings', () => {
  test('lists every setting with its value and source, passwords masked', () => {
    const dir = tempDir();
    const store = openSettingsStore({cwd: dir});
    store.set('crawl.maxDepth', '2');
    const resolved = resolveSettingsWithSources({
      store,
      env: {REDIS_URL: 'redis://app:hunter2@redis:6379/0', XDG_DATA_HOME: '/xdg'},
      flags: {'scrape.mode': {value: 'http', source: '--mode'}},
    });
    const rows = describeSettings(resolved);
    expect(rows.map((row) => row.key)).toEqual(SETTING_KEYS);
    const byKey = new Map(rows.map((row) => [row.key, row]));
    expect(byKey.get('redis.url')).toEqual({key: 'redis.url', value: 'redis://app:***@redis:6379/0', source: 'REDIS_URL'});
    expect(byKey.get('crawl.maxDepth')).toEqual({key: 'crawl.maxDepth', value: 2, source: 'config file'});
    expect(byKey.get('scrape.mode')).toEqual({key: 'scrape.mode', value: 'http', source: '--mode'});
    expect(byKey.get('dataDir')).toEqual({key: 'dataDir', value: '/xdg/crawler-tui', source: 'default'});
    expect(byKey.get('http.port')).toEqual({key: 'http.port', value: undefined, source: 'default'});
    expect(JSON.stringify(rows)).not.toContain('hunter2');
    // The settings themselves keep the real URL: the engine has to connect with it.
    expect(resolved.settings.redis.url).toBe('redis://app:hunter2@redis:6379/0');
  });
});
