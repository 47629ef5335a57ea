import { saysAnyOf } from '../facts.js';
import type { FlowDefinition } from '../schema.js';
import type { TicketEvent } from '../ticket.js';
import { effect, say, understood, textOf, type Enqueue, type ServiceContext, type ServiceEvent } from './setup.js';

/** How the desk and the supervisors hear of a complaint or a supervisor request during a handoff. */

export type HandoffEscalation = 'supervisor' | 'upset-waiting' | 'complained-live';

/** A complaint of the agent serving them: an agent kind (你这个客服什么态度), or said to them (我要投诉你). */
function ofAgent({ complaints }: FlowDefinition, event: ServiceEvent): boolean {
  if (understood(event)?.complaint.kind?.startsWith('agent-')) return true;
  const text = textOf(event);
  return saysAnyOf(complaints.ofAgent, text) && !saysAnyOf(complaints.notOfAgent, text);
}

/**
 * 用户要求与上级沟通 during the handoff (`supervisor`), a complaint while still queued
 * (`upset-waiting`: 等了这么久没人理，我要投诉), or once an agent has it (`complained-live`: 我要投诉你,
 * found by the second trial: the agent complained of could hand back and close it unseen): the
 * matter becomes high priority with its escalation on record, and the supervisors are alerted on
 * the card (found by the issue-17 trials: only relayed). While nobody has taken the conversation the
 * customer hears it (002 三.2 道歉, 三.3; 三.5: 避免用户…产生被忽视的感觉); once an agent has it, the
 * agent answers, but a complaint is told it reached a supervisor.
 */
export function escalateHandoff(
  enqueue: Enqueue,
  context: ServiceContext,
  event: ServiceEvent,
  asked: HandoffEscalation,
  def: FlowDefinition,
): void {
  const h = context.handoff;
  if (!h) return;
  const id = h.ticketId;
  const at = event.at;
  // A supervisor asked for with a complaint of the agent serving them (叫你们主管来！你这个客服什么态度): the
  // complaint, told to the customer and the supervisors (found by the issue-17 trial: silence, "asked").
  const complained = h.agent !== undefined && ofAgent(def, event);
  const reason = asked === 'supervisor' && complained ? 'complained-live' : asked;
  enqueue(effect({ type: 'desk.ping', level: reason === 'supervisor' ? 'asked-supervisor' : reason, ticketId: id }));
  const events: TicketEvent[] = [{ type: 'escalated', at, detail: reason }];
  enqueue(effect({ type: 'ticket.update', id, changes: { priority: 'high', escalation: { reason, at }, events }, at }));
  enqueue(effect({ type: 'escalate', escalation: { ticketId: id, reason, priority: 'high' } }));
  if (reason === 'complained-live') enqueue(say('handoffComplaintNoted'));
  else if (!h.agent) enqueue(say(reason === 'supervisor' ? 'handoffSupervisorNoted' : 'handoffUpsetNoted'));
  // Of the agent serving them (你这个客服什么态度, 我要投诉你), with a supervisor asked for or not: not
  // that agent's to settle. Of the goods: the agent's.
  const of = complained ? { complainedOfAgent: true } : {};
  const noted = {
    ...(asked === 'supervisor' ? { supervisorAsked: true } : {}),
    ...(reason === 'supervisor' ? {} : { upsetNoted: true }),
    ...of,
  };
  enqueue.assign({ handoff: { ...h, priority: 'high', ...noted } });
}
