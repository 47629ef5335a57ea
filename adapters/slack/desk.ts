import type { webApi } from '@slack/bolt';
import { describeLine } from '../desk/transcript-text.js';
import { DeliveryError } from '../../bots/errors.js';
import type { Logger } from '../../bots/log.js';
import type { CardAddress, DeskPort, LinkStore, TranscriptEntry } from '../../bots/ports.js';
import {
  HANDOFF_ENDED,
  type AgentNotice,
  type AgentRef,
  type DeskAlert,
  type DeskUpdate,
  type HandoffCard,
} from '../../flows/contracts.js';
import type { DeskText } from '../desk/text.js';
import { cardBlocks, controls, escapeMrkdwn, LAST_MESSAGES, safe, type CardState } from './blocks.js';
import { SlackFiles } from './files.js';
import { clip, DESK_BUDGET, split } from './limits.js';
import type { NotSent } from './messages.js';
import { alertAudience } from '../desk/alerts.js';

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
  /**
   * The desk's time zone (IANA), read when a card is drawn: promised reply times and the dates of
   * the customer's earlier tickets are shown in it. The default definition's; UTC unless given.
   */
  timeZone?: (() => string) | undefined;
  /**
   * How long a card's links (its card and thread keys) are kept after they were last used (ms):
   * the conversation's own retention (STATE_TTL_DAYS), so they expire with it.
   */
  linkTtlMs: number;
}

/** Where a card is, what it shows, and the last messages it was opened with (kept for its updates). */
interface CardRef {
  channel: string;
  ts: string;
  card: HandoffCard;
  /** Absent on cards stored before the last messages were kept. */
  recent?: TranscriptEntry[];
  /**
   * A newer card is opening in its place (the same ticket's, after a transfer; under the
   * conversation's key, any newer card): nothing about the new one may be drawn on this one (were
   * the new card refused, the desk being down would otherwise put a Claim button back on it).
   */
  superseded?: true;
  /** How the card was last drawn (claimed, ended), so a redraw with a new need keeps it. */
  shown?: Pick<CardState, 'claimedBy' | 'ended'>;
}

/**
 * Where cards are kept in the link store. Each card under its ticket, `card:<conversation>:<ticket>`;
 * the conversation's latest card also under `card:<conversation>`, for desk items stored before
 * issue 13 (no ticket) and for files. A card's thread, `thread:<channel>:<ts>`, names its
 * conversation and ticket as JSON (`{"conversationId","ticketId"}`); before issue 13 it was the
 * conversation id alone, which is still read.
 */
const cardKey = (to: CardAddress) =>
  to.ticketId ? `card:${to.conversationId}:${to.ticketId}` : `card:${to.conversationId}`;
