import { Buffer } from 'node:buffer';
import { z } from 'zod';
import { clipText } from '../../flows/text.js';
import {
  CARD_LINE_CHARS,
  ConversationRecord,
  InboundEvent,
  TimerSpec,
  TranscriptEntry,
  type CorruptEntry,
  type TicketQuery,
  type UnansweredQuery,
  type UnansweredQuestion,
  type UnansweredSort,
} from '../../bots/ports.js';
import {
  withAdditions,
  type Ticket,
  type TicketChanges,
  type TicketEvent,
  type TicketStatus,
} from '../../flows/ticket.js';

/**
 * What both stores must agree on, kept here so neither store imports the other: retention
 * limits, the encodings of stored entries and handles, and the small rules (ticket merge, list
 * order, wait average) whose two copies could otherwise drift apart.
 */

/** Retention knobs shared by both stores, from configuration. */
export interface StoreLimits {
  /** How long an event id is remembered for dedup. Telegram and Slack redeliver within hours; ≥ 24 h. */
  dedupTtlSec: number;
  /**
   * Event ids remembered per conversation: the latest this many, each for at most `dedupTtlSec`
   * (DEDUP_IDS: why this many is enough).
   */
  dedupIds: number;
  /** How long an untouched conversation's state is kept, and with it its short transcript. */
  stateTtlSec: number;
  /**
   * Transcript lines kept per conversation (oldest dropped first), each clipped to
   * TRANSCRIPT_LINE_CHARS: the tail a desk card shows. The whole conversation is in the system of
   * record; without one, this tail is all there is.
   */
  transcriptMax: number;
  /**
   * Distinct unanswered questions kept, all locales together; past it the one asked least
   * recently is forgotten. 5,000 questions of at most 200 characters: a few MB at most.
   */
  unansweredMax: number;
}

/**
 * Event ids a conversation remembers by default. A redelivery comes soon after the first
 * delivery and in order, so it only has to outlast the conversation's events accepted meanwhile.
 * Telegram long polling (adapters/telegram/polling.ts) stores updates one at a time, in order,
 * and a crash replays the unconfirmed batch from its first update: a redelivered update finds
 * its id unless its chat had more than this many updates after it in that batch. A webhook's
 * redelivery follows a failed answer by seconds to minutes; Slack retries an event three times
 * within about 5 minutes; a timer or a delivery event is fed again once its lease (seconds) runs
 * out. A chat sending more than 32 messages in that time (a batch of forwarded messages) could see
 * its oldest redelivered message answered twice, never lost. 32 ids of Telegram's `tg:<update_id>`
 * take about 900 B of Redis per conversation (issue 17: all of it within 4 KB).
 */
export const DEDUP_IDS = 32;

/** A kept transcript line's text is at most this many UTF-16 units, "…" included: what a desk card shows of a line. */
export const TRANSCRIPT_LINE_CHARS = CARD_LINE_CHARS;

export const DEFAULT_LIMITS: StoreLimits = {
  dedupTtlSec: 48 * 3600,
  dedupIds: DEDUP_IDS,
  stateTtlSec: 30 * 86400,
  transcriptMax: 10,
  unansweredMax: 5_000,
};

export function storeLimits(overrides: Partial<StoreLimits>): StoreLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  if (limits.dedupTtlSec < 24 * 3600)
    throw new RangeError(
      `dedupTtlSec must be at least 24 h (got ${limits.dedupTtlSec} s): platforms redeliver within a day`,
    );
  if (!Number.isInteger(limits.dedupIds) || limits.dedupIds < 1)
    throw new RangeError(`dedupIds must be a whole number of at least 1 (got ${limits.dedupIds})`);
  if (!Number.isInteger(limits.unansweredMax) || limits.unansweredMax < 1)
    throw new RangeError(`unansweredMax must be a whole number of at least 1 (got ${limits.unansweredMax})`);
  return limits;
}

