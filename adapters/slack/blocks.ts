import type { TranscriptEntry } from '../../bots/ports.js';
import type { AgentRef, HandoffCard } from '../../flows/contracts.js';
import { maskPII } from '../desk/pii.js';
import type { DeskText } from '../desk/text.js';

/**
 * The desk's Block Kit, as pure builders: what a card and its thread controls look like is
 * decided here, apart from when and where the desk posts them.
 */

/** Action ids of the desk's buttons; the receiver listens for them. */
export const ACTIONS = {
  claim: 'desk_claim',
  handback: 'desk_handback',
  close: 'desk_close',
  release: 'desk_release',
} as const;

/** Slack's mrkdwn: &, < and > must be escaped in anything a customer wrote. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Customer text as it may appear in a shared channel: masked, then escaped. */
export const safe = (text: string) => escapeMrkdwn(maskPII(text));

/**
 * The handoff card: who, why, how urgent, what is known, the last messages, and Claim (or who
 * claimed it). `ended`: the handoff is over (`HANDOFF_ENDED`), and the last block says so instead.
 */
export function cardBlocks(
  conversationId: string,
  card: HandoffCard,
  transcript: TranscriptEntry[],
  t: DeskText,
  claimedBy?: AgentRef,
  ended?: string,
): unknown[] {
  if (ended !== undefined)
    return [
      ...cardBlocks(conversationId, card, transcript, t, claimedBy).slice(0, -1),
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(ended) }] },
    ];
  const title = `${card.priority === 'high' ? ':red_circle:' : ':large_blue_circle:'} ${t.handoff(card)}`;
  const fields = [
    [t.fields.customer, card.customer.name ?? card.customer.id],
    [t.fields.channel, card.channel],
    [t.fields.language, card.locale],
    [t.fields.priority, t.priorities[card.priority]],
    [t.fields.category, card.category ? t.category(card.category) : '—'],
    [t.fields.ticket, card.ticketId],
  ].map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${safe(v ?? '')}` }));
  const summary = [
    `*${t.fields.need}*\n${safe(card.need || '—')}`,
    ...card.facts.map((f) => `• ${safe(f)}`),
    card.tickets.length ? `*${t.fields.tickets}* ${card.tickets.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  const lines = transcript.slice(-8).map((e) => `*${t.from[e.from]}*: ${safe(e.text).slice(0, 300)}`);
  return [
    { type: 'header', text: { type: 'plain_text', text: title } },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: summary } },
    ...(lines.length
      ? [{ type: 'section', text: { type: 'mrkdwn', text: `*${t.fields.lastMessages}*\n${lines.join('\n')}` } }]
      : []),
    claimedBy
      ? { type: 'context', elements: [{ type: 'mrkdwn', text: t.claimedBy(`<@${claimedBy.id}>`) }] }
      : {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: ACTIONS.claim,
              style: 'primary',
              text: { type: 'plain_text', text: t.claim },
              value: conversationId,
            },
          ],
        },
  ];
}

/** The claimed thread's help line and its buttons (hand back, close, release). */
export function controls(conversationId: string, t: DeskText, internalPrefix: string): unknown[] {
  const button = (id: string, text: string, style?: 'danger') => ({
    type: 'button',
    action_id: id,
    text: { type: 'plain_text', text },
    value: conversationId,
    ...(style ? { style } : {}),
  });
  return [
    { type: 'section', text: { type: 'mrkdwn', text: t.threadHelp(internalPrefix) } },
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
