import { afterEach, describe, expect, it } from 'vitest';
import { deskText } from '../../adapters/desk/text.js';
import { fromUpdate, TelegramUpdate } from '../../adapters/telegram/updates.js';
import { blockedUpdate } from '../support/bot-api.js';
import { runPlayground } from '../support/playground.js';
import { startService, type Service } from '../support/service.js';
import { CARD_TS } from '../support/slack-api.js';
import { blockedByUser, updates } from '../support/telegram.js';

/**
 * What the customer does while people have the conversation (README: Human handoff, "What the
 * customer does during a handoff"), through the real Telegram adapter and the real Slack desk
 * against local stand-ins of both HTTP APIs: everything they say reaches the agent; starting over
 * or leaving ends the handoff for both sides.
 */
const zh = deskText('zh-CN');
const RESTARTED = zh.updates['customer-restarted']('');
const LEFT = zh.updates['customer-left']('');
const ENDED = zh.notice({ kind: 'no-handoff' });
const GREETING = '您好\uff0c本店欢迎您的光临\uff01请问有什么可以帮您\uff1f';
const CLAIMED = '您好，客服 小王 为您服务，转接前的对话我都看过了。请问还有什么需要补充的吗？';
/** The same greeting when the customer asked for a person and said nothing of the matter (handoffClaimedAsk). */
const CLAIMED_ASKING = '您好，客服 小王 为您服务，请问有什么可以帮您？';
const CHAT = 42;
const CONV = 'telegram:42';

