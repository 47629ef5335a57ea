import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { parseThreadMessage, plainText, readMessage, SUBTYPES } from '../../adapters/slack/index.js';
import type { RedisStore } from '../../adapters/store/redis.js';
import { freshRedisStore, requireRedis, testPrefix } from '../support/redis.js';
import { AGENTS, closeDesk, deskUnderTest, nextTs, type Desk } from '../support/slack-desk.js';

/**
 * Issue 12, Slack side: what real Slack traffic in a card's thread does. The same message under
 * a new event id, every message subtype an agent can produce, and internal notes typed on a
 * Chinese keyboard, through the engine with the real Slack and Telegram adapters.
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

/** Any order: a notice is posted in the background of its own Slack request. */
const sorted = <T>(items: T[]) => [...items].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
/** The ephemeral messages posted (only their addressee sees them), in a stable order. */
const ephemerals = (d: Desk) =>
  sorted(d.slack.of('chat.postEphemeral').map((c) => ({ user: c.body.user, text: c.body.text })));

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
      const prefix = testPrefix('slack-dedup');
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

describe('message subtypes in a card thread', () => {
  it('sends a reply that was also sent to the channel (thread_broadcast)', async () => {
    const d = await claimed();
    // Slack names the thread in `root` (and sometimes in thread_ts too).
    const { thread_ts: thread, ...rest } = d.reply('UWANG', '已为您加急处理');
    await d.event({ ...rest, subtype: 'thread_broadcast', root: { thread_ts: thread, ts: thread } });
    await d.settled();
    expect(d.telegram.sent().slice(d.before)).toEqual(['已为您加急处理']);
  });

  it('shows a mention to the customer as the person’s name, not Slack’s id (found by the issue-12 trial)', async () => {
    const d = await claimed();
    await d.event(d.reply('UWANG', '我请 <@ULI> 帮您查一下，<@UNOBODY1> 也在'));
    await d.settled();
    expect(d.telegram.sent().slice(d.before)).toEqual(['我请 @小李 帮您查一下，@小李 也在']);
  });

  it("sends a file's text, and tells the agent in the thread when the file itself cannot go", async () => {
    const d = await claimed();
    const file = { id: 'F1', name: '物流单.png', mimetype: 'image/png', size: 48_213 };
    await d.event(d.reply('UWANG', '这是物流单截图，请查收', { subtype: 'file_share', files: [file] }));
    await d.event(d.reply('UWANG', '', { subtype: 'file_share', files: [file] }));
    await d.settled();
    // This stand-in's file has no download address, so the file cannot cross (files.test.ts has
    // files that do): the words still reach the customer, and the agent learns why the file did not.
    expect(d.telegram.sent().slice(d.before)).toEqual(['这是物流单截图，请查收']);
    const warnings = d.slack.of('chat.postMessage').filter((c) => String(c.body.text).startsWith(':warning:'));
    expect(warnings.map((c) => c.body.text)).toEqual([
      expect.stringMatching(/^:warning: <@UWANG>，您的图片「物流单\.png」未发送给客户/),
      expect.stringMatching(/^:warning: <@UWANG>，您的图片「物流单\.png」未发送给客户/),
    ]);
  });

  it('tells an agent who edits or deletes a reply that the customer keeps what was sent', async () => {
    const d = await claimed();
    const sent = d.reply('UWANG', '您的订单明天发货');
    await d.event(sent);
    const edited = { ...sent, text: '您的订单后天发货', edited: { user: 'UWANG', ts: nextTs() } };
    await d.event({ subtype: 'message_changed', hidden: true, ts: nextTs(), message: edited, previous_message: sent });
    await d.event({
      subtype: 'message_deleted',
      hidden: true,
      ts: nextTs(),
      deleted_ts: sent.ts,
      previous_message: edited,
    });
    await d.settled();
    expect(d.telegram.sent().slice(d.before)).toEqual(['您的订单明天发货']);
    expect(ephemerals(d)).toEqual(
      sorted([
        { user: 'UWANG', text: '编辑后的内容不会发送给客户，客户看到的仍是原来的版本。如需更正，请发送一条新回复。' },
        { user: 'UWANG', text: '在这里删除消息不会撤回客户已收到的内容：如果消息已发出，客户仍能看到。' },
      ]),
    );
  });

  it("stays quiet about Slack's own updates: link previews, the card's reply count, our own posts", async () => {
    const d = await claimed();
    const sent = d.reply('UWANG', '物流查询 https://example.com/t/1');
    await d.event(sent);
    // A link preview arrives as an edit with the same words.
    await d.event({
      subtype: 'message_changed',
      hidden: true,
      ts: nextTs(),
      message: { ...sent, attachments: [{}] },
      previous_message: sent,
    });
    const card = { user: 'UBOT', bot_id: 'BBOT', text: 'card', ts: d.slack.card(), thread_ts: d.slack.card() };
    await d.event({
      subtype: 'message_changed',
      hidden: true,
      ts: nextTs(),
      message: { ...card, text: 'claimed' },
      previous_message: card,
    });
    await d.event({ subtype: 'message_replied', hidden: true, ts: nextTs(), message: { ...card, reply_count: 3 } });
    await d.event(d.reply('UBOT', ':bust_in_silhouette: 好的', { bot_id: 'BBOT' }));
    await d.event(d.reply('UBOT', '<!here> still waiting', { bot_id: 'BBOT', subtype: 'thread_broadcast' }));
    await d.settled();
    expect(d.telegram.sent().slice(d.before)).toEqual(['物流查询 https://example.com/t/1']);
    expect(ephemerals(d)).toEqual([]);
  });

  it("keeps another app's message internal, on the transcript", async () => {
    const d = await claimed();
    await d.event(
      d.reply('', '工单已同步到 CRM', { user: undefined, subtype: 'bot_message', bot_id: 'BCRM', username: 'CRM' }),
    );
    await d.settled();
    expect(d.telegram.sent().slice(d.before)).toEqual([]);
    expect((await d.store.transcript('telegram:42', 50)).map((e) => e.text)).toContain(
      '[internal] CRM: 工单已同步到 CRM',
    );
  });

  it('sends /me and tells the author of any other kind of message why it did not go', async () => {
    const d = await claimed();
    await d.event(d.reply('UWANG', '正在为您查询', { subtype: 'me_message' }));
    await d.event(d.reply('ULI', '<@ULI> 加入了频道', { subtype: 'channel_join', inviter: 'UWANG' }));
    await d.event(d.reply('UWANG', '提醒已设置', { subtype: 'reminder_add' }));
    await d.settled();
    expect(d.telegram.sent().slice(d.before)).toEqual(['正在为您查询']);
    expect(ephemerals(d)).toEqual(
      sorted([
        { user: 'ULI', text: '未发送给客户：Slack 的「channel_join」类消息不会转给客户。请在本话题中用文字回复。' },
        { user: 'UWANG', text: '未发送给客户：Slack 的「reminder_add」类消息不会转给客户。请在本话题中用文字回复。' },
      ]),
    );
  });

  it('reads every subtype in the table the way the table says', () => {
    const self = { botId: 'BBOT', botUserId: 'UBOT' };
    const base = {
      type: 'message',
      channel: AGENTS,
      user: 'UWANG',
      text: '好的',
      ts: '2.000001',
      thread_ts: '1.000001',
    };
    for (const subtype of SUBTYPES.agent)
      expect(readMessage({ ...base, ...(subtype === '(none)' ? {} : { subtype }) }, self, '//').kind).toBe('agent');
    expect(readMessage({ ...base, subtype: 'bot_message', bot_id: 'BX' }, self, '//').kind).toBe('app');
    for (const subtype of SUBTYPES.bookkeeping)
      expect(readMessage({ ...base, subtype }, self, '//').kind).toBe('ignore');
    for (const subtype of ['channel_join', 'channel_topic', 'pinned_item', 'huddle_thread', 'something_new'])
      expect(readMessage({ ...base, subtype }, self, '//')).toMatchObject({ kind: 'explain', why: { subtype } });
    // Outside a thread, or the thread's parent itself: not about a handoff.
    expect(readMessage({ ...base, thread_ts: undefined }, self, '//').kind).toBe('ignore');
    expect(readMessage({ ...base, ts: '1.000001' }, self, '//').kind).toBe('ignore');
    expect(readMessage({ type: 'message', channel: AGENTS }, self, '//').kind).toBe('ignore');
  });
});

