import { BEGIN, CHECKED, IS_ENTRY, POP_DELIVERED } from './redis-lua.js';

/**
 * The Lua scripts of the Redis store, each with a typed builder of its KEYS and ARGV, so the
 * positional arguments are named once here and nowhere else, and a reader of its reply that
 * checks the shape (cheap: a few typeof) instead of casting it where it is used.
 *
 * Every script is one EVALSHA: one round trip per call, whatever it does.
 */

/** One script: its Lua, its KEYS in order, its ARGV from named arguments, and its reply read. */
export interface Script<K extends string, A, R> {
  readonly lua: string;
  /** Names of KEYS[1..n], in order; `build` takes them from a record with (at least) these names. */
  readonly keys: readonly K[];
  readonly argv: (args: A) => Array<string | number>;
  /** The reply, checked; throws on a shape the script cannot return (a different script under the name). */
  readonly reply: (raw: unknown) => R;
}

function script<const K extends string, A, R>(
  keys: readonly K[],
  argv: (args: A) => Array<string | number>,
  reply: (raw: unknown) => R,
  lua: string,
): Script<K, A, R> {
  return { lua, keys, argv, reply };
}

/** The positional KEYS and ARGV of one call. Extra names in `keys` are ignored, so a caller can pass all of a conversation's keys. */
export function build<K extends string, A>(
  s: Script<K, A, unknown>,
  keys: Readonly<Record<K, string>>,
  args: A,
): { keys: string[]; args: Array<string | number> } {
  return { keys: s.keys.map((k) => keys[k]), args: s.argv(args) };
}

/** Raised when a script's reply has a shape the script cannot produce. */
export class ScriptReplyError extends Error {
  constructor(what: string, raw: unknown) {
    super(`Unexpected reply from Redis script (${what}): ${JSON.stringify(raw)?.slice(0, 200)}`);
    this.name = 'ScriptReplyError';
  }
}

function integer(raw: unknown): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw new ScriptReplyError('integer', raw);
  return raw;
}

function strings(raw: unknown): string[] {
  if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'string'))
    throw new ScriptReplyError('list of strings', raw);
  return raw as string[];
}

/** What the begin script returns: the outbox page, the inbox head ('' when empty), the state ('' when none). */
export type BeginReply = [outbox: string[], head: string, state: string];

function beginReply(raw: unknown): BeginReply {
  if (!Array.isArray(raw) || raw.length !== 3 || typeof raw[1] !== 'string' || typeof raw[2] !== 'string')
    throw new ScriptReplyError('begin', raw);
  return [strings(raw[0]), raw[1], raw[2]];
}

/** A begin reply, or undefined when the lock was held (the script's false comes back as null). */
function beginOrHeld(raw: unknown): BeginReply | undefined {
  return raw === null ? undefined : beginReply(raw);
}

/** Ids in the form the scripts compare them: JSON strings. */
const quoted = (ids: readonly string[]) => ids.map((id) => JSON.stringify(id));

/** The same script taking the pending set as one more key (one server only: it is in another hash slot). */
function marking<K extends string, A, R>(s: Script<K, A, R>): Script<K | 'pending', A, R> {
  return { ...s, keys: [...s.keys, 'pending'] };
}

/**
 * Dedups and queues an event; with `lockTtlMs`, also begins when the lock is free.
 * → 0 when seen before, 1 when accepted (and not begun, or the lock was held), or what begin returns.
 * The ids seen lately are one sorted set per conversation (by Redis time, ms; a later id always
 * scores higher, so the oldest is the one trimmed), not a key per event: the latest `dedupIds` of them, each a duplicate for `dedupTtlSec` (an older score is
 * taken as new and moved up); the set expires with its last.
 * On one server, `acceptMarking` also marks the conversation pending (KEYS[6], the pending set:
 * another hash slot, so not on a cluster) in the same step.
 */
const accept = script(
  ['lock', 'inbox', 'outbox', 'state', 'seen'],
  (a: {
    dedupTtlSec: number;
    dedupIds: number;
    event: string;
    token: string;
    lockTtlMs: number | undefined;
    outboxLimit: number;
    eventId: string;
    conversationId: string;
  }) => [a.dedupTtlSec, a.event, a.token, a.lockTtlMs ?? '', a.outboxLimit, a.eventId, a.dedupIds, a.conversationId],
  (raw): 0 | 1 | BeginReply => (raw === 0 || raw === 1 ? raw : (beginOrHeld(raw) ?? 1)),
  `${CHECKED([
    [1, 'string'],
    [2, 'list'],
    [3, 'list'],
    [4, 'string'],
    [5, 'zset'],
    [6, 'set'],
  ])}
local ttl = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local seen = redis.call('ZSCORE', KEYS[5], ARGV[6])
if seen and tonumber(seen) > now - ttl * 1000 then return 0 end
-- Scores rise with every id, even two in the same millisecond (a tie would trim by name, not age).
local last = redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')[2]
local score = now
if last and tonumber(last) >= score then score = tonumber(last) + 0.001 end
redis.call('ZADD', KEYS[5], string.format('%.3f', score), ARGV[6])
redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -1 - tonumber(ARGV[7]))
redis.call('EXPIRE', KEYS[5], ttl)
redis.call('RPUSH', KEYS[2], ARGV[2])
if KEYS[6] then redis.call('SADD', KEYS[6], ARGV[8]) end
if ARGV[4] == '' then return 1 end
${BEGIN(3, 5)}`,
);

