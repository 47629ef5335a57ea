import { RedisStore } from '../../adapters/store/redis.js';
import { redisTarget, type Config } from '../config.js';
import { createLogger } from '../log.js';
import type { Store } from '../ports.js';
import type { RecordStore } from '../record-port.js';
import { RecordWriter } from '../record-writes.js';
import { openRecordOrSay } from './production-store.js';

/**
 * `npm run customer -- forget ID` (seed 000 五, 用户信息保护): deletes one customer's archived
 * transcripts and personal data in the system of record, leaving their tickets anonymised for the
 * figures (a pseudonym, no words), and, with REDIS_URL, their conversations' hot data in Redis
 * (state, recent transcript, inbox, outbox, timers), after applying the record writes deferred there
 * (which could hold the customer's words). Exit 0 with what was done; 1 when the record cannot be
 * opened, holds nothing of that customer, or the deferred writes cannot be applied first; 2 without
 * a system of record (RECORD_STORE=off).
 */
export async function forgetCustomer(config: Config, customerId: string): Promise<number> {
  const record = await openRecordOrSay(config);
  if (record === null) return 1;
  if (!record) {
    process.stderr.write('There is no system of record with RECORD_STORE=off: nothing to forget there.\n');
    return 2;
  }
  const redis = redisTarget(config);
  let store: RedisStore | undefined;
  try {
    store = redis ? await RedisStore.connect({ ...redis, prefix: config.REDIS_PREFIX }) : undefined;
    // Writes deferred while the database was down would bring the customer's words back after the
    // forgetting: they are applied first (as the bot's upkeep does), or nothing is forgotten.
    if (store) {
      const waiting = await applyBacklog(record, store);
      if (waiting > 0) {
        process.stderr.write(
          `${waiting} record write(s) deferred while the database was down still wait in Redis, and may hold words of this customer: nothing was forgotten. The bot applies them once the database answers; run this again then.\n`,
        );
        return 1;
      }
    }
    const done = await record.forgetCustomer(customerId);
    if (done.tickets === 0 && done.transcriptEntries === 0 && done.conversations.length === 0) {
      process.stderr.write(
        `Nothing on record for customer ${customerId}: no ticket, conversation or archived line. Check the id (as tickets show it, e.g. the Telegram user id); a customer forgotten before has nothing left.\n`,
      );
      return 1;
    }
    let hot = 0;
    if (store) {
      for (const c of done.conversations) await store.forget(c);
      hot = done.conversations.length;
    }
    process.stdout.write(
      `customer ${customerId} forgotten: ${done.tickets} ticket(s) anonymised, ${done.transcriptEntries} archived line(s) deleted` +
        (redis ? `, ${hot} conversation(s) cleared in Redis\n` : ' (no REDIS_URL: Redis not touched)\n'),
    );
    return 0;
  } finally {
    await store?.close();
    await record.close();
  }
}

/**
 * Applies the record writes waiting in Redis (RecordWriter, one writer at a time across
 * processes: a running bot may be at it, so this waits for it a little). Resolves with how many
 * still wait (0: the record is complete).
 */
async function applyBacklog(record: RecordStore, store: Store): Promise<number> {
  const writer = new RecordWriter({
    record,
    store,
    log: createLogger('error', (line) => process.stderr.write(`${line}\n`)),
  });
  for (let attempt = 0; attempt < 20; attempt++) {
    if ((await store.deferred.size()) === 0) return 0;
    if ((await writer.drain()) === 0) await new Promise((r) => setTimeout(r, 500));
  }
  return store.deferred.size();
}
