import { localParts } from '../flows/hours.js';
import { TicketStatus, type Ticket } from '../flows/ticket.js';
import type { TicketQuery } from './ports.js';

/**
 * The ticket search that staff run from the CLI (`npm run tickets -- search`), agents from Slack
 * (`/tickets QUERY`) and supervisors from the console, read and checked in one place so all accept
 * the same things (issue 13: agents see the customer's history). Dates are local dates in a time zone (the default
 * definition's: the one its ticket ids and business hours use), or a full ISO time with its
 * offset; `to` includes the day it names.
 */

/** The fields of a search as typed, before they are checked. */
export interface SearchFields {
  customer?: string | undefined;
  id?: string | undefined;
  text?: string | undefined;
  status?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: string | undefined;
}

/** How a field is named in a problem: `--from` on the command line, `from:` in Slack. */
export type FieldName = (field: keyof SearchFields) => string;

/** A ticket id as the bot gives them (see flows/ticket.ts ticketId): `T261130-4KQ9ZC1A7X`. */
export const TICKET_ID = /^T\d{6}-[0-9A-Z]{10}$/i;

/** The most tickets one search lists. */
export const SEARCH_MAX = 10_000;

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:[zZ]|[+-]\d{2}:?\d{2})$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Epoch ms of 00:00 of a local date (`YYYY-MM-DD`) in a time zone; undefined when there is no
 * such date (2026-02-30). Found from the zone's offset at that instant, checked a second time for
 * a day whose offset changes (daylight saving).
 */
export function localMidnight(timeZone: string, date: string): number | undefined {
  const m = LOCAL_DATE.exec(date);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const wall = Date.UTC(year, month - 1, day);
  const probe = new Date(wall);
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day)
    return undefined;
  let at = wall;
  for (let i = 0; i < 2; i++) at = wall - (wallClockUtc(timeZone, at) - at);
  return at;
}

/** The wall-clock time at `at` in a time zone, read as if it were UTC (to the minute). */
function wallClockUtc(timeZone: string, at: number): number {
  const { date, time } = localParts(timeZone, at);
  return Date.parse(`${date}T${time}:00Z`) + (at % 60_000);
}

/** "2026-11-30 14:05": a time as staff read it in a time zone. */
export function localDateTime(timeZone: string, at: number): string {
  const { date, time } = localParts(timeZone, at);
  return `${date} ${time}`;
}

/**
 * What is wrong with a search, as data naming the field (one of SearchFields) and the value as
 * typed: the CLI and Slack say it in English (searchProblemText, with the field as they name it),
 * the console in its own language (adapters/console/words-problems.ts).
 */
export type SearchProblem =
  | { kind: 'empty'; field: 'customer' | 'id' }
  | { kind: 'status'; got: string }
  | { kind: 'date'; field: 'from' | 'to'; got: string; timeZone: string }
  | { kind: 'order'; from: string; to: string }
  | { kind: 'limit'; got: string; max: number };

/** A search problem in one English line, each field named by `name` (`--from`, `from:`). */
export function searchProblemText(p: SearchProblem, name: FieldName): string {
  switch (p.kind) {
    case 'empty':
      return `${name(p.field)} needs a value`;
    case 'status':
      return `${name('status')} must be one of ${TicketStatus.options.join(', ')} (got "${p.got}")`;
    case 'date':
      return `${name(p.field)} must be a date (YYYY-MM-DD, ${p.timeZone} time) or a time with its offset, e.g. 2026-11-30T09:00:00+08:00 (got "${p.got}")`;
    case 'order':
      return `${name('from')} must be before ${name('to')} (got ${p.from} and ${p.to})`;
    case 'limit':
      return `${name('limit')} must be a whole number from 1 to ${p.max} (got "${p.got}")`;
  }
}

/**
 * The epoch ms bound of a date given for `from` (its start) or `to` (the end of that day, so the
 * day is included; a full time is included too). A problem otherwise.
 */