/**
 * Acknowledges (while the lease holds) and releases the lock. → [inbox length, outbox length].
 * On one server, `unlockMarking` also marks the conversation pending (KEYS[4]) when work is left
 * and unmarks it when none is, in the same step.
 */
const unlock = script(
  ['lock', 'inbox', 'outbox'],
  (a: { token: string; conversationId: string; delivered: readonly string[] }) => [
    a.token,
    a.conversationId,
    ...quoted(a.delivered),
  ],
  (raw): [inbox: number, outbox: number] => {
    if (!Array.isArray(raw) || raw.length !== 2) throw new ScriptReplyError('unlock', raw);
    return [integer(raw[0]), integer(raw[1])];
  },
  `${IS_ENTRY}${CHECKED([
    [1, 'string'],
    [2, 'list'],
    [3, 'list'],
  ])}
if redis.call('GET', KEYS[1]) == ARGV[1] then
${POP_DELIVERED(3)}
  redis.call('DEL', KEYS[1])
end
local left = { redis.call('LLEN', KEYS[2]), redis.call('LLEN', KEYS[3]) }
-- A damaged pending set is left alone rather than keep the lock: the holder goes on with what is left.
if KEYS[4] then
  local t = redis.call('TYPE', KEYS[4])['ok']
  if t == 'set' or t == 'none' then redis.call(left[1] + left[2] > 0 and 'SADD' or 'SREM', KEYS[4], ARGV[2]) end
end
return left`,
);

export const SCRIPTS = {
  accept,
  acceptMarking: marking(accept),
  /** Takes the lock and reads the outbox page, the inbox head and the state; undefined when the lock is held. */
  begin: script(
    ['lock', 'inbox', 'outbox', 'state'],
    (a: { token: string; ttlMs: number; outboxLimit: number }) => [a.token, a.ttlMs, a.outboxLimit],
    beginOrHeld,
    // Checked first: a damaged key found after taking the lock would leave it held by nobody until its TTL.
    `${CHECKED([
      [1, 'string'],
      [2, 'list'],
      [3, 'list'],
      [4, 'string'],
    ])}
${BEGIN(1, 3)}`,
  ),
  /**
   * Writes a turn. Refuses a caller whose lease is gone (LEASE_LOST); pops the event the turn
   * consumed (`eventId` '' pops whatever is there, an unreadable entry). → the inbox length.
   */
  commit: script(
    ['lock', 'inbox', 'state', 'transcript', 'outbox'],
    (a: {
      token: string;
      eventId: string | undefined;
      state: string | undefined;
      stateTtlSec: number;
      transcriptMax: number;
      transcript: readonly string[];
      outbox: readonly string[];
    }) => [
      a.token,
      a.eventId === undefined ? '' : JSON.stringify(a.eventId),
      a.state ?? '',
      a.stateTtlSec,
      a.transcriptMax,
      a.transcript.length,
      ...a.transcript,
      ...a.outbox,
    ],
    integer,
    `${IS_ENTRY}${CHECKED([
      [2, 'list'],
      [3, 'string'],
      [4, 'list'],
      [5, 'list'],
    ])}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LEASE_LOST') end
local head = redis.call('LINDEX', KEYS[2], 0)
if head and (ARGV[2] == '' or is_entry(head, ARGV[2])) then redis.call('LPOP', KEYS[2]) end
local ttl = tonumber(ARGV[4])
if ARGV[3] ~= '' then redis.call('SET', KEYS[3], ARGV[3], 'EX', ttl) else redis.call('EXPIRE', KEYS[3], ttl) end
local n = tonumber(ARGV[6])
if n > 0 then
  redis.call('RPUSH', KEYS[4], unpack(ARGV, 7, 6 + n))
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[5]), -1)
  redis.call('EXPIRE', KEYS[4], ttl)
end
if #ARGV >= 7 + n then redis.call('RPUSH', KEYS[5], unpack(ARGV, 7 + n, #ARGV)) end
return redis.call('LLEN', KEYS[2])`,
  ),
  /** Acknowledges delivered items at the head of the outbox under the lease (LEASE_LOST otherwise). The inbox key is passed but unused (POP_DELIVERED reads KEYS[3]). */
  ack: script(
    ['lock', 'inbox', 'outbox'],
    (a: { token: string; delivered: readonly string[] }) => [a.token, ...quoted(a.delivered)],
    integer,
    `${IS_ENTRY}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LEASE_LOST') end
${POP_DELIVERED(2)}
return 1`,
  ),
  unlock,
  unlockMarking: marking(unlock),
  /** → 1 when the lease was still held and is extended, else 0. */
  extend: script(
    ['lock'],
    (a: { token: string; ttlMs: number }) => [a.token, a.ttlMs],
    integer,
    `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
  ),
  /** Leases due timers until now + leaseMs. → flat [member, data, member, data, …]; members without data are dropped. */
  claimTimers: script(
    ['due', 'data'],
    (a: { now: number; leaseMs: number; limit: number }) => [a.now, a.leaseMs, a.limit],
    strings,
    `
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, m in ipairs(members) do
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), m)
  local data = redis.call('HGET', KEYS[2], m)
  if data then table.insert(out, m); table.insert(out, data) else redis.call('ZREM', KEYS[1], m) end
