import type { Logger } from './log.js';
import type { OutboxItem, Store } from './ports.js';
import { RecordRefused, type RecordStore, type RecordWrite } from './record-port.js';

/**
 * Writing to the system of record without ever holding a customer up (issue 14: "a database
 * outage delays the record but never loses it and never stops customers being answered").
 * Record items (tickets, their lifecycle, the archive, unanswered askings) ride the
 * conversation's outbox after its replies; each is written once when delivered. When the
 * database does not answer, the item is deferred, in order, to a shared Redis list instead of
 * being retried in the outbox (where it would hold the conversation's next replies), and the
 * record writer applies the backlog once the database is back. Every write is idempotent, so an
 * item applied twice (a crash between the write and the acknowledgement) changes nothing.
 */

/** The outbox effects that are writes to the system of record. */
export const RECORD_EFFECTS: ReadonlySet<OutboxItem['effect']['type']> = new Set([
  'ticket.put',
  'ticket.update',
  'unanswered.record',
  'record.archive',
]);

/**
 * The outbox effects that write to the record only, which a turn writes together (after its other
 * items, in one round of the database): an unanswered asking also counts in the store's hot list,
 * so it goes alone.
 */
export const RECORD_ONLY: ReadonlySet<OutboxItem['effect']['type']> = new Set(
  [...RECORD_EFFECTS].filter((type) => type !== 'unanswered.record'),
);

/** The record write an outbox item makes; undefined for an item that is not one (RECORD_EFFECTS). */
export function recordWriteOf(item: OutboxItem): RecordWrite | undefined {
  const e = item.effect;
  switch (e.type) {
    case 'ticket.put':
      return { type: 'ticket.put', ticket: e.ticket };
    case 'ticket.update':
      return { type: 'ticket.update', id: e.id, changes: e.changes, at: e.at, ifStatus: e.ifStatus };
    case 'unanswered.record':
      return {
        type: 'unanswered',
        asking: { text: e.text, locale: e.locale, at: e.at },
        ref: `${item.conversationId}\u0000${item.id}`,
      };
    case 'record.archive': {
      const conversation = { conversationId: item.conversationId, channel: item.channel, customerId: item.customerId };
      return { type: 'archive', conversation, entries: e.entries, opensSession: e.opensSession === true };
    }
    default:
      return undefined;
  }
}

/** Applies record items to the system of record, in order, all or none; throws when the database does not take them. */
export async function applyRecord(record: RecordStore, items: OutboxItem | readonly OutboxItem[]): Promise<void> {
  const writes = (Array.isArray(items) ? items : [items]).flatMap((item: OutboxItem) => recordWriteOf(item) ?? []);
  await record.write(writes);
}

/** A write the record will never take: logged with the whole item (nothing is lost from the log), not retried. */
function refused(log: Logger, item: OutboxItem, err: RecordRefused): void {
  log.error('the system of record refused a write; it is not retried', {
    conversationId: item.conversationId,
    item: item.id,
    effect: item.effect,
    error: err.message,
  });
}

/** After a failed write, how long the gate defers without trying (ms): one slow timeout, not one per item. */
const DOWN_MS = 5_000;
/** From which size of the backlog on the gate logs an error at each power of ten. */
const BACKLOG_LOUD_FROM = 1_000;
/** How long the gate trusts what it last saw of the backlog (ms). */
const BACKLOG_TTL_MS = 2_000;

/**
 * The courier's way to the record: writes now when the database answers and nothing older is
 * waiting (order is kept: a lifecycle step never lands before its ticket), defers otherwise.
 * Throws only when the deferral itself fails (Redis down): the item then stays in the outbox.
 */
export class RecordGate {
  private downUntil = 0;
  private backlog: { size: number; seenAt: number } = { size: 0, seenAt: -Infinity };
  /** The next backlog size at which this process logs an error. */
  private loudAt = BACKLOG_LOUD_FROM;

  constructor(private readonly deps: { record: RecordStore; store: Store; log: Logger; clock: () => number }) {}

