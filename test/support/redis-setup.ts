import { randomUUID } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startCluster } from './redis-cluster.js';
import { deleteKeys, findRedis } from './redis-server.js';

/**
 * Finds a real Redis for the store suites (see redis-server.ts), and a Redis Cluster for the
 * cluster suites: REDIS_CLUSTER_TEST_NODES (`host:port,…` of a cluster to use as it is), else
 * three throwaway masters started here when redis-server and redis-cli are on PATH (see
 * redis-cluster.ts; their join goes on while the first suites run). Without one, those suites
 * fail under CI=true and are skipped, loudly, elsewhere.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    redisMissing: string;
    /** `host:port,…` of the cluster's masters, or '' (see redisClusterMissing). */
    redisClusterNodes: string;
    /** A file that says `ok` once the cluster serves every slot, or `failed: why`; '' for a cluster given as it is. */
    redisClusterStatus: string;
    redisClusterMissing: string;
    /** This run's part of every suite's key prefix (`test:<run>:…`, testPrefix in redis.ts): its keys are deleted at the end. */
    redisRun: string;
  }
}

function banner(what: string, why: string, hint: string): void {
  const outcome = process.env.CI === 'true' ? ' CI=true: they will FAIL.' : ' They are SKIPPED.';
  const bang = '!'.repeat(78);
  process.stderr.write(`\n${bang}\n!! ${what} cannot run: ${why}.\n!! ${hint}${outcome}\n${bang}\n`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = '';
  let missing = '';
  const stops: Array<() => unknown> = [];
  try {
    const found = await findRedis();
    url = found.url;
    stops.push(found.stop);
  } catch (err) {
    missing = (err as Error).message;
    banner('Redis store suites', missing, 'Set REDIS_URL or install redis-server.');
  }
  project.provide('redisUrl', url);
  project.provide('redisMissing', missing);

  let cluster = { nodes: process.env.REDIS_CLUSTER_TEST_NODES ?? '', status: '', missing: '' };
  if (!cluster.nodes) {
    try {
      const started = await startCluster();
      stops.push(started.stop);
      cluster = { ...cluster, nodes: started.nodes, status: started.status };
    } catch (err) {
      cluster.missing = `no Redis Cluster could be started (${(err as Error).message})`;
      banner(
        'Redis Cluster suites',
        cluster.missing,
        'Install redis-server and redis-cli, or set REDIS_CLUSTER_TEST_NODES.',
      );
    }
  }
  project.provide('redisClusterNodes', cluster.nodes);
  project.provide('redisClusterStatus', cluster.status);
  project.provide('redisClusterMissing', cluster.missing);
  const run = randomUUID().slice(0, 8);
  project.provide('redisRun', run);
  return async () => {
    // The suites' keys on the shared server go with the run (another run's, under another id, stay).
    if (url) await deleteKeys(url, `test:${run}:*`).catch(() => undefined);
    for (const stop of stops) await stop();
  };
}
