import type { ConversationFlow } from '../flows/step.js';
import { forEachConcurrently } from './concurrently.js';
import { flowInput } from './flow-input.js';
import { stepLogged, type EngineCounters } from './step-logged.js';
import { Courier } from './delivery.js';
import type { RecordStore } from './record-port.js';
import { RecordGate, RECORD_ONLY } from './record-writes.js';
import { LeaseLostError } from './errors.js';
import type { Logger } from './log.js';

export type { EngineCounters } from './step-logged.js';
import type { Metrics } from './metrics.js';
import {
  DROP_HEAD,
  InboundEvent,
  OUTBOX_PAGE,
  type AcceptResult,
  type Begun,
  type ChannelPort,
  type ConversationRecord,
  type CorruptEntry,
  type DeskPort,
  type Lease,
  type OutboxItem,
  type ReceiveResult,
  type Store,
} from './ports.js';
import { outboxOf, transcriptOf } from './transcript.js';

/**
 * Runs one turn of one conversation, the same way for every channel:
 * claim the event once → serialise behind the conversation's lock → load → pure step →
 * commit state, transcript and outbox atomically → deliver the outbox.
 * Holds no conversation state in memory: any replica can run any turn.
 */

export interface EngineOptions {
  /** How long a worker may hold a conversation before another may take over (ms). */
  lockTtlMs: number;
  /** Delivery attempts within one run before the item waits for the next sweep. */
  deliveryAttempts: number;
  /** Backoff before the n-th retry (ms). */
  backoffMs: (attempt: number) => number;
  /**
   * How long desk items wait out a desk that is down or refusing (ms, default 10 minutes): until
   * then they are kept, in order, and retried by each sweep; after it they are given up and the
   * conversation falls back to the no-desk path (issue 16, fault 4).
   */
  deskOutageWindowMs: number;
}

export interface EngineDeps {
  store: Store;
  /** The flow in force now; a reload swaps it between turns. */
  flow: () => ConversationFlow;
  channels: ReadonlyMap<string, ChannelPort>;
  /** Where handoffs go; without one, handoffs are recorded and the customer is told. */
  desk?: DeskPort | undefined;
  clock: () => number;
  log: Logger;
  /** Waits between delivery retries; tests pass an instant one. */
  sleep?: (ms: number) => Promise<void>;
  options?: Partial<EngineOptions>;
  /**
   * The system of record (issue 14). With it, every turn's transcript is archived there, and
   * tickets, their lifecycle and unanswered askings are written there (deferred while the database
   * is down, never holding a reply up). The store's `tickets` should then be the record's.
   */
  record?: RecordStore | undefined;
  /** The operator's counts (bots/metrics.ts): inbound events by result, turns and their duration. */
  metrics?: Pick<Metrics, 'inbound' | 'turnStarted'> | undefined;
}

const DEFAULTS: EngineOptions = {
  lockTtlMs: 30_000,
  deliveryAttempts: 3,
  backoffMs: (n) => Math.min(5_000, 250 * 2 ** n),
  deskOutageWindowMs: 10 * 60_000,
};

/** The inbox head as the worker knows it: the next event (or none), or `unknown` when it must look. */
type NextEvent = InboundEvent | CorruptEntry | undefined | 'unknown';

export class Engine {
  readonly counters: EngineCounters = { snapshotResets: 0, flowErrors: 0 };
  private readonly options: EngineOptions;
  private readonly courier: Courier;
  /** The leases of the conversations held now; undefined once handed back (`release`): nothing more is taken. */
  private held: Set<Lease> | undefined = new Set();

  constructor(private readonly deps: EngineDeps) {
    this.options = { ...DEFAULTS, ...deps.options };
    this.courier = new Courier({
      ...deps,
      ...(deps.record
        ? { records: new RecordGate({ record: deps.record, store: deps.store, log: deps.log, clock: deps.clock }) }
        : {}),
      options: this.options,
      sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    });
  }

