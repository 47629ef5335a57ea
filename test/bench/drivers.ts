/**
 * What the benchmark drives: the real pipeline (Telegram adapter → engine → Redis store → outbox),
 * with or without the system of record, and grammY's baselines, behind one interface, fed the same
 * Telegram updates on the same Redis and stubbed Bot API.
 */
import { Redis } from 'ioredis';
import { openRecordStore, type OpenedRecordStore } from '../../adapters/record/index.js';
import { RedisStore } from '../../adapters/store/redis.js';
import { createTelegram } from '../../adapters/telegram/index.js';
import { Engine } from '../../bots/engine.js';
import { createLogger } from '../../bots/log.js';
import { meterChannels, meterStore } from '../../bots/metered.js';
import { Metrics } from '../../bots/metrics.js';
import { RecordWriter } from '../../bots/record-writes.js';
import type { ConversationFlow } from '../../flows/step.js';
import type { Ticket } from '../../flows/ticket.js';
import { defaultFlow } from '../support/flows.js';
import { BOT_INFO, pollingOptions, TOKEN } from '../support/telegram.js';
import { conversationsBot, floorBot, stubFetch } from './baselines.js';
import { trivialFlow } from './durable.js';
import type { RecordResult } from './measure.js';
import { freshDatabase, recordRows, ServerCpu, TimedRecord } from './record.js';

/** One standard conversation, looping: greeting → need → confirm → answer → another → close → survey. */
export const SCRIPT = ['你好', '我的订单还没发货', '是的', '还有问题', '怎么开发票', '是的', '没有了', '5'];

export interface Driver {
  send(chatId: number, text: string, updateId: number): Promise<void>;
  /** An update as a webhook call hands it over (ours): resolves once stored, or with `wait` once its turn ran here. */
  handle?(raw: unknown, wait: boolean): Promise<void>;
  /** Until every turn accepted here has run and nothing is left pending (ours; the replicas' end). */
  idle?(): Promise<void>;
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

/** A customer's text message as Telegram delivers it, sent at `at` (epoch ms; now by default). */
export function update(chatId: number, text: string, updateId: number, at = Date.now()) {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(at / 1000),
      chat: { id: chatId, type: 'private' },
      from: { id: chatId, is_bot: false, first_name: 'B', language_code: 'zh-hans' },
      text,
    },
  };
}

async function memoryUsage(redis: Redis, key: string): Promise<number> {
  return Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

/**
 * Where a record variant keeps the record: a fresh database on the server at `admin` (created and
 * dropped by the driver), one given by `url` (shared by replicas; left as it is), or PGlite in memory.
 */
export type RecordBackend =
  { kind: 'postgres'; admin: string } | { kind: 'postgres'; url: string } | { kind: 'pglite' };

async function openBenchRecord(
  backend: RecordBackend,
  log: ReturnType<typeof createLogger>,
): Promise<{ record: OpenedRecordStore; database?: { name: string; drop(): Promise<void> } }> {
  const database = backend.kind === 'postgres' && 'admin' in backend ? await freshDatabase(backend.admin) : undefined;
  const url = database?.url ?? (backend.kind === 'postgres' && 'url' in backend ? backend.url : undefined);
  const record = openRecordStore(url ? { url, log } : { dataDir: 'memory://', log });
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

/**
 * What `ours` runs: the shipped service conversation, the durable floor's trivial flow (durable.ts),
 * or a flow given (the replayed step, shared by the pass that records and the one that replays).
 */
export interface OursOptions {
  flow?: 'service' | 'trivial' | ConversationFlow;
  /** The engine's and adapter's clock (epoch ms); the wall clock by default. */
  clock?: () => number;
}

export async function ours(
  url: string,
  prefix: string,
  onSend: (chatId: number, text: string) => void,
  backend?: RecordBackend,
  options: OursOptions = {},
): Promise<Driver> {
  const clock = options.clock ?? Date.now;
  const log = createLogger('error');
  const opened = backend ? await openBenchRecord(backend, log) : undefined;
  const timed = opened ? new TimedRecord(opened.record) : undefined;
  const store = await RedisStore.connect({ url, prefix, tickets: timed?.tickets });
  // Counted as the runtime counts (bots/app/runtime.ts): the store, the channel, inbound events and turns.
  const metrics = new Metrics();
  const telegram = createTelegram(pollingOptions({ fetch: stubFetch(onSend) }), { log, clock, metrics });
  const flow =
    typeof options.flow === 'object'
      ? options.flow
      : options.flow === 'trivial'
        ? trivialFlow(defaultFlow())
        : defaultFlow();
  const engine = new Engine({
    store: meterStore(store, metrics, clock),
    record: timed,
    flow: () => flow,
    channels: meterChannels(new Map([['telegram', telegram.channel]]), metrics),
    clock,
    log,
    metrics,
  });
  const receiver = telegram.receiver(engine);
  let serverCpu: ServerCpu | undefined;
  const driver: Driver = {
    send: async (chatId, text, updateId) =>
      void (await receiver.handle(update(chatId, text, updateId), { wait: true })),
    handle: async (raw, wait) => void (await receiver.handle(raw, { wait })),
    idle: async () => {
      await receiver.idle();
      // A turn this replica accepted while another held the lock is that one's; what is left pending is swept.
      while ((await engine.recover()) > 0) await receiver.idle();
    },
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
      if (database && backend && 'admin' in backend) serverCpu = await ServerCpu.begin(backend.admin, database.name);
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

export async function grammyBaseline(
  kind: 'floor' | 'conversations',
  url: string,
  prefix: string,
  onSend: (chatId: number, text: string) => void,
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
