import { RedisStore } from '../../adapters/store/redis.js';
import type { Config } from '../config.js';

/**
 * Runs an admin command (tickets, unanswered) against the production store, which it needs:
 * records live in Redis. Without `REDIS_URL` it says so on stderr, with what the playground
 * offers instead (`withoutRedis`), and returns exit code 2; otherwise the command's own code.
 */
export async function withProductionStore(
  config: Config,
  withoutRedis: string,
  work: (store: RedisStore) => Promise<number>,
): Promise<number> {
  if (!config.REDIS_URL) {
    process.stderr.write(`${withoutRedis}\n`);
    return 2;
  }
  const store = await RedisStore.connect({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
