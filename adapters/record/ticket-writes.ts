import { sql, type Insertable, type RawBuilder } from 'kysely';
import { RecordRefused } from '../../bots/record-port.js';
import type { FileRef } from '../../flows/files.js';
import {
  MAX_TICKET_FACTS,
  MAX_TICKET_FILES,
  type Ticket,
  type TicketChanges,
  type TicketEvent,
  type TicketStatus,
} from '../../flows/ticket.js';
import { MAX_TICKET_EVENTS } from '../store/shared.js';
import { instant, json, maybeInstant, maybeJson, storable, type Db } from './rows.js';
import type { TicketEventsTable, TicketsTable } from './schema.js';
import { cte, type Part } from './statement.js';

/**
 * A ticket's put and update as parts of one statement (statement.ts): the row's upsert or
 * update and the events it does not have yet, with no read first. An update merges in SQL what
 * adapters/store/shared.ts mergeTicket merges in memory: the changes over the stored ticket (a
 * field given as undefined is removed), only while the ticket has `ifStatus` when given,
 * `updatedAt` never back, the events each once. The UPDATE takes the row's lock and, when a
 * concurrent writer changed the row meanwhile, applies itself to that newer row (PostgreSQL's
 * READ COMMITTED re-check), so two updates never lose each other's changes.
 */

/** A put whose id names a different matter on record (another conversation, or another creation time). */
export class TicketIdCollision extends RecordRefused {
  override readonly name = 'TicketIdCollision';
}

/**
 * The put of `ticket` as part `name`: upserts the row over the same matter only (same
 * conversation and creation time: another conversation's ticket that drew the same number is
 * kept) and adds its events not stored yet. The statement fails with record_refused when the id
 * names another matter (runParts throws TicketIdCollision, nothing written).
 */
export function putPart(ticket: Ticket, name: string): Part {
  const t = storable(ticket);
  const row = ticketRow(t, t.events !== undefined);
  const columns = Object.keys(row) as Array<keyof typeof row>;
  // The update takes the values from `excluded` (the row proposed): each value is sent once.
  const sets = columns
    .filter((k) => k !== 'id' && k !== 'has_events')
    .map((k) => sql`${sql.id(k)} = excluded.${sql.id(k)}`);
  const upsert = sql`insert into tickets (${sql.join(columns.map((k) => sql.id(k)))})
    values (${sql.join(columns.map((k) => row[k]))})
    on conflict (id) do update set ${sql.join(sets)}, has_events = tickets.has_events or excluded.has_events
    where tickets.conversation_id = excluded.conversation_id and tickets.created_at = excluded.created_at
    returning id`;
  const message = `Ticket ${t.id} is already on record for another matter (conversation or creation time differ); it was not overwritten.`;
  const written = sql`case when exists (select 1 from ${cte(name)}) then true else record_refused(${message}) end`;
  return withEvents(name, t.id, t.events, sql`${cte(name)} as (${upsert})`, sql`${written} as ${cte(name)}`);
}

/**
 * The update of ticket `id` as part `name`: the changes merged into the row in SQL (see above),
 * returning `id, has_events, body` as written; no row when there is no such ticket or it no
 * longer has `ifStatus`, and then its events are not added either.
 */
