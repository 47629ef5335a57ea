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

/** Someone at the desk (a Slack user, the playground's agent, staff at the CLI): `id` as the desk knows them. */
export const AgentRef = z.object({ id: z.string(), name: z.string().optional() });
export type AgentRef = z.infer<typeof AgentRef>;

export const Customer = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  languageCode: z.string().optional(),
});
export type Customer = z.infer<typeof Customer>;

/**
 * One step of a ticket's life, as data (issue 13; the service-quality report is computed from
 * these): times are epoch ms (UTC). `created` is written with the ticket; the rest are appended by
 * `ticket.update` effects. A store appends an event once: the same type, time and actor again (a
 * retried delivery) changes nothing.
 *
 * - `handed-off`: the matter went to people (a card was posted); `queued`: it joined the queue.
 * - `claimed` / `released`: an agent took it / let it go (`by`).
 * - `agent-replied`: the first reply a person sent the customer on this matter.
 * - `promised`: a reply time was promised (`promisedBy`); `reminded`: the desk was reminded
 *   before it; `promise-kept` / `promise-broken`: replied to or resolved before it / still pending at it.
 * - `escalated`: raised to supervisors (`detail`: why, e.g. `working-days`, `promise-overdue`).
 * - `resolved`: settled by a person (`by`, `detail`: the outcome told to the customer or the note).
 * - `survey-sent` / `survey-answered` (`score`) / `commented` (`detail`).
 */
export const TicketEventType = z.enum([
  'created',
  'handed-off',
  'queued',
  'claimed',
  'released',
  'agent-replied',
  'promised',
  'reminded',
  'promise-kept',
  'promise-broken',
  'escalated',
  'resolved',
  'survey-sent',
  'survey-answered',
  'commented',
]);
export type TicketEventType = z.infer<typeof TicketEventType>;

export const TicketEvent = z.object({
  type: TicketEventType,
  at: z.number(),
  by: AgentRef.optional(),
  detail: z.string().optional(),
  promisedBy: z.number().optional(),
  score: z.number().int().min(1).max(5).optional(),
});
export type TicketEvent = z.infer<typeof TicketEvent>;

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
    .object({
      reason: z.enum([
        'supervisor',
        'asked',
        'still-angry',
        'always-human',
        'promise-overdue',
        'working-days',
        'upset-waiting',
        'complained-live',
      ]),
      at: z.number(),
    })
    .optional(),
  /** Set when the promised reply time passed with the ticket still pending. */
  overdueAt: z.number().optional(),
  /** 1–5 from the closing survey. */
  satisfaction: z.number().int().min(1).max(5).optional(),
  /** What the customer added after their score (seed 001 四.(三) 评分和评论). */
  comment: z.string().optional(),
  /** The agent who holds the matter now, and who resolved it. */
  claimedBy: AgentRef.optional(),
  resolvedBy: AgentRef.optional(),
  /** The flow version that served it (the definitions' content hash). */
  flowVersion: z.string().optional(),
  /** Its lifecycle, oldest first (absent on tickets stored before issue 13). */
  events: z.array(TicketEvent).optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Ticket = z.infer<typeof Ticket>;

export const TicketChanges = Ticket.pick({
  need: true,
  status: true,
  outcome: true,
  satisfaction: true,
  comment: true,
  claimedBy: true,
  resolvedBy: true,
  promisedBy: true,
  overdueAt: true,
  escalation: true,
  priority: true,
})
  .partial()
  .extend({
    /** Lifecycle steps to append (each once: see TicketEvent). */
    events: z.array(TicketEvent).optional(),
    /**
     * What the customer added to the matter later (an order number for a pending matter, a photo
     * sent while queued): appended to `facts` / `files`, each once (see `appendNew`), so a retried
     * delivery adds nothing.
     */
    addFacts: z.array(z.string()).optional(),
    addFiles: z.array(FileRef).optional(),
  });
export type TicketChanges = z.infer<typeof TicketChanges>;

/** A ticket holds at most this many facts and files: what is added past them is left out (the transcript keeps it). */
export const MAX_TICKET_FACTS = 20;
export const MAX_TICKET_FILES = 10;

/**
 * `existing` with each of `added` whose key is not in it yet (nor earlier in `added`) appended,
 * in order, while the list is shorter than `max`. The record's SQL does the same
 * (ticket_additions, migration 0007), so every store keeps the same list.
 */
export function appendNew<T>(existing: readonly T[], added: readonly T[], key: (item: T) => string, max: number): T[] {
  const seen = new Set(existing.map(key));
  const out = [...existing];
  for (const item of added) {
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    if (out.length >= max) break;
    out.push(item);
  }
  return out;
}

/** A ticket's facts and files after the additions of `changes` (unchanged when it adds none). */
export function withAdditions(current: Ticket, changes: Pick<TicketChanges, 'addFacts' | 'addFiles'>): Ticket {
  const { addFacts, addFiles } = changes;
  let next = current;
  if (addFacts?.length) next = { ...next, facts: appendNew(next.facts, addFacts, (f) => f, MAX_TICKET_FACTS) };
  if (addFiles?.length) {
    const files = appendNew(next.files ?? [], addFiles, (f) => `${f.source}:${f.id}`, MAX_TICKET_FILES);
    next = { ...next, files };
  }
  return next;
}

/**
 * A short, stable reference a customer can quote ("T261122-4KQ9ZC1A7X"): the date in the
 * definition's time zone and a hash of the conversation, the matter's number in it and when the
 * conversation's state began (`since`, epoch ms). Deterministic, so a retried turn produces the
 * same ticket instead of a second one; `since` keeps a conversation that starts over (its state
 * lost or forgotten) from numbering a matter like an earlier one of the same day.
 */
export function ticketId(conversationId: string, seq: number, at: number, timeZone: string, since?: number): string {
  const { date } = localParts(timeZone, at);
  const [year = '0000', month = '00', day = '00'] = date.split('-');
  const key = since === undefined ? `${conversationId}#${seq}` : `${conversationId}#${seq}@${since}`;
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

/**
 * The timers a pending matter runs, named `<kind>:<ticket id>`: `promise` at the promised reply
 * time, `remind` shortly before it, `escalate` after the working days a complex matter may stay
 * unresolved (001 五.(二)), `survey` for the follow-up survey (回访) of a matter resolved outside
 * the chat.
 */
export const TICKET_TIMERS = ['promise', 'remind', 'escalate', 'survey'] as const;
export type TicketTimer = (typeof TICKET_TIMERS)[number];

/** The timer of that kind for a ticket. */
export function ticketTimer(kind: TicketTimer, ticketId: string): string {
  return `${kind}:${ticketId}`;
}

/** The timer that watches a promised reply time. */
export function promiseTimer(ticketId: string): string {
  return ticketTimer('promise', ticketId);
}

/** The kind and ticket of a timer that concerns a ticket, if it is one that does. */
export function parseTicketTimer(name: string): { kind: TicketTimer; ticketId: string } | undefined {
  const colon = name.indexOf(':');
  const kind = TICKET_TIMERS.find((k) => k === name.slice(0, colon));
  return kind && colon > 0 ? { kind, ticketId: name.slice(colon + 1) } : undefined;
}

/** The ticket a timer concerns, if it is one that does. */
export function ticketOfTimer(name: string): string | undefined {
  return parseTicketTimer(name)?.ticketId;
}
