import { MemoryDeferred } from './deferred.js';
import { MemoryTickets } from './memory-tickets.js';
import { randomUUID } from 'node:crypto';
import { LeaseLostError } from '../../bots/errors.js';
import {
  type Begun,
  type CorruptEntry,
  DROP_HEAD,
  type InboundEvent,
  OUTBOX_PAGE,
  type ConversationRecord,
  type DueTimer,
  type Lease,
  type OutboxItem,
  type DeferredRecords,
  type Store,
  type TicketStore,
  type LinkStore,
  type RateStore,
  type QueueStore,
  type TimerSpec,
  type TimerStore,
  type TransferStore,
  type TranscriptEntry,
  type TurnCommit,
  type UnansweredQuery,
  type UnansweredQuestion,
  type UnansweredStore,
} from '../../bots/ports.js';
import {
  averageWait,
  inboundId,
  keptLine,
  parseInbound,
  parseTimer,
  RECENT_WAITS,
  splitHandle,
  storeLimits,
  evictionOrder,
  timerData,
  timerHandle,
  timerMember,
  unansweredMember,
  unansweredOrder,
  unansweredQuery,
  waitSeconds,
  type StoreLimits,
} from './shared.js';

interface ConversationSlot {
  inbox: string[];
  outbox: OutboxItem[];
  transcript: TranscriptEntry[];
  record?: { value: ConversationRecord; expiresAt: number };
  lock?: { token: string; expiresAt: number };
}

/**
 * The embedded default: one process, nothing on disk. Same semantics as the Redis store (dedup
 * window, leases, atomic turns, timer leases) so the playground behaves like production.
 * Values are copied in and out as JSON, as they would be through Redis.
 */
export class MemoryStore implements Store {
  readonly tickets: TicketStore;
  readonly timers: TimerStore;
  readonly queue: QueueStore = new MemoryQueue();
  readonly links: LinkStore;
  readonly rates: RateStore = new MemoryRates();
  readonly unanswered: UnansweredStore;
  readonly transfers: TransferStore;
  private readonly conversations = new Map<string, ConversationSlot>();
  /** Per conversation, the event ids remembered → until when (epoch ms), oldest accepted first: at most `dedupIds`. */
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly pendingSet = new Set<string>();
  private readonly limits: StoreLimits;

  readonly deferred: DeferredRecords;

  constructor(
    private readonly clock: () => number = Date.now,
    limits: Partial<StoreLimits> = {},
    /** Where tickets live: the system of record (issue 14); in memory when not given. */
    tickets?: TicketStore,
  ) {
    this.limits = storeLimits(limits);
    this.tickets = tickets ?? new MemoryTickets();
    this.deferred = new MemoryDeferred(clock);
    this.links = new MemoryLinks(clock);
    this.timers = new MemoryTimers();
    this.unanswered = new MemoryUnanswered(clock, this.limits);
    // Transfers done, by conversation and transfer id → when that is forgotten (epoch ms).
    const done = new Map<string, number>();
    this.transfers = {
      done: async (c, id) => (done.get(`${c}\u0000${id}`) ?? 0) > clock(),
      markDone: async (c, id) => {
        const now = clock();
        if (done.size > 10_000) for (const [k, t] of done) if (t <= now) done.delete(k);
        done.set(`${c}\u0000${id}`, now + this.limits.dedupTtlSec * 1000);
      },
    };
  }

  private slot(id: string): ConversationSlot {
    let s = this.conversations.get(id);
    if (!s) {
      s = { inbox: [], outbox: [], transcript: [] };
      this.conversations.set(id, s);
    }
    return s;
  }

  private holds(lease: Lease): boolean {
    const lock = this.conversations.get(lease.conversationId)?.lock;
    return lock !== undefined && lock.token === lease.token && lock.expiresAt > this.clock();
  }

  async accept(event: InboundEvent): Promise<boolean> {
    const now = this.clock();
    const ids = this.seen.get(event.conversationId) ?? new Map<string, number>();
    if ((ids.get(event.id) ?? 0) > now) return false;
    // Conversations whose every id has expired are let go now and then, as Redis expires the set.
    if (ids.size === 0 && this.seen.size > 10_000)
      for (const [c, kept] of this.seen) if (([...kept.values()].at(-1) ?? 0) <= now) this.seen.delete(c);
    // Moved to the end (the latest); the oldest beyond the window go, as in the Redis store.
    ids.delete(event.id);
    this.seen.set(event.conversationId, ids.set(event.id, now + this.limits.dedupTtlSec * 1000));
    for (const id of ids.keys()) if (ids.size > this.limits.dedupIds) ids.delete(id);
    this.pendingSet.add(event.conversationId);
    this.slot(event.conversationId).inbox.push(JSON.stringify(event));
    return true;
  }

  async acceptAndBegin(
    event: InboundEvent,
    ttlMs: number,
  ): Promise<{ duplicate: true } | { duplicate: false; begun: Begun | undefined }> {
    if (!(await this.accept(event))) return { duplicate: true };
    return { duplicate: false, begun: await this.begin(event.conversationId, ttlMs) };
  }

