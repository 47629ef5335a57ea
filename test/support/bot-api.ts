import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BOT_INFO, TOKEN } from './telegram.js';

/**
 * A local stand-in for the Telegram Bot API over HTTP (point grammY's `apiRoot` at `url`). It
 * keeps updates the way Telegram does for `getUpdates`: an update is handed out again and again
 * until a later call's `offset` is above its `update_id` (Bot API: "An update is considered
 * confirmed as soon as getUpdates is called with an offset higher than its update_id"). A call
 * with a `timeout` and nothing to hand out is held open until `push` brings something or the
 * stand-in closes (a long poll); without one it is answered at once. Every call is recorded; `next` waits for one without sleeping.
 */
export interface BotApiCall {
  method: string;
  body: Record<string, any>;
}

type Failure = [number, Record<string, unknown>];

export interface BotApiStandIn {
  /** The API root to give grammY (`apiRoot` / TELEGRAM_API_ROOT). */
  url: string;
  calls: BotApiCall[];
  /** Adds updates Telegram holds for the bot; a waiting long poll gets them at once. */
  push(...updates: Array<{ update_id: number }>): void;
  /** Updates not confirmed yet (ids), as Telegram would hand them out now. */
  unconfirmed(): number[];
  /** Makes the next sendMessage calls fail with these Bot API error answers. */
  fail(...responses: Failure[]): void;
  /** Texts sent to a chat (or all), in order. */
  sent(chatId?: number): string[];
  of(method: string): BotApiCall[];
  /** Resolves with the next call of `method` (matching `where`) made from now on. */
  next(method: string, where?: (call: BotApiCall) => boolean): Promise<BotApiCall>;
  close(): Promise<void>;
}

export async function botApiStandIn(): Promise<BotApiStandIn> {
  const calls: BotApiCall[] = [];
  let held: Array<{ id: number; update: unknown }> = [];
  const failures: Failure[] = [];
  const polls: Array<{ res: ServerResponse; offset: number }> = [];
  const waiters: Array<{ method: string; where: (c: BotApiCall) => boolean; resolve: (c: BotApiCall) => void }> = [];
  let messageId = 0;

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const pending = (offset: number) => held.filter((u) => u.id >= offset).map((u) => u.update);
  const wakePolls = () => {
    for (const poll of polls.splice(0)) {
      const batch = pending(poll.offset);
      if (batch.length) answer(poll.res, 200, { ok: true, result: batch });
      else polls.push(poll);
    }
  };
  const record = (call: BotApiCall) => {
    calls.push(call);
    for (const w of [...waiters])
      if (w.method === call.method && w.where(call)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(call);
      }
  };

  const handle = (req: IncomingMessage, res: ServerResponse, text: string) => {
    const [, bot, method = ''] = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '') ?? [];
    if (bot !== TOKEN) return answer(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const body = (text ? JSON.parse(text) : {}) as Record<string, any>;
    record({ method, body });
    switch (method) {
      case 'getMe':
        return answer(res, 200, { ok: true, result: BOT_INFO });
      case 'getUpdates': {
        const offset = typeof body.offset === 'number' ? body.offset : 0;
        // Telegram forgets what the offset confirms.
        if (offset > 0) held = held.filter((u) => u.id >= offset);
        const batch = pending(offset);
        // Without a timeout it is a short poll: Telegram answers at once.
        if (batch.length || !(body.timeout > 0)) return answer(res, 200, { ok: true, result: batch });
        polls.push({ res, offset });
        return;
      }
      case 'sendMessage': {
        const failure = failures.shift();
        if (failure) return answer(res, failure[0], failure[1]);
        const result = {
          message_id: ++messageId,
          date: 0,
          chat: { id: body.chat_id, type: 'private' },
          text: body.text,
        };
        return answer(res, 200, { ok: true, result });
      }
      default:
        return answer(res, 200, { ok: true, result: true });
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    push(...updates) {
      for (const u of updates) held.push({ id: u.update_id, update: u });
      wakePolls();
    },
    unconfirmed: () => held.map((u) => u.id),
    fail: (...responses) => void failures.push(...responses),
    sent: (chatId) =>
      calls
        .filter((c) => c.method === 'sendMessage' && (chatId === undefined || c.body.chat_id === chatId))
        .map((c) => String(c.body.text)),
    of: (method) => calls.filter((c) => c.method === method),
    next: (method, where = () => true) => new Promise((resolve) => waiters.push({ method, where, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const poll of polls.splice(0)) answer(poll.res, 200, { ok: true, result: [] });
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let memberUpdateId = 900_000;

/** What Telegram sends when the customer of private chat `chatId` blocks the bot (`my_chat_member`, now `kicked`). */
export function blockedUpdate(chatId: number) {
  const user = { id: chatId, is_bot: false, first_name: 'Li' };
  return {
    update_id: ++memberUpdateId,
    my_chat_member: {
      chat: { id: chatId, type: 'private', first_name: 'Li' },
      from: user,
      date: 1_795_000_000,
      old_chat_member: { user: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name }, status: 'member' },
      new_chat_member: {
        user: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name },
        status: 'kicked',
        until_date: 0,
      },
    },
  };
}
