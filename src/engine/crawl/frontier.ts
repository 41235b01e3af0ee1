import type {RedisClient} from '../queue/connection.js';

/**
 * Crawl state in Redis, shared by every node: which normalised URLs a crawl has claimed, and
 * its page budget. A URL is claimed by the page that found it first; the claim and the budget
 * are taken in one Lua script, so `--max-pages 50` yields at most 50 pages however many workers
 * and nodes run the crawl.
 *
 * A parent re-run after a crash (stalled job) gets its own earlier claims back, so children
 * whose jobs were never added (the node died between claim and add) are added on the re-run;
 * their job ids are deterministic, so children that were added are not added twice.
 */
const CLAIM_SCRIPT = `
local crawl = KEYS[1]
local claims = KEYS[2]
local parent = ARGV[1]
local maxPages = tonumber(ARGV[2])
local claimed = tonumber(redis.call('HGET', crawl, 'claimed') or '0')
local accepted = {}
for i = 3, #ARGV do
  local url = ARGV[i]
  local owner = redis.call('HGET', claims, url)
  if not owner then
    if claimed < maxPages then
      redis.call('HSET', claims, url, parent)
      claimed = claimed + 1
      accepted[#accepted + 1] = url
    end
  elseif owner == parent then
    accepted[#accepted + 1] = url
  end
end
redis.call('HSET', crawl, 'claimed', claimed)
return accepted
`;

export interface CrawlStatus {
  readonly crawlId: string;
  readonly rootUrl: string;
  readonly maxPages: number;
  readonly claimed: number;
  readonly done: number;
  readonly failed: number;
  readonly createdAtMs: number;
}

export class CrawlFrontier {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  /** @param keyPrefix the hash-tagged prefix (`{crawler}`), so all crawl keys share one slot. */
  constructor(redis: RedisClient, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
    redis.defineCommand('crawlerClaimUrls', {numberOfKeys: 2, lua: CLAIM_SCRIPT});
  }

  #crawlKey(crawlId: string): string {
    return `${this.#prefix}:crawl:${crawlId}`;
  }

  #claimsKey(crawlId: string): string {
    return `${this.#prefix}:crawl:${crawlId}:claims`;
  }

  /** Registers a crawl and claims its start URL (1 page of the budget). */
  async createCrawl(crawlId: string, rootUrl: string, maxPages: number): Promise<void> {
    await this.#redis
      .multi()
      .hset(this.#crawlKey(crawlId), {rootUrl, maxPages, createdAtMs: Date.now(), done: 0, failed: 0})
      .sadd(`${this.#prefix}:crawls`, crawlId)
      .exec();
    await this.claim(crawlId, 'root', maxPages, [rootUrl]);
  }

  /** Claims what it can of `urls` for the page `parentJobId`; returns the URLs to enqueue. */
  async claim(crawlId: string, parentJobId: string, maxPages: number, urls: readonly string[]): Promise<string[]> {
    if (urls.length === 0) return [];
    const redis = this.#redis as unknown as {
      crawlerClaimUrls(crawl: string, claims: string, parent: string, max: number, ...urls: string[]): Promise<string[]>;
    };
    return redis.crawlerClaimUrls(this.#crawlKey(crawlId), this.#claimsKey(crawlId), parentJobId, maxPages, ...urls);
  }

  async recordOutcome(crawlId: string, outcome: 'done' | 'failed'): Promise<void> {
    await this.#redis.hincrby(this.#crawlKey(crawlId), outcome, 1);
  }

  async status(crawlId: string): Promise<CrawlStatus | undefined> {
    const hash = await this.#redis.hgetall(this.#crawlKey(crawlId));
    if (!hash['rootUrl']) return undefined;
    return {
      crawlId,
      rootUrl: hash['rootUrl'],
      maxPages: Number(hash['maxPages']),
      claimed: Number(hash['claimed'] ?? 0),
      done: Number(hash['done'] ?? 0),
      failed: Number(hash['failed'] ?? 0),
      createdAtMs: Number(hash['createdAtMs']),
    };
  }

  async listCrawlIds(): Promise<string[]> {
    return this.#redis.smembers(`${this.#prefix}:crawls`);
  }
}
