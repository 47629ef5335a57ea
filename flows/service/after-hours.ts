import type { HandoffCard } from '../contracts.js';
import type { FlowDefinition } from '../schema.js';
import { describeHours, formatLocalTime, nextBusinessTime } from '../hours.js';
import type { TicketEvent } from '../ticket.js';
import { clearSla } from './queue-deadlines.js';
import { followUp, followUpOf, followUpTypeOf, handoffFollowUpCard, promisedBy } from './records.js';
import { effect, say, type Enqueue, type MachineDeps, type ServiceContext, type ServiceEvent } from './setup.js';
import { nothingTold } from './states.js';

/**
 * A handoff nobody can take until agents are back (after hours, or the desk closed with the
 * customer still queued): the customer is told the hours and the promise, and the matter waits
 * on the desk for the morning.
 */

/** The handoff is over and its matter went with it: the context a next matter starts from. */
export function handoffOver(): Partial<ServiceContext> {
  return { handoff: undefined, facts: [], failures: 0, files: [], filesOnTickets: [] };
}

/**
 * What the after-hours lines say: the hours, when agents are back (`back`, from nextBusinessTime),
 * the ticket and the promised time.
 */
export function afterHoursVars(def: FlowDefinition, back: number | undefined, ticket: string, by: number) {
  return {
    hours: describeHours(def),
    back: back === undefined ? '' : formatLocalTime(def, back),
    ticket,
    promise: String(def.thresholds.followUpHours),
    by: formatLocalTime(def, by),
  };
}

/**
 * A handoff nobody can take until agents are back: the customer is told the hours and the promise,
 * counted from when they are back (an escalated complaint's promise stands: one promise per
 * matter), and the matter waits on the desk as a follow-up card (`card`, for the promised time).
 */
export function waitForMorning(
  deps: MachineDeps,
  enqueue: Enqueue,
  context: ServiceContext,
  event: ServiceEvent,
  ticketId: string,
  card: (by: number) => HandoffCard,
  /** When agents are back (nextBusinessTime of now). */
  back: number | undefined,
): void {
  const h = context.handoff;
  if (!h) return;
  const def = deps.definitions(context.locale);
  const promised = followUpOf(context, ticketId);
  const by = promised?.promisedBy ?? promisedBy(def, back ?? event.at, def.thresholds.followUpHours);
  const vars = afterHoursVars(def, back, ticketId, by);
  // Nothing said of the matter yet (转人工 alone): asked what it is (handoffAfterHoursDescribe).
  const bare = nothingTold(h);
  // The answer just given did not help (没用): sorry first, as in the queue (found by the issue-17 trial).
  const line = promised
    ? 'handoffAfterHoursPromised'
    : bare
      ? 'handoffAfterHoursDescribe'
      : h.reason === 'not-helped'
        ? 'handoffAfterHoursNotHelped'
        : 'handoffAfterHours';
  enqueue(say(line, { vars }));
  const type = followUpTypeOf(h.reason);
  const events: TicketEvent[] = [{ type: 'handed-off', at: event.at, detail: `${h.reason}, after hours` }];
  enqueue(effect({ type: 'ticket.update', id: ticketId, changes: { events }, at: event.at }));
  if (promised) enqueue(effect({ type: 'desk.open', card: card(by) }));
  else followUp(enqueue, deps, context, { ticketId, type, by, at: event.at, card: card(by), bare });
  enqueue.assign(handoffOver());
}

/**
 * The desk closed with the customer still queued, or owed a reply by the agent who has them
 * (queue-deadlines.ts owesReplyLate): nobody waits overnight. The live card ends, and the matter
 * waits for the morning like one handed over after hours.
 */
export function closeForTheNight(deps: MachineDeps, enqueue: Enqueue, context: ServiceContext, event: ServiceEvent) {
  const h = context.handoff;
  if (!h) return;
  if (!h.agent) enqueue(effect({ type: 'queue.leave', at: event.at, claimed: false }));
  clearSla(enqueue);
  enqueue(effect({ type: 'desk.update', status: 'desk-closed', ticketId: h.ticketId }));
  const outcome = h.agent
    ? 'working hours ended with the customer unanswered by the agent: waiting for agents'
    : 'working hours ended before an agent joined: waiting for agents';
  enqueue(effect({ type: 'ticket.update', id: h.ticketId, changes: { outcome }, at: event.at, ifStatus: 'pending' }));
  // A claimed one says a person had it (客服接待后交回，仍待处理), not that it came after hours.
  const card = (by: number) => ({
    ...handoffFollowUpCard(context, h, by),
    afterHours: true,
    ...(h.agent ? { returned: true } : {}),
  });
  const back = nextBusinessTime(deps.definitions(context.locale), event.at);
  waitForMorning(deps, enqueue, context, event, h.ticketId, card, back);
}
