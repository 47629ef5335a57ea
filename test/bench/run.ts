/**
 * `npm run bench`: the real pipeline (Telegram adapter → engine → Redis store → outbox) against
 * what grammY users would write instead, in one run, on the same Redis and stubbed Bot API.
 * Ours runs three ways: without the system of record (`ours`, the "before"), with it on a
 * PostgreSQL server (`ours+pg`: a database created for the run and dropped after; skipped with a
 * note when no server answers) and on PGlite in memory (`ours+pglite`), so what the record adds
 * per message is read in one run (issue 14). Prints a table with the targets next to the figures,
 * and writes JSON for comparing commits.
 *
 *   npm run bench -- --conversations 200 --turns 100 [--only ours] [--no-record] [--pacing-chats 1000] [--no-pacing]
 *                    [--latency-conversations 1000 --latency-seconds 20 --think-ms 2000] [--no-latency]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { openRecordStore, type OpenedRecordStore } from '../../adapters/record/index.js';
import { RedisStore } from '../../adapters/store/redis.js';
import { createTelegram } from '../../adapters/telegram/index.js';
import { Engine } from '../../bots/engine.js';
import { createLogger } from '../../bots/log.js';
import { RecordWriter } from '../../bots/record-writes.js';
import type { Ticket } from '../../flows/ticket.js';
import { defaultFlow } from '../support/flows.js';
import { findRedis } from '../support/redis-server.js';
import { BOT_INFO, TOKEN } from '../support/telegram.js';
import { conversationsBot, floorBot, stubFetch } from './baselines.js';
import { runPacing, type PacingResult } from './pacing.js';
import {
  freshDatabase,
  probePostgres,
  recordRows,
  serverUrl,
  ServerCpu,
  ticketDigest,
  TimedRecord,
  type RecordRows,
  type WriteTimes,
} from './record.js';

/** One standard conversation, looping: greeting → need → confirm → answer → another → close → survey. */
const SCRIPT = ['你好', '我的订单还没发货', '是的', '还有问题', '怎么开发票', '是的', '没有了', '5'];

interface Driver {
  send(chatId: number, text: string, updateId: number): Promise<void>;
  /** Redis bytes of one conversation's state (MEMORY USAGE), and of its transcript and dedup ids when separate. */
  bytes(chatId: number): Promise<{ state: number; transcript: number; dedup: number }>;
  /** The tickets the run left (read after it, untimed). */
  tickets(): Promise<Ticket[]>;
  /** Right before the timed part (the record variants start reading the server's CPU). */
  begin?(): Promise<void>;
  /** Right after the conversations, still timed: the record's backlog applied, if any (the record is complete). */
  settle?(): Promise<{ deferredAtEnd: number; drainMs: number }>;
  /** After the timed part: what the record holds and what its writes took. */
  finish?(): Promise<
    Omit<RecordResult, 'deferredAtEnd' | 'drainMs' | 'serverCpuUsPerMessage'> & { serverCpuUs?: number }
  >;
  close(): Promise<void>;
}

/** What the system of record did in a record variant (issue 14). */
export interface RecordResult {
  kind: 'postgres' | 'pglite';
  /** Rows in the record after the run: every variant that walked the conversations must have written some. */
  rows: RecordRows;
  /** Each write the turns made to the record, timed from the courier (wall time, queueing included). */
  writes: WriteTimes;
  /** Writes deferred to Redis (the database did not take them in the turn) and still waiting when the conversations ended. */
  deferredAtEnd: number;
  /** How long applying that backlog took (ms; 0 when there was none): counted in the variant's time and CPU. */
  drainMs: number;
  /**
   * The PostgreSQL server's CPU per message (µs): its backends for the run's database, read from
   * /proc (not the WAL writer and checkpointer, which serve every database). Undefined for PGlite
   * (its CPU is this process's) and when the server is not on this machine.
   */
  serverCpuUsPerMessage?: number;
  serverBackends?: number;
}

export interface VariantResult {
  name: string;
  messages: number;
  seconds: number;
  perSecond: number;
  /** This process's CPU time (user + system) per message: steadier than msgs/s on a shared machine. */
  cpuUsPerMessage: number;
  p50ms: number;
  p99ms: number;
  firstTurnsUs: number;
  lastTurnsUs: number;
  stateBytes: number;
  transcriptBytes: number;
  /** The ids kept for deduplication (ours; the baselines do not deduplicate). */
  dedupBytes: number;
  rssMb: number;
  replies: number;
  /** Tickets the run left in the variant's ticket store (ours: Redis; the record variants: the record). */
  tickets: number;
  /** What those tickets are (ticketDigest in record.ts): the same for every variant of ours. */
  ticketDigest: Record<string, number>;
  record?: RecordResult;
}

