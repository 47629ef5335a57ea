import { and, assign, assertEvent } from 'xstate';
import type { AgentNotice, DeskUpdate, Directive } from '../contracts.js';
import { promiseTimer, type TicketChanges } from '../ticket.js';
import { fileLabel } from '../files.js';
import { joinSpacedLetters, normalize, quoted, trimSentence } from '../text.js';
import { withTicket } from './records.js';
import type { HandoffEntrySetup } from './handoff.js';
import {
  agentOf,
  collect,
  effect,
  say,
  SECOND_MS,
  type Enqueue,
  type MachineDeps,
  type ServiceContext,
  type ServiceEvent,
} from './setup.js';

/**
 * The agents' side of a handoff: relaying both ways, the claim (exactly one wins, wherever it was
 * clicked: agent actions are events of the conversation), agents' replies through the phrase
 * guard, handing back, closing, requeueing, and the queue's deadlines.
 */

/** The claim and supervisor deadlines of a waiting handoff: set while queued, cleared once it is claimed or ends. */
export function armSla(enqueue: Enqueue, deps: MachineDeps, context: ServiceContext, at: number): void {
  const { claimSlaSeconds, supervisorSlaSeconds } = deps.definitions(context.locale).handoff;
  enqueue(effect({ type: 'timer.set', name: 'claimSla', dueAt: at + claimSlaSeconds * SECOND_MS }));
  enqueue(effect({ type: 'timer.set', name: 'supervisorSla', dueAt: at + supervisorSlaSeconds * SECOND_MS }));
}
function clearSla(enqueue: Enqueue): void {
  enqueue(effect({ type: 'timer.cancel', name: 'claimSla' }));
  enqueue(effect({ type: 'timer.cancel', name: 'supervisorSla' }));
}

/**
 * The outcome written on the ticket when a handoff ends this way. A customer who started over or
 * left has the matter `unresolved`, as a need left before an answer is (records.ts).
 */
function endedOutcome(status: DeskUpdate, context: ServiceContext): TicketChanges {
  const agent = context.handoff?.agent;
  const who = agent?.name ?? agent?.id ?? 'nobody';
  const when = agent ? ` while talking with ${who}` : ' before an agent joined';
  if (status === 'closed') return { status: 'resolved', outcome: `resolved by ${who}` };
  if (status === 'handed-back') return { outcome: `handed back to the bot by ${who}` };
  // A handoff ends `released` only when the desk could not be reached (an agent's release requeues).
  if (status === 'released') return { outcome: 'the agent desk could not be reached; follow-up promised' };
  if (status === 'customer-restarted')
    return { status: 'unresolved', outcome: `customer started over with the bot (/start)${when}` };
  if (status === 'customer-left')
    return { status: 'unresolved', outcome: `customer blocked the bot or could not be reached${when}` };
  return { outcome: `customer ended the conversation${agent ? ` with ${who}` : ' before an agent joined'}` };
}

/**
 * What the customer does during a handoff, as it reaches the card's thread: words (quoted), a
 * photo, document, voice note or video as the file itself with its caption, a sticker or the like
 * named, an edit and /help marked as the transcript marks them.
 */
function relayed(event: ServiceEvent): Directive {
  if (event.type === 'user.message')
    return event.file
      ? { type: 'desk.file', file: event.file, caption: quoted(event.text) }
      : { type: 'desk.post', text: quoted(event.text), from: 'customer' };
  if (event.type === 'user.media')
    return event.file
      ? { type: 'desk.file', file: event.file }
      : { type: 'desk.post', text: `[${event.media}]`, from: 'customer' };
  if (event.type === 'user.edit')
    return { type: 'desk.post', text: `[edited] ${quoted(event.text)}`, from: 'customer' };
  return { type: 'desk.post', text: '/help', from: 'customer' };
}

