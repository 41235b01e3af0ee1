import type {Settings} from '../config/settings.js';
import {CrawlFrontier} from './crawl/frontier.js';
import {
  assertRedisReachable,
  createRedisClient,
  hashTaggedPrefix,
  releaseRedisTarget,
  resolveRedisTarget,
  type RedisClient,
  type RedisTarget,
} from './queue/connection.js';
import {CrawlerQueues} from './queue/queues.js';

/**
 * Redis, the queues and the crawl frontier: what every command needs, with or without workers.
 * `add`, `status`, `retry` open a backend; `run` builds an engine around one.
 */
export interface Backend {
  readonly target: RedisTarget;
  readonly client: RedisClient;
  readonly keyPrefix: string;
  readonly queues: CrawlerQueues;
  readonly frontier: CrawlFrontier;
  close(): Promise<void>;
}

export interface OpenBackendOptions {
  /** Short CLI commands fail at once when Redis goes away; a running node waits for it. */
  readonly isFailFast?: boolean;
}

export async function openBackend(settings: Settings, options: OpenBackendOptions = {}): Promise<Backend> {
  const target = await resolveRedisTarget(settings.redis, settings.dataDir);
  const client = createRedisClient(target, {name: `crawler-tui:${process.pid}`, isFailFast: options.isFailFast});
  // ioredis reports connection errors as events; without a listener they are printed as
  // "Unhandled error event". assertRedisReachable turns a dead Redis into one clear line.
  client.on('error', () => undefined);
  try {
    await assertRedisReachable(client, target);
  } catch (error) {
    client.disconnect();
    await releaseRedisTarget(target);
    throw error;
  }
  const keyPrefix = hashTaggedPrefix(settings.redis.prefix);
  const queues = new CrawlerQueues(client, keyPrefix, {attempts: settings.scrape.attempts, backoffMs: settings.scrape.backoffMs});
  const frontier = new CrawlFrontier(client, keyPrefix);
  let closing: Promise<void> | undefined;
  return {
    target,
    client,
    keyPrefix,
    queues,
    frontier,
    close() {
      closing ??= (async () => {
        await queues.close().catch(() => undefined);
        await client.quit().catch(() => client.disconnect());
        await releaseRedisTarget(target);
      })();
      return closing;
    },
  };
}
