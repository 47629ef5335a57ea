import { sql, type Kysely, type Selectable } from 'kysely';
import type { TicketQuery, TicketStore } from '../../bots/ports.js';
import type { Ticket, TicketChanges, TicketEvent, TicketStatus } from '../../flows/ticket.js';
import { MAX_TICKET_EVENTS, ticketQuery } from '../store/shared.js';
import { instant, maybeMillis, millis, storable, type Db } from './rows.js';
import type { Database, TicketBody, TicketEventsTable, TicketsTable } from './schema.js';
import { runParts } from './statement.js';
import { putPart, updatePart } from './ticket-writes.js';

export { TicketIdCollision } from './ticket-writes.js';

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
export class RecordTickets implements TicketStore {
  constructor(private readonly db: () => Promise<Kysely<Database>>) {}

  /**
   * Upserts the ticket and adds its events that are not stored yet, in one statement (ticket-writes.ts
   * putPart). Throws TicketIdCollision, having written nothing, when the id names another matter.
   */
  async put(ticket: Ticket): Promise<void> {
    const db = await this.db();
    await runParts(db, [putPart(ticket, 'put')]);
  }

  /**
   * Applies the changes in one statement, merged in SQL as the shared rule says (ticket-writes.ts
   * updatePart: ifStatus, updatedAt never back, events each once), and reads the ticket's events
   * after it. A ticket that no longer has `ifStatus` comes back as it is then.
   */
  async update(id: string, changes: TicketChanges, at: number, ifStatus?: TicketStatus): Promise<Ticket | undefined> {
    const db = await this.db();
    const name = 'updated';
    const written = await runParts(
      db,
      [updatePart(id, changes, at, ifStatus, name)],
      [sql`(select has_events from ${sql.id(name)}) as has_events`, sql`(select body from ${sql.id(name)}) as body`],
    );
    if (written.body === null || written.body === undefined) return this.get(id);
    const row = { id, has_events: Boolean(written.has_events), body: written.body as TicketBody | string };
    return withEvents(row, await eventsOf(db, [id]));
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
 * Whether the need, a fact, the outcome or the comment contains `text`, ignoring case: `words`
 * holds them lower-cased as the other stores compare them (shared.ts: toLocaleLowerCase), the
 * needle is lower-cased the same way. strpos, not LIKE, so `%` and `_` are plain characters.
 */
function mentions(text: string) {
  return sql<boolean>`exists (select 1 from jsonb_array_elements_text(words) as w(word)
    where strpos(w.word, ${text.toLocaleLowerCase()}) > 0)`;
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
