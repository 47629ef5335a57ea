import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../adapters/store/memory.js';
import { timerMember, type StoreLimits } from '../../../adapters/store/shared.js';
import { event, storeContract, type StoreUnderTest } from './contract.js';

/**
 * The memory store keeps time by the clock it is given, so leases and the dedup window are moved
 * along here instead of waited for. Raw entries are written into its private state, as the Redis
 * tests write raw keys: the port rightly has no way to store something unreadable.
 */
interface Internals {
  slot(conversationId: string): { inbox: string[] };
}
interface TimerInternals {
  due: Map<string, { score: number; timer: string }>;
}

function memoryStore(
  limits: Partial<StoreLimits> = {},
): StoreUnderTest & { store: MemoryStore; advance(ms: number): void } {
  let now = 1_795_000_000_000;
  const store = new MemoryStore(() => now, limits);
  return {
    store,
    advance: (ms) => void (now += ms),
    expireLease: async () => void (now += 10 * 60_000),
    pushInboxRaw: async (conversationId, raw) =>
      void (store as unknown as Internals).slot(conversationId).inbox.push(raw),
    corruptTimer: async (conversationId, name, raw) => {
      const entry = (store.timers as unknown as TimerInternals).due.get(timerMember(conversationId, name));
      if (!entry) throw new Error(`no timer ${name} of ${conversationId}`);
      entry.timer = raw;
    },
    close: () => store.close(),
  };
}

storeContract('memory', async (limits) => memoryStore(limits));

describe('memory store (its own clock)', () => {
  it('forgets a desk link ttlMs after it was written or last touched', async () => {
    const { store, advance } = memoryStore();
    await store.links.set('thread:CAGENTS:1', 'telegram:42', 60_000);
    await store.links.set('card:telegram:42', '{}', 60_000);
    advance(59_000);
    await store.links.touch(['card:telegram:42'], 60_000);
    advance(1_000);
    expect(await store.links.get('thread:CAGENTS:1')).toBeUndefined();
    expect(await store.links.get('card:telegram:42')).toBe('{}');
    advance(59_000);
    expect(await store.links.get('card:telegram:42')).toBeUndefined();
  });

  it('remembers an event id for the dedup window, then forgets it', async () => {
    const s = memoryStore({ dedupTtlSec: 24 * 3600 });
    expect(await s.store.accept(event('u1'))).toBe(true);
    s.advance(24 * 3600 * 1000 - 1);
    expect(await s.store.accept(event('u1'))).toBe(false);
    s.advance(1);
    expect(await s.store.accept(event('u1'))).toBe(true);
  });

  it('holds a lease until its ttl, and as long again as it is extended', async () => {
    const s = memoryStore();
    const begun = await s.store.begin('c', 1_000);
    s.advance(999);
    expect(await s.store.begin('c', 1_000)).toBeUndefined();
    expect(await s.store.extend(begun!.lease, 5_000)).toBe(true);
    s.advance(4_999);
    expect(await s.store.commit(begun!.lease, { eventId: 'x', record: undefined, transcript: [], outbox: [] })).toBe(0);
    s.advance(1);
    expect(await s.store.extend(begun!.lease, 5_000)).toBe(false);
    expect(await s.store.begin('c', 1_000)).toBeDefined();
  });

  it('forgets an untouched conversation state after stateTtlSec, and each turn renews it', async () => {
    const s = memoryStore({ stateTtlSec: 100 });
    const begun = await s.store.begin('c', 1_000_000);
    await s.store.commit(begun!.lease, {
      eventId: 'x',
      record: { snapshot: {}, timers: {}, turn: 1 },
      transcript: [],
      outbox: [],
    });
    s.advance(99_000);
    await s.store.commit(begun!.lease, { eventId: 'y', record: undefined, transcript: [], outbox: [] });
    s.advance(99_000);
    expect(await s.store.load('c')).toMatchObject({ turn: 1 });
    s.advance(1_000);
    expect(await s.store.load('c')).toBeUndefined();
  });

  it('refuses a dedup window shorter than a day', () => {
    expect(() => new MemoryStore(Date.now, { dedupTtlSec: 3600 })).toThrow(RangeError);
  });
});
