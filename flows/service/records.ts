import { assign } from 'xstate';
import { keepFile } from '../files.js';
import { questionKey } from '../text.js';
import type { FlowDefinition } from '../schema.js';
import { promiseTimer, ticketId, type Ticket, type TicketChanges } from '../ticket.js';
import {
  effect,
  HOUR_MS,
  say,
  textOf,
  understood,
  type BaseSetup,
  type Enqueue,
  type MachineDeps,
  type ServiceContext,
  type ServiceEvent,
  collect,
  fileOf,
} from './setup.js';

/**
 * Record keeping (问题记录, 000 三.(二) 记录归档), in one place for every concern: how a ticket is
 * made and numbered, which tickets the closing survey rates, and how a promised reply time is
 * watched (003: 需严格按照承诺时间回复客户，即使在指定时间未有处理结果，也需回复客户).
 */

/** The survey rates at most this many recent matters, so state stays bounded in a long session. */
const MAX_SESSION_TICKETS = 10;

export type TicketFields = Pick<Ticket, 'type' | 'status' | 'need' | 'outcome'> & Partial<Ticket>;

/** A new ticket of this conversation, numbered after the ones it recorded before; `at` in epoch ms. */
export function newTicket(deps: MachineDeps, context: ServiceContext, at: number, fields: TicketFields): Ticket {
  return {
    id: ticketId(context.conversationId, context.seq + 1, at, deps.definitions(context.locale).timeZone),
    conversationId: context.conversationId,
    channel: context.channel,
    customer: context.customer,
    locale: context.locale,
    facts: [...context.facts],
    ...(context.files?.length ? { files: [...context.files] } : {}),
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
}

/**
 * Records a ticket: the put, the count that numbers the next one, and, unless `rated` is false,
 * the session's list the survey score applies to. `more` are context changes made in the same step.
 */
export function recordTicket(
  enqueue: Enqueue,
  context: ServiceContext,
  ticket: Ticket,
  options: { rated?: boolean; more?: Partial<ServiceContext> } = {},
): void {
  enqueue(effect({ type: 'ticket.put', ticket }));
  const rated = options.rated ?? true;
  enqueue.assign({
    seq: context.seq + 1,
    ...(rated ? { sessionTickets: withTicket(context.sessionTickets, ticket.id) } : {}),
    ...options.more,
  });
}

/** The session's rated tickets with one more (kept once, bounded). */
export function withTicket(sessionTickets: readonly string[], id: string): string[] {
  return sessionTickets.includes(id) ? [...sessionTickets] : [...sessionTickets, id].slice(-MAX_SESSION_TICKETS);
}

/** Epoch ms `hours` after `at`: the deadline of a promise made at `at`. */
export function promisedBy(at: number, hours: number): number {
  return at + hours * HOUR_MS;
}

/**
 * A reply time promised to the customer: a durable timer watches it, so that when it passes with
 * the matter still pending the ticket is escalated and the customer hears from us (`flagOverdue`).
 */
export function watchPromise(enqueue: Enqueue, ticketId: string, hours: number, at: number): void {
  enqueue(effect({ type: 'timer.set', name: promiseTimer(ticketId), dueAt: promisedBy(at, hours) }));
}

/** Ticket changes for several tickets at once (the survey score applies to the whole session). */
export function updateTickets(enqueue: Enqueue, ids: readonly string[], changes: TicketChanges, at: number): void {
  for (const id of ids) enqueue(effect({ type: 'ticket.update', id, changes, at }));
}

const UNRESOLVED_OUTCOME: Partial<Record<ServiceEvent['type'], string>> = {
  'timer.idle': 'customer stopped replying before an answer',
  'user.blocked': 'customer blocked the bot before an answer',
};

/** The record-keeping actions every concern uses. */
export function withRecords(base: BaseSetup, deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return base.extend({
    actions: {
      // A photo or file the customer sent is kept with the matter: on its tickets, and for the agent if a person takes it.
      keepFile: assign({ files: ({ context, event }) => keepFile(context.files, fileOf(event)) }),
      // A matter left half-way (the customer went quiet, blocked the bot or restarted) is still
      // recorded: its confirmed description, or, with `unconfirmed` (they left while the bot was
      // confirming it), the need in the words they gave.
      recordUnresolved: collect(({ context, event, enqueue }, params: { unconfirmed: boolean } | undefined) => {
        const need = context.facts.at(-1) ?? (params?.unconfirmed ? context.need : undefined);
        if (!need) return;
        const outcome = UNRESOLVED_OUTCOME[event.type] ?? 'conversation restarted before an answer';
        const ticket = newTicket(deps, context, event.at, {
          type: 'inquiry',
          status: 'unresolved',
          need,
          outcome: params?.unconfirmed ? `${outcome} (need not yet confirmed)` : outcome,
        });
        recordTicket(enqueue, context, ticket, { rated: false, more: { facts: [] } });
      }),
      // 遇到客户提出建议时: thank, record, promise to pass it on.
      recordSuggestion: collect(({ context, event, enqueue }) => {
        const text = textOf(event);
        const ticket = newTicket(deps, { ...context, facts: [text] }, event.at, {
          type: 'suggestion',
          status: 'recorded',
          need: text,
          outcome: 'suggestion recorded for the team responsible',
        });
        recordTicket(enqueue, context, ticket, { rated: false });
        enqueue(say('suggestion', { vars: { ticket: ticket.id } }));
      }),
      // 遇到无法当场答复的客户咨询: record it (pending, never `answered`) and promise a reply time.
      // Either the customer confirmed a need the knowledge base has no answer for, or (no desk to
      // hand to) they said `failures` restatements in a row were not what they meant.
      recordFollowUp: collect(({ context, event, enqueue }) => {
        const hours = defOf(context).thresholds.followUpHours;
        const why =
          context.failures > 0
            ? `need not understood after ${context.failures + 1} restatements`
            : 'no knowledge-base answer for the confirmed need';
        const ticket = newTicket(deps, context, event.at, {
          type: 'inquiry',
          status: 'pending',
          need: context.need ?? '',
          outcome: `${why}; follow-up promised within ${hours} h`,
          promisedBy: promisedBy(event.at, hours),
        });
        recordTicket(enqueue, context, ticket, { more: { facts: [], failures: 0 } });
        enqueue(say('followUp', { vars: { ticket: ticket.id, hours: String(hours) } }));
        watchPromise(enqueue, ticket.id, hours, event.at);
      }),
      // What the knowledge base could not answer (the need as the customer put it) is counted, so
      // admins see which entries to write (issue 11: unanswered questions are kept).
      noteUnanswered: collect(({ context, event, enqueue }) => {
        const text = withoutOpening(questionKey(context.need ?? '', context.locale), defOf(context), context.locale);
        if (text) enqueue(effect({ type: 'unanswered.record', text, locale: context.locale, at: event.at }));
      }),
      // 三明治法则 for whichever policy this message asks to go beyond.
      answerPolicy: collect(({ event, enqueue }) => {
        const policyId = understood(event)?.policy;
        if (policyId) enqueue(effect({ type: 'policy', policyId }));
      }),
      // The promised time passed. If nobody has resolved the matter: flag the ticket and escalate it,
      // and tell the customer (agents get the alert instead while they are talking with the customer).
      flagOverdue: collect(({ context, event, enqueue }) => {
        if (event.type !== 'timer.promise') return;
        if (event.status !== 'pending') {
          enqueue(
            effect({
              type: 'transcript',
              from: 'system',
              text: `promised reply time for ${event.ticketId} passed; the ticket is ${event.status ?? 'gone'}, nothing to chase`,
            }),
          );
          return;
        }
        const changes: TicketChanges = {
          overdueAt: event.at,
          priority: 'high',
          escalation: { reason: 'promise-overdue', at: event.at },
        };
        enqueue(effect({ type: 'ticket.update', id: event.ticketId, changes, at: event.at, ifStatus: 'pending' }));
        enqueue(
          effect({
            type: 'escalate',
            escalation: { ticketId: event.ticketId, reason: 'promise-overdue', priority: 'high' },
          }),
        );
        if (context.handoff) enqueue(effect({ type: 'desk.ping', level: 'overdue' }));
        else enqueue(say('promiseOverdue', { vars: { ticket: event.ticketId } }));
      }),
    },
  });
}
export type RecordsSetup = ReturnType<typeof withRecords>;

/**
 * A question's key without the words it opens with that do not change the question (the
 * definition's `restate.connectors`, and in Chinese its `fillers`: 我想问下, 请问, 你们的, "i wanted to ask"), so
 * 我想问下你们的会员积分怎么用 and 你们的会员积分怎么用 are counted as one. Keeps the key whole
 * when nothing would be left.
 */
function withoutOpening(key: string, def: FlowDefinition, locale: string): string {
  // Chinese fillers are particles and pronouns (你们的); English ones include the question words.
  const openings = [...def.restate.connectors, ...(locale.startsWith('zh') ? def.fillers : [])]
    .map((w) => questionKey(w, locale))
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
  let rest = key;
  for (let changed = true; changed;) {
    changed = false;
    for (const w of openings) {
      const latin = /^[a-z0-9' ]+$/.test(w);
      if (!rest.startsWith(w) || (latin && rest.length > w.length && rest[w.length] !== ' ')) continue;
      const next = rest.slice(w.length).trim();
      if (!next) continue;
      rest = next;
      changed = true;
      break;
    }
  }
  return rest;
}
