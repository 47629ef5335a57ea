import { sql, type Compilable, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { TicketQuery, TicketStore } from '../../bots/ports.js';
import { RecordRefused } from '../../bots/record-port.js';
import type { Ticket, TicketChanges, TicketEvent, TicketStatus } from '../../flows/ticket.js';
import { MAX_TICKET_EVENTS, mergeTicket, ticketQuery } from '../store/shared.js';
import { instant, json, maybeInstant, maybeJson, maybeMillis, millis, storable, type Db } from './rows.js';
import type { Database, TicketBody, TicketEventsTable, TicketsTable } from './schema.js';

/**
 * Tickets in PostgreSQL, to the same contract as the memory and Redis stores (bots/ports.ts
 * TicketStore; test/adapters/store/contract.ts). A ticket is one row of `tickets` (the columns
 * the report and searches filter on, and the whole ticket but its events as `body`) and its
 * lifecycle is rows of `ticket_events`, unique on (ticket, type, time, actor): appending an event
 * that is there already does nothing, so a retried put or update appends nothing. Events read
 * back in time order, ties in the order recorded, the first MAX_TICKET_EVENTS of them (the rule of
 * adapters/store/shared.ts mergeEvents, kept by the table instead of in memory).
 *
 * What a list costs: one indexed query (by time, by customer, by status) and one for the events
 * of the tickets it returns. A text search reads the tickets in the other filters' range (no text
 * index: fine for hundreds of thousands of tickets).
 */
/** A put whose id names a different matter on record (another conversation, or another creation time). */
export class TicketIdCollision extends RecordRefused {
  override readonly name = 'TicketIdCollision';
}

export class RecordTickets implements TicketStore {
  constructor(private readonly db: () => Promise<Kysely<Database>>) {}

  /** Upserts the ticket and adds its events that are not stored yet, in one transaction. */
  async put(ticket: Ticket): Promise<void> {
    const db = await this.db();
    await db.transaction().execute((tx) => putTicket(tx, ticket));
  }

  /**
   * Reads the ticket under a row lock (a concurrent put or update waits), applies the changes with
   * the shared rule (mergeTicket: ifStatus, updatedAt never back), writes it and appends the events.
   */
  async update(id: string, changes: TicketChanges, at: number, ifStatus?: TicketStatus): Promise<Ticket | undefined> {
    const db = await this.db();
    return db.transaction().execute(async (tx) => {
      const written = await updateTicket(tx, id, changes, at, ifStatus);
      return written && withEvents(written.row, await eventsOf(tx, [id]));
    });
  }

  async get(id: string): Promise<Ticket | undefined> {
    return (await this.list({ id, limit: 1 }))[0];
  }

  /** Every field given must match (TicketQuery); newest first, ties by id descending (shared.ts newestFirst). */
  async list(query: TicketQuery = {}): Promise<Ticket[]> {
    const { limit } = ticketQuery(query);
    if (limit <= 0) return [];
    const db = await this.db();
    const text = query.text?.trim();
    const rows = await db
      .selectFrom('tickets')
      .selectAll()
      .$if(query.id !== undefined, (q) => q.where('id', '=', query.id!))
      .$if(Boolean(query.status), (q) => q.where('status', '=', query.status!))
      .$if(Boolean(query.conversationId), (q) => q.where('conversation_id', '=', query.conversationId!))
      .$if(query.customerId !== undefined, (q) => q.where('customer_id', '=', query.customerId!))
      .$if(query.from !== undefined, (q) => q.where('created_at', '>=', instant(query.from!)))
      .$if(query.to !== undefined, (q) => q.where('created_at', '<', instant(query.to!)))
      .$if(Boolean(text), (q) => q.where(mentions(storable(text!))))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return withAllEvents(db, rows);
  }
}

/**
 * Upserts the ticket and adds its events that are not stored yet, in `tx` (a transaction: put
 * makes one; RecordStore.write one for a turn's writes). Throws TicketIdCollision, having written
 * nothing, when the id names another matter on record.
 */
export async function putTicket(tx: Db, ticket: Ticket): Promise<void> {
  const t = storable(ticket);
  const row = ticketRow(t, t.events !== undefined);
  const { id: _id, ...update } = row;
  // Only over the same matter: another conversation's ticket that drew the same number is kept.
  const upsert = tx
    .insertInto('tickets')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ ...update, has_events: sql<boolean>`tickets.has_events or excluded.has_events` })
        .where(({ eb, ref }) =>
          eb.and([
            eb(ref('tickets.conversation_id'), '=', ref('excluded.conversation_id')),
            eb(ref('tickets.created_at'), '=', ref('excluded.created_at')),
          ]),
        ),
    )
    .returning('id');
  if (!(await writeTicket(tx, t.id, upsert, t.events)))
    throw new TicketIdCollision(
      `Ticket ${t.id} is already on record for another matter (conversation or creation time differ); it was not overwritten.`,
    );
}

