import {Redis, Cluster, type RedisOptions} from 'ioredis';
import {UserError} from '../../errors.js';
import {
  clearEmbeddedRedisInfo,
  ensureEmbeddedRedis,
  pingRedis,
  type EmbeddedRedisHandle,
} from './embedded-redis.js';

/** Where this process's Redis is, and how it was chosen (shown by the dashboard, status, doctor). */
export interface RedisTarget {
  /** `configured`: redis.url/host/port; `local`: found on 127.0.0.1:6379; `embedded`: our own server. */
  readonly source: 'configured' | 'local' | 'embedded';
  readonly url: string;
  /** Cluster seed nodes when redis.url is a comma-separated list. */
  readonly clusterNodes?: ReadonlyArray<{host: string; port: number}>;
  /** The URL with any password masked: the only form that may be printed or logged. */
  readonly display: string;
  readonly embedded?: EmbeddedRedisHandle;
}

export interface RedisSettings {
  readonly url: string | undefined;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly prefix: string;
}

export function maskRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^:@/]*):([^@/]*)@/i, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
}

function parseHostPort(url: string): {host: string; port: number} {
  const parsed = new URL(url.includes('://') ? url : `redis://${url}`);
  return {host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379)};
}

/**
 * Chooses the Redis as DESIGN.md says: redis.url (or host/port) when set; else a server on
 * 127.0.0.1:6379 if one answers; else the embedded server of the data directory (started when
 * none runs). `redis.url = embedded` forces the embedded server.
 */
export async function resolveRedisTarget(redis: RedisSettings, dataDir: string): Promise<RedisTarget> {
  const configured = redis.url ?? (redis.host || redis.port ? `redis://${redis.host ?? '127.0.0.1'}:${redis.port ?? 6379}` : undefined);
  if (configured && configured !== 'embedded') {
    const urls = configured.split(',').map((part) => part.trim()).filter(Boolean);
    if (urls.length > 1) {
      return {
        source: 'configured',
        url: urls[0]!,
        clusterNodes: urls.map(parseHostPort),
        display: urls.map(maskRedisUrl).join(','),
      };
    }
    return {source: 'configured', url: urls[0]!, display: maskRedisUrl(urls[0]!)};
  }
  if (configured !== 'embedded' && (await pingRedis('127.0.0.1', 6379, 300))) {
    return {source: 'local', url: 'redis://127.0.0.1:6379', display: 'redis://127.0.0.1:6379'};
  }
  const embedded = await ensureEmbeddedRedis(dataDir);
  return {source: 'embedded', url: embedded.url, display: `${embedded.url} (embedded, data in ${dataDir}/redis)`, embedded};
}

/** BullMQ and Redis Cluster need every key of a queue in one slot: the prefix is a hash tag. */
export function hashTaggedPrefix(prefix: string): string {
  return `{${prefix}}`;
}

export type RedisClient = Redis | Cluster;

export interface ConnectionOptions {
  /** Shown in CLIENT LIST, so the last process using an embedded Redis can tell it is the last. */
  readonly name: string;
  /** Fail commands at once instead of waiting for a reconnect (for short CLI commands). */
  readonly isFailFast?: boolean;
}

/** The only place that creates Redis clients. */
export function createRedisClient(target: RedisTarget, options: ConnectionOptions): RedisClient {
  const common: RedisOptions = {
    connectionName: options.name,
    // BullMQ workers throw without this, and a blocking client must wait for Redis to come back.
    maxRetriesPerRequest: options.isFailFast ? 1 : null,
    enableOfflineQueue: true,
    retryStrategy: options.isFailFast ? (times) => (times > 2 ? null : 200) : (times) => Math.min(times * 200, 2000),
  };
  if (target.clusterNodes) {
    return new Cluster(target.clusterNodes.map((n) => ({host: n.host, port: n.port})), {
      redisOptions: {...common, ...credentialsOf(target.url)},
      clusterRetryStrategy: common.retryStrategy as (times: number) => number | null,
    });
  }
  return new Redis(target.url, common);
}

function credentialsOf(url: string): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const parsed = new URL(url);
  return {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Checks that Redis answers, turning a refused connection into one clear line. */
export async function assertRedisReachable(client: RedisClient, target: RedisTarget, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw new UserError(
      `cannot reach Redis at ${target.display}: ${maskRedisUrl((error as Error).message)}`,
      'start Redis, or set --redis URL / REDIS_URL (or --redis embedded)',
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Called when a process is done with Redis. An embedded server is stopped by the last
 * crawler-tui process using it (whoever started it), so `add` in a second terminal does not
 * stop the server under a running node, and nothing is left behind when the last one leaves.
 */
export async function releaseRedisTarget(target: RedisTarget): Promise<void> {
  const embedded = target.embedded;
  if (!embedded) return;
  const admin = new Redis(target.url, {
    connectionName: `crawler-tui:admin:${process.pid}`,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  try {
    await admin.connect();
    const clients = String(await admin.client('LIST'))
      .split('\n')
      .filter((line) => line.trim() !== '');
    if (clients.length > 1) return;
    // SHUTDOWN makes Redis fsync its AOF before it exits; the connection drops, which is expected.
    await admin.call('SHUTDOWN').catch(() => undefined);
    clearEmbeddedRedisInfo(embedded.dataDir, embedded.info.pid);
    await waitForExit(embedded.info.pid, 5000);
  } catch {
    // Already gone: nothing to release.
  } finally {
    admin.disconnect();
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
