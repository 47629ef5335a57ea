import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AGENTS, closeDesk, deskUnderTest, type Desk } from '../support/slack-desk.js';

/**
 * Issue 16, fault 4: a Slack outage. Desk posts wait out an outage of a few minutes in order
 * through the outbox (honouring Retry-After), the agent is told they arrived late, and only an
 * outage longer than the window falls back to the no-desk path. Through the engine with the real
 * Slack and Telegram adapters; Slack's Web API answers 500 or 429 while it is "down".
 */

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(() => nock.enableNetConnect());
afterEach(closeDesk);

const MINUTE = 60_000;

async function claimed(): Promise<Desk> {
  const d = await deskUnderTest();
  await d.says('我的订单还没发货，转人工');
  expect(await d.press('desk_claim', 'UWANG')).toBe(200);
  await d.settled();
  return d;
}

/** What the card's thread shows (messages Slack took in a thread), in order. */
const thread = (d: Desk) =>
  d.slack
    .of('chat.postMessage')
    .filter((c) => c.body.thread_ts)
    .map((c) => String(c.body.text));

describe('a Slack outage (issue 16, fault 4)', () => {
  it("keeps the customer's words for the claimed agent through a short outage, in order, and says they came late", async () => {
    const d = await claimed();
    const sentBefore = d.telegram.sent().length;
    const threadBefore = thread(d).length;
    d.slack.outage(500);
    for (const text of ['第一句', '第二句', '第三句']) await d.says(text);
    d.clock.advance(2 * MINUTE);
    await d.engine.recover();
    // Nothing reached Slack, and the customer is not told that nobody can help.
    expect(thread(d).length).toBe(threadBefore);
    expect(d.telegram.sent().length).toBe(sentBefore);

    d.slack.end();
    d.clock.advance(MINUTE);
    await d.engine.recover();
    const late = thread(d).slice(threadBefore);
    expect(late.filter((t) => /第.句/.test(t))).toEqual([
      expect.stringContaining('第一句'),
      expect.stringContaining('第二句'),
      expect.stringContaining('第三句'),
    ]);
    expect(late.filter((t) => t.includes('延迟送达'))).toHaveLength(1);
    // The agent reads the note first, then the late messages.
    expect(late.findIndex((t) => t.includes('延迟送达'))).toBeLessThan(late.findIndex((t) => t.includes('第一句')));
    // A sweep after the desk caught up sends nothing again.
    await d.engine.recover();
    expect(thread(d).slice(threadBefore)).toEqual(late);
    expect(d.telegram.sent().length).toBe(sentBefore);
  });

  it('leaves Slack alone for as long as its Retry-After says, whichever conversation asks', async () => {
    const d = await claimed();
    d.slack.outage(429, 7);
    await d.says('还在吗');
    expect(d.slept).toContain(7_000);
    // Within those seconds nobody calls Slack: not this conversation's next message, not the sweep.
    const calls = d.slack.calls.length;
    d.clock.advance(6_000);
    await d.says('有人吗');
    await d.engine.recover();
    expect(d.slack.calls.length).toBe(calls);
    d.slack.end();
    d.clock.advance(30_000);
    await d.engine.recover();
    const posted = thread(d);
    expect(posted.findIndex((t) => t.includes('还在吗'))).toBeLessThan(posted.findIndex((t) => t.includes('有人吗')));
    expect(posted.findIndex((t) => t.includes('还在吗'))).toBeGreaterThan(-1);
  });

  it('calls a failing Slack a few times a minute, not for every message and sweep (a circuit breaker)', async () => {
    const d = await claimed();
    d.slack.outage(500);
    const calls = d.slack.calls.length;
    for (let s = 0; s < 60; s += 5) {
      await d.says(`第${s}秒`);
      await d.engine.recover();
      d.clock.advance(5_000);
    }
    // 24 runs in a minute; the desk is probed after rests of 1, 2, 4, 8, 16 s… (each probe up to three attempts).
    expect(d.slack.calls.length - calls).toBeLessThanOrEqual(15);
    d.slack.end();
    d.clock.advance(30_000);
    await d.engine.recover();
    expect(thread(d).filter((t) => /第\d+秒/.test(t))).toHaveLength(12);
  });

  it('posts a card asked for during a short outage once Slack is back, without telling the customer nobody can join', async () => {
    const d = await deskUnderTest();
    d.slack.outage(500);
    await d.says('我的订单还没发货，转人工');
    d.clock.advance(90_000);
    await d.engine.recover();
    expect(d.telegram.sent().some((t) => t.includes('暂时无法接入'))).toBe(false);
    d.slack.end();
    d.clock.advance(30_000);
    await d.engine.recover();
    const cards = d.slack.of('chat.postMessage').filter((c) => !c.body.thread_ts && c.body.channel === AGENTS);
    expect(cards).toHaveLength(1);
    expect(thread(d).some((t) => t.includes('延迟送达'))).toBe(true);
    expect(d.telegram.sent().some((t) => t.includes('暂时无法接入'))).toBe(false);
  });

  it('falls back to the no-desk path after the outage window: the customer is told and the matter kept', async () => {
    const d = await claimed();
    d.slack.outage(500);
    await d.says('有人吗');
    d.clock.advance(9 * MINUTE);
    await d.engine.recover();
    expect(d.telegram.sent().some((t) => t.includes('暂时无法接入'))).toBe(false);
    d.clock.advance(2 * MINUTE);
    await d.engine.recover();
    await d.engine.recover();
    const told = d.telegram.sent().filter((t) => t.includes('暂时无法接入'));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/编号 \S+/);
    expect(d.log.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'agent desk unreachable for longer than the outage window; dropping desk item',
      }),
    );
  });
});
