import { assertEvent } from 'xstate';
import type { AgentNotice, AgentRef, DeskAlert, DeskUpdate } from '../contracts.js';
import { promiseVars } from '../hours.js';
import { SUPPORTED_LOCALES } from '../locales.js';
import { joinSpacedLetters, normalize, quoted, trimSentence } from '../text.js';
import {
  claimedUpdate,
  internalLine,
  keepResolveNote,
  relayAgentReply,
  releasedUpdate,
  repliedUpdate,
} from './agent-replies.js';
import { statusLine, withFollowUpDesk } from './follow-ups.js';
import {
  followUp,
  followUpOf,
  followUpTypeOf,
  handoffFollowUpCard,
  promisedBy,
  resolveMatter,
  withFollowUp,
} from './records.js';
import { keptByReply } from './deadlines.js';
import { endedOutcome, waitForAgent } from './handoff-ended.js';
import { armReplySla, armSla, clearQueueSla, clearReplySla, clearSla, promiseWhileQueued } from './queue-deadlines.js';
import { keepWhatCustomerSays, owedReply, relayCustomer } from './customer-relay.js';
import type { HandoffEntrySetup } from './handoff.js';
import {
  agentOf,
  collect,
  effect,
  say,
  understood,
  type Enqueue,
  type MachineDeps,
  type Guarded,
  type ServiceContext,
} from './setup.js';
import { forSupervisor, nothingTold, type HandoffState } from './states.js';

/**
 * The agents' side of a handoff: relaying both ways, the claim (exactly one wins, wherever it was
 * clicked: agent actions are events of the conversation), agents' replies through the phrase
 * guard, handing back, closing, requeueing, and the queue's deadlines.
 */

