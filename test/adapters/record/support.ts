import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { openRecordStore, type OpenedRecordStore } from '../../../adapters/record/index.js';
import { memoryLogger } from '../../../bots/log.js';
import { pgliteFolder } from '../../support/pglite-folder.js';
import { createDatabase, probePostgres, serverUrl } from '../../support/postgres.js';

/**
 * The two databases the record runs on, for every record suite: PGlite in memory, and a real
 * PostgreSQL server (DATABASE_TEST_URL, else postgres://postgres@127.0.0.1:5432/postgres, as
 * .ci/run starts it) in a database of the suite's own, created for it and dropped after it.
 * Without a server the server half is skipped, loudly; under CI=true it fails.
 */

export { serverUrl };

/** Why no server answers, or '' when one does. */
export const postgresMissing: string = await probePostgres(serverUrl);

if (postgresMissing)
  process.stderr.write(
    `\n${'!'.repeat(78)}\n!! PostgreSQL record suites cannot run on a server: ${postgresMissing}.\n!! Set DATABASE_TEST_URL or run .ci/run.${process.env.CI === 'true' ? ' CI=true: they will FAIL.' : ' They are SKIPPED (PGlite still runs).'}\n${'!'.repeat(78)}\n`,
  );

/** Like requireRedis: true when a server answers; under CI=true a missing one is a failing test. */
export function requirePostgres(): boolean {
  if (!postgresMissing) return true;
  if (process.env.CI === 'true')
    it('has a PostgreSQL server to test against', () => {
      throw new Error(`the record suites need a server: ${postgresMissing}`);
    });
  return false;
}

/** A database of its own on the server: its URL, and how to drop it. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  return createDatabase('rec');
}

/**
 * Empties every table the migrations made (not the migrator's own), children before the tables
 * they reference: a new table is emptied without a change here. Rows are deleted, not truncated:
 * 4–9 ms a call against 85–100 ms (a truncate makes new files for every table), and the suites
 * call it before most tests.
 */
export async function emptyRecord(store: OpenedRecordStore): Promise<void> {
  const db = await store.database();
  const { rows: tables } = await sql<{ name: string }>`select tablename as name from pg_tables
    where schemaname = 'public' and tablename not like 'kysely_%'`.execute(db);
  const { rows: references } = await sql<{ child: string; parent: string }>`select
    conrelid::regclass::text as child, confrelid::regclass::text as parent
    from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace`.execute(db);
  const left = new Set(tables.map((t) => t.name));
  while (left.size > 0) {
    // A table no table still to be emptied references.
    const next = [...left].find((t) => !references.some((r) => r.parent === t && r.child !== t && left.has(r.child)));
    if (next === undefined) throw new Error(`emptyRecord: the foreign keys among ${[...left].join(', ')} form a cycle`);
    await sql`delete from ${sql.table(next)}`.execute(db);
    left.delete(next);
  }
}

export interface Backend {
  name: 'pglite' | 'postgres';
  /** The suite's store (opened before its tests, closed after them). */
  store(): OpenedRecordStore;
}

/**
 * Registers `suite` once per database: a store per suite (PGlite takes seconds to start), which
 * the suite empties as it needs (emptyRecord).
 */
export function onBothDatabases(title: string, suite: (backend: Backend) => void): void {
  describe(`${title}: PGlite`, () => {
    let store: OpenedRecordStore | undefined;
    let dir = '';
    beforeAll(async () => {
      dir = await pgliteFolder('record-suite-');
      // A copy of a folder the record made once (pglite-folder.ts): no initdb (seconds of CPU) per suite.
      store = openRecordStore({ dataDir: dir, log: memoryLogger() });
      await store.ready();
    });
    afterAll(async () => {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    });
    suite({ name: 'pglite', store: () => store! });
  });
  describe(`${title}: PostgreSQL server`, () => {
    if (!requirePostgres()) return;
    const server = serverRecord();
    suite({ name: 'postgres', store: () => server.record });
  });
}

/**
 * A record of the suite's own on the PostgreSQL server: a fresh database created and opened
 * before the suite's tests, closed and dropped after them. Call inside a describe that checked
 * requirePostgres(); read `record` and `url` in tests and hooks.
 */
export function serverRecord(): { readonly record: OpenedRecordStore; readonly url: string } {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let store: OpenedRecordStore | undefined;
  beforeAll(async () => {
    database = await freshDatabase();
    store = openRecordStore({ url: database.url, log: memoryLogger() });
    await store.ready();
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });
  return {
    get record() {
      if (!store) throw new Error('serverRecord: read it in a test or hook, after the suite opened it');
      return store;
    },
    get url() {
      return database?.url ?? '';
    },
  };
}
