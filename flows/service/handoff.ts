import {and, assign, assertEvent, not } from 'xstate';
import type { AgentNotice, DeskUpdate, HandoffReason } from '../contracts.js';
import { describeHours, formatLocalTime, isBusinessTime, nextBusinessTime } from '../hours.js';
import type { TicketChanges } from '../ticket.js';
import { normalize, trimSentence } from '../text.js';
import { newTicket, promisedBy, recordTicket, watchPromise, withTicket, type RecordsSetup } from './records.js';
import { agentOf, effect, say, SECOND_MS, textOf, type Enqueue, type MachineDeps, type ServiceContext, type ServiceEvent, collect } from './setup.js';

/**
 * Handoff to people (智能与人工协同, 复杂问题升级): where a handoff goes (nobody to hand to, after
 * hours, the queue), the queue and the claim, relaying both ways, handing back. Agent actions are
 * events of the conversation, so exactly one claim wins wherever it was clicked.
 */

/** The need the card shows: the one being handled, else the last confirmed, else this message. */
function needOf(context: ServiceContext, event: ServiceEvent): string {
  return context.need ?? context.facts.at(-1) ?? textOf(event);
}

/** The claim and supervisor deadlines of a waiting handoff: set while queued, cleared once it is claimed or ends. */
function armSla(enqueue: Enqueue, deps: MachineDeps, context: ServiceContext, at: number): void {
  const { claimSlaSeconds, supervisorSlaSeconds } = deps.definitions(context.locale).handoff;
  enqueue(effect({ type: 'timer.set', name: 'claimSla', dueAt: at + claimSlaSeconds * SECOND_MS }));
  enqueue(effect({ type: 'timer.set', name: 'supervisorSla', dueAt: at + supervisorSlaSeconds * SECOND_MS }));
}
function clearSla(enqueue: Enqueue): void {
  enqueue(effect({ type: 'timer.cancel', name: 'claimSla' }));
  enqueue(effect({ type: 'timer.cancel', name: 'supervisorSla' }));
}

/** The outcome written on the ticket when a handoff ends this way. */
function endedOutcome(status: DeskUpdate, context: ServiceContext): TicketChanges {
  const agent = context.handoff?.agent;
  const who = agent?.name ?? agent?.id ?? 'nobody';
  if (status === 'closed') return { status: 'resolved', outcome: `resolved by ${who}` };
  if (status === 'handed-back') return { outcome: `handed back to the bot by ${who}` };
  return { outcome: `customer ended the conversation${agent ? ` with ${who}` : ' before an agent joined'}` };
}

/**
   * The matter is recorded first (agents see it on the card, the customer can quote its number),
   * unless the handoff already has its ticket (an escalated complaint's). Returns the ticket and
   * the session's rated tickets with it.
   */
function ensureTicket(deps: MachineDeps, enqueue: Enqueue, context: ServiceContext, event: ServiceEvent, fields: { outcome: string; priority?: 'normal' | 'high' }) {
  const existing = context.handoff?.ticketId;
  if (existing) return { ticketId: existing, sessionTickets: context.sessionTickets };
  const hours = deps.definitions(context.locale).thresholds.followUpHours;
  const ticket = newTicket(deps, context, event.at, { type: 'inquiry', status: 'pending', need: needOf(context, event), promisedBy: promisedBy(event.at, hours), ...fields });
  recordTicket(enqueue, context, ticket);
  return { ticketId: ticket.id, sessionTickets: withTicket(context.sessionTickets, ticket.id) };
}

