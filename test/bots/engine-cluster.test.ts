import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../adapters/store/redis.js';
import { harness, TestClock } from '../support/harness.js';
import { dropClusterPrefix, freshClusterStore, rawCluster, requireCluster, testPrefix } from '../support/redis.js';
import { TWO_MATTERS, twoMattersReplies } from '../support/script.js';

/**
 * Two replicas on a Redis Cluster of three masters (the test setup's): a customer's whole
 * conversation, each message delivered to both engines at once as a retrying platform would,
 * is answered once per message, in order, with its tickets, and an idle close set by one replica
 * is fired by the other.
 */
describe.runIf(requireCluster())('two engines on a Redis Cluster', () => {
  const prefix = testPrefix('eng-cluster');
  const stores: RedisStore[] = [];
  let raw: Cluster;
  const open = async () => {
    // Every line kept (a deployment keeps a card's worth): the tests count them all.
    const s = await freshClusterStore({ transcriptMax: 1_000 }, prefix);
    stores.push(s);
    return s;
  };
  beforeAll(async () => {
    raw = await rawCluster();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await dropClusterPrefix(raw, prefix);
    await raw.quit();
  });

  it("answers each of a customer's messages once, in order, whichever replica takes it", async () => {
    const clock = new TestClock();
    const a = harness(await open(), { clock });
    const b = harness(await open(), { clock });
    for (const [i, text] of TWO_MATTERS.entries()) {
      const e = a.event('cluster-chat', { type: 'text', text }, `cl-${i}`);
      await Promise.all([a.engine.receive(e), b.engine.receive(e)]);
    }
    await a.engine.recover();
    const sent = [...a.channel.sent, ...b.channel.sent].sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(sent.map((m) => m.id)).toEqual([...new Set(sent.map((m) => m.id))]);
    const transcript = await b.store.transcript('cluster-chat', 100);
    expect(transcript.filter((e) => e.from === 'customer').map((e) => e.text)).toEqual(TWO_MATTERS);
    expect(transcript.filter((e) => e.from === 'bot').map((e) => e.text)).toEqual(twoMattersReplies());
    expect(sent).toHaveLength(twoMattersReplies().length);
    const tickets = await a.store.tickets.list({ conversationId: 'cluster-chat' });
    expect(tickets.map((t) => t.satisfaction)).toEqual([5, 5]);
  });

  it('fires an idle close set by one replica from the other', async () => {
    const clock = new TestClock();
    const a = harness(await open(), { clock });
    const b = harness(await open(), { clock });
    await a.say('cluster-idle', '你好');
    clock.advance(11 * 60_000);
    expect(await b.poller.tick()).toBeGreaterThanOrEqual(1);
    expect(b.channel.texts('cluster-idle')).toEqual([expect.stringMatching(/^由于您较长时间没有回复/)]);
  });
});
