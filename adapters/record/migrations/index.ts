import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_record.js';
import * as m0002 from './0002_flow_versions.js';
import * as m0003 from './0003_console.js';
import * as m0004 from './0004_flow_drafts.js';
import * as m0005 from './0005_sessions.js';
import * as m0006 from './0006_refusal.js';
import * as m0007 from './0007_ticket_additions.js';

/**
 * Every migration of the system of record, in order, listed here (no folder scanning, so the
 * bundle and the tests see the same list). A new schema change is a new file, `NNNN_name.ts`,
 * added below: applied migrations are never edited.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_record': m0001,
  '0002_flow_versions': m0002,
  '0003_console': m0003,
  '0004_flow_drafts': m0004,
  '0005_sessions': m0005,
  '0006_refusal': m0006,
  '0007_ticket_additions': m0007,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
