import { Buffer } from 'node:buffer';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_LIMITS } from '../../adapters/slack/index.js';
import { CHOICE_IDS } from '../../flows/schema.js';
import { AGENTS, closeDesk, CONVERSATION, deskUnderTest, type Desk } from '../support/slack-desk.js';

/**
 * Issue 12, platform limits and pings nobody sees: everything the product posts stays within
 * Slack's and Telegram's limits whatever the customer wrote (the Slack stand-in refuses what
 * Slack refuses), a refusal that happens anyway is the desk being down for that customer, and
 * the desk's alerts reach people who are not following the card's thread.
 */

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(() => nock.enableNetConnect());
afterEach(closeDesk);

type Block = { type: string; text?: { text: string }; elements?: Array<{ text: string }> };
const blocksOf = (call: { body: Record<string, unknown> } | undefined) => (call?.body.blocks ?? []) as Block[];
const UNAVAILABLE = /^非常抱歉，人工客服暂时无法接入。您的问题已为您记录（编号 (T[\w-]+)）/;

/** 3,140 characters of what a customer might paste, with characters Slack escapes. */
const LONG = '我的订单 A&B<20261120001> 还没发货，物流一直不更新，'.repeat(200).slice(0, 3_140);

describe('a card for a customer who wrote 3,140 characters', () => {
  it('is one Slack accepts: the need shortened on the card, the full text in its thread', async () => {
    const d = await deskUnderTest();
    await d.says(LONG);
    await d.says('转人工');
    expect(d.slack.refused()).toEqual([]);
    const [card] = d.slack.of('chat.postMessage');
    const need = blocksOf(card)[2]?.text?.text ?? '';
    expect(need.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(need).toMatch(/^\*客户诉求\*\n我的订单 A&amp;B&lt;20261120001&gt; 还没发货/);
    expect(need).toMatch(/…/);
    expect(blocksOf(card).some((b) => b.type === 'context' && b.elements?.[0]?.text.includes('完整内容见本话题'))).toBe(
      true,
    );
    // The thread has the need in full, in messages of at most 4,000 characters.
    const thread = d.slack.of('chat.postMessage').filter((c) => c.body.thread_ts === d.slack.card());
    const texts = thread.map((c) => String(c.body.text));
    expect(texts.every((t) => t.length <= 4_000)).toBe(true);
    expect(texts.join('').replace(/\s/g, '')).toContain(
      LONG.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\s/g, ''),
    );
    expect(d.telegram.sent().some((t) => UNAVAILABLE.test(t))).toBe(false);
  });

  it('keeps long customer messages, categories and notices within limits during the handoff', async () => {
    const d = await deskUnderTest();
    await d.says('转人工');
    await d.press('desk_claim', 'UWANG');
    await d.settled();
    // 4,096 characters that Slack escapes to 16,384: posted as several thread messages.
    await d.says('<'.repeat(4_096));
    await d.event(d.reply('UWANG', `!transfer ${'很长的类别'.repeat(100)}`));
    await d.settled();
    expect(d.slack.refused()).toEqual([]);
    const posts = d.slack.of('chat.postMessage').filter((c) => String(c.body.text).includes('&lt;&lt;'));
    expect(posts.length).toBe(5);
    expect(posts.every((c) => String(c.body.text).length <= 4_000)).toBe(true);
  });
});

describe('a refusal that happens anyway', () => {
  for (const error of ['invalid_blocks', 'msg_too_long', 'channel_not_found']) {
    it(`is the desk being down for the customer (${error}): told, and the matter recorded`, async () => {
      const d = await deskUnderTest();
      d.slack.refuse('chat.postMessage', error);
      await d.says('我的订单还没发货，转人工');
      const told = d.telegram.sent().find((t) => UNAVAILABLE.test(t));
      expect(told).toBeDefined();
      const ticket = await d.store.tickets.get(UNAVAILABLE.exec(told ?? '')?.[1] ?? '');
      expect(ticket).toMatchObject({
        status: 'pending',
        need: '我的订单还没发货',
        outcome: 'the agent desk could not be reached; follow-up promised',
      });
      expect(ticket?.promisedBy).toBeGreaterThan(d.clock.now());
      expect(await d.store.queue.position(CONVERSATION)).toBeUndefined();
      // The conversation is with the bot again: the customer's next message is answered.
      const before = d.telegram.sent().length;
      await d.says('发票怎么开');
      expect(d.telegram.sent().length).toBeGreaterThan(before);
    });
  }
});

describe('cards of handoffs that are over (found by the issue-12 trial)', () => {
  const hasClaim = (call: { body: Record<string, unknown> }) =>
    JSON.stringify(call.body.blocks ?? []).includes('desk_claim');

  it('leaves the card of an earlier, finished handoff alone when the next card is refused', async () => {
    const d = await deskUnderTest();
    await d.says('转人工');
    await d.says('结束');
    await d.settled();
    const updatesBefore = d.slack.of('chat.update').length;
    d.slack.refuse('chat.postMessage', 'invalid_blocks');
    await d.says('转人工');
    await d.settled();
    expect(d.telegram.sent().some((t) => UNAVAILABLE.test(t))).toBe(true);
    // Nothing about the new handoff is drawn on the old card: no Claim button comes back.
    expect(d.slack.of('chat.update').slice(updatesBefore).filter(hasClaim)).toEqual([]);
  });

  it('marks the card a conversation was transferred from, so nobody acts on it', async () => {
    const d = await deskUnderTest();
    await d.says('我的订单还没发货');
    await d.says('转人工');
    await d.press('desk_claim', 'UWANG');
    await d.event(d.reply('UWANG', '!transfer quality'));
    await d.settled();
    // The first card: the one the claim was drawn on.
    const first = d.slack.of('chat.update')[0]?.body.ts;
    const last = d.slack
      .of('chat.update')
      .filter((c) => c.body.ts === first)
      .at(-1);
    expect(last?.body.text).toMatch(/转交/);
    expect(last && hasClaim(last)).toBe(false);
    expect(JSON.stringify(last?.body.blocks)).not.toMatch(/已由 <@UWANG> 接入/);
  });
});

