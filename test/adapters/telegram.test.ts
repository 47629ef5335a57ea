import type { IncomingMessage, ServerResponse } from 'node:http';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import { keyboardOf, splitMessage } from '../../adapters/telegram/channel.js';
import { createTelegram, type TelegramReceiver } from '../../adapters/telegram/index.js';
import { createHttpServer } from '../../bots/app/http.js';
import type { RedisStore } from '../../adapters/store/redis.js';
import { freshRedisStore, redisUrl, testPrefix } from '../support/redis.js';
import { Engine } from '../../bots/engine.js';
import { SetupError } from '../../bots/errors.js';
import { memoryLogger } from '../../bots/log.js';
import type { Store } from '../../bots/ports.js';
import { defaultFlow } from '../support/flows.js';
import type { ConversationFlow } from '../../flows/step.js';
import { TestClock } from '../support/harness.js';
import { TWO_MATTERS, twoMattersReplies } from '../support/script.js';
import {
  BOT_INFO,
  blockedByUser,
  fakeBotApi,
  pollingOptions,
  serverError,
  TOKEN,
  tooManyRequests,
  updates,
} from '../support/telegram.js';

const SECRET = 'test-secret-0123456789abcdef';
const flow = defaultFlow();

interface Setup {
  api: ReturnType<typeof fakeBotApi>;
  receiver: TelegramReceiver;
  /** The port of the app's HTTP server, on which the webhook route is mounted. */
  port: number;
  store: Store;
  log: ReturnType<typeof memoryLogger>;
  slept: number[];
  engine: Engine;
  /** POSTs an update to the webhook as Telegram would, then waits for the conversation to settle. */
  post(update: unknown, options?: { secret?: string | null; raw?: string }): Promise<number>;
  /** Closes the HTTP server and stops the receiver, as the app does on SIGTERM. */
  stop(): Promise<void>;
}

const running: Array<{ stop(): Promise<void> }> = [];

async function setup(
  options: {
    apiRoot?: string;
    store?: Store;
    allowGroups?: boolean;
    api?: ReturnType<typeof fakeBotApi>;
    throttle?: boolean;
    polling?: boolean;
    flow?: ConversationFlow;
    /** Called when the webhook ends its answer to a request (before the bytes leave). */
    onAnswer?: () => void;
  } = {},
): Promise<Setup> {
  const apiRoot = options.apiRoot ?? 'https://api.telegram.org';
  const api = options.api ?? fakeBotApi(apiRoot);
  const log = memoryLogger();
  const clock = new TestClock();
  const store = options.store ?? new MemoryStore(clock.now);
  const telegram = createTelegram(
    {
      token: TOKEN,
      apiRoot,
      mode: options.polling
        ? { kind: 'polling' }
        : { kind: 'webhook', publicUrl: 'https://bot.example.com/', secret: SECRET },
      allowGroups: options.allowGroups ?? false,
      throttle: options.throttle ?? false,
      botInfo: BOT_INFO,
    },
    { log, clock: clock.now },
  );
  const slept: number[] = [];
  const conversation = options.flow ?? flow;
  const engine = new Engine({
    store,
    flow: () => conversation,
    channels: new Map([['telegram', telegram.channel]]),
    clock: clock.now,
    log,
    sleep: async (ms) => void slept.push(ms),
  });
  const receiver = telegram.receiver(engine);
  const onAnswer = options.onAnswer;
  const routes = (receiver.routes ?? []).map((route) =>
    onAnswer
      ? {
          ...route,
          handle: (req: IncomingMessage, res: ServerResponse) => {
            const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
            res.end = ((...args: unknown[]) => (onAnswer(), end(...args))) as ServerResponse['end'];
            route.handle(req, res);
          },
        }
      : route,
  );
  const http = createHttpServer({ routes, log });
  const port = await http.listen(0, '127.0.0.1');
  await receiver.start();
  const stop = async () => {
    await http.close();
    await receiver.stop();
  };
  running.push({ stop });
  const post: Setup['post'] = async (update, opts = {}) => {
    const secret = opts.secret === undefined ? SECRET : opts.secret;
    const res = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: opts.raw ?? JSON.stringify(update),
    });
    await receiver.idle();
    return res.status;
  };
  return { api, receiver, port, store, log, slept, post, stop, engine };
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

