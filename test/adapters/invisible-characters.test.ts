import { afterEach, describe, expect, it } from 'vitest';
import { runPlayground } from '../support/playground.js';
import { startService, type Service } from '../support/service.js';
import { updates } from '../support/telegram.js';

/**
 * Characters nobody sees (zero-width spaces, bidi controls) and spacing between Chinese characters
 * cannot hide a request, and customer text quoted back (a restatement, a card) cannot change how
 * the bot's own words are displayed. Through the playground and through the real Telegram and
 * Slack adapters against local stand-ins of both APIs.
 */
const QUEUED = /^bot> 正在为您转接人工客服/;
const RLO = '\u202e';
const FSI = '\u2068';
const PDI = '\u2069';

describe('a request for a person, however it is spaced', () => {
  it.each([
    ['a zero-width space inside', '转\u200b人工'],
    ['letter-spaced', '转 人 工'],
    ['letter-spaced, with an ideographic space', '人\u3000工\u3000客\u3000服'],
    ['with a word joiner and a bidi mark', '转\u2060人\u200f工'],
  ])('%s: %s', async (_, text) => {
    const { out } = await runPlayground(text);
    expect(out[0]).toMatch(QUEUED);
  });

  it('spaces between words still separate them: thanks, then the invoice question', async () => {
    const { out } = await runPlayground('谢谢 发票怎么开');
    expect(out.slice(-3)).toEqual([
      'bot> 不客气\uff0c很高兴能为您服务。',
      'bot> 您的意思是想开具发票\uff0c对吗\uff1f',
      '     [是的] [不是]',
    ]);
  });

  it('the end word spaced out still ends the handoff', async () => {
    const { out } = await runPlayground('转人工\n结 束');
    expect(out.some((line) => line.startsWith('desk> 客户已结束会话'))).toBe(true);
  });
});

describe("customer text quoted in the bot's words", () => {
  it('a right-to-left override inside a restated need is gone, and the restatement reads as the bot wrote it', async () => {
    const { out } = await runPlayground(`我想问${RLO}下订单号ABC123怎么写`);
    expect(out[1]).toBe('bot> 您的意思是您想问下订单号ABC123怎么写\uff0c对吗\uff1f');
    expect(out.join('\n')).not.toContain(RLO);
  });

  it('right-to-left words in a restated need are isolated, so the numbers and words after them stay in place', async () => {
    const { out } = await runPlayground('我想问 שלום 123 是什么');
    expect(out[1]).toBe(`bot> 您的意思是${FSI}שלום 123 是什么${PDI}\uff0c对吗\uff1f`);
  });

  it('the facts of a complaint repeated back isolate each right-to-left value, not the labels', async () => {
    const { out } = await runPlayground('我要投诉！收到的 مرحبا 坏了\n/wait 10s\n订单号 20261120001，昨天');
    const repeated = out.find((line) => line.startsWith('bot> 我重复一下您反映的情况'));
    expect(repeated).toContain(`情况\uff1a${FSI}`);
    expect(repeated).toContain(`订单号\uff1a20261120001`);
  });
});

describe('a card in Slack', () => {
  const running: Service[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });

  it("shows the customer's name without bidi controls and their need isolated when it is right-to-left", async () => {
    const s = await startService();
    running.push(s);
    const update = updates.text(42, '转人工 شكرا 12');
    update.message.from.first_name = `${RLO}Li`;
    await s.customer(update);
    const blocks = s.slack.of('chat.postMessage')[0]?.body.blocks as Array<Record<string, any>>;
    expect(blocks[1]?.fields[0]).toEqual({ type: 'mrkdwn', text: '*客户*\nLi Lei' });
    expect(blocks[2]?.text.text).toMatch(new RegExp(`^\\*客户诉求\\*\\n${FSI}转人工 شكرا 12${PDI}\\n`));
    expect(JSON.stringify(blocks)).not.toContain(RLO);
  });
});
