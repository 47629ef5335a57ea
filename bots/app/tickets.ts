import { userInfo } from 'node:os';
import { withProductionStore, withTicketStore } from './production-store.js';
import { FORMATS, formatTickets } from './ticket-format.js';
import { combineGuards, compileGuard, type PhraseGuard } from '../../flows/guard.js';
import { TicketStatus } from '../../flows/ticket.js';
import type { Config } from '../config.js';
import { checkDefinitions, DEFAULT_FLOWS_DIR } from '../flows-registry.js';
import { InboundEvent, type TicketQuery, type TicketStore } from '../ports.js';
import { searchQuery, type FieldName, type SearchFields } from '../ticket-search.js';

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

/** What `tickets search` and `resolve` read from the definitions the bot runs (FLOWS_DIR). */
interface Definitions {
  /** The default locale's definition's time zone: dates typed and shown are local to it. */
  timeZone: string;
  category: (id: string) => string;
  /** Every locale's service-phrase guard together (an outcome may go to a customer of any). */
  guard: PhraseGuard;
}

/** The definitions in force, or undefined after printing why they cannot be read (exit 1). */
async function definitions(config: Config): Promise<Definitions | undefined> {
  const dir = config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR;
  const checked = await checkDefinitions(dir, config.DEFAULT_LOCALE);
  if (!checked.ok) {
    process.stderr.write(
      `Invalid flow definitions in ${dir} (npm run flows:check lists them): ${checked.problems[0]?.file}: ${checked.problems[0]?.path}: ${checked.problems[0]?.message}\n`,
    );
    return undefined;
  }
  const main = checked.definitions.find((d) => d.locale === config.DEFAULT_LOCALE) ?? checked.definitions[0];
  if (!main) return undefined;
  return {
    timeZone: main.timeZone,
    category: (id) => main.complaints.categories.find((c) => c.id === id)?.name ?? id,
    guard: combineGuards(checked.definitions.map((d) => compileGuard(d.forbidden))),
  };
}

/** The option names of `tickets search` as typed on the command line. */
const flag: FieldName = (field) => `--${field}`;

/**
 * `npm run tickets -- search`: the tickets that match every option given, newest first, printed
 * as a table, JSON or CSV. Exit 2 on a bad option (one line, for the usage), 1 when the
 * definitions cannot be read, 0 otherwise (also when nothing matches).
 */
export async function searchTickets(
  config: Config,
  fields: SearchFields,
  format: string | undefined,
): Promise<number | { problem: string }> {
  const shape = FORMATS.find((f) => f === (format ?? 'table'));
  if (!shape) return { problem: `--format must be one of ${FORMATS.join(', ')} (got "${format}")` };
  const defs = await definitions(config);
  if (!defs) return 1;
  const query = searchQuery(fields, defs.timeZone, flag);
  if ('problem' in query) return query;
  return withTickets(config, async (store) => {
    process.stdout.write(formatTickets(await store.list(query), shape, defs));
    return 0;
  });
}

export interface ResolveOptions {
  /** Internal: why it was settled (kept on the ticket, never told to the customer). */
  note: string | undefined;
  /** What the customer is told, checked by the service-phrase guard first. */
  outcome: string | undefined;
  /** Who resolved it (the operating-system user when not given). */
  by: string | undefined;
}

/**
 * Resolves a matter settled outside the chat (by phone, by e-mail) through its conversation: the
 * resolution is queued as an agent event (`resolve`) in the ticket's conversation, and the running
 * bot (any replica: the recovery sweep runs a conversation with waiting events within seconds)
 * records it, tells the customer the outcome if there is one, and sends the follow-up survey
 * (issue 13). Refuses an outcome with a forbidden service phrase (flows/guard.ts), like every
 * agent reply. Exit 1: no such ticket, a blocked outcome or unreadable definitions; 0 otherwise
 * (also for a ticket already resolved, which is left as it is).
 */
export async function resolveTicket(
  config: Config,
  id: string,
  options: ResolveOptions,
  now = Date.now(),
): Promise<number> {
  return withProductionStore(config, RESOLVE_WITHOUT_REDIS, async (store) => {
    const ticket = await store.tickets.get(id);
    if (!ticket) {
      process.stderr.write(`No ticket ${id}.\n`);
      return 1;
    }
    if (ticket.status === 'resolved') {
      process.stdout.write(`${id} was already resolved\n`);
      return 0;
    }
    // Only a pending matter is the desk's to settle: the bot drops any other (found by the issue-17
    // trial: "queued for resolution" for a matter the knowledge base had answered).
    if (ticket.status !== 'pending') {
      process.stderr.write(`${id} is ${ticket.status}, not pending: only a pending matter can be resolved.\n`);
      return 1;
    }
    if (options.outcome !== undefined && !options.outcome.trim()) {
      process.stderr.write(
        '--outcome needs the words the customer is told (leave it out to resolve without a message).\n',
      );
      return 1;
    }
    const outcome = options.outcome?.trim() || undefined;
    if (outcome) {
      const defs = await definitions(config);
      if (!defs) return 1;
      const verdict = defs.guard.check(outcome);
      if (!verdict.allowed) {
        const found = verdict.matches.map((m) => `"${m.phrase}" (${m.reason}); say instead: ${m.suggestion}`);
        process.stderr.write(`Not queued: the outcome contains ${found.join(' | ')}\n`);
        return 1;
      }
    }
    const name = options.by?.trim() || userInfo().username;
    const note = options.note?.trim() || undefined;
    const event = InboundEvent.safeParse({
      id: `staff-resolve:${ticket.id}:${now}`,
      conversationId: ticket.conversationId,
      channel: ticket.channel,
      customer: ticket.customer,
      at: now,
      payload: {
        type: 'agent',
        action: 'resolve',
        agent: { id: `staff:${name}`, name },
        ticketId: ticket.id,
        ...(outcome ? { text: outcome } : {}),
        ...(note ? { note } : {}),
      },
    });
    if (!event.success) {
      process.stderr.write(`Not queued: ${event.error.issues[0]?.message ?? 'the event is not valid'}\n`);
      return 1;
    }
    await store.accept(event.data);
    process.stdout.write(
      outcome
        ? `${id} queued for resolution; the running bot tells the customer the outcome, then sends the satisfaction survey\n`
        : `${id} queued for resolution; the running bot sends the customer the follow-up survey within 24 h\n`,
    );
    return 0;
  });
}

/** Resolving reaches the customer through the running bot, whose conversations are in Redis, wherever the ticket is kept. */
const RESOLVE_WITHOUT_REDIS =
  "A resolution is queued for the running bot, which tells the customer: set REDIS_URL to the bot's Redis. (In the playground, resolve with /agent resolve OUTCOME.)";

const WITHOUT_REDIS =
  'Tickets are kept in Redis: set REDIS_URL. (The playground without Redis keeps them in memory; use /tickets there.)';

function withTickets(config: Config, work: (store: TicketStore) => Promise<number>): Promise<number> {
  return withTicketStore(config, WITHOUT_REDIS, work);
}
