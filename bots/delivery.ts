import type { HandoffCard, TicketSummary } from '../flows/contracts.js';
import { DeliveryError, LeaseLostError } from './errors.js';
import type { Logger } from './log.js';
import type {
  CardAddress,
  ChannelPort,
  DeskPort,
  Lease,
  OutboxEffect,
  OutboxEffectType,
  OutboxItem,
  Store,
} from './ports.js';
import type { RecordGate } from './record-writes.js';
import { createMediaHandlers } from './media.js';
import { fillQueueText } from './transcript.js';

/**
 * How each kind of effect is carried out, and what happens when it cannot be: one table instead
 * of special cases in the retry loop. The engine retries every item the same way; the policy
 * decides what giving up means for that kind of effect.
 */

/** A conversation event that delivery feeds back when it gives up on an item. */
export type Feedback = 'blocked' | 'desk-unavailable';

export interface GiveUpPolicy {
  /**
   * After the last attempt at a passing fault: `keep` the item for the next sweep (the
   * conversation's later items wait behind it, in order), or `drop` it so the customer is not
   * held up (it stays on the transcript).
   */
  exhausted: 'keep' | 'drop';
  /** What the operator reads in the log when the item is dropped after retries. */
  dropped?: string;
  /**
   * Told to the conversation, as an event of its own, when this item is given up this way:
   * `exhausted` after retries, `unreachable` when the customer cannot be reached, `refused` when
   * the platform refuses it for good (Slack's invalid_blocks, msg_too_long, channel_not_found).
   */
  tell?: { exhausted?: Feedback; unreachable?: Feedback; refused?: Feedback };
}

/** The desk is down: the customer must not wait behind it. A card that cannot be posted ends the handoff (the flow tells the customer). */
const DESK: GiveUpPolicy = { exhausted: 'drop', dropped: 'agent desk unreachable; dropping desk item' };

export const GIVE_UP: Readonly<Record<OutboxEffectType, GiveUpPolicy>> = {
  reply: { exhausted: 'keep', tell: { unreachable: 'blocked' } },
  'reply.file': { exhausted: 'keep', tell: { unreachable: 'blocked' } },
  // Like every desk item, a file the desk cannot get after retries does not hold the customer up.
  'desk.file': {
    exhausted: 'drop',
    dropped: "could not carry a customer's file to the desk after retries; dropping it",
  },
  // A card the desk refuses is the desk being down for this customer: told, never silence. Not for
  // a pending matter's follow-up card (see `Courier.feedBack`).
  'desk.open': { ...DESK, tell: { exhausted: 'desk-unavailable', refused: 'desk-unavailable' } },
  'desk.post': DESK,
  'desk.update': DESK,
  'desk.notify': DESK,
  'desk.ping': DESK,
  'queue.join': { exhausted: 'keep' },
  'queue.leave': { exhausted: 'keep' },
  transcript: { exhausted: 'keep' },
  'ticket.put': { exhausted: 'keep' },
  'ticket.update': { exhausted: 'keep' },
  'unanswered.record': { exhausted: 'keep' },
  // A record write never fails here: the gate defers it when the database is down (record-writes.ts).
  'record.archive': { exhausted: 'keep' },
  'timer.set': { exhausted: 'keep' },
  'timer.cancel': { exhausted: 'keep' },
};

export interface PerformerDeps {
  store: Store;
  channels: ReadonlyMap<string, ChannelPort>;
  /** Without a desk, desk effects are no-ops (the flow does not emit them then). */
  desk?: DeskPort | undefined;
  log?: Logger | undefined;
  /** Epoch ms now: the customer's history on a card is the last HISTORY_DAYS before it. */
  clock?: (() => number) | undefined;
  /**
   * The system of record (issue 14): tickets, their lifecycle, the archive and unanswered askings
   * are written there, through the gate that defers them while the database is down. Without it,
   * tickets go to the store's ticket store and nothing is archived.
   */
  records?: RecordGate | undefined;
}

/** How far back a card lists the customer's earlier tickets (issue 13, requirement 6). */
export const HISTORY_DAYS = 90;
/** How many earlier tickets a card lists at most, and how many are read to choose them. */
export const HISTORY_SHOWN = 5;
const HISTORY_READ = 20;
const DAY_MS = 86_400_000;

/**
 * The customer's earlier tickets for a card, read at delivery (issue 13: agents see the history):
 * the same customer on the same channel, created in the last HISTORY_DAYS, the card's own ticket
 * left out; open complaints (complaint, pending) first, then newest first; at most HISTORY_SHOWN.
 * The store is asked for that customer and period, and its answer is filtered again, so a store
 * that ignores part of the query still gives the right list.
 */
