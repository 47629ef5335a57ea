import type { ConversationRecord, FlowInput, StepResult } from '../flows/contracts.js';
import type { ConversationFlow } from '../flows/step.js';
import type { Logger } from './log.js';

/** Things that went wrong without stopping anyone, counted since start (for the operator). */
export interface EngineCounters {
  /** Stored snapshots that could not be restored: those conversations started over. */
  snapshotResets: number;
  /** Steps that threw: the event was consumed without effects. */
  flowErrors: number;
}

/**
 * The pure step, with what it reports logged and counted: a reset conversation, escalations, a step
 * that threw (consumed without effects, the state kept).
 */
export function stepLogged(
  flow: ConversationFlow,
  record: ConversationRecord | undefined,
  input: FlowInput,
  eventId: string,
  parent: Logger,
  counters: EngineCounters,
): Omit<StepResult, 'record'> & { record: ConversationRecord | undefined } {
  const log = parent.child({ conversationId: input.conversationId });
  const where = { conversationId: input.conversationId, eventId };
  try {
    const result = flow.step(record, input);
    if (result.reset) {
      counters.snapshotResets++;
      log.error('stored conversation state could not be restored; the conversation starts over', {
        ...where,
        reason: result.reset,
      });
    }
    if (result.ignored) log.debug('event ignored', { ...where, reason: result.ignored });
    // Human handoff acts on these through the ticket (priority, escalation); the log shows them too.
    for (const e of result.escalations) log.warn('escalation', { ...where, ...e });
    return result;
  } catch (err) {
    // A bug in a flow must not wedge the conversation: the event is consumed without effects and
    // the state is left as it was, so the next message is answered from where it stood.
    counters.flowErrors++;
    log.error('flow step failed', {
      ...where,
      error: String(err),
      kept: 'the event is consumed without effects; the state stays as it was',
    });
    return {
      record: undefined,
      effects: [],
      state: 'error',
      locale: '',
      escalations: [],
      channel: input.channel,
      customerId: input.customer?.id ?? '',
    };
  }
}