/** The desk's side: relaying, the claim, agents' replies (guarded), handing back, closing, requeueing. */
function withAgentDesk(entry: HandoffEntrySetup, deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return entry.extend({
    actions: {
      relayToDesk: collect(({ event, enqueue }) => enqueue(effect(relayed(event)))),
      claim: collect(({ context, event, enqueue }) => {
        assertEvent(event, 'agent.claim');
        const h = context.handoff;
        if (!h) return;
        enqueue(effect({ type: 'queue.leave', at: event.at, claimed: true }));
        clearSla(enqueue);
        enqueue(effect({ type: 'desk.update', status: 'claimed', agent: event.agent }));
        if (defOf(context).handoff.showAgentName && event.agent.name)
          enqueue(say('handoffClaimed', { vars: { agent: quoted(event.agent.name) } }));
        else enqueue(say('handoffClaimedAnonymous'));
        // The record says who has the matter now (an after-hours one no longer "waiting for agents").
        if (h.ticketId) {
          const who = event.agent.name ?? event.agent.id;
          const changes = { outcome: `with ${who}, who claimed it` };
          enqueue(effect({ type: 'ticket.update', id: h.ticketId, changes, at: event.at, ifStatus: 'pending' }));
        }
        enqueue.assign({ handoff: { ...h, agent: event.agent } });
      }),
      // Only the claiming agent talks to the customer, and only in words the standards allow.
      agentReply: collect(({ context, event, enqueue }) => {
        assertEvent(event, 'agent.reply');
        const claimer = context.handoff?.agent;
        const files = event.files ?? [];
        const attached = files.map((f) => ` ${fileLabel(f)}`).join('');
        if (!claimer || claimer.id !== event.agent.id) {
          enqueue(
            effect({
              type: 'transcript',
              from: 'agent',
              text: `[internal] ${event.agent.name ?? event.agent.id}: ${event.text}${attached}`,
            }),
          );
          return;
        }
        const verdict = deps.agentGuard.check(event.text);
        // A file shared with a blocked text is held back with it: the customer gets neither.
        if (!verdict.allowed && !event.override) {
          enqueue(
            effect({
              type: 'desk.notify',
              agentId: event.agent.id,
              notice: { kind: 'guard-blocked', matches: verdict.matches, text: event.text },
            }),
          );
          enqueue(
            effect({
              type: 'transcript',
              from: 'agent',
              text: `[blocked: ${verdict.matches.map((m) => m.phrase).join(', ')}] ${event.text}${attached}`,
            }),
          );
          return;
        }
        if (files.length === 0) return enqueue(effect({ type: 'reply', text: event.text, from: 'agent' }));
        // The text goes with the first file, as its caption (one message on the customer's side).
        files.forEach((file, n) =>
          enqueue(
            effect({
              type: 'reply.file',
              file,
              ...(n === 0 && event.text ? { caption: event.text } : {}),
              agentId: event.agent.id,
            }),
          ),
        );
      }),
      // An agent takes over an after-hours card next morning: the only card that is claimable
      // while the conversation is with the bot (`hasWaitingCard`).
      adoptConversation: assign(({ context, event }) => {
        const ticketId = context.waitingTicket ?? '';
        return {
          handoff: {
            reason: 'asked' as const,
            priority: 'normal' as const,
            category: context.complaint?.category,
            ticketId,
            queuedAt: event.at,
            agent: undefined,
          },
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
        const notice: AgentNotice | undefined =
          agent && by ? { kind: agent.id === by.id ? 'already-claimed' : 'not-yours', by } : undefined;
        if (agent && notice) enqueue(effect({ type: 'desk.notify', agentId: agent.id, notice }));
      }),
    },
    guards: {
      isClaimer: ({ context, event }) =>
        context.handoff?.agent !== undefined && context.handoff.agent.id === agentOf(event)?.id,
    },
  });
}

/** How a handoff ends or goes back to the queue: the ticket's outcome, the desk updated, the deadlines. */
function withHandoffEnd(desk: ReturnType<typeof withAgentDesk>, deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return desk.extend({
    guards: {
      transfersToKnownCategory: ({ context, event }) =>
        event.type === 'agent.transfer' &&
        event.category !== undefined &&
        defOf(context).complaints.categories.some((c) => c.id === event.category),
      wantsToEnd: ({ context, event }) => {
        if (event.type !== 'user.message') return false;
        const norm = normalize(joinSpacedLetters(trimSentence(event.text)));
        return defOf(context).handoff.endWords.some((w) => normalize(w) === norm);
      },
      // An after-hours card waits for agents (README: Human handoff); a card whose handoff ended does not.
      hasWaitingCard: ({ context }) => context.waitingTicket !== undefined && context.customer.id !== '',
    },
    actions: {
      notifyUnknownCategory: collect(({ context, event, enqueue }) => {
        const agent = agentOf(event);
        if (!agent || event.type !== 'agent.transfer') return;
        const known = defOf(context).complaints.categories.map((c) => c.id);
        const notice: AgentNotice = {
          kind: 'unknown-category',
          known,
          ...(event.category ? { category: event.category } : {}),
        };
        enqueue(effect({ type: 'desk.notify', agentId: agent.id, notice }));
      }),
      endHandoff: collect(({ context, event, enqueue }, params: { status: DeskUpdate }) => {
        const h = context.handoff;
        if (!h) return;
        const agent = agentOf(event);
        if (!h.agent) enqueue(effect({ type: 'queue.leave', at: event.at, claimed: false }));
        clearSla(enqueue);
        enqueue(effect({ type: 'desk.update', status: params.status, ...(agent ? { agent } : {}) }));
        const changes = endedOutcome(params.status, context);
        // A matter someone already settled (by phone, `npm run tickets resolve`) stays settled.
        const ifStatus = changes.status === 'unresolved' ? { ifStatus: 'pending' as const } : {};
        enqueue(effect({ type: 'ticket.update', id: h.ticketId, changes, at: event.at, ...ifStatus }));
        enqueue.assign({ handoff: undefined });
      }),
      // The customer blocked the bot while an after-hours card waited for agents: the card is over
      // too (the desk is told, it can no longer be claimed) and nobody chases a promise to them.
      abandonWaitingCard: collect(({ context, event, enqueue }) => {
        const ticketId = context.waitingTicket;
        if (!ticketId) return;
        enqueue(effect({ type: 'desk.update', status: 'customer-left' }));
        const changes: TicketChanges = {
          status: 'unresolved',
          outcome: 'customer blocked the bot or could not be reached before agents were back (after hours)',
        };
        enqueue(effect({ type: 'ticket.update', id: ticketId, changes, at: event.at, ifStatus: 'pending' }));
        enqueue(effect({ type: 'timer.cancel', name: promiseTimer(ticketId) }));
        enqueue.assign({ waitingTicket: undefined });
      }),
      requeue: collect(({ context, event, enqueue }, params: { status: DeskUpdate }) => {
        const h = context.handoff;
        if (!h) return;
        const agent = agentOf(event);
        const category = event.type === 'agent.transfer' ? event.category : h.category;
        enqueue(
          effect({
            type: 'desk.update',
            status: params.status,
            ...(agent ? { agent } : {}),
            ...(category ? { category } : {}),
          }),
        );
        if (h.agent) enqueue(effect({ type: 'queue.join', at: event.at }));
        armSla(enqueue, deps, context, event.at);
        // 转接与协助 (003): the customer hears that colleagues of another team will take it over.
        if (event.type === 'agent.transfer') enqueue(say('handoffTransferred'));
        enqueue.assign({ handoff: { ...h, agent: undefined, category, queuedAt: h.agent ? event.at : h.queuedAt } });
      }),
    },
  });
}
export type AgentDeskSetup = ReturnType<typeof withHandoffEnd>;

/** The handoff's agent layers on top of its entry. */
export function withAgents(entry: HandoffEntrySetup, deps: MachineDeps): AgentDeskSetup {
  return withHandoffEnd(withAgentDesk(entry, deps), deps);
}

/** An agent action that does not apply now: the agent is told why (one notice for several events). */
export function refuse(notice: 'no-handoff' | 'not-claimed') {
  return { actions: { type: 'notifyAgent' as const, params: { notice } } };
}

/**
 * People have the conversation: the queue, then the claim. One rule for everything the customer
 * does meanwhile, queued or claimed (README: Human handoff, "What the customer does during a
 * handoff"): what they write, edit, send or ask (a message, a button, an edit, a photo, /help or
 * any other command) reaches the agent in the card's thread and the bot stays silent; starting
 * over (/start), the end word (结束) and leaving (blocking the bot, or a send refused as
 * unreachable) end the handoff for both sides: the queue is left, the thread told, the card can no
 * longer be claimed, the ticket's outcome written.
 */
export function handoffState(s: AgentDeskSetup) {
  const endedByCustomer = {
    guard: 'wantsToEnd',
    target: '#conversation.service.closing',
    actions: { type: 'endHandoff', params: { status: 'closed-by-customer' } },
  } as const;

  /** People have the conversation; the bot relays and stays silent (转人工). */
  const handoff = s.createStateConfig({
    tags: ['with-people'],
    initial: 'queued',
    on: {
      // Waiting or talking to an agent is not idling: the desk decides when it ends.
      'timer.idle': {},
      // The desk could not be reached even after retries: say so, keep the matter on record.
      'desk.unavailable': {
        target: '#conversation.service.askMore',
        actions: ['deskGaveUp', { type: 'endHandoff', params: { status: 'released' } }],
      },
      'user.message': [endedByCustomer, { actions: 'relayToDesk' }],
      'user.media': { actions: 'relayToDesk' },
      'user.edit': { actions: 'relayToDesk' },
      'user.help': { actions: 'relayToDesk' },
      // Starting over: the handoff ends for the desk too, then the bot greets afresh.
      'user.start': {
        target: '#conversation.service.awaitingNeed',
        actions: [
          { type: 'endHandoff', params: { status: 'customer-restarted' } },
          'startAfresh',
          'adoptLocale',
          effect({ type: 'greet', withAsk: true }),
        ],
      },
      // Blocked the bot (Telegram's my_chat_member), or a send to them was refused as unreachable.
      'user.blocked': {
        target: '#conversation.service.idle',
        actions: { type: 'endHandoff', params: { status: 'customer-left' } },
      },
      'agent.note': {},
    },
    states: {
      queued: {
        on: {
          'timer.claimSla': { actions: [say('handoffStillWaiting'), effect({ type: 'desk.ping', level: 'sla' })] },
          'timer.supervisorSla': { actions: effect({ type: 'desk.ping', level: 'supervisor' }) },
          'agent.claim': { target: 'claimed', actions: 'claim' },
          'agent.reply': refuse('not-claimed'),
          'agent.handback': refuse('not-claimed'),
          'agent.close': refuse('not-claimed'),
          'agent.release': refuse('not-claimed'),
          'agent.transfer': refuse('not-claimed'),
        },
      },
      claimed: {
        on: {
          'agent.claim': { actions: 'notifyNotYours' },
          'agent.reply': { actions: 'agentReply' },
          'agent.handback': [
            {
              guard: 'isClaimer',
              target: '#conversation.service.awaitingNeed',
              actions: [{ type: 'endHandoff', params: { status: 'handed-back' } }, say('handoffBack')],
            },
            { actions: 'notifyNotYours' },
          ],
          'agent.close': [
            {
              guard: 'isClaimer',
              target: '#conversation.service.closing',
              actions: { type: 'endHandoff', params: { status: 'closed' } },
            },
            { actions: 'notifyNotYours' },
          ],
          'agent.release': [
            { guard: 'isClaimer', target: 'queued', actions: { type: 'requeue', params: { status: 'released' } } },
            { actions: 'notifyNotYours' },
          ],
          // Only the agent who has the conversation moves it, and only to a category the definition has.
          'agent.transfer': [
            {
              guard: and(['isClaimer', 'transfersToKnownCategory']),
              target: 'queued',
              actions: { type: 'requeue', params: { status: 'transferred' } },
            },
            { guard: 'isClaimer', actions: 'notifyUnknownCategory' },
            { actions: 'notifyNotYours' },
          ],
        },
      },
    },
  });

  return handoff;
}
