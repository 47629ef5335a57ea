import { sql } from 'kysely';
import type { TranscriptEntry, UnansweredQuery, UnansweredQuestion } from '../../bots/ports.js';
import type { ConversationSummary, UnansweredAsking } from '../../bots/record-port.js';
import type { Ticket } from '../../flows/ticket.js';
import { instant, maybeJson, maybeMillis, millis, sha256, storable, type Db } from './rows.js';
import { cte, type Part } from './statement.js';
import { withAllEvents } from './tickets.js';

/**
 * The conversation archive, unanswered askings, retention and what the report reads, as queries
 * on a database or a transaction (RecordStore in bots/record-port.ts says what each promises).
 */

/** Entries a transcript read returns unless told. */
export const TRANSCRIPT_READ_LIMIT = 1_000;

/** Rows a retention pass deletes per statement, so it never holds locks on millions of rows at once. */
export const RETENTION_BATCH = 5_000;

/**
 * The archive of a turn as part `name` of a statement (statement.ts): inserts the entries (each
 * once: unique on conversation, event id and the entry's place among that event's entries in the
 * call, so a turn archived again adds nothing) and keeps the conversation's summary: the earliest
 * start and first customer message ever archived, the first bot reply at or after that message (a
 * turn's lines share its event's time), and its customer once known. One call must carry all the
 * entries of a turn (as a turn's commit writes them); no other part of the statement may archive
 * the same conversation.
 *
 * The entries, the turn's session (see sessionCtes) and the summary's upsert are data-modifying
 * CTEs. They all read the database as it was before the statement, so the first bot reply is
 * looked for among the archived entries and this call's (`<name>_v`) alike. No entries: no part.
 */
export function archivePart(
  conversation: { conversationId: string; channel: string; customerId: string },
  entries: readonly TranscriptEntry[],
  opensSession: boolean,
  name: string,
): Part {
  if (entries.length === 0) return { ctes: [], columns: [] };
  const c = storable(conversation);
  const seen = new Map<string, number>();
  const rows = storable(entries).map((e) => {
    const position = seen.get(e.eventId) ?? 0;
    seen.set(e.eventId, position + 1);
    return sql`(${c.conversationId}::text, ${e.eventId}::text, ${position}::int, ${instant(e.at)}::timestamptz,
      ${e.from}::text, ${e.text}::text, ${maybeJson(e.file)}::jsonb)`;
  });
  const at = Math.min(...entries.map((e) => e.at));
  const customerAts = entries.filter((e) => e.from === 'customer').map((e) => e.at);
  const firstCustomer = customerAts.length ? Math.min(...customerAts) : undefined;
  // A conversation new to the archive has no entries but this call's (forgetting deletes both).
  const botAts = entries.filter((e) => e.from === 'bot' && firstCustomer !== undefined && e.at >= firstCustomer);
  const firstBot = botAts.length ? instant(Math.min(...botAts.map((e) => e.at))) : null;
  const v = cte(`${name}_v`);
  // The first bot reply at or after `since` (a timestamptz expression), among the archived entries and
  // this call's: looked for (a CASE evaluates only the branch it takes) until one is found.
  const firstBotSince = (since: ReturnType<typeof sql>) => sql`(select min(x.at) from (
      select e.at from transcript_entries e where e.conversation_id = ${c.conversationId} and e."from" = 'bot'
      union all select v.at from ${v} v where v."from" = 'bot') x where x.at >= ${since})`;
  const fc = sql`least(c.first_customer_at, excluded.first_customer_at)`;
  return {
    ctes: [
      sql`${v} (conversation_id, event_id, position, at, "from", text, file) as (values ${sql.join(rows)})`,
      sql`${cte(`${name}_entries`)} as (
        insert into transcript_entries (conversation_id, event_id, position, at, "from", text, file)
        select * from ${v} on conflict on constraint transcript_entries_once do nothing)`,
      ...sessionCtes(c, entries, opensSession, name),
      sql`${cte(name)} as (
        insert into conversations as c
          (conversation_id, channel, customer_id, started_at, first_customer_at, first_bot_reply_at)
        values (${c.conversationId}, ${c.channel}, ${c.customerId}, ${instant(at)},
          ${firstCustomer === undefined ? null : instant(firstCustomer)}::timestamptz, ${firstBot}::timestamptz)
        on conflict (conversation_id) do update set
          channel = excluded.channel,
          customer_id = case when excluded.customer_id <> '' then excluded.customer_id else c.customer_id end,
          started_at = least(c.started_at, excluded.started_at),
          first_customer_at = ${fc},
          first_bot_reply_at = case when ${fc} is null or c.first_bot_reply_at >= ${fc}
            then c.first_bot_reply_at else ${firstBotSince(fc)} end)`,
    ],
    columns: [],
  };
}

