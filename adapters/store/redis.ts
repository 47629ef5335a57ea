import { RedisDeferred } from './deferred.js';
import type { DeferredRecords } from '../../bots/ports.js';
import { randomUUID } from 'node:crypto';
import { LeaseLostError, ServiceBotError } from '../../bots/errors.js';
import {
  ConversationRecord,
  DROP_HEAD,
  OUTBOX_PAGE,
  OutboxItem,
  type Begun,
  type TranscriptEntry,
  type CorruptEntry,
  type InboundEvent,
  type Lease,
  type Store,
  type TicketStore,
  type LinkStore,
  type RateStore,
  type QueueStore,
  type TimerStore,
  type TurnCommit,
  type TransferStore,
  type UnansweredStore,
} from '../../bots/ports.js';
import {
  createRedisClient,
  describeTarget,
  isCluster,
  type RedisClient,
  type RedisClientOptions,
  type RedisTarget,
} from './redis-client.js';
import { build, SCRIPTS, type BeginReply, type Script } from './redis-scripts.js';
import { RedisQueue, RedisTimers, RedisUnanswered, type Runner } from './redis-shared.js';
import { RedisLinks } from './redis-links.js';
import { RedisTickets } from './redis-tickets.js';
import { decodeLine, encodeLine, parseInbound, parseRecord, storeLimits, type StoreLimits } from './shared.js';

/**
 * Production store, on one Redis server or a Redis Cluster. Every key of one conversation carries
 * the hash tag `{c:<id>}`, so the multi-key scripts (accept, commit, ack; see redis-scripts.ts)
 * stay atomic on a cluster too. Global structures (tickets, timers, the pending set) have their
 * own tags and are written outside the per-conversation scripts.
 */

/** Where Redis is (`url`, or `cluster`: see redis-client.ts) and how the store uses it. */
export type RedisStoreOptions = RedisTarget & {
  /** Prefix of every key, so several deployments (or test runs) can share one server. */
  prefix?: string;
  limits?: Partial<StoreLimits>;
  redisOptions?: RedisClientOptions;
  /** Where tickets live: the system of record (issue 14); in Redis (one hash) when not given. */
  tickets?: TicketStore | undefined;
};

export class RedisStore implements Store {
  readonly tickets: TicketStore;
  readonly timers: TimerStore;
  readonly queue: QueueStore;
  readonly links: LinkStore;
  readonly rates: RateStore;
  readonly unanswered: UnansweredStore;
  readonly transfers: TransferStore;
  readonly deferred: DeferredRecords;
  private readonly limits: StoreLimits;
  private readonly p: string;
  /** The set of conversations with work waiting (an inbox or outbox not empty), for sweeps. */
  private readonly pendingKey: string;
  /** The ioredis command each script is defined as. */
  private readonly commands = new Map<object, string>();
  /**
   * On a cluster, the pending set and a conversation's keys live on different servers, so two
   * commands sent together may run in either order: the store then waits for the first where the
   * order matters (accept, unlock). On one server, the accept and unlock scripts mark and unmark
   * the conversation themselves, in the same step (one command instead of two or three).
   */
  private readonly ordered: boolean;

