import type { RedisClient } from './redis-client.js';
import { ContentionError } from '../../bots/errors.js';
import type { TicketQuery, TicketStore } from '../../bots/ports.js';
import { Ticket, type TicketChanges, type TicketStatus } from '../../flows/ticket.js';
import { SCRIPTS } from './redis-scripts.js';
import type { Runner } from './redis-shared.js';
import { mergeTicket, putOver, ticketQuery } from './shared.js';

/** Attempts of a compare-and-set write before giving up with ContentionError. */
const CAS_ATTEMPTS = 10;
/** Tickets whose last text this process wrote it remembers (see `written`). */
const WRITTEN_KEPT = 1_000;

/**
 * Tickets in Redis, under the `{tickets}` hash tag (one cluster slot, so a put writes the ticket
 * and its indexes in one atomic script):
 *
 * - `all`: a hash, ticket id → ticket JSON. Kept forever (no TTL, no bound), as before issue 13:
 *   about 1–2 KB a ticket, so a million tickets is a GB or two. The next issue moves tickets to
 *   PostgreSQL.
 * - `by-time`: a sorted set of every ticket id by `createdAt`: lists and date ranges read it.
 * - `customer:<id>`: a sorted set per customer of their ticket ids by `createdAt` (issue 13: every
 *   desk card lists the customer's last 90 days), written with the ticket. One key per customer,
 *   like the hash kept forever; a ticket stored before issue 13 is indexed once per deployment
 *   (`customer-index`, see `customerIndex`).
 *
 * What a list costs: by id, one HGET; by customer, that customer's tickets in the date range
 * (ZREVRANGEBYSCORE and one HMGET per page); by date range, the tickets in it; by status,
 * conversation or text alone, a scan of the by-time index newest first, a page at a time, until
 * `limit` tickets match: a text that matches nothing reads every ticket. Fine for thousands of
 * tickets; PostgreSQL's indexes replace it.
 */
