/**
 * The Redis a queue lives on: a connection opened from what the caller gives (a URL, ioredis options or
 * an ioredis client), reached within a deadline, and checked before any job moves. BullMQ keeps jobs,
 * locks and results in ordinary keys, so a Redis that evicts keys under memory pressure loses jobs
 * silently: `maxmemory-policy` must be `noeviction`, and a worker or producer refuses to start otherwise
 * (BullMQ itself only prints a warning).
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { FastSAMError, messageOf } from '../errors';
import { invalid, is } from '../options/check';

/**
 * Where the queue lives: a `redis://` or `rediss://` URL, ioredis options, `{ cluster: [URL, ...] }`
 * (some nodes of a Redis Cluster; credentials and TLS from the first URL), or an ioredis client (a
 * `Redis` or a `Cluster`) that the caller keeps and closes.
 */
export type RedisTarget =
  | string
  | RedisOptions
  | {
      /** redis:// or rediss:// URLs of some nodes of a Redis Cluster. */
      cluster: string[];
    }
  | Redis
  | Cluster;

export type RedisClient = Redis | Cluster;

export interface RedisHandle {
  client: RedisClient;
  /** host:port ('Redis Cluster' for a cluster), never the password: for logs. */
  where: string;
  /** Closes the connection if this handle opened it; a caller's client is left open. */
  close(): Promise<void>;
}

const isClient = (value: unknown): value is RedisClient => value instanceof Redis || value instanceof Cluster;

function describeClient(client: RedisClient): string {
  if (client instanceof Cluster) return 'Redis Cluster';
  return `${client.options.host ?? '127.0.0.1'}:${client.options.port ?? 6379}`;
}

/**
 * Opens (or adopts) the connection. `blocking` connections (workers) retry commands for ever while
 * Redis is away, as BullMQ requires (`maxRetriesPerRequest: null`); a producer's give up and fail.
 */
export function openRedis(target: unknown, { blocking }: { blocking: boolean }): RedisHandle {
  if (isClient(target)) {
    const retries = target instanceof Cluster ? target.options.redisOptions?.maxRetriesPerRequest : target.options.maxRetriesPerRequest;
    if (blocking && retries !== null) {
      invalid(
        'redis',
        'an ioredis client created with maxRetriesPerRequest: null (BullMQ workers need it)',
        `maxRetriesPerRequest ${retries}`,
      );
    }
    return { client: target, where: describeClient(target), close: async () => undefined };
  }
  let client: RedisClient;
  const retry = blocking ? { maxRetriesPerRequest: null } : {};
  if (is.string(target)) {
    checkUrl('redis', target);
    client = new Redis(target, { ...retry, lazyConnect: true });
  } else if (is.plainObject(target) && 'cluster' in target) {
    client = openCluster(target.cluster, retry);
  } else if (is.plainObject(target)) {
    client = new Redis({ ...(target as RedisOptions), ...retry, lazyConnect: true });
  } else {
    return invalid('redis', 'a redis:// URL, ioredis options, { cluster: [URL, ...] }, or an ioredis Redis or Cluster client', target);
  }
  // Connection errors surface through the commands that fail and through connect(); without a listener
  // ioredis would print each reconnection failure.
  client.on('error', () => undefined);
  return {
    client,
    where: describeClient(client),
    close: async () => {
      if (client.status === 'end') return;
      // quit() waits for pending replies; a client that never connected has none to wait for.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

const URL_PATTERN = /^rediss?:\/\/./;

function checkUrl(name: string, url: unknown): string {
  if (!is.string(url) || !URL_PATTERN.test(url)) invalid(name, 'a redis:// or rediss:// URL', url);
  return url;
}

/** A Redis Cluster client from some of its nodes' URLs. */
function openCluster(urls: unknown, retry: { maxRetriesPerRequest?: null }): Cluster {
  if (!Array.isArray(urls) || urls.length === 0) invalid('redis.cluster', 'a non-empty list of redis:// URLs', urls);
  const nodes = urls.map((url, i) => new URL(checkUrl(`redis.cluster[${i}]`, url)));
  const [first] = nodes;
  return new Cluster(
    nodes.map((node) => ({ host: node.hostname, port: Number(node.port || 6379) })),
    {
      lazyConnect: true,
      redisOptions: {
        ...retry,
        ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
        ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
        ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
      },
    },
  );
}

/**
 * On Redis Cluster every key of a queue must hash to one slot, or BullMQ's scripts fail (CROSSSLOT):
 * the queue name (or the prefix) needs a hash tag, e.g. `{fastsam}`.
 */
export function checkHashTag(client: RedisClient, prefix: string, name: string): void {
  if (!(client instanceof Cluster) || /\{[^}]+\}/.test(`${prefix}:${name}`)) return;
  invalid('queue', `a hash-tagged name on Redis Cluster, e.g. {${name}} (all of a queue's keys must share one slot)`, name);
}

/** Waits until the client is connected, or fails with E_REDIS after `timeoutMs`. */
export async function connectRedis(handle: RedisHandle, timeoutMs: number): Promise<void> {
  const { client } = handle;
  if (client.status === 'ready') return;
  let lastError: unknown;
  const onError = (error: unknown) => (lastError = error);
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
    if (client.status === 'wait') client.connect().catch(onError);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const why = lastError ? `: ${messageOf(lastError)}` : '';
        reject(new FastSAMError('E_REDIS', `cannot reach Redis at ${handle.where} within ${timeoutMs} ms${why}`, { cause: lastError }));
      }, timeoutMs);
    });
    await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}

/** `INFO` fields, e.g. maxmemory_policy. */
function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

async function checkNode(node: Redis, where: string): Promise<void> {
  let info: Map<string, string>;
  try {
    info = parseInfo(await node.info('memory'));
  } catch (error) {
    throw new FastSAMError('E_REDIS', `cannot read the configuration of Redis at ${where} (INFO memory): ${messageOf(error)}`, {
      cause: error,
    });
  }
  const policy = info.get('maxmemory_policy');
  if (policy !== 'noeviction') {
    throw new FastSAMError(
      'E_REDIS',
      `Redis at ${where} has maxmemory-policy ${policy ?? 'unknown'}; the queue needs noeviction, or Redis may evict ` +
        'jobs, locks and results when memory runs short and they are lost without a trace. Set it in redis.conf ' +
        '(maxmemory-policy noeviction) or with CONFIG SET maxmemory-policy noeviction.',
    );
  }
}

/** Refuses a Redis (every master of a cluster) whose eviction policy could drop queue keys. */
export async function checkRedis(handle: RedisHandle): Promise<void> {
  const { client } = handle;
  if (client instanceof Cluster) {
    for (const node of client.nodes('master')) await checkNode(node, `${node.options.host}:${node.options.port}`);
  } else {
    await checkNode(client, handle.where);
  }
}

/** Connects and checks: the start of every producer and worker. Closes the handle on failure. */
export async function connectAndCheck(handle: RedisHandle, timeoutMs: number): Promise<void> {
  try {
    await connectRedis(handle, timeoutMs);
    await checkRedis(handle);
  } catch (error) {
    await handle.close();
    throw error;
  }
}