function update(chatId: number, text: string, updateId: number) {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private' },
      from: { id: chatId, is_bot: false, first_name: 'B', language_code: 'zh-hans' },
      text,
    },
  };
}

async function memoryUsage(redis: Redis, key: string): Promise<number> {
  return Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

/** Where a record variant keeps the record: a fresh database on the server at `admin`, or PGlite in memory. */
type RecordBackend = { kind: 'postgres'; admin: string } | { kind: 'pglite' };

async function openBenchRecord(
  backend: RecordBackend,
  log: ReturnType<typeof createLogger>,
): Promise<{ record: OpenedRecordStore; database?: { name: string; drop(): Promise<void> } }> {
  const database = backend.kind === 'postgres' ? await freshDatabase(backend.admin) : undefined;
  const record = openRecordStore(database ? { url: database.url, log } : { dataDir: 'memory://', log });
  try {
    // Opened and migrated before the timed part: PGlite's start (seconds of CPU) is not a message's cost.
    await record.ready();
  } catch (err) {
    await record.close().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    throw err;
  }
  return { record, ...(database ? { database } : {}) };
}

async function ours(
  url: string,
  prefix: string,
  onSend: (chatId: number) => void,
  backend?: RecordBackend,
): Promise<Driver> {
  const log = createLogger('error');
  const opened = backend ? await openBenchRecord(backend, log) : undefined;
  const timed = opened ? new TimedRecord(opened.record) : undefined;
  const store = await RedisStore.connect({ url, prefix, tickets: timed?.tickets });
  const telegram = createTelegram(
    {
      token: TOKEN,
      apiRoot: 'https://api.telegram.org',
      mode: { kind: 'polling' },
      allowGroups: false,
      throttle: false,
      botInfo: BOT_INFO,
      fetch: stubFetch(onSend),
    },
    { log, clock: Date.now },
  );
  const flow = defaultFlow();
  const service = telegram.receiver(
    new Engine({
      store,
      record: timed,
      flow: () => flow,
      channels: new Map([['telegram', telegram.channel]]),
      clock: Date.now,
      log,
    }),
  );
  let serverCpu: ServerCpu | undefined;
  const driver: Driver = {
    send: async (chatId, text, updateId) => void (await service.handle(update(chatId, text, updateId), { wait: true })),
    bytes: (chatId) => store.memoryUsage(`telegram:${chatId}`),
    tickets: () => store.tickets.list({ limit: 1_000_000 }),
    close: async () => {
      await store.close();
      await opened?.record.close();
      await opened?.database?.drop();
    },
  };
  if (!opened || !timed) return driver;
  const { record, database } = opened;
  return {
    ...driver,
    begin: async () => {
      if (database) serverCpu = await ServerCpu.begin((backend as { admin: string }).admin, database.name);
    },
    settle: async () => {
      const deferredAtEnd = await store.deferred.size();
      const started = performance.now();
      if (deferredAtEnd > 0) {
        const writer = new RecordWriter({ record: timed, store, log });
        // Applied until none waits; a write the database refuses stops the run (the record would be incomplete).
        while ((await store.deferred.size()) > 0)
          if ((await writer.drain()) === 0) throw new Error(`${record.kind}: the record refuses the deferred writes`);
      }
      return { deferredAtEnd, drainMs: deferredAtEnd > 0 ? performance.now() - started : 0 };
    },
    finish: async () => {
      const cpu = await serverCpu?.stop();
      return {
        kind: record.kind,
        rows: await recordRows(record),
        writes: timed.writes(),
        ...(cpu ? { serverCpuUs: cpu.us, serverBackends: cpu.backends } : {}),
      };
    },
  };
}

async function grammyBaseline(
  kind: 'floor' | 'conversations',
  url: string,
  prefix: string,
  onSend: (chatId: number) => void,
): Promise<Driver> {
  const redis = new Redis(url);
  const bot =
    kind === 'floor'
      ? floorBot(TOKEN, BOT_INFO, redis, prefix, onSend)
      : conversationsBot(TOKEN, BOT_INFO, redis, prefix, onSend);
  return {
    send: (chatId, text, updateId) => bot.handleUpdate(update(chatId, text, updateId) as never),
    bytes: async (chatId) => ({ state: await memoryUsage(redis, `${prefix}${chatId}`), transcript: 0, dedup: 0 }),
    tickets: async () => [],
    close: async () => void (await redis.quit()),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function measure(
  name: string,
  make: (onSend: (chatId: number) => void) => Promise<Driver>,
  c: number,
  t: number,
): Promise<VariantResult> {
  let replies = 0;
  const driver = await make(() => replies++);
  const perTurn: number[][] = Array.from({ length: t }, () => []);
  let updateId = 1;
  await driver.begin?.();
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: c }, async (_, i) => {
      const chatId = 1_000_000 + i;
      for (let turn = 0; turn < t; turn++) {
        const text = SCRIPT[turn % SCRIPT.length] ?? '你好';
        const s = performance.now();
        await driver.send(chatId, text, updateId++);
        perTurn[turn]?.push(performance.now() - s);
      }
    }),
  );
  const settled = await driver.settle?.();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const finished = await driver.finish?.();
  const all = perTurn.flat().sort((a, b) => a - b);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const sample = Array.from({ length: Math.min(c, 20) }, (_, i) => 1_000_000 + i);
  const bytes = await Promise.all(sample.map((id) => driver.bytes(id)));
  const tickets = await driver.tickets();
  await driver.close();
  let record: RecordResult | undefined;
  if (finished) {
    const { serverCpuUs, ...rest } = finished;
    record = {
      ...rest,
      deferredAtEnd: settled?.deferredAtEnd ?? 0,
      drainMs: settled?.drainMs ?? 0,
      ...(serverCpuUs !== undefined ? { serverCpuUsPerMessage: serverCpuUs / (c * t) } : {}),
    };
  }
  return {
    name,
    messages: c * t,
    seconds,
    perSecond: (c * t) / seconds,
    cpuUsPerMessage: (used.user + used.system) / (c * t),
    p50ms: percentile(all, 0.5),
    p99ms: percentile(all, 0.99),
    firstTurnsUs: mean(perTurn.slice(0, 5).flat()) * 1000,
    lastTurnsUs: mean(perTurn.slice(-5).flat()) * 1000,
    stateBytes: mean(bytes.map((b) => b.state)),
    transcriptBytes: mean(bytes.map((b) => b.transcript)),
    dedupBytes: mean(bytes.map((b) => b.dedup)),
    rssMb: process.memoryUsage().rss / 1_048_576,
    replies,
    tickets: tickets.length,
    ticketDigest: ticketDigest(tickets),
    ...(record ? { record } : {}),
  };
}

