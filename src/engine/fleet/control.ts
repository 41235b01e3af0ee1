import type {RedisClient} from '../queue/connection.js';

/**
 * Operator commands to running nodes over Redis pub/sub: `crawler-tui scale files 4` on any
 * machine reaches every node that shares the Redis and prefix.
 */
export type ControlCommand =
  | {readonly command: 'scale'; readonly pool: 'files' | 'browsers'; readonly size: number | 'auto'}
  | {readonly command: 'ping'};

export interface ControlMessage {
  /** A node id (`host:pid`) or `all`. */
  readonly target: string;
  readonly body: ControlCommand;
}

export function controlChannel(keyPrefix: string): string {
  return `${keyPrefix}:control`;
}

/** Publishes a command; resolves with how many nodes are listening (PUBLISH's count). */
export async function sendControl(client: RedisClient, keyPrefix: string, message: ControlMessage): Promise<number> {
  return client.publish(controlChannel(keyPrefix), JSON.stringify(message));
}

/** Parses a control message; anything malformed (another client, an old version) is ignored. */
export function parseControlMessage(raw: string): ControlMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const {target, body} = value as {target?: unknown; body?: {command?: unknown; pool?: unknown; size?: unknown}};
  if (typeof target !== 'string' || typeof body !== 'object' || body === null) return undefined;
  if (body.command === 'ping') return {target, body: {command: 'ping'}};
  if (body.command === 'scale' && (body.pool === 'files' || body.pool === 'browsers')) {
    const size = body.size;
    if (size === 'auto' || (typeof size === 'number' && Number.isInteger(size) && size >= 0 && size <= 1000)) {
      return {target, body: {command: 'scale', pool: body.pool, size}};
    }
  }
  return undefined;
}

/**
 * Listens for control messages on a dedicated connection (a subscribed Redis connection can do
 * nothing else). Returns a function that stops listening.
 */
export async function listenForControl(
  subscriber: RedisClient,
  keyPrefix: string,
  nodeId: string,
  onCommand: (command: ControlCommand) => void,
): Promise<() => Promise<void>> {
  const channel = controlChannel(keyPrefix);
  const onMessage = (from: string, raw: string) => {
    if (from !== channel) return;
    const message = parseControlMessage(raw);
    if (message && (message.target === 'all' || message.target === nodeId)) onCommand(message.body);
  };
  subscriber.on('message', onMessage);
  await subscriber.subscribe(channel);
  return async () => {
    subscriber.off('message', onMessage);
    await subscriber.unsubscribe(channel).catch(() => undefined);
  };
}
