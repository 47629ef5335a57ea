import { z } from 'zod';
import type { InboundEvent } from '../../bots/ports.js';
import { cleanText } from '../../flows/text.js';
import { captionOf, telegramFileOf } from './files.js';

/**
 * Telegram updates as far as this product reads them, validated at the edge: whatever arrives
 * on the webhook is untrusted until it passes here. Unknown fields are kept and ignored.
 */
const User = z.looseObject({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

const Chat = z.looseObject({
  id: z.number().int(),
  type: z.string(),
});

const Message = z.looseObject({
  message_id: z.number().int(),
  date: z.number().int(),
  chat: Chat,
  from: User.optional(),
  text: z.string().optional(),
});
type Message = z.infer<typeof Message>;

const CallbackQuery = z.looseObject({
  id: z.string(),
  from: User,
  data: z.string().optional(),
  message: z.looseObject({ message_id: z.number().int(), chat: Chat }).optional(),
});

/** The bot's own membership of a chat changed: in a private chat, `kicked` is the customer blocking the bot. */
const ChatMemberUpdated = z.looseObject({
  chat: Chat,
  from: User,
  date: z.number().int(),
  new_chat_member: z.looseObject({ status: z.string() }),
});
type ChatMemberUpdated = z.infer<typeof ChatMemberUpdated>;

export const TelegramUpdate = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: Message.optional(),
  edited_message: Message.optional(),
  callback_query: CallbackQuery.optional(),
  my_chat_member: ChatMemberUpdated.optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

export const TELEGRAM_CHANNEL = 'telegram';

/** What to do with one update. */
export type TelegramInbound =
  | {
      kind: 'event';
      event: InboundEvent;
      /** A button press to acknowledge, and the message whose keyboard to remove. */
      callback?: { id: string; chatId: number; messageId?: number };
      /**
       * The update is one the bot does not serve (a group chat's message while groups are not
       * answered): its event only tells the group so, once per group, and every such update is
       * counted `ignored`, the later ones too (they are not redeliveries, though the notice's key is seen).
       */
      ignored?: true;
    }
  | {
      kind: 'ignore';
      reason: string;
      /** What the update was, for the operator's counts (`unknown` when it says nothing the bot reads). */
      type?: 'choice';
      /**
       * A button press to answer all the same (so the client stops its spinner), and nothing else:
       * no message id, so its keyboard stays.
       */
      callback?: { id: string; chatId: number };
    };

/** Non-text messages, by the field Telegram puts them in, named as the transcript shows them. */
const MEDIA_FIELDS: ReadonlyArray<[string, string]> = [
  ['photo', 'photo'],
  ['sticker', 'sticker'],
  ['voice', 'voice'],
  ['audio', 'audio'],
  ['video', 'video'],
  ['video_note', 'video'],
  ['animation', 'animation'],
  ['document', 'document'],
  ['location', 'location'],
  ['venue', 'location'],
  ['contact', 'contact'],
  ['poll', 'poll'],
  ['dice', 'dice'],
];

export function conversationIdOf(chatId: number): string {
  return `${TELEGRAM_CHANNEL}:${chatId}`;
}

/** The chat id back from a conversation id, for sending. */
export function chatIdOf(conversationId: string): number | undefined {
  const m = /^telegram:(-?\d+)$/.exec(conversationId);
  return m ? Number(m[1]) : undefined;
}

function customerOf(user: z.infer<typeof User>): InboundEvent['customer'] {
  // A name is the customer's own text: no invisible or bidi control characters in it.
  const name = cleanText([user.first_name, user.last_name].filter(Boolean).join(' ') || user.username || '');
  return {
    id: String(user.id),
    ...(name ? { name } : {}),
    ...(user.language_code ? { languageCode: user.language_code } : {}),
  };
}

/** `/start`, `/start payload`, `/help@MyBot` → the command; anything else → undefined. */
function commandOf(text: string, botUsername: string | undefined): 'start' | 'help' | undefined {
  const m = /^\/(start|help)(?:@(\w+))?(?:\s|$)/i.exec(text.trim());
  if (!m) return undefined;
  if (m[2] && botUsername && m[2].toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return m[1]?.toLowerCase() as 'start' | 'help';
}

function mediaOf(message: Message): string | undefined {
  for (const [field, name] of MEDIA_FIELDS) if (message[field] !== undefined) return name;
  return undefined;
}

export interface MapOptions {
  /** Answer in group chats too; by default the bot serves private chats only and says so once. */
  allowGroups: boolean;
  botUsername?: string | undefined;
  now: () => number;
}

/**
 * Turns one update into one inbound event. The update id is the dedup key, so Telegram's
 * redeliveries (and two replicas receiving the same update) have exactly one effect.
 */
export function fromUpdate(update: TelegramUpdate, options: MapOptions): TelegramInbound {
  const id = `tg:${update.update_id}`;
  const message = update.message ?? update.edited_message;
  if (message) {
    if (!message.from || message.from.is_bot) return { kind: 'ignore', reason: 'message not from a person' };
    const base = {
      conversationId: conversationIdOf(message.chat.id),
      channel: TELEGRAM_CHANNEL,
      customer: customerOf(message.from),
      at: message.date * 1000,
      ...(message.from.language_code ? { localeHint: message.from.language_code } : {}),
    };
    if (message.chat.type !== 'private' && !options.allowGroups) {
      // One notice per group (per dedup window), however many people write there.
      return {
        kind: 'event',
        event: { ...base, id: `tg:group-notice:${message.chat.id}`, payload: { type: 'command', command: 'group' } },
        ignored: true,
      };
    }
    if (update.edited_message) {
      if (message.text === undefined) return { kind: 'ignore', reason: 'edited non-text message' };
      return { kind: 'event', event: { ...base, id, payload: { type: 'edit', text: message.text } } };
    }
    if (message.text !== undefined) {
      const command = commandOf(message.text, options.botUsername);
      return {
        kind: 'event',
        event: { ...base, id, payload: command ? { type: 'command', command } : { type: 'text', text: message.text } },
      };
    }
    const media = mediaOf(message);
    // The photo or file itself (a reference) and its caption, which is the customer's message.
    const file = telegramFileOf(message);
    const caption = captionOf(message);
    const payload = {
      type: 'media' as const,
      media: media ?? 'other',
      ...(caption ? { caption } : {}),
      ...(file ? { file } : {}),
    };
    return { kind: 'event', event: { ...base, id, payload } };
  }
  const cb = update.callback_query;
  if (cb) {
    const chat = cb.message?.chat;
    if (!chat || cb.data === undefined) return { kind: 'ignore', reason: 'button press without a message or data' };
    // The rule for messages holds for buttons too: a group's press is answered, never acted on.
    if (chat.type !== 'private' && !options.allowGroups)
      return {
        kind: 'ignore',
        reason: 'button press in a group chat',
        type: 'choice',
        callback: { id: cb.id, chatId: chat.id },
      };
    return {
      kind: 'event',
      event: {
        id,
        conversationId: conversationIdOf(chat.id),
        channel: TELEGRAM_CHANNEL,
        customer: customerOf(cb.from),
        at: options.now(),
        ...(cb.from.language_code ? { localeHint: cb.from.language_code } : {}),
        payload: { type: 'choice', choice: cb.data },
      },
      callback: { id: cb.id, chatId: chat.id, ...(cb.message ? { messageId: cb.message.message_id } : {}) },
    };
  }
  if (update.my_chat_member) return membershipOf(update.my_chat_member, id);
  return { kind: 'ignore', reason: 'update type not handled' };
}

/**
 * The customer blocked the bot (a private chat's `my_chat_member` with status `kicked`): the
 * conversation learns it as the `blocked` command, as when a send is refused with 403, so a
 * handoff in progress ends for the desk at once. Unblocking (`member`) needs nothing: the customer's
 * next message, usually /start, speaks for itself. Groups are not served (see `allowGroups`).
 */
function membershipOf(change: ChatMemberUpdated, id: string): TelegramInbound {
  if (change.chat.type !== 'private') return { kind: 'ignore', reason: 'membership change in a group' };
  if (change.new_chat_member.status !== 'kicked')
    return { kind: 'ignore', reason: `membership is now ${change.new_chat_member.status}` };
  return {
    kind: 'event',
    event: {
      id,
      conversationId: conversationIdOf(change.chat.id),
      channel: TELEGRAM_CHANNEL,
      customer: customerOf(change.from),
      at: change.date * 1000,
      payload: { type: 'command', command: 'blocked' },
    },
  };
}
