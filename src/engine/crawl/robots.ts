import {createRequire} from 'node:module';
import {httpFetch, type HttpFetchOptions} from '../scrape/http-fetch.js';

interface Robots {
  isAllowed(url: string, userAgent?: string): boolean | undefined;
}

// robots-parser is CommonJS whose typings declare an ES default export that NodeNext resolution
// cannot call; requiring it gives the function itself.
const robotsParser = createRequire(import.meta.url)('robots-parser') as (url: string, text: string) => Robots;

interface CacheEntry {
  readonly robots: Robots | undefined;
  readonly expiresAtMs: number;
}

/**
 * robots.txt per origin, fetched once per node and kept for `ttlMs`. A missing or unreadable
 * robots.txt allows everything (what browsers and every major crawler do); a 5xx is treated the
 * same, rather than stalling the crawl.
 */
export class RobotsCache {
  readonly #entries = new Map<string, Promise<CacheEntry>>();
  readonly #fetchOptions: Omit<HttpFetchOptions, 'signal'>;
  readonly #ttlMs: number;

  constructor(fetchOptions: Omit<HttpFetchOptions, 'signal'>, ttlMs = 3_600_000) {
    this.#fetchOptions = fetchOptions;
    this.#ttlMs = ttlMs;
  }

  async isAllowed(url: string): Promise<boolean> {
    const origin = new URL(url).origin;
    let entry = this.#entries.get(origin);
    if (entry && (await entry).expiresAtMs < Date.now()) entry = undefined;
    if (!entry) {
      entry = this.#load(origin);
      this.#entries.set(origin, entry);
      if (this.#entries.size > 10_000) this.#entries.delete(this.#entries.keys().next().value!);
    }
    const {robots} = await entry;
    return robots?.isAllowed(url, this.#fetchOptions.userAgent) ?? true;
  }

  async #load(origin: string): Promise<CacheEntry> {
    const robotsUrl = `${origin}/robots.txt`;
    try {
      const response = await httpFetch(robotsUrl, {
        ...this.#fetchOptions,
        maxBodyBytes: 512 * 1024,
        readBodyFor: () => true,
      });
      const text = response.body?.toString('utf8') ?? '';
      return {robots: robotsParser(robotsUrl, text), expiresAtMs: Date.now() + this.#ttlMs};
    } catch {
      return {robots: undefined, expiresAtMs: Date.now() + this.#ttlMs};
    }
  }
}