/**
 * Applies changes to a ticket in `tx` (a transaction), as RecordTickets.update says; resolves with
 * the row as written (or as it was, when the changes do not apply), its events left unread;
 * undefined when there is no such ticket.
 */
export async function updateTicket(
  tx: Db,
  id: string,
  changes: TicketChanges,
  at: number,
  ifStatus?: TicketStatus,
): Promise<{ row: TicketRow } | undefined> {
  const c = storable(changes);
  // The row under a lock and its events, in one query.
  const found = await tx
    .selectFrom('tickets')
    .selectAll()
    .select(
      sql<Array<Selectable<TicketEventsTable>>>`(select coalesce(json_agg(e order by e.at, e.seq), '[]')
        from ticket_events e where e.ticket_id = tickets.id)`.as('events'),
    )
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!found) return undefined;
  const { events, ...row } = found;
  const list = (typeof events === 'string' ? (JSON.parse(events) as typeof events) : events).slice(
    0,
    MAX_TICKET_EVENTS,
  );
  const current = withEvents(row, new Map([[id, list.map(eventOf)]]));
  const next = mergeTicket(current, c, at, ifStatus);
  if (!next) return { row };
  const { id: _id, ...update } = ticketRow(next, row.has_events || c.events !== undefined);
  await writeTicket(tx, id, tx.updateTable('tickets').set(update).where('id', '=', id).returning('id'), c.events);
  return { row: { ...row, has_events: update.has_events, body: update.body } };
}

/**
 * Whether the need, a fact, the outcome or the comment contains `text`, ignoring case: `words`
 * holds them lower-cased as the other stores compare them (shared.ts: toLocaleLowerCase), the
 * needle is lower-cased the same way. strpos, not LIKE, so `%` and `_` are plain characters.
 */
function mentions(text: string) {
  return sql<boolean>`exists (select 1 from jsonb_array_elements_text(words) as w(word)
    where strpos(w.word, ${text.toLocaleLowerCase()}) > 0)`;
}

/** The row of a ticket: its columns, and the ticket but its events as `body`. */
export function ticketRow(
  t: Ticket,
  hasEvents: boolean,
): Insertable<TicketsTable> & { body: string; has_events: boolean } {
  const { events: _events, ...body } = t;
  return {
    id: t.id,
    conversation_id: t.conversationId,
    channel: t.channel,
    customer_id: t.customer.id,
    customer_name: t.customer.name ?? null,
    locale: t.locale,
    type: t.type,
    status: t.status,
    category: t.category ?? null,
    priority: t.priority ?? null,
    need: t.need,
    facts: json(t.facts),
    outcome: t.outcome,
    comment: t.comment ?? null,
    promised_by: maybeInstant(t.promisedBy),
    satisfaction: t.satisfaction ?? null,
    claimed_by: maybeJson(t.claimedBy),
    resolved_by: maybeJson(t.resolvedBy),
    flow_version: t.flowVersion ?? null,
    words: json([t.need, ...t.facts, t.outcome, ...(t.comment ? [t.comment] : [])].map((w) => w.toLocaleLowerCase())),
    has_events: hasEvents,
    body: json(body),
    created_at: instant(t.createdAt),
    updated_at: instant(t.updatedAt),
  };
}

type TicketRow = Pick<Selectable<TicketsTable>, 'id' | 'has_events'> & { body: TicketBody | string };

/** The ticket of a row, with its events when it has an events list. */
function withEvents(row: TicketRow, events: Map<string, TicketEvent[]>): Ticket {
  const body: TicketBody = typeof row.body === 'string' ? (JSON.parse(row.body) as TicketBody) : row.body;
  return row.has_events ? { ...body, events: events.get(row.id) ?? [] } : body;
}

