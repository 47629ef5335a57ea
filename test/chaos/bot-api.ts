import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BOT_INFO, TOKEN } from '../support/telegram.js';

/** A message the bot sent to a customer, as Telegram received it. */
export interface SentMessage {
  chatId: number;
  text: string;
  /** When the stand-in received it (epoch ms). */
  at: number;
}

/**
 * The Telegram Bot API the replicas send through (TELEGRAM_API_ROOT): answers like Telegram
 * (getMe, setWebhook, sendMessage with a message id, anything else `true`) and records every
 * sendMessage with the time it arrived. Telegram's sendMessage has no idempotency key: each call
 * is a message on the customer's screen, so each one is recorded.
 */
export interface BotApiStandIn {
  url: string;
  sent: SentMessage[];
  /** Calls by method, sendMessage included. */
  calls: Map<string, number>;
  close(): Promise<void>;
}

export async function botApiStandIn(): Promise<BotApiStandIn> {
  const sent: SentMessage[] = [];
  const calls = new Map<string, number>();
  let messageId = 0;
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const [, token, method = ''] = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '') ?? [];
    if (token !== TOKEN) return answer(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    let body: Record<string, unknown>;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: body is not JSON' });
    }
    calls.set(method, (calls.get(method) ?? 0) + 1);
    if (method === 'getMe') return answer(res, 200, { ok: true, result: BOT_INFO });
    if (method !== 'sendMessage') return answer(res, 200, { ok: true, result: true });
    const chatId = Number(body.chat_id);
    const text = String(body.text ?? '');
    sent.push({ chatId, text, at: Date.now() });
    const message = {
      message_id: ++messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private' },
      text,
    };
    return answer(res, 200, { ok: true, result: message });
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
