import { withProductionStore } from './production-store.js';
import { TicketStatus } from '../../flows/ticket.js';
import type { Config } from '../config.js';
import type { TicketQuery, TicketStore } from '../ports.js';

/** `npm run tickets`: the ticket commands, run against the production store. */

/**
 * Which tickets `npm run tickets` lists, from `--status` and `--limit` as given on the command
 * line (absent: all statuses, the newest 50), or what is wrong with them in one line: a status
 * that is not one of TicketStatus, a limit that is not a whole number from 1 to 10,000.
 */
export function parseTicketQuery(
  status: string | undefined,
  limit: string | undefined,
): TicketQuery | { problem: string } {
  const parsedStatus = status === undefined ? undefined : TicketStatus.safeParse(status);
  if (parsedStatus && !parsedStatus.success)
    return { problem: `--status must be one of ${TicketStatus.options.join(', ')} (got "${status}")` };
  const n = limit === undefined ? 50 : Number(limit);
  if (limit?.trim() === '' || !Number.isInteger(n) || n < 1 || n > 10_000)
    return { problem: `--limit must be a whole number from 1 to 10000 (got "${limit}")` };
  return { ...(parsedStatus?.data ? { status: parsedStatus.data } : {}), limit: n };
}

/** Lists tickets from the production store, one line each, newest first. */
export async function listTickets(config: Config, query: TicketQuery): Promise<number> {
  return withTickets(config, async (store) => {
    const list = await store.list(query);
    for (const t of list) {
      const when = new Date(t.createdAt).toISOString();
      const score = t.satisfaction !== undefined ? ` satisfaction=${t.satisfaction}` : '';
      const promised = t.promisedBy !== undefined ? ` promisedBy=${new Date(t.promisedBy).toISOString()}` : '';
      // The customer's photos and files on the matter, by platform and id (the bytes stay on the platform).
      const files = t.files?.length ? ` files=${t.files.map((f) => `${f.source}:${f.kind}:${f.id}`).join(',')}` : '';
      process.stdout.write(
        `${t.id} ${when} ${t.type} ${t.status} ${t.channel} customer=${t.customer.id} need=${JSON.stringify(t.need)}${score}${promised}${files}\n`,
      );
    }
    if (list.length === 0) process.stdout.write('no tickets\n');
    return 0;
  });
}

/**
 * Marks a ticket resolved from outside a conversation (the matter was settled by phone, by
 * e-mail…), so a promised reply time that passes later sends no follow-up.
 */
export async function resolveTicket(config: Config, id: string, note: string | undefined): Promise<number> {
  return withTickets(config, async (tickets) => {
    const before = await tickets.get(id);
    if (!before) {
      process.stderr.write(`No ticket ${id}.\n`);
      return 1;
    }
    if (before.status === 'resolved') {
      process.stdout.write(`${id} was already resolved\n`);
      return 0;
    }
    await tickets.update(
      id,
      { status: 'resolved', outcome: note ? `resolved by staff: ${note}` : 'resolved by staff' },
      Date.now(),
    );
    process.stdout.write(`${id} resolved (was ${before.status})\n`);
    return 0;
  });
}

function withTickets(config: Config, work: (store: TicketStore) => Promise<number>): Promise<number> {
  return withProductionStore(
    config,
    'Tickets are kept in Redis: set REDIS_URL. (The playground without Redis keeps them in memory; use /tickets there.)',
    (store) => work(store.tickets),
  );
}
