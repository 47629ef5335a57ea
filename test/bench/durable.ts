/**
 * The durable floor (issue 17, requirement 1): the engine's own work for one message with a flow
 * that does nothing, so what ours costs above it is what the conversation itself costs (the
 * understanding, XState, the texts, tickets and timers). Everything durable stays on the path:
 * the Telegram adapter, dedup, the lock, the commit of state, transcript and outbox in Redis, the
 * outbox's delivery and acknowledgement, and the record's archive when there is one.
 */
import type { ConversationRecord, FlowInput, StepResult } from '../../flows/contracts.js';
import type { ConversationFlow } from '../../flows/step.js';

/** The one reply the trivial flow sends to every message. */
export const FLOOR_REPLY = '收到，谢谢。';

/**
 * A ConversationFlow whose step returns one fixed reply and a tiny record (a counter): no
 * understanding, no state machine. `base` lends its compiled bundle and machine only because the
 * interface carries them (the engine reads the bundle's button labels); the step never uses them.
 * The customer's first message opens a session, so the record gets a conversation row, as ours does.
 */
export function trivialFlow(base: ConversationFlow): ConversationFlow {
  const locale = base.bundle.defaultLocale;
  return {
    bundle: base.bundle,
    machine: base.machine,
    step(record: ConversationRecord | undefined, input: FlowInput): StepResult {
      const turn = (record?.turn ?? 0) + 1;
      return {
        record: { snapshot: { n: turn }, timers: {}, turn },
        effects: [{ type: 'reply', text: FLOOR_REPLY }],
        state: 'answering',
        locale,
        escalations: [],
        channel: input.channel,
        customerId: input.customer?.id ?? '',
        ...(record ? {} : { opensSession: true as const }),
      };
    },
  };
}
