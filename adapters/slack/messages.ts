import { z } from 'zod';
import type { InboundEvent } from '../../bots/ports.js';
import { cleanText } from '../../flows/text.js';

/**
 * How the desk reads Slack's message events in a card's thread, as pure functions: which
 * subtypes reach the conversation, which are explained to their author, which are Slack's own
 * bookkeeping; the internal-note prefix and the desk commands; and Slack's text markup back to
 * plain words. Validated at the edge: an event of a shape Slack does not document is ignored.
 * Subtypes: docs.slack.dev/reference/events/message (and @slack/types' message events).
 */

type AgentPayload = Extract<InboundEvent['payload'], { type: 'agent' }>;

/** What an agent's thread message asks for, before knowing who wrote it. */
export type ThreadCommand = Omit<AgentPayload, 'type' | 'agent'>;

/**
 * A file on an agent's message, with the fields a transfer to the customer needs (Slack's file
 * object; `url_private_download` is fetched with the bot token). Sizes in bytes.
 */
export const SlackFile = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  mimetype: z.string().optional(),
  size: z.number().optional(),
  url_private_download: z.string().optional(),
});
export type SlackFile = z.infer<typeof SlackFile>;

/** The message inside message_changed (`message`) and message_changed / message_deleted (`previous_message`). */
const Inner = z.looseObject({
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
});