const threadKey = (channel: string, ts: string) => `thread:${channel}:${ts}`;

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
    // Files go with the conversation's latest card (DeskFiles is addressed by conversation).
    this.files = new SlackFiles({
      client,
      text,
      log,
      errorOf: deliveryErrorOf,
      thread: (id) => this.ref({ conversationId: id }),
    });
  }

  private async stored(key: string): Promise<CardRef | undefined> {
    const raw = await this.options.links.get(key);
    return raw ? (JSON.parse(raw) as CardRef) : undefined;
  }

  /**
   * The card a desk call is about, unless a newer one is opening in its place. A ticket's card
   * posted before issue 13 is found under the conversation's key when it is that ticket's.
   */
  private async ref(to: CardAddress): Promise<CardRef | undefined> {
    const found = await this.find(to);
    // A card in use keeps its links (card and thread) as long as its conversation is kept.
    if (found) {
      const keys = [cardKey(to), cardKey({ conversationId: to.conversationId }), threadKey(found.channel, found.ts)];
      await this.options.links.touch([...new Set(keys)], this.options.linkTtlMs);
    }
    return found;
  }

  private async find(to: CardAddress): Promise<CardRef | undefined> {
    if (to.ticketId) {
      const own = await this.stored(cardKey(to));
      if (own) return own.superseded ? undefined : own;
    }
    const latest = await this.stored(cardKey({ conversationId: to.conversationId }));
    if (!latest || latest.superseded) return undefined;
    return !to.ticketId || latest.card.ticketId === to.ticketId ? latest : undefined;
  }

  /** The card a thread belongs to: its conversation, and its ticket (absent for threads of cards posted before issue 13). */
  async cardOf(channel: string, threadTs: string): Promise<CardAddress | undefined> {
    const raw = await this.options.links.get(threadKey(channel, threadTs));
    if (!raw) return undefined;
    if (!raw.startsWith('{')) return { conversationId: raw };
    const link = JSON.parse(raw) as { conversationId?: string; ticketId?: string };
    return link.conversationId
      ? { conversationId: link.conversationId, ...(link.ticketId ? { ticketId: link.ticketId } : {}) }
      : undefined;
  }

  /** How cards are drawn now: in the desk's time zone. */
  private drawn(state: CardState = {}): CardState {
    return { ...state, timeZone: this.options.timeZone?.() };
  }

  /** Marks a stored card superseded (a newer one is opening in its place). */
  private async supersede(key: string): Promise<void> {
    const previous = await this.stored(key);
    if (previous && !previous.superseded)
      await this.options.links.set(key, JSON.stringify({ ...previous, superseded: true }), this.options.linkTtlMs);
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
    const view = cardBlocks(conversationId, card, transcript, t, this.drawn());
    // The same ticket's earlier card (a transfer), and the conversation's latest card, give way.
    const own = { conversationId, ticketId: card.ticketId || undefined };
    if (own.ticketId) await this.supersede(cardKey(own));
    await this.supersede(cardKey({ conversationId }));
    const title = card.kind === 'follow-up' ? t.followUp(card) : t.handoff(card);
    const result = await this.call(conversationId, () =>
      this.options.client.chat.postMessage({
        channel,
        text: clip(`${title} (${t.priorities[card.priority]}): ${safe(card.need)}`, DESK_BUDGET.line),
        blocks: view.blocks as never,
      }),
    );
    const ts = String(result.ts ?? '');
    const at = String(result.channel ?? channel);
    const ref: CardRef = { channel: at, ts, card, recent };
    const ttl = this.options.linkTtlMs;
    if (own.ticketId) await this.options.links.set(cardKey(own), JSON.stringify(ref), ttl);
    await this.options.links.set(cardKey({ conversationId }), JSON.stringify(ref), ttl);
    await this.options.links.set(threadKey(at, ts), JSON.stringify(own), ttl);
    for (const text of view.overflow)
      await this.thread(conversationId, ref, text).catch((err: unknown) =>
        this.options.log.warn('the full text of a shortened card could not be posted', {
          conversationId,
          error: String(err),
        }),
      );
  }

  async post(to: CardAddress, text: string, from: 'customer' | 'system'): Promise<void> {
    const { conversationId } = to;
    const ref = await this.ref(to);
    if (!ref) return this.options.log.warn('desk post without a card', { ...to });
    const said = safe(describeLine(this.options.text, text));
    await this.thread(conversationId, ref, `${from === 'customer' ? ':bust_in_silhouette: ' : ''}${said}`);
  }

  async delayed(to: CardAddress, since: number): Promise<void> {
    const ref = await this.ref(to);
    if (!ref) return;
    const t = this.options.text;
    await this.thread(to.conversationId, ref, t.delayed(t.time(since, this.options.timeZone?.() ?? 'UTC')));
  }

  async update(to: CardAddress, status: DeskUpdate, agent?: AgentRef, category?: string): Promise<void> {
    const { conversationId } = to;
    const ref = await this.ref(to);
    if (!ref) return this.options.log.warn('desk update without a card', { ...to, status });
    const t = this.options.text;
    const who = agent ? `<@${agent.id}>` : t.someone;
    if (status === 'transferred' && category) {
      // A new card in the category's channel (open() picks it); the old thread says where it went.
      const named = clip(escapeMrkdwn(t.category(category)), DESK_BUDGET.field);
      const moved = t.transferredTo(named, who);
      await this.thread(conversationId, ref, moved);
      // The old card says where the conversation went, and is no longer anyone's to act on.
      const old = cardBlocks(conversationId, ref.card, ref.recent ?? [], t, this.drawn({ ended: moved }));
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
    const view = cardBlocks(conversationId, ref.card, ref.recent ?? [], t, this.drawn({ claimedBy, ended }));
    await this.call(conversationId, () =>
      this.options.client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: t.updates[status](who),
        blocks: view.blocks as never,
      }),
    );
    await this.keep(to, { ...ref, shown: { claimedBy, ended } });
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
                ...controls(
                  { conversationId, ticketId: to.ticketId ?? (ref.card.ticketId || undefined) },
                  t,
                  this.options.internalPrefix,
                  ref.card.kind,
                ),
              ] as never,
            }
          : {}),
      }),
    );
  }

  async need(to: CardAddress, need: string): Promise<void> {
    const ref = await this.ref(to);
    if (!ref) return this.options.log.warn('desk need without a card', { ...to });
    const t = this.options.text;
    const card = { ...ref.card, need };
    const view = cardBlocks(to.conversationId, card, ref.recent ?? [], t, this.drawn(ref.shown));
    await this.call(to.conversationId, () =>
      this.options.client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: clip(`${t.fields.need}${t.colon}${safe(need)}`, DESK_BUDGET.line),
        blocks: view.blocks as never,
      }),
    );
    await this.keep(to, { ...ref, card });
  }

  /** Stores a card's new state under its keys that still name it (a newer card's are left alone). */
  private async keep(to: CardAddress, ref: CardRef): Promise<void> {
    const keys = [...new Set([cardKey(to), cardKey({ conversationId: to.conversationId })])];
    for (const key of keys) {
      const stored = await this.stored(key);
      if (stored && stored.ts === ref.ts && !stored.superseded)
        await this.options.links.set(key, JSON.stringify(ref), this.options.linkTtlMs);
    }
  }

  async notify(to: CardAddress, agentId: string, notice: AgentNotice): Promise<void> {
    const { conversationId } = to;
    const ref = await this.ref(to);
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
   * Alerts about a card in its thread. Whom it names: a claim SLA, and a reminder of a promised
   * time nobody has claimed, `<!here>`; a reminder of a claimed one, the agent who has it
   * (`agent`); the supervisors' deadline, a promise that passed (`overdue`) and an escalation,
   * the supervisors (`supervisorGroup`, or `<!channel>`). Broadcast to the channel ("Also send to
   * channel") unless it names the one agent: the thread of an unclaimed card has nobody following
   * it, and @here or @channel in a thread reply alone reaches only the thread's followers; a
   * mention reaches its person anywhere. A promise's alerts say which ticket and by when.
   */
  async ping(to: CardAddress, level: DeskAlert, agent?: AgentRef): Promise<void> {
    const { conversationId } = to;
    const ref = await this.ref(to);
    if (!ref) return this.options.log.warn('desk alert without a card', { ...to, level });
    const t = this.options.text;
    const supervisors = this.options.supervisorGroup ? `<!subteam^${this.options.supervisorGroup}>` : '<!channel>';
    const audience = alertAudience(level, agent);
    const personal = typeof audience !== 'string';
    const whom = personal ? `<@${audience.id}>` : audience === 'here' ? '<!here>' : supervisors;
    const promise =
      (level === 'reminder' || level === 'overdue' || level === 'escalated') && ref.card.promisedBy !== undefined
        ? ` (${t.fields.ticket} ${ref.card.ticketId} · ${t.fields.promisedBy}${t.colon}${t.time(ref.card.promisedBy, this.options.timeZone?.() ?? 'UTC')})`
        : '';
    const text = `${whom} ${t.alerts[level]}${promise}`;
    await this.call(conversationId, () =>
      personal
        ? this.options.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text })
        : this.options.client.chat.postMessage({
            channel: ref.channel,
            thread_ts: ref.ts,
            reply_broadcast: true,
            text,
          }),
    );
  }
}