export interface LatencyResult {
  name: string;
  conversations: number;
  thinkMs: number;
  seconds: number;
  messages: number;
  /** Messages per second actually sent (the offered load). */
  perSecond: number;
  /** From the update's arrival to the end of its turn (replies sent, record written, lock released). */
  p50ms: number;
  p99ms: number;
  maxMs: number;
  /** From the update's arrival to its last reply handed to the Bot API: what the customer waits for. */
  replyP50ms: number;
  replyP99ms: number;
}

/** A small seeded generator, so two runs offer the same arrival pattern. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}

/**
 * Open loop: C customers chat at once, each pausing a random think time (exponential, mean
 * `thinkMs`) before every message, as people do. Latency is from the update's arrival to the end
 * of its turn, and to its last reply handed to the Bot API (the record is written after the
 * replies), at a load the service is meant to carry, not behind a queue of C messages sent
 * together (which the closed-loop table measures).
 */
async function measureLatency(
  name: string,
  make: (onSend: (chatId: number) => void) => Promise<Driver>,
  c: number,
  seconds: number,
  thinkMs: number,
): Promise<LatencyResult> {
  const lastReply = new Map<number, number>();
  const driver = await make((chatId) => void lastReply.set(chatId, performance.now()));
  const next = random(20261122);
  const latencies: number[] = [];
  const replies: number[] = [];
  let updateId = 1;
  const started = performance.now();
  const end = started + seconds * 1000;
  // The last pause of each customer ends with the window rather than after it.
  const pause = () =>
    new Promise<void>((r) => setTimeout(r, Math.min(-Math.log(1 - next()) * thinkMs, end - performance.now())));
  await Promise.all(
    Array.from({ length: c }, async (_, i) => {
      const chatId = 2_000_000 + i;
      for (let turn = 0; ; turn++) {
        await pause();
        if (performance.now() >= end) return;
        const s = performance.now();
        await driver.send(chatId, SCRIPT[turn % SCRIPT.length] ?? '你好', updateId++);
        latencies.push(performance.now() - s);
        const replied = lastReply.get(chatId);
        if (replied !== undefined && replied >= s) replies.push(replied - s);
      }
    }),
  );
  await driver.settle?.();
  const elapsed = (performance.now() - started) / 1000;
  await driver.finish?.();
  await driver.close();
  const sorted = latencies.sort((a, b) => a - b);
  const repliedIn = replies.sort((a, b) => a - b);
  return {
    name,
    conversations: c,
    thinkMs,
    seconds: elapsed,
    messages: sorted.length,
    perSecond: sorted.length / elapsed,
    p50ms: percentile(sorted, 0.5),
    p99ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? 0,
    replyP50ms: percentile(repliedIn, 0.5),
    replyP99ms: percentile(repliedIn, 0.99),
  };
}

