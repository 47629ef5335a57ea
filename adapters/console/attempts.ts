import type { RedisClient, RedisTarget } from '../store/redis-client.js';

/**
 * Failed sign-ins, counted per key (`name:<account>`, `ip:<address>`) in a fixed window that
 * starts at the first failure: shared by every replica on Redis, per process otherwise.
 */
export interface SignInAttempts {
  /** How many failures `key` has in its current window, and the ms until that window ends (0 without one). */
  read(key: string, now: number): Promise<{ failures: number; retryAfterMs: number }>;
  /** Counts one failure; the window (of `windowMs`) starts with the first. Resolves the count. */
  fail(key: string, windowMs: number, now: number): Promise<number>;
  /** Forgets the key's failures (a successful sign-in clears its account's). */
  clear(key: string): Promise<void>;
}

/** In this process only (no Redis): a restart forgets the failures. Keys past their window are dropped as they are read. */
export class MemoryAttempts implements SignInAttempts {
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  async read(key: string, now: number): Promise<{ failures: number; retryAfterMs: number }> {
    const w = this.windows.get(key);
    if (!w || w.endsAt <= now) {
      this.windows.delete(key);
      return { failures: 0, retryAfterMs: 0 };
    }
    return { failures: w.failures, retryAfterMs: w.endsAt - now };
  }

  async fail(key: string, windowMs: number, now: number): Promise<number> {
    const { failures } = await this.read(key, now);
    const endsAt = failures === 0 ? now + windowMs : (this.windows.get(key)?.endsAt ?? now + windowMs);
    this.windows.set(key, { failures: failures + 1, endsAt });
    return failures + 1;
  }

  async clear(key: string): Promise<void> {
    this.windows.delete(key);
  }
}

/**
 * On Redis, `<prefix>console:attempts:<key>`: INCR, and PEXPIRE NX starts the window with the
 * first failure (Redis 7). Windows follow Redis's clock, not `now`.
 */
export class RedisAttempts implements SignInAttempts {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(key: string): string {
    return `${this.prefix}console:attempts:${key}`;
  }

  async read(key: string): Promise<{ failures: number; retryAfterMs: number }> {
    const result = await this.redis.multi().get(this.key(key)).pttl(this.key(key)).exec();
    const failures = Number(result?.[0]?.[1] ?? 0) || 0;
    const ttl = Number(result?.[1]?.[1] ?? -2);
    return failures > 0 && ttl > 0 ? { failures, retryAfterMs: ttl } : { failures: 0, retryAfterMs: 0 };
  }

  async fail(key: string, windowMs: number): Promise<number> {
    const result = await this.redis.multi().incr(this.key(key)).pexpire(this.key(key), windowMs, 'NX').exec();
    return Number(result?.[0]?.[1] ?? 1);
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }
}

/** The key an account's sign-in failures are counted under (the name, case-folded). */
export const accountKey = (name: string) => `name:${name.trim().toLowerCase()}`;

/**
 * The counter for a deployment: on Redis (its own small connection, under REDIS_PREFIX; one
 * server or a cluster) when `redis` is given, shared by every replica; in memory otherwise.
 * `close` ends the connection.
 */
export async function openAttempts(
  redis: RedisTarget | undefined,
  prefix: string,
): Promise<{ attempts: SignInAttempts; close(): Promise<void> }> {
  if (!redis) return { attempts: new MemoryAttempts(), close: async () => {} };
  const { createRedisClient } = await import('../store/redis-client.js');
  const client = createRedisClient(redis, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await client.connect();
  return {
    attempts: new RedisAttempts(client, prefix),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