function bound(value: string, timeZone: string, edge: 'from' | 'to'): number | { problem: SearchProblem } {
  const v = value.trim();
  const dayStart = localMidnight(timeZone, v);
  if (dayStart !== undefined) {
    if (edge === 'from') return dayStart;
    const [y, mo, d] = v.split('-').map(Number);
    const next = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, (d ?? 1) + 1)).toISOString().slice(0, 10);
    return localMidnight(timeZone, next) ?? dayStart + 86_400_000;
  }
  const at = ISO_WITH_OFFSET.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(at)) return { problem: { kind: 'date', field: edge, got: value, timeZone } };
  return edge === 'from' ? at : at + 1;
}

/**
 * The store query for fields as typed (absent ones: no condition; `limit` absent: `defaultLimit`),
 * or what is wrong with them: a status that is not a TicketStatus, a date that is not one, `from`
 * after `to`, a limit that is not a whole number from 1 to SEARCH_MAX, an empty customer or id.
 */
export function checkSearch(
  fields: SearchFields,
  timeZone: string,
  defaultLimit = 50,
): TicketQuery | { problem: SearchProblem } {
  const query: TicketQuery = {};
  for (const key of ['customer', 'id'] as const) {
    const value = fields[key]?.trim();
    if (value === '') return { problem: { kind: 'empty', field: key } };
  }
  if (fields.customer !== undefined) query.customerId = fields.customer.trim();
  if (fields.id !== undefined) query.id = fields.id.trim().toUpperCase();
  const text = fields.text?.trim();
  if (text) query.text = text;
  if (fields.status !== undefined) {
    const status = TicketStatus.safeParse(fields.status.trim().toLowerCase());
    if (!status.success) return { problem: { kind: 'status', got: fields.status } };
    query.status = status.data;
  }
  for (const edge of ['from', 'to'] as const) {
    const value = fields[edge];
    if (value === undefined) continue;
    const at = bound(value, timeZone, edge);
    if (typeof at !== 'number') return at;
    query[edge] = at;
  }
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to)
    return { problem: { kind: 'order', from: fields.from ?? '', to: fields.to ?? '' } };
  const limit = fields.limit === undefined ? defaultLimit : Number(fields.limit);
  if (fields.limit?.trim() === '' || !Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX)
    return { problem: { kind: 'limit', got: fields.limit ?? String(defaultLimit), max: SEARCH_MAX } };
  query.limit = limit;
  return query;
}

/** checkSearch with its problem in one English line naming the field as `name` does (the CLI, Slack). */
export function searchQuery(
  fields: SearchFields,
  timeZone: string,
  name: FieldName,
  defaultLimit = 50,
): TicketQuery | { problem: string } {
  const query = checkSearch(fields, timeZone, defaultLimit);
  return 'problem' in query ? { problem: searchProblemText(query.problem, name) } : query;
}

const WORD_KEYS = ['customer', 'status', 'from', 'to', 'id'] as const;

/**
 * The fields of a search typed as words (Slack's `/tickets QUERY`): a ticket id
 * (`T261130-4KQ9ZC1A7X`), `customer:ID`, `status:pending`, `from:2026-11-01`, `to:2026-11-30`
 * (`id:` also works), the other words are the text. A key given twice: the last one counts.
 */
export function searchWords(query: string): SearchFields {
  const fields: SearchFields = {};
  const text: string[] = [];
  for (const word of query.trim().split(/\s+/).filter(Boolean)) {
    const colon = word.search(/[:：]/);
    const key = WORD_KEYS.find((k) => k === word.slice(0, colon).toLowerCase());
    if (key && colon > 0) fields[key] = word.slice(colon + 1);
    else if (TICKET_ID.test(word)) fields.id = word;
    else text.push(word);
  }
  if (text.length) fields.text = text.join(' ');
  return fields;
}

/** Whether a search names anything at all (an empty `/tickets` lists nothing, it explains). */
export function isEmptySearch(query: TicketQuery): boolean {
  const { limit: _limit, ...conditions } = query;
  return Object.keys(conditions).length === 0;
}

/** A ticket's score as shown in lists: "4/5", or "" before the customer rated it. */
export function scoreOf(t: Ticket): string {
  return t.satisfaction === undefined ? '' : `${t.satisfaction}/5`;
}
