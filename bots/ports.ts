import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ConversationRecord, Effect, FlowPayload, type Choice } from '../flows/contracts.js';
import { FileRef as FileRefSchema } from '../flows/files.js';
import type { AgentNotice, AgentRef, DeskAlert, DeskUpdate, HandoffCard } from '../flows/contracts.js';
import { Customer } from '../flows/ticket.js';
import type { ChannelFiles, DeskFiles, TransferStore } from './file-ports.js';
import type { TicketStore, UnansweredStore } from './ticket-ports.js';
import type { DeferredRecords } from './record-port.js';

export type * from './file-ports.js';
export type * from './ticket-ports.js';
export type { DeferredRecords } from './record-port.js';

/**
 * The contracts between the engine and the edges. Adapters implement them; nothing here knows
 * Telegram, Slack or Redis.
 */

/** One inbound event, whatever platform it came from. `id` is the platform's id, for dedup. */
export const InboundEvent = z.object({
  id: z.string().min(1).max(200),
  conversationId: z.string().min(1).max(200),
  channel: z.string().min(1),
  /** Who the customer is; absent on events from the agent desk. */
  customer: Customer.optional(),
  at: z.number().int().nonnegative(),
  localeHint: z.string().optional(),
  payload: FlowPayload,
});
export type InboundEvent = z.infer<typeof InboundEvent>;

