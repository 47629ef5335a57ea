import nock from 'nock';
import type { TelegramOptions } from '../../adapters/telegram/index.js';

export const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ';
export const BOT_INFO = {
  id: 123456789,
  is_bot: true as const,
  first_name: 'Service Desk',
  username: 'service_desk_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/**
 * The Telegram adapter's options in tests and the benchmark: this bot (TOKEN, BOT_INFO: no getMe),
 * long polling, private chats only, without pacing; `overrides` change any of it.
 */
export function pollingOptions(overrides: Partial<TelegramOptions> = {}): TelegramOptions {
  return {
    token: TOKEN,
    apiRoot: 'https://api.telegram.org',
    mode: { kind: 'polling' },
    allowGroups: false,
    throttle: false,
    botInfo: BOT_INFO,
    ...overrides,
  };
}

export interface BotApiCall {
  method: string;
  body: Record<string, any>;
}

/**
 * Stands in for the Telegram Bot API over HTTP (nock): records every call with its exact
 * payload, answers like Telegram does, and fails the next calls on request.
 */
export function fakeBotApi(root = 'https://api.telegram.org', options: { delayMs?: number } = {}) {
  const calls: BotApiCall[] = [];
  const failures: Array<[number, Record<string, unknown>] | 'ok'> = [];
  /** Updates to hand out on the next getUpdates (long polling). */
  const pendingUpdates: unknown[] = [];
  let messageId = 1000;
  const scope = nock(root)
    .persist()
    .post(new RegExp(`^/bot${TOKEN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\w+)$`))
    .delay(options.delayMs ?? 0)
    .reply((uri, body, callback) => {
      const method = uri.split('/').pop() ?? '';
      const payload = (typeof body === 'string' ? JSON.parse(body || '{}') : body) as Record<string, any>;
      calls.push({ method, body: payload });
      if (method === 'getUpdates') {
        const batch = pendingUpdates.splice(0);
        // A real long poll waits for updates; an empty answer after a pause keeps the loop calm.
        setTimeout(() => callback(null, [200, { ok: true, result: batch }]), batch.length ? 0 : 50);
        return;
      }
      const failure = method === 'sendMessage' ? failures.shift() : undefined;
      if (failure && failure !== 'ok') return callback(null, failure);
      const result =
        method === 'sendMessage'
          ? {
              message_id: ++messageId,
              date: 1_795_000_000,
              chat: { id: payload.chat_id, type: 'private' },
              text: payload.text,
            }
          : true;
      callback(null, [200, { ok: true, result }]);
    });
  return {
    calls,
    scope,
    /** Queues updates for the next getUpdates call. */
    deliver(...items: unknown[]) {
      pendingUpdates.push(...items);
    },
    /** Makes the next sendMessage calls fail with these Telegram error responses. */
    fail(...responses: Array<[number, Record<string, unknown>] | 'ok'>) {
      failures.push(...responses);
    },
    /** The message id Telegram gave the last message sent. */
    lastMessageId(): number {
      return messageId;
    },
    sent(chatId?: number): string[] {
      return calls
        .filter((c) => c.method === 'sendMessage' && (chatId === undefined || c.body.chat_id === chatId))
        .map((c) => String(c.body.text));
    },
    of(method: string): BotApiCall[] {
      return calls.filter((c) => c.method === method);
    },
  };
}

export function tooManyRequests(retryAfter: number): [number, Record<string, unknown>] {
  return [
    429,
    {
      ok: false,
      error_code: 429,
      description: `Too Many Requests: retry after ${retryAfter}`,
      parameters: { retry_after: retryAfter },
    },
  ];
}
export function blockedByUser(): [number, Record<string, unknown>] {
  return [403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }];
}
export function serverError(): [number, Record<string, unknown>] {
  return [502, { ok: false, error_code: 502, description: 'Bad Gateway' }];
}

let updateId = 500_000;

/** Builds Telegram updates the way Telegram sends them. */
export const updates = {
  text(chatId: number, text: string, extra: { languageCode?: string; chatType?: string; date?: number } = {}) {
    return {
      update_id: ++updateId,
      message: {
        message_id: updateId,
        date: extra.date ?? Math.floor(Date.parse('2026-11-23T07:00:00Z') / 1000),
        chat: { id: chatId, type: extra.chatType ?? 'private', first_name: 'Li' },
        from: {
          id: Math.abs(chatId),
          is_bot: false,
          first_name: 'Li',
          last_name: 'Lei',
          ...(extra.languageCode ? { language_code: extra.languageCode } : {}),
        },
        text,
        ...(text.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] }
          : {}),
      },
    };
  },
  button(chatId: number, data: string, messageId: number) {
    return {
      update_id: ++updateId,
      callback_query: {
        id: `cb${updateId}`,
        from: { id: chatId, is_bot: false, first_name: 'Li' },
        chat_instance: '42',
        data,
        message: { message_id: messageId, date: 1_795_000_000, chat: { id: chatId, type: 'private' } },
      },
    };
  },
  photo(chatId: number) {
    return {
      update_id: ++updateId,
      message: {
        message_id: updateId,
        date: 1_795_000_000,
        chat: { id: chatId, type: 'private' },
        from: { id: chatId, is_bot: false, first_name: 'Li' },
        photo: [{ file_id: 'f', file_unique_id: 'u', width: 90, height: 90 }],
      },
    };
  },
  edited(chatId: number, text: string) {
    return {
      update_id: ++updateId,
      edited_message: {
        message_id: 1,
        date: 1_795_000_000,
        edit_date: 1_795_000_100,
        chat: { id: chatId, type: 'private' },
        from: { id: chatId, is_bot: false, first_name: 'Li' },
        text,
      },
    };
  },
};
