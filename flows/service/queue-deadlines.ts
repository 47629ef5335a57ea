import { nextClosingTime, promiseVars } from '../hours.js';
import type { FlowDefinition } from '../schema.js';
import { followUp, followUpOf, followUpTypeOf, promisedBy } from './records.js';
import { nothingTold, type HandoffState } from './states.js';
import { effect, say, SECOND_MS, type Enqueue, type MachineDeps, type ServiceContext } from './setup.js';

/**
 * The deadlines of a waiting handoff, set while it is queued and cleared once it is claimed or
 * ends: the claim SLA (the customer is told they are still waiting, the desk pinged), the
 * supervisor SLA, and the desk's closing time, when a customer still queued is told when agents
 * are back and the matter waits for them on a follow-up card (nobody waits in a queue overnight).
 */
export function armSla(enqueue: Enqueue, deps: MachineDeps, context: ServiceContext, at: number): void {
  const def = deps.definitions(context.locale);
  const { claimSlaSeconds, supervisorSlaSeconds } = def.handoff;
  enqueue(effect({ type: 'timer.set', name: 'claimSla', dueAt: at + claimSlaSeconds * SECOND_MS }));
  enqueue(effect({ type: 'timer.set', name: 'supervisorSla', dueAt: at + supervisorSlaSeconds * SECOND_MS }));
  const promiseAt = at + def.handoff.queuePromiseSeconds * SECOND_MS;
  enqueue(effect({ type: 'timer.set', name: 'queuePromise', dueAt: promiseAt }));
  armDeskClosed(enqueue, deps, context, at);
}

/** The desk's next closing after `at` (none when it is open round the clock). */
export function armDeskClosed(enqueue: Enqueue, deps: MachineDeps, context: ServiceContext, at: number): void {
  const closes = nextClosingTime(deps.definitions(context.locale), at + 1);
  if (closes !== undefined) enqueue(effect({ type: 'timer.set', name: 'deskClosed', dueAt: closes }));
}

/** Every deadline of a handoff, for its end (a deadline the conversation does not wait for is left alone). */
export function clearSla(enqueue: Enqueue): void {
  for (const name of [...QUEUE_TIMERS, 'deskClosed', ...REPLY_TIMERS]) enqueue(effect({ type: 'timer.cancel', name }));
}

const QUEUE_TIMERS = ['claimSla', 'supervisorSla', 'queuePromise'];
const REPLY_TIMERS = ['replySla', 'replySupervisorSla'];

/** The claim: the queue's deadlines end; the desk's closing stays (an unanswered customer is not left overnight). */
export function clearQueueSla(enqueue: Enqueue): void {
  for (const name of QUEUE_TIMERS) enqueue(effect({ type: 'timer.cancel', name }));
}

/**
 * The agent owes the customer a reply from `at` (HandoffState.awaitingSince): reminded after
 * `replySlaSeconds`, the supervisors alerted after `replySupervisorSeconds`, unless the agent
 * replies first (clearReplySla). Found by the fifteenth issue-17 session's trial: an agent who
 * claimed and said nothing left the customer 19 hours without a word, and nobody was told.
 */
export function armReplySla(enqueue: Enqueue, deps: MachineDeps, context: ServiceContext, at: number): void {
  const { replySlaSeconds, replySupervisorSeconds } = deps.definitions(context.locale).handoff;
  enqueue(effect({ type: 'timer.set', name: 'replySla', dueAt: at + replySlaSeconds * SECOND_MS }));
  enqueue(effect({ type: 'timer.set', name: 'replySupervisorSla', dueAt: at + replySupervisorSeconds * SECOND_MS }));
}

export function clearReplySla(enqueue: Enqueue): void {
  for (const name of REPLY_TIMERS) enqueue(effect({ type: 'timer.cancel', name }));
}

/**
 * The agent who has the conversation has owed the customer a reply for `replySlaSeconds` or more
 * at `at` (a matter taken up from its follow-up card keeps that card's promise instead).
 */
export function owesReplyLate(def: FlowDefinition, h: HandoffState | undefined, at: number): boolean {
  return (
    h?.awaitingSince !== undefined && !h.adopted && at - h.awaitingSince >= def.handoff.replySlaSeconds * SECOND_MS
  );
}

/**
 * Still queued after `handoff.queuePromiseSeconds` (found by the fifteenth issue-17 session's
 * trial: told "about 1 minute", then hours of silence): the matter gets a promised reply time as
 * any recorded matter does (followUp: reminder, deadline, escalation), told to the customer, who
 * may go on waiting. The live card stays the matter's card; if the talk ends unsettled, the
 * promise makes it a follow-up card. A matter with a promise already (an escalated complaint) keeps it.
 */
export function promiseWhileQueued(enqueue: Enqueue, deps: MachineDeps, context: ServiceContext, at: number): void {
  const h = context.handoff;
  if (!h?.ticketId || h.agent || followUpOf(context, h.ticketId)) return;
  const def = deps.definitions(context.locale);
  const hours = def.thresholds.followUpHours;
  const by = promisedBy(def, at, hours);
  const vars = promiseVars(def, h.ticketId, hours, by);
  enqueue(say('handoffQueuePromise', { vars }));
  const matter = { ticketId: h.ticketId, type: followUpTypeOf(h.reason), by, at, need: h.need };
  followUp(enqueue, deps, context, { ...matter, ...(nothingTold(h) ? { bare: true } : {}) });
}
