import type { TicketQuery, TicketStore } from '../../bots/ports.js';
import type { Ticket, TicketChanges, TicketStatus } from '../../flows/ticket.js';
import { mergeTicket, newestFirst, putOver, ticketQuery } from './shared.js';

/** Tickets in one process (the playground without a system of record, tests): the same rules as Redis's (shared.ts). */
export class MemoryTickets implements TicketStore {
  private readonly byId = new Map<string, string>();

  async put(ticket: Ticket): Promise<void> {
    // Read and written without an await in between, like update: the stored events are kept.
    const raw = this.byId.get(ticket.id);
    this.byId.set(
      ticket.id,
      JSON.stringify(putOver(raw === undefined ? undefined : (JSON.parse(raw) as Ticket), ticket)),
    );
  }

  async update(id: string, changes: TicketChanges, at: number, ifStatus?: TicketStatus): Promise<Ticket | undefined> {
    // Read and written without an await in between: two concurrent updates must not both start
    // from the same version (the Redis store's compare-and-set gives the same guarantee).
    const raw = this.byId.get(id);
    if (raw === undefined) return undefined;
    const current = JSON.parse(raw) as Ticket;
    const next = mergeTicket(current, changes, at, ifStatus);
    if (!next) return current;
    this.byId.set(id, JSON.stringify(next));
    return next;
  }

  async get(id: string): Promise<Ticket | undefined> {
    const raw = this.byId.get(id);
    return raw === undefined ? undefined : (JSON.parse(raw) as Ticket);
  }

  async list(query: TicketQuery = {}): Promise<Ticket[]> {
    const { limit, matches } = ticketQuery(query);
    // An id names one ticket at most; anything else is a scan (the playground keeps few).
    const one = query.id === undefined ? undefined : this.byId.get(query.id);
    const raws = query.id === undefined ? [...this.byId.values()] : one === undefined ? [] : [one];
    return raws
      .map((raw) => JSON.parse(raw) as Ticket)
      .filter(matches)
      .sort(newestFirst)
      .slice(0, limit);
  }
}
