import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Conf from 'conf';
import {describe, expect, onTestFinished, test} from 'vitest';

import {SETTING_KEYS} from '../../src/config/parse-value.js';
import {defaultConfigDir} from '../../src/config/paths.js';
import {openSettingsStore} from '../../src/config/store.js';
import {UserError} from '../../src/errors.js';

/** A fresh directory under the OS temp dir, removed when the test finishes. */
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crawler-tui-store-'));
  onTestFinished(() => fs.rmSync(dir, {recursive: true, force: true}));
  return dir;
}

describe('openSettingsStore', () => {
  test('set stores typed values under flat dotted keys', () => {
    const dir = tempDir();
    const store = openSettingsStore({cwd: dir});
    store.set('scrape.attempts', '5');
    store.set('scrape.respectRobots', 'off');
    store.set('monitor.memoryThresholdRatio', '85');
    expect(store.path).toBe(path.join(dir, 'config.json'));
    expect(JSON.parse(fs.readFileSync(store.path, 'utf8'))).toEqual({
      'scrape.attempts': 5,
      'scrape.respectRobots': false,
      'monitor.memoryThresholdRatio': 0.85,
    });
    expect(store.get('scrape.attempts')).toBe(5);
    expect(store.get('crawl.maxPages')).toBeUndefined();
    expect(store.all()).toEqual({
      'scrape.attempts': 5,
      'scrape.respectRobots': false,
      'monitor.memoryThresholdRatio': 0.85,
    });
  });

  test('the file is readable by its owner only (it may hold a Redis password)', () => {
    if (process.platform === 'win32') return;
    const store = openSettingsStore({cwd: tempDir()});
    store.set('redis.url', 'redis://:pw@h:6379');
    expect(fs.statSync(store.path).mode & 0o077).toBe(0);
  });

  test('delete removes a key', () => {
    const store = openSettingsStore({cwd: tempDir()});
    store.set('crawl.maxPages', '50');
    store.set('crawl.maxDepth', '2');
    store.delete('crawl.maxPages');
    expect(store.all()).toEqual({'crawl.maxDepth': 2});
  });

  test('reading, and deleting from a missing file, create nothing', () => {
    const parent = tempDir();
    const dir = path.join(parent, 'not-yet');
    const store = openSettingsStore({cwd: dir});
    expect(store.all()).toEqual({});
    expect(store.get('scrape.attempts')).toBeUndefined();
    store.delete('scrape.attempts');
    expect(fs.existsSync(dir)).toBe(false);
  });

  test('an unknown key is refused with the list of known settings', () => {
    const store = openSettingsStore({cwd: tempDir()});
    let message = '';
    try {
      store.set('foo', '1');
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      message = (error as Error).message;
    }
    expect(message).toBe(`unknown setting "foo"; known settings: ${SETTING_KEYS.join(', ')}`);
    expect(message).toMatch(/^unknown setting "foo"; known settings: redis\.url, redis\.host, redis\.port, .*, http\.port$/);
    expect(() => store.get('foo')).toThrow('unknown setting "foo"');
    expect(() => store.delete('foo')).toThrow('unknown setting "foo"');
    expect(fs.existsSync(store.path)).toBe(false);
  });

  test('a bad value is refused with source "config set" and nothing is written', () => {
    const store = openSettingsStore({cwd: tempDir()});
    expect(() => store.set('scrape.attempts', 'many')).toThrow(
      'invalid setting scrape.attempts (from config set): "many" is not an integer; allowed: an integer from 1 to 100',
    );
    expect(fs.existsSync(store.path)).toBe(false);
  });

  test('a key that is no setting can still be deleted from the file', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({'old.key': 1, 'crawl.maxDepth': 3}));
    const store = openSettingsStore({cwd: dir});
    store.delete('old.key');
    expect(store.all()).toEqual({'crawl.maxDepth': 3});
  });

  test('a corrupt file is a UserError naming the file, with no secret echoed', () => {
    const dir = tempDir();
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, '{"redis.url": redis://:hunter2@h}');
    const store = openSettingsStore({cwd: dir});
    expect(() => store.all()).toThrow(UserError);
    expect(() => store.all()).toThrow(`config file ${file} is not valid JSON`);
    expect(() => store.set('crawl.maxDepth', '1')).toThrow(UserError);
    try {
      store.all();
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
    fs.writeFileSync(file, '[1, 2]');
    expect(() => store.all()).toThrow(`config file ${file} is not a JSON object of settings`);
  });

  test('CRAWLER_CONFIG_DIR chooses the directory; cwd wins over it', () => {
    const fromEnv = tempDir();
    const fromOption = tempDir();
    expect(openSettingsStore({env: {CRAWLER_CONFIG_DIR: fromEnv}}).path).toBe(path.join(fromEnv, 'config.json'));
    expect(openSettingsStore({cwd: fromOption, env: {CRAWLER_CONFIG_DIR: fromEnv}}).path).toBe(
      path.join(fromOption, 'config.json'),
    );
    expect(openSettingsStore({env: {XDG_CONFIG_HOME: fromEnv}}).path).toBe(
      path.join(fromEnv, 'crawler-tui', 'config.json'),
    );
  });

  test('the default path is the one conf itself would use', () => {
    if (process.platform !== 'linux') return;
    const xdg = tempDir();
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = xdg;
    onTestFinished(() => {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    });
    const conf = new Conf({projectName: 'crawler-tui', projectSuffix: ''});
    expect(path.join(defaultConfigDir(), 'config.json')).toBe(conf.path);
    expect(openSettingsStore({env: {XDG_CONFIG_HOME: xdg}}).path).toBe(conf.path);
  });
});