/** The desk's side: relaying, the claim, agents' replies (guarded), handing back, closing, requeueing. */
function withAgentDesk(entry: HandoffEntrySetup, deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return entry.extend({
    actions: {
      // The claim SLA's alerts, and the reply SLA's (the agent who has the conversation is named).
      pingDesk: collect(({ context, enqueue }, params: { level: DeskAlert }) => {
        const agent = params.level === 'reply-late' ? context.handoff?.agent : undefined;
        enqueue(
          effect({
            type: 'desk.ping',
            level: params.level,
            ticketId: context.handoff?.ticketId,
            ...(agent ? { agent } : {}),
          }),
        );
      }),
      promiseWhileQueued: collect(({ context, event, enqueue }) =>
        promiseWhileQueued(enqueue, deps, context, event.at),
      ),
      // Only posted (the words that end the handoff): not the matter's facts.
      postToDesk: collect(({ context, event, enqueue }) =>
        relayCustomer(enqueue, event, context.handoff?.ticketId ?? ''),
      ),
      noteWaitTold: collect(({ context, event, enqueue }) => {
        if (context.handoff) enqueue.assign({ handoff: { ...context.handoff, waitToldAt: event.at } });
      }),
      relayToDesk: collect(({ context, event, enqueue }) => {
        relayCustomer(enqueue, event, context.handoff?.ticketId ?? '');
        // With an agent on it, the customer's message is owed a reply (armReplySla), from the oldest unanswered.
        const owed = owedReply(context.handoff, event);
        if (owed) {
          armReplySla(enqueue, deps, context, event.at);
          enqueue.assign({ handoff: owed });
        }
        keepWhatCustomerSays(enqueue, owed ? { ...context, handoff: owed } : context, event, defOf(context).complaints);
      }),
      claim: collect(({ context, event, enqueue }) => {
        assertEvent(event, 'agent.claim');
        const h = context.handoff;
        if (!h) return;
        enqueue(effect({ type: 'queue.leave', at: event.at, claimed: true }));
        clearQueueSla(enqueue);
        armReplySla(enqueue, deps, context, event.at);
        enqueue(effect({ type: 'desk.update', status: 'claimed', agent: event.agent, ticketId: h.ticketId }));
        // Nothing said of the matter yet (转人工 alone): asked what it is, not whether there is more to add.
        const ask = nothingTold(h);
        if (defOf(context).handoff.showAgentName && event.agent.name)
          enqueue(say(ask ? 'handoffClaimedAsk' : 'handoffClaimed', { vars: { agent: quoted(event.agent.name) } }));
        else enqueue(say(ask ? 'handoffClaimedAnonymousAsk' : 'handoffClaimedAnonymous'));
        // The record says who has the matter now.
        if (h.ticketId) enqueue(effect(claimedUpdate(h.ticketId, event.agent, event.at)));
        enqueue.assign({ handoff: { ...h, agent: event.agent, awaitingSince: event.at } });
      }),
      // Only the claiming agent talks to the customer, and only in words the standards allow.
      agentReply: collect(({ context, event, enqueue }) => {
        assertEvent(event, 'agent.reply');
        const h = context.handoff;
        const claimer = h?.agent;
        if (!h || !claimer || claimer.id !== event.agent.id) {
          enqueue(effect(internalLine(event.agent, event.text, event.files)));
          return;
        }
        const sent = relayAgentReply(enqueue, deps, event, h.ticketId);
        if (!sent) return;
        // The first reply a person sent on the matter is on its record (first response).
        if (!h.replied && h.ticketId) enqueue(effect(repliedUpdate(h.ticketId, event.agent, event.at)));
        // The customer has their answer: the reply SLA waits for their next message.
        if (h.awaitingSince !== undefined) clearReplySla(enqueue);
        // A reply time promised on the matter (a follow-up taken up, a queue's promise) is kept by it.
        const f = followUpOf(context, h.ticketId);
        const kept = f && keptByReply(enqueue, f, event.at);
        enqueue.assign({
          handoff: { ...h, replied: h.replied || h.ticketId !== '', awaitingSince: undefined },
          ...(kept && kept !== f ? { followUps: withFollowUp(context.followUps, kept) } : {}),
        });
      }),
      /** Tells the agent who acted out of turn why nothing happened. */
      notifyAgent: collect(({ context, event, enqueue }, params: { notice: 'no-handoff' | 'not-claimed' }) => {
        const agent = agentOf(event);
        const ticketId = 'ticketId' in event ? event.ticketId : context.handoff?.ticketId;
        if (agent)
          enqueue(effect({ type: 'desk.notify', agentId: agent.id, notice: { kind: params.notice }, ticketId }));
      }),
      notifyNotYours: collect(({ context, event, enqueue }) => {
        const agent = agentOf(event);
        const by = context.handoff?.agent;
        const notice: AgentNotice | undefined =
          agent && by ? { kind: agent.id === by.id ? 'already-claimed' : 'not-yours', by } : undefined;
        const ticketId = context.handoff?.ticketId;
        if (agent && notice) enqueue(effect({ type: 'desk.notify', agentId: agent.id, notice, ticketId }));
      }),
    },
    guards: {
      isClaimer: ({ context, event }) =>
        context.handoff?.agent !== undefined && context.handoff.agent.id === agentOf(event)?.id,
    },
  });
}

/**
 * The category an agent names for a transfer: its id (refund) or its name in any locale (the desk
 * shows names in its own language), case aside; undefined when the conversation's has none such.
 */
function categoryIdOf(deps: MachineDeps, context: ServiceContext, given: string | undefined): string | undefined {
  const wanted = given?.trim().toLowerCase();
  if (!wanted) return undefined;
  const own = deps.definitions(context.locale).complaints.categories;
  const named = [own, ...SUPPORTED_LOCALES.map((l) => deps.definitions(l).complaints.categories)]
    .flat()
    .find((c) => c.id.toLowerCase() === wanted || c.name.toLowerCase() === wanted);
  return named && own.some((c) => c.id === named.id) ? named.id : undefined;
}

