import type {RedisClient} from '../queue/connection.js';

/** What a node says about itself every few seconds; read by `status` and the fleet view. */
export interface NodeHeartbeat {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly version: string;
  readonly startedAtMs: number;
  readonly atMs: number;
  readonly phase: string;
  readonly pools: {
    readonly files: {readonly size: number; readonly targetSize: number; readonly busy: number; readonly isAuto: boolean};
    readonly scrape: {readonly concurrency: number; readonly active: number};
    readonly browsers?: {readonly size: number; readonly targetSize: number; readonly busy: number; readonly isAuto: boolean};
  };
  readonly resources?: {
    readonly cpuRatio: number;
    readonly memoryUsedRatio: number;
    readonly nodeRssBytes: number;
    readonly loopDelayP99Ms: number;
  };
  readonly completed: number;
  readonly failed: number;
}

function nodesKey(keyPrefix: string): string {
  return `${keyPrefix}:nodes`;
}

function nodeKey(keyPrefix: string, nodeId: string): string {
  return `${keyPrefix}:node:${nodeId}`;
}

/** Writes one heartbeat that expires after `ttlMs` unless renewed: a dead node disappears by itself. */
export async function writeHeartbeat(client: RedisClient, keyPrefix: string, heartbeat: NodeHeartbeat, ttlMs: number): Promise<void> {
  await client
    .multi()
    .set(nodeKey(keyPrefix, heartbeat.id), JSON.stringify(heartbeat), 'PX', ttlMs)
    .zadd(nodesKey(keyPrefix), heartbeat.atMs, heartbeat.id)
    .exec();
}

export async function removeHeartbeat(client: RedisClient, keyPrefix: string, nodeId: string): Promise<void> {
  await client.multi().del(nodeKey(keyPrefix, nodeId)).zrem(nodesKey(keyPrefix), nodeId).exec();
}

/** The nodes whose heartbeat has not expired, oldest first; expired entries are pruned. */
export async function readHeartbeats(client: RedisClient, keyPrefix: string): Promise<NodeHeartbeat[]> {
  const ids = await client.zrange(nodesKey(keyPrefix), '0', '-1');
  if (ids.length === 0) return [];
  // One GET per node rather than MGET: in Redis Cluster every key here shares the hash tag
  // anyway, but a pipeline keeps this correct even if that ever changes.
  const pipeline = client.pipeline();
  for (const id of ids) pipeline.get(nodeKey(keyPrefix, id));
  const replies = (await pipeline.exec()) ?? [];
  const alive: NodeHeartbeat[] = [];
  const gone: string[] = [];
  replies.forEach(([error, raw], index) => {
    if (error || typeof raw !== 'string') {
      gone.push(ids[index]!);
      return;
    }
    try {
      alive.push(JSON.parse(raw) as NodeHeartbeat);
    } catch {
      gone.push(ids[index]!);
    }
  });
  if (gone.length > 0) await client.zrem(nodesKey(keyPrefix), ...gone);
  return alive;
}
