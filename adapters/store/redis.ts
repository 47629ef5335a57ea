import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { ContentionError, LeaseLostError, ServiceBotError } from '../../bots/errors.js';
import {
  ConversationRecord,
  DROP_HEAD,
  OUTBOX_PAGE,
  OutboxItem,
  TranscriptEntry,
  type DueTimer,
  type Begun,
  type InboundEvent,
  type Lease,
  type Store,
  type TicketQuery,
  type TicketStore,
  type LinkStore,
  type RateStore,
  type QueueStore,
  type TimerSpec,
  type TimerStore,
  type TurnCommit,
} from '../../bots/ports.js';
import { Ticket, type TicketChanges } from '../../flows/ticket.js';
import { parseInbound, RECENT_WAITS, splitHandle, timerMember } from './memory.js';
import { storeLimits, type StoreLimits } from './limits.js';

/**
 * Production store. Every key of one conversation carries the hash tag `{c:<id>}`, so the
 * multi-key scripts below (accept, commit, ack) stay atomic on a Redis Cluster too. Global
 * structures (tickets, timers, the pending set) have their own tags and are written outside
 * the per-conversation scripts.
 */

/**
 * Whether a stored inbox or outbox entry is the one with the given id, passed as a JSON string
 * (ARGV values like '"tg:42"'). Entries are written with their id first, so a prefix comparison
 * answers without decoding; anything else (an entry from an older version) is decoded.
 */
const IS_ENTRY = `
local function is_entry(raw, quoted)
  local prefix = '{"id":' .. quoted .. ','
  if string.sub(raw, 1, #prefix) == prefix then return true end
  local ok, entry = pcall(cjson.decode, raw)
  return ok and type(entry) == 'table' and entry.id == cjson.decode(quoted)
end`;

/**
 * Pops acknowledged items off the head of the outbox (KEYS[3]): ARGV[2..] are their ids in order
 * (as JSON strings); it stops at the first that is not at the head. Only run by the lease's holder.
 */
const POP_DELIVERED = `
for i = 2, #ARGV do
  local head = redis.call('LINDEX', KEYS[3], 0)
  if not (head and is_entry(head, ARGV[i])) then break end
  redis.call('LPOP', KEYS[3])
end`;

/** Takes the lock (KEYS[1], token ARGV[a], ttl ARGV[a+1]) and returns what a worker needs to start. */
const BEGIN = (a: number, limit: number) => `
if not redis.call('SET', KEYS[1], ARGV[${a}], 'PX', ARGV[${a + 1}], 'NX') then return false end
return { redis.call('LRANGE', KEYS[3], 0, tonumber(ARGV[${limit}]) - 1), redis.call('LINDEX', KEYS[2], 0) or '', redis.call('GET', KEYS[4]) or '' }`;