/** What ends a handoff from the customer's side, and where an agent may transfer it. */
function handoffEndGuards(deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return {
    transfersToKnownCategory: ({ context, event }: Guarded) =>
      event.type === 'agent.transfer' && categoryIdOf(deps, context, event.category) !== undefined,
    // 算了，不用了 while nobody has claimed the request yet: the request is taken back.
    takesBackWhileQueued: ({ context, event }: Guarded) =>
      understood(event)?.takesBack === true && context.handoff?.agent === undefined,
    wantsToEnd: ({ context, event }: Guarded) => {
      if (event.type !== 'user.message') return false;
      const norm = normalize(joinSpacedLetters(trimSentence(event.text)));
      return defOf(context).handoff.endWords.some((w) => normalize(w) === norm);
    },
  };
}

/** How a handoff ends or goes back to the queue: the ticket's outcome, the desk updated, the deadlines. */
function withHandoffEnd(desk: ReturnType<typeof withAgentDesk>, deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return desk.extend({
    guards: handoffEndGuards(deps),
    actions: {
      notifyUnknownCategory: collect(({ context, event, enqueue }) => {
        const agent = agentOf(event);
        if (!agent || event.type !== 'agent.transfer') return;
        // By id and by name, as either is taken.
        const known = defOf(context).complaints.categories.map((c) => `${c.id} (${c.name})`);
        const notice: AgentNotice = {
          kind: 'unknown-category',
          known,
          ...(event.category ? { category: event.category } : {}),
        };
        enqueue(effect({ type: 'desk.notify', agentId: agent.id, notice, ticketId: context.handoff?.ticketId }));
      }),
      // A promise standing as the handoff ends unsettled, handed back or left by the customer: where it
      // stands, not only "anything else?" or the close (found by the issue-17 trials: never told).
      tellHandoffStatus: collect(({ context, event, enqueue }) => {
        const pending = context.handoff && followUpOf(context, context.handoff.ticketId);
        if (pending) enqueue(statusLine(defOf(context), pending, event.at));
      }),
      endHandoff: collect(({ context, event, enqueue }, params: { status: DeskUpdate; endWord?: boolean }) => {
        const h = context.handoff;
        if (!h) return;
        const agent = agentOf(event);
        const ticketId = h.ticketId;
        if (!h.agent) enqueue(effect({ type: 'queue.leave', at: event.at, claimed: false }));
        clearSla(enqueue);
        // `released` here is the desk that could not take the card: there is no card to update.
        if (params.status !== 'released')
          enqueue(effect({ type: 'desk.update', status: params.status, ticketId, ...(agent ? { agent } : {}) }));
        enqueue.assign({ handoff: undefined });
        settleEndedHandoff(enqueue, deps, context, h, event.at, params, agent);
      }),
      // 结果反馈 (000 三.(一)5): the agent settles the live matter with the outcome the customer hears.
      resolveHandoff: collect(({ context, event, enqueue }) => {
        assertEvent(event, 'agent.resolve');
        const h = context.handoff;
        if (!h) return;
        // The outcome is the person's reply to the customer (the first one, if none went before).
        if (event.text && relayAgentReply(enqueue, deps, { ...event, files: undefined }, h.ticketId) && !h.replied)
          enqueue(effect(repliedUpdate(h.ticketId, event.agent, event.at)));
        keepResolveNote(enqueue, event);
        clearSla(enqueue);
        if (!h.agent) enqueue(effect({ type: 'queue.leave', at: event.at, claimed: false }));
        // Not the agent's to settle (a supervisor asked for, a complaint about them): the live card says
        // the talk ended, not that the matter is settled (found by the fourth trial: 已办结 on a pending matter).
        const status = forSupervisor(h) ? 'closed' : 'resolved';
        enqueue(effect({ type: 'desk.update', status, agent: event.agent, ticketId: h.ticketId }));
        enqueue.assign({ handoff: undefined });
        const outcome = event.text || event.note || '';
        if (forSupervisor(h)) return waitForSupervisor(enqueue, deps, context, h, event.at, 'settled');
        resolveMatter(enqueue, context, { ticketId: h.ticketId, agent: event.agent, at: event.at, outcome });
      }),
      requeue: collect(({ context, event, enqueue }, params: { status: DeskUpdate }) => {
        const h = context.handoff;
        if (!h) return;
        const agent = agentOf(event);
        const category = event.type === 'agent.transfer' ? categoryIdOf(deps, context, event.category) : h.category;
        enqueue(
          effect({
            type: 'desk.update',
            status: params.status,
            ticketId: h.ticketId,
            ...(agent ? { agent } : {}),
            ...(category ? { category } : {}),
          }),
        );
        enqueue(effect(releasedUpdate(h.ticketId, agent, event.at)));
        if (h.agent) enqueue(effect({ type: 'queue.join', at: event.at }));
        clearReplySla(enqueue);
        armSla(enqueue, deps, context, event.at);
        // 转接与协助 (003): the customer hears that colleagues of another team will take it over.
        if (event.type === 'agent.transfer') enqueue(say('handoffTransferred'));
        // Released back to the queue: the customer hears it, and their place (found by the issue-17 trial).
        else if (h.agent) enqueue(say('handoffRequeued', { queue: true }));
        enqueue.assign({
          handoff: {
            ...h,
            agent: undefined,
            category,
            queuedAt: h.agent ? event.at : h.queuedAt,
            replied: false,
            awaitingSince: undefined,
          },
        });
      }),
    },
  });
}
export type HandoffEndSetup = ReturnType<typeof withHandoffEnd>;
export type AgentDeskSetup = ReturnType<typeof withFollowUpDesk>;

