import { z } from 'zod';
import { FileRef } from './files.js';
import type { ChoiceId, ComplaintKindId, TextKey } from './schema.js';
import { capText, cleanText, MAX_ENTERED_CHARS } from './text.js';
import { AgentRef, Customer, Ticket, TicketChanges, TicketStatus } from './ticket.js';

/**
 * What goes in and out of one step of a conversation, and what the flow tells the agent desk.
 * The one vocabulary of effects lives here: the machine emits `Directive`s, the step renders the
 * texts among them and passes every other `Effect` through unchanged, and the engine delivers
 * `Effect`s. Plain data: adapters render the desk parts for their platform.
 */

// ---- the agent desk (Slack, the playground)

export { AgentRef };

/**
 * Why a matter went to people: the customer asked, the bot could not answer (`failures`: restated
 * wrong, or no knowledge-base answer), a complaint, or `details` the customer gave that a person
 * must act on (the order number an answer asked for, details.ts).
 */
/** Why people have the matter; `not-helped`: the customer said the answer just given did not help (intents.notHelped). */
export const HandoffReason = z.enum(['asked', 'failures', 'complaint', 'details', 'not-helped']);
export type HandoffReason = z.infer<typeof HandoffReason>;

/** One of the customer's earlier tickets, as a card lists it (issue 13: agents see the history). */
export const TicketSummary = z.object({
  id: z.string(),
  /** Epoch ms the ticket was created. */
  createdAt: z.number(),
  type: z.enum(['inquiry', 'suggestion', 'complaint']),
  category: z.string().optional(),
  status: TicketStatus,
  satisfaction: z.number().optional(),
});
export type TicketSummary = z.infer<typeof TicketSummary>;

/**
 * The handoff card: everything an agent needs so the customer does not repeat anything.
 * `kind`: `handoff` for a conversation handed to people now (claimed, the agent talks live);
 * `follow-up` for a pending matter with a promised reply time (`promisedBy`, epoch ms) that a
 * person must take up later (complaint registered, unanswered question, after hours, desk down,
 * supervisor request). Absent on cards stored before issue 13: a handoff. `history` is filled at
 * delivery from the ticket store: the customer's tickets of the last 90 days, open complaints first.
 */
export const HandoffCard = z.object({
  kind: z.enum(['handoff', 'follow-up']).optional(),
  promisedBy: z.number().optional(),
  history: z.array(TicketSummary).optional(),
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
  /** A follow-up card of a matter a person took in a live handoff and let go of unsettled (handed back, closed). */
  returned: z.boolean().optional(),
  /**
   * A follow-up card that waits for a supervisor (issue 17): the customer asked for one
   * (`asked`), or complained of the agent who had the conversation (`complained`).
   */
  supervisor: z.enum(['asked', 'complained']).optional(),
});
export type HandoffCard = z.infer<typeof HandoffCard>;

/** A forbidden phrase found in an agent's reply (the shape of `GuardMatch` in guard.ts). */
export const GuardMatch = z.object({ phrase: z.string(), reason: z.string(), suggestion: z.string() });

/** Messages for one agent only; the desk words them for its platform. */
export const AgentNotice = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('already-claimed'), by: AgentRef }),
  z.object({ kind: z.literal('not-claimed') }),
  z.object({ kind: z.literal('no-handoff') }),
  /** `!transfer` to a category the definition does not have (or none): `known` lists the ones it has. */
  z.object({ kind: z.literal('unknown-category'), category: z.string().optional(), known: z.array(z.string()) }),
  z.object({ kind: z.literal('not-yours'), by: AgentRef }),
  z.object({ kind: z.literal('guard-blocked'), matches: z.array(GuardMatch), text: z.string() }),
  /** An action on a follow-up card whose matter is no longer pending (resolved meanwhile, by someone else or the CLI). */
  z.object({ kind: z.literal('not-pending'), ticketId: z.string() }),
  /**
   * A follow-up card's matter the customer complained of this agent in (`asked`: asked for a
   * supervisor while this agent had it): a supervisor or another agent takes it up.
   */
  z.object({ kind: z.literal('complained-of'), ticketId: z.string(), asked: z.literal(true).optional() }),
]);
export type AgentNotice = z.infer<typeof AgentNotice>;

