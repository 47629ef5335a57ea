import type { Ticket, TicketChanges, TicketStatus } from '../flows/ticket.js';

/** The stores of what the company reads back: tickets and the questions the bot could not answer. */

/**
 * Which tickets to list or search (issue 13: agents and staff find tickets). Every field given
 * must match. `text`: case-insensitive substring of the need, facts, outcome or comment;
 * `from`/`to`: epoch ms bounds on `createdAt` (from inclusive, to exclusive); `limit`: 50 unless given.
 */
export interface TicketQuery {
  id?: string;
  status?: TicketStatus;
  conversationId?: string;
  customerId?: string;
  text?: string;
  from?: number;
  to?: number;
  limit?: number;
}

export interface TicketStore {
  /**
   * Creates or replaces a ticket; replaying the same put is harmless. A put over a stored ticket
   * keeps the lifecycle events the stored one has (a retried put never loses later steps).
   */
  put(ticket: Ticket): Promise<void>;
  /**
   * Applies changes; with `ifStatus`, only while the ticket still has that status. `changes.events`
   * are appended, each once (see TicketEvent): a retried update appends nothing new.
   */
  update(id: string, changes: TicketChanges, at: number, ifStatus?: TicketStatus): Promise<Ticket | undefined>;
  get(id: string): Promise<Ticket | undefined>;
  /** The tickets that match, newest first. */
  list(query?: TicketQuery): Promise<Ticket[]>;
}

/** A question customers asked that the knowledge base could not answer, as admins review it. */
export interface UnansweredQuestion {
  /** The question as grouped (`questionKey` in flows/text.ts: normalised, at most 200 characters). */
  text: string;
  locale: string;
  /** How many times it was asked. */
  count: number;
  /** Epoch ms of the asking first recorded, and of the latest. */
  firstSeen: number;
  lastSeen: number;
}

/** `count`: most asked first (ties: asked most recently). `recent`: asked most recently first (ties: most asked). */
export type UnansweredSort = 'count' | 'recent';

export interface UnansweredQuery {
  locale?: string;
  sort?: UnansweredSort;
  /** 50 unless given. */
  limit?: number;
}

/**
 * The questions the knowledge base could not answer, so admins know which entries to write
 * (issue 11). Bounded: at most `StoreLimits.unansweredMax` questions are kept, and the one asked
 * least recently is forgotten first.
 */
export interface UnansweredStore {
  /**
   * Counts one asking of `text` in `locale` at `at` (epoch ms). `ref` names this asking (the
   * outbox item that carries it): the same ref again within the dedup window counts once, so a
   * retried delivery does not inflate the count.
   */
  record(asking: { text: string; locale: string; at: number }, ref: string): Promise<void>;
  list(query?: UnansweredQuery): Promise<UnansweredQuestion[]>;
}