  /** Takes the lock unless a live lease holds it (begin's first step). */
  private lock(conversationId: string, ttlMs: number): Lease | undefined {
    const s = this.slot(conversationId);
    const now = this.clock();
    if (s.lock && s.lock.expiresAt > now) return undefined;
    const token = randomUUID();
    s.lock = { token, expiresAt: now + ttlMs };
    return { conversationId, token };
  }

  async begin(conversationId: string, ttlMs: number): Promise<Begun | undefined> {
    const lease = this.lock(conversationId, ttlMs);
    if (!lease) return undefined;
    const [outbox, next, record] = await Promise.all([
      this.peekOutbox(conversationId, OUTBOX_PAGE),
      this.peekInbox(conversationId),
      this.load(conversationId),
    ]);
    return { lease, outbox, next, record };
  }

  async unlock(lease: Lease, delivered: readonly string[] = []): Promise<{ inbox: number; outbox: number }> {
    if (this.holds(lease)) await this.ackOutbox(lease, delivered);
    const s = this.conversations.get(lease.conversationId);
    if (s?.lock?.token === lease.token) delete s.lock;
    const left = { inbox: s?.inbox.length ?? 0, outbox: s?.outbox.length ?? 0 };
    if (left.inbox === 0 && left.outbox === 0) this.pendingSet.delete(lease.conversationId);
    return left;
  }

  async extend(lease: Lease, ttlMs: number): Promise<boolean> {
    if (!this.holds(lease)) return false;
    const lock = this.slot(lease.conversationId).lock;
    if (lock) lock.expiresAt = this.clock() + ttlMs;
    return true;
  }

  async peekInbox(conversationId: string): Promise<InboundEvent | CorruptEntry | undefined> {
    const raw = this.conversations.get(conversationId)?.inbox[0];
    if (raw === undefined) return undefined;
    return parseInbound(raw);
  }

  async load(conversationId: string): Promise<ConversationRecord | CorruptEntry | undefined> {
    const r = this.conversations.get(conversationId)?.record;
    if (!r || r.expiresAt <= this.clock()) return undefined;
    return copy(r.value);
  }

  async commit(lease: Lease, turn: TurnCommit): Promise<number> {
    if (!this.holds(lease)) throw new LeaseLostError(lease.conversationId);
    const s = this.slot(lease.conversationId);
    const head = s.inbox[0];
    if (head !== undefined && (turn.eventId === DROP_HEAD || inboundId(head) === turn.eventId)) s.inbox.shift();
    const now = this.clock();
    const expiresAt = now + this.limits.stateTtlSec * 1000;
    if (turn.record) s.record = { value: copy(turn.record), expiresAt };
    else if (s.record) s.record.expiresAt = expiresAt;
    s.transcript.push(...turn.transcript.map(keptLine));
    if (s.transcript.length > this.limits.transcriptMax)
      s.transcript.splice(0, s.transcript.length - this.limits.transcriptMax);
    s.outbox.push(...copy(turn.outbox));
    return s.inbox.length;
  }

  async peekOutbox(conversationId: string, limit: number): Promise<OutboxItem[]> {
    return (this.conversations.get(conversationId)?.outbox.slice(0, limit) ?? []).map(copy);
  }

  async ackOutbox(lease: Lease, itemIds: readonly string[]): Promise<void> {
    if (itemIds.length === 0) return;
    if (!this.holds(lease)) throw new LeaseLostError(lease.conversationId);
    const s = this.slot(lease.conversationId);
    for (const id of itemIds) {
      if (s.outbox[0]?.id !== id) break;
      s.outbox.shift();
    }
  }

  async transcript(conversationId: string, limit: number): Promise<TranscriptEntry[]> {
    return (this.conversations.get(conversationId)?.transcript ?? []).slice(-limit).map((e) => ({ ...e }));
  }

  async pending(limit: number): Promise<string[]> {
    return [...this.pendingSet].slice(0, limit);
  }

  async forget(conversationId: string): Promise<void> {
    const timers = this.conversations.get(conversationId)?.record?.value.timers ?? {};
    for (const name of Object.keys(timers)) await this.timers.cancel(conversationId, name);
    this.conversations.delete(conversationId);
    this.pendingSet.delete(conversationId);
  }

  async close(): Promise<void> {}
}

class MemoryTimers implements TimerStore {
  /** member → due time (or lease expiry while claimed), and the timer it stands for. */
  private readonly due = new Map<string, { score: number; timer: string }>();

  async schedule(timer: TimerSpec): Promise<void> {
    this.due.set(timerMember(timer.conversationId, timer.name), { score: timer.dueAt, timer: timerData(timer) });
  }

