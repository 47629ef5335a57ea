import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import { createTelegram } from '../../adapters/telegram/index.js';
import { createHttpServer } from '../../bots/app/http.js';
import { Engine } from '../../bots/engine.js';
import { memoryLogger } from '../../bots/log.js';
import { Metrics } from '../../bots/metrics.js';
import { defaultFlow } from '../support/flows.js';
import { TestClock } from '../support/harness.js';
import { BOT_INFO, fakeBotApi, TOKEN, updates } from '../support/telegram.js';

/**
 * Updates the bot does not act on, and how the operator sees them (README, Metrics and Telegram):
 * group chats while the bot serves private chats only (TELEGRAM_GROUPS unset), counted `ignored`;
 * bodies it can never process, logged, counted `invalid` and answered 200.
 */
const SECRET = 'test-secret-0123456789abcdef';
const flow = defaultFlow();
const GROUP_NOTICE =
  '您好\uff0c为了保护您的隐私\uff0c本店客服只在私聊中为您服务。请点击我的头像\uff0c给我发送私信咨询。';
const open: Array<() => Promise<void>> = [];

async function setup() {
  const api = fakeBotApi();
  const log = memoryLogger();
  const clock = new TestClock();
  const metrics = new Metrics();
  const store = new MemoryStore(clock.now);
  const telegram = createTelegram(
    {
      token: TOKEN,
      apiRoot: 'https://api.telegram.org',
      mode: { kind: 'webhook', publicUrl: 'https://bot.example.com', secret: SECRET },
      allowGroups: false,
      throttle: false,
      botInfo: BOT_INFO,
    },
    { log, clock: clock.now, metrics },
  );
  const engine = new Engine({
    store,
    flow: () => flow,
    channels: new Map([['telegram', telegram.channel]]),
    clock: clock.now,
    log,
    metrics,
    sleep: async () => {},
  });
  const receiver = telegram.receiver(engine);
  const http = createHttpServer({ routes: receiver.routes ?? [], log });
  const port = await http.listen(0, '127.0.0.1');
  await receiver.start();
  open.push(async () => {
    await http.close();
    await receiver.stop();
  });
  const post = async (update: unknown, raw?: string): Promise<[number, string]> => {
    const res = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: raw ?? JSON.stringify(update),
    });
    const answer: [number, string] = [res.status, await res.text()];
    await receiver.idle();
    return answer;
  };
  /** The inbound counts of the Telegram channel, as `type/result count` lines. */
  const inbound = async () =>
    (await metrics.text())
      .split('\n')
      .filter((l) => l.startsWith('servicedesk_inbound_events_total{channel="telegram"'))
      .map((l) => l.replace(/^[^{]*\{channel="telegram",type="([^"]*)",result="([^"]*)"\} /, '$1/$2 '));
  return { api, store, log, post, inbound };
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

describe('Telegram group chats, when the bot serves private chats only', () => {
  it('tells a group once, and counts every group message as ignored, the second one too (not as a duplicate)', async () => {
    const t = await setup();
    expect(await t.post(updates.text(-10077, '你好', { chatType: 'group' }))).toEqual([200, 'ignored']);
    expect(await t.post(updates.text(-10077, '在吗', { chatType: 'group' }))).toEqual([200, 'ignored']);
    expect(t.api.sent(-10077)).toEqual([GROUP_NOTICE]);
    expect(await t.inbound()).toEqual(['command/ignored 2']);
  });

  it('acknowledges a button pressed in a group and does nothing else: no reply, no turn, counted ignored', async () => {
    const t = await setup();
    const press = updates.button(-10077, 'yes', 77);
    press.callback_query.message.chat.type = 'group';
    expect(await t.post(press)).toEqual([200, 'ignored']);
    expect(t.api.of('answerCallbackQuery').map((c) => c.body)).toEqual([
      { callback_query_id: press.callback_query.id },
    ]);
    expect(t.api.calls.map((c) => c.method)).toEqual(['setWebhook', 'answerCallbackQuery']);
    expect(await t.store.transcript('telegram:-10077', 10)).toEqual([]);
    expect(await t.store.pending(10)).toEqual([]);
    expect(await t.inbound()).toEqual(['choice/ignored 1']);
  });

  it('still takes a button pressed in a private chat', async () => {
    const t = await setup();
    await t.post(updates.text(42, '我的订单还没发货'));
    expect(await t.post(updates.button(42, 'yes', t.api.lastMessageId()))).toEqual([200, 'accepted']);
    expect(t.api.sent(42).at(-2)).toMatch(/^一般情况下/);
  });
});

describe('Telegram webhook bodies it can never process', () => {
  it('logs a body over 1 MiB without its contents, counts it invalid, and answers 200 (a 4xx is redelivered for a day)', async () => {
    const t = await setup();
    const huge = JSON.stringify({ update_id: 1, message: { text: '我的手机号 13800000000 '.repeat(70_000) } });
    expect(huge.length).toBeGreaterThan(1 << 20);
    expect(await t.post(undefined, huge)).toEqual([200, 'invalid: over 1 MiB; dropped']);
    const warned = t.log.lines.filter((l) => l.level === 'warn');
    expect(warned.map((l) => l.message)).toEqual([
      'dropped a webhook body over 1 MiB (answered 200: it can never be processed)',
    ]);
    expect(JSON.stringify(warned)).not.toContain('13800000000');
    expect(await t.inbound()).toEqual(['unknown/invalid 1']);
    expect(await t.store.pending(10)).toEqual([]);
    // The next update is taken as ever.
    expect(await t.post(updates.text(42, '你好'))).toEqual([200, 'accepted']);
  });
});
