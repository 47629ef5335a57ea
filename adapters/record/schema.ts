import type { ColumnType, Generated } from 'kysely';
import type { FlowFiles, FlowTestFigures } from '../../bots/flow-versions-port.js';
import type { FileRef } from '../../flows/files.js';
import type { AgentRef, Ticket } from '../../flows/ticket.js';

/**
 * The tables of the system of record, as Kysely sees them (migrations/0001_record.ts creates
 * them). Times are `timestamptz`, written and read as Date (UTC) and handed to the rest of the
 * product as epoch ms. JSON columns are written as JSON text (both drivers accept it) and read
 * back parsed.
 */

/** A `timestamptz` column: a Date in, a Date out. */
export type Instant = ColumnType<Date, Date, Date>;
/** A nullable one. */
export type MaybeInstant = ColumnType<Date | null, Date | null | undefined, Date | null>;
/** A `jsonb` column of T, written as JSON text. */
export type Json<T> = ColumnType<T, string, string>;
/** A nullable one. */
export type MaybeJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

/** The ticket as stored in `tickets.body`: every field but its events (they are rows of `ticket_events`). */
export type TicketBody = Omit<Ticket, 'events'>;

export interface TicketsTable {
  id: string;
  conversation_id: string;
  channel: string;
  customer_id: string;
  customer_name: string | null;
  locale: string;
  type: Ticket['type'];
  status: Ticket['status'];
  category: string | null;
  priority: string | null;
  need: string;
  facts: Json<string[]>;
  outcome: string;
  comment: string | null;
  promised_by: MaybeInstant;
  satisfaction: number | null;
  claimed_by: MaybeJson<AgentRef>;
  resolved_by: MaybeJson<AgentRef>;
  flow_version: string | null;
  /**
   * The need, each fact, the outcome and the comment, lower-cased in JS (as the other stores
   * compare them): what a text search reads, so case folding does not depend on the server's
   * locale (a `C` cluster's lower() leaves É as it is).
   */
  words: Json<string[]>;
  /** Whether the ticket has an events list (possibly empty): a ticket stored without one gets none invented. */
  has_events: boolean;
  body: Json<TicketBody>;
  created_at: Instant;
  updated_at: Instant;
}

export interface TicketEventsTable {
  ticket_id: string;
  /** Recording order: events of the same time read back in the order they were recorded. */
  seq: Generated<string>;
  type: string;
  at: Instant;
  /** `by.id`, or '' without an actor: part of the key that makes a retried append a no-op. */
  by_id: string;
  by: MaybeJson<AgentRef>;
  detail: string | null;
  promised_by: MaybeInstant;
  score: number | null;
}

export interface TranscriptEntriesTable {
  seq: Generated<string>;
  conversation_id: string;
  event_id: string;
  /** The n-th entry of that event in its turn (0-based): with the event id, what makes archiving twice a no-op. */
  position: number;
  at: Instant;
  from: 'customer' | 'bot' | 'agent' | 'system';
  text: string;
  file: MaybeJson<FileRef>;
}

export interface ConversationsTable {
  conversation_id: string;
  channel: string;
  customer_id: string;
  started_at: Instant;
  first_customer_at: MaybeInstant;
  first_bot_reply_at: MaybeInstant;
}

export interface UnansweredAskingsTable {
  /** sha256 (hex) of the asking's ref: the same ref counts once. */
  ref: string;
  /** The conversation the ref names (`<conversation>\u0000<outbox item>`), '' when it names none. */
  conversation_id: string;
  text: string;
  locale: string;
  at: Instant;
}

/** A session of a conversation (migrations/0005_sessions.ts): what the report counts as a conversation. */
export interface ConversationSessionsTable {
  conversation_id: string;
  started_at: Instant;
  channel: string;
  customer_id: string;
  first_customer_at: MaybeInstant;
  first_bot_reply_at: MaybeInstant;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** A published flow version (migrations/0002_flow_versions.ts): ids 1, 2, 3… in publishing order. */
export interface FlowVersionsTable {
  id: number;
  /** The content hash the FlowRegistry reports and tickets record as their flow version. */
  hash: string;
  files: Json<FlowFiles>;
  author: string;
  message: string;
  created_at: Instant;
  figures: MaybeJson<FlowTestFigures>;
}

/** The one row saying which version is active. */
export interface FlowActiveTable {
  singleton: ColumnType<boolean, boolean | undefined, never>;
  version_id: number;
  activated_at: Instant;
  activated_by: string;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Instant;
  actor: string;
  action: string;
  target: string | null;
  detail: MaybeJson<Record<string, unknown>>;
}

/** An admin's flow draft (migrations/0004_flow_drafts.ts). */
export interface FlowDraftsTable {
  account: string;
  files: Json<Record<string, string>>;
  based_on: number | null;
  updated_at: Instant;
}

export interface Database {
  tickets: TicketsTable;
  ticket_events: TicketEventsTable;
  transcript_entries: TranscriptEntriesTable;
  conversations: ConversationsTable;
  conversation_sessions: ConversationSessionsTable;
  unanswered_askings: UnansweredAskingsTable;
  settings: SettingsTable;
  flow_versions: FlowVersionsTable;
  flow_active: FlowActiveTable;
  audit_log: AuditLogTable;
  accounts: AccountsTable;
  sessions: SessionsTable;
  flow_drafts: FlowDraftsTable;
}

/** The console's accounts and sessions (migrations/0003_console.ts). */
export interface AccountsTable {
  name: string;
  role: 'admin' | 'supervisor';
  password_hash: string;
  must_change: boolean;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Instant;
}

export interface SessionsTable {
  token_hash: string;
  account: string;
  csrf: string;
  created_at: Instant;
  last_seen: Instant;
  expires_at: Instant;
}