const running: Service[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function queued(): Promise<Service> {
  const s = await startService();
  running.push(s);
  await s.customer(updates.text(CHAT, '我的订单还没发货\uff0c转人工'));
  expect(await s.store.queue.position(CONV)).toBe(1);
  return s;
}
async function claimed(): Promise<Service> {
  const s = await queued();
  await s.press('desk_claim', 'UWANG', CONV);
  expect(s.telegram.sent(CHAT).at(-1)).toBe(CLAIMED);
  return s;
}
/** The thread's messages after the card, as agents read them. */
const thread = (s: Service) =>
  s.slack
    .of('chat.postMessage')
    .filter((c) => c.body.thread_ts === CARD_TS)
    .map((c) => String(c.body.text));
/** The card's last block as Slack shows it now (the latest chat.update, else as posted). */
const cardFooter = (s: Service) =>
  (s.slack.of('chat.update').at(-1) ?? s.slack.of('chat.postMessage')[0])?.body.blocks.at(-1);
const ended = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

describe('what the customer does during a handoff', () => {
  it('/start while an agent has them: greeted afresh, the thread told, the card no longer claimable, the ticket unresolved', async () => {
    const s = await claimed();
    await s.customer(updates.text(CHAT, '/start'));
    expect(s.telegram.sent(CHAT).at(-1)).toBe(GREETING);
    expect(thread(s).at(-1)).toBe(RESTARTED);
    expect(cardFooter(s)).toEqual(ended(RESTARTED));
    expect(await s.store.tickets.list({ conversationId: CONV })).toMatchObject([
      { status: 'unresolved', outcome: 'customer started over with the bot (/start) while talking with 小王' },
    ]);
    // The agent's next reply and a later click on the old card reach nobody; each agent is told why, privately.
    const sent = s.telegram.sent(CHAT).length;
    await s.reply('UWANG', '您好\uff0c订单已找到');
    await s.press('desk_claim', 'ULI', CONV);
    expect(s.telegram.sent(CHAT)).toHaveLength(sent);
    expect(s.slack.of('chat.postEphemeral').map((c) => [c.body.user, c.body.text])).toEqual([
      ['UWANG', ENDED],
      ['ULI', ENDED],
    ]);
  });

  it('/start while waiting: the queue is left (the next customer moves up) and the ticket says nobody had joined', async () => {
    const s = await queued();
    await s.customer(updates.text(43, '转人工'));
    expect(await s.store.queue.position('telegram:43')).toBe(2);
    await s.customer(updates.text(CHAT, '/start'));
    expect(await s.store.queue.position(CONV)).toBeUndefined();
    expect(await s.store.queue.position('telegram:43')).toBe(1);
    expect(s.telegram.sent(CHAT).at(-1)).toBe(GREETING);
    expect(cardFooter(s)).toEqual(ended(RESTARTED));
    expect(await s.store.tickets.list({ conversationId: CONV })).toMatchObject([
      { status: 'unresolved', outcome: 'customer started over with the bot (/start) before an agent joined' },
    ]);
    await s.press('desk_claim', 'UWANG', CONV);
    expect(s.telegram.sent(CHAT).at(-1)).toBe(GREETING);
    expect(s.slack.of('chat.postEphemeral').map((c) => c.body.text)).toEqual([ENDED]);
  });

  it('relays /help, any other command, an edit, a photo and words to the thread, queued or claimed, and the bot stays silent', async () => {
    const s = await queued();
    const before = s.telegram.sent(CHAT).length;
    await s.customer(updates.text(CHAT, '/help'));
    await s.press('desk_claim', 'UWANG', CONV);
    const afterClaim = s.telegram.sent(CHAT).length;
    await s.customer(updates.text(CHAT, '/help'));
    await s.customer(updates.text(CHAT, '/menu'));
    await s.customer(updates.edited(CHAT, '我的订单号是 20261120001'));
    await s.customer(updates.photo(CHAT));
    await s.customer(updates.text(CHAT, '快递盒压坏了'));
    expect(s.telegram.sent(CHAT)).toHaveLength(afterClaim);
    expect(afterClaim).toBe(before + 1);
    const customer = thread(s)
      .filter((t) => t.startsWith(':bust_in_silhouette: '))
      .map((t) => t.replace(':bust_in_silhouette: ', ''));
    expect(customer).toEqual([
      '/help',
      '/help',
      '/menu',
      '[已编辑] 我的订单号是 20261120001', // the desk's language: its mark for an edit
      // The photo goes to the thread as the file itself, not as words (test/adapters/files.test.ts).
      '快递盒压坏了',
    ]);
  });

  it('blocking the bot (my_chat_member: kicked) ends a waiting handoff for the desk: thread, card, queue, ticket', async () => {
    const s = await queued();
    const sent = s.telegram.sent(CHAT).length;
    await s.customer(blockedUpdate(CHAT));
    expect(thread(s).at(-1)).toBe(LEFT);
    expect(cardFooter(s)).toEqual(ended(LEFT));
    expect(await s.store.queue.position(CONV)).toBeUndefined();
    expect(await s.store.tickets.list({ conversationId: CONV })).toMatchObject([
      { status: 'unresolved', outcome: 'customer blocked the bot or could not be reached before an agent joined' },
    ]);
    await s.press('desk_claim', 'UWANG', CONV);
    expect(s.telegram.sent(CHAT)).toHaveLength(sent);
    expect(s.slack.of('chat.postEphemeral').map((c) => c.body.text)).toEqual([ENDED]);
  });

  it('a customer who became unreachable (403 on the agent reply) ends the handoff the same way, after one attempt', async () => {
    const s = await claimed();
    s.telegram.fail(blockedByUser());
    await s.reply('UWANG', '您好\uff0c我查一下您的订单');
    expect(s.telegram.of('sendMessage').at(-1)?.body.text).toBe('您好\uff0c我查一下您的订单');
    expect(thread(s).at(-1)).toBe(LEFT);
    expect(cardFooter(s)).toEqual(ended(LEFT));
    expect(await s.store.tickets.list({ conversationId: CONV })).toMatchObject([
      { status: 'unresolved', outcome: 'customer blocked the bot or could not be reached while talking with 小王' },
    ]);
    expect(await s.store.peekOutbox(CONV, 10)).toEqual([]);
  });
});

describe('the playground shows the same rule', () => {
  it("the issue's reproduction: /start after the claim ends the handoff, and the agent's reply is refused, not sent", async () => {
    const { out } = await runPlayground(
      '转人工\n/agent claim\n/start\n/agent reply 您好\uff0c订单已找到\n/agent claim',
    );
    const after = out.slice(out.indexOf(`bot> ${CLAIMED_ASKING}`) + 1);
    expect(after).toEqual([
      `desk> ${RESTARTED}`,
      `bot> ${GREETING}`,
      `desk> (仅 pg:小王 可见) ${ENDED}`,
      `desk> (仅 pg:小王 可见) ${ENDED}`,
    ]);
  });

  it('/help and a photo during a handoff go to the desk, and the bot says nothing', async () => {
    const { out } = await runPlayground('转人工\n/agent claim\n/help\n/send photo');
    const after = out.slice(out.indexOf(`bot> ${CLAIMED_ASKING}`) + 1);
    expect(after).toEqual(['desk> [客户] /help', expect.stringMatching(/^desk> \[客户\] 📎 图片 /)]);
  });
});

describe('Telegram: the customer blocking the bot', () => {
  const read = (update: unknown) =>
    fromUpdate(TelegramUpdate.parse(update), { allowGroups: false, botUsername: 'service_desk_bot', now: () => 0 });

  it('is the blocked command of their conversation; unblocking and groups are nothing to act on', () => {
    const blocked = blockedUpdate(CHAT);
    expect(read(blocked)).toEqual({
      kind: 'event',
      event: {
        id: `tg:${blocked.update_id}`,
        conversationId: CONV,
        channel: 'telegram',
        customer: { id: String(CHAT), name: 'Li' },
        at: 1_795_000_000_000,
        payload: { type: 'command', command: 'blocked' },
      },
    });
    const unblocked = blockedUpdate(CHAT);
    unblocked.my_chat_member.new_chat_member.status = 'member';
    expect(read(unblocked)).toMatchObject({ kind: 'ignore' });
    const group = blockedUpdate(-100);
    group.my_chat_member.chat.type = 'group';
    expect(read(group)).toMatchObject({ kind: 'ignore' });
  });
});
