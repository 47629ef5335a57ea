import type { RedisClient } from './redis-client.js';
import { OutboxItem, type DeferredRecords } from '../../bots/ports.js';

/**
 * Record writes deferred while the system of record was down (bots/ports.ts DeferredRecords), in
 * order, shared by every replica. In Redis: one list and one lock key under their own hash tag
 * (`{records}`), so they sit outside every conversation's slot.
 */

/** Parses a stored item, or undefined when it is unreadable (the writer drops it, never retries it forever). */
function readable(raw: string): OutboxItem | undefined {
  try {
    const parsed = OutboxItem.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Deletes the lock only when it is still the caller's. */
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class RedisDeferred implements DeferredRecords {
  private readonly list: string;
  private readonly lockKey: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.list = `${prefix}{records}:deferred`;
    this.lockKey = `${prefix}{records}:lock`;
  }

  async push(item: OutboxItem): Promise<void> {
    await this.redis.rpush(this.list, JSON.stringify(item));
  }

  async peek(limit: number): Promise<Array<OutboxItem | undefined>> {
    const raw = await this.redis.lrange(this.list, 0, limit - 1);
    return raw.map(readable);
  }

  async drop(count: number): Promise<void> {
    if (count > 0) await this.redis.ltrim(this.list, count, -1);
  }

  async size(): Promise<number> {
    return this.redis.llen(this.list);
  }

  async lock(token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.lockKey, token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async unlock(token: string): Promise<void> {
    await this.redis.eval(UNLOCK, 1, this.lockKey, token);
  }
}

export class MemoryDeferred implements DeferredRecords {
  private readonly items: string[] = [];
  private held: { token: string; until: number } | undefined;

  constructor(private readonly clock: () => number = Date.now) {}

  async push(item: OutboxItem): Promise<void> {
    this.items.push(JSON.stringify(item));
  }

  async peek(limit: number): Promise<Array<OutboxItem | undefined>> {
    return this.items.slice(0, limit).map(readable);
  }

  async drop(count: number): Promise<void> {
    this.items.splice(0, count);
  }

  async size(): Promise<number> {
    return this.items.length;
  }

  async lock(token: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    if (this.held && this.held.until > now && this.held.token !== token) return false;
    this.held = { token, until: now + ttlMs };
    return true;
  }

  async unlock(token: string): Promise<void> {
    if (this.held?.token === token) this.held = undefined;
  }
}