/**
 * A turn's part in the conversation's sessions, as CTEs of archivePart's statement: a turn that
 * opens a session starts it (again: nothing, the same start); any other completes the latest
 * session begun at or before it (its first customer message, the bot's first reply after it), or
 * starts one when there is none yet.
 */
function sessionCtes(
  c: { conversationId: string; channel: string; customerId: string },
  entries: readonly TranscriptEntry[],
  opensSession: boolean,
  name: string,
) {
  const at = instant(Math.min(...entries.map((e) => e.at)));
  const customerAts = entries.filter((e) => e.from === 'customer').map((e) => e.at);
  const firstCustomer = customerAts.length ? Math.min(...customerAts) : undefined;
  const botAts = entries.filter((e) => e.from === 'bot').map((e) => e.at);
  const firstBot = botAts.length ? Math.min(...botAts) : undefined;
  const replied = firstCustomer !== undefined && firstBot !== undefined && firstBot >= firstCustomer;
  const customer = firstCustomer === undefined ? null : instant(firstCustomer);
  const bot = firstBot === undefined ? null : instant(firstBot);
  const latest = cte(`${name}_latest`);
  // least() passes over nulls; turns may be archived out of order (a retry), so the earliest wins.
  return [
    sql`${latest} as (
      select started_at from conversation_sessions
      where conversation_id = ${c.conversationId} and started_at <= ${at}::timestamptz and ${sql.lit(!opensSession)}
      order by started_at desc limit 1)`,
    sql`${cte(`${name}_started`)} as (
      insert into conversation_sessions
        (conversation_id, started_at, channel, customer_id, first_customer_at, first_bot_reply_at)
      select ${c.conversationId}::text, ${at}::timestamptz, ${c.channel}::text, ${c.customerId}::text,
        ${customer}::timestamptz, ${replied ? bot : null}::timestamptz
      where not exists (select 1 from ${latest})
      on conflict (conversation_id, started_at) do nothing)`,
    sql`${cte(`${name}_kept`)} as (
      update conversation_sessions s set
        customer_id = case when s.customer_id = '' then ${c.customerId} else s.customer_id end,
        first_customer_at = least(s.first_customer_at, ${customer}::timestamptz),
        first_bot_reply_at = least(s.first_bot_reply_at,
          case when least(s.first_customer_at, ${customer}::timestamptz) <= ${bot}::timestamptz then ${bot}::timestamptz end)
      from ${latest} l where s.conversation_id = ${c.conversationId} and s.started_at = l.started_at)`,
  ];
}

/** The last `limit` archived entries of a conversation, oldest first (as the hot transcript reads its last lines). */
export async function transcript(
  db: Db,
  conversationId: string,
  limit = TRANSCRIPT_READ_LIMIT,
): Promise<TranscriptEntry[]> {
  if (limit <= 0) return [];
  const rows = await db
    .selectFrom('transcript_entries')
    .select(['at', 'from', 'text', 'event_id', 'file'])
    .where('conversation_id', '=', conversationId)
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((r) => ({
    at: millis(r.at),
    from: r.from,
    text: r.text,
    eventId: r.event_id,
    ...(r.file ? { file: typeof r.file === 'string' ? JSON.parse(r.file) : r.file } : {}),
  }));
}

/**
 * Counts an asking once per ref. The ref is kept as its SHA-256 (refs carry NUL, which text
 * cannot), with the conversation it names (`<conversation>\u0000<outbox item>`, as bots/delivery.ts
 * writes it) so forgetting a customer finds their askings.
 */
export async function recordUnanswered(db: Db, asking: UnansweredAsking, ref: string): Promise<void> {
  await askingInsert(db, asking, ref).execute();
}

/** recordUnanswered as part `name` of a statement (statement.ts). */
export function unansweredPart(db: Db, asking: UnansweredAsking, ref: string, name: string): Part {
  return { ctes: [sql`${cte(name)} as (${askingInsert(db, asking, ref)})`], columns: [] };
}

function askingInsert(db: Db, asking: UnansweredAsking, ref: string) {
  const nul = ref.indexOf('\u0000');
  const a = storable(asking);
  return db
    .insertInto('unanswered_askings')
    .values({
      ref: sha256(ref),
      conversation_id: storable(nul >= 0 ? ref.slice(0, nul) : ''),
      text: a.text,
      locale: a.locale,
      at: instant(a.at),
    })
    .onConflict((oc) => oc.column('ref').doNothing());
}

