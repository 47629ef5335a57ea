import { and, assign, not } from 'xstate';
import type { HandoffReason } from '../contracts.js';
import { keepFile } from '../files.js';
import { describeHours, formatLocalTime, isBusinessTime, nextBusinessTime } from '../hours.js';
import { quoted } from '../text.js';
import { armSla, handoffState, withAgents, type AgentDeskSetup } from './agents.js';
import { newTicket, promisedBy, recordTicket, watchPromise, withTicket, type RecordsSetup } from './records.js';
import {
  collect,
  effect,
  fileOf,
  say,
  textOf,
  type Enqueue,
  type MachineDeps,
  type ServiceContext,
  type ServiceEvent,
} from './setup.js';

/**
 * Handoff to people (智能与人工协同, 复杂问题升级): where a handoff goes (nobody to hand to, after
 * hours, the queue) and how it opens (the matter recorded, the card posted). The agents' side is
 * in agents.ts.
 */

/** The need the card shows: the one being handled, else the last confirmed, else this message. */
function needOf(context: ServiceContext, event: ServiceEvent): string {
  return context.need ?? context.facts.at(-1) ?? textOf(event);
}

/**
 * The matter is recorded first (agents see it on the card, the customer can quote its number),
 * unless the handoff already has its ticket (an escalated complaint's). Returns the ticket and
 * the session's rated tickets with it.
 */
function ensureTicket(
  deps: MachineDeps,
  enqueue: Enqueue,
  context: ServiceContext,
  event: ServiceEvent,
  fields: { outcome: string; priority?: 'normal' | 'high' },
  /** When the promised reply time starts counting (ms): now, or when agents are back after hours. */
  from: number = event.at,
) {
  const existing = context.handoff?.ticketId;
  if (existing) return { ticketId: existing, sessionTickets: context.sessionTickets };
  const hours = deps.definitions(context.locale).thresholds.followUpHours;
  const ticket = newTicket(deps, context, event.at, {
    type: 'inquiry',
    status: 'pending',
    need: needOf(context, event),
    promisedBy: promisedBy(from, hours),
    ...fields,
  });
  recordTicket(enqueue, context, ticket);
  return { ticketId: ticket.id, sessionTickets: withTicket(context.sessionTickets, ticket.id) };
}

/** The handoff card: everything an agent needs so the customer does not repeat anything. */
function postCard(
  enqueue: Enqueue,
  context: ServiceContext,
  event: ServiceEvent,
  ticketId: string,
  tickets: string[],
  afterHours: boolean,
): void {
  const h = context.handoff;
  if (!h) return;
  const card = {
    reason: h.reason,
    priority: h.priority,
    category: h.category,
    afterHours,
    locale: context.locale,
    channel: context.channel,
    // What the customer wrote, or calls themselves, as the card quotes it (see `quoted`).
    customer:
      context.customer.name === undefined
        ? context.customer
        : { ...context.customer, name: quoted(context.customer.name) },
    ticketId,
    need: quoted(needOf(context, event)),
    facts: context.facts.map(quoted),
    tickets,
  };
  enqueue(effect({ type: 'desk.open', card }));
}

/**
 * The photos and files the customer sent before a person took the matter (and the one sent with
 * this message), shared in the card's thread right after the card, so the agent sees them too.
 */
function relayKeptFiles(enqueue: Enqueue, context: ServiceContext, event: ServiceEvent): void {
  for (const { caption, ...file } of keepFile(context.files, fileOf(event)))
    enqueue(effect({ type: 'desk.file', file, ...(caption ? { caption: quoted(caption) } : {}) }));
}

