import { createHash, randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAttempts } from '../../../adapters/console/attempts.js';
import { RedisDeferred } from '../../../adapters/store/deferred.js';
import { RedisFlowSignal } from '../../../adapters/store/flow-signal.js';
import { createRedisClient } from '../../../adapters/store/redis-client.js';
import { RedisHealth, type DataLossIncident } from '../../../adapters/store/redis-health.js';
import { SCRIPTS } from '../../../adapters/store/redis-scripts.js';
import type { PublishedFlowVersion } from '../../../bots/flow-versions-port.js';
import { memoryLogger } from '../../../bots/log.js';
import {
  clusterReady,
  dropClusterPrefix,
  freshClusterStore,
  rawCluster,
  requireCluster,
  testPrefix,
} from '../../support/redis.js';
import { event, redisRawHooks, reply, storeContract } from './contract.js';

/**
 * The Redis store on a real Redis Cluster of three masters (started by the test setup): the
 * whole store contract, so every script and transaction the store sends runs there (a call whose
 * keys span two hash slots fails with CROSSSLOT), and what only a cluster can show.
 */
describe.runIf(requireCluster())('Redis store on a Redis Cluster', () => {
  let raw: Cluster;
  // Every store of this file under one run prefix, removed once at the end (a KEYS per master per test costs).
  const run = testPrefix('cluster');
  const fresh = () => `${run}${randomUUID().slice(0, 8)}:`;
  beforeAll(async () => {
    raw = await rawCluster();
  });
  afterAll(async () => {
    await dropClusterPrefix(raw, run);
    await raw.quit();
  });

  storeContract('redis cluster', async (limits) => {
    const prefix = fresh();
    const store = await freshClusterStore(limits, prefix);
    return {
      store,
      ...redisRawHooks(raw, prefix),
      close: () => store.close(),
    };
  });

  it('ran every script of the store on the cluster during the contract', async () => {
    const shas = Object.values(SCRIPTS).map((s) => createHash('sha1').update(s.lua).digest('hex'));
    const loaded = await Promise.all(
      raw.nodes('master').map((node) => node.call('SCRIPT', 'EXISTS', ...shas) as Promise<number[]>),
    );
    const missing = Object.keys(SCRIPTS).filter((_, i) => !loaded.some((onNode) => onNode[i] === 1));
    expect(missing).toEqual([]);
  });

  it("spreads conversations over the masters, and serves one conversation's turn from its own", async () => {
    const prefix = fresh();
    const store = await freshClusterStore({}, prefix);
    try {
      for (let i = 0; i < 12; i++) await store.accept(event(`e${i}`, `tg:${i}`));
      const holding = await Promise.all(
        raw.nodes('master').map(async (node) => (await node.keys(`${prefix}{c:*}:inbox`)).length),
      );
      expect(holding.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
      expect(holding.reduce((a, b) => a + b, 0)).toBe(12);
      // A whole turn of one of them: begin, commit with a reply, acknowledge, unlock.
      const begun = await store.begin('tg:3', 5_000);
      expect(begun?.next).toMatchObject({ id: 'e3' });
      await store.commit(begun!.lease, {
        eventId: 'e3',
        record: { snapshot: {}, timers: {}, turn: 1 },
        transcript: [],
        outbox: [reply('e3#0', 'tg:3')],
      });
      expect(await store.unlock(begun!.lease, ['e3#0'])).toEqual({ inbox: 0, outbox: 0 });
      expect((await store.pending(20)).sort()).toEqual(
        Array.from({ length: 12 }, (_, i) => `tg:${i}`)
          .filter((c) => c !== 'tg:3')
          .sort(),
      );
    } finally {
      await store.close();
    }
  });

  it('keeps deferred record writes in order and their writer lock on the cluster', async () => {
    const prefix = fresh();
    const client = createRedisClient({ cluster: await clusterReady() });
    try {
      const deferred = new RedisDeferred(client, prefix);
      await deferred.push(reply('d1'));
      await deferred.push(reply('d2'));
      expect((await deferred.peek(5)).map((i) => i?.id)).toEqual(['d1', 'd2']);
      expect(await deferred.lock('me', 5_000)).toBe(true);
      expect(await deferred.lock('other', 5_000)).toBe(false);
      await deferred.unlock('me');
      expect(await deferred.lock('other', 5_000)).toBe(true);
      await deferred.drop(1);
      expect(await deferred.size()).toBe(1);
    } finally {
      await client.quit();
    }
  });

  it("counts the console's failed sign-ins on the cluster (one MULTI on one key)", async () => {
    const prefix = fresh();
    const { attempts, close } = await openAttempts({ cluster: await clusterReady() }, prefix);
    try {
      expect(await attempts.fail('name:ana', 60_000, 0)).toBe(1);
      expect(await attempts.fail('name:ana', 60_000, 0)).toBe(2);
      expect(await attempts.read('name:ana', 0)).toMatchObject({ failures: 2 });
    } finally {
      await close();
    }
  });

  it('checks every master for persistence, keeps an epoch marker on each, and names the one that lost its data', async () => {
    const prefix = fresh();
    let now = 1_795_000_000_000;
    const incidents: DataLossIncident[] = [];
    const log = memoryLogger();
    const deps = { log, clock: () => now, production: false, onIncident: (i: DataLossIncident) => incidents.push(i) };
    const health = await RedisHealth.start({ cluster: await clusterReady() }, prefix, deps);
    try {
      const masters = raw.nodes('master');
      const { persistence } = await health.check();
      expect(persistence.map((f) => f.state)).toEqual(masters.map(() => 'none'));
      // One marker on each master.
      const held = await Promise.all(masters.map(async (node) => node.keys(`${prefix}epoch*`)));
      expect(held.map((keys) => keys.length)).toEqual(masters.map(() => 1));
      // One master loses its data (its marker goes; the others keep theirs).
      const [lostKey] = held[1]!;
      await masters[1]!.del(lostKey!);
      now += 60_000;
      const { incident } = await health.check();
      expect(incident?.markers).toEqual([
        { key: lostKey, server: `${masters[1]!.options.host}:${masters[1]!.options.port}`, found: 'gone' },
      ]);
      expect(incidents).toHaveLength(1);
    } finally {
      await health.close();
    }
  });

  it('tells every replica of a published flow version through pub/sub on the cluster, and keeps its copy', async () => {
    const prefix = fresh();
    const cluster = await clusterReady();
    const [listener, publisher, reader] = [1, 2, 3].map(() => RedisFlowSignal.create({ cluster, prefix }));
    try {
      let hear: (pointer: unknown) => void = () => {};
      const heard = new Promise((resolve) => (hear = resolve));
      await listener!.listen((pointer) => hear(pointer));
      const version: PublishedFlowVersion = {
        id: 7,
        hash: 'abcdef012345',
        files: { 'zh-CN.yaml': 'x: 1\n' },
        author: 'ana',
        message: 'warmer',
        createdAt: 1_795_000_000_000,
        figures: null,
      };
      await publisher!.announce(version);
      expect(await heard).toEqual({ id: 7, hash: 'abcdef012345' });
      expect(await reader!.cached()).toEqual(version);
    } finally {
      await Promise.all([listener, publisher, reader].map((s) => s!.close()));
    }
  });
});
