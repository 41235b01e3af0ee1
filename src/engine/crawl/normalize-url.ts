/**
 * Pure URL normalisation. The result is the crawl's dedup key: two URLs that a server is all but
 * certain to answer the same way normalise to the same string.
 *
 * What it does (on top of WHATWG URL parsing, which already lowercases the scheme and host, drops
 * default ports, resolves dot segments and turns an empty path into `/`):
 * - drops the fragment,
 * - removes tracking parameters (`utm_*`, `gclid`, `fbclid`, …),
 * - sorts the remaining query parameters by key, then value (stable),
 * - removes a lone trailing `?`,
 * - decodes percent-encoded unreserved characters (`%7E` → `~`) and uppercases the hex of the rest
 *   (RFC 3986 §6.2.2), which never changes what the URL means.
 *
 * It deliberately does not touch the path otherwise (no trailing-slash or `index.html` games):
 * servers disagree about those, and a wrong merge loses pages while a missed one only costs a fetch.
 */

/** Longest URL we accept, in characters, before and after normalisation. */
const MAX_URL_CHARS = 8192;

/** Query parameters that only track the visitor; compared case-insensitively. */
const TRACKING_PARAMS = new Set([
  'gclid',
  'fbclid',
  'msclkid',
  'mc_cid',
  'mc_eid',
  '_ga',
  'yclid',
  'igshid',
  'ref_src',
]);

/** The authority of an absolute or scheme-relative input, taken from the raw text. */
const RAW_AUTHORITY = /^[\s\u0000-\u001f]*(?:[a-z][a-z0-9+.-]*:)?[\\/]{2}([^/\\?#]*)/i;

/** Whitespace or control characters, which URL parsing would silently strip from a host. */
const HOST_JUNK = /[\s\u0000-\u001f\u007f-\u009f]/;

/** Thrown by {@link normalizeUrl} for anything that is not a usable absolute http(s) URL. */
export class InvalidUrlError extends Error {
  override readonly name = 'InvalidUrlError';
  constructor(
    /** The input as given (possibly shortened for the message). */
    readonly input: string,
    reason = 'only absolute http(s) URLs are allowed',
  ) {
    super(`invalid URL "${shorten(input)}": ${reason}`);
  }
}

/**
 * Normalises `input` (resolved against `base` when given) into the crawl's dedup key.
 *
 * @throws {InvalidUrlError} when the result is not an absolute http(s) URL, cannot be parsed, is
 * longer than 8192 characters, or has whitespace/control characters inside the host.
 */
export function normalizeUrl(input: string, base?: string): string {
  if (input.length > MAX_URL_CHARS) throw new InvalidUrlError(input, `longer than ${MAX_URL_CHARS} characters`);
  // WHATWG parsing removes tabs and newlines anywhere, so "exa\tmple.com" would quietly become
  // "example.com". That is fine inside a path (browsers do it for hrefs) but a host with junk in it
  // is a sign of a broken or hostile link, so we refuse it.
  assertCleanAuthority(input, input);
  if (base !== undefined) assertCleanAuthority(base, input);

  let url: URL;
  try {
    url = base === undefined ? new URL(input) : new URL(input, base);
  } catch {
    throw new InvalidUrlError(input, base === undefined ? 'cannot be parsed as an absolute URL' : 'cannot be parsed');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidUrlError(input);
  }
  if (url.hostname === '') throw new InvalidUrlError(input, 'missing host');

  url.hash = '';
  url.pathname = normalizePercentEncoding(url.pathname);
  url.search = normalizeQuery(url.search);

  const result = url.href;
  if (result.length > MAX_URL_CHARS) throw new InvalidUrlError(input, `longer than ${MAX_URL_CHARS} characters`);
  return result;
}

/** Like {@link normalizeUrl}, but returns `undefined` instead of throwing {@link InvalidUrlError}. */
export function tryNormalizeUrl(input: string, base?: string): string | undefined {
  try {
    return normalizeUrl(input, base);
  } catch (error) {
    if (error instanceof InvalidUrlError) return undefined;
    throw error;
  }
}

function assertCleanAuthority(raw: string, input: string): void {
  const authority = RAW_AUTHORITY.exec(raw)?.[1];
  if (authority === undefined) return;
  // Userinfo may legitimately contain encoded oddities; only the host part matters here.
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (HOST_JUNK.test(host)) throw new InvalidUrlError(input, 'whitespace or control characters in the host');
}

/** `?b=2&utm_source=x&a=1` → `?a=1&b=2`; an empty result removes the `?` entirely. */
function normalizeQuery(search: string): string {
  if (search.length <= 1) return '';
  const pairs: {key: string; value: string; raw: string}[] = [];
  for (const part of search.slice(1).split('&')) {
    if (part === '') continue;
    const raw = normalizePercentEncoding(part);
    const eq = raw.indexOf('=');
    const key = eq === -1 ? raw : raw.slice(0, eq);
    const value = eq === -1 ? '' : raw.slice(eq + 1);
    if (isTrackingParam(key)) continue;
    pairs.push({key, value, raw});
  }
  if (pairs.length === 0) return '';
  // Array.prototype.sort is stable, so `a&a=` keep their relative order when key and value tie.
  pairs.sort((x, y) => compare(x.key, y.key) || compare(x.value, y.value));
  return `?${pairs.map((p) => p.raw).join('&')}`;
}

function isTrackingParam(rawKey: string): boolean {
  let key = rawKey;
  try {
    key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch {
    // Malformed escapes: compare the raw text.
  }
  key = key.toLowerCase();
  return key.startsWith('utm_') || TRACKING_PARAMS.has(key);
}

/** Decodes `%XX` that stand for unreserved characters; uppercases the hex of all others. */
function normalizePercentEncoding(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/%([0-9a-fA-F]{2})/g, (_match, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function shorten(text: string): string {
  const printable = JSON.stringify(text).slice(1, -1);
  return printable.length > 200 ? `${printable.slice(0, 200)}…` : printable;
}