const YES_NO = {
  inline_keyboard: [
    [
      { text: '是的', callback_data: 'yes' },
      { text: '不是', callback_data: 'no' },
    ],
  ],
};
const MORE_DONE = {
  inline_keyboard: [
    [
      { text: '还有问题', callback_data: 'more' },
      { text: '没有了', callback_data: 'done' },
    ],
  ],
};

describe('Telegram channel: the standard conversation', () => {
  it('registers the webhook with its secret and only the updates it reads', async () => {
    const { api } = await setup();
    expect(api.of('setWebhook').map((c) => c.body)).toEqual([
      {
        url: 'https://bot.example.com/telegram/webhook',
        secret_token: SECRET,
        allowed_updates: ['message', 'edited_message', 'callback_query', 'my_chat_member'],
        drop_pending_updates: false,
      },
    ]);
  });

  it('runs a whole zh-CN conversation from /start to the survey, with the exact Bot API calls', async () => {
    const t = await setup();
    expect(await t.post(updates.text(42, '/start'))).toBe(200);
    expect(t.api.of('sendMessage').map((c) => c.body)).toEqual([
      {
        chat_id: 42,
        text: '您好\uff0c本店欢迎您的光临\uff01请问有什么可以帮您\uff1f',
        link_preview_options: { is_disabled: true },
      },
    ]);

    await t.post(updates.text(42, '我的订单还没发货'));
    expect(t.api.of('sendMessage').at(-1)?.body).toEqual({
      chat_id: 42,
      text: '您的意思是想了解订单什么时候发货\uff0c对吗\uff1f',
      link_preview_options: { is_disabled: true },
      reply_markup: YES_NO,
    });

    const confirmId = t.api.lastMessageId();
    const yes = updates.button(42, 'yes', confirmId);
    await t.post(yes);
    expect(t.api.of('answerCallbackQuery').map((c) => c.body)).toEqual([{ callback_query_id: yes.callback_query.id }]);
    expect(t.api.of('editMessageReplyMarkup').map((c) => c.body)).toEqual([
      { chat_id: 42, message_id: confirmId, reply_markup: { inline_keyboard: [] } },
    ]);
    const afterYes = t.api
      .of('sendMessage')
      .slice(-2)
      .map((c) => c.body);
    expect(afterYes[0]?.text).toMatch(/^一般情况下\uff0c付款成功后 48 小时内发货/);
    expect(afterYes[1]).toEqual({
      chat_id: 42,
      text: '请问还有其他可以帮助您的吗\uff1f',
      link_preview_options: { is_disabled: true },
      reply_markup: MORE_DONE,
    });

    await t.post(updates.button(42, 'done', t.api.lastMessageId()));
    const survey = t.api.of('sendMessage').at(-1)?.body;
    expect(survey?.reply_markup).toEqual({
      inline_keyboard: [
        [{ text: '5 非常满意', callback_data: 'score5' }],
        [{ text: '4 满意', callback_data: 'score4' }],
        [{ text: '3 一般', callback_data: 'score3' }],
        [{ text: '2 不满意', callback_data: 'score2' }],
        [{ text: '1 非常不满意', callback_data: 'score1' }],
      ],
    });
    await t.post(updates.button(42, 'score5', t.api.lastMessageId()));
    expect(t.api.sent(42).at(-1)).toBe('感谢您的评价\uff085 分\uff09\uff0c我们会继续努力的。祝您生活愉快\uff01');
    expect(await t.store.tickets.list({ conversationId: 'telegram:42' })).toMatchObject([
      {
        status: 'answered',
        satisfaction: 5,
        channel: 'telegram',
        customer: { id: '42', name: 'Li Lei' },
        need: '我的订单还没发货',
      },
    ]);
  });

  it('talks English to a customer whose Telegram language is English', async () => {
    const t = await setup();
    await t.post(updates.text(7, 'hi', { languageCode: 'en' }));
    expect(t.api.sent(7)).toEqual(['Hello, welcome to Our Shop! How can I help you today?']);
  });

  it('answers /help and a photo politely, and keeps an edit on the transcript without replying', async () => {
    const t = await setup();
    await t.post(updates.text(9, '/help'));
    expect(t.api.sent(9)[0]).toMatch(/^您好\uff0c我是本店的智能客服/);
    await t.post(updates.photo(9));
    expect(t.api.sent(9).at(-1)).toBe(
      '非常抱歉\uff0c我暂时只能处理文字消息\uff0c麻烦您用文字描述一下您的问题\uff0c好吗\uff1f',
    );
    const before = t.api.sent(9).length;
    await t.post(updates.edited(9, '我的订单号是 12345'));
    expect(t.api.sent(9)).toHaveLength(before);
    const transcript = await t.store.transcript('telegram:9', 20);
    expect(transcript.map((e) => e.text)).toEqual(
      expect.arrayContaining(['/help', '[photo]', '[edited] 我的订单号是 12345']),
    );
  });

  it('never lets customer text become markup: no parse mode, the characters go back as typed', async () => {
    const t = await setup();
    await t.post(updates.text(11, '你好'));
    await t.post(updates.text(11, '我的<b>优惠券</b>用不了 *_[链接](http://x)'));
    const call = t.api.of('sendMessage').at(-1)!.body;
    expect(call).not.toHaveProperty('parse_mode');
    expect(call.text).toContain('<b>优惠券</b>用不了 *_[链接](http://x)');
  });

  it('serves private chats only and tells a group so once', async () => {
    const t = await setup();
    await t.post(updates.text(-100123, '你好', { chatType: 'supergroup' }));
    await t.post(updates.text(-100123, '在吗', { chatType: 'supergroup' }));
    expect(t.api.sent(-100123)).toEqual([
      '您好\uff0c为了保护您的隐私\uff0c本店客服只在私聊中为您服务。请点击我的头像\uff0c给我发送私信咨询。',
    ]);
  });

  it('sends through a self-hosted Bot API server when TELEGRAM_API_ROOT points there', async () => {
    const t = await setup({ apiRoot: 'http://127.0.0.1:8081' });
    await t.post(updates.text(5, '你好'));
    expect(t.api.sent(5)).toEqual(['您好\uff0c本店欢迎您的光临\uff01请问有什么可以帮您\uff1f']);
  });
});

