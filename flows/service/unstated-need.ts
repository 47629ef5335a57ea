import { extractFacts } from '../facts.js';
import type { FlowDefinition } from '../schema.js';
import type { TicketChanges } from '../ticket.js';
import { followUpOf, withFollowUp } from './records.js';
import { followUpNeed } from './restate.js';
import type { FollowUp, ServiceContext } from './setup.js';

/**
 * Words the customer added to a pending matter (details.ts addDetail) as the ticket takes them:
 * facts, except on a matter recorded from a bare request for a person (FollowUp.needUnstated:
 * after hours, 转人工 was all it had for a need), where the first of them that tells what happened
 * (facts.ts extractFacts' `what`: not an order number or a time alone, nor 亲, 你好) is its need, on the ticket
 * and in the status line a returning customer hears. Returns the ticket's changes and the
 * conversation's follow-ups after them.
 */
export function wordsForPending(
  context: ServiceContext,
  ticketId: string,
  texts: readonly string[],
  complaints: FlowDefinition['complaints'],
): { changes: TicketChanges; followUps: FollowUp[] | undefined } {
  const entry = followUpOf(context, ticketId);
  const whats = entry?.needUnstated ? texts.map((t) => extractFacts(complaints, t, context.locale).what) : [];
  const telling = whats.findIndex((w) => w !== undefined);
  const need = whats[telling];
  const facts = texts.filter((_, i) => i !== telling);
  const added = facts.length ? { addFacts: facts } : {};
  if (!entry || need === undefined) return { changes: added, followUps: context.followUps };
  const stated: FollowUp = { ...entry, need: followUpNeed(need), needUnstated: undefined };
  return { changes: { need, ...added }, followUps: withFollowUp(context.followUps, stated) };
}
