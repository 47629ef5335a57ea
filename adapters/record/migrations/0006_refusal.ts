import { sql, type Kysely } from 'kysely';

/**
 * `record_refused(message)`: raises `message` with SQLSTATE RF001 (statement.ts REFUSED_SQLSTATE).
 * A turn's writes are one statement (adapters/record/turn.ts); a part that finds its write refused
 * (a ticket number on record for another matter) calls it, so the whole statement fails and
 * nothing of it is written, as a transaction rolled back would leave it. PL/pgSQL: plain SQL
 * cannot raise, and PGlite has PL/pgSQL too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create function record_refused(message text) returns boolean language plpgsql as $$
    begin
      raise exception using errcode = 'RF001', message = message;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function record_refused(text)`.execute(db);
}
