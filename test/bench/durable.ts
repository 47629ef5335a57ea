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

/**
 * Ours with its conversation step looked up instead of computed (issue 17): what ours costs with a
 * free conversation. Every step `base` makes is kept by conversation and position in it; a later
 * pass over the same conversations from fresh stores gets the same results back without
 * understanding, XState or texts, so its replies, tickets, timers, transcript and record writes are
 * ours' own, and its cost above the durable floor is the durable work the conversation asks for
 * (more replies a message, tickets and their lifecycle, timers), not the work of deciding it.
 * A conversation's position restarts when its record is new. Timestamps inside (a timer's due
 * time, a ticket's creation) are the recording pass's.
 */
export function replayedFlow(base: ConversationFlow): ConversationFlow & { recorded(): number } {
  const steps = new Map<string, StepResult>();
  const position = new Map<string, number>();
  return {
    bundle: base.bundle,
    machine: base.machine,
    recorded: () => steps.size,
    step(record: ConversationRecord | undefined, input: FlowInput): StepResult {
      const n = record ? (position.get(input.conversationId) ?? 0) + 1 : 0;
      position.set(input.conversationId, n);
      const key = `${input.conversationId}#${n}`;
      const kept = steps.get(key);
      if (kept) return kept;
      const made = base.step(record, input);
      steps.set(key, made);
      return made;
    },
  };
}
