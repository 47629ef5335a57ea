import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../adapters/store/redis.js';
import { LeaseLostError } from '../../bots/errors.js';
import type { InboundEvent } from '../../bots/ports.js';
import type { Ticket } from '../../flows/ticket.js';
import { freshRedisStore, redisUrl, requireRedis } from '../support/redis.js';

function event(id: string, conv = 'tg:42', text = '你好'): InboundEvent {
  return { id, conversationId: conv, channel: 'telegram', customer: { id: '42' }, at: 1_795_000_000_000, payload: { type: 'text', text } };
}

function ticket(id: string, createdAt: number, status: Ticket['status'] = 'answered'): Ticket {
  return { id, type: 'inquiry', status, conversationId: 'tg:42', channel: 'telegram', customer: { id: '42' }, locale: 'zh-CN', need: '发票', facts: [], outcome: 'x', createdAt, updatedAt: createdAt };
}

describe.runIf(requireRedis())('Redis store (real server)', () => {
  const prefix = `test:${Date.now().toString(36)}:`;
  let store: RedisStore;
  let raw: Redis;
  /** The lease alone, as begin takes it. */
  const lock = async (conversationId: string, ttlMs: number) => (await store.begin(conversationId, ttlMs))?.lease;

  beforeAll(async () => {
    store = await freshRedisStore({ transcriptMax: 10 }, prefix);
    raw = new Redis(redisUrl);
  });
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
    await store.close();
  });

  it('accepts an event once and remembers its id for at least 24 hours', async () => {
    expect(await store.accept(event('u1'))).toBe(true);
    expect(await store.accept(event('u1'))).toBe(false);
    // One sorted set of the ids seen lately per conversation, not a key per event.
    expect(await raw.zscore(`${prefix}{c:tg:42}:seen`, 'u1')).not.toBeNull();
    expect(await raw.ttl(`${prefix}{c:tg:42}:seen`)).toBeGreaterThanOrEqual(24 * 3600);
    expect(await store.peekInbox('tg:42')).toMatchObject({ id: 'u1' });
    expect(await store.pending(10)).toContain('tg:42');
  });

  it('forgets ids older than the dedup window, so the set stays small', async () => {
    const [seconds] = await raw.time();
    const longAgo = (Number(seconds) - 49 * 3600) * 1000;
    await raw.zadd(`${prefix}{c:old}:seen`, longAgo, 'ancient');
    expect(await store.accept(event('ancient', 'old'))).toBe(true);
    expect(Number(await raw.zscore(`${prefix}{c:old}:seen`, 'ancient'))).toBeGreaterThan(longAgo);
    expect(await store.accept(event('ancient', 'old'))).toBe(false);
  });

  it('keeps every key of a conversation under one cluster hash tag', async () => {
    const lease = await lock('tg:42', 5_000);
    await store.commit(lease!, { eventId: 'u1', record: { snapshot: {}, timers: {}, turn: 1 }, transcript: [{ at: 1, from: 'customer', text: '你好', eventId: 'u1' }], outbox: [] });
    await store.unlock(lease!);
    const keys = await raw.keys(`${prefix}{c:tg:42}*`);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    const slots = new Set(await Promise.all(keys.map((k) => raw.call('CLUSTER', 'KEYSLOT', k).catch(() => keyslotFallback(k)))));
    expect(slots.size).toBe(1);
  });

  it('commits state, transcript and outbox together and pops the event', async () => {
    await store.accept(event('u2'));
    const lease = await lock('tg:42', 5_000);
    expect(lease).toBeDefined();
    expect(await lock('tg:42', 5_000)).toBeUndefined();
    await store.commit(lease!, {
      eventId: 'u2',
      record: { snapshot: { value: 'confirming' }, timers: { idle: 5 }, turn: 2 },
      transcript: [{ at: 2, from: 'bot', text: '您好', eventId: 'u2' }],
      outbox: [{ id: 'u2#0', conversationId: 'tg:42', channel: 'telegram', customerId: '42', effect: { type: 'reply', text: '您好' } }],
    });
    expect(await store.peekInbox('tg:42')).toBeUndefined();
    expect(await store.load('tg:42')).toEqual({ snapshot: { value: 'confirming' }, timers: { idle: 5 }, turn: 2 });
    expect((await store.peekOutbox('tg:42', 10)).map((i) => i.id)).toEqual(['u2#0']);
    expect(await raw.ttl(`${prefix}{c:tg:42}:state`)).toBeGreaterThan(29 * 86400);
    await store.ackOutbox(lease!, ['u2#0']);
    expect(await store.peekOutbox('tg:42', 10)).toEqual([]);
    await store.unlock(lease!);
    expect(await store.pending(10)).not.toContain('tg:42');
  });

  it('takes a free conversation with the event that arrived in one step, and queues it behind a busy one', async () => {
    const reply = (id: string) => ({ id, conversationId: 'tg:77', channel: 'telegram', customerId: '77', effect: { type: 'reply' as const, text: '您好' } });
    const first = await store.acceptAndBegin(event('b1', 'tg:77'), 5_000);
    const begun = first.duplicate ? undefined : first.begun;
    expect(begun?.next).toMatchObject({ id: 'b1', payload: { text: '你好' } });
    expect(begun?.record).toBeUndefined();

    // While this worker holds it, the next message waits in the inbox; a redelivery is a duplicate.
    expect(await store.acceptAndBegin(event('b2', 'tg:77', '我的订单'), 5_000)).toEqual({ duplicate: false, begun: undefined });
    expect(await store.acceptAndBegin(event('b2', 'tg:77', '我的订单'), 5_000)).toEqual({ duplicate: true });

    await store.commit(begun!.lease, { eventId: 'b1', record: { snapshot: { value: 'awaitingNeed' }, timers: {}, turn: 1 }, transcript: [], outbox: [reply('b1#0'), reply('b1#1')] });
    // Releasing acknowledges what was sent (only the head, in order) and says what is left.
    expect(await store.unlock(begun!.lease, ['b1#0'])).toEqual({ inbox: 1, outbox: 1 });
    expect(await store.pending(100)).toContain('tg:77');

    const again = await store.begin('tg:77', 5_000);
    expect(again?.next).toMatchObject({ id: 'b2', payload: { text: '我的订单' } });
    expect(again?.record).toEqual({ snapshot: { value: 'awaitingNeed' }, timers: {}, turn: 1 });
    expect(again?.outbox.map((i) => i.id)).toEqual(['b1#1']);
    await store.commit(again!.lease, { eventId: 'b2', record: undefined, transcript: [], outbox: [] });
    // A lost lease acknowledges nothing.
    await raw.del(`${prefix}{c:tg:77}:lock`);
    expect(await store.unlock(again!.lease, ['b1#1'])).toEqual({ inbox: 0, outbox: 1 });
    const last = await lock('tg:77', 5_000);
    expect(await store.unlock(last!, ['b1#1'])).toEqual({ inbox: 0, outbox: 0 });
    expect(await store.pending(100)).not.toContain('tg:77');
  });

  it('refuses a commit from a worker whose lease expired, and writes nothing', async () => {
    await store.accept(event('u3'));
    const lease = await lock('tg:42', 50);
    await raw.pexpire(`${prefix}{c:tg:42}:lock`, 1);
    await new Promise((r) => setImmediate(r));
    await raw.del(`${prefix}{c:tg:42}:lock`);
    const other = await lock('tg:42', 5_000);
    await expect(store.commit(lease!, { eventId: 'u3', record: { snapshot: 'stale', timers: {}, turn: 9 }, transcript: [], outbox: [] })).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store.load('tg:42'))?.turn).toBe(2);
    expect(await store.peekInbox('tg:42')).toMatchObject({ id: 'u3' });
    await store.unlock(other!);
  });

  it('recognises entries whatever their key order and however their ids are spelled', async () => {
    // Entries written by another version (id not first), and ids with quotes and non-ASCII.
    const odd = 'tg:"引号"\\é';
    await raw.rpush(`${prefix}{c:order}:inbox`, JSON.stringify({ conversationId: 'order', id: odd, channel: 'telegram', at: 1, payload: { type: 'text', text: 'x' } }));
    await raw.rpush(`${prefix}{c:order}:outbox`, JSON.stringify({ effect: { type: 'reply', text: 'a' }, id: `${odd}#0`, conversationId: 'order', channel: 'telegram', customerId: '1' }));
    const lease = await lock('order', 5_000);
    await store.commit(lease!, { eventId: 'someone-else', record: undefined, transcript: [], outbox: [] });
    expect(await store.peekInbox('order')).toMatchObject({ id: odd });
    await store.commit(lease!, { eventId: odd, record: undefined, transcript: [], outbox: [] });
    expect(await store.peekInbox('order')).toBeUndefined();
    await store.ackOutbox(lease!, ['tg:other#0']);
    expect(await store.peekOutbox('order', 5)).toHaveLength(1);
    expect(await store.unlock(lease!, [`${odd}#0`])).toEqual({ inbox: 0, outbox: 0 });
  });

  it('caps the transcript, dropping the oldest entries', async () => {
    const lease = await lock('cap', 5_000);
    for (let i = 0; i < 15; i++) await store.commit(lease!, { eventId: `x${i}`, record: undefined, transcript: [{ at: i, from: 'customer', text: `m${i}`, eventId: `x${i}` }], outbox: [] });
    await store.unlock(lease!);
    const t = await store.transcript('cap', 100);
    expect(t.map((e) => e.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 5}`));
  });

  it('reports an unreadable inbox entry instead of throwing', async () => {
    await raw.rpush(`${prefix}{c:bad}:inbox`, '{not json');
    expect(await store.peekInbox('bad')).toEqual({ corrupt: '{not json' });
  });

  it('hands a due timer to exactly one of two workers, and again only after its lease', async () => {
    const other = await freshRedisStore({}, prefix);
    try {
      await store.timers.schedule({ conversationId: 'tg:1', name: 'idle', dueAt: 1_000, channel: 'telegram', customerId: '1' });
      const [a, b] = await Promise.all([store.timers.claimDue(1_500, 60_000, 10), other.timers.claimDue(1_500, 60_000, 10)]);
      expect(a.length + b.length).toBe(1);
      expect([...a, ...b][0]).toMatchObject({ conversationId: 'tg:1', name: 'idle', dueAt: 1_000, channel: 'telegram', customerId: '1' });
      expect(await store.timers.claimDue(30_000, 60_000, 10)).toEqual([]);
      const again = await store.timers.claimDue(61_501, 60_000, 10);
      expect(again).toHaveLength(1);
      await store.timers.complete(again[0]!);
      expect(await store.timers.claimDue(10_000_000, 60_000, 10)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('does not remove a timer that was moved while it was being fired', async () => {
    await store.timers.schedule({ conversationId: 'tg:2', name: 'idle', dueAt: 1_000, channel: 'telegram', customerId: '2' });
    const [claimed] = await store.timers.claimDue(2_000, 60_000, 10);
    await store.timers.schedule({ conversationId: 'tg:2', name: 'idle', dueAt: 5_000, channel: 'telegram', customerId: '2' });
    await store.timers.complete(claimed!);
    expect(await store.timers.claimDue(5_000, 60_000, 10)).toMatchObject([{ dueAt: 5_000 }]);
    await store.timers.cancel('tg:2', 'idle');
    expect(await store.timers.claimDue(1e12, 60_000, 10)).toEqual([]);
  });

  it('stores, updates and lists tickets newest first, surviving a reconnect', async () => {
    await store.tickets.put(ticket('T1', 100));
    await store.tickets.put(ticket('T2', 200, 'pending'));
    await store.tickets.put(ticket('T1', 100));
    const updated = await store.tickets.update('T1', { satisfaction: 4 }, 300);
    expect(updated).toMatchObject({ id: 'T1', satisfaction: 4, updatedAt: 300 });
    const again = await freshRedisStore({}, prefix);
    try {
      expect((await again.tickets.list()).map((t) => t.id)).toEqual(['T2', 'T1']);
      expect((await again.tickets.list({ status: 'pending' })).map((t) => t.id)).toEqual(['T2']);
      expect(await again.tickets.get('T1')).toMatchObject({ satisfaction: 4 });
      expect(await again.tickets.update('nope', { satisfaction: 1 }, 1)).toBeUndefined();
    } finally {
      await again.close();
    }
  });

  it('keeps desk links and the agent queue across connections (another replica, a restart)', async () => {
    await store.links.set('thread:CAGENTS:1795000000.000100', 'telegram:42');
    await store.queue.join('q1', 1_000);
    await store.queue.join('q2', 2_000);
    await store.queue.join('q1', 5_000);
    const other = await freshRedisStore({}, prefix);
    try {
      expect(await other.links.get('thread:CAGENTS:1795000000.000100')).toBe('telegram:42');
      expect(await other.links.get('thread:nope')).toBeUndefined();
      expect(await other.queue.position('q2')).toBe(2);
      await other.queue.leave('q1', 61_000, true);
      expect(await store.queue.position('q2')).toBe(1);
      expect(await store.queue.averageWaitSeconds()).toBe(60);
      await other.queue.leave('q2', 100_000, false);
      expect(await store.queue.averageWaitSeconds()).toBe(60);
    } finally {
      await other.close();
    }
  });

  it('applies concurrent ticket updates without losing either', async () => {
    await store.tickets.put(ticket('T3', 100));
    await Promise.all([store.tickets.update('T3', { satisfaction: 5 }, 200), store.tickets.update('T3', { status: 'resolved' }, 201)]);
    expect(await store.tickets.get('T3')).toMatchObject({ satisfaction: 5, status: 'resolved' });
  });
});

/** Standalone servers answer CLUSTER KEYSLOT only in cluster mode; compare the hash tags instead. */
function keyslotFallback(key: string): string {
  const m = /\{([^}]+)\}/.exec(key);
  return m?.[1] ?? key;
}
