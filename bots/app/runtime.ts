import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSlack } from '../../adapters/slack/index.js';
import { openRecordStore, type OpenedRecordStore } from '../../adapters/record/index.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import { RedisFlowSignal } from '../../adapters/store/flow-signal.js';
import { RedisStore } from '../../adapters/store/redis.js';
import { createTelegram, TELEGRAM_CHANNEL, type TelegramMode } from '../../adapters/telegram/index.js';
import { deskText, type DeskText } from '../../adapters/desk/text.js';
import type { Config } from '../config.js';
import { Engine } from '../engine.js';
import { SetupError } from '../errors.js';
import type { FlowFleetSignal } from '../flow-fleet-port.js';
import { DEFAULT_FLOWS_DIR, FlowRegistry } from '../flows-registry.js';
import type { Logger } from '../log.js';
import type { ChannelPort, DeskPort, Inbox, Receiver, Store } from '../ports.js';
import type { RecordStore } from '../record-port.js';
import { RecordWriter } from '../record-writes.js';
import { TimerPoller } from '../timers.js';

export type StoreKind = 'memory' | 'redis';

/** What the edges are built from: the parts that exist before any channel does. */
export interface Core {
  readonly store: Store;
  /** The system of record (issue 14), unless RECORD_STORE=off. */
  readonly record: OpenedRecordStore | undefined;
  /** Which store was built (from REDIS_URL): the root knows, the port need not say. */
  readonly storeKind: StoreKind;
  readonly flows: FlowRegistry;
  /** Tells the fleet a flow version is active (Redis, with a record); a publish from this process uses it. */
  readonly flowSignal: FlowFleetSignal | undefined;
}

/** One mode's edges: the channels and desk the engine sends through, and the receivers that feed it. */
export interface Edges {
  channels: ReadonlyMap<string, ChannelPort>;
  /** Where handoffs go (Slack, the playground's desk); without one the bot says no agent can join. */
  desk?: DeskPort | undefined;
  /** Built once the engine exists, from the narrow port they feed. */
  receivers?: ((inbox: Inbox) => Receiver[]) | undefined;
}

/** Everything one process runs. */
export interface Runtime extends Core {
  readonly engine: Engine;
  readonly receivers: readonly Receiver[];
  readonly poller: TimerPoller;
  /**
   * The system of record's upkeep, run every few seconds: applies record writes deferred while the
   * database was down, and deletes archived transcripts past TRANSCRIPT_RETENTION_DAYS (hourly).
   */
  readonly upkeep: () => Promise<void>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  log: Logger;
  clock: () => number;
  flowsDir?: string | undefined;
  /** Whether a desk will be connected: the flow is compiled for it (without one, customers are told no agent can join). */
  desk: boolean;
}

/**
 * The composition root's one builder. Everything is made in dependency order, each part from
 * parts that already exist: store → flow registry → channels and desk (`edges`) → engine →
 * receivers → timer poller. Nothing reaches forward through a closure, and nothing is attached
 * late. The store is closed again if a later part cannot be built.
 */
export async function createRuntime(options: RuntimeOptions, edges: (core: Core) => Edges): Promise<Runtime> {
  const { config, log, clock } = options;
  const record = await openRecord(config, log, { serveWhenDown: true });
  const { store, kind } = await openStore(config, clock, record).catch(async (err: unknown) => {
    await record?.close().catch(() => {});
    throw err;
  });
  log.info('store ready', { kind, record: record?.kind ?? 'off' });
  const flowSignal =
    record && config.REDIS_URL
      ? RedisFlowSignal.create({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX })
      : undefined;
  const closeAll = async () => {
    await flowSignal?.close();
    await store.close();
    await record?.close();
  };
  try {
    const flows = await openFlows(options, record, flowSignal);
    const core: Core = { store, record, storeKind: kind, flows, flowSignal };
    const { channels, desk, receivers } = edges(core);
    if ((desk !== undefined) !== options.desk)
      throw new SetupError(
        `The flow was compiled ${options.desk ? 'with' : 'without'} a desk, but the edges bring ${desk ? 'one' : 'none'}.`,
      );
    const engine = new Engine({ store, record, flow: () => flows.current(), channels, desk, clock, log });
    const poller = new TimerPoller({ timers: store.timers, engine, clock, log });
    // Retention goes by the wall clock: a playground run `--at` a future date must not delete the real archive.
    const upkeep = record ? recordUpkeep(config, record, store, log, Date.now) : async () => {};
    return { ...core, engine, receivers: receivers?.(engine) ?? [], poller, upkeep, close: closeAll };
  } catch (err) {
    await closeAll().catch(() => {});
    throw err;
  }
}

