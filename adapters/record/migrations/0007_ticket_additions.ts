import { sql, type Kysely } from 'kysely';

/**
 * What a customer adds to a matter later (TicketChanges.addFacts / addFiles, flows/ticket.ts) is
 * appended by a ticket update in SQL, with no read first (ticket-writes.ts), as the other stores
 * append it in memory (`appendNew`):
 *
 * - `ticket_additions(existing, added, keys, max)`: the 0-based positions in `added` (a JSON
 *   array) of the elements to append to `existing`: those whose key (the element itself when
 *   `keys` is null, else the object of just those keys) is neither in `existing` nor earlier in
 *   `added`, in order, while `existing` plus them holds at most `max`.
 * - `jsonb_pick(arr, picked)`: the elements of `arr` at those positions, in order.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create function ticket_additions(existing jsonb, added jsonb, keys text[], max int) returns int[]
    language sql immutable as $$
      with a as (
        select (t.o - 1)::int as i,
          case when keys is null then t.e else (select jsonb_object_agg(k, t.e -> k) from unnest(keys) k) end as key
        from jsonb_array_elements(added) with ordinality t(e, o)
      ), x as (
        select case when keys is null then t.e else (select jsonb_object_agg(k, t.e -> k) from unnest(keys) k) end as key
        from jsonb_array_elements(coalesce(existing, '[]'::jsonb)) t(e)
      ), fresh as (
        select a.i, row_number() over (order by a.i) as n from a
        where not exists (select 1 from x where x.key = a.key)
          and not exists (select 1 from a b where b.i < a.i and b.key = a.key)
      )
      select coalesce(array_agg(i order by i), '{}'::int[]) from fresh
      where jsonb_array_length(coalesce(existing, '[]'::jsonb)) + n <= max
    $$`.execute(db);
  await sql`create function jsonb_pick(arr jsonb, picked int[]) returns jsonb
    language sql immutable as $$
      select coalesce(jsonb_agg(arr -> u.i order by u.o), '[]'::jsonb) from unnest(picked) with ordinality u(i, o)
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function jsonb_pick(jsonb, int[])`.execute(db);
  await sql`drop function ticket_additions(jsonb, jsonb, text[], int)`.execute(db);
}