/** The handoff card: everything an agent needs so the customer does not repeat anything. */
function postCard(enqueue: Enqueue, context: ServiceContext, event: ServiceEvent, ticketId: string, tickets: string[], afterHours: boolean): void {
  const h = context.handoff;
  if (!h) return;
  const card = { reason: h.reason, priority: h.priority, category: h.category, afterHours, locale: context.locale, channel: context.channel, customer: context.customer, ticketId, need: needOf(context, event), facts: context.facts, tickets };
  enqueue(effect({ type: 'desk.open', card }));
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
        const { ticketId, sessionTickets } = ensureTicket(deps, enqueue, context, event, { outcome: `handed to a person (${h.reason})`, priority: h.priority });
        enqueue(effect({ type: 'queue.join', at: event.at }));
        enqueue(say('handoffQueued', { queue: true }));
        postCard(enqueue, context, event, ticketId, sessionTickets, false);
        armSla(enqueue, deps, context, event.at);
        enqueue.assign({ handoff: { ...h, ticketId }, facts: [], failures: 0 });
      }),
      // After hours: the card waits for the morning; the customer is told the hours and the promise.
      openAfterHours: collect(({ context, event, enqueue }) => {
        const h = context.handoff;
        if (!h) return;
        const def = defOf(context);
        const hours = def.thresholds.followUpHours;
        const { ticketId, sessionTickets } = ensureTicket(deps, enqueue, context, event, { outcome: 'after hours: waiting for agents', priority: h.priority });
        postCard(enqueue, context, event, ticketId, sessionTickets, true);
        const back = nextBusinessTime(def, event.at);
        const vars = { hours: describeHours(def), back: back === undefined ? '' : formatLocalTime(def, back), ticket: ticketId, promise: String(hours) };
        enqueue(say('handoffAfterHours', { vars }));
        watchPromise(enqueue, ticketId, hours, event.at);
        enqueue.assign({ handoff: undefined, facts: [], failures: 0, waitingTicket: ticketId });
      }),
      // No desk is connected: say so honestly, record the matter and promise a reply time.
      handoffUnavailable: collect(({ context, event, enqueue }) => {
        const hours = defOf(context).thresholds.followUpHours;
        const reason = context.handoff?.reason ?? 'asked';
        const { ticketId } = ensureTicket(deps, enqueue, context, event, { outcome: `asked for a person (${reason}); no agent desk connected; follow-up promised within ${hours} h` });
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

/** The desk's side: relaying, the claim, agents' replies (guarded), handing back, closing, requeueing. */
function withAgentDesk(entry: ReturnType<typeof withHandoffEntry>, deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return entry.extend({
    actions: {
      relayToDesk: collect(({ event, enqueue }) => {
        if (event.type === 'user.message') enqueue(effect({ type: 'desk.post', text: event.text, from: 'customer' }));
        if (event.type === 'user.media') enqueue(effect({ type: 'desk.post', text: `[${event.media}]`, from: 'customer' }));
      }),
      claim: collect(({ context, event, enqueue }) => {
        assertEvent(event, 'agent.claim');
        const h = context.handoff;
        if (!h) return;
        enqueue(effect({ type: 'queue.leave', at: event.at, claimed: true }));
        clearSla(enqueue);
        enqueue(effect({ type: 'desk.update', status: 'claimed', agent: event.agent }));
        if (defOf(context).handoff.showAgentName && event.agent.name) enqueue(say('handoffClaimed', { vars: { agent: event.agent.name } }));
        else enqueue(say('handoffClaimedAnonymous'));
        enqueue.assign({ handoff: { ...h, agent: event.agent } });
      }),
      // Only the claiming agent talks to the customer, and only in words the standards allow.
      agentReply: collect(({ context, event, enqueue }) => {
        assertEvent(event, 'agent.reply');
        const claimer = context.handoff?.agent;
        if (!claimer || claimer.id !== event.agent.id) {
          enqueue(effect({ type: 'transcript', from: 'agent', text: `[internal] ${event.agent.name ?? event.agent.id}: ${event.text}` }));
          return;
        }
        const verdict = deps.guardFor(context.locale).check(event.text);
        if (!verdict.allowed && !event.override) {
          enqueue(effect({ type: 'desk.notify', agentId: event.agent.id, notice: { kind: 'guard-blocked', matches: verdict.matches, text: event.text } }));
          enqueue(effect({ type: 'transcript', from: 'agent', text: `[blocked: ${verdict.matches.map((m) => m.phrase).join(', ')}] ${event.text}` }));
          return;
        }
        enqueue(effect({ type: 'reply', text: event.text, from: 'agent' }));
      }),
      // An agent takes over a conversation that is not waiting (an after-hours card, next morning).
      adoptConversation: assign(({ context, event }) => {
        const ticketId = context.waitingTicket ?? context.sessionTickets.at(-1) ?? '';
        return {
          handoff: { reason: 'asked' as const, priority: 'normal' as const, category: context.complaint?.category, ticketId, queuedAt: event.at, agent: undefined },
          complaint: undefined,
          waitingTicket: undefined,
          // The survey at the end rates the matter the agent handled.
          sessionTickets: ticketId ? withTicket(context.sessionTickets, ticketId) : context.sessionTickets,
        };
      }),
      /** Tells the agent who acted out of turn why nothing happened. */
      notifyAgent: collect(({ event, enqueue }, params: { notice: 'no-handoff' | 'not-claimed' }) => {
        const agent = agentOf(event);
        if (agent) enqueue(effect({ type: 'desk.notify', agentId: agent.id, notice: { kind: params.notice } }));
      }),
      notifyNotYours: collect(({ context, event, enqueue }) => {
        const agent = agentOf(event);
        const by = context.handoff?.agent;
        const notice: AgentNotice | undefined = agent && by ? { kind: agent.id === by.id ? 'already-claimed' : 'not-yours', by } : undefined;
        if (agent && notice) enqueue(effect({ type: 'desk.notify', agentId: agent.id, notice }));
      }),
      endHandoff: collect(({ context, event, enqueue }, params: { status: DeskUpdate }) => {
        const h = context.handoff;
        if (!h) return;
        const agent = agentOf(event);
        if (!h.agent) enqueue(effect({ type: 'queue.leave', at: event.at, claimed: false }));
        clearSla(enqueue);
        enqueue(effect({ type: 'desk.update', status: params.status, ...(agent ? { agent } : {}) }));
        enqueue(effect({ type: 'ticket.update', id: h.ticketId, changes: endedOutcome(params.status, context), at: event.at }));
        enqueue.assign({ handoff: undefined });
      }),
      requeue: collect(({ context, event, enqueue }, params: { status: DeskUpdate }) => {
        const h = context.handoff;
        if (!h) return;
        const agent = agentOf(event);
        const category = event.type === 'agent.transfer' ? event.category : h.category;
        enqueue(effect({ type: 'desk.update', status: params.status, ...(agent ? { agent } : {}), ...(category ? { category } : {}) }));
        if (h.agent) enqueue(effect({ type: 'queue.join', at: event.at }));
        armSla(enqueue, deps, context, event.at);
        enqueue.assign({ handoff: { ...h, agent: undefined, category, queuedAt: h.agent ? event.at : h.queuedAt } });
      }),
    },
    guards: {
      wantsToEnd: ({ context, event }) => {
        if (event.type !== 'user.message') return false;
        const norm = normalize(trimSentence(event.text));
        return defOf(context).handoff.endWords.some((w) => normalize(w) === norm);
      },
      hasCustomer: ({ context }) => context.customer.id !== '',
      isClaimer: ({ context, event }) => context.handoff?.agent !== undefined && context.handoff.agent.id === agentOf(event)?.id,
    },
  });
}
type AgentDeskSetup = ReturnType<typeof withAgentDesk>;

/** An agent action that does not apply now: the agent is told why (one notice for several events). */
export function refuse(notice: 'no-handoff' | 'not-claimed') {
  return { actions: { type: 'notifyAgent' as const, params: { notice } } };
}

function handoffStates(s: AgentDeskSetup) {
  const endedByCustomer = { guard: 'wantsToEnd', target: '#conversation.service.closing', actions: { type: 'endHandoff', params: { status: 'closed-by-customer' } } } as const;

  /** Where a handoff goes: nobody to hand to, after hours, or into the queue. */
  const handingOff = s.createStateConfig({
    always: [
      // Nobody to hand to: a customer the bot could not answer gets the follow-up promise…
      { guard: and([not('deskConnected'), 'askedAfterFailures']), target: '#conversation.service.askMore', actions: ['recordFollowUp', assign({ handoff: undefined })] },
      // …one who asked for a person is told honestly that nobody can join now.
      { guard: not('deskConnected'), target: '#conversation.service.askMore', actions: 'handoffUnavailable' },
      { guard: 'afterHours', target: '#conversation.service.askMore', actions: 'openAfterHours' },
      { target: '#conversation.handoff.queued', actions: 'openQueued' },
    ],
  });

  /** People have the conversation; the bot relays and stays silent (转人工). */
  const handoff = s.createStateConfig({
    tags: ['with-people'],
    initial: 'queued',
    on: {
      // Waiting or talking to an agent is not idling: the desk decides when it ends.
      'timer.idle': {},
      // The desk could not be reached even after retries: say so, keep the matter on record.
      'desk.unavailable': { target: '#conversation.service.askMore', actions: ['deskGaveUp', { type: 'endHandoff', params: { status: 'released' } }] },
      'user.media': { actions: 'relayToDesk' },
      'agent.note': {},
      'agent.transfer': { target: '.queued', actions: { type: 'requeue', params: { status: 'transferred' } } },
    },
    states: {
      queued: {
        on: {
          'user.message': [endedByCustomer, { actions: 'relayToDesk' }],
          'timer.claimSla': { actions: [say('handoffStillWaiting'), effect({ type: 'desk.ping', level: 'sla' })] },
          'timer.supervisorSla': { actions: effect({ type: 'desk.ping', level: 'supervisor' }) },
          'agent.claim': { target: 'claimed', actions: 'claim' },
          'agent.reply': refuse('not-claimed'),
          'agent.handback': refuse('not-claimed'),
          'agent.close': refuse('not-claimed'),
          'agent.release': refuse('not-claimed'),
        },
      },
      claimed: {
        on: {
          'user.message': [endedByCustomer, { actions: 'relayToDesk' }],
          'agent.claim': { actions: 'notifyNotYours' },
          'agent.reply': { actions: 'agentReply' },
          'agent.handback': [
            { guard: 'isClaimer', target: '#conversation.service.awaitingNeed', actions: [{ type: 'endHandoff', params: { status: 'handed-back' } }, say('handoffBack')] },
            { actions: 'notifyNotYours' },
          ],
          'agent.close': [{ guard: 'isClaimer', target: '#conversation.service.closing', actions: { type: 'endHandoff', params: { status: 'closed' } } }, { actions: 'notifyNotYours' }],
          'agent.release': [{ guard: 'isClaimer', target: 'queued', actions: { type: 'requeue', params: { status: 'released' } } }, { actions: 'notifyNotYours' }],
        },
      },
    },
  });

  return { handingOff, handoff };
}

export function withHandoff(records: RecordsSetup, deps: MachineDeps) {
  const s = withAgentDesk(withHandoffEntry(records, deps), deps);
  return { setup: s, states: handoffStates(s) };
}
export type HandoffSetup = ReturnType<typeof withHandoff>['setup'];
