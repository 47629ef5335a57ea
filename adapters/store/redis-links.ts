import type { RedisClient } from './redis-client.js';
import type { LinkStore } from '../../bots/ports.js';

/**
 * The desk's links in Redis (issue 16, fault 9): one string key per link, `<prefix>{links}:<key>`,
 * each with its own expiry, so a handoff's links go with its conversation instead of growing
 * forever. Links written before that are fields of the one hash `<prefix>{links}`, without expiry:
 * still read, and moved to a key of their own (with the expiry) when touched or written again.
 * Every key shares the `{links}` hash tag, so the move is one transaction on a Redis Cluster too.
 */
export class RedisLinks implements LinkStore {
  /** The hash every link lived in before links expired. */
  private readonly legacy: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.legacy = `${prefix}{links}`;
  }

  private key(link: string): string {
    return `${this.legacy}:${link}`;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.multi().set(this.key(key), value, 'PX', ttlMs).hdel(this.legacy, key).exec();
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(key))) ?? (await this.redis.hget(this.legacy, key)) ?? undefined;
  }

  async touch(keys: readonly string[], ttlMs: number): Promise<void> {
    await Promise.all(
      keys.map(async (key) => {
        if ((await this.redis.pexpire(this.key(key), ttlMs)) === 1) return;
        const old = await this.redis.hget(this.legacy, key);
        if (old !== null) await this.set(key, old, ttlMs);
      }),
    );
  }
}
