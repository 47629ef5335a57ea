import { DeliveryError, LeaseLostError } from './errors.js';
import type { Logger } from './log.js';
import type { CardAddress, Lease, OutboxEffectType, OutboxItem } from './ports.js';
import { DeskHealth } from './desk-health.js';
import { createPerformer, type PerformerDeps } from './performer.js';
import { RECORD_ONLY } from './record-writes.js';
import { QueueLinesSent } from './transcript.js';
import { PendingAck } from './pending-ack.js';

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
   * conversation's later items wait behind it, in order), `drop` it so the customer is not held
   * up (it stays on the transcript), or `outage`: keep it while it is younger than the desk outage
   * window (EngineOptions.deskOutageWindowMs), then drop it. A desk down for a few minutes is
   * waited out in order; a longer outage falls back to the no-desk path.
   */
  exhausted: 'keep' | 'drop' | 'outage';
  /** What the operator reads in the log when the item is dropped after retries. */
  dropped?: string;
  /**
   * Told to the conversation, as an event of its own, when this item is given up this way:
   * `exhausted` after retries, `unreachable` when the customer cannot be reached, `refused` when
   * the platform refuses it for good (Slack's invalid_blocks, msg_too_long, channel_not_found).
   */
  tell?: { exhausted?: Feedback; unreachable?: Feedback; refused?: Feedback };
}

/**
 * The desk is down: its items wait out an outage of a few minutes in order (issue 16, fault 4:
 * dropping them after a second of retries lost every customer message of a 30 s Slack outage);
 * past the window they are dropped, and a card or a customer's message that cannot be posted
 * ends the handoff (the flow tells the customer and keeps the matter on record).
 */
const DESK: GiveUpPolicy = {
  exhausted: 'outage',
  dropped: 'agent desk unreachable for longer than the outage window; dropping desk item',
};

