import { z } from 'zod';
import { FileRef } from './files.js';
import { localParts } from './hours.js';

/**
 * A recorded matter (问题记录): what the customer needed, what was confirmed, who they are, what
 * happened. Every confirmed need and every suggestion becomes one; they outlive the conversation.
 */
export const TicketStatus = z.enum([
  /** Answered by the bot from the knowledge base. */
  'answered',
  /** Needs a person to follow up by `promisedBy`. */
  'pending',
  /** The customer left before the matter was answered. */
  'unresolved',
  /** A suggestion, recorded to be passed on. */
  'recorded',
  /** Resolved by a person. */
  'resolved',
]);
export type TicketStatus = z.infer<typeof TicketStatus>;

export const Customer = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  languageCode: z.string().optional(),
});
export type Customer = z.infer<typeof Customer>;

export const Ticket = z.object({
  id: z.string().min(1),
  type: z.enum(['inquiry', 'suggestion', 'complaint']),
  status: TicketStatus,
  conversationId: z.string().min(1),
  channel: z.string().min(1),
  customer: Customer,
  locale: z.string(),
  /** The need as the customer confirmed it, in their words. */
  need: z.string(),
  /** Facts gathered on the way: every description the customer gave of this matter. */
  facts: z.array(z.string()),
  /** Photos and files the customer sent about this matter (references; the bytes stay on the customer's platform). */
  files: z.array(FileRef).optional(),
  /** Knowledge-base entry the answer came from. */
  faqId: z.string().optional(),
  outcome: z.string(),
  /** Deadline of the reply time promised to the customer (epoch ms). */
  promisedBy: z.number().optional(),
  /** Complaints: the category from the definition, its priority, and why it was escalated. */
  category: z.string().optional(),
  priority: z.enum(['normal', 'high']).optional(),
  escalation: z
    .object({ reason: z.enum(['supervisor', 'still-angry', 'always-human', 'promise-overdue']), at: z.number() })
    .optional(),
  /** Set when the promised reply time passed with the ticket still pending. */
  overdueAt: z.number().optional(),
  /** 1–5 from the closing survey. */
  satisfaction: z.number().int().min(1).max(5).optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Ticket = z.infer<typeof Ticket>;

export const TicketChanges = Ticket.pick({
  status: true,
  outcome: true,
  satisfaction: true,
  promisedBy: true,
  overdueAt: true,
  escalation: true,
  priority: true,
}).partial();
export type TicketChanges = z.infer<typeof TicketChanges>;

/**
 * A short, stable reference a customer can quote ("T261122-4KQ9ZC1A7X"): the date in the
 * definition's time zone and a hash of the conversation and the matter's number in it.
 * Deterministic, so a retried turn produces the same ticket instead of a second one.
 */
export function ticketId(conversationId: string, seq: number, at: number, timeZone: string): string {
  const { date } = localParts(timeZone, at);
  const [year = '0000', month = '00', day = '00'] = date.split('-');
  const key = `${conversationId}#${seq}`;
  const half = (seed: number) => fnv1a(key, seed).toString(36).padStart(7, '0').slice(-5);
  const hash = `${half(0x811c9dc5)}${half(0x050c5d1f)}`.toUpperCase();
  return `T${year.slice(2)}${month}${day}-${hash}`;
}

function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const PROMISE_TIMER = 'promise:';

/** The timer that watches a promised reply time. */
export function promiseTimer(ticketId: string): string {
  return `${PROMISE_TIMER}${ticketId}`;
}

/** The ticket a timer concerns, if it is one that does. */
export function ticketOfTimer(name: string): string | undefined {
  return name.startsWith(PROMISE_TIMER) ? name.slice(PROMISE_TIMER.length) : undefined;
}