describe('internal notes typed in Chinese', () => {
  it('keeps ／／内部 (full width) internal, on the transcript', async () => {
    const d = await claimed();
    await d.event(d.reply('UWANG', '／／内部：这个客户上周退过货'));
    await d.event(d.reply('UWANG', '\u3000\u200b、、内部：已联系仓库'));
    await d.settled();
    expect(d.telegram.sent().slice(d.before)).toEqual([]);
    const transcript = (await d.store.transcript('telegram:42', 50)).map((e) => e.text);
    expect(transcript).toEqual(
      expect.arrayContaining(['[internal] 小王: 内部：这个客户上周退过货', '[internal] 小王: 内部：已联系仓库']),
    );
  });

  it('counts the prefix in any width and case, after white space and invisible characters', () => {
    const note = (text: string, prefix = '//') => parseThreadMessage(text, prefix);
    for (const text of [
      '//退过货',
      '／／退过货',
      '、、退过货',
      '  // 退过货',
      '\u3000／／退过货',
      '\u200b//退过货',
      '\ufeff\u00ad//退过货',
      '/\u200b/退过货',
      // A space between the slashes (found by the issue-12 trial).
      '／ ／退过货',
      '/ /退过货',
    ])
      expect(note(text)).toEqual({ action: 'note', text: '退过货' });
    expect(note('#NOTE 退过货', '#note')).toEqual({ action: 'note', text: '退过货' });
    expect(note('＃ｎｏｔｅ 退过货', '#note')).toEqual({ action: 'note', text: '退过货' });
    expect(note('退过货', '／／')).toEqual({ action: 'reply', text: '退过货' });
    expect(note('//退过货', '／／')).toEqual({ action: 'note', text: '退过货' });
    // Not the prefix: one slash, a slash later on, a division slash.
    expect(note('/退过货').action).toBe('reply');
    expect(note('退过货 //').action).toBe('reply');
    expect(note('∕∕退过货').action).toBe('reply');
    // Commands fold the same way; what follows them keeps its own width.
    expect(note('！ＣＬＯＳＥ')).toEqual({ action: 'close' });
    expect(note('！override 这是公司规定，抱歉')).toEqual({
      action: 'reply',
      text: '这是公司规定，抱歉',
      override: true,
    });
    expect(note('！transfer　quality')).toEqual({ action: 'transfer', category: 'quality' });
  });

  // Found by the issue-13 trial: `!resolve //内部：已退款` sent the note to the customer as the outcome.
  it('resolves without a message when what follows !resolve is an internal note, keeping it as the note', () => {
    const read = (text: string, prefix = '//') => parseThreadMessage(text, prefix);
    for (const text of [
      '!resolve //内部：已退款',
      '！ＲＥＳＯＬＶＥ　／／内部：已退款',
      '!resolve 、、内部：已退款',
      '!resolve / / 内部：已退款',
      '!resolve \u200b//内部：已退款',
    ])
      expect(read(text), text).toEqual({ action: 'resolve', note: '内部：已退款' });
    expect(read('!resolve #NOTE 电话里已处理', '#note')).toEqual({ action: 'resolve', note: '电话里已处理' });
    // The prefix alone: nothing to keep, nothing to send.
    expect(read('!resolve //')).toEqual({ action: 'resolve' });
    // An outcome that only mentions the prefix later is still the outcome the customer receives.
    expect(read('!resolve 已退款 //')).toEqual({ action: 'resolve', text: '已退款 //' });
    expect(read('!resolve /已退款')).toEqual({ action: 'resolve', text: '/已退款' });
  });
});

describe("an agent's words as the customer reads them", () => {
  it("turns Slack's markup back into plain text", async () => {
    const d = await claimed();
    await d.event(
      d.reply(
        'UWANG',
        '满 100 &lt;包邮&gt; &amp; 退换 <https://example.com/t/1|物流查询> <mailto:kf@example.com|kf@example.com>',
      ),
    );
    await d.settled();
    expect(d.telegram.sent().slice(d.before)).toEqual([
      '满 100 <包邮> & 退换 物流查询 (https://example.com/t/1) kf@example.com',
    ]);
    expect(plainText('<https://example.com>，<@U123>，<#C1|售后>，<!here>')).toBe(
      'https://example.com，@U123，#售后，@here',
    );
  });
});