describe('Telegram webhook: security and reliability', () => {
  it('answers 401 to a wrong or missing secret token and touches nothing', async () => {
    const t = await setup();
    expect(await t.post(updates.text(42, '你好'), { secret: 'wrong-secret-0123456789' })).toBe(401);
    expect(await t.post(updates.text(42, '你好'), { secret: null })).toBe(401);
    expect(t.api.of('sendMessage')).toEqual([]);
    expect(await t.store.pending(10)).toEqual([]);
    expect(await t.store.transcript('telegram:42', 10)).toEqual([]);
  });

  it('drops a body that is not an update with 200 (Telegram would redeliver a 4xx for a day), logs it, stores nothing', async () => {
    const t = await setup();
    expect(await t.post(undefined, { raw: '{not json' })).toBe(200);
    expect(await t.post({ update_id: 'x', message: { text: 1 } })).toBe(200);
    expect(await t.store.pending(10)).toEqual([]);
    expect(t.log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'dropped a webhook body that is not JSON (answered 200: it can never be processed)',
      'malformed Telegram update ignored',
    ]);
  });

  it("answers Telegram before the turn's work starts, however costly the turn (issue 16, fault 6)", async () => {
    const order: string[] = [];
    const timed: ConversationFlow = {
      ...flow,
      step: (record, input) => (order.push('turn'), flow.step(record, input)),
    };
    const t = await setup({ flow: timed, onAnswer: () => order.push('answered') });
    expect(await t.post(updates.text(42, '你好'))).toBe(200);
    expect(order).toEqual(['answered', 'turn']);
    expect(t.api.of('sendMessage')).toHaveLength(1);
  });

  it('takes 300 random and hostile updates without a crash or a 5xx, and answers the next customer (fuzz, issue 16)', async () => {
    const t = await setup();
    // A seeded generator (mulberry32): the same 300 updates on every run.
    let seed = 0x5eed;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
    const hostile = [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '',
      ' ',
      '\u202e你好\u202c',
      '\u200b\u2060\ufeff',
      'a'.repeat(5_000),
      '转人工',
      '/start',
      '/start@other_bot',
      '{company}',
      '<b>x</b>',
      '\u0000\u0007',
      '😀'.repeat(50),
    ];
    const junk = [null, 0, -1, 1e308, 'x', [], {}, true, { __proto__: { polluted: 1 } }];
    const statuses = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const chat = 700_000 + Math.floor(rand() * 20);
      const base =
        rand() < 0.5
          ? updates.text(chat, pick(hostile))
          : rand() < 0.5
            ? updates.button(chat, pick(hostile), 1 + Math.floor(rand() * 5))
            : updates.edited(chat, pick(hostile));
      const update = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
      update.update_id = 9_000_000 + i;
      // Now and then a field of the wrong type, an extra key from outside, or a missing part.
      const r = rand();
      if (r < 0.15) update[pick(['message', 'callback_query', 'edited_message'])] = pick(junk);
      else if (r < 0.25)
        Object.defineProperty(update, pick(hostile), { value: 1, enumerable: true, configurable: true });
      else if (r < 0.3) delete update.update_id;
      statuses.add(await t.post(update));
    }
    expect([...statuses].filter((s) => s >= 500)).toEqual([]);
    expect(
      t.log.lines.filter((l) => /unexpected|crash|TypeError/i.test(`${l.message} ${JSON.stringify(l.fields)}`)),
    ).toEqual([]);
    // The bot still serves: a new customer is greeted.
    expect(await t.post(updates.text(42, '你好'))).toBe(200);
    expect(t.api.sent(42)).toEqual(['您好\uff0c本店欢迎您的光临\uff01请问有什么可以帮您\uff1f']);
  });

  it('reads at most 4,096 characters of a message (a longer one can only be forged), and answers it (issue 16, fault 6)', async () => {
    // What the conversation heard (the store keeps only a card's worth of each line).
    const heard: string[] = [];
    const listening: ConversationFlow = {
      ...flow,
      step: (record, input) => {
        if (input.payload.type === 'text') heard.push(input.payload.text);
        return flow.step(record, input);
      },
    };
    const t = await setup({ flow: listening });
    expect(await t.post(updates.text(43, '你好'))).toBe(200);
    expect(await t.post(updates.text(43, `发票${'票'.repeat(65_534)}`))).toBe(200);
    expect(t.api.sent(43)).toHaveLength(2);
    expect(heard.map((text) => [...text].length)).toEqual([2, 4_096]);
  });

  it('gives an update delivered several times exactly one effect', async () => {
    const t = await setup();
    const update = updates.text(42, '你好');
    expect(await t.post(update)).toBe(200);
    expect(await t.post(update)).toBe(200);
    expect(await t.post(update)).toBe(200);
    expect(t.api.sent(42)).toHaveLength(1);
  });

  it("processes one chat's updates in order", async () => {
    const t = await setup();
    for (const text of TWO_MATTERS) await t.post(updates.text(42, text));
    expect(t.api.sent(42)).toEqual(twoMattersReplies());
  });

  it('retries after retry_after on 429 and with backoff on 5xx, sending each reply once', async () => {
    const t = await setup();
    t.api.fail(tooManyRequests(3), serverError());
    await t.post(updates.text(42, '你好'));
    expect(t.slept).toEqual([3_000, 500]);
    expect(t.api.of('sendMessage')).toHaveLength(3);
    expect(t.api.sent(42).filter((x) => x.startsWith('您好'))).toHaveLength(3);
    expect(await t.store.peekOutbox('telegram:42', 10)).toEqual([]);
  });

  it('sends a reply too long for one message in parts, and retries only the part that failed', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => `第 ${i + 1} 条：${'说明'.repeat(20)}`);
    const t = await setup({ flow: defaultFlow((def) => void (def.texts.help = [lines.join('\n')])) });
    // The first part goes through; the second keeps failing until a later sweep.
    t.api.fail('ok', serverError(), serverError(), serverError());
    await t.post(updates.text(42, '/help'));
    const parts = t.api.sent(42);
    expect(parts).toHaveLength(4);
    expect(parts[0]?.startsWith('第 1 条')).toBe(true);
    await t.engine.recover();
    const sent = t.api.sent(42);
    expect(sent.filter((x) => x === parts[0])).toHaveLength(1);
    expect(sent.slice(1).every((x) => x === sent[1])).toBe(true);
    expect(sent.filter((x) => x !== parts[0])).toHaveLength(4);
    expect([sent[0], sent.at(-1)].join('\n')).toBe(lines.join('\n'));
    expect(await t.store.peekOutbox('telegram:42', 10)).toEqual([]);
  });

  it('ends the conversation of a customer who blocked the bot after one attempt', async () => {
    const t = await setup();
    await t.post(updates.text(42, '你好'));
    t.api.fail(blockedByUser());
    await t.post(updates.text(42, '我的订单还没发货'));
    // The greeting, then exactly one refused attempt: no retries, no waiting.
    expect(t.api.of('sendMessage')).toHaveLength(2);
    expect(t.slept).toEqual([]);
    expect(await t.store.peekOutbox('telegram:42', 10)).toEqual([]);
    const transcript = await t.store.transcript('telegram:42', 20);
    expect(transcript.at(-1)).toMatchObject({ from: 'system', text: 'the customer blocked the bot' });
    expect(await t.store.load('telegram:42')).toMatchObject({ timers: {} });
  });

  it('drops a body over 1 MiB with 200 (see telegram-dropped), and answers 503 once stopping so Telegram redelivers', async () => {
    const t = await setup();
    expect(await t.post(undefined, { raw: JSON.stringify({ update_id: 1, pad: 'x'.repeat(1 << 20) }) })).toBe(200);
    await t.receiver.stop();
    expect(await t.post(updates.text(42, '你好'))).toBe(503);
    expect(await t.store.pending(10)).toEqual([]);
  });

  it('answers 500 when the update cannot be stored, so Telegram redelivers it', async () => {
    const clock = new TestClock();
    const store = new MemoryStore(clock.now);
    store.acceptAndBegin = async () => {
      throw new Error('store down');
    };
    const t = await setup({ store });
    expect(await t.post(updates.text(42, '你好'))).toBe(500);
    expect(t.api.of('sendMessage')).toEqual([]);
  });

  it("shares the app's server: /healthz answers, GET on the webhook is 405, other paths 404", async () => {
    const t = await setup();
    const get = (path: string) => fetch(`http://127.0.0.1:${t.port}${path}`);
    const health = await get('/healthz');
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
    expect((await get('/telegram/webhook')).status).toBe(405);
    expect((await get('/nowhere')).status).toBe(404);
  });

  it('finishes the conversations in flight before stopping', async () => {
    // The Bot API answers slowly: the update is accepted and answered 200 long before the reply is out.
    const slow = fakeBotApi('https://api.telegram.org', { delayMs: 300 });
    const t = await setup({ api: slow });
    const res = await fetch(`http://127.0.0.1:${t.port}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(updates.text(42, '你好')),
    });
    expect(res.status).toBe(200);
    expect((await t.store.peekOutbox('telegram:42', 10)).map((i) => i.effect.type)).toContain('reply');
    await t.stop();
    expect(await t.store.peekOutbox('telegram:42', 10)).toEqual([]);
    expect(slow.sent(42)).toEqual(['您好\uff0c本店欢迎您的光临\uff01请问有什么可以帮您\uff1f']);
    const after = await fetch(`http://127.0.0.1:${t.port}/telegram/webhook`, { method: 'POST' }).catch(() => undefined);
    expect(after?.status ?? 'closed').toBe('closed');
  });
});

