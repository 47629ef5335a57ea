import type { DeskUpdate } from '../contracts.js';
import type { TicketChanges } from '../ticket.js';
import { promiseVars } from '../hours.js';
import { followUp, followUpTypeOf, handoffFollowUpCard, promisedBy } from './records.js';
import { effect, say, type Enqueue, type MachineDeps, type ServiceContext } from './setup.js';
import type { HandoffState } from './states.js';

/**
 * The customer ended the talk with the end word (结束) while an agent had the matter and nobody had
 * settled it: it is that agent's (or a colleague's) to finish, on a follow-up card saying a person
 * had it, with the usual reply time the customer is told (`followUp`: 您的这个问题我需要进一步核实后
 * 才能回复您…). Found by the fifteenth issue-17 session's verification trial: it stayed pending for
 * ever with no promise and nobody chasing it, and the customer was asked to rate it; the survey now
 * comes after its resolution (the 回访).
 */
export function waitForAgent(
  enqueue: Enqueue,
  deps: MachineDeps,
  context: ServiceContext,
  h: HandoffState,
  at: number,
): void {
  const agent = h.agent;
  if (!agent) return;
  const def = deps.definitions(context.locale);
  const hours = def.thresholds.followUpHours;
  const by = promisedBy(def, at, hours);
  enqueue(say('followUp', { vars: promiseVars(def, h.ticketId, hours, by) }));
  const outcome = `customer ended the conversation with ${agent.name ?? agent.id}; waiting for a person to settle it`;
  enqueue(effect({ type: 'ticket.update', id: h.ticketId, changes: { outcome }, at, ifStatus: 'pending' }));
  const card = { ...handoffFollowUpCard(context, h, by), returned: true };
  followUp(enqueue, deps, context, { ticketId: h.ticketId, type: followUpTypeOf(h.reason), by, at, card });
}

/**
 * The outcome written on the ticket when a handoff ends this way. A customer who started over or
 * left has the matter `unresolved`, as a need left before an answer is (records.ts).
 */
export function endedOutcome(status: DeskUpdate, context: ServiceContext): TicketChanges {
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
  // Ended before anyone joined, with no promise standing: nobody answered it (found by the issue-17
  // trial: left pending for ever, and the customer asked to rate a service that never happened).
  if (!agent) return { status: 'unresolved', outcome: 'customer ended the conversation before an agent joined' };
  // Took the request for a person back once one had it (算了不用转人工了; the end word waits for a person
  // instead: handoff-ended.ts): withdrawn before anyone settled it (found by the fifteenth issue-17
  // session: left pending for ever with no promise and nobody chasing it).
  return { status: 'unresolved', outcome: `customer declined the person${when}` };
}
