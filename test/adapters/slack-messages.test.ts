import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import type { RedisStore } from '../../adapters/store/redis.js';
import { freshRedisStore, requireRedis } from '../support/redis.js';
import { closeDesk, deskUnderTest, type Desk } from '../support/slack-desk.js';

/**
 * Issue 12, Slack side: what real Slack traffic in a card's thread does, through the engine
 * with the real Slack and Telegram adapters.
 */

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(() => nock.enableNetConnect());
afterEach(closeDesk);

/** A conversation claimed by 小王 (UWANG), with what the customer had been sent so far. */
async function claimed(options: Parameters<typeof deskUnderTest>[0] = {}): Promise<Desk & { before: number }> {
  const d = await deskUnderTest(options);
  await d.says('我的订单还没发货，转人工');
  expect(await d.press('desk_claim', 'UWANG')).toBe(200);
  await d.settled();
  return { ...d, before: d.telegram.sent().length };
}

describe('the same Slack message under a new event id', () => {
  async function deliveredOnce(d: Desk & { before: number }) {
    const message = d.reply('UWANG', '您好，订单已找到');
    // Slack sometimes sends one message twice, with different event ids and no retry header.
    expect(await d.event(message, { eventId: 'EvFIRST' })).toBe(200);
    await d.settled();
    expect(await d.event(message, { eventId: 'EvSECOND' })).toBe(200);
    await d.settled();
    expect(d.telegram.sent().slice(d.before)).toEqual(['您好，订单已找到']);
    // A different message with the same words is another message.
    await d.event(d.reply('UWANG', '您好，订单已找到'));
    await d.settled();
    expect(d.telegram.sent().slice(d.before)).toEqual(['您好，订单已找到', '您好，订单已找到']);
  }

  it('reaches the customer once (memory store)', async () => {
    await deliveredOnce(await claimed());
  });

  describe.runIf(requireRedis())('on Redis', () => {
    const stores: RedisStore[] = [];
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
    });
    const open = async (prefix: string) => {
      const store = await freshRedisStore({}, prefix);
      stores.push(store);
      return store;
    };

    it('reaches the customer once, even when the second copy reaches a restarted bot', async () => {
      const prefix = `test:slack-dedup:${randomUUID().slice(0, 8)}:`;
      const d = await claimed({ store: await open(prefix) });
      const message = d.reply('UWANG', '您好，订单已找到');
      await d.event(message, { eventId: 'EvFIRST' });
      await d.settled();
      expect(d.telegram.sent().slice(d.before)).toEqual(['您好，订单已找到']);
      // The bot restarts (a new process on the same Redis); Slack sends the message again.
      await closeDesk();
      const restarted = await deskUnderTest({ store: await open(prefix) });
      expect(await restarted.event(message, { eventId: 'EvSECOND' })).toBe(200);
      await restarted.settled();
      expect(restarted.telegram.sent()).toEqual([]);
    });
  });
});