export function updatePart(
  id: string,
  changes: TicketChanges,
  at: number,
  ifStatus: TicketStatus | undefined,
  name: string,
): Part {
  const c = storable(changes);
  const { events, addFacts, addFiles, ...rest } = c;
  const given = Object.entries(rest) as Array<[keyof typeof rest, unknown]>;
  const removed = given.filter(([, v]) => v === undefined).map(([k]) => sql`- ${k}::text`);
  const sets: RawBuilder<unknown>[] = [];
  for (const [field, value] of given) {
    const column = COLUMNS[field];
    if (column && (value !== undefined || column.nullable))
      sets.push(sql`${sql.ref(column.name)} = ${column.of(value)}`);
  }
  const added = additions(addFacts, addFiles);
  if (c.need !== undefined || c.outcome !== undefined || Object.hasOwn(c, 'comment') || added.words)
    sets.push(sql`words = ${wordsAfter(c, added.words)}`);
  if (added.facts) sets.push(sql`facts = ${added.facts}`);
  if (events !== undefined) sets.push(sql`has_events = true`);
  sets.push(
    sql`body = (body ${sql.join(removed, sql` `)}) || ${json(rest)}::jsonb ${added.body}
      || jsonb_build_object('updatedAt', greatest((body->>'updatedAt')::numeric, ${at}::numeric))`,
    sql`updated_at = greatest(updated_at, ${instant(at)}::timestamptz)`,
  );
  const guard = ifStatus ? sql`and status = ${ifStatus}` : sql``;
  const update = sql`${cte(name)} as (update tickets set ${sql.join(sets)} where id = ${id} ${guard}
    returning id, has_events, body)`;
  return withEvents(name, id, events, update, undefined, sql`exists (select 1 from ${cte(name)})`);
}

/** How a changed field sets its column (ticketRow's mapping); fields without one live in `body` only. */
const COLUMNS: Partial<
  Record<keyof TicketChanges, { name: keyof TicketsTable; nullable: boolean; of: (v: unknown) => RawBuilder<unknown> }>
> = {
  need: { name: 'need', nullable: false, of: (v) => sql`${v}::text` },
  status: { name: 'status', nullable: false, of: (v) => sql`${v}::text` },
  outcome: { name: 'outcome', nullable: false, of: (v) => sql`${v}::text` },
  comment: { name: 'comment', nullable: true, of: (v) => sql`${v ?? null}::text` },
  priority: { name: 'priority', nullable: true, of: (v) => sql`${v ?? null}::text` },
  satisfaction: { name: 'satisfaction', nullable: true, of: (v) => sql`${v ?? null}::smallint` },
  claimedBy: { name: 'claimed_by', nullable: true, of: (v) => sql`${maybeJson(v)}::jsonb` },
  resolvedBy: { name: 'resolved_by', nullable: true, of: (v) => sql`${maybeJson(v)}::jsonb` },
  promisedBy: {
    name: 'promised_by',
    nullable: true,
    of: (v) => sql`${maybeInstant(v as number | undefined)}::timestamptz`,
  },
};

/**
 * `words` after a change of the need, the outcome or the comment, or facts added: the need and
 * the stored facts (already lower-cased when put), the added facts (`addedWords`, lower-cased),
 * then the outcome and the comment, each the new one lower-cased as ticketRow does, or the stored
 * one when unchanged. `words` is [need, ...facts, outcome, comment?].
 */
function wordsAfter(c: TicketChanges, addedWords: RawBuilder<unknown> | undefined): RawBuilder<unknown> {
  const at = (path: string, from: number) =>
    sql`jsonb_path_query_array(words, ${path}::jsonpath, jsonb_build_object('n', jsonb_array_length(facts) + ${from}::int))`;
  const needAndFacts =
    c.need !== undefined
      ? sql`${json([c.need.toLocaleLowerCase()])}::jsonb || ${at('$[1 to $n]', 0)}`
      : at('$[0 to $n]', 0);
  const outcome = c.outcome !== undefined ? sql`${json([c.outcome.toLocaleLowerCase()])}::jsonb` : at('$[$n]', 1);
  const comment = Object.hasOwn(c, 'comment')
    ? sql`${json(c.comment ? [c.comment.toLocaleLowerCase()] : [])}::jsonb`
    : at('$[$n to last]', 2);
  return sql`${needAndFacts} ${addedWords ? sql`|| ${addedWords}` : sql``} || ${outcome} || ${comment}`;
}

/**
 * What an update's additions set (mergeTicket's withAdditions, in SQL: migration 0007's
 * ticket_additions picks what is new, each once, within MAX_TICKET_FACTS / MAX_TICKET_FILES):
 * the new `facts`, the added facts lower-cased for `words`, and what `body` takes (`|| …`).
 * All read the row as stored, so a concurrent update's re-check sees the newer row.
 */
