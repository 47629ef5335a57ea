import type { TicketChanges } from '../ticket.js';
import { followUpOf, withFollowUp } from './records.js';
import { followUpNeed } from './restate.js';
import type { FollowUp, ServiceContext } from './setup.js';

/**
 * Words the customer added to a pending matter (details.ts addDetail) as the ticket takes them:
 * facts, except on a matter recorded from a bare request for a person (FollowUp.needUnstated:
 * after hours, 转人工 was all it had for a need), where the first of them is its need, on the
 * ticket and in the status line a returning customer hears. Returns the ticket's changes and the
 * conversation's follow-ups after them.
 */
export function wordsForPending(
  context: ServiceContext,
  ticketId: string,
  texts: readonly string[],
): { changes: TicketChanges; followUps: FollowUp[] | undefined } {
  const entry = followUpOf(context, ticketId);
  const [need, ...facts] = texts;
  if (!entry?.needUnstated || !need)
    return { changes: texts.length ? { addFacts: [...texts] } : {}, followUps: context.followUps };
  const stated: FollowUp = { ...entry, need: followUpNeed(need), needUnstated: undefined };
  return {
    changes: { need, ...(facts.length ? { addFacts: facts } : {}) },
    followUps: withFollowUp(context.followUps, stated),
  };
}