const MessageEvent = z.looseObject({
  type: z.literal('message'),
  subtype: z.string().optional(),
  channel: z.string(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  username: z.string().optional(),
  bot_profile: z.looseObject({ name: z.string().optional() }).optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  files: z.array(SlackFile).optional(),
  /** thread_broadcast: the thread's parent, when the event itself has no thread_ts. */
  root: z.looseObject({ thread_ts: z.string().optional() }).optional(),
  message: Inner.optional(),
  previous_message: Inner.optional(),
});
type MessageEvent = z.infer<typeof MessageEvent>;

/** Why a message in a card's thread did not reach the customer, for its author. */
export type NotSent = 'edited' | 'deleted' | { subtype: string };

/** Where a thread message was written and by whom; `ts` with `channel` identifies the message. */
interface Place {
  channel: string;
  ts: string;
  threadTs: string;
}

/** What one message event in a thread means for the desk. */
export type ThreadMessage =
  /** A person's message that reaches the conversation as an agent event: a reply, a note or a command. */
  | (Place & { kind: 'agent'; user: string; text: string; files: SlackFile[] })
  /** Another app's message: kept on the transcript as an internal note, never sent. */
  | (Place & { kind: 'app'; botId: string; name: string | undefined; text: string })
  /** A person's message that cannot reach the customer: its author is told why. */
  | (Place & { kind: 'explain'; user: string; why: NotSent })
  | { kind: 'ignore'; reason: string };

/** Who "we" are on Slack: our own posts come back as events and are never read as agents'. */
export interface SlackSelf {
  botId?: string | undefined;
  botUserId?: string | undefined;
}

/**
 * The subtype table (README, "Agents in Slack"). `agent`: read like a plain reply (text, note or
 * command; a file_share's text too, and its author is told the file did not go). `app`: kept
 * as an internal note. `explained`: its author is told why it did not reach the customer.
 * `bookkeeping`: Slack's own updates, nobody wrote them. Any subtype not listed is explained.
 */
export const SUBTYPES = {
  agent: ['(none)', 'thread_broadcast', 'me_message', 'file_share'],
  app: ['bot_message'],
  explained: ['message_changed', 'message_deleted'],
  bookkeeping: ['message_replied', 'ekm_access_denied'],
} as const;

const ignore = (reason: string): ThreadMessage => ({ kind: 'ignore', reason });

/** A thread reply's thread, or undefined for a top-level message or a thread's parent. */
function threadOf(ts: string | undefined, threadTs: string | undefined): string | undefined {
  return threadTs && threadTs !== ts ? threadTs : undefined;
}

/** A person's message, or the reason it is not one (ours, another app's, nobody's). */
function personOf(m: { user?: string | undefined; bot_id?: string | undefined }, self: SlackSelf): string | undefined {
  if (m.bot_id || !m.user || m.user === self.botUserId) return undefined;
  return m.user;
}

/** An edit: explained to its author unless nothing they wrote changed or it is an internal note. */
function readEdit(m: MessageEvent, self: SlackSelf, internalPrefix: string): ThreadMessage {
  const now = m.message;
  const threadTs = threadOf(now?.ts, now?.thread_ts);
  const user = now && personOf(now, self);
  if (!now || !threadTs || !user) return ignore('an edit of a card, of a top-level message or of an app');
  // Slack also reports link previews and reply counts as edits: the words are the same.
  if ((now.text ?? '') === (m.previous_message?.text ?? '')) return ignore('an edit that changed no words');
  if (parseThreadMessage(now.text ?? '', internalPrefix).action === 'note') return ignore('an edited internal note');
  return { kind: 'explain', channel: m.channel, ts: m.ts, threadTs, user, why: 'edited' };
}

/** A deletion: explained to the author of the deleted message, unless it was an internal note. */
function readDeletion(m: MessageEvent, self: SlackSelf, internalPrefix: string): ThreadMessage {
  const before = m.previous_message;
  const threadTs = threadOf(before?.ts, before?.thread_ts ?? m.thread_ts);
  const user = before && personOf(before, self);
  if (!before || !threadTs || !user) return ignore('a deletion of a card, of a top-level message or of an app');
  if (parseThreadMessage(before.text ?? '', internalPrefix).action === 'note') return ignore('a deleted internal note');
  return { kind: 'explain', channel: m.channel, ts: m.ts, threadTs, user, why: 'deleted' };
}

/**
 * Reads one `message` event (Bolt's `event`). Only messages in a thread can concern a handoff;
 * whether that thread is a card's is for the caller to find out. `self` keeps our own posts out.
 */
export function readMessage(raw: unknown, self: SlackSelf, internalPrefix: string): ThreadMessage {
  const parsed = MessageEvent.safeParse(raw);
  if (!parsed.success) return ignore('not a message event of a shape Slack documents');
  const m = parsed.data;
  if (m.subtype === 'message_changed') return readEdit(m, self, internalPrefix);
  if (m.subtype === 'message_deleted') return readDeletion(m, self, internalPrefix);
  if (m.subtype === 'message_replied' || m.subtype === 'ekm_access_denied') return ignore(`Slack's ${m.subtype}`);
  const threadTs = threadOf(m.ts, m.thread_ts ?? m.root?.thread_ts);
  if (!threadTs) return ignore('not a reply in a thread');
  const place = { channel: m.channel, ts: m.ts, threadTs };
  if (m.bot_id || m.subtype === 'bot_message') {
    if (!m.bot_id || m.bot_id === self.botId || (m.user && m.user === self.botUserId)) return ignore('our own post');
    return { kind: 'app', ...place, botId: m.bot_id, name: m.username ?? m.bot_profile?.name, text: m.text ?? '' };
  }
  const user = personOf(m, self);
  if (!user) return ignore('a message without an author');
  if ((SUBTYPES.agent as readonly string[]).includes(m.subtype ?? '(none)'))
    return { kind: 'agent', ...place, user, text: plainText(m.text ?? ''), files: m.files ?? [] };
  return { kind: 'explain', ...place, user, why: { subtype: m.subtype ?? '' } };
}

/**
 * Slack's message text as a person reads it: a link as its label and address, a mention as
 * @name, and &amp; &lt; &gt; unescaped (Slack escapes them in every message's text).
 */
export function plainText(text: string): string {
  return text
    .replace(/<([^<>|]+)(?:\|([^<>]*))?>/g, (_, target: string, label: string | undefined) => {
      if (target.startsWith('@') || target.startsWith('#')) return label ? `${target[0]}${label}` : target;
      if (target.startsWith('!')) return label ?? `@${target.slice(1).split('^')[0] ?? ''}`;
      const address = target.replace(/^mailto:/, '');
      return label && label !== address && label !== target ? `${label} (${address})` : address;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Folds what a person does not mean when typing a prefix or a command: width (NFKC: ／ → /,
 * ＃ → #, ！ → !, the ideographic space → a space), case, and the ideographic comma 、 that a
 * Chinese input method types for the / key.
 */
function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[、､]/g, '/');
}

/**
 * How many characters at the start of `text` fold to `folded` (the fewest whose folding starts
 * with it, so a character that folds to more than one still counts), or undefined. With
 * `ignoreSpaces`, white space on either side does not count.
 */
function foldedLength(text: string, folded: string, ignoreSpaces = false): number | undefined {
  const f = (t: string) => (ignoreSpaces ? fold(t).replace(/\s+/g, '') : fold(t));
  const target = ignoreSpaces ? folded.replace(/\s+/g, '') : folded;
  if (!target || !f(text).startsWith(target)) return undefined;
  for (let n = 1; n <= text.length; n++) if (f(text.slice(0, n)).startsWith(target)) return n;
  return text.length;
}

/**
 * Reads an agent's message in a card's thread: an internal note (the prefix), a desk command
 * (`!claim`, `!close`, `!handback`, `!release`, `!transfer CATEGORY`, `!override TEXT`,
 * `!resolve [OUTCOME]`: the outcome the customer receives, none for resolved without a message),
 * or a reply for the customer. Invisible characters (zero-width space, BOM…) and leading white space
 * (the ideographic space too) do not count, and the prefix and commands are matched after
 * `fold`: `／／内部` and `、、内部` are notes like `//内部`, `！CLOSE` is `!close`. Pure, so the
 * desk's small language is tested without Slack.
 */
export function parseThreadMessage(raw: string, internalPrefix: string): ThreadCommand {
  const text = cleanText(raw).trim();
  // Spaces inside the prefix do not make a note public either (`／ ／内部`).
  const note = foldedLength(text, fold(cleanText(internalPrefix).trim()), true);
  if (note !== undefined) return { action: 'note', text: text.slice(note).trim() };
  const command = /^!(claim|close|handback|release|transfer|override|resolve)\b/.exec(fold(text));
  if (!command) return { action: 'reply', text };
  const rest = text.slice(foldedLength(text, command[0]) ?? command[0].length).trim();
  const verb = command[1] as 'claim' | 'close' | 'handback' | 'release' | 'transfer' | 'override' | 'resolve';
  if (verb === 'override') return { action: 'reply', text: rest, override: true };
  if (verb === 'transfer') return { action: 'transfer', category: rest };
  if (verb === 'resolve') return resolveCommand(rest, internalPrefix);
  return { action: verb };
}

/**
 * What follows `!resolve` (the playground's `/agent resolve`): the outcome the customer receives;
 * nothing, resolved without a message; or, when it starts with the internal-note prefix (read as
 * a thread message's is: `//内部：已退款`, `／／…`), resolved without a message with that note kept
 * on the ticket, never sent.
 */
export function resolveCommand(raw: string, internalPrefix: string): ThreadCommand {
  const text = cleanText(raw).trim();
  const note = foldedLength(text, fold(cleanText(internalPrefix).trim()), true);
  if (note !== undefined) {
    const kept = text.slice(note).trim();
    return kept ? { action: 'resolve', note: kept } : { action: 'resolve' };
  }
  return text ? { action: 'resolve', text } : { action: 'resolve' };
}
