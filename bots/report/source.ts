import type { Store } from '../ports.js';
import type { ReportSource } from '../record-port.js';
import { REPEAT_WINDOW_MS, type ReportData } from './compute.js';

/** Where the report reads its data: a `ReportSource` (bots/record-port.ts), the system of record (issue 14). */

/** The most tickets the stop-gap source reads for one period; a period with more is refused, never cut short. */
export const STOPGAP_TICKET_LIMIT = 1_000_000;

/**
 * Without a system of record (RECORD_STORE=off): a ReportSource over the TicketStore (Redis, or
 * the memory store), which holds tickets only. Tickets are listed by creation time in [from, to)
 * (`list` with from/to and a high limit); there is no conversation archive and no dated
 * unanswered askings in it, so `conversationsStarted` and `unansweredAsked` answer `[]` (the report
 * shows 0 conversations, no bot first response and no unanswered questions). Rejects when a period
 * holds STOPGAP_TICKET_LIMIT tickets or more.
 */
export function reportSourceFromStore(store: Pick<Store, 'tickets'>): ReportSource {
  return {
    async ticketsCreated(from, to) {
      const tickets = await store.tickets.list({ from, to, limit: STOPGAP_TICKET_LIMIT });
      if (tickets.length >= STOPGAP_TICKET_LIMIT)
        throw new RangeError(`more than ${STOPGAP_TICKET_LIMIT} tickets in the period: report a shorter one`);
      return tickets.reverse();
    },
    conversationsStarted: async () => [],
    unansweredAsked: async () => [],
  };
}

/**
 * Everything the report of [from, to) (epoch ms) reads from a source: the tickets created in it,
 * those created in the 7 days after it (first-contact resolution looks that far), the
 * conversations started in it and the askings the knowledge base could not answer in it.
 */
export async function readReportData(source: ReportSource, from: number, to: number): Promise<ReportData> {
  const [tickets, ticketsAfter, conversations, unanswered, flowVersions] = await Promise.all([
    source.ticketsCreated(from, to),
    source.ticketsCreated(to, to + REPEAT_WINDOW_MS),
    source.conversationsStarted(from, to),
    source.unansweredAsked(from, to),
    source.flowVersionNumbers?.() ?? [],
  ]);
  return { tickets, ticketsAfter, conversations, unanswered, flowVersions };
}
