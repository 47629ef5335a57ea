import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshRedisStore, requireRedis } from '../support/redis.js';
import { closeDesk, deskUnderTest } from '../support/slack-desk.js';

/**
 * Issue 12, Slack's 3-second rule: Slack wants every event and action answered within 3 s, or it
 * sends it again (and an agent's button shows an error). The desk answers once the event is
 * stored, before anything is delivered to the customer. Deterministic: the Telegram stand-in
 * holds its answers until the test releases them, so "fast" means "before the release".
 */

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(() => nock.enableNetConnect());
afterEach(closeDesk);

describe("Slack's 3-second rule", () => {
  it('answers a claim and four quick replies before Telegram has delivered any of them, with pacing on', async () => {
    const d = await deskUnderTest({ pacing: true });
    await d.says('我的订单还没发货，转人工');
    d.telegram.hold();
    const replies = ['您好', '我查一下您的订单', '找到了', '明天上午发货'];
    const answers = [await d.press('desk_claim', 'UWANG')];
    for (const text of replies) answers.push(await d.event(d.reply('UWANG', text)));
    expect(answers).toEqual([200, 200, 200, 200, 200]);
    // All answered while the greeting to the customer was still waiting on Telegram.
    expect(d.telegram.sent().filter((text) => replies.includes(text))).toEqual([]);
    d.telegram.release();
    // Then every reply arrives, in order, at Telegram's pace (about one a second per chat).
    await d.telegram.delivered(6);
    await d.settled();
    expect(d.telegram.sent().slice(1)).toEqual([
      '您好，客服 小王 为您服务，转接前的对话我都看过了。请问还有什么需要补充的吗？',
      ...replies,
    ]);
  });

  describe.runIf(requireRedis())('when the store cannot take the event', () => {
    it('answers with an error, so Slack sends the event again, and sends nothing', async () => {
      const store = await freshRedisStore();
      const d = await deskUnderTest({ store });
      await d.says('转人工');
      expect(await d.press('desk_claim', 'UWANG')).toBe(200);
      await d.settled();
      const before = d.telegram.sent().length;
      await store.close();
      expect(await d.event(d.reply('UWANG', '您好'))).toBe(500);
      expect(await d.press('desk_close', 'UWANG')).toBe(500);
      await d.settled();
      expect(d.telegram.sent()).toHaveLength(before);
    });
  });
});
