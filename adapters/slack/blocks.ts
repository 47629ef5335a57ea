import type { TranscriptEntry } from '../../bots/ports.js';
import type { AgentRef, HandoffCard } from '../../flows/contracts.js';
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
  const full = said.slice(-LAST_MESSAGES).map((e) => `*${t.from[e.from]}*: ${safe(e.text)}`);
  if (full.length === 0) return { overflow: [] };
  const shown = full.map((line) => clip(line, DESK_BUDGET.line));
  const { text, left } = fit([`*${t.fields.lastMessages}*`, ...shown], SLACK_LIMITS.sectionText);
  const cut = left || shown.some((line, i) => line !== full[i]);
  return { text, overflow: cut ? [`*${t.fields.lastMessages}*\n${full.join('\n')}`] : [] };
}

/**
 * The handoff card: who, why, how urgent, what is known, the last messages, and Claim (or who
 * claimed it). At most 7 blocks, each text within its limit, about 8,000 characters in all. The
 * button's value is the conversation id, at most 200 characters (InboundEvent), under 2,000.
 * `ended`: the handoff is over (`HANDOFF_ENDED`), and the last block says so instead of Claim.
 */
export function cardBlocks(
  conversationId: string,
  card: HandoffCard,
  recent: readonly TranscriptEntry[],
  t: DeskText,
  claimedBy?: AgentRef,
  ended?: string,
): CardView {
  if (ended !== undefined) {
    const open = cardBlocks(conversationId, card, recent, t, claimedBy);
    return {
      blocks: [
        ...open.blocks.slice(0, -1),
        { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(ended) }] },
      ],
      overflow: open.overflow,
    };
  }
  const title = `${card.priority === 'high' ? ':red_circle:' : ':large_blue_circle:'} ${t.handoff(card)}`;
  const fields = [
    [t.fields.customer, card.customer.name ?? card.customer.id],
    [t.fields.channel, card.channel],
    [t.fields.language, card.locale],
    [t.fields.priority, t.priorities[card.priority]],
    [t.fields.category, card.category ? t.category(card.category) : '—'],
    [t.fields.ticket, card.ticketId],
  ].map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${clip(safe(v ?? ''), DESK_BUDGET.field)}` }));
  const summary = summaryOf(card, t);
  const last = lastMessagesOf(recent, t);
  const overflow = [...summary.overflow, ...last.overflow];
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, SLACK_LIMITS.headerText) } },
    { type: 'section', fields },
    section(summary.text),
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
              value: conversationId,
            },
          ],
        },
  ];
  return { blocks, overflow };
}

/** The claimed thread's help line and its buttons (hand back, close, release). */
export function controls(conversationId: string, t: DeskText, internalPrefix: string): unknown[] {
  const button = (id: string, text: string, style?: 'danger') => ({
    type: 'button',
    action_id: id,
    text: { type: 'plain_text', text: clip(text, SLACK_LIMITS.buttonText) },
    value: conversationId,
    ...(style ? { style } : {}),
  });
  return [
    { type: 'section', text: { type: 'mrkdwn', text: t.threadHelp(escapeMrkdwn(internalPrefix)) } },
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
