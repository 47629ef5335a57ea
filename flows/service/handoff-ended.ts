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
