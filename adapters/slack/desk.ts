import type { webApi } from '@slack/bolt';
import { DeliveryError } from '../../bots/errors.js';
import type { Logger } from '../../bots/log.js';
import type { DeskPort, LinkStore, TranscriptEntry } from '../../bots/ports.js';
import {
  HANDOFF_ENDED,
  type AgentNotice,
  type AgentRef,
  type DeskAlert,
  type DeskUpdate,
  type HandoffCard,
} from '../../flows/contracts.js';
import type { DeskText } from '../desk/text.js';
import { cardBlocks, controls, escapeMrkdwn, safe } from './blocks.js';

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
  /** The agents' language. */
  text: DeskText;
  /** What starts an internal thread message (shown in the thread's help). */
  internalPrefix: string;
}

interface CardRef {
  channel: string;
  ts: string;
  card: HandoffCard;
}

/** Maps Slack Web API failures onto the engine's retry rules. */
function deliveryErrorOf(err: unknown, conversationId: string): DeliveryError {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string }; message?: string };
  if (e.code === 'slack_webapi_rate_limited_error')
    return new DeliveryError('Slack rate limit', { retry: 'later', conversationId, retryAfterSec: e.retryAfter ?? 1 });
  if (e.code === 'slack_webapi_platform_error') {
    const reason = e.data?.error ?? 'unknown';
    const transient = [
      'internal_error',
      'fatal_error',
      'service_unavailable',
      'request_timeout',
      'ratelimited',
    ].includes(reason);
    return new DeliveryError(`Slack refused: ${reason}`, { retry: transient ? 'later' : 'never', conversationId });
  }
  return new DeliveryError(`Slack API unreachable: ${e.message ?? String(err)}`, { retry: 'later', conversationId });
}

/**
 * The agent desk on Slack. Each handoff is a card in the agent channel; everything later about
 * the conversation goes in the card's thread. The card's place and the thread ↔ conversation
 * mapping live in the store, so any replica can continue after a restart.
 */
export class SlackDesk implements DeskPort {
  constructor(private readonly options: SlackDeskOptions) {}

  private async ref(conversationId: string): Promise<CardRef | undefined> {
    const raw = await this.options.links.get(`card:${conversationId}`);
    return raw ? (JSON.parse(raw) as CardRef) : undefined;
  }

  /** The conversation a thread belongs to. */
  async conversationOf(channel: string, threadTs: string): Promise<string | undefined> {
    return this.options.links.get(`thread:${channel}:${threadTs}`);
  }

  private async call<T>(conversationId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw deliveryErrorOf(err, conversationId);
    }
  }

  async open(conversationId: string, card: HandoffCard, transcript: TranscriptEntry[]): Promise<void> {
    const channel = (card.category && this.options.categoryChannels()[card.category]) || this.options.agentChannel;
    const result = await this.call(conversationId, () =>
      this.options.client.chat.postMessage({
        channel,
        text: `${this.options.text.handoff(card)} (${this.options.text.priorities[card.priority]}): ${safe(card.need)}`,
        blocks: cardBlocks(conversationId, card, transcript, this.options.text) as never,
      }),
    );
    const ts = String(result.ts ?? '');
    const at = String(result.channel ?? channel);
    await this.options.links.set(`card:${conversationId}`, JSON.stringify({ channel: at, ts, card } satisfies CardRef));
    await this.options.links.set(`thread:${at}:${ts}`, conversationId);
  }

  async post(conversationId: string, text: string, from: 'customer' | 'system'): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return this.options.log.warn('desk post without a card', { conversationId });
    await this.call(conversationId, () =>
      this.options.client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        text: `${from === 'customer' ? ':bust_in_silhouette: ' : ''}${safe(text)}`,
      }),
    );
  }

  async update(conversationId: string, status: DeskUpdate, agent?: AgentRef, category?: string): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return this.options.log.warn('desk update without a card', { conversationId, status });
    const t = this.options.text;
    const who = agent ? `<@${agent.id}>` : t.someone;
    if (status === 'transferred' && category) {
      // A new card in the category's channel (open() picks it); the old thread says where it went.
      await this.call(conversationId, () =>
        this.options.client.chat.postMessage({
          channel: ref.channel,
          thread_ts: ref.ts,
          text: t.transferredTo(t.category(category), who),
        }),
      );
      await this.open(conversationId, { ...ref.card, category }, []);
      return;
    }
    const claimedBy = status === 'claimed' ? agent : undefined;
    // A card whose handoff is over loses its Claim button: claiming it could only be refused.
    const ended = HANDOFF_ENDED.has(status) ? t.updates[status](who) : undefined;
    await this.call(conversationId, () =>
      this.options.client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: t.updates[status](who),
        blocks: cardBlocks(conversationId, ref.card, [], t, claimedBy, ended) as never,
      }),
    );
    const note = t.updates[status](who);
    await this.call(conversationId, () =>
      this.options.client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        text: note,
        ...(status === 'claimed'
          ? {
              blocks: [
                { type: 'section', text: { type: 'mrkdwn', text: note } },
                ...controls(conversationId, t, this.options.internalPrefix),
              ] as never,
            }
          : {}),
      }),
    );
  }

  async notify(conversationId: string, agentId: string, notice: AgentNotice): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return;
    await this.call(conversationId, () =>
      this.options.client.chat.postEphemeral({
        channel: ref.channel,
        user: agentId,
        thread_ts: ref.ts,
        text: escapeMrkdwn(this.options.text.notice(notice)),
      }),
    );
  }

  async ping(conversationId: string, level: DeskAlert): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return;
    const supervisors = this.options.supervisorGroup ? `<!subteam^${this.options.supervisorGroup}>` : '<!channel>';
    const text = `${level === 'sla' ? '<!here>' : supervisors} ${this.options.text.alerts[level]}`;
    await this.call(conversationId, () =>
      this.options.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text }),
    );
  }
}