/** The handoff's agent layers on top of its entry. */
export function withAgents(entry: HandoffEntrySetup, deps: MachineDeps): AgentDeskSetup {
  return withFollowUpDesk(withHandoffEnd(withAgentDesk(entry, deps), deps), deps);
}

/** An agent action that does not apply now: the agent is told why (one notice for several events). */
export function refuse(notice: 'no-handoff' | 'not-claimed') {
  return { actions: { type: 'notifyAgent' as const, params: { notice } } };
}

/**
 * A handoff whose customer asked for a supervisor (用户要求与上级沟通) or complained, handed back by
 * the agent (who has not settled it), or left or ended by the customer (`left`): it waits on the desk
 * as a follow-up card for a supervisor, with the usual reply time the customer is told (issue-17 trials).
 */
function waitForSupervisor(
  enqueue: Enqueue,
  deps: MachineDeps,
  context: ServiceContext,
  h: HandoffState,
  at: number,
  how: 'left' | 'handed-back' | 'settled',
): void {
  const def = deps.definitions(context.locale);
  const hours = def.thresholds.followUpHours;
  const by = promisedBy(def, at, hours);
  // The supervisor's contact, as for an escalated complaint (it said a question would be checked;
  // found by the issue-17 trial), on a card that says an agent had it.
  const vars = promiseVars(def, h.ticketId, hours, by);
  enqueue(say(how === 'left' ? 'supervisorWillContact' : 'complaintEscalate', { vars }));
  const outcome = {
    left: `customer ${h.agent ? 'ended the conversation' : 'left the queue'}; waiting for a supervisor`,
    'handed-back': 'handed back to the bot; waiting for a supervisor',
    settled: 'closed by the agent after a complaint or a supervisor request; waiting for a supervisor',
  }[how];
  enqueue(effect({ type: 'ticket.update', id: h.ticketId, changes: { outcome }, at }));
  const type = followUpTypeOf(h.reason);
  const card = {
    ...handoffFollowUpCard(context, h, by),
    ...(h.agent ? { returned: true } : {}),
    supervisor: supervisorOf(h),
  };
  // The agent the customer complained of, or asked a supervisor over, is not the one to take it up.
  const complainedOf = h.agent?.id;
  followUp(enqueue, deps, context, { ticketId: h.ticketId, type, by, at, card, complainedOf });
}

/** What a follow-up card for the supervisors says they are asked for: the agent complained of, or a supervisor asked for. */
const supervisorOf = (h: HandoffState) => (h.complainedOfAgent ? ('complained' as const) : ('asked' as const));

/**
 * What becomes of the matter when its live talk ends (`status`), after the card and the queue are
 * told: settled by the agent, left pending with its promise, waiting for a supervisor, or unresolved.
 */