/**
 * The flow registry (issue 15). With a record: the active published version, which an empty
 * store takes from FLOWS_DIR or the shipped folder (published as v1 by "seed"); an explicit
 * `--flows DIR` is a local draft instead: that folder, watched, never published by starting.
 * Without a record: the folder, as before.
 */
async function openFlows(
  options: RuntimeOptions,
  record: OpenedRecordStore | undefined,
  signal: FlowFleetSignal | undefined,
): Promise<FlowRegistry> {
  const { config, log, clock, desk } = options;
  const common = { defaultLocale: config.DEFAULT_LOCALE, log, clock, desk };
  if (record && options.flowsDir === undefined)
    return FlowRegistry.boot({
      ...common,
      versions: record.flowVersions,
      audit: record.audit,
      signal,
      seedDir: config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR,
    });
  const dir = options.flowsDir ?? config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR;
  const flows = await FlowRegistry.load({ ...common, dir });
  if (record)
    log.warn(
      `serving the flows folder ${dir} as a local draft (--flows): not the published version. Publish it with npm run flows -- publish ${dir}`,
    );
  return flows;
}

const HOUR_MS = 3_600_000;

/** Drains the deferred record writes; deletes archived transcripts past retention at most hourly (seed 000 五). */
export function recordUpkeep(config: Config, record: RecordStore, store: Store, log: Logger, clock: () => number) {
  const writer = new RecordWriter({ record, store, log });
  let retainedAt = -Infinity;
  const once = async () => {
    await writer.drain();
    const now = clock();
    if (now - retainedAt < HOUR_MS) return;
    retainedAt = now;
    const deleted = await record.deleteTranscriptsBefore(now - config.TRANSCRIPT_RETENTION_DAYS * 24 * HOUR_MS);
    if (deleted > 0)
      log.info('archived transcripts past retention deleted', { deleted, days: config.TRANSCRIPT_RETENTION_DAYS });
  };
  return async () => {
    try {
      await once();
    } catch (err) {
      // The database is down: the backlog and retention wait for the next round; nobody is held up.
      log.warn('record upkeep could not reach the system of record; it tries again shortly', { error: String(err) });
    }
  };
}

/**
 * The system of record (issue 14): DATABASE_URL's PostgreSQL server, else PGlite in DATA_DIR;
 * none with RECORD_STORE=off. Opened and migrated here, so a bad URL or a failed migration stops
 * the start with why. With `serveWhenDown` (the bot), a server that does not answer is logged and
 * the record returned unopened: it opens, and migrates, on its first use once the server is back.
 */
export async function openRecord(
  config: Config,
  log: Logger,
  options: { serveWhenDown?: boolean } = {},
): Promise<OpenedRecordStore | undefined> {
  if (config.RECORD_STORE === 'off') return undefined;
  const release =
    config.DATABASE_URL || config.DATA_DIR.startsWith('memory://') ? undefined : lockFolder(config.DATA_DIR);
  const record = openRecordStore({
    ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR }),
    log,
  });
  try {
    await record.ready();
  } catch (err) {
    // A server that does not answer is an outage, not a mistake: customers are answered all the
    // same, the record's writes wait (deferred) and the migrations run once it is back.
    if (options.serveWhenDown && config.DATABASE_URL && unreachable(err)) {
      log.error(
        'the system of record (DATABASE_URL) does not answer; serving anyway: its writes are deferred until it is back',
        { error: String(err) },
      );
      return record;
    }
    await record.close().catch(() => {});
    release?.();
    const where = config.DATABASE_URL ? 'DATABASE_URL' : `PGlite in ${config.DATA_DIR} (DATA_DIR)`;
    throw new SetupError(`The system of record (${where}) could not be opened: ${String(err)}`);
  }
  if (release) {
    const close = record.close.bind(record);
    return Object.assign(record, { close: () => close().finally(release) });
  }
  return record;
}

/** Network errors and timeouts (the server is down or out of reach), as opposed to a refusal (wrong password, no such database). */
function unreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|57P03)$/.test(code))
      return true;
    if (/timeout exceeded when trying to connect|Connection terminated/i.test(e.message)) return true;
  }
  return false;
}

/** PGlite's folder is held by another process (a running bot): the tools say what to do instead. */
export class RecordInUseError extends SetupError {}

/**
 * PGlite serves one process per folder: two on one folder lose each other's writes without a
 * word. A lock file with the holder's pid refuses the second (a holder that is gone leaves a lock
 * that is taken over). Returns the release.
 */
