import type { CardAddress, TranscriptEntry } from '../../bots/ports.js';
import { describeLine } from '../desk/transcript-text.js';
import type { AgentRef, HandoffCard, TicketSummary } from '../../flows/contracts.js';
import { maskPII } from '../desk/pii.js';
import type { DeskText } from '../desk/text.js';
import { clip, DESK_BUDGET, SLACK_LIMITS } from './limits.js';

/**
 * The desk's Block Kit, as pure builders: what a card and its thread controls look like is
 * decided here, apart from when and where the desk posts them. Every text a customer wrote is
 * measured after masking and escaping, so a card is within Slack's limits (limits.ts) whatever
 * the customer wrote; what is shortened on the card goes to the card's thread in full.
 */

/** Action ids of the desk's buttons; the receiver listens for them. All far below Slack's 255. */
export const ACTIONS = {
  claim: 'desk_claim',
  handback: 'desk_handback',
  close: 'desk_close',
  release: 'desk_release',
} as const;

/** Transcript lines a card shows under "last messages". */
export const LAST_MESSAGES = 8;

/** Earlier tickets a card lists (open complaints first, then newest). */
export const HISTORY_SHOWN = 5;

/**
 * A button's value: the card it is on. `{"c":conversation,"t":ticket}` (JSON, at most about 330
 * characters: ids are at most 200 and 100, far under Slack's 2,000); a card posted before issue 13
 * carries the bare conversation id, which `cardOfValue` still reads.
 */
export function buttonValue(to: CardAddress): string {
  return to.ticketId ? JSON.stringify({ c: to.conversationId, t: to.ticketId }) : to.conversationId;
}

/** The card a button's value names (see `buttonValue`); undefined for a value that names none. */
export function cardOfValue(value: string | undefined): CardAddress | undefined {
  if (!value) return undefined;
  if (!value.startsWith('{')) return { conversationId: value };
  try {
    const v = JSON.parse(value) as { c?: unknown; t?: unknown };
    if (typeof v.c !== 'string' || !v.c) return undefined;
    return { conversationId: v.c, ...(typeof v.t === 'string' && v.t ? { ticketId: v.t } : {}) };
  } catch {
    return undefined;
  }
}

/** Slack's mrkdwn: &, < and > must be escaped in anything a customer wrote. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Customer text as it may appear in a shared channel: masked, then escaped. */
export const safe = (text: string) => escapeMrkdwn(maskPII(text));

/** A card as posted: its blocks, and the texts it shortened, in full, for the card's thread (mrkdwn, safe). */
export interface CardView {
  blocks: unknown[];
  overflow: string[];
}

/** Joins lines while they fit in `max` (with the line breaks); reports whether any was left out. */
function fit(lines: readonly string[], max: number): { text: string; left: boolean } {
  let text = '';
  let n = 0;
  for (const line of lines) {
    const next = text ? `${text}\n${line}` : line;
    if (next.length > max) break;
    text = next;
    n++;
  }
  return { text, left: n < lines.length };
}

/** The summary section (need, facts, tickets) and what it shortened. */
function summaryOf(card: HandoffCard, t: DeskText): { text: string; overflow: string[] } {
  const need = safe(card.need || '—');
  const facts = card.facts.map((f) => `• ${safe(f)}`);
  const shownFacts = facts.map((f) => clip(f, DESK_BUDGET.line));
  const tickets = card.tickets.length
    ? [clip(`*${t.fields.tickets}* ${card.tickets.join(', ')}`, DESK_BUDGET.line)]
    : [];
  const label = `*${t.fields.need}*`;
  const { text, left } = fit(
    [`${label}\n${clip(need, DESK_BUDGET.need)}`, ...shownFacts, ...tickets],
    SLACK_LIMITS.sectionText,
  );
  const overflow: string[] = [];
  if (need.length > DESK_BUDGET.need) overflow.push(`${label}\n${need}`);
  if (left || shownFacts.some((f, i) => f !== facts[i])) overflow.push(facts.join('\n'));
  return { text, overflow };
}

/** The "last messages" section (undefined when there are none) and what it shortened. */
function lastMessagesOf(recent: readonly TranscriptEntry[], t: DeskText): { text?: string; overflow: string[] } {
  // What the customer and the bot or agents said; system lines (a refused claim…) are for the record.
  const said = recent.filter((e) => e.from !== 'system');
  const full = said.slice(-LAST_MESSAGES).map((e) => `*${t.from[e.from]}*: ${safe(describeLine(t, e.text))}`);
  if (full.length === 0) return { overflow: [] };
  const shown = full.map((line) => clip(line, DESK_BUDGET.line));
  const { text, left } = fit([`*${t.fields.lastMessages}*`, ...shown], SLACK_LIMITS.sectionText);
  const cut = left || shown.some((line, i) => line !== full[i]);
  return { text, overflow: cut ? [`*${t.fields.lastMessages}*\n${full.join('\n')}`] : [] };
}

/**
 * The customer's earlier tickets as the card lists them (undefined when there are none): open
 * complaints first, then newest, at most HISTORY_SHOWN, in the desk's time zone. Our own words and
 * ids only, escaped all the same (a category's name comes from the definition).
 */