  async cancel(conversationId: string, name: string): Promise<void> {
    this.due.delete(timerMember(conversationId, name));
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<DueTimer[]> {
    const ready = [...this.due.entries()]
      .filter(([, v]) => v.score <= now)
      .sort((a, b) => a[1].score - b[1].score)
      .slice(0, limit);
    const out: DueTimer[] = [];
    for (const [member, v] of ready) {
      const t = parseTimer(v.timer, member);
      if (!t) {
        this.due.delete(member);
        continue;
      }
      v.score = now + leaseMs;
      out.push({ ...t, handle: timerHandle(member, v.timer) });
    }
    return out;
  }

  async complete(timer: DueTimer): Promise<void> {
    const [member, raw] = splitHandle(timer.handle);
    if (this.due.get(member)?.timer === raw) this.due.delete(member);
  }
}

class MemoryRates implements RateStore {
  private readonly windows = new Map<string, { second: number; used: number }>();
  async take(key: string, perSecond: number, now: number): Promise<number> {
    const second = Math.floor(now / 1000);
    const w = this.windows.get(key);
    const current = w && w.second === second ? w : { second, used: 0 };
    this.windows.set(key, current);
    if (current.used < perSecond) {
      current.used++;
      return 0;
    }
    return (second + 1) * 1000 - now;
  }
}

/** Links with their expiry on the store's clock (epoch ms). */
class MemoryLinks implements LinkStore {
  private readonly map = new Map<string, { value: string; expiresAt: number }>();
  constructor(private readonly clock: () => number) {}
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.map.set(key, { value, expiresAt: this.clock() + ttlMs });
  }
  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }
  async touch(keys: readonly string[], ttlMs: number): Promise<void> {
    for (const key of keys) {
      const link = this.live(key);
      if (link) link.expiresAt = this.clock() + ttlMs;
    }
  }
  /** The link under `key` unless it expired (then it is forgotten). */
  private live(key: string): { value: string; expiresAt: number } | undefined {
    const link = this.map.get(key);
    if (link && link.expiresAt > this.clock()) return link;
    this.map.delete(key);
    return undefined;
  }
}

class MemoryQueue implements QueueStore {
  private readonly waiting = new Map<string, number>();
  private readonly waits: number[] = [];

  async join(conversationId: string, at: number): Promise<void> {
    if (!this.waiting.has(conversationId)) this.waiting.set(conversationId, at);
  }

  async position(conversationId: string): Promise<number | undefined> {
    const at = this.waiting.get(conversationId);
    if (at === undefined) return undefined;
    return [...this.waiting.entries()].filter(([id, t]) => t < at || (t === at && id < conversationId)).length + 1;
  }

  async leave(conversationId: string, at: number, claimed: boolean): Promise<number | undefined> {
    const since = this.waiting.get(conversationId);
    this.waiting.delete(conversationId);
    if (!claimed || since === undefined) return undefined;
    const wait = waitSeconds(since, at);
    this.waits.unshift(wait);
    this.waits.splice(RECENT_WAITS);
    return wait;
  }

  async averageWaitSeconds(): Promise<number | undefined> {
    return averageWait(this.waits);
  }

  async list(limit: number): Promise<Array<{ conversationId: string; since: number }>> {
    return [...this.waiting.entries()]
      .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([conversationId, since]) => ({ conversationId, since }));
  }
}

class MemoryUnanswered implements UnansweredStore {
  private readonly questions = new Map<string, UnansweredQuestion>();
  /** Askings already counted (conversation + outbox item) → when that is forgotten (epoch ms). */
  private readonly counted = new Map<string, number>();

  constructor(
    private readonly clock: () => number,
    private readonly limits: StoreLimits,
  ) {}

  async record(asking: { text: string; locale: string; at: number }, ref: string): Promise<void> {
    const now = this.clock();
    if ((this.counted.get(ref) ?? 0) > now) return;
    this.counted.set(ref, now + this.limits.dedupTtlSec * 1000);
    if (this.counted.size > 100_000) for (const [k, t] of this.counted) if (t <= now) this.counted.delete(k);
    const member = unansweredMember(asking.locale, asking.text);
    const q = this.questions.get(member);
    if (q) {
      q.count++;
      q.lastSeen = Math.max(q.lastSeen, asking.at);
    } else {
      const { text, locale, at } = asking;
      this.questions.set(member, { text, locale, count: 1, firstSeen: at, lastSeen: at });
    }
    const over = this.questions.size - this.limits.unansweredMax;
    if (over <= 0) return;
    const oldest = [...this.questions.entries()]
      .map(([m, v]) => ({ member: m, lastSeen: v.lastSeen }))
      .sort(evictionOrder)
      .slice(0, over);
    for (const { member: m } of oldest) this.questions.delete(m);
  }

  async list(query: UnansweredQuery = {}): Promise<UnansweredQuestion[]> {
    const { limit, sort, matches } = unansweredQuery(query);
    return [...this.questions.values()]
      .filter(matches)
      .sort(unansweredOrder(sort))
      .slice(0, limit)
      .map((q) => ({ ...q }));
  }
}

/** Values go in and out as JSON, as through Redis: a caller can never alias what the store keeps. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