  /**
   * Validates and durably accepts an event, then runs the conversation. Resolves once the event
   * is stored: when this worker got the lock, also once it has been processed and delivered.
   */
  async receive(raw: unknown): Promise<ReceiveResult> {
    const result = await this.accept(raw, { begin: true });
    if (result.status !== 'accepted') return result;
    await this.run(result.conversationId, result.begun);
    return { status: 'accepted', conversationId: result.conversationId };
  }

  /**
   * Validates an event and stores it durably, without running the turn: a webhook answers the
   * platform as soon as this resolves and runs the conversation afterwards, with `run(id, begun)`.
   * With `begin`, the conversation's lock is taken in the same step when it is free: the caller
   * then holds it (in `begun`) and must call `run` with it, which releases it. With `ignored`, the
   * event stands for an update the bot does not serve (a group's notice): counted `ignored`.
   */
  async accept(
    raw: unknown,
    { begin = false, ignored = false }: { begin?: boolean; ignored?: boolean } = {},
  ): Promise<AcceptResult> {
    const parsed = InboundEvent.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
      this.deps.log.warn('inbound event rejected', { problems });
      this.deps.metrics?.inbound('unknown', 'unknown', 'invalid');
      return { status: 'rejected', problems };
    }
    const event = parsed.data;
    const r = begin
      ? await this.deps.store.acceptAndBegin(event, this.options.lockTtlMs)
      : { duplicate: !(await this.deps.store.accept(event)), begun: undefined };
    const counted = ignored ? 'ignored' : r.duplicate ? 'duplicate' : 'accepted';
    this.deps.metrics?.inbound(event.channel, event.payload.type, counted);
    if (r.duplicate) {
      this.deps.log.debug('duplicate event ignored', { conversationId: event.conversationId, eventId: event.id });
      return { status: 'duplicate' };
    }
    return { status: 'accepted', conversationId: event.conversationId, begun: r.begun };
  }

  /**
   * Processes everything waiting for a conversation, if no other worker is doing so (`begun`: the
   * lock is already held, from `accept`). Releasing the lock reports what arrived meanwhile, which
   * closes the window where an event arrives just as the holder finishes.
   */
  async run(conversationId: string, begun?: Begun): Promise<void> {
    const { store } = this.deps;
    const log = this.deps.log.child({ conversationId });
    for (let first = begun; ; first = undefined) {
      const held = first ?? (await store.begin(conversationId, this.options.lockTtlMs));
      if (!held) return;
      // Handed back (`release`) meanwhile: this lock goes back too.
      if (!this.held) return void (await store.unlock(held.lease).catch(() => undefined));
      this.held.add(held.lease);
      const stopBeat = this.heartbeat(held.lease);
      let stuck = false;
      let delivered: readonly string[] = [];
      let left = { inbox: 0, outbox: 0 };
      try {
        ({ stuck, delivered } = await this.drain(held));
      } catch (err) {
        // The work stays in the store; the next sweep (or the lock's next holder) picks it up.
        stuck = true;
        if (err instanceof LeaseLostError) log.warn(err.message, { conversationId });
        else log.error('turn failed; its event stays queued', { conversationId, error: String(err) });
      } finally {
        stopBeat();
        this.held?.delete(held.lease);
        left = await store.unlock(held.lease, delivered).catch((err: unknown) => {
          // The lock expires by itself and the conversation stays pending: the sweep comes back for it.
          log.warn('unlock failed; the recovery sweep will pick the conversation up', {
            conversationId,
            error: String(err),
          });
          return { inbox: 0, outbox: 1 };
        });
      }
      // Stuck work waits for the recovery sweep; something that arrived meanwhile is run now.
      if (stuck || left.outbox > 0 || left.inbox === 0) return;
    }
  }

  /**
   * Hands back every conversation held here (a shutdown past its bound): each lock is released now, not at its TTL;
   * turns still running here fail their next write (LeaseLostError), and nothing more is taken. The next holder
   * resends what was sent unacknowledged: at most one item per conversation. Resolves with how many were handed back.
   */
  async release(): Promise<number> {
    const leases = [...(this.held ?? [])];
    this.held = undefined;
    const { store, log } = this.deps;
    const unlock = (lease: Lease) =>
      store.unlock(lease).catch((err: unknown) => {
        const { conversationId } = lease;
        log.warn('a conversation could not be handed back; its lock runs out', { conversationId, error: String(err) });
      });
    await Promise.all(leases.map(unlock));
    return leases.length;
  }

  /**
   * Picks up conversations left with work by a crashed or busy worker. Runs several at once: one
   * waiting on a slow channel (per-chat pacing, retry_after) must not hold up the rest.
   */
  async recover(limit = 100, concurrency = 32): Promise<number> {
    const ids = await this.deps.store.pending(limit);
    await forEachConcurrently(ids, concurrency, (id) => this.run(id));
    return ids.length;
  }

  /**
   * Delivers what is waiting, then runs the next event, until both are empty.
   * Invariant at the top of the loop: `items` are undelivered outbox items in order (possibly more
   * in the store when a full page), `next` is the inbox head or 'unknown', and `state` is the record
   * as this worker last wrote it (undefined: load it). Returns `stuck` when delivery keeps failing
   * and the rest should wait for a later sweep; `delivered`: items sent last and not acknowledged
   * yet, which releasing the lock acknowledges in the same round trip.
   */
  private async drain(begun: Begun): Promise<{ stuck: boolean; delivered: readonly string[] }> {
    const { store } = this.deps;
    const { lease } = begun;
    const id = lease.conversationId;
    const peek = async (next: NextEvent) => (next === 'unknown' ? store.peekInbox(id) : next);
    let items: readonly OutboxItem[] = begun.outbox;
    let next: NextEvent = begun.next;
    // While the lock is held nobody else writes the state: each turn's result is the next input.
    let state: { record: ConversationRecord | undefined } | undefined = { record: this.readable(id, begun.record) };
    for (;;) {
      let acked: Promise<void> | undefined;
      if (items.length > 0) {
        const { stuck, delivered } = await this.courier.deliver(lease, items);
        const more = items.length >= OUTBOX_PAGE;
        // Nothing else to do: unlocking acknowledges the last items.
        if (!stuck && !more && next === undefined) return { stuck: false, delivered };
        if (stuck || more) {
          await store.ackOutbox(lease, delivered);
          if (stuck) {
            // Delivery keeps failing: still take the customer's next message so the conversation
            // keeps up; its replies queue behind the stuck ones, in order.
            const waiting = await peek(next);
            if (waiting === undefined) return { stuck: true, delivered: [] };
            await this.turn(lease, waiting, state);
            state = undefined;
          }
          [items, next] = await Promise.all([store.peekOutbox(id, OUTBOX_PAGE), store.peekInbox(id)]);
          continue;
        }
        // Acknowledged in the same round trip to Redis as the next event is read (below).
        acked = store.ackOutbox(lease, delivered);
        items = [];
      }
      const [event] = await Promise.all([peek(next), acked]);
      if (event === undefined) return { stuck: false, delivered: [] };
      const done = await this.turn(lease, event, state);
      items = done.outbox;
      state = { record: done.record };
      next = done.waiting === 0 ? undefined : 'unknown';
    }
  }

  /**
   * Runs one event. `known` is the state when the caller has it (it holds the lock and wrote it
   * last); otherwise it is loaded.
   */
  private async turn(
    lease: Lease,
    next: InboundEvent | CorruptEntry,
    known: { record: ConversationRecord | undefined } | undefined,
  ): Promise<{ outbox: OutboxItem[]; record: ConversationRecord | undefined; waiting: number }> {
    const { store } = this.deps;
    const log = this.deps.log.child({ conversationId: lease.conversationId });
    if ('corrupt' in next) {
      // Unreadable entries are dropped with a trace rather than blocking the conversation forever.
      log.error('dropping unreadable inbox entry', {
        conversationId: lease.conversationId,
        entry: next.corrupt.slice(0, 500),
      });
      const waiting = await store.commit(lease, { eventId: DROP_HEAD, record: undefined, transcript: [], outbox: [] });
      return { outbox: [], record: known?.record, waiting };
    }
    const event = next;
    const counted = this.deps.metrics?.turnStarted();
    const flow = this.deps.flow();
    const record = known ? known.record : this.readable(event.conversationId, await store.load(event.conversationId));
    const result = stepLogged(flow, record, await flowInput(event, this.deps), event.id, this.deps.log, this.counters);
    // A pressed button reads as the label the customer saw, in any desk language.
    const labels: Readonly<Record<string, string>> = flow.bundle.locales.get(result.locale)?.definition.choices ?? {};
    const transcript = transcriptOf(event, result.effects, labels);
    let outbox = outboxOf(
      event,
      result,
      this.deps.channels.get(result.channel || event.channel)?.split,
      this.deps.clock(),
    );
    // The turn's lines for the archive, after its replies: the record never holds a customer up.
    if (this.deps.record && transcript.length > 0)
      outbox.push({
        id: `${event.id}#archive`,
        conversationId: event.conversationId,
        channel: result.channel || event.channel,
        customerId: result.customerId || event.customer?.id || '',
        at: this.deps.clock(),
        effect: { type: 'record.archive', entries: transcript, ...(result.opensSession ? { opensSession: true } : {}) },
      });
    // With a record, its writes go last, in their order: the courier makes them in one round of the
    // database (a transaction) after everything the customer and the desk see.
    if (this.deps.record) outbox = recordLast(outbox);
    const waiting = await store.commit(lease, { eventId: event.id, record: result.record, transcript, outbox });
    counted?.();
    log.debug('turn committed', {
      conversationId: event.conversationId,
      eventId: event.id,
      flowState: result.state,
      effects: result.effects.length,
    });
    return { outbox, record: result.record ?? record, waiting };
  }

  /** A stored state the store could not read: reported and counted, and the conversation starts over. */
  private readable(
    conversationId: string,
    record: ConversationRecord | CorruptEntry | undefined,
  ): ConversationRecord | undefined {
    if (!record || !('corrupt' in record)) return record;
    this.counters.snapshotResets++;
    this.deps.log.error('stored conversation state is unreadable; the conversation starts over', {
      conversationId,
      state: record.corrupt.slice(0, 500),
    });
    return undefined;
  }

  /**
   * Keeps the lease alive for as long as this worker holds the conversation: sends can wait long
   * in a channel's pacing queue, and a lease that lapsed meanwhile would let another worker send
   * the same items again. Returns the stop function.
   */
  private heartbeat(lease: Lease): () => void {
    const ttl = this.options.lockTtlMs;
    const beat = setInterval(
      () => {
        this.deps.store.extend(lease, ttl).catch((err: unknown) => {
          // Not fatal by itself: a lapsed lease is refused at the next write (LeaseLostError).
          this.deps.log.warn('lease heartbeat failed', { conversationId: lease.conversationId, error: String(err) });
        });
      },
      Math.max(1_000, ttl / 3),
    );
    return () => clearInterval(beat);
  }
}

/** The items in their order, the writes to the record only (RECORD_ONLY) moved after the others. */
function recordLast(items: OutboxItem[]): OutboxItem[] {
  const records = items.filter((i) => RECORD_ONLY.has(i.effect.type));
  if (records.length === 0 || records.length === items.length) return items;
  return [...items.filter((i) => !RECORD_ONLY.has(i.effect.type)), ...records];
}