const SCRIPTS = {
  // KEYS: lock, inbox, outbox, state, seen · ARGV: dedup ttl (s), event json, token, lock ttl ms or '', outbox limit, event id
  // → 0 when seen before, 1 when accepted (and not begun), or what begin returns.
  // The ids seen lately are one sorted set per conversation (by Redis time), not a key per event:
  // ids older than the window are dropped as new ones arrive, and the set expires with its last.
  accept: {
    keys: 5,
    lua: `
local ttl = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - ttl * 1000)
if redis.call('ZSCORE', KEYS[5], ARGV[6]) then return 0 end
redis.call('ZADD', KEYS[5], now, ARGV[6])
redis.call('EXPIRE', KEYS[5], ttl)
redis.call('RPUSH', KEYS[2], ARGV[2])
if ARGV[4] == '' then return 1 end
${BEGIN(3, 5)}`,
  },
  // KEYS: lock, inbox, outbox, state · ARGV: token, ttl ms, outbox limit → nil, or { outbox items, inbox head, state }
  begin: { keys: 4, lua: BEGIN(1, 3) },
  // KEYS: lock, inbox, state, transcript, outbox
  // ARGV: token, event id (JSON), state json or '', state ttl (s), transcript max, n transcript, ...transcript, ...outbox
  // Refuses a caller whose lease is gone; pops the event the turn consumed (ARGV[2] its id as a
  // JSON string; '' pops whatever is there, an unreadable entry).
  commit: {
    keys: 5,
    lua: `${IS_ENTRY}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LEASE_LOST') end
local head = redis.call('LINDEX', KEYS[2], 0)
if head and (ARGV[2] == '' or is_entry(head, ARGV[2])) then redis.call('LPOP', KEYS[2]) end
local ttl = tonumber(ARGV[4])
if ARGV[3] ~= '' then redis.call('SET', KEYS[3], ARGV[3], 'EX', ttl) else redis.call('EXPIRE', KEYS[3], ttl) end
local n = tonumber(ARGV[6])
for i = 1, n do redis.call('RPUSH', KEYS[4], ARGV[6 + i]) end
if n > 0 then
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[5]), -1)
  redis.call('EXPIRE', KEYS[4], ttl)
end
for i = 7 + n, #ARGV do redis.call('RPUSH', KEYS[5], ARGV[i]) end
return redis.call('LLEN', KEYS[2])`,
  },
  // KEYS: lock, (unused), outbox · ARGV: token, ...delivered item ids in order
  ack: {
    keys: 3,
    lua: `${IS_ENTRY}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LEASE_LOST') end
${POP_DELIVERED}
return 1`,
  },
  // KEYS: lock, inbox, outbox · ARGV: token, ...delivered item ids → { inbox length, outbox length }
  unlock: {
    keys: 3,
    lua: `${IS_ENTRY}
if redis.call('GET', KEYS[1]) == ARGV[1] then
${POP_DELIVERED}
  redis.call('DEL', KEYS[1])
end
return { redis.call('LLEN', KEYS[2]), redis.call('LLEN', KEYS[3]) }`,
  },
  // KEYS: lock · ARGV: token, ttl ms
  extend: {
    keys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
  },
  // KEYS: due zset, data hash · ARGV: now, lease ms, limit
  claimTimers: {
    keys: 2,
    lua: `
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, m in ipairs(members) do
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), m)
  local data = redis.call('HGET', KEYS[2], m)
  if data then table.insert(out, m); table.insert(out, data) else redis.call('ZREM', KEYS[1], m) end
end
return out`,
  },
  // KEYS: due zset, data hash · ARGV: member, data as claimed
  completeTimer: {
    keys: 2,
    lua: `
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 1
end
return 0`,
  },
  // KEYS: tickets hash, by-time index · ARGV: id, json, created at
  putTicket: {
    keys: 2,
    lua: `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) return 1`,
  },
  // KEYS: due zset, data hash · ARGV: member, due at, data json ('' cancels)
  setTimer: {
    keys: 2,
    lua: `if ARGV[3] == '' then redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('HDEL', KEYS[2], ARGV[1]) else
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end return 1`,
  },
  // KEYS: the second's counter · ARGV: per second, now (ms) → 0 when a send is allowed, else ms to the next second
  takeSend: {
    keys: 1,
    lua: `
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end
if used <= tonumber(ARGV[1]) then return 0 end
local now = tonumber(ARGV[2])
return (math.floor(now / 1000) + 1) * 1000 - now`,
  },
  // KEYS: tickets hash · ARGV: id, expected json, new json — compare-and-set for updates
  casTicket: {
    keys: 1,
    lua: `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0`,
  },
} as const;
type ScriptName = keyof typeof SCRIPTS;

export interface RedisStoreOptions {
  url: string;
  /** Prefix of every key, so several deployments (or test runs) can share one server. */
  prefix?: string;
  limits?: Partial<StoreLimits>;
  redisOptions?: RedisOptions;
}

export class RedisStore implements Store {
  readonly tickets: TicketStore;
  readonly timers: TimerStore;
  readonly queue: QueueStore;
  readonly links: LinkStore;
  readonly rates: RateStore;
  private readonly limits: StoreLimits;
  private readonly p: string;