/**
 * Alerts to the agents about a card: still unclaimed after the claim SLA (`sla`), after the
 * supervisors' deadline (`supervisor`), a promised reply time is near (`reminder`: to the agent
 * who claimed it, or the channel), has passed (`overdue`: supervisors, at channel level), or a
 * complex matter is still unresolved after the working days allowed (`escalated`: supervisors).
 */
/**
 * `asked-supervisor`: the customer asked for a supervisor while with the desk (queued or with an agent);
 * `upset-waiting`: the customer complained while queued, before anyone took the conversation (supervisors);
 * `complained-live`: the customer complained while an agent had the conversation, maybe of that agent (supervisors).
 */
export const DeskAlert = z.enum([
  'sla',
  'supervisor',
  'overdue',
  'reminder',
  'escalated',
  'asked-supervisor',
  'upset-waiting',
  'complained-live',
  /** Claimed, and the customer waits for the agent's reply (handoff.replySlaSeconds): to that agent. */
  'reply-late',
  /** Still unanswered (handoff.replySupervisorSeconds): to the supervisors. */
  'reply-supervisor',
]);
export type DeskAlert = z.infer<typeof DeskAlert>;

/**
 * What became of a handoff, for its card and thread. `closed-by-customer`: the customer's end word
 * (结束); `customer-restarted`: they started over with the bot (/start); `customer-left`: they
 * blocked the bot or can no longer be reached (Telegram 403).
 */
export const DeskUpdate = z.enum([
  'claimed',
  /** A person resolved the matter (with the outcome told to the customer, or settled outside the chat). */
  'resolved',
  'released',
  'transferred',
  'handed-back',
  'closed',
  'closed-by-customer',
  'customer-restarted',
  'customer-left',
  /** The desk closed with the customer still queued: the matter waits for the morning as a follow-up card. */
  'desk-closed',
]);
export type DeskUpdate = z.infer<typeof DeskUpdate>;

/** Updates after which the handoff is over: its card can no longer be claimed (README: Human handoff). */
export const HANDOFF_ENDED: ReadonlySet<DeskUpdate> = new Set<DeskUpdate>([
  'resolved',
  'handed-back',
  'closed',
  'closed-by-customer',
  'customer-restarted',
  'customer-left',
  'desk-closed',
]);

// ---- one step: input

/** Text as it enters: invisible characters (zero-width, bidi controls) taken out. */
const EnteredText = z.string().transform(cleanText);
/** A customer's text: at most MAX_ENTERED_CHARS of it, cleaned. */
const CustomerText = z.string().transform((text) => cleanText(capText(text, MAX_ENTERED_CHARS)));

export const FlowPayload = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: CustomerText }),
  // Telegram's callback data is at most 64 bytes: a longer one is forged, and is cut before anything reads it.
  z.object({ type: z.literal('choice'), choice: z.string().transform((c) => capText(c, 64)) }),
  /**
   * A non-text message. `file`: the photo, document, voice note or video it carries (a reference,
   * never the bytes); `caption`: the words sent with it, which are the customer's message.
   */
  z.object({ type: z.literal('media'), media: z.string(), caption: CustomerText.optional(), file: FileRef.optional() }),
  /** start/help come from the customer; blocked (they blocked the bot) and group (a group chat the bot does not serve) from the channel. */
  z.object({ type: z.literal('command'), command: z.enum(['start', 'help', 'blocked', 'group', 'desk-unavailable']) }),
  /** The customer edited an earlier message: kept on the transcript, not answered. */
  z.object({ type: z.literal('edit'), text: CustomerText }),
  /** Something an agent did on the desk (Slack, the playground's /agent). */
  z.object({
    type: z.literal('agent'),
    /** `resolve`: the matter is settled; `text`, when given, is the outcome the customer receives. */
    action: z.enum(['claim', 'reply', 'note', 'handback', 'close', 'release', 'transfer', 'resolve']),
    agent: z.object({ id: z.string().min(1), name: z.string().optional() }),
    text: EnteredText.optional(),
    /**
     * The ticket whose card the action came from. The conversation's live handoff when it is that
     * ticket's (or absent: cards posted before issue 13); otherwise a pending matter's follow-up card.
     */
    ticketId: z.string().min(1).max(100).optional(),
    /** `resolve` from outside the chat (the CLI): an internal note on the ticket, not told to the customer. */
    note: EnteredText.optional(),
    /** Send a reply the service-phrase guard blocked, deliberately. */
    override: z.boolean().optional(),
    category: z.string().optional(),
    /** Files shared with a reply (Slack's file_share), sent to the customer with its text. */
    files: z.array(FileRef).max(10).optional(),
  }),
  z.object({ type: z.literal('timer'), name: z.string(), dueAt: z.number() }),
]);
export type FlowPayload = z.infer<typeof FlowPayload>;

