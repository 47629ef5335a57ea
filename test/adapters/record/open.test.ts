import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openRecordStore } from '../../../adapters/record/index.js';
import { MIGRATIONS } from '../../../adapters/record/migrations/index.js';
import { memoryLogger } from '../../../bots/log.js';
import { ticket } from '../store/contract.js';
import { freshDatabase, requirePostgres } from './support.js';

/** What the start-up log says about opening: which migrations ran. */
function applied(log: ReturnType<typeof memoryLogger>): unknown[] {
  return log.lines.filter((l) => l.message === 'record store open').map((l) => l.fields?.migrationsApplied);
}

describe('record store: opening PGlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'record-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens nothing until asked, keeps a folder across a reopen, and applies the migrations once', async () => {
    const dataDir = join(dir, 'nested', 'record');
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
