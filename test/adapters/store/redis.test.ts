import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../../adapters/store/redis.js';
import { timerMember } from '../../../adapters/store/shared.js';
import { LeaseLostError } from '../../../bots/errors.js';
import { freshRedisStore, redisUrl, requireRedis, testPrefix } from '../../support/redis.js';
import { event, redisRawHooks, storeContract, ticket } from './contract.js';

/** Removes every key under a prefix (test stores each have their own). */
async function dropPrefix(raw: Redis, prefix: string): Promise<void> {
  const keys = await raw.keys(`${prefix}*`);
  if (keys.length) await raw.del(...keys);
}

describe.runIf(requireRedis())('Redis store', () => {
  let raw: Redis;
  beforeAll(() => {
    raw = new Redis(redisUrl);
  });
  afterAll(async () => {
    await raw.quit();
  });

  // Each contract test on a store of its own prefix; entries are written raw, as another version would.
  storeContract('redis', async (limits) => {
    const prefix = testPrefix('contract');
    const store = await freshRedisStore(limits, prefix);
    return {
      store,
      ...redisRawHooks(raw, prefix),
      close: async () => {
        await store.close();
        await dropPrefix(raw, prefix);
      },
    };
  });

  describe('on a real server', () => {
    const prefix = testPrefix();
    let store: RedisStore;
    /** The lease alone, as begin takes it. */
    const lock = async (conversationId: string, ttlMs: number) => (await store.begin(conversationId, ttlMs))?.lease;

    beforeAll(async () => {
      store = await freshRedisStore({ transcriptMax: 10 }, prefix);
    });
    afterAll(async () => {
      await dropPrefix(raw, prefix);
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

    it('keeps transcript lines compact, and still reads lines stored as whole entries before', async () => {
      const key = `${prefix}{c:lines}:transcript`;
      const before = { at: 1, from: 'customer', text: '旧的', eventId: 'u0' };
      await raw.rpush(key, JSON.stringify(before));
      const lease = await lock('lines', 5_000);
      await store.commit(lease!, {
        eventId: 'u1',
        record: undefined,
        transcript: [{ at: 2, from: 'bot', text: '您好', eventId: 'u1' }],
        outbox: [],
      });
      await store.unlock(lease!);
      expect(await raw.lrange(key, -1, -1)).toEqual(['[2,"b","u1","您好"]']);
      expect(await store.transcript('lines', 10)).toEqual([
        before,
        { at: 2, from: 'bot', text: '您好', eventId: 'u1' },
      ]);
    });

    it('keeps a timer without repeating its conversation and name, and still fires one stored whole before', async () => {
      const data = `${prefix}{timers}:data`;
      await store.timers.schedule({
        conversationId: 'tg:t1',
        name: 'idle',
        dueAt: 1_000,
        channel: 'telegram',
        customerId: '7',
      });
      expect(await raw.hget(data, timerMember('tg:t1', 'idle'))).toBe(
        '{"dueAt":1000,"channel":"telegram","customerId":"7"}',
      );
      const before = { conversationId: 'tg:t2', name: 'survey', dueAt: 2_000, channel: 'telegram', customerId: '8' };
      await raw.zadd(`${prefix}{timers}:due`, 2_000, timerMember('tg:t2', 'survey'));
      await raw.hset(data, timerMember('tg:t2', 'survey'), JSON.stringify(before));
      const due = await store.timers.claimDue(5_000, 60_000, 10);
      expect(due.map(({ handle: _, ...t }) => t)).toEqual([
        { conversationId: 'tg:t1', name: 'idle', dueAt: 1_000, channel: 'telegram', customerId: '7' },
        before,
      ]);
      for (const t of due) await store.timers.complete(t);
    });

    it('keeps every key of a conversation under one cluster hash tag', async () => {
      const lease = await lock('tg:42', 5_000);
      await store.commit(lease!, {
        eventId: 'u1',
        record: { snapshot: {}, timers: {}, turn: 1 },
        transcript: [{ at: 1, from: 'customer', text: '你好', eventId: 'u1' }],
        outbox: [],
      });
      await store.unlock(lease!);
      const keys = await raw.keys(`${prefix}{c:tg:42}*`);
      expect(keys.length).toBeGreaterThanOrEqual(3);
      const slots = new Set(
        await Promise.all(keys.map((k) => raw.call('CLUSTER', 'KEYSLOT', k).catch(() => keyslotFallback(k)))),
      );
      expect(slots.size).toBe(1);
    });

    it("keeps a transfer's done mark in the conversation's hash slot, for the dedup window only", async () => {
      await store.transfers.markDone('tg:42', 'tg:7#0');
      const ttl = await raw.pttl(`${prefix}{c:tg:42}:xfer:tg:7#0`);
      expect(ttl).toBeGreaterThan(47 * 3600 * 1000);
      expect(ttl).toBeLessThanOrEqual(48 * 3600 * 1000);
    });

    it('keeps unanswered questions in one hash and two sorted sets under one hash tag, and forgets counted askings after the dedup window', async () => {
      await store.unanswered.record({ text: '会员积分怎么用', locale: 'zh-CN', at: 1_000 }, 'tg:42\u0000u1#2');
      const keys = await raw.keys(`${prefix}{unanswered}*`);
      expect(keys.map((k) => k.slice(prefix.length)).sort()).toEqual([
        '{unanswered}:count',
        '{unanswered}:data',
        '{unanswered}:recent',
        '{unanswered}:ref:tg:42\u0000u1#2',
      ]);
      const slots = new Set(
        await Promise.all(keys.map((k) => raw.call('CLUSTER', 'KEYSLOT', k).catch(() => keyslotFallback(k)))),
      );
      expect(slots.size).toBe(1);
      const ttl = await raw.pttl(`${prefix}{unanswered}:ref:tg:42\u0000u1#2`);
      expect(ttl).toBeGreaterThan(47 * 3600 * 1000);
      expect(ttl).toBeLessThanOrEqual(48 * 3600 * 1000);
    });

    it('keeps the state for stateTtlSec (30 days by default) with a Redis TTL', async () => {
      await store.accept(event('u2'));
      const lease = await lock('tg:42', 5_000);
      await store.commit(lease!, {
        eventId: 'u2',
        record: { snapshot: { value: 'confirming' }, timers: { idle: 5 }, turn: 2 },
        transcript: [],
        outbox: [],
      });
      await store.unlock(lease!);
      expect(await raw.ttl(`${prefix}{c:tg:42}:state`)).toBeGreaterThan(29 * 86400);
    });

    it('recognises entries whatever their key order and however their ids are spelled', async () => {
      // Entries written by another version (id not first), and ids with quotes and non-ASCII.
      const odd = 'tg:"引号"\\é';
      await raw.rpush(
        `${prefix}{c:order}:inbox`,
        JSON.stringify({
          conversationId: 'order',
          id: odd,
          channel: 'telegram',
          at: 1,
          payload: { type: 'text', text: 'x' },
        }),
      );
      await raw.rpush(
        `${prefix}{c:order}:outbox`,
        JSON.stringify({
          effect: { type: 'reply', text: 'a' },
          id: `${odd}#0`,
          conversationId: 'order',
          channel: 'telegram',
          customerId: '1',
        }),
      );
      const lease = await lock('order', 5_000);
      await store.commit(lease!, { eventId: 'someone-else', record: undefined, transcript: [], outbox: [] });
      expect(await store.peekInbox('order')).toMatchObject({ id: odd });
      await store.commit(lease!, { eventId: odd, record: undefined, transcript: [], outbox: [] });
      expect(await store.peekInbox('order')).toBeUndefined();
      await store.ackOutbox(lease!, ['tg:other#0']);
      expect(await store.peekOutbox('order', 5)).toHaveLength(1);
      expect(await store.unlock(lease!, [`${odd}#0`])).toEqual({ inbox: 0, outbox: 0 });
    });

    it('refuses a commit once the lock key has expired on the server', async () => {
      await store.accept(event('u3'));
      const lease = await lock('tg:42', 50);
      await raw.pexpire(`${prefix}{c:tg:42}:lock`, 1);
      await new Promise((r) => setTimeout(r, 5));
      expect(await raw.exists(`${prefix}{c:tg:42}:lock`)).toBe(0);
      await expect(
        store.commit(lease!, {
          eventId: 'u3',
          record: { snapshot: 'stale', timers: {}, turn: 9 },
          transcript: [],
          outbox: [],
        }),
      ).rejects.toBeInstanceOf(LeaseLostError);
      expect(await store.load('tg:42')).toMatchObject({ turn: 2 });
      expect(await store.peekInbox('tg:42')).toMatchObject({ id: 'u3' });
    });

    it('hands a due timer to exactly one of two connections, and again only after its lease', async () => {
      const other = await freshRedisStore({}, prefix);
      try {
        await store.timers.schedule({
          conversationId: 'tg:1',
          name: 'idle',
          dueAt: 1_000,
          channel: 'telegram',
          customerId: '1',
        });
        const [a, b] = await Promise.all([
          store.timers.claimDue(1_500, 60_000, 10),
          other.timers.claimDue(1_500, 60_000, 10),
        ]);
        expect(a.length + b.length).toBe(1);
        expect([...a, ...b][0]).toMatchObject({
          conversationId: 'tg:1',
          name: 'idle',
          dueAt: 1_000,
          channel: 'telegram',
          customerId: '1',
        });
        expect(await store.timers.claimDue(30_000, 60_000, 10)).toEqual([]);
        const again = await store.timers.claimDue(61_501, 60_000, 10);
        expect(again).toHaveLength(1);
        await store.timers.complete(again[0]!);
        expect(await store.timers.claimDue(10_000_000, 60_000, 10)).toEqual([]);
      } finally {
        await other.close();
      }
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

    it('updates a ticket another replica changed since this one wrote it as Redis has it, never as this one remembers it', async () => {
      const other = await freshRedisStore({}, prefix);
      try {
        await store.tickets.put(ticket('TR1', 100, 'pending'));
        // This replica's first update needs no read (it wrote the ticket); its change is there for the other.
        await store.tickets.update('TR1', { satisfaction: 3 }, 150);
        expect(await other.tickets.get('TR1')).toMatchObject({ satisfaction: 3, status: 'pending' });
        // An agent resolves it through the other replica.
        await other.tickets.update('TR1', { status: 'resolved' }, 200);
        // Guarded on a status it had when this replica last wrote it: refused, and the answer is the ticket now.
        expect(await store.tickets.update('TR1', { status: 'unresolved' }, 300, 'pending')).toMatchObject({
          status: 'resolved',
          satisfaction: 3,
        });
        // An unguarded change keeps the other's.
        await store.tickets.update('TR1', { satisfaction: 5 }, 400);
        expect(await other.tickets.get('TR1')).toMatchObject({ status: 'resolved', satisfaction: 5, updatedAt: 400 });
        // And the reverse: the other replica wrote last, this one updates over it.
        await other.tickets.update('TR1', { status: 'pending' }, 500);
        expect(await store.tickets.update('TR1', { status: 'resolved' }, 600, 'pending')).toMatchObject({
          status: 'resolved',
          satisfaction: 5,
        });
        expect(await other.tickets.get('TR1')).toMatchObject({ status: 'resolved', updatedAt: 600 });
      } finally {
        await other.close();
      }
    });

    it("indexes each ticket under its customer in the put's own step, one key per customer under the tickets' hash tag", async () => {
      const mine = { ...ticket('TC1', 5_000), customer: { id: 'cust-7' } };
      await store.tickets.put(mine);
      expect(await raw.zscore(`${prefix}{tickets}:customer:cust-7`, 'TC1')).toBe('5000');
      expect(await raw.zscore(`${prefix}{tickets}:by-time`, 'TC1')).toBe('5000');
      // No TTL: kept as long as the ticket hash is (both forever until tickets move to PostgreSQL).
      expect(await raw.ttl(`${prefix}{tickets}:customer:cust-7`)).toBe(-1);
      expect(await raw.ttl(`${prefix}{tickets}:all`)).toBe(-1);
    });

    it('finds the tickets of a customer stored before the customer index existed, indexing them once', async () => {
      const p = `${prefix}old:`;
      // Written as the store before issue 13 wrote them: the hash and the by-time index only.
      for (const [id, at, customer] of [
        ['TO1', 1_000, 'c-old'],
        ['TO2', 2_000, 'c-old'],
        ['TO3', 3_000, 'c-other'],
      ] as const) {
        await raw.hset(`${p}{tickets}:all`, id, JSON.stringify({ ...ticket(id, at), customer: { id: customer } }));
        await raw.zadd(`${p}{tickets}:by-time`, at, id);
      }
      const old = await freshRedisStore({}, p);
      try {
        await old.tickets.put({ ...ticket('TN1', 4_000), customer: { id: 'c-old' } });
        expect((await old.tickets.list({ customerId: 'c-old' })).map((t) => t.id)).toEqual(['TN1', 'TO2', 'TO1']);
        expect(await raw.get(`${p}{tickets}:customer-index`)).toBe('1');
        expect((await old.tickets.list({ customerId: 'c-other' })).map((t) => t.id)).toEqual(['TO3']);
      } finally {
        await old.close();
      }
    });

    it('keeps desk links and the agent queue across connections (another replica, a restart)', async () => {
      await store.links.set('thread:CAGENTS:1795000000.000100', 'telegram:42', 86_400_000);
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

    it('keeps each desk link in a key of its own that expires, refreshed when touched', async () => {
      const month = 30 * 86_400_000;
      await store.links.set('thread:CAGENTS:1795000000.000200', 'telegram:7', month);
      const key = `${prefix}{links}:thread:CAGENTS:1795000000.000200`;
      expect(await raw.get(key)).toBe('telegram:7');
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(month - 60_000);
      expect(ttl).toBeLessThanOrEqual(month);
      await raw.pexpire(key, 1_000);
      await store.links.touch(['thread:CAGENTS:1795000000.000200'], month);
      expect(await raw.pttl(key)).toBeGreaterThan(month - 60_000);
    });

    it('reads a link written before links expired (one hash, no expiry), and moves it to an expiring key when touched', async () => {
      await raw.hset(`${prefix}{links}`, 'card:telegram:8', '{"ts":"1795000000.000300"}');
      expect(await store.links.get('card:telegram:8')).toBe('{"ts":"1795000000.000300"}');
      await store.links.touch(['card:telegram:8'], 86_400_000);
      expect(await raw.hexists(`${prefix}{links}`, 'card:telegram:8')).toBe(0);
      expect(await raw.pttl(`${prefix}{links}:card:telegram:8`)).toBeGreaterThan(86_000_000);
      expect(await store.links.get('card:telegram:8')).toBe('{"ts":"1795000000.000300"}');
      // Written again: the old field goes too.
      await raw.hset(`${prefix}{links}`, 'card:telegram:9', 'old');
      await store.links.set('card:telegram:9', 'new', 86_400_000);
      expect(await raw.hexists(`${prefix}{links}`, 'card:telegram:9')).toBe(0);
      expect(await store.links.get('card:telegram:9')).toBe('new');
    });

    it('removes an unreadable timer only if it was not rewritten meanwhile', async () => {
      await store.timers.schedule({
        conversationId: 'tg:5',
        name: 'idle',
        dueAt: 1_000,
        channel: 'telegram',
        customerId: '5',
      });
      await raw.hset(`${prefix}{timers}:data`, timerMember('tg:5', 'idle'), 'garbage');
      expect(await store.timers.claimDue(2_000, 60_000, 10)).toEqual([]);
      expect(await raw.zscore(`${prefix}{timers}:due`, timerMember('tg:5', 'idle'))).toBeNull();
      expect(await raw.hexists(`${prefix}{timers}:data`, timerMember('tg:5', 'idle'))).toBe(0);
    });
  });
});

/** Standalone servers answer CLUSTER KEYSLOT only in cluster mode; compare the hash tags instead. */
function keyslotFallback(key: string): string {
  const m = /\{([^}]+)\}/.exec(key);
  return m?.[1] ?? key;
}
