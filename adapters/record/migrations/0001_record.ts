import { sql, type Kysely } from 'kysely';

/**
 * The first schema of the system of record (issue 14): tickets and their lifecycle events, the
 * conversation archive and its summaries, unanswered askings, settings (the pseudonym salt), and,
 * for issue 15, flow versions and the admin audit log. The same SQL on PostgreSQL 15+ and PGlite.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await ticketTables(db);
  await archiveTables(db);
  await laterTables(db);
}

/** Settings, tickets and their lifecycle events. */
async function ticketTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('customer_name', 'text')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('priority', 'text')
    .addColumn('need', 'text', (c) => c.notNull())
    .addColumn('facts', 'jsonb', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('promised_by', 'timestamptz')
    .addColumn('satisfaction', 'smallint')
    .addColumn('claimed_by', 'jsonb')
    .addColumn('resolved_by', 'jsonb')
    .addColumn('flow_version', 'text')
    // The need, facts, outcome and comment lower-cased by the store (text search, whatever the server's locale).
    .addColumn('words', 'jsonb', (c) => c.notNull())
    .addColumn('has_events', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // Lists are newest first, ties by id descending (adapters/store/shared.ts newestFirst).
  await db.schema.createIndex('tickets_by_time').on('tickets').columns(['created_at desc', 'id desc']).execute();
  await db.schema
    .createIndex('tickets_by_customer')
    .on('tickets')
    .columns(['customer_id', 'created_at desc', 'id desc'])
    .execute();
  await db.schema.createIndex('tickets_by_status').on('tickets').columns(['status', 'created_at desc']).execute();
  await db.schema.createIndex('tickets_by_conversation').on('tickets').column('conversation_id').execute();

  await db.schema
    .createTable('ticket_events')
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('by_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('by', 'jsonb')
    .addColumn('detail', 'text')
    .addColumn('promised_by', 'timestamptz')
    .addColumn('score', 'smallint')
    .addPrimaryKeyConstraint('ticket_events_pkey', ['ticket_id', 'seq'])
    .addUniqueConstraint('ticket_events_once', ['ticket_id', 'type', 'at', 'by_id'])
    .execute();
  await db.schema
    .createIndex('ticket_events_in_order')
    .on('ticket_events')
    .columns(['ticket_id', 'at', 'seq'])
    .execute();
}

/** Every transcript line, the conversations' summaries, and unanswered askings. */
async function archiveTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transcript_entries')
    .addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('from', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('file', 'jsonb')
    .addUniqueConstraint('transcript_entries_once', ['conversation_id', 'event_id', 'position'])
    .execute();
  await db.schema
    .createIndex('transcript_entries_in_order')
    .on('transcript_entries')
    .columns(['conversation_id', 'at', 'seq'])
    .execute();
  await db.schema.createIndex('transcript_entries_by_time').on('transcript_entries').column('at').execute();

  await db.schema
    .createTable('conversations')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('first_customer_at', 'timestamptz')
    .addColumn('first_bot_reply_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('conversations_by_start').on('conversations').column('started_at').execute();
  await db.schema.createIndex('conversations_by_customer').on('conversations').column('customer_id').execute();

  await db.schema
    .createTable('unanswered_askings')
    .addColumn('ref', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('unanswered_askings_by_time').on('unanswered_askings').column('at').execute();
  await db.schema
    .createIndex('unanswered_askings_by_conversation')
    .on('unanswered_askings')
    .column('conversation_id')
    .execute();
}

/** For issue 15: flow versions and the admin audit log. */
async function laterTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('flow_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('definitions', 'jsonb', (c) => c.notNull())
    .addColumn('validation', 'jsonb')
    .addColumn('test_figures', 'jsonb')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  // At most one active version.
  await sql`create unique index flow_versions_one_active on flow_versions (active) where active`.execute(db);

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb')
    .execute();
  await db.schema.createIndex('audit_log_by_time').on('audit_log').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'audit_log',
    'flow_versions',
    'unanswered_askings',
    'conversations',
    'transcript_entries',
    'ticket_events',
    'tickets',
    'settings',
  ])
    await db.schema.dropTable(table).execute();
}