/** The tickets of rows, in their order, with their events (one query for all of them). */
export async function withAllEvents(db: Db, rows: readonly TicketRow[]): Promise<Ticket[]> {
  const ids = rows.filter((r) => r.has_events).map((r) => r.id);
  const events = ids.length ? await eventsOf(db, ids) : new Map<string, TicketEvent[]>();
  return rows.map((r) => withEvents(r, events));
}

/** The events of tickets by ticket id, each list in time order, ties in the order recorded. */
export async function eventsOf(db: Db, ids: readonly string[]): Promise<Map<string, TicketEvent[]>> {
  const rows = await db
    .selectFrom('ticket_events')
    .selectAll()
    .where('ticket_id', 'in', ids)
    .orderBy('ticket_id')
    .orderBy('at')
    .orderBy('seq')
    .execute();
  const out = new Map<string, TicketEvent[]>();
  for (const r of rows) {
    const list = out.get(r.ticket_id) ?? [];
    if (list.length < MAX_TICKET_EVENTS) list.push(eventOf(r));
    out.set(r.ticket_id, list);
  }
  return out;
}

function eventOf(r: Selectable<TicketEventsTable>): TicketEvent {
  const by = typeof r.by === 'string' ? JSON.parse(r.by) : r.by;
  const promisedBy = maybeMillis(r.promised_by);
  return {
    type: r.type as TicketEvent['type'],
    at: millis(r.at),
    ...(by ? { by } : {}),
    ...(r.detail !== null ? { detail: r.detail } : {}),
    ...(promisedBy !== undefined ? { promisedBy } : {}),
    ...(r.score !== null ? { score: r.score } : {}),
  };
}

/** The rows of events to add to a ticket: each (type, time, actor) once, in the order given. */
function eventRows(ticketId: string, events: readonly TicketEvent[] | undefined): Array<Insertable<TicketEventsTable>> {
  const seen = new Set<string>();
  const rows: Array<Insertable<TicketEventsTable>> = [];
  for (const e of events ?? []) {
    const key = `${e.type}\u0000${e.at}\u0000${e.by?.id ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({
      ticket_id: ticketId,
      type: e.type,
      at: instant(e.at),
      by_id: e.by?.id ?? '',
      by: maybeJson(e.by),
      detail: e.detail ?? null,
      promised_by: maybeInstant(e.promisedBy),
      score: e.score ?? null,
    });
  }
  return rows;
}

/**
 * Writes the ticket's row (`change`: its upsert or update, returning its id) and adds the events it
 * does not have yet (same type, time and actor: see TicketEvent), in the order given, in one
 * statement; then drops those past the first MAX_TICKET_EVENTS in time order, when there are more
 * (a second statement, only then). Resolves with whether `change` wrote the row. In a
 * transaction: the events are added even when it did not, for the caller to roll back.
 */
async function writeTicket(
  db: Db,
  ticketId: string,
  change: Compilable<{ id: string }> & { execute(): Promise<Array<{ id: string }>> },
  events: readonly TicketEvent[] | undefined,
): Promise<boolean> {
  const rows = eventRows(ticketId, events);
  if (rows.length === 0) return (await change.execute()).length > 0;
  const added = db
    .insertInto('ticket_events')
    .values(rows)
    .onConflict((oc) => oc.constraint('ticket_events_once').doNothing())
    .returning('seq');
  // The count sees the table as it was before the statement, plus what it added.
  const result = await sql<{
    written: string | number;
    n: string | number;
  }>`with changed as (${change}), added as (${added})
    select (select count(*) from changed) as written,
      (select count(*) from ticket_events where ticket_id = ${ticketId}) + (select count(*) from added) as n`.execute(
    db,
  );
  const { written, n } = result.rows[0] ?? { written: 0, n: 0 };
  if (Number(n) > MAX_TICKET_EVENTS)
    await db
      .deleteFrom('ticket_events')
      .where('ticket_id', '=', ticketId)
      .where('seq', 'in', (q) =>
        q
          .selectFrom('ticket_events')
          .select('seq')
          .where('ticket_id', '=', ticketId)
          .orderBy('at')
          .orderBy('seq')
          .offset(MAX_TICKET_EVENTS),
      )
      .execute();
  return Number(written) > 0;
}