async function clean(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(
  results: VariantResult[],
  c: number,
  t: number,
  latency: LatencyResult[],
  pacing: PacingResult | undefined,
  notes: readonly string[] = [],
): string {
  const [o, floor, conv] = [
    results.find((r) => r.name === 'ours'),
    results.find((r) => r.name === 'floor'),
    results.find((r) => r.name === 'conversations v2'),
  ];
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${fmt(r.perSecond)} | ${fmt(r.cpuUsPerMessage)} | ${fmt(r.p50ms, 1)} | ${fmt(r.p99ms, 1)} | ${fmt(r.firstTurnsUs)} | ${fmt(r.lastTurnsUs)} | ${fmt(r.stateBytes)} | ${fmt(r.transcriptBytes)} | ${fmt(r.dedupBytes)} | ${fmt(r.rssMb)} |`,
  );
  const out = [
    `C=${c} conversations × T=${t} messages, ${results[0] ? fmt(results[0].messages) : 0} messages per variant`,
    '',
    '| variant | msgs/s | CPU µs/msg | p50 ms | p99 ms | mean latency µs, turns 1–5 | last 5 turns | Redis B/conv state | transcript B | dedup ids B | RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ];
  const check = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  if (o) {
    out.push('| target | figure | |', '| --- | --- | --- |');
    if (floor)
      out.push(
        `| throughput ≥ 0.7 × floor | ${fmt(o.perSecond / floor.perSecond, 2)} × | ${check(o.perSecond >= 0.7 * floor.perSecond)} |`,
      );
    if (conv)
      out.push(
        `| throughput ≥ 10 × conversations v2 | ${fmt(o.perSecond / conv.perSecond, 1)} × | ${check(o.perSecond >= 10 * conv.perSecond)} |`,
      );
    out.push(
      `| last 5 turns ≤ 1.2 × first 5 (flat) | ${fmt(o.lastTurnsUs / o.firstTurnsUs, 2)} × | ${check(o.lastTurnsUs <= 1.2 * o.firstTurnsUs)} |`,
    );
    out.push(`| ≤ 2 KB Redis per conversation state | ${fmt(o.stateBytes)} B | ${check(o.stateBytes <= 2048)} |`);
    const open = latency.find((l) => l.name === 'ours');
    if (open)
      out.push(
        `| p99 ≤ 20 ms at C=1,000 (open loop) | ${fmt(open.p99ms, 1)} ms at C=${fmt(open.conversations)}, ${fmt(open.perSecond)} msgs/s | ${open.conversations >= 1000 ? check(open.p99ms <= 20) : 'run with --latency-conversations 1000'} |`,
      );
    out.push(
      `| p99 at C=${fmt(c)}, closed loop (all sending at once) | ${fmt(o.p99ms, 1)} ms | (queueing: ≈ C ÷ throughput) |`,
    );
    if (conv)
      out.push(
        `| conversations v2: last 5 / first 5 turns | ${fmt(conv.lastTurnsUs / conv.firstTurnsUs, 2)} × | (grows with length) |`,
      );
  }
  const recorded = results.filter((r) => r.record);
  if (o && (recorded.length > 0 || notes.length > 0)) {
    const diff = (n: number) => `${n >= 0 ? '+' : '−'}${fmt(Math.abs(n))}`;
    out.push(
      '',
      'The system of record (issue 14): what it adds per message against ours without it, in this run. CPU is this',
      "process's (PGlite runs in it); the server's is its backends for the run's database, from /proc (not its WAL",
      'writer or checkpointer). Writes: each the turns made to the record, wall time from the courier.',
      '',
      '| variant | CPU µs/msg here | vs ours | server CPU µs/msg | vs ours, both | msgs/s | writes/msg | write ms mean / p99 | tickets | events | archived lines | conversations | deferred at end |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ours | ${fmt(o.cpuUsPerMessage)} | | | | ${fmt(o.perSecond)} | | | ${fmt(o.tickets)} (Redis) | | | | |`,
      ...recorded.map((r) => {
        const rec = r.record as RecordResult;
        const server = rec.serverCpuUsPerMessage;
        const serverCell =
          rec.kind === 'pglite' ? '(in this process)' : server === undefined ? 'not counted' : fmt(server);
        const both = r.cpuUsPerMessage + (server ?? 0) - o.cpuUsPerMessage;
        return `| ${r.name} | ${fmt(r.cpuUsPerMessage)} | ${diff(r.cpuUsPerMessage - o.cpuUsPerMessage)} | ${serverCell} | ${rec.kind === 'pglite' || server !== undefined ? diff(both) : ''} | ${fmt(r.perSecond)} | ${fmt(rec.writes.count / r.messages, 2)} | ${fmt(rec.writes.meanMs, 1)} / ${fmt(rec.writes.p99Ms, 1)} | ${fmt(rec.rows.tickets)} | ${fmt(rec.rows.ticketEvents)} | ${fmt(rec.rows.transcriptLines)} | ${fmt(rec.rows.conversations)} | ${fmt(rec.deferredAtEnd)}${rec.deferredAtEnd > 0 ? `, applied in ${fmt(rec.drainMs)} ms` : ''} |`;
      }),
      ...notes.map((n) => `\n${n}`),
    );
  }
  if (latency.length > 0) {
    const l0 = latency[0] as LatencyResult;
    out.push(
      '',
      `Latency, open loop: ${fmt(l0.conversations)} conversations at once, each customer pausing a random ${fmt(l0.thinkMs / 1000, 1)} s on average before each message, for ${fmt(l0.seconds)} s:`,
      '',
      'Turn: to the end of its turn (replies sent, tickets, timers and the record written, lock released). Reply: to its last reply handed to the Bot API.',
      '',
      '| variant | messages | msgs/s offered | turn p50 ms | turn p99 ms | turn max ms | reply p50 ms | reply p99 ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...latency.map(
        (l) =>
          `| ${l.name} | ${fmt(l.messages)} | ${fmt(l.perSecond)} | ${fmt(l.p50ms, 1)} | ${fmt(l.p99ms, 1)} | ${fmt(l.maxMs, 1)} | ${fmt(l.replyP50ms, 1)} | ${fmt(l.replyP99ms, 1)} |`,
      ),
    );
  }
  if (pacing) {
    out.push(
      '',
      `Outbound pacing: ${fmt(pacing.chats)} chats × ${fmt(pacing.perChat, 1)} replies = ${fmt(pacing.sent)} messages against a Bot API that allows 1/s per chat (bursts of ${pacing.burst}) and 30/s overall:`,
      `drained in ${fmt(pacing.seconds, 1)} s, ${fmt(pacing.ratePerSecond, 1)} msg/s = ${fmt(pacing.shareOfLimit * 100)} % of the limit, ${fmt(pacing.tooManyRequests)} × 429 received, ${fmt(pacing.lost)} lost, ${fmt(pacing.duplicated)} sent twice.`,
    );
  }
  return out.join('\n');
}