export const TranscriptEntry = z.object({
  at: z.number(),
  from: z.enum(['customer', 'bot', 'agent', 'system']),
  text: z.string(),
  eventId: z.string(),
  /** The photo or file this line is about (a reference: the bytes stay on the platform). */
  file: FileRefSchema.optional(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntry>;

/**
 * The engine's own work of a turn besides the flow's effects: the turn's transcript entries for the
 * archive in the system of record (issue 14), written after the replies are sent.
 */
export const ArchiveEffect = z.object({
  type: z.literal('record.archive'),
  entries: z.array(TranscriptEntry),
  /** The customer opened a session of the conversation with this turn (StepResult.opensSession). */
  opensSession: z.boolean().optional(),
});
export type ArchiveEffect = z.infer<typeof ArchiveEffect>;

/** What an outbox item carries: a flow's effect, or the engine's archive of the turn. */
export const OutboxEffect = z.union([Effect, ArchiveEffect]);
export type OutboxEffect = z.infer<typeof OutboxEffect>;
export type OutboxEffectType = OutboxEffect['type'];

/** Work a turn leaves behind, delivered after the turn is committed and acknowledged one by one. */
export const OutboxItem = z.object({
  id: z.string(),
  conversationId: z.string(),
  channel: z.string(),
  customerId: z.string(),
  effect: OutboxEffect,
  /**
   * When the turn that left it was committed (epoch ms): how long it has waited, for a desk outage
   * (delivery waits one out for a while) and the desk's note that messages arrived late. Absent on
   * items stored before issue 16.
   */
  at: z.number().optional(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

export { ConversationRecord };

/** Everything one turn writes, in one atomic step. */
export interface TurnCommit {
  /** The inbound event this turn consumed; it leaves the inbox in the same step. DROP_HEAD drops an unreadable head. */
  eventId: string;
  /** The next record, or undefined to leave the stored one as it is. */
  record: ConversationRecord | undefined;
  transcript: TranscriptEntry[];
  outbox: OutboxItem[];
}

/** `TurnCommit.eventId` that removes the inbox head whatever it is (for unreadable entries). */
export const DROP_HEAD = '';

/** How many outbox items `begin` hands a worker at a time; a full page means there may be more. */
export const OUTBOX_PAGE = 50;

/**
 * A stored entry that does not parse (an inbox event, a conversation's state), handed over raw so
 * the engine can log it and carry on (drop the event with DROP_HEAD, start the conversation over)
 * instead of wedging or resetting in silence.
 */
export interface CorruptEntry {
  corrupt: string;
}

export interface Begun {
  lease: Lease;
  outbox: OutboxItem[];
  next: InboundEvent | CorruptEntry | undefined;
  /** The stored state; an unreadable one comes as a CorruptEntry, which the engine reports before starting over. */
  record: ConversationRecord | CorruptEntry | undefined;
}

/** Proof of holding a conversation's lock; the store refuses writes from an expired lease. */
export interface Lease {
  readonly conversationId: string;
  readonly token: string;
}

export interface ConversationStore {
  /** Claims the event id (kept ≥ 24 h) and appends the event to the conversation's inbox, atomically. False when seen before. */
  accept(event: InboundEvent): Promise<boolean>;
  /**
   * `accept`, then `begin` when the event is new, in one step: the usual case (nobody is working
   * on the conversation) costs one round trip instead of two. `begun` is undefined when another
   * worker holds the conversation; it will take the event from the inbox.
   */
  acceptAndBegin(
    event: InboundEvent,
    ttlMs: number,
  ): Promise<{ duplicate: true } | { duplicate: false; begun: Begun | undefined }>;
  /**
   * Takes the conversation's lock for `ttlMs` and reads what a worker needs to start, in one step: the waiting outbox,
   * the next event and the state. Undefined when another worker holds the lock.
   */
  begin(conversationId: string, ttlMs: number): Promise<Begun | undefined>;
  /**
   * Acknowledges the delivered items at the head of the outbox (as `ackOutbox`), releases the lock
   * and says how much work is left, so the caller need not look again. When nothing is left the
   * conversation is forgotten from `pending`; an event accepted meanwhile shows in `inbox`.
   */
  unlock(lease: Lease, delivered?: readonly string[]): Promise<{ inbox: number; outbox: number }>;
  /** Extends a held lease to `ttlMs` from now; false when it has already been lost. */
  extend(lease: Lease, ttlMs: number): Promise<boolean>;
  /** The oldest unprocessed event, or undefined. Unparseable entries come back as a CorruptEntry. */
  peekInbox(conversationId: string): Promise<InboundEvent | CorruptEntry | undefined>;
  /** The stored state, undefined when there is none; an unreadable one comes back as a CorruptEntry. */
  load(conversationId: string): Promise<ConversationRecord | CorruptEntry | undefined>;
  /** Writes a turn atomically; throws LeaseLostError if the lease has expired meanwhile. Returns the events still waiting. */
  commit(lease: Lease, turn: TurnCommit): Promise<number>;
  peekOutbox(conversationId: string, limit: number): Promise<OutboxItem[]>;
  /** Removes delivered items (the head of the outbox, in order) under the lease. */
  ackOutbox(lease: Lease, itemIds: readonly string[]): Promise<void>;
  transcript(conversationId: string, limit: number): Promise<TranscriptEntry[]>;
  /** Conversations that may have inbox or outbox work left (after a crash, say). */
  pending(limit: number): Promise<string[]>;
  /**
   * Forgets a conversation's hot data (seed 000 五, a customer forgotten): its state, recent
   * transcript, inbox, outbox and timers. What was in flight for it is dropped.
   */
  forget(conversationId: string): Promise<void>;
}

/**
 * A deadline of one conversation, with what is needed to deliver its event like any other.
 * A schema because stores keep timers as JSON and read them back through it.
 */
export const TimerSpec = z.object({
  conversationId: z.string(),
  name: z.string(),
  dueAt: z.number(),
  channel: z.string(),
  customerId: z.string(),
});
export type TimerSpec = z.infer<typeof TimerSpec>;

export interface DueTimer extends TimerSpec {
  /** Store-specific handle for `complete`. */
  handle: string;
}

export interface TimerStore {
  /** Sets (or moves) the conversation's timer of that name. */
  schedule(timer: TimerSpec): Promise<void>;
  cancel(conversationId: string, name: string): Promise<void>;
  /**
   * Claims timers due by `now` for `leaseMs`: each is handed to one caller; if that caller dies
   * before `complete`, the timer comes due again after the lease (the event's dedup id makes the
   * second firing harmless). An unreadable stored timer is removed and skipped, so it cannot fail
   * every poll.
   */
  claimDue(now: number, leaseMs: number, limit: number): Promise<DueTimer[]>;
  /** Removes a fired timer, unless it was rescheduled meanwhile. */
  complete(timer: DueTimer): Promise<void>;
}

/** Conversations waiting for an agent, in order, and how long recent ones waited. */
export interface QueueStore {
  /** Joins the queue (once; joining again keeps the original place). */
  join(conversationId: string, at: number): Promise<void>;
  /** 1-based place in the queue, or undefined when not queued. */
  position(conversationId: string): Promise<number | undefined>;
  /** Leaves the queue; a claim also records how long the customer waited, and returns it (seconds; undefined otherwise). */
  leave(conversationId: string, at: number, claimed: boolean): Promise<number | undefined>;
  /** Average wait of the recent claims, in seconds. */
  averageWaitSeconds(): Promise<number | undefined>;
  /** The first `limit` conversations in the queue, in order, with when each joined (epoch ms): the console's Now. */
  list(limit: number): Promise<Array<{ conversationId: string; since: number }>>;
}

/** Shared lookups that survive restarts (a desk's thread ↔ conversation); each expires `ttlMs` after its last use. */
export interface LinkStore {
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Undefined when there is none, or it expired. */
  get(key: string): Promise<string | undefined>;
  /** Moves the expiry of those of `keys` that exist to `ttlMs` (ms) from now: links in use stay. */
  touch(keys: readonly string[], ttlMs: number): Promise<void>;
}

/**
 * Send budgets shared by every replica: a platform's overall limit holds for the whole
 * deployment, not for each process.
 */
export interface RateStore {
  /**
   * Takes one of the `perSecond` sends allowed in the current second (whole clock seconds, as
   * grammY's throttler counts) under `key`; resolves 0, or the ms until the next second.
   */
  take(key: string, perSecond: number, now: number): Promise<number>;
}

export interface Store extends ConversationStore {
  readonly links: LinkStore;
  readonly rates: RateStore;
  readonly tickets: TicketStore;
  readonly timers: TimerStore;
  readonly queue: QueueStore;
  readonly unanswered: UnansweredStore;
  readonly transfers: TransferStore;
  readonly deferred: DeferredRecords;
  close(): Promise<void>;
}

/** A message to a customer, as a channel adapter receives it. */
export interface OutboundMessage {
  /** Stable per message: an adapter may use it to avoid sending twice. */
  id: string;
  conversationId: string;
  customerId: string;
  text: string;
  choices?: Choice[];
}

/** What a channel adapter implements to reach customers. Throw DeliveryError to say whether a retry can help. */
export interface ChannelPort {
  send(message: OutboundMessage): Promise<void>;
  /**
   * Splits a reply too long for one platform message. Each part becomes an outbox item of its
   * own, so a part that fails is retried alone and the parts before it are not sent twice.
   */
  split?(text: string): string[];
  /** Photos and files to and from customers; without it an agent's file is not sent and the agent is told. */
  readonly files?: ChannelFiles | undefined;
}

/**
 * Which card a desk call is about: a conversation's card for one ticket (its live handoff, or a
 * pending matter's follow-up card). Without `ticketId` (items stored before issue 13), the
 * conversation's latest card.
 */
export interface CardAddress {
  conversationId: string;
  ticketId?: string | undefined;
}

/**
 * What a desk card shows of one line of the conversation (UTF-16 units, "…" included): the desk
 * clips a card's lines and facts to it (adapters/slack/limits.ts DESK_BUDGET.line), and the store
 * keeps its short transcript clipped to it (adapters/store/shared.ts), so a card reads the same.
 */
export const CARD_LINE_CHARS = 300;

/**
 * The agent desk (Slack, the playground): where handoffs and pending matters are shown, claimed
 * and answered. Agent actions come back as inbound events of the conversation, naming the ticket
 * whose card they came from.
 */
export interface DeskPort {
  /** Shows a new card (a handoff or a follow-up), with the last lines of the transcript so nobody asks again. */
  open(conversationId: string, card: HandoffCard, transcript: TranscriptEntry[]): Promise<void>;
  post(to: CardAddress, text: string, from: 'customer' | 'system'): Promise<void>;
  update(to: CardAddress, status: DeskUpdate, agent?: AgentRef, category?: string): Promise<void>;
  /** Draws the card again with the customer's need (told after a bare request for a person), as it stands otherwise. */
  need(to: CardAddress, need: string): Promise<void>;
  /** A message for one agent only (Slack: ephemeral). */
  notify(to: CardAddress, agentId: string, notice: AgentNotice): Promise<void>;
  /** Re-announces an unclaimed card (claim SLA), reminds of a deadline, or alerts supervisors; `agent`: whom it names. */
  ping(to: CardAddress, level: DeskAlert, agent?: AgentRef): Promise<void>;
  /**
   * Notes in a card's thread that what the desk is receiving was held up (the desk was down or
   * refusing, issue 16): `since` is when the oldest delayed item was written (epoch ms).
   */
  delayed?(to: CardAddress, since: number): Promise<void>;
  /** Photos and files in the conversation's thread; without it a customer's file is shown by name and caption. */
  readonly files?: DeskFiles | undefined;
}

export type ReceiveResult =
  { status: 'accepted'; conversationId: string } | { status: 'duplicate' } | { status: 'rejected'; problems: string[] };

export type AcceptResult = Exclude<ReceiveResult, { status: 'accepted' }> | Accepted;

/** An accepted event; `begun` when this worker took the conversation's lock with it. */
export interface Accepted {
  status: 'accepted';
  conversationId: string;
  begun: Begun | undefined;
}

/**
 * The narrow way in, as receivers see the engine: they hand it raw events and never need more,
 * so an adapter depends on this port and not on the concrete engine.
 */
export interface Inbox {
  /**
   * Stores an event durably without running its turn (a webhook answers once this resolves).
   * With `begin`, the conversation's lock comes with it when free, and the caller must `run`.
   * With `ignored`, the event stands for an update the bot does not serve (a group chat's one
   * notice): it is stored and run as any other, but counted `ignored`, stored or a duplicate.
   */
  accept(raw: unknown, options?: { begin?: boolean; ignored?: boolean }): Promise<AcceptResult>;
  /** Processes what waits for the conversation; `begun` is the lock `accept` took, if any. */
  run(conversationId: string, begun?: Begun): Promise<void>;
  /** `accept` then `run`, inline: for edges that answer only after the turn (the desk). */
  receive(raw: unknown): Promise<ReceiveResult>;
}

/** One HTTP endpoint a receiver needs on the app's server (the app owns the one server). */
export interface Route {
  /** Exact path, without the query string. */
  readonly path: string;
  /** Also every path under it (`/console` takes `/console/…`): a web app mounted whole (the console). */
  readonly prefix?: boolean | undefined;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * How events reach the product from one platform (webhook, long polling, a socket): built with
 * an Inbox, started after everything it feeds exists, stopped before the store closes.
 */
export interface Receiver {
  /** Endpoints to mount on the app's HTTP server, if the receiver takes requests. */
  readonly routes?: readonly Route[];
  start(): Promise<void>;
  /** Stops taking events, then waits for the work already taken to finish. */
  stop(): Promise<void>;
}
