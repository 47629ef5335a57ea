import type { webApi } from '@slack/bolt';
import { DeliveryError } from '../../bots/errors.js';
import type { Logger } from '../../bots/log.js';
import type { DeskPort, LinkStore, TranscriptEntry } from '../../bots/ports.js';
import { describeNotice, type AgentNotice, type AgentRef, type DeskUpdate, type HandoffCard } from '../../flows/handoff.js';
import { maskPII } from '../../flows/pii.js';

/** Action ids of the desk's buttons; the service listens for them. */
export const ACTIONS = { claim: 'desk_claim', handback: 'desk_handback', close: 'desk_close', release: 'desk_release' } as const;

export interface SlackDeskOptions {
  client: webApi.WebClient;
  links: LinkStore;
  log: Logger;
  /** Default agent channel (id). */
  agentChannel: string;
  /** Channel per complaint category, from the flow definition. */
  categoryChannels: () => Record<string, string>;
  /** A user group to alert when a handoff stays unclaimed (`S0123`); @channel otherwise. */
  supervisorGroup?: string | undefined;
}

interface CardRef {
  channel: string;
  ts: string;
  card: HandoffCard;
}

/** Slack's mrkdwn: &, < and > must be escaped in anything a customer wrote. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const safe = (text: string) => escapeMrkdwn(maskPII(text));

/** The handoff card: who, why, how urgent, what is known, the last messages, and Claim. */
export function cardBlocks(conversationId: string, card: HandoffCard, transcript: TranscriptEntry[], claimedBy?: AgentRef): unknown[] {
  const title = `${card.priority === 'high' ? ':red_circle:' : ':large_blue_circle:'} ${card.afterHours ? 'After-hours handoff' : 'Handoff'}: ${card.reason}`;
  const fields = [
    ['Customer', card.customer.name ?? card.customer.id],
    ['Channel', card.channel],
    ['Language', card.locale],
    ['Priority', card.priority],
    ['Category', card.category ?? '—'],
    ['Ticket', card.ticketId],
  ].map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${safe(v ?? '')}` }));
  const summary = [`*Need*\n${safe(card.need || '—')}`, ...card.facts.map((f) => `• ${safe(f)}`), card.tickets.length ? `*Tickets* ${card.tickets.join(', ')}` : '']
    .filter(Boolean)
    .join('\n');
  const lines = transcript.slice(-8).map((e) => `*${e.from}*: ${safe(e.text).slice(0, 300)}`);
  return [
    { type: 'header', text: { type: 'plain_text', text: title } },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: summary } },
    ...(lines.length ? [{ type: 'section', text: { type: 'mrkdwn', text: `*Last messages*\n${lines.join('\n')}` } }] : []),
    claimedBy
      ? { type: 'context', elements: [{ type: 'mrkdwn', text: `Claimed by <@${claimedBy.id}>` }] }
      : {
          type: 'actions',
          elements: [{ type: 'button', action_id: ACTIONS.claim, style: 'primary', text: { type: 'plain_text', text: 'Claim' }, value: conversationId }],
        },
  ];
}

function controls(conversationId: string): unknown[] {
  const button = (id: string, text: string, style?: 'danger') => ({ type: 'button', action_id: id, text: { type: 'plain_text', text }, value: conversationId, ...(style ? { style } : {}) });
  return [
    { type: 'section', text: { type: 'mrkdwn', text: 'Reply in this thread to talk to the customer. `//` at the start keeps a message internal; `!override …` sends a reply the phrase guard blocked.' } },
    { type: 'actions', elements: [button(ACTIONS.handback, 'Hand back to bot'), button(ACTIONS.close, 'Close'), button(ACTIONS.release, 'Release', 'danger')] },
  ];
}

/** Maps Slack Web API failures onto the engine's retry rules. */
function deliveryErrorOf(err: unknown, conversationId: string): DeliveryError {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string }; message?: string };
  if (e.code === 'slack_webapi_rate_limited_error') return new DeliveryError('Slack rate limit', false, conversationId, e.retryAfter ?? 1);
  if (e.code === 'slack_webapi_platform_error') {
    const reason = e.data?.error ?? 'unknown';
    const transient = ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited'].includes(reason);
    return new DeliveryError(`Slack refused: ${reason}`, !transient, conversationId);
  }
  return new DeliveryError(`Slack API unreachable: ${e.message ?? String(err)}`, false, conversationId);
}