  private constructor(
    private readonly redis: RedisClient,
    prefix: string,
    limits: Partial<StoreLimits>,
    tickets: TicketStore | undefined,
  ) {
    this.p = prefix;
    this.pendingKey = `${prefix}{pending}`;
    this.ordered = isCluster(redis);
    this.limits = storeLimits(limits);
    for (const [name, s] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { numberOfKeys: s.keys.length, lua: s.lua });
      this.commands.set(s, name);
    }
    const run: Runner = (s, keys, args) => this.run(s, keys, args);
    this.tickets = tickets ?? new RedisTickets(redis, prefix, run);
    this.deferred = new RedisDeferred(redis, prefix);
    this.timers = new RedisTimers(prefix, run);
    this.queue = new RedisQueue(redis, prefix);
    this.unanswered = new RedisUnanswered(redis, prefix, run, this.limits);
    this.rates = {
      take: async (key, perSecond, now) =>
        this.run(
          SCRIPTS.takeSend,
          { counter: `${prefix}{rates}:${key}:${Math.floor(now / 1000)}` },
          { perSecond, now },
        ),
    };
    // One key per transfer done, in the conversation's hash slot, forgotten after the dedup window.
    this.transfers = {
      done: async (c, id) => (await redis.exists(this.k(c, `xfer:${id}`))) === 1,
      markDone: async (c, id) => void (await redis.set(this.k(c, `xfer:${id}`), '1', 'EX', this.limits.dedupTtlSec)),
    };
    this.links = new RedisLinks(redis, prefix);
  }

  /** Connects and checks the server answers, with an error that says where it looked. */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    // Auto-pipelining sends the commands of one tick in one write: a turn issues several at once.
    const target: RedisTarget = 'url' in options ? { url: options.url } : { cluster: options.cluster };
    const redis = createRedisClient(target, {
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
      ...options.redisOptions,
    });
    redis.on('error', () => {
      // Reported through failed commands; without a listener ioredis prints every reconnect.
    });
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      throw new ServiceBotError(
        'STORE_UNAVAILABLE',
        `Cannot reach Redis at ${describeTarget(target)}: ${(err as Error).message.replace(/\.+$/, '')}. Start a Redis server or fix ${'url' in target ? 'REDIS_URL' : 'REDIS_CLUSTER_NODES'}.`,
      );
    }
    return new RedisStore(redis, options.prefix ?? 'csb:', options.limits ?? {}, options.tickets);
  }

  /** Runs a script (one EVALSHA) and reads its reply. */
  private async run<K extends string, A, R>(
    s: Script<K, A, R>,
    keys: Readonly<Record<K, string>>,
    args: A,
  ): Promise<R> {
    const name = this.commands.get(s) ?? '';
    // defineCommand adds the method at run time; its type cannot say so.
    const fn = (
      this.redis as unknown as Record<string, ((...a: Array<string | number>) => Promise<unknown>) | undefined>
    )[name];
    if (!fn) throw new TypeError(`Redis script not defined: ${name || s.keys.join(',')}`);
    const call = build(s, keys, args);
    return s.reply(await fn.call(this.redis, ...call.keys, ...call.args));
  }

  async forget(conversationId: string): Promise<void> {
    const record = await this.load(conversationId);
    const timers = record && !('corrupt' in record) ? Object.keys(record.timers) : [];
    for (const name of timers) await this.timers.cancel(conversationId, name);
    await this.redis.del(...Object.values(this.keys(conversationId)));
    await this.redis.srem(this.pendingKey, conversationId);
  }

  private k(conversationId: string, part: string): string {
    return `${this.p}{c:${conversationId}}:${part}`;
  }

  /** Every key of one conversation (one hash tag); scripts take the ones they name. */
  private keys(conversationId: string): Record<'lock' | 'inbox' | 'outbox' | 'state' | 'seen' | 'transcript', string> {
    const k = (part: string) => this.k(conversationId, part);
    return {
      lock: k('lock'),
      inbox: k('inbox'),
      outbox: k('outbox'),
      state: k('state'),
      seen: k('seen'),
      transcript: k('transcript'),
    };
  }

  async accept(event: InboundEvent): Promise<boolean> {
    return (await this.push(event, undefined)) !== 0;
  }

  async acceptAndBegin(
    event: InboundEvent,
    ttlMs: number,
  ): Promise<{ duplicate: true } | { duplicate: false; begun: Begun | undefined }> {
    const r = await this.push(event, ttlMs);
    if (r === 0) return { duplicate: true };
    return {
      duplicate: false,
      begun:
        r === 1
          ? undefined
          : this.begun(event.conversationId, r.token, r.reply, r.json === r.reply[1] ? event : undefined),
    };
  }

  /** The accept script: 0 when seen before, 1 when queued, or the begun reply when `ttlMs` is given and the lock was free. */
  private async push(
    event: InboundEvent,
    ttlMs: number | undefined,
  ): Promise<0 | 1 | { token: string; json: string; reply: BeginReply }> {
    const c = event.conversationId;
    const json = JSON.stringify(event);
    const token = randomUUID();
    const args = {
      dedupTtlSec: this.limits.dedupTtlSec,
      dedupIds: this.limits.dedupIds,
      event: json,
      token,
      lockTtlMs: ttlMs,
      outboxLimit: OUTBOX_PAGE,
      eventId: event.id,
      conversationId: c,
    };
    // One server: the script marks the conversation pending in the same step. A cluster: the set
    // is on another server, so it is marked first and waited for: a crash after the mark leaves a
    // harmless mark, never an orphaned event.
    if (this.ordered) await this.redis.sadd(this.pendingKey, c);
    const r = this.ordered
      ? await this.run(SCRIPTS.accept, this.keys(c), args)
      : await this.run(SCRIPTS.acceptMarking, { ...this.keys(c), pending: this.pendingKey }, args);
    return r === 0 || r === 1 ? r : { token, json, reply: r };
  }

  /** A begin reply as the engine takes it; `known` is the inbox head already in hand (the event just accepted). */
  private begun(conversationId: string, token: string, [outbox, head, state]: BeginReply, known?: InboundEvent): Begun {
    return {
      lease: { conversationId, token },
      outbox: outbox.map((raw) => OutboxItem.parse(JSON.parse(raw))),
      next: known ?? (head ? parseInbound(head) : undefined),
      record: state ? parseRecord(state) : undefined,
    };
  }

  async begin(conversationId: string, ttlMs: number): Promise<Begun | undefined> {
    const token = randomUUID();
    const r = await this.run(SCRIPTS.begin, this.keys(conversationId), { token, ttlMs, outboxLimit: OUTBOX_PAGE });
    return r ? this.begun(conversationId, token, r) : undefined;
  }

  async unlock(lease: Lease, delivered: readonly string[] = []): Promise<{ inbox: number; outbox: number }> {
    const c = lease.conversationId;
    const pending = this.pendingKey;
    const args = { token: lease.token, conversationId: c, delivered };
    // One server: the script releases, unmarks or marks again, all in one step.
    if (!this.ordered) {
      const [inbox, outbox] = await this.run(SCRIPTS.unlockMarking, { ...this.keys(c), pending }, args);
      return { inbox, outbox };
    }
    // A cluster: unmark (the set is on another server), then once that is done look at the inbox
    // again: an event accepted in between shows here, and its conversation is marked again below.
    const [left] = await Promise.all([this.run(SCRIPTS.unlock, this.keys(c), args), this.redis.srem(pending, c)]);
    const inboxAfter = await this.redis.llen(this.k(c, 'inbox'));
    const inbox = Math.max(left[0], inboxAfter);
    const outbox = left[1];
    if (inbox > 0 || outbox > 0) await this.redis.sadd(pending, c);
    return { inbox, outbox };
  }

  async extend(lease: Lease, ttlMs: number): Promise<boolean> {
    return (await this.run(SCRIPTS.extend, this.keys(lease.conversationId), { token: lease.token, ttlMs })) === 1;
  }

  async peekInbox(conversationId: string): Promise<InboundEvent | CorruptEntry | undefined> {
    const raw = await this.redis.lindex(this.k(conversationId, 'inbox'), 0);
    return raw === null ? undefined : parseInbound(raw);
  }

  async load(conversationId: string): Promise<ConversationRecord | CorruptEntry | undefined> {
    const raw = await this.redis.get(this.k(conversationId, 'state'));
    return raw === null ? undefined : parseRecord(raw);
  }

  /** Runs a lease-fenced script, turning the script's LEASE_LOST into the named error. */
  private async fenced<R>(lease: Lease, script: Promise<R>): Promise<R> {
    try {
      return await script;
    } catch (err) {
      if ((err as Error).message.includes('LEASE_LOST')) throw new LeaseLostError(lease.conversationId);
      throw err;
    }
  }

  async commit(lease: Lease, turn: TurnCommit): Promise<number> {
    return this.fenced(
      lease,
      this.run(SCRIPTS.commit, this.keys(lease.conversationId), {
        token: lease.token,
        eventId: turn.eventId === DROP_HEAD ? undefined : turn.eventId,
        state: turn.record ? JSON.stringify(turn.record) : undefined,
        stateTtlSec: this.limits.stateTtlSec,
        transcriptMax: this.limits.transcriptMax,
        transcript: turn.transcript.map(encodeLine),
        outbox: turn.outbox.map((i) => JSON.stringify(i)),
      }),
    );
  }

  async peekOutbox(conversationId: string, limit: number): Promise<OutboxItem[]> {
    const raw = await this.redis.lrange(this.k(conversationId, 'outbox'), 0, limit - 1);
    return raw.map((r) => OutboxItem.parse(JSON.parse(r)));
  }

  async ackOutbox(lease: Lease, itemIds: readonly string[]): Promise<void> {
    if (itemIds.length === 0) return;
    await this.fenced(
      lease,
      this.run(SCRIPTS.ack, this.keys(lease.conversationId), { token: lease.token, delivered: itemIds }),
    );
  }

  async transcript(conversationId: string, limit: number): Promise<TranscriptEntry[]> {
    const raw = await this.redis.lrange(this.k(conversationId, 'transcript'), -limit, -1);
    return raw.map(decodeLine);
  }

  async pending(limit: number): Promise<string[]> {
    return this.redis.srandmember(this.pendingKey, limit);
  }

  /** Bytes Redis uses for a conversation's keys (MEMORY USAGE), for benchmarks and capacity planning. */
  async memoryUsage(conversationId: string): Promise<{ state: number; transcript: number; dedup: number }> {
    const usage = async (key: string) => Number((await this.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
    return {
      state: await usage(this.k(conversationId, 'state')),
      transcript: await usage(this.k(conversationId, 'transcript')),
      dedup: await usage(this.k(conversationId, 'seen')),
    };
  }

  /** Resolves when Redis answers a PING (readiness); rejects while it cannot be reached. */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
