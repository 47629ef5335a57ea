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

/**
 * Alerts to the agents on a handed-over conversation: still unclaimed after the claim SLA, after
 * the supervisors' deadline, or a reply time promised to the customer has passed.
 */
export const DeskAlert = z.enum(['sla', 'supervisor', 'overdue']);
export type DeskAlert = z.infer<typeof DeskAlert>;

export const DeskUpdate = z.enum(['claimed', 'released', 'transferred', 'handed-back', 'closed', 'closed-by-customer']);
export type DeskUpdate = z.infer<typeof DeskUpdate>;