function historyOf(history: readonly TicketSummary[] | undefined, t: DeskText, timeZone: string): string | undefined {
  if (!history?.length) return undefined;
  const lines = orderHistory(history)
    .slice(0, HISTORY_SHOWN)
    .map((s) => {
      const open = s.type === 'complaint' && s.status === 'pending';
      return clip(
        `${open ? ':warning: ' : '• '}${escapeMrkdwn(t.historyLine(s, timeZone))} (${s.id})`,
        DESK_BUDGET.line,
      );
    });
  return fit([`*${t.fields.history}*`, ...lines], SLACK_LIMITS.sectionText).text;
}

/** Open complaints (complaint, pending) first, then newest first: how cards list earlier tickets. */
export function orderHistory<T extends Pick<TicketSummary, 'type' | 'status' | 'createdAt'>>(
  tickets: readonly T[],
): T[] {
  const open = (s: T) => (s.type === 'complaint' && s.status === 'pending' ? 0 : 1);
  return [...tickets].sort((a, b) => open(a) - open(b) || b.createdAt - a.createdAt);
}

/** How a card is drawn besides what it carries. */
export interface CardState {
  /** Who claimed it: shown instead of Claim. */
  claimedBy?: AgentRef | undefined;
  /** The card's matter is over (`HANDOFF_ENDED`): the last block says so instead of Claim. */
  ended?: string | undefined;
  /** The desk's time zone (IANA), for the promised time and the history's dates; UTC unless given. */
  timeZone?: string | undefined;
}

/**
 * The card of a handoff or of a pending matter (`card.kind` ‘follow-up’: titled as such, with the
 * promised reply time): who, why, how urgent, what is known, the customer's earlier tickets, the
 * last messages, and Claim (or who claimed it). At most 8 blocks, each text within its limit,
 * about 9,000 characters in all. The button's value names the card (`buttonValue`), far under
 * Slack's 2,000.
 */
export function cardBlocks(
  conversationId: string,
  card: HandoffCard,
  recent: readonly TranscriptEntry[],
  t: DeskText,
  state: CardState = {},
): CardView {
  const { claimedBy, ended } = state;
  const timeZone = state.timeZone ?? 'UTC';
  if (ended !== undefined) {
    const open = cardBlocks(conversationId, card, recent, t, { claimedBy, timeZone });
    return {
      blocks: [
        ...open.blocks.slice(0, -1),
        { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(ended) }] },
      ],
      overflow: open.overflow,
    };
  }
  const followUp = card.kind === 'follow-up';
  const circle = card.priority === 'high' ? ':red_circle:' : ':large_blue_circle:';
  const title = followUp ? `${circle} :hourglass_flowing_sand: ${t.followUp(card)}` : `${circle} ${t.handoff(card)}`;
  const fields = [
    [t.fields.customer, card.customer.name ?? card.customer.id],
    [t.fields.channel, card.channel],
    [t.fields.language, card.locale],
    [t.fields.priority, t.priorities[card.priority]],
    [t.fields.category, card.category ? t.category(card.category) : '—'],
    [t.fields.ticket, card.ticketId],
    ...(card.promisedBy !== undefined ? [[t.fields.promisedBy, t.time(card.promisedBy, timeZone)]] : []),
  ].map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${clip(safe(v ?? ''), DESK_BUDGET.field)}` }));
  const summary = summaryOf(card, t);
  const history = historyOf(card.history, t, timeZone);
  const last = lastMessagesOf(recent, t);
  const overflow = [...summary.overflow, ...last.overflow];
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, SLACK_LIMITS.headerText) } },
    { type: 'section', fields },
    section(summary.text),
    ...(history ? [section(history)] : []),
    ...(last.text ? [section(last.text)] : []),
    ...(overflow.length ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: t.shortened }] }] : []),
    claimedBy
      ? { type: 'context', elements: [{ type: 'mrkdwn', text: t.claimedBy(`<@${claimedBy.id}>`) }] }
      : {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: ACTIONS.claim,
              style: 'primary',
              text: { type: 'plain_text', text: clip(t.claim, SLACK_LIMITS.buttonText) },
              value: buttonValue({ conversationId, ticketId: card.ticketId || undefined }),
            },
          ],
        },
  ];
  return { blocks, overflow };
}

/**
 * The claimed thread's help and its buttons, for what applies to the card: a handoff can be
 * handed back, closed or released (and resolved with `!resolve`); a pending matter's follow-up
 * card is answered and resolved in the thread, or released (no live conversation to hand back or
 * close). Each button's value names the card (`buttonValue`).
 */
export function controls(to: CardAddress, t: DeskText, internalPrefix: string, kind: HandoffCard['kind']): unknown[] {
  const button = (id: string, text: string, style?: 'danger') => ({
    type: 'button',
    action_id: id,
    text: { type: 'plain_text', text: clip(text, SLACK_LIMITS.buttonText) },
    value: buttonValue(to),
    ...(style ? { style } : {}),
  });
  const prefix = escapeMrkdwn(internalPrefix);
  if (kind === 'follow-up')
    return [
      { type: 'section', text: { type: 'mrkdwn', text: t.followUpHelp(prefix) } },
      { type: 'actions', elements: [button(ACTIONS.release, t.buttons.release, 'danger')] },
    ];
  return [
    { type: 'section', text: { type: 'mrkdwn', text: t.threadHelp(prefix) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: t.resolveHelp }] },
    {
      type: 'actions',
      elements: [
        button(ACTIONS.handback, t.buttons.handback),
        button(ACTIONS.close, t.buttons.close),
        button(ACTIONS.release, t.buttons.release, 'danger'),
      ],
    },
  ];
}
