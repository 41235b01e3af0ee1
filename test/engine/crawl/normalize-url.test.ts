import {describe, expect, test} from 'vitest';
import {InvalidUrlError, normalizeUrl, tryNormalizeUrl} from '../../../src/engine/crawl/normalize-url.js';

describe('normalizeUrl', () => {
  test.each([
    // scheme, host, port, path
    ['HTTP://Example.COM', 'http://example.com/'],
    ['https://example.com:443/a', 'https://example.com/a'],
    ['http://example.com:80/a', 'http://example.com/a'],
    ['http://example.com:443/a', 'http://example.com:443/a'],
    ['https://example.com:8443/a', 'https://example.com:8443/a'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/'],
    ['http://[::1]:80/x', 'http://[::1]/x'],
    ['http://example.com/a/', 'http://example.com/a/'],
    ['http://example.com/A/b.HTML', 'http://example.com/A/b.HTML'],
    ['http://example.com/a/./b/../c', 'http://example.com/a/c'],
    ['  http://example.com/  ', 'http://example.com/'],
    ['http://user:pw@example.com/', 'http://user:pw@example.com/'],
    // fragment and trailing ?
    ['http://example.com/a#top', 'http://example.com/a'],
    ['http://example.com/a?#top', 'http://example.com/a'],
    ['http://example.com/a?', 'http://example.com/a'],
    ['http://example.com/a?&&', 'http://example.com/a'],
    // query: tracking removed, the rest sorted by key then value
    ['http://example.com/?b=2&a=1', 'http://example.com/?a=1&b=2'],
    ['http://example.com/?a=2&a=1&a', 'http://example.com/?a&a=1&a=2'],
    ['http://example.com/?utm_source=x&utm_medium=y&id=3', 'http://example.com/?id=3'],
    ['http://example.com/?UTM_Campaign=x&id=3', 'http://example.com/?id=3'],
    ['http://example.com/?gclid=1&fbclid=2&msclkid=3&mc_cid=4&mc_eid=5&_ga=6&yclid=7&igshid=8&ref_src=9', 'http://example.com/'],
    ['http://example.com/?ref=home&utm=keep', 'http://example.com/?ref=home&utm=keep'],
    ['http://example.com/?q=a+b&p=%2F', 'http://example.com/?p=%2F&q=a+b'],
    // percent-encoding: unreserved decoded, the rest uppercased, nothing else touched
    ['http://example.com/%7euser/%41?x=%7E%2f', 'http://example.com/~user/A?x=~%2F'],
    ['http://example.com/a b', 'http://example.com/a%20b'],
    ['http://example.com/ü', 'http://example.com/%C3%BC'],
    ['http://bücher.example/', 'http://xn--bcher-kva.example/'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });

  test.each([
    ['/p/7', 'http://127.0.0.1:9/p/3', 'http://127.0.0.1:9/p/7'],
    ['../x?b=1&a=2#f', 'http://example.com/a/b/c', 'http://example.com/a/x?a=2&b=1'],
    ['//other.example/x', 'https://example.com/', 'https://other.example/x'],
    ['?page=2', 'http://example.com/list?page=1', 'http://example.com/list?page=2'],
    ['', 'http://example.com/a#x', 'http://example.com/a'],
  ])('%j against %j -> %j', (input, base, expected) => {
    expect(normalizeUrl(input, base)).toBe(expected);
  });

  test('is idempotent', () => {
    const once = normalizeUrl('HTTP://Example.com:80/%7ea/?z=1&utm_x=2&a=%2f#frag');
    expect(normalizeUrl(once)).toBe(once);
  });

  test.each([
    ['xyz'],
    ['/relative/without/base'],
    ['ftp://example.com/file'],
    ['javascript:alert(1)'],
    ['mailto:someone@example.com'],
    ['data:text/html,hi'],
    ['file:///etc/passwd'],
    ['http://'],
    ['http://exa mple.com/'],
    ['http://exa\tmple.com/'],
    ['http://exa\nmple.com/'],
    ['http://example.com\u0000/'],
    ['http://example.com\u0085/'],
  ])('rejects %j', (input) => {
    expect(() => normalizeUrl(input)).toThrow(InvalidUrlError);
  });

  test('rejects input longer than 8192 characters', () => {
    expect(() => normalizeUrl(`http://example.com/${'a'.repeat(8200)}`)).toThrow(/longer than 8192/);
    expect(normalizeUrl(`http://example.com/${'a'.repeat(8000)}`)).toHaveLength(8019);
  });

  test('rejects a URL that only grows too long through percent-encoding', () => {
    expect(() => normalizeUrl(`http://example.com/${' '.repeat(4000)}x`)).toThrow(/longer than 8192/);
  });

  test('rejects relative input against a non-http base', () => {
    expect(() => normalizeUrl('x', 'ftp://example.com/')).toThrow(InvalidUrlError);
  });

  test('the error message names the input and the rule', () => {
    expect(() => normalizeUrl('xyz')).toThrow('invalid URL "xyz"');
    expect(() => normalizeUrl('ftp://a/')).toThrow('invalid URL "ftp://a/": only absolute http(s) URLs are allowed');
    const error = (() => {
      try {
        normalizeUrl('ftp://a/');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidUrlError);
    expect((error as InvalidUrlError).name).toBe('InvalidUrlError');
    expect((error as InvalidUrlError).input).toBe('ftp://a/');
  });

  test('keeps tabs and newlines out of the path the way browsers do', () => {
    expect(normalizeUrl('http://example.com/a\n/b\t')).toBe('http://example.com/a/b');
  });
});

describe('tryNormalizeUrl', () => {
  test('returns the normalised URL or undefined', () => {
    expect(tryNormalizeUrl('HTTP://A.example/?b&a#x')).toBe('http://a.example/?a&b');
    expect(tryNormalizeUrl('mailto:x@y')).toBeUndefined();
    expect(tryNormalizeUrl('not a url')).toBeUndefined();
    expect(tryNormalizeUrl('/x', 'not a base')).toBeUndefined();
  });
});