describe("Telegram's limits", () => {
  it("splits an agent's reply longer than a Telegram message (4,096)", async () => {
    const d = await deskUnderTest();
    await d.says('转人工');
    await d.press('desk_claim', 'UWANG');
    const long = `${'您的订单已经出库，正在发往您所在的城市。'.repeat(150)}\n${'预计明天送达，请注意查收。'.repeat(200)}`;
    expect(long.length).toBeGreaterThan(4_096);
    await d.event(d.reply('UWANG', long));
    await d.settled();
    const parts = d.telegram.sent().slice(2);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= 4_096)).toBe(true);
    expect(parts.join('').replace(/\s/g, '')).toBe(long.replace(/\s/g, ''));
  });

  it('sends button data of at most 64 bytes', async () => {
    expect(CHOICE_IDS.every((id) => Buffer.byteLength(id) <= 64)).toBe(true);
    const d = await deskUnderTest();
    await d.says('我的订单还没发货');
    const data = d.telegram.calls
      .flatMap((c) => (c.body.reply_markup?.inline_keyboard ?? []) as Array<Array<{ callback_data: string }>>)
      .flat()
      .map((b) => b.callback_data);
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((x) => Buffer.byteLength(x) <= 64)).toBe(true);
  });
});

describe('alerts and cards people see', () => {
  async function waiting(): Promise<Desk> {
    const d = await deskUnderTest();
    await d.says('我的订单还没发货');
    await d.says('转人工');
    return d;
  }

  it('re-pings an unclaimed handoff in the channel, not only in a thread nobody follows', async () => {
    const d = await waiting();
    d.clock.advance(31_000);
    await d.poller.tick();
    d.clock.advance(90_000);
    await d.poller.tick();
    const pings = d.slack.of('chat.postMessage').filter((c) => String(c.body.text).startsWith('<!'));
    expect(pings.map((c) => c.body)).toEqual([
      expect.objectContaining({ channel: AGENTS, thread_ts: d.slack.card(), reply_broadcast: 'true' }),
      expect.objectContaining({ channel: AGENTS, thread_ts: d.slack.card(), reply_broadcast: 'true' }),
    ]);
    expect(pings.map((c) => String(c.body.text).split(' ')[0])).toEqual(['<!here>', '<!channel>']);
  });

  it('reminds the agent who claimed and said nothing, by name in the thread, then the supervisors in the channel', async () => {
    const d = await waiting();
    await d.press('desk_claim', 'UWANG');
    await d.settled();
    const pings = () => d.slack.of('chat.postMessage').filter((c) => /^<[@!]/.test(String(c.body.text)));
    d.clock.advance(181_000);
    await d.poller.tick();
    expect(String(pings().at(-1)?.body.text)).toMatch(/^<@UWANG> 客户已等待您的回复数分钟/);
    expect(pings().at(-1)?.body).not.toHaveProperty('reply_broadcast');
    d.clock.advance(420_000);
    await d.poller.tick();
    expect(pings().at(-1)?.body).toMatchObject({ reply_broadcast: 'true' });
    expect(String(pings().at(-1)?.body.text)).toMatch(/^<!channel> 客户长时间未得到接待客服的回复/);
    expect(d.telegram.sent().at(-1)).toMatch(/^非常抱歉让您久等了，我已请主管跟进/);
  });

  it('keeps the last messages on a claimed card', async () => {
    const d = await waiting();
    await d.press('desk_claim', 'UWANG');
    await d.settled();
    const [update] = d.slack.of('chat.update');
    const texts = blocksOf(update).map((b) => b.text?.text ?? '');
    expect(texts.find((t) => t.startsWith('*最近消息*'))).toContain('*客户*: 我的订单还没发货');
    expect(blocksOf(update).at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '已由 <@UWANG> 接入' }],
    });
  });

  it('tells the customer when an agent transfers them, and opens the card where it belongs', async () => {
    const d = await waiting();
    await d.press('desk_claim', 'UWANG');
    await d.event(d.reply('UWANG', '!transfer quality'));
    await d.settled();
    expect(d.telegram.sent().at(-1)).toBe(
      '您的问题需要其他部门的同事协助处理，正在为您转接相关负责人，请您稍候。您之前说的内容对方都能看到，不需要您再重复。',
    );
    const [, second] = d.slack.of('chat.postMessage').filter((c) => !c.body.thread_ts);
    expect(second?.body.channel).toBe('CQUALITY');
    expect(blocksOf(second).some((b) => b.text?.text.startsWith('*最近消息*'))).toBe(true);
  });
});
