import { openRecordOrSay, withProductionStore } from './production-store.js';
import { isSupportedLocale, SUPPORTED_LOCALES_TEXT } from '../../flows/locales.js';
import type { Config } from '../config.js';
import type { UnansweredQuestion, UnansweredSort, UnansweredStore } from '../ports.js';

/**
 * `npm run unanswered`: what customers asked that the knowledge base could not answer (issue 11),
 * most asked or most recent first, so admins know which entries to write. Read from the
 * production store, like the tickets.
 */

const SORTS: readonly UnansweredSort[] = ['count', 'recent'];

export interface UnansweredOptions {
  locale: string | undefined;
  limit: string | undefined;
  sort: string | undefined;
}

/** What `npm run unanswered` lists, from its options as given. */
export interface UnansweredQuery {
  locale: string | undefined;
  sort: UnansweredSort;
  limit: number;
}

/**
 * Reads the options, or says in one line what is wrong with them (the caller prints the usage
 * under it and exits 2, as for every command line the tools cannot run).
 */
export function parseUnansweredQuery(options: UnansweredOptions): UnansweredQuery | { problem: string } {
  const { locale, limit, sort } = options;
  if (locale !== undefined && !isSupportedLocale(locale))
    return { problem: `--locale must be ${SUPPORTED_LOCALES_TEXT} (got "${locale}")` };
  const order = SORTS.find((s) => s === (sort ?? 'count'));
  if (!order) return { problem: `--sort must be ${SORTS.join(' or ')} (got "${sort}")` };
  const n = limit === undefined ? 50 : Number(limit);
  if (limit?.trim() === '' || !Number.isInteger(n) || n < 1 || n > 10_000)
    return { problem: `--limit must be a whole number from 1 to 10000 (got "${limit}")` };
  return { locale, sort: order, limit: n };
}

/** Prints one line per question under a header; exit 0 (1 when the store cannot be read). */
export async function listUnanswered(config: Config, query: UnansweredQuery): Promise<number> {
  const { locale, sort: order, limit: n } = query;
  return withUnanswered(config, async (store) => {
    const list = await store.list({ ...(locale ? { locale } : {}), sort: order, limit: n });
    if (list.length === 0) {
      process.stdout.write('no unanswered questions\n');
      return 0;
    }
    process.stdout.write(`${formatRow(['count', 'last asked (UTC)', 'first asked (UTC)', 'locale', 'question'])}\n`);
    for (const q of list) process.stdout.write(`${formatQuestion(q)}\n`);
    return 0;
  });
}

/** One question as a row: count, latest and first asking (UTC, to the second), locale, text. */
export function formatQuestion(q: UnansweredQuestion): string {
  return formatRow([String(q.count), utc(q.lastSeen), utc(q.firstSeen), q.locale, q.text]);
}

function formatRow([count, last, first, locale, text]: [string, string, string, string, string]): string {
  return `${count.padStart(5)}  ${last.padEnd(20)}  ${first.padEnd(20)}  ${locale.padEnd(6)}  ${text}`;
}

function utc(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19)}Z`;
}

/** The system of record when there is one (PostgreSQL, or PGlite's folder: stop the bot first), else Redis. */
async function withUnanswered(config: Config, work: (store: Pick<UnansweredStore, 'list'>) => Promise<number>) {
  const record = await openRecordOrSay(config);
  if (record === null) return 1;
  if (record)
    try {
      return await work({ list: (query) => record.unansweredQuestions(query) });
    } finally {
      await record.close();
    }
  return withProductionStore(
    config,
    'With RECORD_STORE=off unanswered questions are kept in Redis: set REDIS_URL. (The playground without Redis keeps them in memory only.)',
    (store) => work(store.unanswered),
  );
}