function lockFolder(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'bot.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new SetupError(`DATA_DIR ${dir}: ${String(err)}`);
      const holder = Number(readFileSync(lock, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder))
        throw new RecordInUseError(
          `Another process (pid ${holder}) is using the record in ${dir} (PGlite serves one process at a time): stop it first, or set DATABASE_URL to share a PostgreSQL server.`,
        );
      rmSync(lock, { force: true });
    }
  }
  throw new SetupError(`DATA_DIR ${dir}: could not take its lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const limitsOf = (config: Config) => ({
  dedupTtlSec: config.DEDUP_TTL_HOURS * 3600,
  stateTtlSec: config.STATE_TTL_DAYS * 86400,
  transcriptMax: config.TRANSCRIPT_MAX,
});

/**
 * Redis when REDIS_URL is set (shared by replicas, survives restarts), memory otherwise; its
 * tickets are the system of record's when there is one.
 */
export async function openStore(
  config: Config,
  clock: () => number,
  record?: RecordStore | undefined,
): Promise<{ store: Store; kind: StoreKind }> {
  const limits = limitsOf(config);
  const tickets = record?.tickets;
  if (config.REDIS_URL)
    return {
      store: await RedisStore.connect({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, limits, tickets }),
      kind: 'redis',
    };
  return { store: new MemoryStore(clock, limits, tickets), kind: 'memory' };
}

/**
 * The desk's words, naming complaint categories from the definition in the desk's language (read
 * when a card is shown, so an edited definition applies at once).
 */
export function deskWords(language: string, flows: FlowRegistry): DeskText {
  return deskText(language, (id) => {
    const bundle = flows.current().bundle;
    const def = (bundle.locales.get(language) ?? bundle.locales.get(bundle.defaultLocale))?.definition;
    return def?.complaints.categories.find((c) => c.id === id)?.name;
  });
}

/** Slack is the desk when both its token and the agents' channel are set. */
export function hasSlack(config: Config): config is Config & { SLACK_BOT_TOKEN: string; SLACK_AGENT_CHANNEL: string } {
  return Boolean(config.SLACK_BOT_TOKEN && config.SLACK_AGENT_CHANNEL);
}

/**
 * Production's edges: Telegram for customers, Slack for agents when configured. A new channel
 * is one more factory call here.
 */
export function productionEdges(
  config: Config,
  telegram: { token: string; mode: TelegramMode },
  log: Logger,
  clock: () => number,
): (core: Core) => Edges {
  return ({ store, flows }) => {
    const tg = createTelegram(
      {
        token: telegram.token,
        apiRoot: config.TELEGRAM_API_ROOT,
        mode: telegram.mode,
        allowGroups: config.TELEGRAM_GROUPS === 'answer',
        throttle: true,
      },
      // Shared by every replica on the same Redis.
      { rates: store.rates, log, clock },
    );
    const slack = hasSlack(config)
      ? createSlack(
          {
            botToken: config.SLACK_BOT_TOKEN,
            signingSecret: config.SLACK_SIGNING_SECRET,
            appToken: config.SLACK_APP_TOKEN,
            apiUrl: config.SLACK_API_URL,
            agentChannel: config.SLACK_AGENT_CHANNEL,
            supervisorGroup: config.SLACK_SUPERVISOR_GROUP,
            agentGroup: config.SLACK_AGENT_GROUP,
            // A card's links expire with its conversation's state.
            linkTtlMs: limitsOf(config).stateTtlSec * 1000,
            internalPrefix: config.SLACK_INTERNAL_PREFIX,
            deskText: deskWords(config.DESK_LANGUAGE ?? config.DEFAULT_LOCALE, flows),
            // Read when a card is posted, so an edited definition applies without a restart.
            categoryChannels: () => {
              const bundle = flows.current().bundle;
              return bundle.locales.get(bundle.defaultLocale)?.definition.handoff.categoryChannels ?? {};
            },
            // Promised times and dates on cards, and the `/tickets` search's dates: the default definition's time zone.
            timeZone: () => {
              const bundle = flows.current().bundle;
              return bundle.locales.get(bundle.defaultLocale)?.definition.timeZone ?? 'UTC';
            },
          },
          { links: store.links, tickets: store.tickets, log, clock },
        )
      : undefined;
    return {
      channels: new Map([[TELEGRAM_CHANNEL, tg.channel]]),
      desk: slack?.desk,
      receivers: (inbox) => [tg.receiver(inbox), ...(slack ? [slack.receiver(inbox)] : [])],
    };
  };
}