export interface FlowInput {
  conversationId: string;
  channel: string;
  /** Absent on events from the agent desk. */
  customer?: Customer | undefined;
  /** Epoch ms. */
  at: number;
  /** A locale the channel knows for the customer (Telegram's language_code, `--lang`). */
  localeHint?: string | undefined;
  payload: FlowPayload;
  /**
   * For a timer that concerns a ticket (see `parseTicketTimer`) or an agent action naming one: the
   * ticket as the store has it now, or undefined when it is gone. The engine reads it before the step.
   */
  ticket?: Ticket | undefined;
  /**
   * The ticket this input concerns could not be read (the system of record is down), which is not
   * the same as gone: a timer about it is tried again later (TICKET_RETRY_MS) rather than judged.
   */
  ticketUnread?: true | undefined;
}

/** What is persisted per conversation: small, and the same size on turn 5 and turn 500. */
export const ConversationRecord = z.object({
  snapshot: z.unknown(),
  /** Deadlines this conversation is waiting for, by name (epoch ms); a timer event that does not match is stale. */
  timers: z.record(z.string(), z.number()),
  /** Counts replies, to rotate through the phrasings of a text. */
  turn: z.number().int(),
  /** The buttons the customer may press now, by choice id (flows/offered.ts); absent on older records: any. */
  offered: z.array(z.string()).optional(),
});
export type ConversationRecord = z.infer<typeof ConversationRecord>;

// ---- one step: output

export const Choice = z.object({ id: z.string(), label: z.string() });
export type Choice = z.infer<typeof Choice>;

/** The work a step leaves for the engine: delivered from the outbox, in order, once. */
export const Effect = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('reply'),
    text: z.string(),
    choices: z.array(Choice).optional(),
    /** Who the customer hears: the bot, or an agent whose words are relayed. */
    from: z.enum(['bot', 'agent']).optional(),
    /** {position} and {wait} are filled at delivery from the live queue. */
    fill: z.literal('queue').optional(),
    /** The text's locale, for the plural forms filled at delivery (`fill`); absent on older items. */
    locale: z.string().optional(),
  }),
  /**
   * A file for the customer, from an agent: fetched from the desk and sent at delivery, with its
   * caption. `agentId` is whom to warn in the thread when the channel cannot take it (too large).
   */
  z.object({
    type: z.literal('reply.file'),
    file: FileRef,
    caption: z.string().optional(),
    agentId: z.string().optional(),
  }),
  /** Desk effects name the ticket whose card they concern (`card.ticketId` for desk.open); absent on items stored before issue 13. */
  z.object({ type: z.literal('desk.open'), card: HandoffCard }),
  /** A customer's file for the conversation's thread on the desk, with its caption: fetched and uploaded at delivery. */
  z.object({
    type: z.literal('desk.file'),
    file: FileRef,
    caption: z.string().optional(),
    ticketId: z.string().optional(),
  }),
  z.object({
    type: z.literal('desk.post'),
    text: z.string(),
    from: z.enum(['customer', 'system']),
    ticketId: z.string().optional(),
  }),
  z.object({
    type: z.literal('desk.update'),
    status: DeskUpdate,
    agent: AgentRef.optional(),
    category: z.string().optional(),
    ticketId: z.string().optional(),
  }),
  /**
   * The card's need, as the customer told it after a bare request for a person (转人工 was all the
   * card had: customer-relay.ts keepWhatCustomerSays): the card is drawn again with it.
   */
  z.object({ type: z.literal('desk.need'), need: z.string().min(1), ticketId: z.string().optional() }),
  z.object({
    type: z.literal('desk.notify'),
    agentId: z.string(),
    notice: AgentNotice,
    ticketId: z.string().optional(),
  }),
  /** `agent`: whom the alert names (a reminder to the agent who claimed the matter). */
  z.object({
    type: z.literal('desk.ping'),
    level: DeskAlert,
    agent: AgentRef.optional(),
    ticketId: z.string().optional(),
  }),
  z.object({ type: z.literal('queue.join'), at: z.number() }),
  z.object({ type: z.literal('queue.leave'), at: z.number(), claimed: z.boolean() }),
  /** A line for the transcript only (an internal note, a blocked reply); nothing is delivered. */
  z.object({ type: z.literal('transcript'), from: z.enum(['agent', 'system']), text: z.string() }),
  z.object({ type: z.literal('ticket.put'), ticket: Ticket }),
  /** With `ifStatus`, applied only while the ticket still has that status (a deadline flag must not touch a resolved ticket). */
  z.object({
    type: z.literal('ticket.update'),
    id: z.string(),
    changes: TicketChanges,
    at: z.number(),
    ifStatus: TicketStatus.optional(),
  }),
  /**
   * A question the knowledge base could not answer, counted for the admins' unanswered list:
   * `text` as grouped there (`questionKey` in text.ts), `at` epoch ms. Delivery counts one outbox
   * item once, however often it is retried.
   */
  z.object({ type: z.literal('unanswered.record'), text: z.string().min(1), locale: z.string(), at: z.number() }),
  /** Sets or moves the conversation's timer of that name; `dueAt` in epoch ms. */
  z.object({ type: z.literal('timer.set'), name: z.string(), dueAt: z.number() }),
  z.object({ type: z.literal('timer.cancel'), name: z.string() }),
]);
export type Effect = z.infer<typeof Effect>;
export type EffectType = Effect['type'];