function settleEndedHandoff(
  enqueue: Enqueue,
  deps: MachineDeps,
  context: ServiceContext,
  h: HandoffState,
  at: number,
  { status, endWord }: { status: DeskUpdate; endWord?: boolean },
  agent: AgentRef | undefined,
): void {
  const ticketId = h.ticketId;
  const changes = endedOutcome(status, context);
  // Asked for a supervisor, or complained of the agent: not the agent's to settle (found by the second trial).
  if (status === 'closed' && agent && !forSupervisor(h)) {
    resolveMatter(enqueue, context, { ticketId, agent, at, outcome: '' });
    return;
  }
  const pending = followUpOf(context, ticketId);
  // A matter taken up from its follow-up card stays on that card, with its agent: the live
  // talk is over, the matter is not.
  if (pending && h.adopted) return;
  if (pending) {
    // A promise to the customer stands whatever became of the live talk: the matter waits on
    // the desk again as a follow-up card (one the desk could not take was re-posted already).
    // After a supervisor was asked for or the agent complained of, the supervisors' (found by the sixteenth
    // issue-17 session's trial: "resolved by 小王" on a pending matter, its card saying only "let go of").
    const supervisor = h.agent && forSupervisor(h) ? supervisorOf(h) : undefined;
    const ended = supervisor && status === 'closed' ? 'closed by the agent unsettled' : changes.outcome;
    const outcome = { outcome: `${ended ?? ''}${supervisor ? '; waiting for a supervisor' : ''}` };
    enqueue(effect({ type: 'ticket.update', id: ticketId, changes: outcome, at, ifStatus: 'pending' }));
    if (supervisor) {
      const marked = {
        ...pending,
        complainedOf: h.agent?.id,
        ...(supervisor === 'asked' ? { supervisorAsked: true as const } : {}),
      };
      enqueue.assign({ followUps: withFollowUp(context.followUps, marked) });
    }
    const card = { ...handoffFollowUpCard(context, h, pending.promisedBy), ...(supervisor ? { supervisor } : {}) };
    if (status !== 'released')
      enqueue(effect({ type: 'desk.open', card: { ...card, ...(h.agent ? { returned: true } : {}) } }));
    return;
  }
  // Asked for a supervisor or complained, then handed back (the agent cannot settle it), or left the queue after
  // either, which the supervisors were told of (found by the issue-17 trials): it waits for them, with a time.
  // With an agent on it, a supervisor's matter (asked for, or the agent complained of) waits for them however it ended.
  const forSupervisors = h.agent ? forSupervisor(h) : h.upsetNoted || h.supervisorAsked;
  if (status === 'closed-by-customer' && forSupervisors)
    return waitForSupervisor(enqueue, deps, context, h, at, 'left');
  // The end word with an agent on it: the matter waits for a person.
  if (endWord && h.agent) return waitForAgent(enqueue, deps, context, h, at);
  if (status === 'handed-back' && (forSupervisor(h) || h.upsetNoted))
    return waitForSupervisor(enqueue, deps, context, h, at, 'handed-back');
  if (status === 'closed' && agent) return waitForSupervisor(enqueue, deps, context, h, at, 'settled');
  // Handed back with no promise to the customer standing: the person settled what they took
  // (left pending, it kept a reply time nobody was told of; found by the third issue-17 trial).
  if (status === 'handed-back' && agent) {
    resolveMatter(enqueue, context, { ticketId, agent, at, outcome: 'handed back to the bot' });
    return;
  }
  // A matter someone already settled (by phone, `npm run tickets resolve`) stays settled.
  const ifStatus = changes.status === 'unresolved' ? { ifStatus: 'pending' as const } : {};
  enqueue(effect({ type: 'ticket.update', id: ticketId, changes, at, ...ifStatus }));
  // Not rated: nobody served it.
  if (changes.status === 'unresolved')
    enqueue.assign({ sessionTickets: context.sessionTickets.filter((id) => id !== ticketId) });
}
