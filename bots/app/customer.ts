import { RedisStore } from '../../adapters/store/redis.js';
import { redisTarget, type Config } from '../config.js';
import { openRecordOrSay } from './production-store.js';

/**
 * `npm run customer -- forget ID` (seed 000 五, 用户信息保护): deletes one customer's archived
 * transcripts and personal data in the system of record, leaving their tickets anonymised for the
 * figures (a pseudonym, no words), and, with REDIS_URL, their conversations' hot data in Redis
 * (state, recent transcript, inbox, outbox, timers). Exit 0 with what was done; 1 when the record
 * cannot be opened or holds nothing of that customer; 2 without a system of record (RECORD_STORE=off).
 */
export async function forgetCustomer(config: Config, customerId: string): Promise<number> {
  const record = await openRecordOrSay(config);
  if (record === null) return 1;
  if (!record) {
    process.stderr.write('There is no system of record with RECORD_STORE=off: nothing to forget there.\n');
    return 2;
  }
  try {
    const done = await record.forgetCustomer(customerId);
    if (done.tickets === 0 && done.transcriptEntries === 0 && done.conversations.length === 0) {
      process.stderr.write(
        `Nothing on record for customer ${customerId}: no ticket, conversation or archived line. Check the id (as tickets show it, e.g. the Telegram user id); a customer forgotten before has nothing left.\n`,
      );
      return 1;
    }
    let hot = 0;
    const redis = redisTarget(config);
    if (redis) {
      const store = await RedisStore.connect({ ...redis, prefix: config.REDIS_PREFIX });
      try {
        for (const c of done.conversations) await store.forget(c);
        hot = done.conversations.length;
      } finally {
        await store.close();
      }
    }
    process.stdout.write(
      `customer ${customerId} forgotten: ${done.tickets} ticket(s) anonymised, ${done.transcriptEntries} archived line(s) deleted` +
        (redis ? `, ${hot} conversation(s) cleared in Redis\n` : ' (no REDIS_URL: Redis not touched)\n'),
    );
    return 0;
  } finally {
    await record.close();
  }
}
