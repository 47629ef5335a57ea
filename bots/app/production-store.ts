import { RedisStore } from '../../adapters/store/redis.js';
import { redisTarget, type Config } from '../config.js';
import { SetupError } from '../errors.js';
import { createLogger } from '../log.js';
import type { TicketStore } from '../ports.js';
import { openRecord } from './record-open.js';

/**
 * Runs an admin command (tickets resolve, unanswered) against the production store, which it
 * needs: the inbox and the hot lists live in Redis; tickets are the system of record's (issue 14)
 * unless RECORD_STORE=off. Without `REDIS_URL` it says so on stderr, with what the playground
 * offers instead (`withoutRedis`), and returns exit code 2; otherwise the command's own code.
 */
export async function withProductionStore(
  config: Config,
  withoutRedis: string,
  work: (store: RedisStore) => Promise<number>,
): Promise<number> {
  const redis = redisTarget(config);
  if (!redis) {
    process.stderr.write(`${withoutRedis}\n`);
    return 2;
  }
  const record = await openRecordOrSay(config);
  if (record === null) return 1;
  try {
    const store = await RedisStore.connect({
      ...redis,
      prefix: config.REDIS_PREFIX,
      tickets: record?.tickets,
    });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  } finally {
    await record?.close();
  }
}

/**
 * Runs a command that only reads tickets: from the system of record when there is one (the
 * PostgreSQL server, or PGlite's folder: stop the bot first, PGlite serves one process at a
 * time), else from Redis. Neither: says so (`without`) and returns 2.
 */
export async function withTicketStore(
  config: Config,
  without: string,
  work: (tickets: TicketStore) => Promise<number>,
): Promise<number> {
  const record = await openRecordOrSay(config);
  if (record === null) return 1;
  if (record) {
    try {
      return await work(record.tickets);
    } finally {
      await record.close();
    }
  }
  return withProductionStore(config, without, (store) => work(store.tickets));
}

/**
 * The system of record for a tool: undefined with RECORD_STORE=off, null when it cannot be opened
 * (why is said on stderr; the tool exits 1).
 */
export async function openRecordOrSay(config: Config) {
  try {
    return await openRecord(config, createLogger('silent'));
  } catch (err) {
    process.stderr.write(`${err instanceof SetupError ? err.message : String(err)}\n`);
    return null;
  }
}