export async function historyFor(store: Store, card: HandoffCard, now: number): Promise<TicketSummary[]> {
  const from = now - HISTORY_DAYS * DAY_MS;
  const tickets = await store.tickets.list({ customerId: card.customer.id, from, limit: HISTORY_READ });
  const open = (t: { type: string; status: string }) => (t.type === 'complaint' && t.status === 'pending' ? 0 : 1);
  return tickets
    .filter(
      (t) =>
        t.id !== card.ticketId &&
        t.customer.id === card.customer.id &&
        t.channel === card.channel &&
        t.createdAt >= from &&
        t.createdAt <= now,
    )
    .sort((a, b) => open(a) - open(b) || b.createdAt - a.createdAt)
    .slice(0, HISTORY_SHOWN)
    .map((t) => ({
      id: t.id,
      createdAt: t.createdAt,
      type: t.type,
      status: t.status,
      ...(t.category !== undefined ? { category: t.category } : {}),
      ...(t.satisfaction !== undefined ? { satisfaction: t.satisfaction } : {}),
    }));
}

type Handlers = {
  [T in OutboxEffectType]: (item: OutboxItem, effect: Extract<OutboxEffect, { type: T }>) => Promise<void>;
};

/**
 * Carries out one outbox item against its port. Throws DeliveryError (or whatever the port throws)
 * when it cannot; the caller decides about retries.
 */
export function createPerformer(deps: PerformerDeps): (item: OutboxItem) => Promise<void> {
  const { store, channels, desk, records } = deps;
  const now = deps.clock ?? Date.now;
  /** The card with the customer's earlier tickets; without them when the store cannot say (the card matters more). */
  const withHistory = async (item: OutboxItem, card: HandoffCard): Promise<HandoffCard> => {
    try {
      return { ...card, history: await historyFor(store, card, now()) };
    } catch (err) {
      deps.log?.warn("the customer's earlier tickets could not be read; the card goes without them", {
        conversationId: item.conversationId,
        ticketId: card.ticketId,
        error: String(err),
      });
      return card;
    }
  };
  /** The card a desk effect is about: its ticket's (absent on items stored before issue 13: the latest card). */
  const cardOf = (item: OutboxItem, ticketId: string | undefined): CardAddress => ({
    conversationId: item.conversationId,
    ...(ticketId ? { ticketId } : {}),
  });
  /** Fills a queue message with the customer's live place and the expected wait (from recent claims). */
  const fillQueue = async (conversationId: string, text: string, locale?: string): Promise<string> => {
    const position = (await store.queue.position(conversationId)) ?? 1;
    const average = (await store.queue.averageWaitSeconds()) ?? 60;
    return fillQueueText(text, String(position), String(Math.max(1, Math.ceil((position * average) / 60))), locale);
  };
  const handlers: Handlers = {
    reply: async (item, e) => {
      const channel = channels.get(item.channel);
      if (!channel)
        throw new DeliveryError(`No channel adapter for "${item.channel}" is running`, {
          retry: 'never',
          conversationId: item.conversationId,
        });
      const text = e.fill === 'queue' ? await fillQueue(item.conversationId, e.text, e.locale) : e.text;
      await channel.send({
        id: item.id,
        conversationId: item.conversationId,
        customerId: item.customerId,
        text,
        ...(e.choices ? { choices: e.choices } : {}),
      });
    },
    // Files are carried between the platforms at delivery, once per item (bots/media.ts).
    ...createMediaHandlers(deps),
    'desk.open': async (item, e) => {
      if (!desk) return;
      const transcript = await store.transcript(item.conversationId, 10);
      await desk.open(item.conversationId, await withHistory(item, e.card), transcript);
    },
    'desk.post': async (item, e) => desk?.post(cardOf(item, e.ticketId), e.text, e.from),
    'desk.update': async (item, e) => desk?.update(cardOf(item, e.ticketId), e.status, e.agent, e.category),
    'desk.notify': async (item, e) => desk?.notify(cardOf(item, e.ticketId), e.agentId, e.notice),
    'desk.ping': async (item, e) => desk?.ping(cardOf(item, e.ticketId), e.level, e.agent),
    'queue.join': (item, e) => store.queue.join(item.conversationId, e.at),
    'queue.leave': async (item, e) => void (await store.queue.leave(item.conversationId, e.at, e.claimed)),
    transcript: async () => {},
    'ticket.put': (item, e) => (records ? records.write(item) : store.tickets.put(e.ticket)),
    'ticket.update': async (item, e) =>
      records ? records.write(item) : void (await store.tickets.update(e.id, e.changes, e.at, e.ifStatus)),
    // Counted once per outbox item (item ids are per conversation), however often it is retried: in
    // the hot list admins review (`npm run unanswered`), and on the record for the monthly report.
    'unanswered.record': async (item, e) => {
      await store.unanswered.record(
        { text: e.text, locale: e.locale, at: e.at },
        `${item.conversationId}\u0000${item.id}`,
      );
      await records?.write(item);
    },
    'record.archive': async (item) => records?.write(item),
    'timer.set': (item, e) =>
      store.timers.schedule({
        conversationId: item.conversationId,
        name: e.name,
        dueAt: e.dueAt,
        channel: item.channel,
        customerId: item.customerId,
      }),
    'timer.cancel': (item, e) => store.timers.cancel(item.conversationId, e.name),
  };
  return (item) => perform(handlers, item, item.effect);
}