function additions(
  addFacts: readonly string[] | undefined,
  addFiles: readonly FileRef[] | undefined,
): { facts?: RawBuilder<unknown>; words?: RawBuilder<unknown>; body: RawBuilder<unknown> } {
  const body: RawBuilder<unknown>[] = [];
  const out: { facts?: RawBuilder<unknown>; words?: RawBuilder<unknown> } = {};
  if (addFacts?.length) {
    const picked = sql`ticket_additions(facts, ${json(addFacts)}::jsonb, null, ${MAX_TICKET_FACTS}::int)`;
    out.facts = sql`facts || jsonb_pick(${json(addFacts)}::jsonb, ${picked})`;
    out.words = sql`jsonb_pick(${json(addFacts.map((f) => f.toLocaleLowerCase()))}::jsonb, ${picked})`;
    body.push(sql`|| jsonb_build_object('facts', ${out.facts})`);
  }
  if (addFiles?.length) {
    const stored = sql`coalesce(body -> 'files', '[]'::jsonb)`;
    const picked = sql`ticket_additions(${stored}, ${json(addFiles)}::jsonb, array['source', 'id'], ${MAX_TICKET_FILES}::int)`;
    body.push(sql`|| jsonb_build_object('files', ${stored} || jsonb_pick(${json(addFiles)}::jsonb, ${picked}))`);
  }
  return { ...out, body: body.length ? sql.join(body, sql` `) : sql`` };
}

/**
 * A ticket part: its row's CTE, then the insert of its events not stored yet (each (type, time,
 * actor) once, in the order given; only `when` the row was written, if given), with the count of
 * its events after the statement as a column, and the trim of those past the first
 * MAX_TICKET_EVENTS after it when there are more.
 */
function withEvents(
  name: string,
  ticketId: string,
  events: readonly TicketEvent[] | undefined,
  row: RawBuilder<unknown>,
  written: RawBuilder<unknown> | undefined,
  when?: RawBuilder<unknown>,
): Part {
  const rows = eventRows(ticketId, events);
  const columns = written ? [written] : [];
  if (rows.length === 0) return { ctes: [row], columns };
  const added = `${name}_events`;
  const values = rows.map(
    (r) => sql`(${r.ticket_id}::text, ${r.type}::text, ${r.at}::timestamptz, ${r.by_id}::text, ${r.by}::jsonb,
      ${r.detail}::text, ${r.promised_by}::timestamptz, ${r.score}::smallint)`,
  );
  const insert = sql`${cte(added)} as (
    insert into ticket_events (ticket_id, type, at, by_id, by, detail, promised_by, score)
    select * from (values ${sql.join(values)}) v ${when ? sql`where ${when}` : sql``}
    on conflict on constraint ticket_events_once do nothing returning 1)`;
  // The count sees the table as it was before the statement, plus what it added.
  columns.push(sql`(select count(*) from ticket_events where ticket_id = ${ticketId})
    + (select count(*) from ${cte(added)}) as ${cte(added)}`);
  return {
    ctes: [row, insert],
    columns,
    after: async (result, db) => {
      if (Number(result[added]) > MAX_TICKET_EVENTS) await trimEvents(db, ticketId);
    },
  };
}

/** Drops a ticket's events past the first MAX_TICKET_EVENTS in time order (ties in the order recorded). */
async function trimEvents(db: Db, ticketId: string): Promise<void> {
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
    words: json(ticketWords(t)),
    has_events: hasEvents,
    body: json(body),
    created_at: instant(t.createdAt),
    updated_at: instant(t.updatedAt),
  };
}

/** What a text search reads: the need, each fact, the outcome and the comment, lower-cased (see TicketsTable.words). */
function ticketWords(t: Ticket): string[] {
  return [t.need, ...t.facts, t.outcome, ...(t.comment ? [t.comment] : [])].map((w) => w.toLocaleLowerCase());
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
