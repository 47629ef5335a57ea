import type { ConversationRecord, Effect, FlowInput } from './contracts.js';

/**
 * The buttons a customer may press (ConversationRecord.offered). A press is answered only on a
 * button the conversation offers now: a double tap's second press, a button of an older message,
 * or one never sent to this conversation (forged) has nothing to answer. Found by the fifteenth
 * issue-17 session's trial: a second 是的 answered "anything else?" with 好的，请您说。, a second
 * 1 分 apologised twice, 是的 on a new chat filed a ticket. During a handoff every press reaches
 * the agent, as everything the customer sends does (README: What the customer does during a handoff).
 */

/** Inputs the customer sends (not an edit, which gets no reply). */
export const FROM_CUSTOMER: ReadonlySet<FlowInput['payload']['type']> = new Set(['text', 'choice', 'media', 'command']);

/**
 * Whether `input` is a press of a button not offered now (see above), with people or not.
 * A record from before offers were kept (`offered` absent) takes any of the definition's buttons.
 */
export function notOffered(record: ConversationRecord | undefined, input: FlowInput, withPeople: boolean): boolean {
  if (input.payload.type !== 'choice' || withPeople) return false;
  if (!record) return true;
  return record.offered !== undefined && !record.offered.includes(input.payload.choice);
}

/**
 * The buttons the customer may press after a turn: the last reply's when it has some; none after
 * a reply without any to the customer's own input (a score's thanks); as before when the turn
 * sent no reply or replied on its own (a timer's line, an agent's greeting: the buttons above it
 * still stand, such as a survey's scores after the idle close).
 */
export function offeredAfter(
  offered: string[] | undefined,
  effects: readonly Effect[],
  input: FlowInput,
): string[] | undefined {
  const last = effects.findLast((e) => e.type === 'reply');
  if (last?.type !== 'reply') return offered;
  return last.choices ? last.choices.map((c) => c.id) : FROM_CUSTOMER.has(input.payload.type) ? [] : offered;
}
