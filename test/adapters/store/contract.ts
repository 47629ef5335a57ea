import { afterEach, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../../adapters/store/redis-client.js';
import { MAX_TICKET_EVENTS, timerMember, type StoreLimits } from '../../../adapters/store/shared.js';
import { LeaseLostError } from '../../../bots/errors.js';
import {
  DROP_HEAD,
  OUTBOX_PAGE,
  type InboundEvent,
  type Lease,
  type OutboxItem,
  type Store,
  type TicketStore,
  type TimerSpec,
} from '../../../bots/ports.js';
import type { FileRef } from '../../../flows/files.js';
import { MAX_TICKET_FACTS, MAX_TICKET_FILES, type Ticket, type TicketEvent } from '../../../flows/ticket.js';

/**
 * The store contract, as the port's TSDoc promises it, run against every store so the memory
 * store (playground, tests) and the Redis store (production) cannot drift apart. Each test gets
 * a fresh store. What only one store can show (Redis key layout, the memory clock) lives in that
 * store's own test file.
 */

/** A store under test, with the few things a test needs that the port (rightly) does not offer. */
export interface StoreUnderTest {
  store: Store;
  /** Makes the conversation's current lease run out, as its ttl would (memory: the clock moves past it; Redis: the lock key goes). */
  expireLease(conversationId: string): Promise<void>;
  /** Appends an inbox entry exactly as given, bypassing accept (an unreadable entry). */
  pushInboxRaw(conversationId: string, raw: string): Promise<void>;
  /** Replaces the stored JSON of a scheduled timer (an unreadable entry). */
  corruptTimer(conversationId: string, name: string, raw: string): Promise<void>;
  /** Closes the store and removes what it wrote. */
  close(): Promise<void>;
}

export type OpenStore = (limits: Partial<StoreLimits>) => Promise<StoreUnderTest>;

/** The raw hooks on a Redis store (one server or a cluster) under `prefix`: its key layout, written as another version would. */
export function redisRawHooks(
  raw: RedisClient,
  prefix: string,
): Pick<StoreUnderTest, 'expireLease' | 'pushInboxRaw' | 'corruptTimer'> {
  return {
    expireLease: async (conversationId) => void (await raw.del(`${prefix}{c:${conversationId}}:lock`)),
    pushInboxRaw: async (conversationId, entry) =>
      void (await raw.rpush(`${prefix}{c:${conversationId}}:inbox`, entry)),
    corruptTimer: async (conversationId, name, data) =>
      void (await raw.hset(`${prefix}{timers}:data`, timerMember(conversationId, name), data)),
  };
}

export function event(id: string, conversationId = 'tg:42', text = '你好'): InboundEvent {
  return {
    id,
    conversationId,
    channel: 'telegram',
    customer: { id: '42' },
    at: 1_795_000_000_000,
    payload: { type: 'text', text },
  };
}

export function ticket(
  id: string,
  createdAt: number,
  status: Ticket['status'] = 'answered',
  conversationId = 'tg:42',
): Ticket {
  return {
    id,
    type: 'inquiry',
    status,
    conversationId,
    channel: 'telegram',
    customer: { id: '42' },
    locale: 'zh-CN',
    need: '发票',
    facts: [],
    outcome: 'x',
    createdAt,
    updatedAt: createdAt,
  };
}

export function reply(id: string, conversationId = 'tg:42'): OutboxItem {
  return { id, conversationId, channel: 'telegram', customerId: '42', effect: { type: 'reply', text: '您好' } };
}

export function timer(conversationId: string, name: string, dueAt: number): TimerSpec {
  return { conversationId, name, dueAt, channel: 'telegram', customerId: conversationId };
}

const DAY_MS = 86_400_000;

/** Registers the contract suite for one store. */
export function storeContract(name: string, open: OpenStore): void {
  describe(`store contract: ${name}`, () => {
    const opened: StoreUnderTest[] = [];
    const fresh = async (limits: Partial<StoreLimits> = {}) => {
      const s = await open(limits);
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    /** Begins and insists on getting the lease. */
    async function lease(store: Store, conversationId: string, ttlMs = 5_000): Promise<Lease> {
      const begun = await store.begin(conversationId, ttlMs);
      if (!begun) throw new Error(`${conversationId} is locked`);
      return begun.lease;
    }

    describe('inbox', () => {
      it('accepts an event once, queues it and marks the conversation pending', async () => {
        const { store } = await fresh();
        expect(await store.accept(event('u1'))).toBe(true);
        expect(await store.accept(event('u1'))).toBe(false);
        expect(await store.accept(event('u1', 'tg:43'))).toBe(true);
        expect(await store.peekInbox('tg:42')).toEqual(event('u1'));
        expect(await store.pending(10)).toEqual(expect.arrayContaining(['tg:42', 'tg:43']));
        const l = await lease(store, 'tg:42');
        expect(await store.commit(l, { eventId: 'u1', record: undefined, transcript: [], outbox: [] })).toBe(0);
        expect(await store.peekInbox('tg:42')).toBeUndefined();
      });

      it('still knows an event once its turn is done and the conversation released (a late redelivery)', async () => {
        const { store } = await fresh();
        // A platform's own identity of a message (Slack: channel and ts) works as any event id.
        const id = 'slack:msg:C0123ABCD:1795000000.000100';
        expect(await store.accept(event(id))).toBe(true);
        const l = await lease(store, 'tg:42');
        await store.commit(l, { eventId: id, record: undefined, transcript: [], outbox: [] });
        expect(await store.unlock(l)).toEqual({ inbox: 0, outbox: 0 });
        expect(await store.accept(event(id, 'tg:42', '又一次'))).toBe(false);
        expect(await store.peekInbox('tg:42')).toBeUndefined();
      });

      it('remembers the latest ids of a conversation, a bounded window: an id pushed out of it is new again', async () => {
        const { store } = await fresh({ dedupIds: 3 });
        for (const id of ['a', 'b', 'c', 'd']) expect(await store.accept(event(id))).toBe(true);
        // A redelivery of the latest three is still a duplicate, however often it comes.
        for (const id of ['b', 'c', 'd', 'd']) expect(await store.accept(event(id))).toBe(false);
        // Another conversation's ids do not push this one's out.
        for (const id of ['e', 'f', 'g', 'h']) expect(await store.accept(event(id, 'tg:43'))).toBe(true);
        expect(await store.accept(event('b'))).toBe(false);
        // 'a' was the oldest of four: forgotten, so it is accepted again (and pushes 'b' out).
        expect(await store.accept(event('a'))).toBe(true);
        expect(await store.accept(event('b'))).toBe(true);
        expect(await store.accept(event('a'))).toBe(false);
      });

      it('trims the oldest id, not the first by name, when ids come in the same millisecond', async () => {
        const { store } = await fresh({ dedupIds: 3 });
        // Sent together, names falling: on Redis these share a millisecond (found on a fast machine:
        // a tie trimmed by name, so the latest were forgotten).
        const ids = ['z', 'y', 'x', 'w', 'v', 'u'];
        expect(await Promise.all(ids.map((id) => store.accept(event(id))))).toEqual(ids.map(() => true));
        for (const id of ['w', 'v', 'u']) expect(await store.accept(event(id))).toBe(false);
      });

      it('keeps events in order and pops only the one a turn consumed', async () => {
        const { store } = await fresh();
        // Ids with quotes, backslashes and non-ASCII are matched exactly.
        const odd = 'tg:"引号"\\é';
        await store.accept(event(odd));
        await store.accept(event('second'));
        const l = await lease(store, 'tg:42');
        expect(await store.commit(l, { eventId: 'someone-else', record: undefined, transcript: [], outbox: [] })).toBe(
          2,
        );
        expect(await store.peekInbox('tg:42')).toMatchObject({ id: odd });
        expect(await store.commit(l, { eventId: odd, record: undefined, transcript: [], outbox: [] })).toBe(1);
        expect(await store.peekInbox('tg:42')).toMatchObject({ id: 'second' });
      });

      it('reports unreadable inbox entries as CorruptEntry, and DROP_HEAD removes them', async () => {
        const s = await fresh();
        await s.pushInboxRaw('bad', '{not json');
        await s.pushInboxRaw('bad', JSON.stringify({ id: 'no-payload' }));
        expect(await s.store.peekInbox('bad')).toEqual({ corrupt: '{not json' });
        const begun = await s.store.begin('bad', 5_000);
        expect(begun?.next).toEqual({ corrupt: '{not json' });
        expect(
          await s.store.commit(begun!.lease, { eventId: DROP_HEAD, record: undefined, transcript: [], outbox: [] }),
        ).toBe(1);
        expect(await s.store.peekInbox('bad')).toEqual({ corrupt: JSON.stringify({ id: 'no-payload' }) });
        expect(
          await s.store.commit(begun!.lease, { eventId: DROP_HEAD, record: undefined, transcript: [], outbox: [] }),
        ).toBe(0);
        // On an empty inbox DROP_HEAD drops nothing.
        expect(
          await s.store.commit(begun!.lease, { eventId: DROP_HEAD, record: undefined, transcript: [], outbox: [] }),
        ).toBe(0);
      });
    });

    describe('leases', () => {
      it('lets one worker at a time begin a conversation, and the next after unlock or expiry', async () => {
        const s = await fresh();
        const first = await lease(s.store, 'tg:42');
        expect(await s.store.begin('tg:42', 5_000)).toBeUndefined();
        expect(await s.store.begin('tg:other', 5_000)).toBeDefined();
        await s.store.unlock(first);
        const second = await lease(s.store, 'tg:42');
        expect(second.token).not.toBe(first.token);
        await s.expireLease('tg:42');
        expect(await s.store.begin('tg:42', 5_000)).toBeDefined();
      });

      it('extends a held lease, and refuses to extend a lost one', async () => {
        const s = await fresh();
        const l = await lease(s.store, 'tg:42');
        expect(await s.store.extend(l, 10_000)).toBe(true);
        await s.expireLease('tg:42');
        expect(await s.store.extend(l, 10_000)).toBe(false);
        expect(await s.store.extend({ conversationId: 'tg:42', token: 'forged' }, 10_000)).toBe(false);
      });

      it('refuses a commit from a worker whose lease expired, and writes nothing', async () => {
        const s = await fresh();
        await s.store.accept(event('u1'));
        const mine = await lease(s.store, 'tg:42');
        await s.store.commit(mine, {
          eventId: 'u1',
          record: { snapshot: 'fresh', timers: {}, turn: 2 },
          transcript: [{ at: 1, from: 'customer', text: '你好', eventId: 'u1' }],
          outbox: [reply('u1#0')],
        });
        await s.store.accept(event('u3'));
        await s.expireLease('tg:42');
        const other = await lease(s.store, 'tg:42');
        await expect(
          s.store.commit(mine, {
            eventId: 'u3',
            record: { snapshot: 'stale', timers: {}, turn: 9 },
            transcript: [{ at: 2, from: 'bot', text: 'stale', eventId: 'u3' }],
            outbox: [reply('u3#0')],
          }),
        ).rejects.toBeInstanceOf(LeaseLostError);
        expect(await s.store.load('tg:42')).toMatchObject({ turn: 2 });
        expect(await s.store.peekInbox('tg:42')).toMatchObject({ id: 'u3' });
        expect((await s.store.transcript('tg:42', 10)).map((e) => e.text)).toEqual(['你好']);
        expect((await s.store.peekOutbox('tg:42', 10)).map((i) => i.id)).toEqual(['u1#0']);
        await expect(s.store.ackOutbox(mine, ['u1#0'])).rejects.toBeInstanceOf(LeaseLostError);
        // Nothing to acknowledge needs no lease.
        await s.store.ackOutbox(mine, []);
        expect((await s.store.peekOutbox('tg:42', 10)).map((i) => i.id)).toEqual(['u1#0']);
        // The old holder's unlock neither acknowledges nor frees the new holder's lock.
        expect(await s.store.unlock(mine, ['u1#0'])).toEqual({ inbox: 1, outbox: 1 });
        expect(await s.store.begin('tg:42', 5_000)).toBeUndefined();
        await s.store.commit(other, { eventId: 'u3', record: undefined, transcript: [], outbox: [] });
      });
    });

    describe('turns', () => {
      it('commits state, transcript and outbox together and pops the event', async () => {
        const { store } = await fresh();
        expect(await store.load('tg:42')).toBeUndefined();
        await store.accept(event('u2'));
        const l = await lease(store, 'tg:42');
        expect(
          await store.commit(l, {
            eventId: 'u2',
            record: { snapshot: { value: 'confirming' }, timers: { idle: 5 }, turn: 2 },
            transcript: [{ at: 2, from: 'bot', text: '您好', eventId: 'u2' }],
            outbox: [reply('u2#0')],
          }),
        ).toBe(0);
        expect(await store.peekInbox('tg:42')).toBeUndefined();
        expect(await store.load('tg:42')).toEqual({ snapshot: { value: 'confirming' }, timers: { idle: 5 }, turn: 2 });
        expect(await store.transcript('tg:42', 10)).toEqual([{ at: 2, from: 'bot', text: '您好', eventId: 'u2' }]);
        expect((await store.peekOutbox('tg:42', 10)).map((i) => i.id)).toEqual(['u2#0']);
        // A turn without a record keeps the stored one.
        await store.commit(l, { eventId: 'none', record: undefined, transcript: [], outbox: [] });
        expect(await store.load('tg:42')).toMatchObject({ turn: 2 });
        await store.ackOutbox(l, ['u2#0']);
        expect(await store.peekOutbox('tg:42', 10)).toEqual([]);
        expect(await store.unlock(l)).toEqual({ inbox: 0, outbox: 0 });
        expect(await store.pending(10)).not.toContain('tg:42');
      });

      it('hands out copies: changing what was read or committed does not change the store', async () => {
        const { store } = await fresh();
        const l = await lease(store, 'tg:42');
        const record = { snapshot: { value: 'a' }, timers: {}, turn: 1 };
        const item = reply('x#0');
        await store.commit(l, { eventId: 'x', record, transcript: [], outbox: [item] });
        record.turn = 99;
        item.id = 'changed';
        const loaded = await store.load('tg:42');
        expect(loaded).toMatchObject({ turn: 1 });
        if (loaded && 'turn' in loaded) loaded.turn = 50;
        expect(await store.load('tg:42')).toMatchObject({ turn: 1 });
        expect((await store.peekOutbox('tg:42', 1))[0]?.id).toBe('x#0');
      });

      it('caps the transcript, dropping the oldest entries', async () => {
        const { store } = await fresh({ transcriptMax: 10 });
        const l = await lease(store, 'cap');
        for (let i = 0; i < 15; i++)
          await store.commit(l, {
            eventId: `x${i}`,
            record: undefined,
            transcript: [{ at: i, from: 'customer', text: `m${i}`, eventId: `x${i}` }],
            outbox: [],
          });
        await store.unlock(l);
        expect((await store.transcript('cap', 100)).map((e) => e.text)).toEqual(
          Array.from({ length: 10 }, (_, i) => `m${i + 5}`),
        );
        expect((await store.transcript('cap', 3)).map((e) => e.text)).toEqual(['m12', 'm13', 'm14']);
        expect(await store.transcript('nobody', 3)).toEqual([]);
      });

      it('keeps each line clipped to what a card shows, with its file reference', async () => {
        const { store } = await fresh();
        const l = await lease(store, 'tg:42');
        const long = '请'.repeat(299) + '问题'.repeat(100);
        const file = { source: 'telegram', id: 'AgAD', kind: 'photo' as const, name: '发票.jpg' };
        await store.commit(l, {
          eventId: 'u9',
          record: undefined,
          transcript: [
            { at: 9, from: 'customer', text: long, eventId: 'u9', file },
            { at: 9, from: 'agent', text: 'x'.repeat(300), eventId: 'u9' },
            { at: 9, from: 'system', text: '', eventId: 'u9' },
          ],
          outbox: [],
        });
        await store.unlock(l);
        expect(await store.transcript('tg:42', 10)).toEqual([
          { at: 9, from: 'customer', text: `${'请'.repeat(299)}…`, eventId: 'u9', file },
          { at: 9, from: 'agent', text: 'x'.repeat(300), eventId: 'u9' },
          { at: 9, from: 'system', text: '', eventId: 'u9' },
        ]);
      });

      it('keeps the outbox in order and acknowledges only from its head', async () => {
        const { store } = await fresh();
        const l = await lease(store, 'tg:42');
        await store.commit(l, {
          eventId: 'e',
          record: undefined,
          transcript: [],
          outbox: [reply('a'), reply('b'), reply('c')],
        });
        expect((await store.peekOutbox('tg:42', 2)).map((i) => i.id)).toEqual(['a', 'b']);
        await store.ackOutbox(l, ['b']);
        expect((await store.peekOutbox('tg:42', 10)).map((i) => i.id)).toEqual(['a', 'b', 'c']);
        await store.ackOutbox(l, ['a', 'c']);
        expect((await store.peekOutbox('tg:42', 10)).map((i) => i.id)).toEqual(['b', 'c']);
        await store.ackOutbox(l, ['b', 'c']);
        expect(await store.peekOutbox('tg:42', 10)).toEqual([]);
      });

      it('begins with at most one page of the outbox, the next event and the record', async () => {
        const { store } = await fresh();
        const l = await lease(store, 'tg:42');
        const items = Array.from({ length: OUTBOX_PAGE + 1 }, (_, i) => reply(`o${i}`));
        await store.commit(l, {
          eventId: 'e',
          record: { snapshot: {}, timers: {}, turn: 1 },
          transcript: [],
          outbox: items,
        });
        await store.accept(event('next'));
        await store.unlock(l);
        const begun = await store.begin('tg:42', 5_000);
        expect(begun?.outbox.map((i) => i.id)).toEqual(items.slice(0, OUTBOX_PAGE).map((i) => i.id));
        expect(begun?.next).toEqual(event('next'));
        expect(begun?.record).toEqual({ snapshot: {}, timers: {}, turn: 1 });
      });

      it('takes a free conversation with the event that arrived in one step, and queues it behind a busy one', async () => {
        const s = await fresh();
        const store = s.store;
        const first = await store.acceptAndBegin(event('b1', 'tg:77'), 5_000);
        const begun = first.duplicate ? undefined : first.begun;
        expect(begun?.next).toMatchObject({ id: 'b1', payload: { text: '你好' } });
        expect(begun?.record).toBeUndefined();
        expect(begun?.outbox).toEqual([]);

        // While this worker holds it, the next message waits in the inbox; a redelivery is a duplicate.
        expect(await store.acceptAndBegin(event('b2', 'tg:77', '我的订单'), 5_000)).toEqual({
          duplicate: false,
          begun: undefined,
        });
        expect(await store.acceptAndBegin(event('b2', 'tg:77', '我的订单'), 5_000)).toEqual({ duplicate: true });

        await store.commit(begun!.lease, {
          eventId: 'b1',
          record: { snapshot: { value: 'awaitingNeed' }, timers: {}, turn: 1 },
          transcript: [],
          outbox: [reply('b1#0', 'tg:77'), reply('b1#1', 'tg:77')],
        });
        // Releasing acknowledges what was sent (only the head, in order) and says what is left.
        expect(await store.unlock(begun!.lease, ['b1#0'])).toEqual({ inbox: 1, outbox: 1 });
        expect(await store.pending(100)).toContain('tg:77');

        const again = await store.begin('tg:77', 5_000);
        expect(again?.next).toMatchObject({ id: 'b2', payload: { text: '我的订单' } });
        expect(again?.record).toEqual({ snapshot: { value: 'awaitingNeed' }, timers: {}, turn: 1 });
        expect(again?.outbox.map((i) => i.id)).toEqual(['b1#1']);
        await store.commit(again!.lease, { eventId: 'b2', record: undefined, transcript: [], outbox: [] });
        // A lost lease acknowledges nothing.
        await s.expireLease('tg:77');
        expect(await store.unlock(again!.lease, ['b1#1'])).toEqual({ inbox: 0, outbox: 1 });
        expect(await store.pending(100)).toContain('tg:77');
        const last = await lease(store, 'tg:77');
        expect(await store.unlock(last, ['b1#1'])).toEqual({ inbox: 0, outbox: 0 });
        expect(await store.pending(100)).not.toContain('tg:77');
      });

      it('begins with the inbox head when an older event waits, not the one just accepted', async () => {
        const { store } = await fresh();
        await store.accept(event('older'));
        const r = await store.acceptAndBegin(event('newer'), 5_000);
        expect(r.duplicate).toBe(false);
        expect(r.duplicate ? undefined : r.begun?.next).toMatchObject({ id: 'older' });
      });
    });

    // Tickets: the contract every TicketStore keeps (the system of record's runs it too).
    ticketContract(async () => {
      const s = await open({});
      return { tickets: s.store.tickets, close: () => s.close() };
    });

    describe('timers', () => {
      it('claims due timers, oldest first, up to the limit', async () => {
        const { store } = await fresh();
        await store.timers.schedule(timer('c1', 'idle', 3_000));
        await store.timers.schedule(timer('c2', 'idle', 1_000));
        await store.timers.schedule(timer('c3', 'idle', 2_000));
        await store.timers.schedule(timer('c4', 'idle', 9_000));
        expect(await store.timers.claimDue(500, 60_000, 10)).toEqual([]);
        const claimed = await store.timers.claimDue(5_000, 60_000, 2);
        expect(claimed.map(({ handle: _, ...t }) => t)).toEqual([
          timer('c2', 'idle', 1_000),
          timer('c3', 'idle', 2_000),
        ]);
        expect((await store.timers.claimDue(5_000, 60_000, 10)).map((t) => t.conversationId)).toEqual(['c1']);
      });

      it('hands a due timer to one claimer, and again only after its lease', async () => {
        const { store } = await fresh();
        await store.timers.schedule(timer('tg:1', 'idle', 1_000));
        const [a, b] = await Promise.all([
          store.timers.claimDue(1_500, 60_000, 10),
          store.timers.claimDue(1_500, 60_000, 10),
        ]);
        expect(a.length + b.length).toBe(1);
        expect([...a, ...b][0]).toMatchObject(timer('tg:1', 'idle', 1_000));
        expect(await store.timers.claimDue(30_000, 60_000, 10)).toEqual([]);
        const again = await store.timers.claimDue(61_501, 60_000, 10);
        expect(again).toHaveLength(1);
        await store.timers.complete(again[0]!);
        expect(await store.timers.claimDue(10_000_000, 60_000, 10)).toEqual([]);
      });

      it('moves and cancels a timer by conversation and name', async () => {
        const { store } = await fresh();
        await store.timers.schedule(timer('tg:2', 'idle', 1_000));
        await store.timers.schedule(timer('tg:2', 'survey', 1_000));
        await store.timers.schedule(timer('tg:2', 'idle', 8_000));
        const claimed = await store.timers.claimDue(5_000, 60_000, 10);
        expect(claimed.map((t) => t.name)).toEqual(['survey']);
        await store.timers.complete(claimed[0]!);
        await store.timers.cancel('tg:2', 'idle');
        await store.timers.cancel('tg:2', 'never-scheduled');
        expect(await store.timers.claimDue(1e12, 60_000, 10)).toEqual([]);
      });

      it('does not remove a timer that was moved while it was being fired', async () => {
        const { store } = await fresh();
        await store.timers.schedule(timer('tg:2', 'idle', 1_000));
        const [claimed] = await store.timers.claimDue(2_000, 60_000, 10);
        await store.timers.schedule(timer('tg:2', 'idle', 5_000));
        await store.timers.complete(claimed!);
        expect(await store.timers.claimDue(5_000, 60_000, 10)).toMatchObject([{ dueAt: 5_000 }]);
        await store.timers.cancel('tg:2', 'idle');
        expect(await store.timers.claimDue(1e12, 60_000, 10)).toEqual([]);
      });

      it('drops an unreadable timer instead of failing every poll', async () => {
        const s = await fresh();
        await s.store.timers.schedule(timer('c1', 'idle', 1_000));
        await s.store.timers.schedule(timer('c2', 'idle', 2_000));
        await s.store.timers.schedule(timer('c3', 'idle', 3_000));
        await s.corruptTimer('c1', 'idle', '{not json');
        await s.corruptTimer('c3', 'idle', JSON.stringify({ conversationId: 'c3', name: 'idle' }));
        expect((await s.store.timers.claimDue(5_000, 60_000, 10)).map((t) => t.conversationId)).toEqual(['c2']);
        // Gone for good: after the lease only the readable one comes due again.
        expect((await s.store.timers.claimDue(1e12, 60_000, 10)).map((t) => t.conversationId)).toEqual(['c2']);
        // The name can be scheduled again.
        await s.store.timers.schedule(timer('c1', 'idle', 1_000));
        expect((await s.store.timers.claimDue(1e13, 60_000, 10)).map((t) => t.conversationId)).toEqual(['c1', 'c2']);
      });
    });

    describe('queue', () => {
      it('joins once, keeps places in order, and records the wait of claimed leavers only', async () => {
        const { store } = await fresh();
        expect(await store.queue.averageWaitSeconds()).toBeUndefined();
        await store.queue.join('q1', 1_000);
        await store.queue.join('q2', 2_000);
        await store.queue.join('q1', 5_000);
        await store.queue.join('q0', 2_000);
        expect(await store.queue.position('q1')).toBe(1);
        expect(await store.queue.position('q0')).toBe(2);
        expect(await store.queue.position('q2')).toBe(3);
        expect(await store.queue.position('nobody')).toBeUndefined();
        // Leaving by a claim returns the wait it recorded (the operator's claim-wait histogram).
        expect(await store.queue.leave('q1', 61_000, true)).toBe(60);
        expect(await store.queue.position('q1')).toBeUndefined();
        expect(await store.queue.position('q2')).toBe(2);
        expect(await store.queue.averageWaitSeconds()).toBe(60);
        expect(await store.queue.leave('q2', 100_000, false)).toBeUndefined();
        expect(await store.queue.leave('nobody', 100_000, true)).toBeUndefined();
        expect(await store.queue.averageWaitSeconds()).toBe(60);
        expect(await store.queue.leave('q0', 1_000, true)).toBe(0);
        expect(await store.queue.averageWaitSeconds()).toBe(30);
      });

      it('lists the queue in order with when each joined, as far as asked', async () => {
        const { store } = await fresh();
        expect(await store.queue.list(10)).toEqual([]);
        await store.queue.join('q2', 2_000);
        await store.queue.join('q1', 1_000);
        await store.queue.join('q3', 3_000);
        await store.queue.join('q1', 9_000);
        expect(await store.queue.list(10)).toEqual([
          { conversationId: 'q1', since: 1_000 },
          { conversationId: 'q2', since: 2_000 },
          { conversationId: 'q3', since: 3_000 },
        ]);
        await store.queue.leave('q1', 4_000, true);
        expect((await store.queue.list(1)).map((q) => q.conversationId)).toEqual(['q2']);
      });

      it('averages the 20 most recent waits', async () => {
        const { store } = await fresh();
        for (let i = 0; i < 21; i++) {
          await store.queue.join(`w${i}`, 0);
          await store.queue.leave(`w${i}`, i === 0 ? 1_000_000 : 10_000, true);
        }
        expect(await store.queue.averageWaitSeconds()).toBe(10);
      });
    });

    describe('unanswered questions', () => {
      const zh = (text: string, at: number) => ({ text, locale: 'zh-CN', at });

      it('counts each asking, keeps the first and latest, and lists the most asked first (ties: most recent)', async () => {
        const { store } = await fresh();
        expect(await store.unanswered.list()).toEqual([]);
        await store.unanswered.record(zh('会员积分怎么用', 1_000), 'a#1');
        await store.unanswered.record(zh('能开发票到付吗', 2_000), 'b#1');
        await store.unanswered.record(zh('会员积分怎么用', 3_000), 'c#1');
        // A late delivery of an older asking does not move the latest back.
        await store.unanswered.record(zh('会员积分怎么用', 500), 'd#1');
        await store.unanswered.record({ text: 'do you have a loyalty program', locale: 'en', at: 4_000 }, 'e#1');
        await store.unanswered.record(zh('有没有38码', 2_000), 'f#1');
        expect(await store.unanswered.list()).toEqual([
          { text: '会员积分怎么用', locale: 'zh-CN', count: 3, firstSeen: 1_000, lastSeen: 3_000 },
          { text: 'do you have a loyalty program', locale: 'en', count: 1, firstSeen: 4_000, lastSeen: 4_000 },
          // Same count and latest asking: by locale, then text.
          { text: '有没有38码', locale: 'zh-CN', count: 1, firstSeen: 2_000, lastSeen: 2_000 },
          { text: '能开发票到付吗', locale: 'zh-CN', count: 1, firstSeen: 2_000, lastSeen: 2_000 },
        ]);
        expect((await store.unanswered.list({ sort: 'recent' })).map((q) => q.text)).toEqual([
          'do you have a loyalty program',
          '会员积分怎么用',
          '有没有38码',
          '能开发票到付吗',
        ]);
        expect((await store.unanswered.list({ locale: 'zh-CN', limit: 2 })).map((q) => q.text)).toEqual([
          '会员积分怎么用',
          '有没有38码',
        ]);
        expect(await store.unanswered.list({ locale: 'fr' })).toEqual([]);
      });

      it('counts one asking once, however often its delivery is retried', async () => {
        const { store } = await fresh();
        await store.unanswered.record(zh('会员积分怎么用', 1_000), 'tg:42\u0000ev-1#2');
        await store.unanswered.record(zh('会员积分怎么用', 1_000), 'tg:42\u0000ev-1#2');
        await store.unanswered.record(zh('会员积分怎么用', 1_000), 'tg:43\u0000ev-1#2');
        expect(await store.unanswered.list()).toMatchObject([{ count: 2 }]);
      });

      it('keeps at most unansweredMax questions, forgetting the least recently asked', async () => {
        const { store } = await fresh({ unansweredMax: 3 });
        await store.unanswered.record(zh('一', 1_000), 'r1');
        await store.unanswered.record(zh('二', 2_000), 'r2');
        await store.unanswered.record(zh('三', 3_000), 'r3');
        await store.unanswered.record(zh('一', 4_000), 'r4');
        await store.unanswered.record(zh('四', 5_000), 'r5');
        expect((await store.unanswered.list({ sort: 'recent' })).map((q) => q.text)).toEqual(['四', '一', '三']);
        // Forgotten means forgotten: asked again, it starts over.
        await store.unanswered.record(zh('二', 6_000), 'r6');
        expect(await store.unanswered.list({ locale: 'zh-CN', limit: 1, sort: 'recent' })).toEqual([
          { text: '二', locale: 'zh-CN', count: 1, firstSeen: 6_000, lastSeen: 6_000 },
        ]);
      });

      it('breaks ties in the order it promises however many questions share a count', async () => {
        const { store } = await fresh();
        for (let i = 0; i < 150; i++) await store.unanswered.record(zh(`问题${i}`, 1_000 + i), `t${i}`);
        await store.unanswered.record(zh('问题7', 2_000), 't-again');
        const top = await store.unanswered.list({ limit: 2 });
        expect(top.map((q) => [q.text, q.count])).toEqual([
          ['问题7', 2],
          ['问题149', 1],
        ]);
        expect(await store.unanswered.list({ limit: 200 })).toHaveLength(150);
      });
    });

    describe('links and rates', () => {
      it('keeps links, and answers undefined for unknown keys', async () => {
        const { store } = await fresh();
        await store.links.set('thread:CAGENTS:1795000000.000100', 'telegram:42', DAY_MS);
        await store.links.set('thread:CAGENTS:1795000000.000100', 'telegram:43', DAY_MS);
        expect(await store.links.get('thread:CAGENTS:1795000000.000100')).toBe('telegram:43');
        expect(await store.links.get('thread:nope')).toBeUndefined();
      });

      it('touches the links that exist and creates none', async () => {
        const { store } = await fresh();
        await store.links.set('card:telegram:42', '{"ts":"1"}', DAY_MS);
        await store.links.touch(['card:telegram:42', 'thread:nope'], 2 * DAY_MS);
        expect(await store.links.get('card:telegram:42')).toBe('{"ts":"1"}');
        expect(await store.links.get('thread:nope')).toBeUndefined();
      });

      it('remembers transfers done by conversation and transfer id, so a file is not sent twice', async () => {
        const { store } = await fresh();
        expect(await store.transfers.done('tg:42', 'tg:7#0')).toBe(false);
        await store.transfers.markDone('tg:42', 'tg:7#0');
        await store.transfers.markDone('tg:42', 'tg:7#0');
        expect(await store.transfers.done('tg:42', 'tg:7#0')).toBe(true);
        expect(await store.transfers.done('tg:42', 'tg:7#1')).toBe(false);
        expect(await store.transfers.done('tg:43', 'tg:7#0')).toBe(false);
      });

      it('allows perSecond sends per clock second and key, and says how long to wait', async () => {
        const { store } = await fresh();
        const now = 1_795_000_000_250;
        expect(await store.rates.take('tg', 2, now)).toBe(0);
        expect(await store.rates.take('tg', 2, now + 100)).toBe(0);
        expect(await store.rates.take('tg', 2, now + 200)).toBe(550);
        expect(await store.rates.take('slack', 2, now + 200)).toBe(0);
        expect(await store.rates.take('tg', 2, now + 750)).toBe(0);
      });
    });
  });
}

/** A TicketStore under test, empty, and how to close it (and remove what it wrote). */
export interface TicketsUnderTest {
  tickets: TicketStore;
  close(): Promise<void>;
}

/**
 * Registers the ticket contract (TicketStore in bots/ports.ts: puts, guarded updates, lifecycle
 * events appended once, search) for one TicketStore; `open` gives an empty one for each test.
 * The store contract runs it for the memory and Redis stores, the record's tests for PostgreSQL.
 */
export function ticketContract(open: () => Promise<TicketsUnderTest>): void {
  const opened: TicketsUnderTest[] = [];
  const fresh = async () => {
    const s = await open();
    opened.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  describe('tickets', () => {
    it('puts idempotently, gets, and returns undefined for unknown tickets', async () => {
      const { tickets } = await fresh();
      await tickets.put(ticket('T1', 100));
      await tickets.put(ticket('T1', 100));
      expect(await tickets.get('T1')).toEqual(ticket('T1', 100));
      expect(await tickets.list()).toEqual([ticket('T1', 100)]);
      expect(await tickets.get('nope')).toBeUndefined();
      expect(await tickets.update('nope', { satisfaction: 1 }, 1)).toBeUndefined();
    });

    it('updates only while the ticket has the expected status, and never moves updatedAt back', async () => {
      const { tickets } = await fresh();
      await tickets.put(ticket('T1', 100, 'pending'));
      expect(await tickets.update('T1', { satisfaction: 4 }, 300)).toMatchObject({
        id: 'T1',
        satisfaction: 4,
        updatedAt: 300,
      });
      expect(await tickets.update('T1', { status: 'resolved' }, 200, 'pending')).toMatchObject({
        status: 'resolved',
        updatedAt: 300,
      });
      // Already resolved: the guarded change is refused and the ticket comes back as it is.
      const refused = await tickets.update('T1', { status: 'unresolved' }, 400, 'pending');
      expect(refused).toMatchObject({ status: 'resolved', updatedAt: 300 });
      expect(await tickets.get('T1')).toEqual(refused);
    });

    it('applies concurrent ticket updates without losing either', async () => {
      const { tickets } = await fresh();
      await tickets.put(ticket('T3', 100));
      await Promise.all([
        tickets.update('T3', { satisfaction: 5 }, 200),
        tickets.update('T3', { status: 'resolved' }, 201),
      ]);
      expect(await tickets.get('T3')).toMatchObject({ satisfaction: 5, status: 'resolved', updatedAt: 201 });
    });

    it('lists newest first (ties by id, descending), filtered, 50 unless a limit is given', async () => {
      const { tickets } = await fresh();
      await tickets.put(ticket('T1', 100));
      await tickets.put(ticket('T2', 200, 'pending'));
      await tickets.put(ticket('T4', 200, 'pending', 'tg:9'));
      await tickets.put(ticket('T3', 150, 'pending'));
      expect((await tickets.list()).map((t) => t.id)).toEqual(['T4', 'T2', 'T3', 'T1']);
      expect((await tickets.list({ status: 'pending' })).map((t) => t.id)).toEqual(['T4', 'T2', 'T3']);
      expect((await tickets.list({ conversationId: 'tg:42' })).map((t) => t.id)).toEqual(['T2', 'T3', 'T1']);
      expect((await tickets.list({ status: 'pending', conversationId: 'tg:42', limit: 1 })).map((t) => t.id)).toEqual([
        'T2',
      ]);
      expect(await tickets.list({ status: 'resolved' })).toEqual([]);
      for (let i = 0; i < 55; i++) await tickets.put(ticket(`M${String(i).padStart(2, '0')}`, 1_000 + i));
      const page = await tickets.list();
      expect(page).toHaveLength(50);
      expect(page[0]?.id).toBe('M54');
      expect(await tickets.list({ limit: 200 })).toHaveLength(59);
    });
  });

  describe('ticket lifecycle events (issue 13)', () => {
    const created = (at: number): TicketEvent => ({ type: 'created', at });
    const claimed = (at: number, id = 'U1'): TicketEvent => ({ type: 'claimed', at, by: { id, name: '小王' } });

    it('invents no events for a ticket stored without any, and keeps the ones it has', async () => {
      const { tickets } = await fresh();
      await tickets.put(ticket('T1', 100));
      expect((await tickets.get('T1'))?.events).toBeUndefined();
      await tickets.put({ ...ticket('T2', 100), events: [created(100)] });
      expect((await tickets.get('T2'))?.events).toEqual([created(100)]);
    });

    it('keeps the stored events when a put is retried after later steps (union, in time order)', async () => {
      const { tickets } = await fresh();
      const first = { ...ticket('T1', 100, 'pending'), events: [created(100)] };
      await tickets.put(first);
      await tickets.update('T1', { events: [claimed(300)] }, 300);
      // The delivery of the put is retried (its acknowledgement was lost), with a step of its own.
      await tickets.put({ ...first, events: [created(100), { type: 'promised', at: 100, promisedBy: 9_000 }] });
      const stored = await tickets.get('T1');
      expect(stored?.events).toEqual([created(100), { type: 'promised', at: 100, promisedBy: 9_000 }, claimed(300)]);
      // The put's other fields replace the stored ones, as before.
      expect(stored?.status).toBe('pending');
    });

    it('appends update events once: a retried delivery appends nothing, another actor or time is a new step', async () => {
      const { tickets } = await fresh();
      await tickets.put({ ...ticket('T1', 100, 'pending'), events: [created(100)] });
      await tickets.update('T1', { claimedBy: { id: 'U1' }, events: [claimed(200)] }, 200);
      const again = await tickets.update('T1', { claimedBy: { id: 'U1' }, events: [claimed(200)] }, 200);
      expect(again?.events).toEqual([created(100), claimed(200)]);
      const later = await tickets.update('T1', { events: [claimed(200, 'U2'), claimed(250)] }, 250);
      expect(later?.events).toEqual([created(100), claimed(200), claimed(200, 'U2'), claimed(250)]);
      expect(await tickets.get('T1')).toEqual(later);
      // A guarded update that is refused appends nothing either.
      await tickets.update('T1', { status: 'resolved', events: [{ type: 'resolved', at: 300 }] }, 300, 'answered');
      expect((await tickets.get('T1'))?.events).toHaveLength(4);
    });

    it('appends to a ticket stored before issue 13 (no events yet)', async () => {
      const { tickets } = await fresh();
      await tickets.put(ticket('T1', 100, 'pending'));
      expect((await tickets.update('T1', { events: [claimed(200)] }, 200))?.events).toEqual([claimed(200)]);
    });

    it(`keeps the first ${MAX_TICKET_EVENTS} events of a ticket`, async () => {
      const { tickets } = await fresh();
      await tickets.put({ ...ticket('T1', 100), events: [created(100)] });
      const many = Array.from({ length: MAX_TICKET_EVENTS + 5 }, (_, i) => claimed(200 + i));
      const updated = await tickets.update('T1', { events: many }, 500);
      expect(updated?.events).toHaveLength(MAX_TICKET_EVENTS);
      expect(updated?.events?.[0]).toEqual(created(100));
      expect(updated?.events?.at(-1)).toEqual(claimed(200 + MAX_TICKET_EVENTS - 2));
    });

    it('appends facts and files a customer adds later, each once, within the limits, searchable', async () => {
      const { tickets } = await fresh();
      const photo = (id: string): FileRef => ({ source: 'telegram', id, kind: 'photo' });
      await tickets.put({ ...ticket('T1', 100, 'pending'), facts: ['耳机坏了'], files: [photo('p1')] });
      const added = await tickets.update(
        'T1',
        { addFacts: ['订单号 A123456789', '耳机坏了', '订单号 A123456789'], addFiles: [photo('p1'), photo('p2')] },
        200,
      );
      expect(added).toMatchObject({ facts: ['耳机坏了', '订单号 A123456789'], files: [photo('p1'), photo('p2')] });
      // A retried delivery adds nothing; an outcome changed with an addition keeps both.
      const again = await tickets.update(
        'T1',
        { addFacts: ['订单号 A123456789', 'Left Earbud Silent'], outcome: 'Sent To Repair' },
        300,
      );
      expect(again).toMatchObject({
        facts: ['耳机坏了', '订单号 A123456789', 'Left Earbud Silent'],
        outcome: 'Sent To Repair',
      });
      expect(await tickets.get('T1')).toEqual(again);
      expect(again).not.toHaveProperty('addFacts');
      for (const words of ['a123456789', 'earbud silent', 'sent to repair', '耳机'])
        expect((await tickets.list({ text: words })).map((t) => t.id)).toEqual(['T1']);
      const many = Array.from({ length: MAX_TICKET_FACTS + 3 }, (_, i) => `fact ${i}`);
      const files = Array.from({ length: MAX_TICKET_FILES + 3 }, (_, i) => photo(`f${i}`));
      const full = await tickets.update('T1', { addFacts: many, addFiles: files }, 400);
      expect(full?.facts).toHaveLength(MAX_TICKET_FACTS);
      expect(full?.facts.at(-1)).toBe(`fact ${MAX_TICKET_FACTS - 4}`);
      expect(full?.files?.map((f) => f.id)).toEqual([
        'p1',
        'p2',
        ...files.slice(0, MAX_TICKET_FILES - 2).map((f) => f.id),
      ]);
      expect(await tickets.get('T1')).toEqual(full);
    });

    it('takes a need stated after a bare request for a person in its place, found by search under the new words only', async () => {
      const { tickets } = await fresh();
      await tickets.put({ ...ticket('T1', 100, 'pending'), need: '转人工', facts: ['订单号 A123456789'] });
      const stated = await tickets.update('T1', { need: '我的快递三天了还没到', outcome: 'Claimed' }, 200);
      expect(stated).toMatchObject({ need: '我的快递三天了还没到', facts: ['订单号 A123456789'], outcome: 'Claimed' });
      expect(await tickets.get('T1')).toEqual(stated);
      for (const words of ['快递三天', 'a123456789', 'claimed'])
        expect((await tickets.list({ text: words })).map((t) => t.id)).toEqual(['T1']);
      expect(await tickets.list({ text: '转人工' })).toEqual([]);
      // Without facts, and with one added in the same change.
      await tickets.put({ ...ticket('T2', 100, 'pending'), need: 'Agent please' });
      await tickets.update('T2', { need: 'Parcel Lost', addFacts: ['Order 42'] }, 200);
      expect((await tickets.list({ text: 'parcel lost' })).map((t) => t.id)).toEqual(['T2']);
      expect((await tickets.list({ text: 'order 42' })).map((t) => t.id)).toEqual(['T2']);
      expect(await tickets.list({ text: 'agent please' })).toEqual([]);
    });

    it('merges a put and an update that race, losing neither', async () => {
      const { tickets } = await fresh();
      const first = { ...ticket('T1', 100, 'pending'), events: [created(100)] };
      await tickets.put(first);
      await Promise.all([
        tickets.put(first),
        tickets.update('T1', { events: [claimed(200)] }, 200),
        tickets.update('T1', { events: [{ type: 'reminded', at: 210 }] }, 210),
      ]);
      expect((await tickets.get('T1'))?.events).toEqual([created(100), claimed(200), { type: 'reminded', at: 210 }]);
    });
  });

  describe('ticket search (issue 13)', () => {
    /** Tickets of three customers over three days, with words to find. */
    async function sample(tickets: TicketStore): Promise<void> {
      const of = (id: string, createdAt: number, customer: string, extra: Partial<Ticket> = {}): Ticket => ({
        ...ticket(id, createdAt, 'answered', `tg:${customer}`),
        customer: { id: customer },
        need: '咨询',
        ...extra,
      });
      await tickets.put(of('T1', DAY, 'c1', { need: '发票开错了' }));
      await tickets.put(of('T2', 2 * DAY, 'c1', { status: 'pending', facts: ['订单号 20261120001'] }));
      await tickets.put(of('T3', 2 * DAY, 'c2', { type: 'complaint', outcome: 'Refund Sent' }));
      await tickets.put(of('T4', 3 * DAY, 'c1', { comment: '客服态度很好' }));
      await tickets.put(of('T5', 3 * DAY + 1, 'c3', { status: 'pending' }));
    }
    const ids = (list: Ticket[]) => list.map((t) => t.id);
    const DAY = 86_400_000;

    it('finds one ticket by id, and nothing for an unknown id', async () => {
      const { tickets } = await fresh();
      await sample(tickets);
      expect(ids(await tickets.list({ id: 'T3' }))).toEqual(['T3']);
      expect(await tickets.list({ id: 'T9' })).toEqual([]);
      // Every field given must match.
      expect(await tickets.list({ id: 'T3', customerId: 'c1' })).toEqual([]);
    });

    it("lists a customer's tickets newest first, within a date range (from inclusive, to exclusive)", async () => {
      const { tickets } = await fresh();
      await sample(tickets);
      expect(ids(await tickets.list({ customerId: 'c1' }))).toEqual(['T4', 'T2', 'T1']);
      expect(ids(await tickets.list({ customerId: 'c1', from: 2 * DAY }))).toEqual(['T4', 'T2']);
      expect(ids(await tickets.list({ customerId: 'c1', to: 3 * DAY }))).toEqual(['T2', 'T1']);
      expect(ids(await tickets.list({ customerId: 'c1', status: 'pending' }))).toEqual(['T2']);
      expect(ids(await tickets.list({ customerId: 'c1', limit: 1 }))).toEqual(['T4']);
      expect(await tickets.list({ customerId: 'nobody' })).toEqual([]);
      expect(ids(await tickets.list({ from: 2 * DAY, to: 3 * DAY + 1 }))).toEqual(['T4', 'T3', 'T2']);
    });

    it('finds words in the need, facts, outcome or comment, whatever their case', async () => {
      const { tickets } = await fresh();
      await sample(tickets);
      expect(ids(await tickets.list({ text: '发票' }))).toEqual(['T1']);
      expect(ids(await tickets.list({ text: '20261120001' }))).toEqual(['T2']);
      expect(ids(await tickets.list({ text: 'refund sent' }))).toEqual(['T3']);
      expect(ids(await tickets.list({ text: '态度' }))).toEqual(['T4']);
      expect(ids(await tickets.list({ text: 'x', status: 'pending' }))).toEqual(['T5', 'T2']);
      expect(await tickets.list({ text: '没有这个词' })).toEqual([]);
    });

    it("keeps a ticket in its customer's list when a put is repeated or the ticket is updated", async () => {
      const { tickets } = await fresh();
      await sample(tickets);
      await tickets.put({ ...ticket('T1', DAY, 'resolved', 'tg:c1'), customer: { id: 'c1' } });
      await tickets.update('T2', { status: 'resolved' }, 4 * DAY);
      expect(ids(await tickets.list({ customerId: 'c1', status: 'resolved' }))).toEqual(['T2', 'T1']);
    });
  });
}
