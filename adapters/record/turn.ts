import type { Kysely } from 'kysely';
import type { RecordWrite } from '../../bots/record-port.js';
import { archivePart, unansweredPart } from './archive.js';
import type { Db } from './rows.js';
import type { Database } from './schema.js';
import { runParts, type Part } from './statement.js';
import { putPart, updatePart } from './ticket-writes.js';

/**
 * RecordStore.write: a turn's writes (its new tickets, their lifecycle, its archive) as ONE
 * statement (statement.ts), so a turn is one round trip to the database whatever it wrote,
 * atomic without a transaction. Writes that touch the same row twice (the same ticket, or the
 * same conversation archived twice) cannot be parts of one statement (a part does not see
 * another's rows): they go in one transaction, a statement each, still all or none.
 */
export async function writeTurn(db: Kysely<Database>, writes: readonly RecordWrite[]): Promise<void> {
  if (writes.length === 0) return;
  if (oneStatement(writes)) {
    await runParts(db, partsOf(db, writes));
    return;
  }
  await db.transaction().execute(async (tx) => {
    for (const w of writes) await runParts(tx, partsOf(tx, [w]));
  });
}

/** The parts of `writes`, named w0, w1, … in order. */
function partsOf(db: Db, writes: readonly RecordWrite[]): Part[] {
  return writes.map((w, i) => {
    const name = `w${i}`;
    switch (w.type) {
      case 'ticket.put':
        return putPart(w.ticket, name);
      case 'ticket.update':
        return updatePart(w.id, w.changes, w.at, w.ifStatus, name);
      case 'archive':
        return archivePart(w.conversation, w.entries, w.opensSession === true, name);
      case 'unanswered':
        return unansweredPart(db, w.asking, w.ref, name);
    }
  });
}

/** Whether no two writes touch the same ticket, conversation summary or asking. */
function oneStatement(writes: readonly RecordWrite[]): boolean {
  const rows = new Set<string>();
  for (const w of writes) {
    const row =
      w.type === 'archive'
        ? `c:${w.conversation.conversationId}`
        : w.type === 'unanswered'
          ? `u:${w.ref}`
          : `t:${w.type === 'ticket.put' ? w.ticket.id : w.id}`;
    if (rows.has(row)) return false;
    rows.add(row);
  }
  return true;
}
