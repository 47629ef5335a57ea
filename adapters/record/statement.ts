import { sql, type RawBuilder } from 'kysely';
import type { Db } from './rows.js';
import { PREPARED_MARK } from './prepared.js';
import { TicketIdCollision } from './ticket-writes.js';

/**
 * Writes to the record as parts of one statement: data-modifying CTEs (`with a as (insert …), b
 * as (update …) select …`). PostgreSQL runs every one of them to completion, all against the
 * database as it was when the statement began, and the statement is atomic by itself: a turn's
 * tickets, lifecycle events and archive are one round trip, with no BEGIN and COMMIT around them.
 * Because the parts do not see each other's rows, two parts must not write the same row (the
 * caller writes those in a transaction, a statement each).
 */

/** One write as part of a statement. */
export interface Part {
  /** Its `name as (…)` items of the WITH list, in order; names are unique in the statement. */
  ctes: RawBuilder<unknown>[];
  /** Columns it adds to the statement's one result row (`expression as name`). */
  columns: RawBuilder<unknown>[];
  /** Work after the statement, given its result row, in the same database or transaction. */
  after?: ((row: Readonly<Record<string, unknown>>, db: Db) => Promise<void>) | undefined;
}

/**
 * The SQLSTATE `record_refused(message)` raises (migrations/0006_refusal.ts): a part that finds
 * its write refused (a ticket number on record for another matter) makes the whole statement
 * fail, so nothing of it is written.
 */
export const REFUSED_SQLSTATE = 'RF001';

/**
 * Runs `parts` as one statement (nothing when there are none) and then each part's `after`.
 * Resolves with the result row: the parts' columns and `extra` ones (`expression as name`).
 * Throws TicketIdCollision, having written nothing, when a part raised record_refused.
 */
export async function runParts(
  db: Db,
  parts: readonly Part[],
  extra: readonly RawBuilder<unknown>[] = [],
): Promise<Record<string, unknown>> {
  const ctes = parts.flatMap((p) => p.ctes);
  const columns = [...parts.flatMap((p) => p.columns), ...extra];
  if (ctes.length === 0) return {};
  const select = columns.length ? sql.join(columns) : sql`1 as done`;
  let row: Record<string, unknown>;
  try {
    const result = await sql<
      Record<string, unknown>
    >`${sql.raw(PREPARED_MARK)}with ${sql.join(ctes)} select ${select}`.execute(db);
    row = result.rows[0] ?? {};
  } catch (err) {
    if ((err as { code?: unknown }).code === REFUSED_SQLSTATE)
      throw new TicketIdCollision((err as Error).message, { cause: err });
    throw err;
  }
  for (const p of parts) await p.after?.(row, db);
  return row;
}

/** A name in the statement (a CTE's, a result column's), quoted. */
export function cte(name: string): RawBuilder<unknown> {
  return sql.id(name);
}
