import { z } from 'zod';
import { Customer } from './ticket.js';

/**
 * What the flow tells the agent desk (Slack, the playground). Plain data: adapters render it.
 */
export const AgentRef = z.object({ id: z.string(), name: z.string().optional() });
export type AgentRef = z.infer<typeof AgentRef>;

export const HandoffReason = z.enum(['asked', 'failures', 'complaint']);
export type HandoffReason = z.infer<typeof HandoffReason>;

/** The handoff card: everything an agent needs so the customer does not repeat anything. */
export const HandoffCard = z.object({
  reason: HandoffReason,
  priority: z.enum(['normal', 'high']),
  category: z.string().optional(),
  afterHours: z.boolean(),
  locale: z.string(),
  channel: z.string(),
  customer: Customer,
  ticketId: z.string(),
  need: z.string(),
  facts: z.array(z.string()),
  tickets: z.array(z.string()),
});
export type HandoffCard = z.infer<typeof HandoffCard>;

export const GuardMatchSchema = z.object({ phrase: z.string(), reason: z.string(), suggestion: z.string() });

/** Messages for one agent only; the desk words them for its platform. */
export const AgentNotice = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('already-claimed'), by: AgentRef }),
  z.object({ kind: z.literal('not-claimed') }),
  z.object({ kind: z.literal('no-handoff') }),
  z.object({ kind: z.literal('not-yours'), by: AgentRef }),
  z.object({ kind: z.literal('guard-blocked'), matches: z.array(GuardMatchSchema), text: z.string() }),
]);
export type AgentNotice = z.infer<typeof AgentNotice>;

export const DeskUpdate = z.enum(['claimed', 'released', 'transferred', 'handed-back', 'closed', 'closed-by-customer']);
export type DeskUpdate = z.infer<typeof DeskUpdate>;

/** How a notice reads to an agent, on any desk. */
export function describeNotice(notice: AgentNotice): string {
  switch (notice.kind) {
    case 'already-claimed':
      return 'you already have this conversation';
    case 'not-yours':
      return `${notice.by.name ?? notice.by.id} has this conversation; your message stays internal`;
    case 'not-claimed':
      return 'claim the conversation first';
    case 'no-handoff':
      return 'this conversation is with the bot now; claim it to take it over';
    case 'guard-blocked':
      return `not sent: ${notice.matches.map((m) => `"${m.phrase}" (${m.reason}); say instead: ${m.suggestion}`).join(' | ')} — to send it anyway, use override`;
  }
}
