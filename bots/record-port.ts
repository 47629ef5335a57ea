import type { Ticket, TicketChanges, TicketStatus } from '../flows/ticket.js';
import type { OutboxItem, TicketStore, TranscriptEntry, UnansweredQuery, UnansweredQuestion } from './ports.js';

/**
 * The system of record (issue 14): PostgreSQL (PGlite embedded when no DATABASE_URL), beside
 * Redis's hot path. Tickets and their lifecycle, the full conversation archive, the askings the
 * knowledge base could not answer, and what the monthly service-quality report reads. Every write
 * is idempotent: a retried write changes nothing. All times are epoch ms (stored as UTC).
 */

/**
 * A write the system of record refuses for what it says, not because the database is down:
 * trying again can never succeed (a ticket number already on record for another matter). The
 * writers log it with the whole item and go on instead of deferring it, so it cannot hold the
 * backlog behind it.
 */
export class RecordRefused extends Error {
  override readonly name: string = 'RecordRefused';
}

/** One session of a conversation, as the report counts conversations (volume, the bot's first response). */
export interface ConversationSummary {
  conversationId: string;
  channel: string;
  /** The customer it is with ('' when not known yet). */
  customerId: string;
  /** The locale of the session's first ticket (else the conversation's first), when known. */
  locale?: string | undefined;
  /** When the session's first archived entry was (epoch ms). */
  startedAt: number;
  /** The customer's first message in the session, and the bot's first reply after it (epoch ms), when there were. */
  firstCustomerAt?: number | undefined;
  firstBotReplyAt?: number | undefined;
}

/** One asking the knowledge base could not answer (the unanswered list counts them; the report per month). */
export interface UnansweredAsking {
  text: string;
  locale: string;
  at: number;
}

/** What the report reads: everything in [from, to) (epoch ms), by creation or asking time. */
export interface ReportSource {
  ticketsCreated(from: number, to: number): Promise<Ticket[]>;
  conversationsStarted(from: number, to: number): Promise<ConversationSummary[]>;
  unansweredAsked(from: number, to: number): Promise<UnansweredAsking[]>;
  /** The published flow versions' numbers by content hash (the report names versions "v3"); none without publishing. */
  flowVersionNumbers?(): Promise<Array<{ id: number; hash: string }>>;
}

/** One write to the system of record, as a turn makes it (bots/record-writes.ts): what each RecordStore method below does. */
export type RecordWrite =
  | { type: 'ticket.put'; ticket: Ticket }
  | { type: 'ticket.update'; id: string; changes: TicketChanges; at: number; ifStatus?: TicketStatus | undefined }
  | {
      type: 'archive';
      conversation: { conversationId: string; channel: string; customerId: string };
      entries: readonly TranscriptEntry[];
      opensSession?: boolean | undefined;
    }
  | { type: 'unanswered'; asking: UnansweredAsking; ref: string };

export interface RecordStore extends ReportSource {
  /** Tickets and their lifecycle events (the same contract as before: bots/ports.ts TicketStore). */
  readonly tickets: TicketStore;
  /**
   * Archives a conversation's transcript entries, in order. Idempotent by (conversation, event id,
   * position in the turn): archiving the same turn again adds nothing. Keeps the conversation's
   * summary (channel, customer, first customer message, first bot reply after it) and its sessions:
   * a turn that `opensSession` starts one; any other adds to the latest (a conversation archived
   * without one yet gets one). The report counts sessions as conversations (会话).
   */
  archive(
    conversation: { conversationId: string; channel: string; customerId: string },
    entries: readonly TranscriptEntry[],
    turn?: { opensSession?: boolean },
  ): Promise<void>;
  /**
   * Makes several writes at once, in order, all or none: a turn's tickets, their lifecycle and its
   * archive in one round trip of the database (one statement; a transaction only when two of them
   * touch the same ticket or conversation). Each does what its method says. Throws RecordRefused
   * when one of them is refused (TicketIdCollision), having written none of them: the caller then
   * writes them one by one.
   */
  write(writes: readonly RecordWrite[]): Promise<void>;
  /** The archived transcript of a conversation, oldest first (at most `limit`, 1,000 unless given). */
  transcript(conversationId: string, limit?: number): Promise<TranscriptEntry[]>;
  /**
   * The askings the knowledge base could not answer, grouped by locale and text (`npm run
   * unanswered`): how many, first and latest; sorted as UnansweredSort says; 50 unless `limit`.
   */
  unansweredQuestions(query?: UnansweredQuery): Promise<UnansweredQuestion[]>;
  /** Counts one asking the knowledge base could not answer; `ref` names it (the same ref again counts once). */
  recordUnanswered(asking: UnansweredAsking, ref: string): Promise<void>;
  /** Deletes archived transcript entries older than `before` (epoch ms): retention (seed 000 五). Returns how many. */
  deleteTranscriptsBefore(before: number): Promise<number>;
  /**
   * Forgets a customer (seed 000 五, 个人信息保护): deletes their archived transcripts and personal
   * data, and leaves their tickets anonymised for the figures (a pseudonym instead of their id,
   * the same for all their tickets; no name, need, facts, files, outcome text or comment).
   */
  forgetCustomer(customerId: string): Promise<{ tickets: number; transcriptEntries: number; conversations: string[] }>;
  close(): Promise<void>;
}

/**
 * Writes to the system of record that could not be made when delivered (the database was down),
 * kept in order until the record writer applies them (bots/record-writer.ts). Shared by every
 * replica; one writer at a time holds `lock`.
 */
export interface DeferredRecords {
  /** Appends an item (its record write is idempotent: applying it twice changes nothing). */
  push(item: OutboxItem): Promise<void>;
  /** The oldest `limit` entries, oldest first; undefined for an unreadable one (the writer drops it, logged). */
  peek(limit: number): Promise<Array<OutboxItem | undefined>>;
  /** Removes the oldest `count` items (those applied). */
  drop(count: number): Promise<void>;
  size(): Promise<number>;
  /** Takes the writer's lock for `ttlMs` under `token`; false when another writer holds it. */
  lock(token: string, ttlMs: number): Promise<boolean>;
  unlock(token: string): Promise<void>;
}
