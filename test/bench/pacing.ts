/**
 * Outbound pacing: many chats get several replies at once, against a local Bot API that enforces
 * Telegram's limits (about 1 message a second per chat with short bursts, 30 a second overall)
 * and answers 429 with retry_after when they are exceeded. Nothing may be lost.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisStore } from '../../adapters/store/redis.js';
import { createTelegram } from '../../adapters/telegram/index.js';
import { Engine } from '../../bots/engine.js';
import { createLogger } from '../../bots/log.js';
import { defaultFlow } from '../support/flows.js';
import { BOT_INFO, TOKEN } from '../support/telegram.js';

export interface PacingResult {
  chats: number;
  perChat: number;
  burst: number;
  sent: number;
  seconds: number;
  ratePerSecond: number;
  shareOfLimit: number;
  tooManyRequests: number;
  /** Replies a chat should have had and never got. */
  lost: number;
  /** The same reply delivered twice to a chat. */
  duplicated: number;
}

/** A token bucket: `capacity` at once, refilled at `perSecond`. */
class Bucket {
  private tokens: number;
  private last = Date.now();
  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {
    this.tokens = capacity;
  }
  /** Takes a token, or says how many seconds until one is free. */
  take(): number {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / this.perSecond);
  }
}

const BURST = 3;
const GLOBAL_PER_SECOND = 30;
/** Three customer messages that make five replies: greeting+confirmation, answer+"anything else?", "go on". */
const MESSAGES = ['我的订单还没发货', '是的', '还有问题'];
const REPLIES_PER_CHAT = 5;

export async function runPacing(url: string, prefix: string, chats: number): Promise<PacingResult> {
  const perChat = new Map<number, Bucket>();
  const global = new Bucket(GLOBAL_PER_SECOND, GLOBAL_PER_SECOND);
  let delivered = 0;
  let tooMany = 0;
  let firstAt = 0;
  let lastAt = 0;
  const received = new Map<number, string[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').split('/').pop();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { chat_id?: number; text?: string };
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (method !== 'sendMessage') return send(200, { ok: true, result: true });
      const chat = body.chat_id ?? 0;
      let bucket = perChat.get(chat);
      if (!bucket) perChat.set(chat, (bucket = new Bucket(BURST, 1)));
      const wait = Math.max(bucket.take(), global.take());
      if (wait > 0) {
        tooMany++;
        return send(429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${wait}`,
          parameters: { retry_after: wait },
        });
      }
      delivered++;
      received.set(chat, [...(received.get(chat) ?? []), body.text ?? '']);
      if (!firstAt) firstAt = Date.now();
      lastAt = Date.now();
      send(200, {
        ok: true,
        result: { message_id: delivered, date: 0, chat: { id: chat, type: 'private' }, text: body.text },
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const store = await RedisStore.connect({ url, prefix });
  const log = createLogger('error');
  // As in production: per-chat pacing in the process, the overall limit shared through Redis.
  const telegram = createTelegram(
    { token: TOKEN, apiRoot, mode: { kind: 'polling' }, allowGroups: false, throttle: true, botInfo: BOT_INFO },
    { rates: store.rates, log, clock: Date.now },
  );
  const flow = defaultFlow();
  const engine = new Engine({
    store,
    flow: () => flow,
    channels: new Map([['telegram', telegram.channel]]),
    clock: Date.now,
    log,
    options: { deliveryAttempts: 10 },
  });
  const service = telegram.receiver(engine);

  const started = Date.now();
  let updateId = 1;
  // Every chat's messages arrive at once; replies queue up behind the limits.
  for (const text of MESSAGES) {
    await Promise.all(
      Array.from({ length: chats }, (_, i) => {
        const chatId = 2_000_000 + i;
        return service.handle({
          update_id: updateId++,
          message: {
            message_id: updateId,
            date: Math.floor(Date.now() / 1000),
            chat: { id: chatId, type: 'private' },
            from: { id: chatId, is_bot: false, first_name: 'P' },
            text,
          },
        });
      }),
    );
  }
  const expected = chats * REPLIES_PER_CHAT;
  const deadline = Date.now() + 10 * 60_000;
  while (delivered < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    await service.idle();
    await engine.recover(chats);
  }
  await service.stop();
  await store.close();
  await new Promise<void>((r) => server.close(() => r()));
  const seconds = (lastAt - started) / 1000;
  const rate = delivered / Math.max(0.001, (lastAt - firstAt) / 1000);
  return {
    chats,
    perChat: REPLIES_PER_CHAT,
    burst: BURST,
    sent: delivered,
    seconds,
    ratePerSecond: rate,
    shareOfLimit: rate / GLOBAL_PER_SECOND,
    tooManyRequests: tooMany,
    lost: Array.from({ length: chats }, (_, i) =>
      Math.max(0, REPLIES_PER_CHAT - new Set(received.get(2_000_000 + i) ?? []).size),
    ).reduce((a, b) => a + b, 0),
    duplicated: [...received.values()].reduce((n, texts) => n + texts.length - new Set(texts).size, 0),
  };
}
