import { nextClosingTime } from '../hours.js';
import { effect, SECOND_MS, type Enqueue, type MachineDeps, type ServiceContext } from './setup.js';

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
  armDeskClosed(enqueue, deps, context, at);
}

/** The desk's next closing after `at` (none when it is open round the clock). */
export function armDeskClosed(enqueue: Enqueue, deps: MachineDeps, context: ServiceContext, at: number): void {
  const closes = nextClosingTime(deps.definitions(context.locale), at + 1);
  if (closes !== undefined) enqueue(effect({ type: 'timer.set', name: 'deskClosed', dueAt: closes }));
}

export function clearSla(enqueue: Enqueue): void {
  for (const name of ['claimSla', 'supervisorSla', 'deskClosed']) enqueue(effect({ type: 'timer.cancel', name }));
}
