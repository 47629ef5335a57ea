import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Cluster } from 'ioredis';
import { inject, it } from 'vitest';
import type { RedisClusterTarget } from '../../adapters/store/redis-client.js';
import { RedisStore } from '../../adapters/store/redis.js';
import type { StoreLimits } from '../../adapters/store/shared.js';
import { parseClusterNodes } from '../../bots/config.js';

/** The Redis the global setup found, or '' (see redis-setup.ts). */
export const redisUrl = inject('redisUrl');

/**
 * `describe` blocks of Redis suites call this first: it fails the suite under CI=true when no
 * Redis could be had, and skips it (the setup printed why) elsewhere.
 */
export function requireRedis(): boolean {
  if (redisUrl) return true;
  if (process.env.CI === 'true') {
    it('has a Redis server to test against', () => {
      throw new Error(`Redis suites need a server: ${inject('redisMissing')}`);
    });
  }
  return false;
}

/**
 * A key prefix of a suite's own (`test:<run>:<name>:<random>:`): suites never see each other's keys,
 * and the global setup deletes the run's keys at its end (redis-setup.ts).
 */
export function testPrefix(name = ''): string {
  return `test:${inject('redisRun')}:${name ? `${name}:` : ''}${randomUUID().slice(0, 8)}:`;
}

/** A store on its own key prefix, so suites never see each other's keys. */
export async function freshRedisStore(limits: Partial<StoreLimits> = {}, prefix = testPrefix()): Promise<RedisStore> {
  return RedisStore.connect({ url: redisUrl, prefix, limits });
}

/** As requireRedis, for suites that start a redis-server of their own (redis-server.ts startRedisServer). */
export function requireRedisServer(): boolean {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.status === 0) return true;
  if (process.env.CI === 'true') {
    it('has redis-server on PATH', () => {
      throw new Error('this suite starts a redis-server of its own: install redis-server');
    });
  }
  return false;
}

/** The Redis Cluster the global setup started or was given (`host:port,…`), or '' (see redis-setup.ts). */
export const redisClusterNodes = inject('redisClusterNodes');

/** As requireRedis, for the suites that run on the Redis Cluster. */
export function requireCluster(): boolean {
  if (redisClusterNodes) return true;
  if (process.env.CI === 'true') {
    it('has a Redis Cluster to test against', () => {
      throw new Error(`Redis Cluster suites need a cluster: ${inject('redisClusterMissing')}`);
    });
  }
  return false;
}

/**
 * The cluster as the store takes it (REDIS_CLUSTER_NODES, read by the configuration's parser),
 * once it serves every slot: the global setup's join may still be under way when the first
 * suite starts. Rejects with why when the join failed.
 */
export async function clusterReady(timeoutMs = 20_000): Promise<RedisClusterTarget> {
  const status = inject('redisClusterStatus');
  const started = Date.now();
  for (;;) {
    const outcome = status ? await readFile(status, 'utf8').catch(() => '') : 'ok';
    if (outcome === 'ok') break;
    if (outcome) throw new Error(`the test cluster did not come up: ${outcome}`);
    if (Date.now() - started > timeoutMs) throw new Error(`the test cluster was not joined within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const parsed = parseClusterNodes(redisClusterNodes);
  if (typeof parsed === 'string') throw new Error(`REDIS_CLUSTER_TEST_NODES ${parsed}`);
  return parsed;
}

/** A store on the cluster, on a key prefix of its own. */
export async function freshClusterStore(limits: Partial<StoreLimits> = {}, prefix = testPrefix()): Promise<RedisStore> {
  return RedisStore.connect({ cluster: await clusterReady(), prefix, limits });
}

/** A client of every master of the cluster (for what the tests check or set up behind the store's back). */
export async function rawCluster(): Promise<Cluster> {
  const target = await clusterReady();
  const cluster = new Cluster(target.nodes.map(({ host, port }) => ({ host, port })));
  await new Promise<void>((resolve, reject) => {
    cluster.once('ready', resolve);
    cluster.once('error', reject);
  });
  return cluster;
}

/** Removes every key under a prefix from every master. */
export async function dropClusterPrefix(cluster: Cluster, prefix: string): Promise<void> {
  for (const node of cluster.nodes('master')) {
    const keys = await node.keys(`${prefix}*`);
    // One DEL per key: a node refuses a DEL naming keys of several slots.
    await Promise.all(keys.map((k) => node.del(k)));
  }
}