/** Dispatches on the effect's type, keeping the handler and its effect's type together. */
function perform<T extends OutboxEffectType>(
  handlers: Handlers,
  item: OutboxItem,
  effect: Extract<OutboxEffect, { type: T }>,
): Promise<void> {
  const handler: (item: OutboxItem, effect: Extract<OutboxEffect, { type: T }>) => Promise<void> =
    handlers[effect.type as T];
  return handler(item, effect);
}

export interface CourierDeps extends PerformerDeps {
  log: Logger;
  clock: () => number;
  /** Waits between retries; tests pass an instant one. */
  sleep: (ms: number) => Promise<void>;
  options: { lockTtlMs: number; deliveryAttempts: number; backoffMs: (attempt: number) => number };
}

/**
 * Delivers a conversation's outbox items in order, under the worker's lease, retrying each the
 * same way; what giving up means comes from the item's policy (GIVE_UP).
 */
export class Courier {
  private readonly perform: (item: OutboxItem) => Promise<void>;

  constructor(private readonly deps: CourierDeps) {
    this.perform = createPerformer(deps);
  }

  /**
   * Delivers items in order. A reply is acknowledged as soon as it is sent when more items follow
   * (a retried run must not send it twice); the rest are returned for the caller to acknowledge
   * with its next write. `stuck` when an item is still failing after retries and its policy keeps it.
   */
  async deliver(lease: Lease, items: readonly OutboxItem[]): Promise<{ stuck: boolean; delivered: string[] }> {
    const { store } = this.deps;
    let unacked: string[] = [];
    for (const [n, item] of items.entries()) {
      if ((await this.attempt(lease, item)) === 'stuck') return { stuck: true, delivered: unacked };
      unacked.push(item.id);
      if (item.effect.type === 'reply' && n < items.length - 1) {
        await store.ackOutbox(lease, unacked);
        unacked = [];
      }
    }
    return { stuck: false, delivered: unacked };
  }

  /** Tries one item up to `deliveryAttempts` times; what giving up means comes from its policy (GIVE_UP). */
  private async attempt(lease: Lease, item: OutboxItem): Promise<'done' | 'stuck'> {
    const { store, log } = this.deps;
    const policy = GIVE_UP[item.effect.type];
    const where = { conversationId: item.conversationId, item: item.id, effect: item.effect.type };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.perform(item);
        return 'done';
      } catch (err) {
        if (err instanceof DeliveryError && err.retry !== 'later') {
          log.warn('delivery impossible; dropping item', { ...where, error: err.message });
          if (err.retry === 'unreachable' && policy.tell?.unreachable)
            await this.feedBack(item, policy.tell.unreachable);
          if (err.retry === 'never' && policy.tell?.refused) await this.feedBack(item, policy.tell.refused);
          return 'done';
        }
        const last = attempt + 1 >= this.deps.options.deliveryAttempts;
        if (last && policy.exhausted === 'drop') {
          log.error(policy.dropped ?? 'giving up on an item after retries; dropping it', {
            ...where,
            error: String(err),
          });
          if (policy.tell?.exhausted) await this.feedBack(item, policy.tell.exhausted);
          return 'done';
        }
        log.warn(last ? 'delivery failed; will retry on the next sweep' : 'delivery failed; retrying', {
          ...where,
          attempt: attempt + 1,
          error: String(err),
        });
        if (last) return 'stuck';
        const wait =
          err instanceof DeliveryError && err.retryAfterSec !== undefined
            ? err.retryAfterSec * 1000
            : this.deps.options.backoffMs(attempt);
        // Keep the conversation while waiting, so no other worker sends the same item meanwhile.
        if (!(await store.extend(lease, wait + this.deps.options.lockTtlMs)))
          throw new LeaseLostError(lease.conversationId);
        await this.deps.sleep(wait);
      }
    }
  }

  /**
   * Tells the conversation what delivery found out (the customer blocked the bot, the desk is
   * unreachable), as an event of its own, once per item. Except a pending matter's follow-up card
   * the desk refuses or cannot be reached for: `desk-unavailable` ends the conversation's live
   * handoff, which may be another ticket's, and the matter's timers still watch its promise
   * (the reminder, the deadline); it is logged for the operator and dropped.
   */
  private async feedBack(item: OutboxItem, command: Feedback): Promise<void> {
    const e = item.effect;
    if (command === 'desk-unavailable' && e.type === 'desk.open' && e.card.kind === 'follow-up') {
      this.deps.log.error(
        "a pending matter's follow-up card could not be posted on the desk; dropped (its promise is still watched by its timers)",
        {
          conversationId: item.conversationId,
          item: item.id,
          ticketId: e.card.ticketId,
          promisedBy: e.card.promisedBy,
        },
      );
      return;
    }
    await this.deps.store.accept({
      id: `${command}:${item.id}`,
      conversationId: item.conversationId,
      channel: item.channel,
      ...(item.customerId ? { customer: { id: item.customerId } } : {}),
      at: this.deps.clock(),
      payload: { type: 'command', command },
    });
  }
}