  private constructor(
    private readonly redis: Redis,
    prefix: string,
    limits: Partial<StoreLimits>,
  ) {
    this.p = prefix;
    this.limits = storeLimits(limits);
    for (const [name, s] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: s.keys, lua: s.lua });
    this.tickets = new RedisTickets(redis, prefix, (n, k, a) => this.run(n, k, a));
    this.timers = new RedisTimers(prefix, (n, k, a) => this.run(n, k, a));
    this.queue = new RedisQueue(redis, prefix);
    this.rates = { take: async (key, perSecond, now) => Number(await this.run('takeSend', [`${prefix}{rates}:${key}:${Math.floor(now / 1000)}`], [perSecond, now])) };
    const links = `${prefix}{links}`;
    this.links = {
      set: async (key, value) => void (await redis.hset(links, key, value)),
      get: async (key) => (await redis.hget(links, key)) ?? undefined,
    };
  }

  /** Connects and checks the server answers, with an error that says where it looked. */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    // Auto-pipelining sends the commands of one tick in one write: a turn issues several at once.
    const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true, enableAutoPipelining: true, ...options.redisOptions });
    redis.on('error', () => {
      // Reported through failed commands; without a listener ioredis prints every reconnect.
    });
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      throw new ServiceBotError('STORE_UNAVAILABLE', `Cannot reach Redis at ${redactUrl(options.url)}: ${(err as Error).message}. Start a Redis server or fix REDIS_URL.`);
    }
    return new RedisStore(redis, options.prefix ?? 'csb:', options.limits ?? {});
  }

  private run(name: ScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
    const fn = (this.redis as unknown as Record<ScriptName, (...a: Array<string | number>) => Promise<unknown>>)[name];
    return fn.call(this.redis, ...keys, ...args);
  }

  private k(conversationId: string, part: string): string {
    return `${this.p}{c:${conversationId}}:${part}`;
  }

  async accept(event: InboundEvent): Promise<boolean> {
    return (await this.push(event, '')) !== 0;
  }

  async acceptAndBegin(event: InboundEvent, ttlMs: number): Promise<{ duplicate: true } | { duplicate: false; begun: Begun | undefined }> {
    const r = await this.push(event, ttlMs);
    if (r === 0) return { duplicate: true };
    return { duplicate: false, begun: r === 1 ? undefined : this.begun(event.conversationId, r.token, r.reply, r.json === r.reply[1] ? event : undefined) };
  }

  /** The accept script: 0 when seen before, 1 when queued, or the begun reply when `ttlMs` is given and the lock was free. */
  private async push(event: InboundEvent, ttlMs: number | ''): Promise<0 | 1 | { token: string; json: string; reply: BeginReply }> {
    const c = event.conversationId;
    const json = JSON.stringify(event);
    const token = randomUUID();
    // Marked pending first (same connection, so in this order, but without waiting for it): a
    // crash after the mark leaves a harmless mark, never an orphaned event.
    const [, r] = await Promise.all([
      this.redis.sadd(`${this.p}{pending}`, c),
      this.run('accept', [this.k(c, 'lock'), this.k(c, 'inbox'), this.k(c, 'outbox'), this.k(c, 'state'), this.k(c, 'seen')], [this.limits.dedupTtlSec, json, token, ttlMs, OUTBOX_PAGE, event.id]),
    ]);
    if (r === 0 || r === 1) return r;
    return r ? { token, json, reply: r as BeginReply } : 1;
  }

  /** A begin reply as the engine takes it; `known` is the inbox head already in hand (the event just accepted). */
  private begun(conversationId: string, token: string, [outbox, head, state]: BeginReply, known?: InboundEvent): Begun {
    const parsed = state ? ConversationRecord.safeParse(JSON.parse(state)) : undefined;
    return {
      lease: { conversationId, token },
      outbox: outbox.map((raw) => OutboxItem.parse(JSON.parse(raw))),
      next: known ?? (head ? parseInbound(head) : undefined),
      record: parsed?.success ? parsed.data : undefined,
    };
  }

  async lock(conversationId: string, ttlMs: number): Promise<Lease | undefined> {
    const token = randomUUID();
    const ok = await this.redis.set(this.k(conversationId, 'lock'), token, 'PX', ttlMs, 'NX');
    return ok === 'OK' ? { conversationId, token } : undefined;
  }

  async begin(conversationId: string, ttlMs: number): Promise<Begun | undefined> {
    const c = conversationId;
    const token = randomUUID();
    const r = (await this.run('begin', [this.k(c, 'lock'), this.k(c, 'inbox'), this.k(c, 'outbox'), this.k(c, 'state')], [token, ttlMs, OUTBOX_PAGE])) as BeginReply | null;
    return r ? this.begun(conversationId, token, r) : undefined;
  }

  async unlock(lease: Lease, delivered: readonly string[] = []): Promise<{ inbox: number; outbox: number }> {
    const c = lease.conversationId;
    const pending = `${this.p}{pending}`;
    // Unmark, then look at the inbox again, in the same round trip: an event accepted in between
    // shows here, and its conversation is marked again below.
    const [left, , inboxAfter] = await Promise.all([
      this.run('unlock', [this.k(c, 'lock'), this.k(c, 'inbox'), this.k(c, 'outbox')], [lease.token, ...delivered.map((id) => JSON.stringify(id))]) as Promise<[number, number]>,
      this.redis.srem(pending, c),
      this.redis.llen(this.k(c, 'inbox')),
    ]);
    const inbox = Math.max(Number(left[0]), inboxAfter);
    const outbox = Number(left[1]);
    if (inbox > 0 || outbox > 0) await this.redis.sadd(pending, c);
    return { inbox, outbox };
  }

  async extend(lease: Lease, ttlMs: number): Promise<boolean> {
    return (await this.run('extend', [this.k(lease.conversationId, 'lock')], [lease.token, ttlMs])) === 1;
  }

  async peekInbox(conversationId: string): Promise<InboundEvent | { corrupt: string } | undefined> {
    const raw = await this.redis.lindex(this.k(conversationId, 'inbox'), 0);
    return raw === null ? undefined : parseInbound(raw);
  }

  async load(conversationId: string): Promise<ConversationRecord | undefined> {
    const raw = await this.redis.get(this.k(conversationId, 'state'));
    if (raw === null) return undefined;
    const parsed = ConversationRecord.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  /** Runs a lease-fenced script, turning the script's LEASE_LOST into the named error. */
  private async fenced(lease: Lease, name: 'commit' | 'ack', keys: string[], args: Array<string | number>): Promise<number> {
    try {
      return Number(await this.run(name, keys, args));
    } catch (err) {
      if ((err as Error).message.includes('LEASE_LOST')) throw new LeaseLostError(lease.conversationId);
      throw err;
    }
  }

  async commit(lease: Lease, turn: TurnCommit): Promise<number> {
    const c = lease.conversationId;
    return this.fenced(
      lease,
      'commit',
      [this.k(c, 'lock'), this.k(c, 'inbox'), this.k(c, 'state'), this.k(c, 'transcript'), this.k(c, 'outbox')],
      [
        lease.token,
        turn.eventId === DROP_HEAD ? '' : JSON.stringify(turn.eventId),
        turn.record ? JSON.stringify(turn.record) : '',
        this.limits.stateTtlSec,
        this.limits.transcriptMax,
        turn.transcript.length,
        ...turn.transcript.map((e) => JSON.stringify(e)),
        ...turn.outbox.map((i) => JSON.stringify(i)),
      ],
    );
  }

  async peekOutbox(conversationId: string, limit: number): Promise<OutboxItem[]> {
    const raw = await this.redis.lrange(this.k(conversationId, 'outbox'), 0, limit - 1);
    return raw.map((r) => OutboxItem.parse(JSON.parse(r)));
  }

  async ackOutbox(lease: Lease, itemIds: readonly string[]): Promise<void> {
    if (itemIds.length === 0) return;
    const c = lease.conversationId;
    void (await this.fenced(lease, 'ack', [this.k(c, 'lock'), this.k(c, 'inbox'), this.k(c, 'outbox')], [lease.token, ...itemIds.map((id) => JSON.stringify(id))]));
  }

  async transcript(conversationId: string, limit: number): Promise<TranscriptEntry[]> {
    const raw = await this.redis.lrange(this.k(conversationId, 'transcript'), -limit, -1);
    return raw.map((r) => TranscriptEntry.parse(JSON.parse(r)));
  }

  async pending(limit: number): Promise<string[]> {
    return this.redis.srandmember(`${this.p}{pending}`, limit);
  }

  /** Bytes Redis uses for a conversation's keys (MEMORY USAGE), for benchmarks and capacity planning. */
  async memoryUsage(conversationId: string): Promise<{ state: number; transcript: number; dedup: number }> {
    const usage = async (key: string) => Number((await this.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
    return { state: await usage(this.k(conversationId, 'state')), transcript: await usage(this.k(conversationId, 'transcript')), dedup: await usage(this.k(conversationId, 'seen')) };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** What the begin script returns: the outbox page, the inbox head ('' when empty), the state ('' when none). */
type BeginReply = [string[], string, string];

type Runner = (name: ScriptName, keys: string[], args: Array<string | number>) => Promise<unknown>;

class RedisTickets implements TicketStore {
  private readonly hash: string;
  private readonly index: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly run: Runner,
  ) {
    this.hash = `${prefix}{tickets}:all`;
    this.index = `${prefix}{tickets}:by-time`;
  }

  async put(ticket: Ticket): Promise<void> {
    await this.run('putTicket', [this.hash, this.index], [ticket.id, JSON.stringify(ticket), ticket.createdAt]);
  }

  async update(id: string, changes: TicketChanges, at: number, ifStatus?: Ticket['status']): Promise<Ticket | undefined> {
    // Optimistic compare-and-set: a concurrent writer (an agent, later) makes us re-read, not overwrite.
    for (let attempt = 0; attempt < 10; attempt++) {
      const raw = await this.redis.hget(this.hash, id);
      if (raw === null) return undefined;
      const current = Ticket.parse(JSON.parse(raw));
      if (ifStatus && current.status !== ifStatus) return current;
      const next: Ticket = { ...current, ...changes, updatedAt: Math.max(current.updatedAt, at) };
      if ((await this.run('casTicket', [this.hash], [id, raw, JSON.stringify(next)])) === 1) return next;
    }
    throw new ContentionError(`Ticket ${id}`);
  }

  async get(id: string): Promise<Ticket | undefined> {
    const raw = await this.redis.hget(this.hash, id);
    return raw === null ? undefined : Ticket.parse(JSON.parse(raw));
  }

  async list(query: TicketQuery = {}): Promise<Ticket[]> {
    const limit = query.limit ?? 50;
    const out: Ticket[] = [];
    const page = Math.max(limit, 100);
    for (let start = 0; out.length < limit; start += page) {
      const ids = await this.redis.zrevrange(this.index, start, start + page - 1);
      if (ids.length === 0) break;
      const raws = await this.redis.hmget(this.hash, ...ids);
      for (const raw of raws) {
        if (raw === null) continue;
        const t = Ticket.parse(JSON.parse(raw));
        if ((!query.status || t.status === query.status) && (!query.conversationId || t.conversationId === query.conversationId)) out.push(t);
        if (out.length >= limit) break;
      }
    }
    return out;
  }
}

class RedisTimers implements TimerStore {
  private readonly due: string;
  private readonly data: string;

  constructor(
    prefix: string,
    private readonly run: Runner,
  ) {
    this.due = `${prefix}{timers}:due`;
    this.data = `${prefix}{timers}:data`;
  }

  async schedule(timer: TimerSpec): Promise<void> {
    await this.run('setTimer', [this.due, this.data], [timerMember(timer.conversationId, timer.name), timer.dueAt, JSON.stringify(timer)]);
  }

  async cancel(conversationId: string, name: string): Promise<void> {
    await this.run('setTimer', [this.due, this.data], [timerMember(conversationId, name), 0, '']);
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<DueTimer[]> {
    const flat = (await this.run('claimTimers', [this.due, this.data], [now, leaseMs, limit])) as string[];
    const out: DueTimer[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const member = flat[i] ?? '';
      const raw = flat[i + 1] ?? '';
      const t = JSON.parse(raw) as TimerSpec;
      out.push({ ...t, handle: `${member}\u0000${raw}` });
    }
    return out;
  }

  async complete(timer: DueTimer): Promise<void> {
    const [member, raw] = splitHandle(timer.handle);
    await this.run('completeTimer', [this.due, this.data], [member, raw]);
  }
}

/** The queue of conversations waiting for an agent, shared by all replicas (one hash tag). */
class RedisQueue implements QueueStore {
  private readonly waiting: string;
  private readonly waits: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.waiting = `${prefix}{queue}:waiting`;
    this.waits = `${prefix}{queue}:waits`;
  }

  async join(conversationId: string, at: number): Promise<void> {
    await this.redis.zadd(this.waiting, 'NX', at, conversationId);
  }

  async position(conversationId: string): Promise<number | undefined> {
    const rank = await this.redis.zrank(this.waiting, conversationId);
    return rank === null ? undefined : rank + 1;
  }

  async leave(conversationId: string, at: number, claimed: boolean): Promise<void> {
    const since = await this.redis.zscore(this.waiting, conversationId);
    const removed = await this.redis.zrem(this.waiting, conversationId);
    if (claimed && removed === 1 && since !== null) {
      await this.redis.multi().lpush(this.waits, String(Math.max(0, (at - Number(since)) / 1000))).ltrim(this.waits, 0, RECENT_WAITS - 1).exec();
    }
  }

  async averageWaitSeconds(): Promise<number | undefined> {
    const waits = (await this.redis.lrange(this.waits, 0, -1)).map(Number).filter(Number.isFinite);
    return waits.length ? waits.reduce((a, b) => a + b, 0) / waits.length : undefined;
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
