import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {chromiumVersion, findChromium} from '../../../src/engine/browser/find-chromium.js';
import {UserError} from '../../../src/errors.js';

const savedEnv = process.env['PUPPETEER_EXECUTABLE_PATH'];
afterEach(() => {
  if (savedEnv === undefined) delete process.env['PUPPETEER_EXECUTABLE_PATH'];
  else process.env['PUPPETEER_EXECUTABLE_PATH'] = savedEnv;
});

describe('findChromium', () => {
  test('a configured path that does not exist is a UserError naming the setting', () => {
    let error: unknown;
    try {
      findChromium('/nonexistent/chromium');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('browser.executablePath');
    expect((error as UserError).message).toContain('/nonexistent/chromium');
    expect((error as UserError).hint).toMatch(/unset/);
  });

  test('a configured file that is not executable is rejected too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'find-chromium-'));
    try {
      const file = join(dir, 'chromium');
      writeFileSync(file, '#!/bin/sh\n');
      chmodSync(file, 0o644);
      expect(() => findChromium(file)).toThrow(UserError);
      // A directory is not an executable file either, although it has the x bit.
      expect(() => findChromium(dir)).toThrow(/not an executable file/);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  test('PUPPETEER_EXECUTABLE_PATH counts as the setting and is named in the error', () => {
    process.env['PUPPETEER_EXECUTABLE_PATH'] = '/nonexistent/from-env';
    expect(() => findChromium()).toThrow(/PUPPETEER_EXECUTABLE_PATH is set to "\/nonexistent\/from-env"/);
  });

  test('a configured real Chromium is used as is, with its version', () => {
    const info = findChromium('/usr/bin/chromium');
    expect(info).toEqual({executablePath: '/usr/bin/chromium', source: 'setting', version: expect.stringMatching(/^Chromium \d+\.\d+\.\d+\.\d+$/)});
  });

  test('without a setting, a browser is found through Puppeteer or PATH and reports its version', () => {
    delete process.env['PUPPETEER_EXECUTABLE_PATH'];
    const info = findChromium();
    expect(['puppeteer', 'path']).toContain(info.source);
    expect(info.version).toMatch(/\d+\.\d+/);
  });

  test('the version of something that is not a browser is undefined, not an exception', () => {
    expect(chromiumVersion('/bin/false')).toBeUndefined();
  });
});
