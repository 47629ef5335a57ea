import { sql, type Kysely } from 'kysely';

/**
 * Sessions of conversations (the issue-14 trial): a Telegram chat is one conversation for ever, so
 * counting conversation ids counted a returning customer once and the bot's first response only
 * at their first message ever. A session starts when the customer opens the service conversation
 * (first words, words after the bot closed the last session, or /start); the report counts these.
 * Earlier conversations become one session each, as the report counted them before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversation_sessions')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('first_customer_at', 'timestamptz')
    .addColumn('first_bot_reply_at', 'timestamptz')
    .addPrimaryKeyConstraint('conversation_sessions_pk', ['conversation_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('conversation_sessions_by_start')
    .on('conversation_sessions')
    .column('started_at')
    .execute();
  await sql`insert into conversation_sessions
      (conversation_id, started_at, channel, customer_id, first_customer_at, first_bot_reply_at)
    select conversation_id, started_at, channel, customer_id, first_customer_at, first_bot_reply_at
      from conversations`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('conversation_sessions').execute();
}
