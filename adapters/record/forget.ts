import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Ticket, TicketEventType } from '../../flows/ticket.js';
import { sha256, type Db } from './rows.js';
import type { TicketBody } from './schema.js';

/**
 * Forgetting a customer (seed 000 五, 个人信息保护): their archived transcripts and unanswered
 * askings go, and their tickets and conversation summaries stay, anonymised, so the figures
 * (volume, statuses, categories, satisfaction, times, who of the staff did what) do not change.
 */

/** The settings key of this database's pseudonym salt (random, made once, never shown). */
const SALT_KEY = 'pseudonym-salt';

/** Event details that are codes (why it was handed off or escalated), kept; any other detail is someone's words. */
const CODE_DETAILS: ReadonlySet<TicketEventType> = new Set(['handed-off', 'escalated']);

/** This database's pseudonym salt, made on first use (two replicas at once agree: the first insert wins). */
async function salt(db: Db): Promise<string> {
  await db
    .insertInto('settings')
    .values({ key: SALT_KEY, value: randomBytes(32).toString('hex') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('settings').select('value').where('key', '=', SALT_KEY).executeTakeFirstOrThrow();
  return row.value;
}

/**
 * The pseudonym of an id in this database: `forgotten-` and the first 12 hex digits of
 * SHA-256(id + salt). The same id always gets the same one, so a forgotten customer's tickets
 * still count as one customer's (first-contact resolution); without the salt it cannot be reversed
 * by hashing candidate ids.
 */
export function pseudonym(id: string, saltValue: string): string {
  return `forgotten-${sha256(id + saltValue).slice(0, 12)}`;
}

/** A ticket without its customer: pseudonyms for them and the conversation, and none of their words or files. */
export function anonymised(t: TicketBody, customer: string, conversation: string): TicketBody {
  const { files: _files, comment: _comment, customer: _customer, ...rest } = t;
  return { ...rest, customer: { id: customer }, conversationId: conversation, need: '', facts: [], outcome: '' };
}

/**
 * Forgets a customer in one transaction: which conversations are theirs (their summaries and
 * their tickets'), their tickets anonymised (events keep type, time, staff and code details),
 * their conversations' archived entries and unanswered askings deleted, the summaries kept under
 * pseudonyms. Returns what was touched and the conversations' real ids (the hot store's side is
 * the caller's). Forgetting again finds nothing.
 */
export async function forgetCustomer(
  db: Db,
  customerId: string,
): Promise<{ tickets: number; transcriptEntries: number; conversations: string[] }> {
  const s = await salt(db);
  const customer = pseudonym(customerId, s);
  const tickets = await db
    .selectFrom('tickets')
    .select(['id', 'body'])
    .where('customer_id', '=', customerId)
    .forUpdate()
    .execute();
  const summaries = await db
    .selectFrom('conversations')
    .select('conversation_id')
    .where('customer_id', '=', customerId)
    .execute();
  const bodies = tickets.map((t) => (typeof t.body === 'string' ? (JSON.parse(t.body) as Ticket) : t.body));
  const conversations = [
    ...new Set([...summaries.map((c) => c.conversation_id), ...bodies.map((b) => b.conversationId)]),
  ].sort();
  for (const body of bodies) {
    const t = anonymised(body, customer, pseudonym(body.conversationId, s));
    await db
      .updateTable('tickets')
      .set({
        customer_id: customer,
        customer_name: null,
        conversation_id: t.conversationId,
        need: '',
        facts: '[]',
        words: '[]',
        outcome: '',
        comment: null,
        body: JSON.stringify(t),
      })
      .where('id', '=', body.id)
      .execute();
  }
  if (bodies.length)
    await db
      .updateTable('ticket_events')
      .set({ detail: null })
      .where(
        'ticket_id',
        'in',
        bodies.map((b) => b.id),
      )
      .where('type', 'not in', [...CODE_DETAILS])
      .execute();
  let transcriptEntries = 0;
  for (const conversationId of conversations) {
    const deleted = await db
      .deleteFrom('transcript_entries')
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    transcriptEntries += Number(deleted.numDeletedRows);
    await db.deleteFrom('unanswered_askings').where('conversation_id', '=', conversationId).execute();
    await renameConversation(db, conversationId, pseudonym(conversationId, s), customer);
  }
  return { tickets: bodies.length, transcriptEntries, conversations };
}

/**
 * Moves a conversation's summary and sessions under its pseudonym. The same conversation forgotten before (the
 * customer came back on the same chat) is merged into the one kept then, as the archive merges
 * the summaries of one conversation: the earliest times.
 */
async function renameConversation(db: Db, conversationId: string, renamed: string, customer: string): Promise<void> {
  await sql`insert into conversations
      (conversation_id, channel, customer_id, started_at, first_customer_at, first_bot_reply_at)
    select ${renamed}, channel, ${customer}, started_at, first_customer_at, first_bot_reply_at
      from conversations where conversation_id = ${conversationId}
    on conflict (conversation_id) do update set
      started_at = least(conversations.started_at, excluded.started_at),
      first_customer_at = least(conversations.first_customer_at, excluded.first_customer_at),
      first_bot_reply_at = least(conversations.first_bot_reply_at, excluded.first_bot_reply_at)`.execute(db);
  await db.deleteFrom('conversations').where('conversation_id', '=', conversationId).execute();
  await sql`insert into conversation_sessions
      (conversation_id, started_at, channel, customer_id, first_customer_at, first_bot_reply_at)
    select ${renamed}, started_at, channel, ${customer}, first_customer_at, first_bot_reply_at
      from conversation_sessions where conversation_id = ${conversationId}
    on conflict (conversation_id, started_at) do nothing`.execute(db);
  await db.deleteFrom('conversation_sessions').where('conversation_id', '=', conversationId).execute();
}
