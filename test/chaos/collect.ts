import { openRecordStore } from '../../adapters/record/index.js';
import { millis } from '../../adapters/record/rows.js';
import { RedisStore } from '../../adapters/store/redis.js';
import { createLogger } from '../../bots/log.js';
import type { Line } from './accounting.js';
import { until } from './basics.js';
import type { SlackPost } from './slack-api.js';
import { REDIS_PREFIX, type Stage } from './stage.js';

/** How long nothing new may be sent before the run counts as settled (ms). */
const QUIET_MS = 5_000;

/** What the end of the run found still unfinished. */
export interface Leftovers {
  /** Customer messages no replica had answered 2xx. */
  backlog: number;
  /** Conversations Redis still listed with work to do (inbox or outbox). */
  pending: number;
  /** How long settling took (ms). */
  settleMs: number;
}

/**
 * Waits, up to `timeoutMs`, until every customer message was answered, no conversation has work
 * left in Redis, and neither Telegram nor Slack has received anything for 5 s; then stops both
 * replicas the way a deployment does (SIGTERM).
 */
export async function settle(stage: Stage, timeoutMs: number): Promise<Leftovers> {
  const started = Date.now();
  const left = () => Math.max(0, timeoutMs - (Date.now() - started));
  await until(() => stage.delivery.backlog() === 0, left(), 500);
  const store = await RedisStore.connect({ url: stage.redis.url, prefix: REDIS_PREFIX });
  try {
    let seen = -1;
    let quietSince = Date.now();
    await until(
      async () => {
        const now = stage.telegram.sent.length + stage.slack.posts.length;
        if (now !== seen) [seen, quietSince] = [now, Date.now()];
        return Date.now() - quietSince >= QUIET_MS && (await store.pending(1)).length === 0;
      },
      left(),
      500,
    );
    const leftovers = { backlog: stage.delivery.backlog(), pending: (await store.pending(10_000)).length };
    await Promise.all(stage.replicas.map((r) => r.stop()));
    return { ...leftovers, settleMs: Date.now() - started };
  } finally {
    await store.close();
  }
}

/** The transcripts as the bot recorded them: the lines customers should have read, and the turns per event. */
export interface Transcripts {
  /** Bot and agent lines meant for the customer, per chat in the archive's order. */
  lines: Line[];
  /** The customer's lines per event id: the archive's count or Redis's, whichever is larger. */
  turns: Map<string, number>;
  /** Events Redis's transcript has and the archive lacks (its writes still waiting, or lost). */
  archiveBehind: number;
}

/** Lines of the transcript that never reach the customer: agents' internal notes and held-back replies. */
const NOT_FOR_CUSTOMER = /^\[(internal|blocked)/;

/** Reads the record's archive (in the order it was written) and Redis's transcripts of the run's chats. */
export async function readTranscripts(stage: Stage, chats: readonly number[]): Promise<Transcripts> {
  const ids = chats.map((c) => `telegram:${c}`);
  const record = openRecordStore({ url: stage.databaseUrl, log: createLogger('silent') });
  const lines: Line[] = [];
  const archived = new Map<string, number>();
  try {
    const db = await record.database();
    const rows = await db
      .selectFrom('transcript_entries')
      .select(['conversation_id', 'event_id', 'from', 'text', 'at'])
      .where('conversation_id', 'in', ids)
      .orderBy('seq')
      .execute();
    for (const row of rows) {
      if (row.from === 'customer') archived.set(row.event_id, (archived.get(row.event_id) ?? 0) + 1);
      if ((row.from !== 'bot' && row.from !== 'agent') || NOT_FOR_CUSTOMER.test(row.text)) continue;
      const chatId = Number(row.conversation_id.split(':')[1]);
      lines.push({ chatId, eventId: row.event_id, text: row.text, at: millis(row.at) });
    }
  } finally {
    await record.close();
  }
  const turns = new Map(archived);
  let archiveBehind = 0;
  const store = await RedisStore.connect({ url: stage.redis.url, prefix: REDIS_PREFIX });
  try {
    for (const id of ids) {
      const inRedis = new Map<string, number>();
      for (const entry of await store.transcript(id, 100_000))
        if (entry.from === 'customer') inRedis.set(entry.eventId, (inRedis.get(entry.eventId) ?? 0) + 1);
      for (const [eventId, n] of inRedis) {
        if (!archived.has(eventId)) archiveBehind++;
        turns.set(eventId, Math.max(n, turns.get(eventId) ?? 0));
      }
    }
  } finally {
    await store.close();
  }
  return { lines, turns, archiveBehind };
}

/** Each chat's posts in the threads of its cards. */
export function threadsOf(stage: Stage, chats: readonly number[]): Map<number, SlackPost[]> {
  const threads = new Map<number, SlackPost[]>();
  for (const chat of chats) {
    const cards = new Set(stage.slack.cards.filter((c) => c.conversationId === `telegram:${chat}`).map((c) => c.ts));
    threads.set(
      chat,
      stage.slack.posts.filter((p) => p.threadTs !== undefined && cards.has(p.threadTs)),
    );
  }
  return threads;
}