/**
 * The agent desk on Slack. Each handoff is a card in the agent channel; everything later about
 * the conversation goes in the card's thread. The card's place and the thread ↔ conversation
 * mapping live in the store, so any replica can continue after a restart.
 */
export class SlackDesk implements DeskPort {
  constructor(private readonly o: SlackDeskOptions) {}

  private async ref(conversationId: string): Promise<CardRef | undefined> {
    const raw = await this.o.links.get(`card:${conversationId}`);
    return raw ? (JSON.parse(raw) as CardRef) : undefined;
  }

  /** The conversation a thread belongs to. */
  async conversationOf(channel: string, threadTs: string): Promise<string | undefined> {
    return this.o.links.get(`thread:${channel}:${threadTs}`);
  }

  private async call<T>(conversationId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw deliveryErrorOf(err, conversationId);
    }
  }

  async open(conversationId: string, card: HandoffCard, transcript: TranscriptEntry[]): Promise<void> {
    const channel = (card.category && this.o.categoryChannels()[card.category]) || this.o.agentChannel;
    const result = await this.call(conversationId, () =>
      this.o.client.chat.postMessage({ channel, text: `Handoff (${card.priority}): ${safe(card.need || card.reason)}`, blocks: cardBlocks(conversationId, card, transcript) as never }),
    );
    const ts = String(result.ts ?? '');
    const at = String(result.channel ?? channel);
    await this.o.links.set(`card:${conversationId}`, JSON.stringify({ channel: at, ts, card } satisfies CardRef));
    await this.o.links.set(`thread:${at}:${ts}`, conversationId);
  }

  async post(conversationId: string, text: string, from: 'customer' | 'system'): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return this.o.log.warn('desk post without a card', { conversationId });
    await this.call(conversationId, () => this.o.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text: `${from === 'customer' ? ':bust_in_silhouette: ' : ''}${safe(text)}` }));
  }

  async update(conversationId: string, status: DeskUpdate, agent?: AgentRef, category?: string): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return this.o.log.warn('desk update without a card', { conversationId, status });
    const who = agent ? `<@${agent.id}>` : 'someone';
    if (status === 'transferred' && category) {
      // A new card in the category's channel (open() picks it); the old thread says where it went.
      await this.call(conversationId, () => this.o.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text: `Transferred to ${category} by ${who}.` }));
      await this.open(conversationId, { ...ref.card, category }, []);
      return;
    }
    const claimedBy = status === 'claimed' ? agent : undefined;
    await this.call(conversationId, () =>
      this.o.client.chat.update({ channel: ref.channel, ts: ref.ts, text: `Handoff: ${status}`, blocks: cardBlocks(conversationId, ref.card, [], claimedBy) as never }),
    );
    const note: Record<DeskUpdate, string> = {
      claimed: `${who} has the conversation.`,
      released: `${who} released the conversation: it is waiting for an agent again.`,
      transferred: `Transferred by ${who}.`,
      'handed-back': `${who} handed the conversation back to the bot.`,
      closed: `${who} closed the conversation.`,
      'closed-by-customer': 'The customer ended the conversation.',
    };
    await this.call(conversationId, () =>
      this.o.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text: note[status], ...(status === 'claimed' ? { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: note[status] } }, ...controls(conversationId)] as never } : {}) }),
    );
  }

  async notify(conversationId: string, agentId: string, notice: AgentNotice): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return;
    await this.call(conversationId, () => this.o.client.chat.postEphemeral({ channel: ref.channel, user: agentId, thread_ts: ref.ts, text: escapeMrkdwn(describeNotice(notice)) }));
  }

  async ping(conversationId: string, level: 'sla' | 'supervisor'): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return;
    const text =
      level === 'sla'
        ? '<!here> This customer is still waiting for an agent. Please claim the conversation.'
        : `${this.o.supervisorGroup ? `<!subteam^${this.o.supervisorGroup}>` : '<!channel>'} Unclaimed for too long: please assign someone now.`;
    await this.call(conversationId, () => this.o.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text }));
  }
}
