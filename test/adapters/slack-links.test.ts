import { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../adapters/store/shared.js';
import { freshRedisStore, redisUrl, requireRedis, testPrefix } from '../support/redis.js';
import { closeDesk, CONVERSATION, deskUnderTest } from '../support/slack-desk.js';

/**
 * Issue 16, fault 9: the desk's links (card → message, thread → conversation) grew forever, two
 * or three per handoff. On a real Redis, through the real desk: each link is a key that expires
 * with the conversation's state (the same retention), and is kept while the card is in use.
 */

const RETENTION_MS = DEFAULT_LIMITS.stateTtlSec * 1000;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(() => nock.enableNetConnect());

describe.runIf(requireRedis())("a card's links in Redis", () => {
  let raw: Redis;
  const prefix = testPrefix('links');
  beforeAll(() => {
    raw = new Redis(redisUrl);
  });
  afterEach(closeDesk);
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
  });

  it("expire with the conversation's state, and are kept while the card is used", async () => {
    const store = await freshRedisStore({}, prefix);
    try {
      const d = await deskUnderTest({ store, linkTtlMs: RETENTION_MS });
      await d.says('我的订单还没发货，转人工');
      await d.settled();
      const links = (await raw.keys(`${prefix}{links}:*`)).sort();
      // The conversation's card, the ticket's card, and the thread.
      expect(links.map((k) => k.slice(`${prefix}{links}:`.length).split(':')[0])).toEqual(['card', 'card', 'thread']);
      expect(await raw.exists(`${prefix}{links}`)).toBe(0);
      const state = await raw.pttl(`${prefix}{c:${CONVERSATION}}:state`);
      expect(state).toBeGreaterThan(RETENTION_MS - 60_000);
      for (const key of links) {
        const ttl = await raw.pttl(key);
        expect(ttl).toBeGreaterThan(RETENTION_MS - 60_000);
        expect(ttl).toBeLessThanOrEqual(RETENTION_MS);
      }
      // Nearly expired, then the customer writes to the claimed card's thread: the links are kept again.
      for (const key of links) await raw.pexpire(key, 5_000);
      await d.press('desk_claim', 'UWANG');
      await d.settled();
      await d.says('还在吗？');
      await d.settled();
      for (const key of links) expect(await raw.pttl(key)).toBeGreaterThan(RETENTION_MS - 60_000);
    } finally {
      await store.close();
    }
  });
});
