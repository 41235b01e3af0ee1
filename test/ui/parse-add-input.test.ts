import {describe, expect, test} from 'vitest';
import {parseAddInput} from '../../src/ui/state/parse-add-input.js';

describe('parseAddInput', () => {
  test('one URL is one page', () => {
    expect(parseAddInput('https://example.com/a')).toEqual({ok: true, request: {urls: ['https://example.com/a']}});
  });

  test('several URLs and a mode', () => {
    expect(parseAddInput('  https://a.example/ http://b.example/x  --mode http ')).toEqual({
      ok: true,
      request: {urls: ['https://a.example/', 'http://b.example/x'], mode: 'http'},
    });
  });

  test('a crawl with its limits and filters', () => {
    expect(parseAddInput('https://a.example/ --crawl --max-pages 50 --max-depth=2 --include /blog/** --exclude /tag/** --any-origin')).toEqual({
      ok: true,
      request: {urls: ['https://a.example/'], crawl: {maxPages: 50, maxDepth: 2, include: ['/blog/**'], exclude: ['/tag/**'], sameOrigin: false}},
    });
  });

  test('a leading "crawl" word is --crawl', () => {
    expect(parseAddInput('crawl https://a.example/')).toEqual({ok: true, request: {urls: ['https://a.example/'], crawl: {}}});
  });

  test.each([
    ['', 'give at least one URL'],
    ['example.com', 'is not a URL'],
    ['ftp://example.com/', 'is not http(s)'],
    ['https://a.example/ --max-pages 5', '--max-pages only applies to a crawl'],
    ['https://a.example/ --crawl --max-pages lots', '--max-pages needs a whole number'],
    ['https://a.example/ --crawl --max-pages 0', '--max-pages needs a whole number'],
    ['https://a.example/ --mode chrome', '--mode is browser or http'],
    ['https://a.example/ --mode', '--mode needs a value'],
    ['https://a.example/ --depth 2', 'unknown option --depth'],
  ])('refuses %j', (line, message) => {
    const parsed = parseAddInput(line);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });
});
