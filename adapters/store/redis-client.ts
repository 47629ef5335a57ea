import { Cluster, Redis } from 'ioredis';

/**
 * One way to reach Redis for every adapter that talks to it: a single server (ioredis's `Redis`)
 * or a Redis Cluster (ioredis's `Cluster`, which routes each command to the master of its key's
 * hash slot). Both take the same commands and scripts, so the stores are written once against
 * `RedisClient`. On a cluster a script or MULTI may only name keys of one hash slot: every
 * multi-key call in adapters/store keeps its keys under one hash tag (`{c:<id>}`, `{timers}`, …).
 */
export type RedisClient = Redis | Cluster;

/** A cluster's seed nodes and the credentials every node takes (a cluster's nodes share them). */
export interface RedisClusterTarget {
  /** Any of the cluster's nodes (at least one): the client asks them for the slot map and finds the rest. */
  nodes: ReadonlyArray<{ host: string; port: number }>;
  username?: string | undefined;
  password?: string | undefined;
  /** TLS to every node (a `rediss://` address). */
  tls?: boolean | undefined;
}

/** Where Redis is: one server's URL (`redis://` or `rediss://`), or a cluster. */
export type RedisTarget = { url: string } | { cluster: RedisClusterTarget };

/** What the adapters set on their connections; the rest is ioredis's defaults. */
export interface RedisClientOptions {
  /** Connects on `connect()` or on the first command instead of at once. */
  lazyConnect?: boolean;
  /** Tries of a command across reconnects before it fails (ioredis: 20). */
  maxRetriesPerRequest?: number;
  /** Sends the commands of one tick in one write (per node on a cluster). */
  enableAutoPipelining?: boolean;
  /** Ms before reconnecting after the `times`-th failed try, or null to give up (a cluster: the whole cluster's reconnection). */
  retryStrategy?: (times: number) => number | null;
}

/**
 * A connection to the target. Nothing is awaited: with `lazyConnect` it connects on `connect()`
 * or the first command. Every client gets an 'error' listener here: without one ioredis prints
 * "Unhandled error event" for every reconnect while Redis is down (found by `npm run chaos`);
 * errors reach callers through failed commands, and callers may add listeners of their own.
 */
export function createRedisClient(target: RedisTarget, options: RedisClientOptions = {}): RedisClient {
  const client = connectTo(target, options);
  client.on('error', () => {});
  return client;
}

function connectTo(target: RedisTarget, options: RedisClientOptions): RedisClient {
  const { lazyConnect, maxRetriesPerRequest, enableAutoPipelining, retryStrategy } = options;
  if ('url' in target)
    return new Redis(target.url, {
      lazyConnect,
      maxRetriesPerRequest,
      enableAutoPipelining,
      ...(retryStrategy ? { retryStrategy } : {}),
    });
  const { nodes, username, password, tls } = target.cluster;
  return new Cluster(
    nodes.map(({ host, port }) => ({ host, port })),
    {
      lazyConnect,
      enableAutoPipelining,
      ...(retryStrategy ? { clusterRetryStrategy: retryStrategy } : {}),
      redisOptions: { maxRetriesPerRequest, username, password, ...(tls ? { tls: {} } : {}) },
    },
  );
}

/** The target as an operator reads it in an error: the URL without its password, or the cluster's seed nodes. */
export function describeTarget(target: RedisTarget): string {
  if ('url' in target) return target.url.replace(/\/\/([^@/]*)@/, '//***@');
  return `the Redis Cluster at ${target.cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
}

/**
 * The servers holding the data: the one server, or every master of a cluster (as the client's
 * slot map knows them). For per-server commands (CONFIG, INFO, SCAN) that a cluster does not route.
 */
export function dataNodes(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** Whether the client is a cluster's: commands on different hash tags may then run on different servers, in any order. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}