export class RedisTickets implements TicketStore {
  private readonly hash: string;
  private readonly index: string;
  private readonly prefix: string;
  /** Set once every stored ticket is in its customer's index. */
  private readonly indexed: string;
  private backfill: Promise<void> | undefined;
  /**
   * The text this process last wrote of each of its recent tickets (at most WRITTEN_KEPT, the
   * least recently written dropped first): an update first assumes the ticket is still that text
   * and sends its compare-and-set straight away, one round trip instead of a read and a write.
   * When someone else wrote it meanwhile (another replica, an agent) the set fails and the update
   * reads the ticket as usual: the memory is a guess, never trusted over Redis.
   */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly run: Runner,
  ) {
    this.prefix = `${prefix}{tickets}:`;
    this.hash = `${this.prefix}all`;
    this.index = `${this.prefix}by-time`;
    this.indexed = `${this.prefix}customer-index`;
  }

  private customerKey(customerId: string): string {
    return `${this.prefix}customer:${customerId}`;
  }

  /**
   * Writes the ticket, keeping the lifecycle events of the one stored (see putOver): a
   * compare-and-set that also writes both indexes, so a concurrent update is merged, never
   * overwritten. A new ticket is one script call; over a stored one, a read, a merge and the call.
   */
  async put(ticket: Ticket): Promise<void> {
    // Most puts create the ticket: the first attempt assumes none is stored (one round trip).
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const raw = attempt === 0 ? null : await this.redis.hget(this.hash, ticket.id);
      const json = JSON.stringify(putOver(raw === null ? undefined : Ticket.parse(JSON.parse(raw)), ticket));
      const written = await this.run(
        SCRIPTS.putTicket,
        { tickets: this.hash, index: this.index, customer: this.customerKey(ticket.customer.id) },
        { id: ticket.id, expected: raw ?? undefined, json, createdAt: ticket.createdAt },
      );
      if (written === 1) return this.remember(ticket.id, json);
    }
    throw new ContentionError(`Ticket ${ticket.id}`);
  }

  async update(id: string, changes: TicketChanges, at: number, ifStatus?: TicketStatus): Promise<Ticket | undefined> {
    // Optimistic compare-and-set: a concurrent writer (an agent, later) makes us re-read, not overwrite.
    // The first attempt takes the text this process last wrote, when it has it, without reading.
    let guess = this.written.get(id);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const raw = guess ?? (await this.redis.hget(this.hash, id));
      if (raw === null) return undefined;
      // A guess is this process's own text of a ticket it validated before writing.
      const guessed = guess !== undefined;
      const current = guessed ? (JSON.parse(raw) as Ticket) : Ticket.parse(JSON.parse(raw));
      guess = undefined;
      const next = mergeTicket(current, changes, at, ifStatus);
      // Nothing to change is an answer only about the ticket as Redis has it.
      if (!next && guessed) continue;
      if (!next) return current;
      const json = JSON.stringify(next);
      if ((await this.run(SCRIPTS.casTicket, { tickets: this.hash }, { id, expected: raw, next: json })) === 1) {
        this.remember(id, json);
        return next;
      }
      this.written.delete(id);
    }
    throw new ContentionError(`Ticket ${id}`);
  }

  private remember(id: string, json: string): void {
    this.written.delete(id);
    this.written.set(id, json);
    if (this.written.size > WRITTEN_KEPT)
      for (const oldest of this.written.keys()) return void this.written.delete(oldest);
  }

  async get(id: string): Promise<Ticket | undefined> {
    const raw = await this.redis.hget(this.hash, id);
    return raw === null ? undefined : Ticket.parse(JSON.parse(raw));
  }

  /**
   * Reads the narrowest index for the query (one ticket by id, the customer's index, else the
   * by-time index) within the date range, newest first (see newestFirst: ZREVRANGEBYSCORE orders
   * ties by id descending too), a page at a time, until `limit` tickets match every field.
   */
  async list(query: TicketQuery = {}): Promise<Ticket[]> {
    const { limit, matches } = ticketQuery(query);
    if (query.id !== undefined) {
      const one = await this.get(query.id);
      return one && matches(one) && limit > 0 ? [one] : [];
    }
    const index = query.customerId === undefined ? this.index : await this.customerIndex(query.customerId);
    const max = query.to === undefined ? '+inf' : `(${query.to}`;
    const min = query.from === undefined ? '-inf' : String(query.from);
    const out: Ticket[] = [];
    const page = Math.max(limit, 100);
    for (let start = 0; out.length < limit; start += page) {
      const ids = await this.redis.zrevrangebyscore(index, max, min, 'LIMIT', start, page);
      if (ids.length === 0) break;
      const raws = await this.redis.hmget(this.hash, ...ids);
      for (const raw of raws) {
        if (raw === null) continue;
        const t = Ticket.parse(JSON.parse(raw));
        if (matches(t)) out.push(t);
        if (out.length >= limit) break;
      }
      if (ids.length < page) break;
    }
    return out;
  }

  /**
   * The customer's index, after making sure tickets stored before it existed are in theirs: the
   * first lookup of a deployment scans the hash once (HSCAN, 500 at a time) and marks it done;
   * tickets put meanwhile index themselves. Replicas that backfill at once only repeat ZADDs.
   */
  private async customerIndex(customerId: string): Promise<string> {
    this.backfill ??= this.indexAll().catch((err: unknown) => {
      this.backfill = undefined;
      throw err;
    });
    await this.backfill;
    return this.customerKey(customerId);
  }

  private async indexAll(): Promise<void> {
    if ((await this.redis.exists(this.indexed)) === 1) return;
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.hash, cursor, 'COUNT', 500);
      cursor = next;
      const writes: Array<Promise<unknown>> = [];
      for (let i = 1; i < flat.length; i += 2) {
        const parsed = Ticket.safeParse(safeJson(flat[i] ?? ''));
        if (!parsed.success) continue;
        const t = parsed.data;
        writes.push(this.redis.zadd(this.customerKey(t.customer.id), t.createdAt, t.id));
      }
      await Promise.all(writes);
    } while (cursor !== '0');
    await this.redis.set(this.indexed, '1');
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
