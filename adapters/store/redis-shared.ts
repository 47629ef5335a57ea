import type { RedisClient } from './redis-client.js';
import type {
  DueTimer,
  QueueStore,
  TimerSpec,
  TimerStore,
  UnansweredQuery,
  UnansweredQuestion,
  UnansweredStore,
} from '../../bots/ports.js';
import { SCRIPTS, type Script } from './redis-scripts.js';
import {
  averageWait,
  parseQuestion,
  parseTimer,
  primaryOf,
  RECENT_WAITS,
  splitHandle,
  timerData,
  timerHandle,
  timerMember,
  unansweredMember,
  unansweredOrder,
  unansweredQuery,
  waitSeconds,
  type StoreLimits,
} from './shared.js';

/**
 * The Redis store's deployment-wide structures, each under its own hash tag: timers (a due-time
 * sorted set and their data), the agents' queue, and the unanswered questions (a hash and two
 * sorted sets). Tickets are in redis-tickets.ts.
 */

/** Runs one of the store's scripts (redis-scripts.ts) on its connection. */
export type Runner = <K extends string, A, R>(
  s: Script<K, A, R>,
  keys: Readonly<Record<K, string>>,
  args: A,
) => Promise<R>;

export class RedisTimers implements TimerStore {
  /** The due set (member → due time, or lease expiry while claimed) and each member's timer (timerData). */
  private readonly keys: { due: string; data: string };

  constructor(
    prefix: string,
    private readonly run: Runner,
  ) {
    this.keys = { due: `${prefix}{timers}:due`, data: `${prefix}{timers}:data` };
  }

  async schedule(timer: TimerSpec): Promise<void> {
    await this.run(SCRIPTS.setTimer, this.keys, {
      member: timerMember(timer.conversationId, timer.name),
      dueAt: timer.dueAt,
      data: timerData(timer),
    });
  }

  async cancel(conversationId: string, name: string): Promise<void> {
    await this.run(SCRIPTS.setTimer, this.keys, {
      member: timerMember(conversationId, name),
      dueAt: 0,
      data: undefined,
    });
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<DueTimer[]> {
    const flat = await this.run(SCRIPTS.claimTimers, this.keys, { now, leaseMs, limit });
    const out: DueTimer[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const member = flat[i] ?? '';
      const raw = flat[i + 1] ?? '';
      const t = parseTimer(raw, member);
      // Unreadable: removed (unless rewritten meanwhile) so it does not come due on every poll.
      if (t) out.push({ ...t, handle: timerHandle(member, raw) });
      else await this.run(SCRIPTS.completeTimer, this.keys, { member, data: raw });
    }
    return out;
  }

  async complete(timer: DueTimer): Promise<void> {
    const [member, raw] = splitHandle(timer.handle);
    await this.run(SCRIPTS.completeTimer, this.keys, { member, data: raw });
  }
}

/** The queue of conversations waiting for an agent, shared by all replicas (one hash tag). */
export class RedisQueue implements QueueStore {
  private readonly waiting: string;
  private readonly waits: string;

  constructor(
    private readonly redis: RedisClient,
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

  async leave(conversationId: string, at: number, claimed: boolean): Promise<number | undefined> {
    const since = await this.redis.zscore(this.waiting, conversationId);
    const removed = await this.redis.zrem(this.waiting, conversationId);
    if (!claimed || removed !== 1 || since === null) return undefined;
    const wait = waitSeconds(Number(since), at);
    await this.redis
      .multi()
      .lpush(this.waits, String(wait))
      .ltrim(this.waits, 0, RECENT_WAITS - 1)
      .exec();
    return wait;
  }

  async averageWaitSeconds(): Promise<number | undefined> {
    return averageWait((await this.redis.lrange(this.waits, 0, -1)).map(Number).filter(Number.isFinite));
  }

  async list(limit: number): Promise<Array<{ conversationId: string; since: number }>> {
    if (limit < 1) return [];
    const flat = await this.redis.zrange(this.waiting, 0, limit - 1, 'WITHSCORES');
    const out: Array<{ conversationId: string; since: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ conversationId: flat[i]!, since: Number(flat[i + 1]) });
    return out;
  }
}

/**
 * The unanswered questions, under the hash tag `{unanswered}`: `data` (member → the question's
 * text, locale and first asking, JSON), `count` (member → times asked) and `recent` (member →
 * latest asking, epoch ms) sorted sets, and one short-lived `ref:` key per asking counted (kept
 * for the dedup window). At most `unansweredMax` members; the recordUnanswered script forgets the
 * least recently asked beyond that.
 */
export class RedisUnanswered implements UnansweredStore {
  private readonly keys: { data: string; count: string; recent: string };

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly run: Runner,
    private readonly limits: StoreLimits,
  ) {
    const k = (part: string) => `${prefix}{unanswered}:${part}`;
    this.keys = { data: k('data'), count: k('count'), recent: k('recent') };
  }

  async record(asking: { text: string; locale: string; at: number }, ref: string): Promise<void> {
    const { text, locale, at } = asking;
    await this.run(
      SCRIPTS.recordUnanswered,
      { ...this.keys, ref: `${this.prefix}{unanswered}:ref:${ref}` },
      {
        member: unansweredMember(locale, text),
        info: JSON.stringify({ text, locale, firstSeen: at }),
        at,
        max: this.limits.unansweredMax,
        refTtlMs: this.limits.dedupTtlSec * 1000,
      },
    );
  }

  /**
   * Reads the index of the sort's value (count or latest asking) from the top, a page at a time,
   * until `limit` questions match and the page has gone below the last of them (so ties at the
   * edge are all seen), then orders them exactly as the memory store does.
   */
  async list(query: UnansweredQuery = {}): Promise<UnansweredQuestion[]> {
    const { limit, sort, matches } = unansweredQuery(query);
    const order = unansweredOrder(sort);
    const [index, other] =
      sort === 'recent' ? [this.keys.recent, this.keys.count] : [this.keys.count, this.keys.recent];
    const page = Math.max(limit, 100);
    const found: UnansweredQuestion[] = [];
    for (let start = 0; ; start += page) {
      const flat = await this.redis.zrevrange(index, start, start + page - 1, 'WITHSCORES');
      const members = flat.filter((_, i) => i % 2 === 0);
      if (members.length === 0) break;
      const [infos, others] = await Promise.all([
        this.redis.hmget(this.keys.data, ...members),
        Promise.all(members.map((m) => this.redis.zscore(other, m))),
      ]);
      members.forEach((_, i) => {
        const info = parseQuestion(infos[i] ?? '');
        const score = Number(flat[2 * i + 1]);
        const second = Number(others[i]);
        if (!info || !Number.isFinite(second)) return;
        const [count, lastSeen] = sort === 'recent' ? [second, score] : [score, second];
        const q = { text: info.text, locale: info.locale, count, firstSeen: info.firstSeen, lastSeen };
        if (matches(q)) found.push(q);
      });
      found.sort(order);
      const edge = found[limit - 1];
      if (members.length < page || (edge && primaryOf(sort, edge) > Number(flat.at(-1)))) break;
    }
    return found.slice(0, limit);
  }
}
