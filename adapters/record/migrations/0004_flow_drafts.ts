import type { Kysely } from 'kysely';

/**
 * The console's flow drafts (issue 15): one per admin account, the whole set of definition files
 * as JSON, the published version it started from, and when it was last edited.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('flow_drafts')
    .addColumn('account', 'text', (c) => c.primaryKey())
    .addColumn('files', 'jsonb', (c) => c.notNull())
    .addColumn('based_on', 'integer')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('flow_drafts').execute();
}