/** A transcript line as a store keeps it: its text clipped to TRANSCRIPT_LINE_CHARS. */
export function keptLine(entry: TranscriptEntry): TranscriptEntry {
  return { ...entry, text: clipText(entry.text, TRANSCRIPT_LINE_CHARS) };
}

/** Who said a line, one letter each in a stored line. */
const FROM = { customer: 'c', bot: 'b', agent: 'a', system: 's' } as const satisfies Record<
  TranscriptEntry['from'],
  string
>;
const FROM_LETTER: Readonly<Record<string, TranscriptEntry['from']>> = {
  c: 'customer',
  b: 'bot',
  a: 'agent',
  s: 'system',
};

/**
 * A kept line as Redis stores it (keptLine, then compact): a JSON array `[at, who, eventId, text]`
 * with `who` one letter (c customer, b bot, a agent, s system) and the file reference fifth when
 * there is one. About 30 B less a line than the entry's own JSON, whose keys repeat on every line.
 */
export function encodeLine(entry: TranscriptEntry): string {
  const e = keptLine(entry);
  const row: unknown[] = [e.at, FROM[e.from], e.eventId, e.text];
  if (e.file) row.push(e.file);
  return JSON.stringify(row);
}

/** A stored line read back: the compact array, or the entry's JSON as stored before issue 17. Throws on anything else. */
export function decodeLine(raw: string): TranscriptEntry {
  const v = JSON.parse(raw) as unknown;
  if (!Array.isArray(v)) return TranscriptEntry.parse(v);
  const [at, who, eventId, text, file] = v as unknown[];
  return TranscriptEntry.parse({
    at,
    from: FROM_LETTER[String(who)] ?? who,
    eventId,
    text,
    ...(file === undefined ? {} : { file }),
  });
}

/** Waits kept for the expected-wait estimate. */
export const RECENT_WAITS = 20;

/** How long a claimed customer waited, in seconds (never negative, whatever the clocks say). */
export function waitSeconds(since: number, at: number): number {
  return Math.max(0, (at - since) / 1000);
}

/** Average of the recent waits, or undefined before the first claim. */
export function averageWait(waits: readonly number[]): number | undefined {
  return waits.length ? waits.reduce((a, b) => a + b, 0) / waits.length : undefined;
}

/** A conversation's timer of one name, as the key of the due set (one timer per name). */
export function timerMember(conversationId: string, name: string): string {
  return `${conversationId}\u001f${name}`;
}

/**
 * The handle `claimDue` hands out: the member and the timer exactly as stored, so `complete`
 * can tell whether the timer was rescheduled meanwhile. `splitHandle` reads it back.
 */
export function timerHandle(member: string, raw: string): string {
  return `${member}\u0000${raw}`;
}

export function splitHandle(handle: string): [string, string] {
  const i = handle.indexOf('\u0000');
  return [handle.slice(0, i), handle.slice(i + 1)];
}

/** A stored JSON value read with its schema; undefined when it is not JSON or not of that shape. */
function readStored<T>(schema: z.ZodType<T>, raw: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a stored inbox entry; a corrupt one is reported, not thrown, so it cannot wedge the conversation. */
export function parseInbound(raw: string): InboundEvent | CorruptEntry {
  return readStored(InboundEvent, raw) ?? { corrupt: raw };
}

/** Parses a stored conversation record; one that is not JSON or not a record comes back as a CorruptEntry for the engine to report. */
export function parseRecord(raw: string): ConversationRecord | CorruptEntry {
  // The record is read every turn, and what the store wrote is almost always what it reads back:
  // a check of its few fields, without zod (and its copy of the whole snapshot); zod reads anything else.
  try {
    const v = JSON.parse(raw) as unknown;
    if (isRecordShape(v)) return v;
  } catch {
    return { corrupt: raw };
  }
  return readStored(ConversationRecord, raw) ?? { corrupt: raw };
}

/** Whether `v` is a ConversationRecord as the schema reads it (snapshot anything, timers numbers, turn an integer). */
function isRecordShape(v: unknown): v is ConversationRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const { timers, turn } = v as Record<string, unknown>;
  if (!('snapshot' in v) || !Number.isSafeInteger(turn)) return false;
  if (typeof timers !== 'object' || timers === null || Array.isArray(timers)) return false;
  for (const k in timers) if (typeof (timers as Record<string, unknown>)[k] !== 'number') return false;
  return true;
}

