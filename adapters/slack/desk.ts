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
import { cardBlocks, controls, escapeMrkdwn, LAST_MESSAGES, safe } from './blocks.js';
import { SlackFiles } from './files.js';
import { clip, DESK_BUDGET, split } from './limits.js';
import type { NotSent } from './messages.js';

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

/** Where a card is, what it shows, and the last messages it was opened with (kept for its updates). */
interface CardRef {
  channel: string;
  ts: string;
  card: HandoffCard;
  /** Absent on cards stored before the last messages were kept. */
  recent?: TranscriptEntry[];
  /**
   * A newer handoff of the conversation is opening a card: this one belongs to a handoff that is
   * over, and nothing about the new one may be drawn on it (were the new card refused, the desk
   * being down would otherwise put a Claim button back on the old card).
   */
  superseded?: true;
}

/** A kept transcript line is at most this long: enough to show the card's line and to know it was shortened. */
const KEPT_LINE = 1_000;

/** Maps Slack Web API failures onto the engine's retry rules. */
export function deliveryErrorOf(err: unknown, conversationId: string): DeliveryError {
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
 * mapping live in the store, so any replica can continue after a restart. Everything posted is
 * within Slack's limits by construction (limits.ts): long texts are clipped on the card and
 * split into several thread messages.
 */
export class SlackDesk implements DeskPort {
  /** Photos and files in the card's thread (files.ts). */
  readonly files: SlackFiles;

  constructor(private readonly options: SlackDeskOptions) {
    const { client, text, log } = options;
    this.files = new SlackFiles({ client, text, log, errorOf: deliveryErrorOf, thread: (id) => this.ref(id) });
  }

  private async ref(conversationId: string): Promise<CardRef | undefined> {
    const raw = await this.options.links.get(`card:${conversationId}`);
    const ref = raw ? (JSON.parse(raw) as CardRef) : undefined;
    return ref?.superseded ? undefined : ref;
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

  /** Posts mrkdwn text in the card's thread, as several messages when it is long. */
  private async thread(conversationId: string, ref: Pick<CardRef, 'channel' | 'ts'>, text: string): Promise<void> {
    for (const part of split(text, DESK_BUDGET.message))
      await this.call(conversationId, () =>
        this.options.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text: part }),
      );
  }

  /**
   * Posts the card, then, in its thread, the full texts the card shortened. The card is what
   * counts: a failure after it is posted is logged, not retried (a retry would post a second card).
   */
  async open(conversationId: string, card: HandoffCard, transcript: TranscriptEntry[]): Promise<void> {
    const t = this.options.text;
    const channel = (card.category && this.options.categoryChannels()[card.category]) || this.options.agentChannel;
    const recent = transcript.slice(-LAST_MESSAGES).map((e) => ({ ...e, text: clip(e.text, KEPT_LINE) }));
    const view = cardBlocks(conversationId, card, transcript, t);
    const previous = await this.ref(conversationId);
    if (previous)
      await this.options.links.set(`card:${conversationId}`, JSON.stringify({ ...previous, superseded: true }));
    const result = await this.call(conversationId, () =>
      this.options.client.chat.postMessage({
        channel,
        text: clip(`${t.handoff(card)} (${t.priorities[card.priority]}): ${safe(card.need)}`, DESK_BUDGET.line),
        blocks: view.blocks as never,
      }),
    );
    const ts = String(result.ts ?? '');
    const at = String(result.channel ?? channel);
    const ref: CardRef = { channel: at, ts, card, recent };
    await this.options.links.set(`card:${conversationId}`, JSON.stringify(ref));
    await this.options.links.set(`thread:${at}:${ts}`, conversationId);
    for (const text of view.overflow)
      await this.thread(conversationId, ref, text).catch((err: unknown) =>
        this.options.log.warn('the full text of a shortened card could not be posted', {
          conversationId,
          error: String(err),
        }),
      );
  }

  async post(conversationId: string, text: string, from: 'customer' | 'system'): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return this.options.log.warn('desk post without a card', { conversationId });
    await this.thread(conversationId, ref, `${from === 'customer' ? ':bust_in_silhouette: ' : ''}${safe(text)}`);
  }

  async update(conversationId: string, status: DeskUpdate, agent?: AgentRef, category?: string): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return this.options.log.warn('desk update without a card', { conversationId, status });
    const t = this.options.text;
    const who = agent ? `<@${agent.id}>` : t.someone;
    if (status === 'transferred' && category) {
      // A new card in the category's channel (open() picks it); the old thread says where it went.
      const named = clip(escapeMrkdwn(t.category(category)), DESK_BUDGET.field);
      const moved = t.transferredTo(named, who);
      await this.thread(conversationId, ref, moved);
      // The old card says where the conversation went, and is no longer anyone's to act on.
      const old = cardBlocks(conversationId, ref.card, ref.recent ?? [], t, undefined, moved);
      await this.call(conversationId, () =>
        this.options.client.chat.update({ channel: ref.channel, ts: ref.ts, text: moved, blocks: old.blocks as never }),
      );
      await this.open(conversationId, { ...ref.card, category }, ref.recent ?? []);
      return;
    }
    const claimedBy = status === 'claimed' ? agent : undefined;
    // The card keeps what it showed when it was opened, last messages included. A card whose
    // handoff is over loses its Claim button: claiming it could only be refused.
    const ended = HANDOFF_ENDED.has(status) ? t.updates[status](who) : undefined;
    const view = cardBlocks(conversationId, ref.card, ref.recent ?? [], t, claimedBy, ended);
    await this.call(conversationId, () =>
      this.options.client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: t.updates[status](who),
        blocks: view.blocks as never,
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
        text: clip(escapeMrkdwn(this.options.text.notice(notice)), DESK_BUDGET.message),
      }),
    );
  }

  /**
   * Tells one person in a card's thread why their message did not reach the customer (an edit, a
   * file, a kind of message that does not cross). Only they see it. Throws when Slack refuses.
   */
  async explain(where: { channel: string; threadTs: string; user: string }, why: NotSent): Promise<void> {
    const { notSent } = this.options.text;
    const text = typeof why === 'string' ? notSent[why] : notSent.other(clip(why.subtype, DESK_BUDGET.field));
    await this.options.client.chat.postEphemeral({
      channel: where.channel,
      user: where.user,
      thread_ts: where.threadTs,
      text: clip(escapeMrkdwn(text), DESK_BUDGET.message),
    });
  }

  /**
   * Alerts about a handoff in its thread, broadcast to the channel ("Also send to channel"): the
   * thread of an unclaimed card has nobody following it, and @here or @channel in a thread reply
   * alone reaches only the thread's followers.
   */
  async ping(conversationId: string, level: DeskAlert): Promise<void> {
    const ref = await this.ref(conversationId);
    if (!ref) return;
    const supervisors = this.options.supervisorGroup ? `<!subteam^${this.options.supervisorGroup}>` : '<!channel>';
    const text = `${level === 'sla' ? '<!here>' : supervisors} ${this.options.text.alerts[level]}`;
    await this.call(conversationId, () =>
      this.options.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, reply_broadcast: true, text }),
    );
  }
}