export const GIVE_UP: Readonly<Record<OutboxEffectType, GiveUpPolicy>> = {
  reply: { exhausted: 'keep', tell: { unreachable: 'blocked' } },
  'reply.file': { exhausted: 'keep', tell: { unreachable: 'blocked' } },
  // A file that cannot be carried after retries is dropped at once: the fault may be the
  // customer's platform (the download) as well as the desk, and the messages behind it matter more.
  'desk.file': {
    exhausted: 'drop',
    dropped: "could not carry a customer's file to the desk after retries; dropping it",
  },
  // A card the desk refuses is the desk being down for this customer: told, never silence. Not for
  // a pending matter's follow-up card (see `Courier.feedBack`).
  'desk.open': { ...DESK, tell: { exhausted: 'desk-unavailable', refused: 'desk-unavailable' } },
  'desk.post': { ...DESK, tell: { exhausted: 'desk-unavailable' } },
  'desk.update': DESK,
  'desk.need': DESK,
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

export interface CourierDeps extends PerformerDeps {
  log: Logger;
  clock: () => number;
  /** Waits between retries; tests pass an instant one. */
  sleep: (ms: number) => Promise<void>;
  options: {
    lockTtlMs: number;
    deliveryAttempts: number;
    backoffMs: (attempt: number) => number;
    deskOutageWindowMs: number;
  };
}

/**
 * Effects seen outside (a customer's chat, the desk): each is acknowledged as soon as it is done,
 * so a crash repeats at most the one in flight per conversation (issue 16, fault 2; Telegram's
 * sendMessage has no idempotency key, so that one cannot be helped). The rest are acknowledged
 * with the next such item or when the lock is released.
 */
const SEEN_OUTSIDE: ReadonlySet<OutboxEffectType> = new Set<OutboxEffectType>([
  'reply',
  'reply.file',
  'desk.open',
  'desk.post',
  'desk.file',
  'desk.update',
  'desk.need',
  'desk.notify',
  'desk.ping',
]);

/** What reaches the customer's chat: not tried once the customer is found unreachable in a run. */
const TO_CUSTOMER: ReadonlySet<OutboxEffectType> = new Set<OutboxEffectType>(['reply', 'reply.file']);

/** An item older than this when the desk receives it gets a note in its card's thread (ms). */
export const DESK_LATE_MS = 15_000;

/** How long the platform asked to be left alone (ms), when it said (Retry-After). */
function retryAfterMs(err: unknown): number | undefined {
  return err instanceof DeliveryError && err.retryAfterSec !== undefined ? err.retryAfterSec * 1000 : undefined;
}

/** The card a desk item is posted to, for the note that it arrived late; undefined for other items. */
function lateCard(item: OutboxItem): CardAddress | undefined {
  const e = item.effect;
  const ticketId =
    e.type === 'desk.open' ? e.card.ticketId : e.type === 'desk.post' || e.type === 'desk.file' ? e.ticketId : null;
  if (ticketId === null) return undefined;
  return { conversationId: item.conversationId, ...(ticketId ? { ticketId } : {}) };
}

/**
 * Delivers a conversation's outbox items in order, under the worker's lease, retrying each the
 * same way; what giving up means comes from the item's policy (GIVE_UP).
 */
export class Courier {
  private readonly perform: (item: OutboxItem) => Promise<void>;
  private readonly records: PerformerDeps['records'];
  /**
   * The desk as this process knows it: resting after failures (no calls meanwhile), and since when
   * it fails. The outage window is counted from there, so once an outage has lasted the window, new
   * desk items (the follow-up card of the fallback itself) do not wait a window of their own.
   */
  private readonly desk: DeskHealth;

  constructor(private readonly deps: CourierDeps) {
    // The archive gets the queue lines as sent (transcript.ts, QueueLinesSent), on either path a record write takes.
    const { records } = deps;
    const lines = new QueueLinesSent();
    this.records = records && { write: (items) => records.write(lines.archived(items)) };
    this.perform = createPerformer({ ...deps, records: this.records, queueLines: lines });
    this.desk = new DeskHealth(deps.clock);
  }

  /**
   * Delivers items in order. An item seen outside (SEEN_OUTSIDE) is acknowledged as soon as it is
   * done when more items follow (a retried run must not send it twice), the acknowledgement going
   * out with the writes after it (PendingAck) and landing before the next item seen outside; the
   * rest are returned for the caller to acknowledge with its next write. `stuck` when an item is still failing after
   * retries and its policy keeps it. A card's thread is told once per run when the desk receives
   * its items late (DESK_LATE_MS).
   */
  async deliver(lease: Lease, items: readonly OutboxItem[]): Promise<{ stuck: boolean; delivered: string[] }> {
    let unacked: string[] = [];
    const noted = new Set<string>();
    const acks = new PendingAck(this.deps.store, lease);
    let gone = false;
    for (let n = 0; n < items.length; n++) {
      // Consecutive writes to the record (a turn's tickets, lifecycle and archive) go in one round
      // of the database; if that fails (Redis down for the deferral), each is tried as below.
      const run = this.recordRun(items, n);
      if (run.length > 1 && (await this.writeRecords(run))) {
        unacked.push(...run.map((i) => i.id));
        n += run.length - 1;
        continue;
      }
      // Consecutive writes to the store (timers, tickets without a record, the queue) are sent
      // together: one round trip to Redis instead of one each.
      const together = this.storeRun(items, n);
      if (together.length > 0) {
        const done = await this.performTogether(together);
        unacked.push(...done.map((i) => i.id));
        if (done.length === together.length) {
          n += done.length - 1;
          continue;
        }
        // The one that failed goes through its retries and policy below, then the rest one by one.
        n += done.length;
      }
      const item = items[n]!;
      const outside = SEEN_OUTSIDE.has(item.effect.type);
      // Nothing is seen outside before the one seen last is acknowledged.
      if (outside) await acks.settled();
      // The note goes before the late messages; a card's note after the card (its thread).
      const cardFirst = item.effect.type === 'desk.open';
      if (!cardFirst) await this.noteLate(item, noted);
      // The customer turned out unreachable (blocked the bot: 403): the run's other messages to them are
      // not tried (found by the fifteenth issue-17 session's trial: sent after the refusal).
      if (gone && TO_CUSTOMER.has(item.effect.type)) {
        this.deps.log.info('not sent: the customer cannot be reached', {
          conversationId: item.conversationId,
          item: item.id,
        });
        unacked.push(item.id);
        continue;
      }
      const done = await this.attempt(lease, item);
      if (done === 'unreachable') gone = true;
      if (done === 'stuck') {
        await acks.settled();
        return { stuck: true, delivered: unacked };
      }
      unacked.push(item.id);
      if (outside && n < items.length - 1) {
        acks.start(unacked);
        unacked = [];
      }
      if (cardFirst) await this.noteLate(item, noted);
    }
    await acks.settled();
    return { stuck: false, delivered: unacked };
  }

  /** The record items from `from` on that can be written together (none without a record). */
  private recordRun(items: readonly OutboxItem[], from: number): readonly OutboxItem[] {
    if (!this.deps.records) return [];
    let to = from;
    while (to < items.length && RECORD_ONLY.has(items[to]!.effect.type)) to++;
    return items.slice(from, to);
  }

  /**
   * The items from `from` on that are writes to the store only: neither seen outside nor written to
   * the record (those go in a record run). Empty when there are fewer than two.
   */
  private storeRun(items: readonly OutboxItem[], from: number): readonly OutboxItem[] {
    let to = from;
    const storeOnly = (type: OutboxEffectType) =>
      !SEEN_OUTSIDE.has(type) && !(this.deps.records && RECORD_ONLY.has(type));
    while (to < items.length && storeOnly(items[to]!.effect.type)) to++;
    return to - from > 1 ? items.slice(from, to) : [];
  }

  /**
   * Starts every item of `run` at once (their commands leave in one write to Redis, in order) and
   * returns those done before the first that failed; that one and the rest are then tried one by one
   * as usual (`attempt`, with its retries and policy), so an item after a failure may be done twice,
   * as after a crash before its acknowledgement: every store write is idempotent for that reason.
   */
  private async performTogether(run: readonly OutboxItem[]): Promise<readonly OutboxItem[]> {
    if (run.length === 0) return run;
    const results = await Promise.allSettled(run.map((item) => this.perform(item)));
    const failed = results.findIndex((r) => r.status === 'rejected');
    return failed === -1 ? run : run.slice(0, failed);
  }

  /** Writes record items together; false when that failed (the caller then tries each as usual). */
  private async writeRecords(run: readonly OutboxItem[]): Promise<boolean> {
    try {
      await this.records?.write(run);
      return true;
    } catch (err) {
      this.deps.log.warn('record writes could not be made or deferred together; trying each', {
        conversationId: run[0]?.conversationId,
        error: String(err),
      });
      return false;
    }
  }

  /**
   * Tells a card's thread, once per run, that the desk receives this conversation's items late
   * (not while the desk rests after failures: the items wait too). The note is a desk call like
   * any other: it may be the probe that finds the desk back, or failing again.
   */
  private async noteLate(item: OutboxItem, noted: Set<string>): Promise<void> {
    const { desk, clock, log } = this.deps;
    const card = lateCard(item);
    if (!card || !desk?.delayed || item.at === undefined || clock() - item.at < DESK_LATE_MS) return;
    const key = `${card.conversationId}\u0000${card.ticketId ?? ''}`;
    if (noted.has(key) || !this.desk.callable()) return;
    noted.add(key);
    try {
      await desk.delayed(card, item.at);
      this.desk.succeeded();
    } catch (err) {
      if (!(err instanceof DeliveryError && err.retry !== 'later')) this.desk.failed(retryAfterMs(err));
      log.debug('the note that messages arrived late could not be posted', { ...card, error: String(err) });
    }
  }

  /** Tries one item up to `deliveryAttempts` times; what giving up means comes from its policy (GIVE_UP). */
  private async attempt(lease: Lease, item: OutboxItem): Promise<'done' | 'stuck' | 'unreachable'> {
    const { store, log } = this.deps;
    const policy = GIVE_UP[item.effect.type];
    const where = { conversationId: item.conversationId, item: item.id, effect: item.effect.type };
    const toDesk = policy.exhausted === 'outage';
    // While the desk rests after failures, its items wait (or are given up past the window) without a call.
    if (toDesk && !this.desk.callable())
      return this.givesUp(policy, item) ? this.giveUp(item, policy, where, 'the desk is still failing') : 'stuck';
    for (let attempt = 0; ; attempt++) {
      try {
        await this.perform(item);
        if (toDesk) this.desk.succeeded();
        return 'done';
      } catch (err) {
        if (toDesk && !(err instanceof DeliveryError && err.retry !== 'later')) this.desk.failed(retryAfterMs(err));
        if (err instanceof DeliveryError && err.retry !== 'later') {
          log.warn('delivery impossible; dropping item', { ...where, error: err.message });
          if (err.retry === 'unreachable' && policy.tell?.unreachable)
            await this.feedBack(item, policy.tell.unreachable);
          if (err.retry === 'never' && policy.tell?.refused) await this.feedBack(item, policy.tell.refused);
          return err.retry === 'unreachable' ? 'unreachable' : 'done';
        }
        const last = attempt + 1 >= this.deps.options.deliveryAttempts;
        if (last && this.givesUp(policy, item)) return this.giveUp(item, policy, where, String(err));
        log.warn(last ? 'delivery failed; will retry on the next sweep' : 'delivery failed; retrying', {
          ...where,
          attempt: attempt + 1,
          error: String(err),
        });
        if (last) return 'stuck';
        const wait = retryAfterMs(err) ?? this.deps.options.backoffMs(attempt);
        // Keep the conversation while waiting, so no other worker sends the same item meanwhile.
        if (!(await store.extend(lease, wait + this.deps.options.lockTtlMs)))
          throw new LeaseLostError(lease.conversationId);
        await this.deps.sleep(wait);
      }
    }
  }

  /** Drops an item still failing after retries, as its policy says: logged, and told to the conversation when it says so. */
  private async giveUp(
    item: OutboxItem,
    policy: GiveUpPolicy,
    where: Record<string, string>,
    error: string,
  ): Promise<'done'> {
    this.deps.log.error(policy.dropped ?? 'giving up on an item after retries; dropping it', { ...where, error });
    if (policy.tell?.exhausted) await this.feedBack(item, policy.tell.exhausted);
    return 'done';
  }

  /**
   * Whether an item still failing after its attempts is dropped: by its policy; an `outage` item
   * once the outage has lasted the window, counted from the item's time or from when this process
   * first saw the desk fail, whichever is earlier (items stored without a time: at once, as before).
   */
  private givesUp(policy: GiveUpPolicy, item: OutboxItem): boolean {
    if (policy.exhausted !== 'outage') return policy.exhausted === 'drop';
    if (item.at === undefined) return true;
    const since = Math.min(item.at, this.desk.since ?? item.at);
    return this.deps.clock() - since >= this.deps.options.deskOutageWindowMs;
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