interface Variant {
  name: string;
  /** Its Redis keys' prefix (the open loop adds its own). */
  prefix: string;
  make: (prefix: string, onSend: (chatId: number) => void) => Promise<Driver>;
  /** Left out of the open loop. */
  closedLoopOnly?: boolean;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', short: 'c', default: '200' },
      turns: { type: 'string', short: 't', default: '100' },
      only: { type: 'string' },
      'pacing-chats': { type: 'string', default: '1000' },
      'latency-conversations': { type: 'string', default: '1000' },
      'latency-seconds': { type: 'string', default: '20' },
      'think-ms': { type: 'string', default: '2000' },
      'no-latency': { type: 'boolean', default: false },
      'no-pacing': { type: 'boolean', default: false },
      'no-record': { type: 'boolean', default: false },
      'pacing-only': { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const c = Number(values.conversations);
  const t = Number(values.turns);
  if (!(c > 0 && t > 0)) throw new Error('--conversations and --turns must be positive numbers');
  const redis = await findRedis();
  process.stderr.write(`Redis: ${redis.url}\n`);
  const wanted = (name: string) => !values['pacing-only'] && (!values.only || name.startsWith(values.only));
  // The record on a server: skipped, with a note in the report, when none answers.
  const notes: string[] = [];
  let postgres: RecordBackend | undefined;
  if (!values['no-record'] && wanted('ours+pg')) {
    const missing = await probePostgres(serverUrl);
    if (missing) notes.push(`ours+pg skipped: ${missing} (set DATABASE_TEST_URL to a server's admin database).`);
    else postgres = { kind: 'postgres', admin: serverUrl };
  }
  const variants: Variant[] = [
    { name: 'ours', prefix: 'bench:ours:', make: (p, onSend) => ours(redis.url, p, onSend) },
    ...(postgres
      ? [
          {
            name: 'ours+pg',
            prefix: 'bench:ours-pg:',
            make: (p: string, onSend: (chatId: number) => void) => ours(redis.url, p, onSend, postgres),
          },
        ]
      : []),
    ...(values['no-record']
      ? []
      : [
          {
            name: 'ours+pglite',
            prefix: 'bench:ours-pglite:',
            make: (p: string, onSend: (chatId: number) => void) => ours(redis.url, p, onSend, { kind: 'pglite' }),
          },
        ]),
    { name: 'floor', prefix: 'bench:floor:', make: (p, onSend) => grammyBaseline('floor', redis.url, p, onSend) },
    {
      name: 'conversations v2',
      prefix: 'bench:conv:',
      make: (p, onSend) => grammyBaseline('conversations', redis.url, p, onSend),
      closedLoopOnly: true,
    },
  ];
  const results: VariantResult[] = [];
  try {
    if (variants.some((v) => v.name.startsWith('ours') && wanted(v.name))) {
      // Unmeasured: the code every variant of ours shares is compiled before the first is timed,
      // so the first does not pay for warming up what the later ones get warm.
      process.stderr.write('warming up…\n');
      await clean(redis.url, 'bench:warm:');
      await measure('warm-up', (onSend) => ours(redis.url, 'bench:warm:', onSend), Math.min(c, 50), 16);
      await clean(redis.url, 'bench:warm:');
    }
    for (const { name, prefix, make } of variants) {
      if (!wanted(name)) continue;
      await clean(redis.url, prefix);
      process.stderr.write(`running ${name}…\n`);
      results.push(await measure(name, (onSend) => make(prefix, onSend), c, t));
      await clean(redis.url, prefix);
    }
    const latency: LatencyResult[] = [];
    if (!values['no-latency'] && !values['pacing-only']) {
      const [lc, ls, think] = [
        Number(values['latency-conversations']),
        Number(values['latency-seconds']),
        Number(values['think-ms']),
      ];
      if (!(lc > 0 && ls > 0 && think > 0))
        throw new Error('--latency-conversations, --latency-seconds and --think-ms must be positive numbers');
      for (const { name, make, closedLoopOnly } of variants) {
        // conversations v2 replays its history, so its latency depends on how long it has run: left out here.
        if (closedLoopOnly || !wanted(name)) continue;
        const prefix = `bench:lat:${name}:`;
        await clean(redis.url, prefix);
        process.stderr.write(`running ${name}, open loop…\n`);
        latency.push(await measureLatency(name, (onSend) => make(prefix, onSend), lc, ls, think));
        await clean(redis.url, prefix);
      }
    }
    let pacing: PacingResult | undefined;
    if (!values['no-pacing'] && !values.only) {
      process.stderr.write('running outbound pacing…\n');
      await clean(redis.url, 'bench:pace:');
      pacing = await runPacing(redis.url, 'bench:pace:', Number(values['pacing-chats']));
      await clean(redis.url, 'bench:pace:');
    }
    const report = table(results, c, t, latency, pacing, notes);
    process.stdout.write(`${report}\n`);
    const file = values.json ?? `bench-results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    mkdirSync(file.split('/').slice(0, -1).join('/') || '.', { recursive: true });
    writeFileSync(
      file,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          conversations: c,
          turns: t,
          machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
          results,
          latency,
          pacing,
        },
        null,
        2,
      ),
    );
    process.stderr.write(`JSON: ${file}\n`);
    // A record variant that wrote nothing measured nothing: the run fails rather than print a cost of zero.
    const empty = results.filter(
      (r) => r.record && (r.record.rows.tickets === 0 || r.record.rows.transcriptLines === 0),
    );
    if (empty.length > 0)
      throw new Error(`the record holds no tickets or no archived lines after ${empty.map((r) => r.name).join(', ')}`);
  } finally {
    redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