end
return out`,
  ),
  /** Removes a timer if its data is still what was claimed (not rescheduled meanwhile). → 1 when removed. */
  completeTimer: script(
    ['due', 'data'],
    (a: { member: string; data: string }) => [a.member, a.data],
    integer,
    `
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 1
end
return 0`,
  ),
  /**
   * Writes a ticket and its places in the by-time index and its customer's index, if the stored
   * ticket is still `expected` (undefined: none is stored yet). → 1 when written, 0 when another
   * writer came first (the caller reads again and merges).
   */
  putTicket: script(
    ['tickets', 'index', 'customer'],
    (a: { id: string; expected: string | undefined; json: string; createdAt: number }) => [
      a.id,
      a.expected === undefined ? 'new' : 'over',
      a.expected ?? '',
      a.json,
      a.createdAt,
    ],
    integer,
    `${CHECKED([
      [1, 'hash'],
      [2, 'zset'],
      [3, 'zset'],
    ])}
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == 'new' then
  if current then return 0 end
elseif current ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
return 1`,
  ),
  /** Sets a timer's due time and data; `data` undefined cancels it. */
  setTimer: script(
    ['due', 'data'],
    (a: { member: string; dueAt: number; data: string | undefined }) => [a.member, a.dueAt, a.data ?? ''],
    integer,
    `${CHECKED([
      [1, 'zset'],
      [2, 'hash'],
    ])}
if ARGV[3] == '' then redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('HDEL', KEYS[2], ARGV[1]) else
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end return 1`,
  ),
  /** Counts a send in the second's counter. → 0 when allowed, else ms to the next second. */
  takeSend: script(
    ['counter'],
    (a: { perSecond: number; now: number }) => [a.perSecond, a.now],
    integer,
    `
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end
if used <= tonumber(ARGV[1]) then return 0 end
local now = tonumber(ARGV[2])
return (math.floor(now / 1000) + 1) * 1000 - now`,
  ),
  /**
   * Counts one asking of an unanswered question: unless `ref` was counted within `refTtlMs`, adds 1
   * to its count, moves its latest asking up to `at`, writes what is kept once (`info`, with the
   * first asking) if new, and forgets the least recently asked beyond `max`. → 1 counted, 0 seen.
   */
  recordUnanswered: script(
    ['data', 'count', 'recent', 'ref'],
    (a: { member: string; info: string; at: number; max: number; refTtlMs: number }) => [
      a.member,
      a.info,
      a.at,
      a.max,
      a.refTtlMs,
    ],
    integer,
    `${CHECKED([
      [1, 'hash'],
      [2, 'zset'],
      [3, 'zset'],
      [4, 'string'],
    ])}
if not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[5]) then return 0 end
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZINCRBY', KEYS[2], 1, ARGV[1])
local last = redis.call('ZSCORE', KEYS[3], ARGV[1])
if (not last) or tonumber(last) < tonumber(ARGV[3]) then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1]) end
local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[4])
if over > 0 then
  local old = redis.call('ZRANGE', KEYS[3], 0, over - 1)
  redis.call('ZREM', KEYS[3], unpack(old))
  redis.call('ZREM', KEYS[2], unpack(old))
  redis.call('HDEL', KEYS[1], unpack(old))
end
return 1`,
  ),
  /** Compare-and-set of one ticket's JSON, for updates. → 1 when written. */
  casTicket: script(
    ['tickets'],
    (a: { id: string; expected: string; next: string }) => [a.id, a.expected, a.next],
    integer,
    `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0`,
  ),
} as const;

export type ScriptName = keyof typeof SCRIPTS;