  /**
   * Writes `items` (consecutive record items of a conversation: a turn's tickets, lifecycle and
   * archive) in one go when the database answers; defers them all, in order, when it does not. A
   * refusal (RecordRefused) writes them one by one, so only the refused one is left out (logged).
   */
  async write(items: OutboxItem | readonly OutboxItem[]): Promise<void> {
    const list: readonly OutboxItem[] = Array.isArray(items) ? items : [items];
    if (list.length === 0) return;
    const now = this.deps.clock();
    if (now < this.downUntil || (await this.waiting(now)) > 0) return this.deferAll(list);
    try {
      await applyRecord(this.deps.record, list);
    } catch (err) {
      if (err instanceof RecordRefused) {
        const [only] = list;
        if (list.length === 1 && only) return refused(this.deps.log, only, err);
        for (const item of list) await this.write(item);
        return;
      }
      this.downUntil = now + DOWN_MS;
      this.deps.log.warn(
        'the system of record did not take a write; it is deferred and applied once the database is back',
        {
          conversationId: list[0]?.conversationId,
          items: list.map((item) => item.id),
          effects: list.map((item) => item.effect.type),
          error: String(err),
        },
      );
      await this.deferAll(list);
    }
  }

  private async deferAll(items: readonly OutboxItem[]): Promise<void> {
    for (const item of items) await this.defer(item);
  }

  /** The backlog as last seen (refreshed every BACKLOG_TTL_MS). */
  private async waiting(now: number): Promise<number> {
    if (now - this.backlog.seenAt > BACKLOG_TTL_MS)
      this.backlog = { size: await this.deps.store.deferred.size(), seenAt: now };
    return this.backlog.size;
  }

  private async defer(item: OutboxItem): Promise<void> {
    await this.deps.store.deferred.push(item);
    const size = this.backlog.size + 1;
    this.backlog = { size, seenAt: this.backlog.seenAt };
    // The backlog lives in Redis and grows with every turn while the database is down: nothing is
    // dropped (it is the record), so the operator is told loudly at each power of ten from 1,000.
    if (size < this.loudAt) return;
    while (this.loudAt <= size) this.loudAt *= 10;
    this.deps.log.error('the record backlog keeps growing in Redis while the database is down', {
      waiting: size,
      what: 'record writes deferred; applied in order once the database answers (README: Operations)',
    });
  }
}

/**
 * Applies the deferred backlog to the system of record, oldest first, one writer at a time across
 * replicas. Stops at the first item the database refuses (it stays first, and the rest wait behind
 * it, in order); an unreadable entry is logged and dropped.
 */
export class RecordWriter {
  private readonly token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  /** The last try failed: the next failures of this outage are logged at debug. */
  private failing = false;

  constructor(
    private readonly deps: { record: RecordStore; store: Store; log: Logger; batch?: number; lockMs?: number },
  ) {}

  /** Applies what waits; resolves with how many items were applied (0 when another replica is at it). */
  async drain(): Promise<number> {
    const { store, record, log } = this.deps;
    const batch = this.deps.batch ?? 100;
    if (!(await store.deferred.lock(this.token, this.deps.lockMs ?? 30_000))) return 0;
    let applied = 0;
    try {
      for (;;) {
        const items = await store.deferred.peek(batch);
        if (items.length === 0) break;
        let done = 0;
        for (const item of items) {
          if (!item) {
            log.error('dropping an unreadable deferred record write');
            done++;
            continue;
          }
          try {
            await applyRecord(record, item);
          } catch (err) {
            if (err instanceof RecordRefused) {
              refused(log, item, err);
              done++;
              continue;
            }
            // Once an outage (warned), then quietly at each try until a write goes through: the
            // backlog's own size is logged at 1,000 and each power of ten after (RecordGate).
            const fields = { waiting: await store.deferred.size(), error: String(err) };
            if (this.failing) log.debug('the system of record is still not taking writes; the backlog waits', fields);
            else log.warn('the system of record is not taking writes; the backlog waits', fields);
            this.failing = true;
            await store.deferred.drop(done);
            return applied + done;
          }
          this.failing = false;
          done++;
        }
        await store.deferred.drop(done);
        applied += done;
        if (items.length < batch) break;
      }
      if (applied > 0) log.info('deferred record writes applied', { applied });
      return applied;
    } finally {
      await store.deferred.unlock(this.token);
    }
  }
}
