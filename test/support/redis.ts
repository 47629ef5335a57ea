import { randomUUID } from 'node:crypto';
import { inject, it } from 'vitest';
import { RedisStore } from '../../adapters/store/redis.js';
import type { StoreLimits } from '../../adapters/store/shared.js';

/** The Redis the global setup found, or '' (see redis-setup.ts). */
export const redisUrl = inject('redisUrl');

/**
 * `describe` blocks of Redis suites call this first: it fails the suite under CI=true when no
 * Redis could be had, and skips it (the setup printed why) elsewhere.
 */
export function requireRedis(): boolean {
  if (redisUrl) return true;
  if (process.env.CI === 'true') {
    it('has a Redis server to test against', () => {
      throw new Error(`Redis suites need a server: ${inject('redisMissing')}`);
    });
  }
  return false;
}

/** A store on its own key prefix, so suites never see each other's keys. */
export async function freshRedisStore(
  limits: Partial<StoreLimits> = {},
  prefix = `test:${randomUUID().slice(0, 8)}:`,
): Promise<RedisStore> {
  return RedisStore.connect({ url: redisUrl, prefix, limits });
}