export type EscalationReason =
  | 'supervisor'
  /** The customer asked for a person during the complaint. */
  | 'asked'
  | 'still-angry'
  | 'always-human'
  | 'promise-overdue'
  | 'working-days'
  /** The customer complained while queued for a person, before anyone took the conversation. */
  | 'upset-waiting'
  /** The customer complained while an agent had the conversation (我要投诉你): supervisors see it, not only that agent. */
  | 'complained-live';

/** A result of the conversation that people must act on (an escalated complaint, a missed promise). */
export interface Escalation {
  ticketId: string;
  reason: EscalationReason;
  priority: 'normal' | 'high';
}

/**
 * What the conversation machine asks for, in one vocabulary: an `Effect` as the engine delivers
 * it, a text to render in the customer's locale first (say, greet, answer, policy), or an
 * escalation to report. The machine emits these through its one placeholder action, `effect`.
 */
export type Directive =
  | Effect
  | {
      type: 'say';
      key: TextKey;
      vars?: Record<string, string>;
      choices?: ChoiceId[];
      /** {position} and {wait} are filled in at delivery, from the live queue. */
      queue?: boolean;
      /** Words of a person the text carries (an agent's message framed with its matter): the customer hears an agent. */
      from?: 'agent';
    }
  /** 开头语: the greeting for the time of day or holiday, with the question "what can I do for you" when `withAsk`. */
  | { type: 'greet'; withAsk: boolean }
  /**
   * 003's acknowledgement of a complaint of this kind (complaints.kinds[].acknowledge); a general
   * complaint (no kind, or a kind the locale's definition lacks) gets texts.complaintAcknowledge.
   */
  | { type: 'acknowledge'; kind: ComplaintKindId | undefined }
  /** A knowledge-base answer, by entry id. */
  | { type: 'answer'; faqId: string }
  /** 三明治法则 for a policy the customer asks to go beyond. */
  | { type: 'policy'; policyId: string }
  | { type: 'escalate'; escalation: Escalation };

export interface StepResult {
  record: ConversationRecord;
  effects: Effect[];
  /** The machine's state after the step, for logs and tests ("confirming", "complaint.listening"). */
  state: string;
  locale: string;
  /** Set when the input had no effect on purpose (a stale timer), with the reason. */
  ignored?: string;
  /**
   * Set when the stored snapshot could not be restored (a machine version that no longer fits it)
   * and the conversation started over: the engine logs and counts it. Never silent.
   */
  reset?: string;
  /** Matters people must act on now (an escalated complaint, a missed promise). */
  escalations: Escalation[];
  /** The conversation's own channel and customer: replies go there, whoever caused the turn. */
  channel: string;
  customerId: string;
  /**
   * Set when the customer opened a session of the service conversation with this input: their
   * first words ever, words after the bot closed the last session (idle close, survey, goodbye),
   * or /start. What the report counts as a conversation (会话).
   */
  opensSession?: true;
}