/**
 * A timer as both stores keep it beside its member (timerMember): when it is due and where to
 * answer, as JSON; the conversation and the name are the member's, not repeated (issue 17).
 */
export function timerData(timer: TimerSpec): string {
  return JSON.stringify({ dueAt: timer.dueAt, channel: timer.channel, customerId: timer.customerId });
}

/**
 * Reads a stored timer of `member` back (timerData; one stored before issue 17 names its
 * conversation and name itself); undefined when it is unreadable (the store then drops it).
 */
export function parseTimer(raw: string, member: string): TimerSpec | undefined {
  const cut = member.indexOf('\u001f');
  const v = readStored(z.record(z.string(), z.unknown()), raw);
  const parsed = v && TimerSpec.safeParse({ conversationId: member.slice(0, cut), name: member.slice(cut + 1), ...v });
  return parsed?.success ? parsed.data : undefined;
}

/** The event id of a stored inbox entry, read without trusting the rest of it. */
export function inboundId(raw: string): string | undefined {
  try {
    const v = JSON.parse(raw) as { id?: unknown };
    return typeof v.id === 'string' ? v.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lifecycle events kept per ticket: the first this many, in time order; later ones are dropped
 * (a ticket's life is a dozen steps: 200 only bounds a runaway writer, about 30 KB of JSON).
 */
export const MAX_TICKET_EVENTS = 200;

/** When two events are one step recorded twice (a retried delivery): same type, time and actor (see TicketEvent). */
function eventKey(e: TicketEvent): string {
  return `${e.type}\u0000${e.at}\u0000${e.by?.id ?? ''}`;
}

/**
 * `stored` with each of `added` that it does not have yet (eventKey), in time order (a stable
 * sort: events of the same time keep the order they were recorded in), the first
 * MAX_TICKET_EVENTS of them. Undefined when neither has any: a ticket without events gets none invented.
 */
export function mergeEvents(
  stored: readonly TicketEvent[] | undefined,
  added: readonly TicketEvent[] | undefined,
): TicketEvent[] | undefined {
  if (!stored?.length && !added?.length) return stored || added ? [] : undefined;
  const seen = new Set<string>();
  const all = [...(stored ?? []), ...(added ?? [])].filter((e) => {
    const key = eventKey(e);
    return !seen.has(key) && Boolean(seen.add(key));
  });
  return all.sort((a, b) => a.at - b.at).slice(0, MAX_TICKET_EVENTS);
}

/**
 * The ticket a put writes over `stored` (undefined: none yet): the new ticket, keeping the
 * lifecycle events the stored one has (TicketStore.put: a retried put never loses later steps).
 */
export function putOver(stored: Ticket | undefined, ticket: Ticket): Ticket {
  const events = mergeEvents(stored?.events, ticket.events);
  return events ? { ...ticket, events } : ticket;
}

/**
 * The ticket after `changes`, or undefined when `ifStatus` is given and the ticket no longer has
 * it (the caller then returns the ticket unchanged). `changes.events` are appended, each once
 * (mergeEvents), and so are `addFacts` and `addFiles` (withAdditions). `updatedAt` never goes back: a late writer with an older clock must not make a
 * ticket look staler than it is.
 */
export function mergeTicket(
  current: Ticket,
  changes: TicketChanges,
  at: number,
  ifStatus?: TicketStatus,
): Ticket | undefined {
  if (ifStatus && current.status !== ifStatus) return undefined;
  const { events: added, addFacts, addFiles, ...rest } = changes;
  const events = added ? mergeEvents(current.events, added) : current.events;
  const base = withAdditions(current, { addFacts, addFiles });
  return { ...base, ...rest, ...(events ? { events } : {}), updatedAt: Math.max(current.updatedAt, at) };
}

/** Tickets listed when the query names no limit. */
export const TICKET_LIST_LIMIT = 50;

/** Whether a ticket's words (need, facts, outcome, comment) contain `text`, ignoring case. */
function mentions(t: Ticket, text: string): boolean {
  const needle = text.toLocaleLowerCase();
  return [t.need, ...t.facts, t.outcome, t.comment ?? ''].some((w) => w.toLocaleLowerCase().includes(needle));
}

/** How many tickets a query lists, and which (every field given must match: TicketQuery). */
export function ticketQuery(query: TicketQuery): { limit: number; matches: (t: Ticket) => boolean } {
  const text = query.text?.trim();
  return {
    limit: query.limit ?? TICKET_LIST_LIMIT,
    matches: (t) =>
      (query.id === undefined || t.id === query.id) &&
      (!query.status || t.status === query.status) &&
      (!query.conversationId || t.conversationId === query.conversationId) &&
      (query.customerId === undefined || t.customer.id === query.customerId) &&
      (query.from === undefined || t.createdAt >= query.from) &&
      (query.to === undefined || t.createdAt < query.to) &&
      (!text || mentions(t, text)),
  };
}

/**
 * The list order: newest first, ties by id descending. It is the order of a Redis sorted set read
 * with ZREVRANGE (score, then member, both descending), so the memory store sorts the same way.
 */
export function newestFirst(a: Ticket, b: Ticket): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

// ---- unanswered questions

/** Questions listed when the query names no limit. */
export const UNANSWERED_LIST_LIMIT = 50;

/** One question of one locale, as the key of the stores' maps and sorted sets. */
export function unansweredMember(locale: string, text: string): string {
  return `${locale}\u001f${text}`;
}

/** What is stored once per question (its count and last asking are kept in sorted sets). */
export const StoredQuestion = z.object({ text: z.string(), locale: z.string(), firstSeen: z.number() });
export type StoredQuestion = z.infer<typeof StoredQuestion>;

/** Parses a stored question; undefined when it is unreadable (it is then left out of lists). */
export function parseQuestion(raw: string): StoredQuestion | undefined {
  return readStored(StoredQuestion, raw);
}

/** How many questions a query lists, in which order, and which. */
export function unansweredQuery(query: UnansweredQuery): {
  limit: number;
  sort: UnansweredSort;
  matches: (q: UnansweredQuestion) => boolean;
} {
  return {
    limit: query.limit ?? UNANSWERED_LIST_LIMIT,
    sort: query.sort ?? 'count',
    matches: (q) => !query.locale || q.locale === query.locale,
  };
}

/** The value a list is sorted by first: the count, or the latest asking. */
export function primaryOf(sort: UnansweredSort, q: UnansweredQuestion): number {
  return sort === 'recent' ? q.lastSeen : q.count;
}

/**
 * The list order: by the sort's value (count or latest asking), then the other, then locale and
 * text, so both stores list ties the same way.
 */
export function unansweredOrder(sort: UnansweredSort): (a: UnansweredQuestion, b: UnansweredQuestion) => number {
  const other: UnansweredSort = sort === 'recent' ? 'count' : 'recent';
  return (a, b) =>
    primaryOf(sort, b) - primaryOf(sort, a) ||
    primaryOf(other, b) - primaryOf(other, a) ||
    (a.locale < b.locale ? -1 : a.locale > b.locale ? 1 : 0) ||
    (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
}

/**
 * Which questions go when there are more than the bound: the least recently asked, ties by member
 * in byte order. It is the order of a Redis sorted set read with ZRANGE (score, then member), so
 * the memory store forgets the same ones.
 */
export function evictionOrder(
  a: { member: string; lastSeen: number },
  b: { member: string; lastSeen: number },
): number {
  return a.lastSeen - b.lastSeen || Buffer.compare(Buffer.from(a.member), Buffer.from(b.member));
}