/** Where a handoff goes and how it opens: the queue, after hours, or nobody to hand to. */
function withHandoffEntry(records: RecordsSetup, deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return records.extend({
    actions: {
      requestHandoff: assign({
        handoff: ({ context, event }, params: { reason: HandoffReason }) => ({
          reason: params.reason,
          priority: params.reason === 'complaint' ? ('high' as const) : ('normal' as const),
          category: context.complaint?.category,
          ticketId: '',
          queuedAt: event.at,
          agent: undefined,
        }),
      }),
      // Into the queue. The customer hears first: a slow or failing desk must not leave them in silence.
      openQueued: collect(({ context, event, enqueue }) => {
        const h = context.handoff;
        if (!h) return;
        const { ticketId, sessionTickets } = ensureTicket(deps, enqueue, context, event, {
          outcome: `handed to a person (${h.reason})`,
          priority: h.priority,
        });
        enqueue(effect({ type: 'queue.join', at: event.at }));
        enqueue(say('handoffQueued', { queue: true }));
        postCard(enqueue, context, event, ticketId, sessionTickets, false);
        relayKeptFiles(enqueue, context, event);
        armSla(enqueue, deps, context, event.at);
        enqueue.assign({ handoff: { ...h, ticketId }, facts: [], failures: 0, files: [] });
      }),
      // After hours: the card waits for the morning; the customer is told the hours and the promise.
      openAfterHours: collect(({ context, event, enqueue }) => {
        const h = context.handoff;
        if (!h) return;
        const def = defOf(context);
        const hours = def.thresholds.followUpHours;
        // The reply time is promised from when agents are back, as the customer is told.
        const back = nextBusinessTime(def, event.at);
        const from = back ?? event.at;
        const { ticketId, sessionTickets } = ensureTicket(
          deps,
          enqueue,
          context,
          event,
          { outcome: 'after hours: waiting for agents', priority: h.priority },
          from,
        );
        postCard(enqueue, context, event, ticketId, sessionTickets, true);
        relayKeptFiles(enqueue, context, event);
        const vars = {
          hours: describeHours(def),
          back: back === undefined ? '' : formatLocalTime(def, back),
          ticket: ticketId,
          promise: String(hours),
        };
        enqueue(say('handoffAfterHours', { vars }));
        watchPromise(enqueue, ticketId, hours, from);
        enqueue.assign({ handoff: undefined, facts: [], failures: 0, waitingTicket: ticketId, files: [] });
      }),
      // No desk is connected: say so honestly, record the matter and promise a reply time.
      handoffUnavailable: collect(({ context, event, enqueue }) => {
        const hours = defOf(context).thresholds.followUpHours;
        const reason = context.handoff?.reason ?? 'asked';
        const { ticketId } = ensureTicket(deps, enqueue, context, event, {
          outcome: `asked for a person (${reason}); no agent desk connected; follow-up promised within ${hours} h`,
        });
        enqueue(say('handoffUnavailable', { vars: { ticket: ticketId, hours: String(hours) } }));
        watchPromise(enqueue, ticketId, hours, event.at);
        enqueue.assign({ handoff: undefined, facts: [], failures: 0 });
      }),
      // The desk could not be reached even after retries: the same honest message and promise.
      deskGaveUp: collect(({ context, event, enqueue }) => {
        const ticketId = context.handoff?.ticketId ?? '';
        const hours = defOf(context).thresholds.followUpHours;
        enqueue(say('handoffUnavailable', { vars: { ticket: ticketId, hours: String(hours) } }));
        if (ticketId) watchPromise(enqueue, ticketId, hours, event.at);
      }),
    },
    guards: {
      afterHours: ({ context, event }) => !isBusinessTime(defOf(context), event.at),
      askedAfterFailures: ({ context }) => context.handoff?.reason === 'failures',
    },
  });
}

export type HandoffEntrySetup = ReturnType<typeof withHandoffEntry>;

function handingOffState(s: AgentDeskSetup) {
  /** Where a handoff goes: nobody to hand to, after hours, or into the queue. */
  return s.createStateConfig({
    always: [
      // Nobody to hand to: a customer the bot could not answer gets the follow-up promise…
      {
        guard: and([not('deskConnected'), 'askedAfterFailures']),
        target: '#conversation.service.askMore',
        actions: ['recordFollowUp', assign({ handoff: undefined })],
      },
      // …one who asked for a person is told honestly that nobody can join now.
      { guard: not('deskConnected'), target: '#conversation.service.askMore', actions: 'handoffUnavailable' },
      { guard: 'afterHours', target: '#conversation.service.askMore', actions: 'openAfterHours' },
      { target: '#conversation.handoff.queued', actions: 'openQueued' },
    ],
  });
}

export function withHandoff(records: RecordsSetup, deps: MachineDeps) {
  const s = withAgents(withHandoffEntry(records, deps), deps);
  return { setup: s, states: { handingOff: handingOffState(s), handoff: handoffState(s) } };
}
export type HandoffSetup = ReturnType<typeof withHandoff>['setup'];