describe('Telegram: replicas, polling and pacing', () => {
  it.runIf(Boolean(redisUrl))(
    'keeps one chat in order and each update single across two replicas sharing Redis',
    async () => {
      const prefix = testPrefix('tg');
      const stores: RedisStore[] = [await freshRedisStore({}, prefix), await freshRedisStore({}, prefix)];
      try {
        const api = fakeBotApi();
        const a = await setup({ store: stores[0], api });
        const b = await setup({ store: stores[1], api });
        for (const [i, text] of TWO_MATTERS.entries()) {
          // Telegram retries: both replicas receive every update; they alternate who gets it first.
          const u = updates.text(77, text);
          const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
          await Promise.all([first.post(u), second.post(u)]);
        }
        await Promise.all([a.receiver.idle(), b.receiver.idle()]);
        expect(api.sent(77)).toEqual(twoMattersReplies());
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    },
  );

  it('takes updates by long polling when there is no PUBLIC_URL', async () => {
    const api = fakeBotApi();
    api.deliver(updates.text(88, '你好'));
    const t = await setup({ api, polling: true });
    for (let i = 0; i < 100 && api.sent(88).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await t.receiver.idle();
    }
    expect(api.of('deleteWebhook')).toHaveLength(1);
    expect(api.of('getUpdates')[0]?.body).toMatchObject({
      allowed_updates: ['message', 'edited_message', 'callback_query', 'my_chat_member'],
    });
    expect(api.sent(88)).toEqual(['您好\uff0c本店欢迎您的光临\uff01请问有什么可以帮您\uff1f']);
  });

  it.each(['memory', 'redis'] as const)(
    "keeps two replicas together under Telegram's overall limit of 30 a second (%s buckets)",
    async (kind) => {
      if (kind === 'redis' && !redisUrl) return;
      const clock = new TestClock();
      const prefix = testPrefix('rates');
      const memory = new MemoryStore(clock.now);
      const stores: Store[] =
        kind === 'redis' ? [await freshRedisStore({}, prefix), await freshRedisStore({}, prefix)] : [memory, memory];
      const api = fakeBotApi();
      const waiting: Array<() => void> = [];
      const replicas = stores.map((store) =>
        createTelegram(pollingOptions({ throttle: true, sleep: () => new Promise<void>((r) => waiting.push(r)) }), {
          rates: store.rates,
          log: memoryLogger(),
          clock: clock.now,
        }),
      );
      try {
        // Forty customers, twenty on each replica, each due one reply at the same instant.
        const sends = replicas.flatMap((r, k) =>
          Array.from({ length: 20 }, (_, i) =>
            r.channel.send({
              id: `m${k}-${i}`,
              conversationId: `telegram:${7000 + 100 * k + i}`,
              customerId: '1',
              text: '您好',
            }),
          ),
        );
        while (api.of('sendMessage').length + waiting.length < 40) await new Promise((r) => setImmediate(r));
        expect(api.of('sendMessage')).toHaveLength(30);
        expect(waiting).toHaveLength(10);
        // A second later the budget has refilled and the rest go out.
        clock.advance(1_000);
        for (const wake of waiting.splice(0)) wake();
        await Promise.all(sends);
        expect(api.of('sendMessage')).toHaveLength(40);
      } finally {
        if (kind === 'redis') await Promise.all(stores.map((s) => s.close()));
      }
    },
  );

  it("delivers a turn's replies at once through the production throttler (short bursts allowed)", async () => {
    const t = await setup({ throttle: true });
    await t.post(updates.text(42, '我的订单还没发货'));
    expect(t.api.sent(42)).toEqual([
      '您好\uff0c本店欢迎您的光临\uff01',
      '您的意思是想了解订单什么时候发货\uff0c对吗\uff1f',
    ]);
  });
});

describe('Telegram wiring', () => {
  it('builds one receiver per bot: a second would handle every update twice', () => {
    const telegram = createTelegram(pollingOptions(), { log: memoryLogger(), clock: Date.now });
    const clock = new TestClock();
    const engine = new Engine({
      store: new MemoryStore(clock.now),
      flow: () => flow,
      channels: new Map([['telegram', telegram.channel]]),
      clock: clock.now,
      log: memoryLogger(),
    });
    expect(telegram.receiver(engine).routes).toBeUndefined();
    expect(() => telegram.receiver(engine)).toThrow(SetupError);
  });
});

describe('Telegram message formatting', () => {
  it('splits replies longer than 4,096 characters on line boundaries', () => {
    const line = '这是一行很长的说明文字。'.repeat(30);
    const text = Array.from({ length: 20 }, () => line).join('\n');
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join('\n')).toBe(text);
    expect(splitMessage('短消息')).toEqual(['短消息']);
  });

  it('lays out two choices side by side and longer lists one per row', () => {
    expect(
      keyboardOf([
        { id: 'yes', label: '是的' },
        { id: 'no', label: '不是' },
      ]),
    ).toEqual([
      [
        { text: '是的', callback_data: 'yes' },
        { text: '不是', callback_data: 'no' },
      ],
    ]);
    expect(
      keyboardOf([
        { id: 'a', label: 'A' },
        { id: 'b', label: 'B' },
        { id: 'c', label: 'C' },
      ]),
    ).toHaveLength(3);
  });
});
