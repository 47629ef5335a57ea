import type { FlowInput } from '../flows/contracts.js';
import { ticketOfTimer } from '../flows/ticket.js';
import type { Logger } from './log.js';
import type { InboundEvent, Store } from './ports.js';

/** What the flow's input is read with: the store (its tickets), the clock, the log. */
export interface FlowInputDeps {
  store: Pick<Store, 'tickets'>;
  clock: () => number;
  log: Logger;
}

/**
 * The flow's input for an event, at the time it is answered. A timer about a ticket (a promised
 * reply time, a reminder, a follow-up survey) or an agent's action on a ticket's card is judged
 * on the ticket as it is now: a person may have resolved it meanwhile, outside this conversation.
 */
export async function flowInput(event: InboundEvent, deps: FlowInputDeps): Promise<FlowInput> {
  const { payload } = event;
  const concerns =
    payload.type === 'timer' ? ticketOfTimer(payload.name) : payload.type === 'agent' ? payload.ticketId : undefined;
  return {
    conversationId: event.conversationId,
    channel: event.channel,
    customer: event.customer,
    // The conversation happens when the bot answers: an update delivered late (the bot was down,
    // Telegram redelivers for a day) must not start its idle close, or any deadline, in the past.
    at: Math.max(event.at, deps.clock()),
    localeHint: event.localeHint,
    payload: event.payload,
    ...(concerns !== undefined ? await ticketFor(event, concerns, deps) : {}),
  };
}

/**
 * The ticket an event concerns, as stored now. When it cannot be read (the system of record is
 * down) the turn still runs, since a failed turn would hold every later message of the conversation
 * until the database is back: an agent's action goes on without it (the flow needs it only for a
 * card that is neither the live handoff's nor a matter the conversation follows), and a ticket's
 * timer is marked `ticketUnread` so the flow sets it again for later instead of judging the matter
 * (without its ticket it would read as gone).
 */
async function ticketFor(
  event: InboundEvent,
  ticketId: string,
  deps: FlowInputDeps,
): Promise<Pick<FlowInput, 'ticket' | 'ticketUnread'>> {
  try {
    return { ticket: await deps.store.tickets.get(ticketId) };
  } catch (err) {
    const agent = event.payload.type === 'agent';
    deps.log.warn(
      agent
        ? "the ticket could not be read; the agent's action goes on without it"
        : 'the ticket could not be read; its timer is tried again later',
      { conversationId: event.conversationId, ticketId, error: String(err) },
    );
    return agent ? {} : { ticketUnread: true };
  }
}
