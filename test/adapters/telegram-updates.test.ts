import { describe, expect, it } from 'vitest';
import { chatIdOf, fromUpdate, TelegramUpdate } from '../../adapters/telegram/updates.js';

const options = { allowGroups: false, botUsername: 'service_desk_bot', now: () => 1_795_000_000_000 };
const from = { id: 42, is_bot: false, first_name: 'Li', language_code: 'zh-hans' };
const chat = { id: 42, type: 'private' };

function map(update: Record<string, unknown>) {
  return fromUpdate(TelegramUpdate.parse({ update_id: 1, ...update }), options);
}
function payloadOf(update: Record<string, unknown>) {
  const r = map(update);
  return r.kind === 'event' ? r.event.payload : r;
}

describe('Telegram updates → inbound events', () => {
  it('makes one event per update, keyed by update id, with the customer and their language', () => {
    const r = map({ message: { message_id: 5, date: 1_795_000_000, chat, from, text: '你好' } });
    expect(r).toEqual({
      kind: 'event',
      event: {
        id: 'tg:1',
        conversationId: 'telegram:42',
        channel: 'telegram',
        customer: { id: '42', name: 'Li', languageCode: 'zh-hans' },
        at: 1_795_000_000_000,
        localeHint: 'zh-hans',
        payload: { type: 'text', text: '你好' },
      },
    });
    expect(chatIdOf('telegram:42')).toBe(42);
    expect(chatIdOf('telegram:-100123')).toBe(-100123);
    expect(chatIdOf('playground:local')).toBeUndefined();
  });

  it('reads /start with a deep-link payload and commands addressed to this bot', () => {
    expect(payloadOf({ message: { message_id: 1, date: 1, chat, from, text: '/start promo-2026' } })).toEqual({
      type: 'command',
      command: 'start',
    });
    expect(payloadOf({ message: { message_id: 1, date: 1, chat, from, text: '/help@service_desk_bot' } })).toEqual({
      type: 'command',
      command: 'help',
    });
    expect(payloadOf({ message: { message_id: 1, date: 1, chat, from, text: '/help@other_bot' } })).toEqual({
      type: 'text',
      text: '/help@other_bot',
    });
    expect(payloadOf({ message: { message_id: 1, date: 1, chat, from, text: '/starting a sentence' } })).toEqual({
      type: 'text',
      text: '/starting a sentence',
    });
  });

  it('names non-text messages for the transcript', () => {
    const media = (field: string) => payloadOf({ message: { message_id: 1, date: 1, chat, from, [field]: {} } });
    expect(media('sticker')).toEqual({ type: 'media', media: 'sticker' });
    expect(media('venue')).toEqual({ type: 'media', media: 'location' });
    expect(media('video_note')).toEqual({ type: 'media', media: 'video' });
    // The caption is kept: it is what the customer says about the photo (issue 12).
    expect(payloadOf({ message: { message_id: 1, date: 1, chat, from, photo: [], caption: '这个坏了' } })).toEqual({
      type: 'media',
      media: 'photo',
      caption: '这个坏了',
    });
    expect(payloadOf({ message: { message_id: 1, date: 1, chat, from, new_chat_members: [] } })).toEqual({
      type: 'media',
      media: 'other',
    });
  });

  it('references the file a message carries: the largest photo bots may fetch, or the document, voice note or video', () => {
    const message = (extra: Record<string, unknown>) =>
      payloadOf({ message: { message_id: 1, date: 1, chat, from, ...extra } });
    const MB = 1024 * 1024;
    expect(
      message({
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 90, file_size: 1_000 },
          { file_id: 'large', file_unique_id: 'l', width: 1280, height: 1280, file_size: 900_000 },
          { file_id: 'huge', file_unique_id: 'h', width: 9000, height: 9000, file_size: 21 * MB },
        ],
        caption: '快递盒压坏了',
      }),
    ).toEqual({
      type: 'media',
      media: 'photo',
      caption: '快递盒压坏了',
      file: { source: 'telegram', id: 'large', kind: 'photo', mime: 'image/jpeg', size: 900_000 },
    });
    expect(
      message({
        document: {
          file_id: 'doc',
          file_unique_id: 'd',
          file_name: '发票.pdf',
          mime_type: 'application/pdf',
          file_size: 5,
        },
      }),
    ).toMatchObject({
      media: 'document',
      file: { id: 'doc', kind: 'document', name: '发票.pdf', mime: 'application/pdf', size: 5 },
    });
    expect(message({ video_note: { file_id: 'vn', file_unique_id: 'v', length: 240, duration: 3 } })).toMatchObject({
      media: 'video',
      file: { id: 'vn', kind: 'video', mime: 'video/mp4' },
    });
    expect(message({ voice: { file_id: 'vo', file_unique_id: 'o', duration: 2 } })).toMatchObject({
      file: { id: 'vo', kind: 'voice' },
    });
    // A sticker, a location or a caption that is only spaces carries nothing more.
    expect(message({ sticker: { file_id: 'st' }, caption: '  ' })).toEqual({ type: 'media', media: 'sticker' });
  });

  it('turns a button press into a choice and says which keyboard to remove', () => {
    const r = map({ callback_query: { id: 'cb1', from, data: 'yes', message: { message_id: 9, date: 1, chat } } });
    expect(r).toMatchObject({
      kind: 'event',
      event: { payload: { type: 'choice', choice: 'yes' }, at: 1_795_000_000_000 },
      callback: { id: 'cb1', chatId: 42, messageId: 9 },
    });
  });

  it('answers a button pressed in a group without acting on it, unless groups are allowed', () => {
    const group = { id: -10077, type: 'group' };
    const press = {
      callback_query: { id: 'cb2', from, data: 'yes', message: { message_id: 9, date: 1, chat: group } },
    };
    expect(map(press)).toEqual({
      kind: 'ignore',
      reason: 'button press in a group chat',
      type: 'choice',
      callback: { id: 'cb2', chatId: -10077 },
    });
    const allowed = fromUpdate(TelegramUpdate.parse({ update_id: 2, ...press }), { ...options, allowGroups: true });
    expect(allowed).toMatchObject({ kind: 'event', event: { conversationId: 'telegram:-10077' } });
  });

  it('ignores what is not a person talking to the bot', () => {
    expect(
      map({ message: { message_id: 1, date: 1, chat, from: { ...from, is_bot: true }, text: 'hi' } }),
    ).toMatchObject({
      kind: 'ignore',
    });
    expect(map({ callback_query: { id: 'cb', from, data: 'yes' } })).toMatchObject({ kind: 'ignore' });
    expect(
      map({ channel_post: { message_id: 1, date: 1, chat: { id: -1, type: 'channel' }, text: 'news' } }),
    ).toMatchObject({
      kind: 'ignore',
    });
    expect(map({ edited_message: { message_id: 1, date: 1, chat, from, photo: [] } })).toMatchObject({
      kind: 'ignore',
    });
  });

  it('answers a group once (one dedup key per group) unless groups are allowed', () => {
    const group = { id: -100777, type: 'supergroup' };
    const r = map({ message: { message_id: 1, date: 1, chat: group, from, text: '在吗' } });
    expect(r).toMatchObject({
      kind: 'event',
      event: { id: 'tg:group-notice:-100777', payload: { type: 'command', command: 'group' } },
    });
    const allowed = fromUpdate(
      TelegramUpdate.parse({ update_id: 2, message: { message_id: 1, date: 1, chat: group, from, text: '在吗' } }),
      { ...options, allowGroups: true },
    );
    expect(allowed).toMatchObject({
      kind: 'event',
      event: { id: 'tg:2', conversationId: 'telegram:-100777', payload: { type: 'text', text: '在吗' } },
    });
  });

  it('rejects updates that are not updates', () => {
    expect(TelegramUpdate.safeParse({ update_id: -1 }).success).toBe(false);
    expect(TelegramUpdate.safeParse({ update_id: 1, message: { text: 'x' } }).success).toBe(false);
    expect(TelegramUpdate.safeParse('hello').success).toBe(false);
  });
});
