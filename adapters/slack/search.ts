import type { Logger } from '../../bots/log.js';
import type { TicketStore } from '../../bots/ports.js';
import { isEmptySearch, localDateTime, searchQuery, searchWords, type FieldName } from '../../bots/ticket-search.js';
import type { Ticket } from '../../flows/ticket.js';
import type { DeskText } from '../desk/text.js';
import { safe } from './blocks.js';
import { clip, SLACK_LIMITS } from './limits.js';

/**
 * The desk's ticket search in Slack: `/tickets QUERY`, answered privately (ephemeral) to the
 * agent who typed it, in the HTTP answer to the command (Slack wants it within 3 s). The query is
 * read like the CLI's search (bots/ticket-search.ts); only the desk's channels may use it, since
 * the answer shows customers' needs.
 */

/** The command as registered in the Slack app (manifest.yaml). */
export const SEARCH_COMMAND = '/tickets';

/** Tickets shown in one answer; more are counted up to SEARCH_COUNT. */
export const SEARCH_SHOWN = 10;
const SEARCH_COUNT = 100;
/** The need on a result line, in characters. */
const NEED_CHARS = 80;

export interface SlackSearchOptions {
  tickets: TicketStore;
  /** The default definition's time zone (dates typed and shown are local to it); read per search. */
  timeZone: () => string;
  /** Where the search may be used: the agents' channel and the category channels; read per search. */
  deskChannels: () => readonly string[];
  text: DeskText;
  log: Logger;
}

/** What Slack shows the agent: an ephemeral message. */
export interface SearchAnswer {
  response_type: 'ephemeral';
  text: string;
}

/** A search word as agents type it, for problems: `status:`. */
const asTyped: FieldName = (field) => `${field}:`;

/**
 * The answer to `/tickets QUERY` typed in `channel`: the usage for an empty query, the problem
 * and the usage for one that cannot be read, else up to SEARCH_SHOWN tickets newest first, one
 * line each, with how many more matched. Never throws: a store that fails is said so.
 */
export async function searchAnswer(options: SlackSearchOptions, query: string, channel: string): Promise<SearchAnswer> {
  const t = options.text.search;
  const say = (text: string): SearchAnswer => ({
    response_type: 'ephemeral',
    text: clip(text, SLACK_LIMITS.sectionText),
  });
  if (!options.deskChannels().includes(channel)) return say(t.notHere);
  const timeZone = options.timeZone();
  const read = searchQuery(searchWords(query), timeZone, asTyped, SEARCH_COUNT);
  if ('problem' in read) return say(`${t.problem(read.problem)}\n${t.usage(SEARCH_COMMAND)}`);
  if (isEmptySearch(read)) return say(t.usage(SEARCH_COMMAND));
  let found: Ticket[];
  try {
    found = await options.tickets.list(read);
  } catch (err) {
    options.log.error('ticket search failed', { error: String(err) });
    return say(t.failed);
  }
  if (found.length === 0) return say(t.none);
  const shown = found.slice(0, SEARCH_SHOWN);
  const atLeast = found.length >= SEARCH_COUNT;
  const lines = [
    t.found(shown.length, found.length, atLeast),
    ...shown.map((ticket) => resultLine(ticket, timeZone, options.text)),
    ...(found.length > shown.length ? [t.more(found.length - shown.length, atLeast)] : []),
  ];
  return say(lines.join('\n'));
}

/** `*T261130-4KQ9ZC1A7X* · 2026-11-30 · 商品质量 · 待处理 · 4/5 · need`: the need masked and escaped like a card's. */
function resultLine(ticket: Ticket, timeZone: string, text: DeskText): string {
  const parts = [
    `*${ticket.id}*`,
    localDateTime(timeZone, ticket.createdAt).slice(0, 10),
    ticket.category ? safe(text.category(ticket.category)) : ticket.type,
    text.search.statuses[ticket.status],
    ticket.satisfaction === undefined ? text.search.unrated : `${ticket.satisfaction}/5`,
    safe(clip(ticket.need.replace(/\s+/g, ' '), NEED_CHARS)),
  ];
  return parts.join(' · ');
}