/** Deletes archived entries older than `before` (epoch ms), RETENTION_BATCH at a time; returns how many. */
export async function deleteTranscriptsBefore(db: Db, before: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db
      .deleteFrom('transcript_entries')
      .where('seq', 'in', (q) =>
        q.selectFrom('transcript_entries').select('seq').where('at', '<', instant(before)).limit(RETENTION_BATCH),
      )
      .executeTakeFirst();
    const n = Number(result.numDeletedRows);
    total += n;
    if (n < RETENTION_BATCH) return total;
  }
}

/**
 * When the record was last written (epoch ms): its newest archived line, ticket or flow version
 * (three index lookups); undefined when it holds none of them.
 */
export async function latestWrite(db: Db): Promise<number | undefined> {
  const newest = await Promise.all([
    db
      .selectFrom('transcript_entries')
      .select((eb) => eb.fn.max('at').as('at'))
      .executeTakeFirst(),
    db
      .selectFrom('tickets')
      .select((eb) => eb.fn.max('created_at').as('at'))
      .executeTakeFirst(),
    db
      .selectFrom('flow_versions')
      .select((eb) => eb.fn.max('created_at').as('at'))
      .executeTakeFirst(),
  ]);
  const times = newest.flatMap((row) => (row?.at ? [millis(row.at)] : []));
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** Tickets created in [from, to), oldest first (ties by id), with their events. */
export async function ticketsCreated(db: Db, from: number, to: number): Promise<Ticket[]> {
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'has_events', 'body'])
    .where('created_at', '>=', instant(from))
    .where('created_at', '<', instant(to))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return withAllEvents(db, rows);
}

/**
 * Sessions begun in [from, to), oldest first: what the report counts as conversations. The locale
 * is the session's first ticket's (else the conversation's first ticket's).
 */
export async function conversationsStarted(db: Db, from: number, to: number): Promise<ConversationSummary[]> {
  const firstTicketLocale = (after: boolean) =>
    sql<string | null>`(select t.locale from tickets t where t.conversation_id = s.conversation_id
      ${after ? sql`and t.created_at >= s.started_at` : sql``} order by t.created_at, t.id limit 1)`;
  const rows = await db
    .selectFrom('conversation_sessions as s')
    .selectAll('s')
    .select(sql<string | null>`coalesce(${firstTicketLocale(true)}, ${firstTicketLocale(false)})`.as('locale'))
    .where('s.started_at', '>=', instant(from))
    .where('s.started_at', '<', instant(to))
    .orderBy('s.started_at')
    .orderBy('s.conversation_id')
    .execute();
  return rows.map((r) => {
    const firstCustomerAt = maybeMillis(r.first_customer_at);
    const firstBotReplyAt = maybeMillis(r.first_bot_reply_at);
    return {
      conversationId: r.conversation_id,
      channel: r.channel,
      customerId: r.customer_id,
      ...(r.locale ? { locale: r.locale } : {}),
      startedAt: millis(r.started_at),
      ...(firstCustomerAt !== undefined ? { firstCustomerAt } : {}),
      ...(firstBotReplyAt !== undefined ? { firstBotReplyAt } : {}),
    };
  });
}

/** The askings grouped by locale and text, with their count, first and latest time (RecordStore.unansweredQuestions). */
export async function unansweredQuestions(db: Db, query: UnansweredQuery = {}): Promise<UnansweredQuestion[]> {
  const count = sql<string>`count(*)`;
  const last = sql<Date>`max(at)`;
  let q = db
    .selectFrom('unanswered_askings')
    .select(['text', 'locale', count.as('count'), sql<Date>`min(at)`.as('first_seen'), last.as('last_seen')])
    .groupBy(['locale', 'text']);
  if (query.locale) q = q.where('locale', '=', query.locale);
  q =
    query.sort === 'recent'
      ? q.orderBy(last, 'desc').orderBy(count, 'desc')
      : q.orderBy(count, 'desc').orderBy(last, 'desc');
  const rows = await q
    .orderBy('text')
    .limit(query.limit ?? 50)
    .execute();
  return rows.map((r) => ({
    text: r.text,
    locale: r.locale,
    count: Number(r.count),
    firstSeen: millis(r.first_seen),
    lastSeen: millis(r.last_seen),
  }));
}

/** Askings in [from, to), oldest first. */
export async function unansweredAsked(db: Db, from: number, to: number): Promise<UnansweredAsking[]> {
  const rows = await db
    .selectFrom('unanswered_askings')
    .select(['text', 'locale', 'at'])
    .where('at', '>=', instant(from))
    .where('at', '<', instant(to))
    .orderBy('at')
    .orderBy('ref')
    .execute();
  return rows.map((r) => ({ text: r.text, locale: r.locale, at: millis(r.at) }));
}
