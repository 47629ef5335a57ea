import { html } from 'hono/html';
import type { Account } from '../../bots/accounts-port.js';
import { localDateTime } from '../../bots/ticket-search.js';
import type { Ticket, TicketEvent } from '../../flows/ticket.js';
import { maskPII } from '../desk/pii.js';
import type { ConsoleDeps } from './deps.js';
import type { Html } from './layout.js';
import type { CodeWords } from './words-codes.js';

/**
 * What a role may see of personal data (README: "The console"): admins see tickets and
 * transcripts as stored; supervisors see customer names and ids shortened, and phone numbers,
 * e-mail addresses, resident ID and card numbers masked in every text (adapters/desk/pii.ts, the
 * rule the agents' Slack channel uses).
 */
export interface Viewer {
  text(value: string): string;
  customerId(id: string): string;
  customerName(name: string | undefined): string;
  readonly masked: boolean;
}

export function viewerFor(account: Pick<Account, 'role'>): Viewer {
  if (account.role === 'admin')
    return { text: (v) => v, customerId: (id) => id, customerName: (n) => n ?? '', masked: false };
  return {
    text: maskPII,
    customerId: maskId,
    customerName: (n) => (n ? `${[...n][0]}**` : ''),
    masked: true,
  };
}

/**
 * A customer id as a supervisor sees it: at most a fifth of it shown, at its ends, so a row can be
 * told apart without the id (found by the issue-17 trial: `local` was `lo***al`, four of five).
 */
export function maskId(id: string): string {
  const chars = [...id];
  const keep = Math.floor(chars.length / 10);
  return keep === 0 ? '***' : `${chars.slice(0, keep).join('')}***${chars.slice(-keep).join('')}`;
}

/** The console's time zone: the default definition's (ticket ids and business hours use it). */
export function timeZoneOf(deps: ConsoleDeps): string {
  return deps.flows.reportDefinition('zh-CN')?.timeZone ?? 'UTC';
}

/** "2026-11-30 14:05" in the console's time zone. */
export function when(deps: ConsoleDeps, at: number | undefined): string {
  return at === undefined ? '' : localDateTime(timeZoneOf(deps), at);
}

/** Who holds or resolved a ticket, as the desk named them. */
export function agentName(t: Ticket): string {
  const a = t.claimedBy ?? t.resolvedBy;
  return a ? (a.name ?? a.id) : '';
}

/** A code of the record in the console's words, the code kept in its title (the CLI and Slack search by codes). */
export function coded<K extends string>(words: Readonly<Record<K, string>>, code: K): Html {
  return html`<span title="${code}">${words[code]}</span>`;
}

/** The word for `code`, when it is one of `words`' codes. */
function wordOf<K extends string>(words: Readonly<Record<K, string>>, code: string): string | undefined {
  return Object.hasOwn(words, code) ? words[code as K] : undefined;
}

/**
 * What an event's detail says. The details that are codes (adapters/record/forget.ts CODE_DETAILS)
 * in words: a handoff's reason (`asked`, or `asked, after hours`: flows/service/handoff.ts) and an
 * escalation's (`working-days`); any other detail (an outcome, a comment) is someone's words, as written.
 */
export function eventDetail(codes: CodeWords, e: TicketEvent): string | undefined {
  if (!e.detail) return undefined;
  if (e.type === 'escalated') return wordOf(codes.escalationReasons, e.detail) ?? e.detail;
  if (e.type !== 'handed-off') return e.detail;
  const [, code = '', afterHours] = /^(.*?)(, after hours)?$/.exec(e.detail) ?? [];
  const reason = wordOf(codes.handoffReasons, code);
  if (!reason) return e.detail;
  return afterHours ? codes.afterHours(reason) : reason;
}
