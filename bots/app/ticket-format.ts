import { stringify } from 'csv-stringify/sync';
import type { Ticket } from '../../flows/ticket.js';
import { localDateTime, scoreOf } from '../ticket-search.js';

/**
 * How `npm run tickets -- search` prints tickets: an aligned table for people (the default), the
 * tickets as stored (JSON) for programs, or CSV (RFC 4180) for spreadsheets.
 */

export const FORMATS = ['table', 'json', 'csv'] as const;
export type TicketFormat = (typeof FORMATS)[number];

/** What the printing needs besides the tickets: the time zone dates are shown in, and category names. */
export interface FormatContext {
  timeZone: string;
  /** A complaint category's name (the default definition's), by id; the id when it has none. */
  category: (id: string) => string;
}

/** Characters of the need shown in the table (display columns: a Chinese character counts 2). */
export const TABLE_NEED_COLUMNS = 40;

/** The tickets in a format, ending with a line break. */
export function formatTickets(tickets: readonly Ticket[], format: TicketFormat, ctx: FormatContext): string {
  if (format === 'json') return `${JSON.stringify(tickets, null, 2)}\n`;
  if (format === 'csv') return toCsv(tickets, ctx);
  return toTable(tickets, ctx);
}

/**
 * Columns a terminal gives a character: 2 for East Asian wide and full-width ones (CJK, Hangul,
 * kana, full-width forms), 0 for combining marks, 1 otherwise. Enough to align Chinese text; not
 * a full wcwidth.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (/\p{Mn}/u.test(ch)) continue;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

/** The text cut to `columns` display columns, "…" marking a cut; line breaks read as spaces. */
export function clipColumns(text: string, columns: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (displayWidth(flat) <= columns) return flat;
  let out = '';
  for (const ch of flat) {
    if (displayWidth(out + ch) > columns - 1) break;
    out += ch;
  }
  return `${out}…`;
}

function pad(text: string, columns: number): string {
  return text + ' '.repeat(Math.max(0, columns - displayWidth(text)));
}

const HEADER = ['id', 'created', 'type', 'category', 'status', 'customer', 'score', 'need'] as const;

function toTable(tickets: readonly Ticket[], ctx: FormatContext): string {
  if (tickets.length === 0) return 'no tickets\n';
  const rows = tickets.map((t) => [
    t.id,
    localDateTime(ctx.timeZone, t.createdAt),
    t.type,
    t.category ? ctx.category(t.category) : '',
    t.status,
    clipColumns(t.customer.name ? `${t.customer.id} (${t.customer.name})` : t.customer.id, 30),
    scoreOf(t),
    clipColumns(t.need, TABLE_NEED_COLUMNS),
  ]);
  const all = [[...HEADER], ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => displayWidth(r[i] ?? ''))));
  // The last column is not padded: nothing follows it.
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${all.map(line).join('\n')}\n`;
}

const CSV_HEADER = [
  'id',
  'created_utc',
  'created_local',
  'type',
  'category',
  'status',
  'channel',
  'customer_id',
  'customer_name',
  'score',
  'promised_by_utc',
  'claimed_by',
  'resolved_by',
  'need',
  'facts',
  'outcome',
  'comment',
] as const;

const utc = (at: number | undefined) => (at === undefined ? '' : new Date(at).toISOString());

/**
 * RFC 4180 by csv-stringify: comma-separated, CRLF line ends, a field quoted when it holds a
 * comma, a quote or a line break. A field that starts like a formula (=, +, -, @, a tab or
 * carriage return) gets a leading apostrophe (`escape_formulas`), so a spreadsheet shows what a
 * customer wrote instead of running it (OWASP "CSV injection").
 */
function toCsv(tickets: readonly Ticket[], ctx: FormatContext): string {
  const rows = tickets.map((t) => [
    t.id,
    utc(t.createdAt),
    localDateTime(ctx.timeZone, t.createdAt),
    t.type,
    t.category ?? '',
    t.status,
    t.channel,
    t.customer.id,
    t.customer.name ?? '',
    t.satisfaction === undefined ? '' : String(t.satisfaction),
    utc(t.promisedBy),
    t.claimedBy?.name ?? t.claimedBy?.id ?? '',
    t.resolvedBy?.name ?? t.resolvedBy?.id ?? '',
    t.need,
    t.facts.join(' | '),
    t.outcome,
    t.comment ?? '',
  ]);
  return stringify([[...CSV_HEADER], ...rows], { record_delimiter: 'windows', escape_formulas: true });
}
