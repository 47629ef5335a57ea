import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import {
  migrate,
  openRecordStore,
  PGLITE_SHARED_BUFFERS,
  type OpenedRecordStore,
} from '../../../adapters/record/index.js';
import { MIGRATIONS } from '../../../adapters/record/migrations/index.js';
import { memoryLogger } from '../../../bots/log.js';
import { ticket } from '../store/contract.js';
import { pgliteFolder } from '../../support/pglite-folder.js';
import { freshDatabase, requirePostgres } from './support.js';

/** What the start-up log says about opening: which migrations ran. */
function applied(log: ReturnType<typeof memoryLogger>): unknown[] {
  return log.lines.filter((l) => l.message === 'record store open').map((l) => l.fields?.migrationsApplied);
}

/**
 * A turn's statement is prepared once per connection (PGlite: per open) and shape: later turns of
 * that shape send only their values. With one connection, the statements the database keeps for
 * it are the ones this query sees.
 */
async function preparesEachShapeOnce(store: OpenedRecordStore): Promise<void> {
  const conv = (n: number) => ({ conversationId: `tg:${n}`, channel: 'telegram', customerId: String(n) });
  const line = (n: number, text: string) => ({ at: 1_000 + n, from: 'customer' as const, text, eventId: `u${n}` });
  for (const n of [1, 2, 3])
    await store.write([
      { type: 'ticket.put', ticket: ticket(`T${n}`, 1_000 + n) },
      { type: 'archive', conversation: conv(n), entries: [line(n, `第${n}句`)] },
    ]);
  // Another shape: an archive alone.
  await store.write([{ type: 'archive', conversation: conv(1), entries: [{ ...line(9, '好的'), from: 'bot' }] }]);
  const prepared = await sql<{ runs: number }>`select (generic_plans + custom_plans)::int as runs
    from pg_prepared_statements where statement like '/* prepared */%' order by runs`.execute(await store.database());
  expect(prepared.rows).toEqual([{ runs: 1 }, { runs: 3 }]);
  expect((await store.transcript('tg:1')).map((e) => e.text)).toEqual(['第1句', '好的']);
  expect((await store.tickets.get('T3'))?.createdAt).toBe(1_003);
}

describe('record store: opening PGlite', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("prepares a turn's statement once per shape: later turns of that shape send only their values", async () => {
    // A copy of a migrated folder: the test is about the statements, not PGlite's first start.
    const dataDir = await pgliteFolder();
    const store = openRecordStore({ dataDir, log: memoryLogger() });
    try {
      await preparesEachShapeOnce(store);
      // A buffer pool sized for one bot, not PostgreSQL's 128MB (120 MB less memory, a faster start).
      const pool = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(await store.database());
      expect(pool.rows).toEqual([{ shared_buffers: PGLITE_SHARED_BUFFERS }]);
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('opens nothing until asked, migrates a new cluster once, and keeps the folder across a reopen', async () => {
    // The cluster as PGlite's initdb leaves it (seconds of CPU, paid once: pglite-folder.ts); a start on
    // a truly empty folder, initdb included, is `npm run bench:test`'s cold start.
    const dataDir = await pgliteFolder('record-', { migrated: false });
    dirs.push(dataDir);
    const log = memoryLogger();
    const first = openRecordStore({ dataDir, log });
    expect(first.kind).toBe('pglite');
    expect(log.lines).toEqual([]);
    await first.tickets.put(ticket('T1', 1_000));
    await first.archive({ conversationId: 'tg:42', channel: 'telegram', customerId: '42' }, [
      { at: 1_000, from: 'customer', text: '你好', eventId: 'u1' },
    ]);
    await first.close();
    await expect(first.transcript('tg:42')).rejects.toThrow(/closed/);
    expect(applied(log)).toEqual([Object.keys(MIGRATIONS)]);

    const again = openRecordStore({ dataDir, log });
    try {
      expect(await again.tickets.get('T1')).toEqual(ticket('T1', 1_000));
      expect((await again.transcript('tg:42')).map((e) => e.text)).toEqual(['你好']);
      expect(applied(log)).toEqual([Object.keys(MIGRATIONS), []]);
      // Migrating again is a no-op.
      expect(await migrate(await again.database())).toEqual([]);
    } finally {
      await again.close();
    }
  });
});

describe('record store: opening a PostgreSQL server', () => {
  if (!requirePostgres()) return;

  it("prepares a turn's statement once per connection and shape: later turns of that shape send only their values", async () => {
    const database = await freshDatabase();
    const store = openRecordStore({ url: database.url, log: memoryLogger(), poolSize: 1 });
    try {
      await preparesEachShapeOnce(store);
    } finally {
      await store.close();
      await database.drop();
    }
  });

  it('applies the migrations once, whoever opens the database after (another replica, a restart)', async () => {
    const database = await freshDatabase();
    const log = memoryLogger();
    const a = openRecordStore({ url: database.url, log });
    const b = openRecordStore({ url: database.url, log });
    try {
      // Two replicas starting at once: the migrator's lock lets one apply them.
      await Promise.all([a.ready(), b.ready()]);
      expect(applied(log).sort()).toEqual([[], Object.keys(MIGRATIONS)]);
      const db = await a.database();
      const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
        where table_schema = current_schema()`.execute(db);
      expect(await migrate(db)).toEqual([]);
      const after = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
        where table_schema = current_schema()`.execute(db);
      expect(after.rows).toEqual(tables.rows);
      await a.tickets.put(ticket('T1', 1_000));
      expect(await b.tickets.get('T1')).toEqual(ticket('T1', 1_000));
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });

  it('reports a server that does not answer, and tries again on the next call', async () => {
    const store = openRecordStore({ url: 'postgres://postgres@127.0.0.1:1/none', log: memoryLogger() });
    try {
      await expect(store.ready()).rejects.toThrow();
      await expect(store.tickets.get('T1')).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});
