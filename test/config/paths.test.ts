import {describe, expect, test} from 'vitest';

import {defaultConfigDir, defaultDataDir} from '../../src/config/paths.js';

describe('defaultDataDir', () => {
  test('Linux: XDG_DATA_HOME, else ~/.local/share', () => {
    expect(defaultDataDir({XDG_DATA_HOME: '/xdg/data'}, 'linux', '/home/me')).toBe('/xdg/data/crawler-tui');
    expect(defaultDataDir({}, 'linux', '/home/me')).toBe('/home/me/.local/share/crawler-tui');
    expect(defaultDataDir({XDG_DATA_HOME: ''}, 'linux', '/home/me')).toBe('/home/me/.local/share/crawler-tui');
  });

  test('macOS: Application Support', () => {
    expect(defaultDataDir({}, 'darwin', '/Users/me')).toBe('/Users/me/Library/Application Support/crawler-tui');
  });

  test('Windows: %LOCALAPPDATA%\\crawler-tui\\Data', () => {
    expect(defaultDataDir({LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local'}, 'win32', 'C:\\Users\\me')).toBe(
      'C:\\Users\\me\\AppData\\Local\\crawler-tui\\Data',
    );
    expect(defaultDataDir({}, 'win32', 'C:\\Users\\me')).toBe('C:\\Users\\me\\AppData\\Local\\crawler-tui\\Data');
  });

  test('without arguments it uses this process', () => {
    expect(defaultDataDir()).toMatch(/crawler-tui/);
  });
});

describe('defaultConfigDir', () => {
  test('matches what conf computes for crawler-tui without a suffix', () => {
    expect(defaultConfigDir({XDG_CONFIG_HOME: '/xdg/config'}, 'linux', '/home/me')).toBe('/xdg/config/crawler-tui');
    expect(defaultConfigDir({}, 'linux', '/home/me')).toBe('/home/me/.config/crawler-tui');
    expect(defaultConfigDir({}, 'darwin', '/Users/me')).toBe('/Users/me/Library/Preferences/crawler-tui');
    expect(defaultConfigDir({APPDATA: 'C:\\R'}, 'win32', 'C:\\Users\\me')).toBe('C:\\R\\crawler-tui\\Config');
  });
});
