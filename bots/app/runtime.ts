import type { OpenedRecordStore } from '../../adapters/record/index.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import { RedisFlowSignal } from '../../adapters/store/flow-signal.js';
import { RedisHealth, type DataLossIncident } from '../../adapters/store/redis-health.js';
import { RedisStore } from '../../adapters/store/redis.js';
import { createTelegram, TELEGRAM_CHANNEL, type TelegramMode } from '../../adapters/telegram/index.js';
import { deskText, type DeskText } from '../../adapters/desk/text.js';
import { redisTarget, type Config } from '../config.js';
import { Engine } from '../engine.js';
import { SetupError } from '../errors.js';
import type { FlowFleetSignal } from '../flow-fleet-port.js';
import { DEFAULT_FLOWS_DIR, FlowRegistry } from '../flows-registry.js';
import type { Logger } from '../log.js';
import { meterChannels, meterDesk, meterStore } from '../metered.js';
import { Metrics } from '../metrics.js';
import type { ChannelPort, DeskPort, Inbox, Receiver, Store } from '../ports.js';
import type { RecordStore } from '../record-port.js';
import { TimerPoller } from '../timers.js';
import { watchRuntime, type ReadinessCheck } from './operator.js';
import { recordUpkeep, startRecord } from './record-open.js';

export type StoreKind = 'memory' | 'redis';

/** What the edges are built from: the parts that exist before any channel does. */
export interface Core {
  /** The store, counted on its way through (bots/metered.ts). */
  readonly store: Store;
  /** The system of record (issue 14), unless RECORD_STORE=off. */
  readonly record: OpenedRecordStore | undefined;
  /** Which store was built (from REDIS_URL): the root knows, the port need not say. */
  readonly storeKind: StoreKind;
  readonly flows: FlowRegistry;
  /** Tells the fleet a flow version is active (Redis, with a record); a publish from this process uses it. */
  readonly flowSignal: FlowFleetSignal | undefined;
  /** The runtime's own metrics (GET /metrics). */
  readonly metrics: Metrics;
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
  /** What GET /readyz asks: Redis (PING) when it is the store, the system of record (`select 1`) when there is one. */
  readonly checks: readonly ReadinessCheck[];
  /**
   * Resolves once the system of record is open (at once without one, or when it was opened before
   * the runtime was built); rejects with a SetupError when it cannot be opened (see
   * `answerWhileRecordOpens`): the process must stop with that error.
   */
  readonly recordOpened: Promise<void>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  log: Logger;
  clock: () => number;
  flowsDir?: string | undefined;
  /** Whether a desk will be connected: the flow is compiled for it (without one, customers are told no agent can join). */
  desk: boolean;
  /** Called for each data-loss incident this process finds in Redis (redis-health.ts): a metrics counter. */
  onDataLoss?: ((incident: DataLossIncident) => void) | undefined;
  /** Where the runtime counts (one per runtime; a new one unless given). */
  metrics?: Metrics | undefined;
  /**
   * Build the runtime while the system of record opens (PGlite's start, a server's migrations)
   * instead of after: the flows start from the copy of the active version kept in Redis when there
   * is one, and are checked against the record once it is open; the record's writes wait for it as
   * its calls do. A record that cannot be opened then rejects `recordOpened` instead of the build.
   */
  answerWhileRecordOpens?: boolean | undefined;
}

/**
 * How long a bot that answers while its record opens lets PGlite wait before starting it (ms):
 * a message waiting at a restart is answered first (PGlite's start takes this thread's CPU for
 * about half a second). Measured 2026-12-01, five restarts each: `npm start` first reply 1,340 ms
 * median (815–1,498) without the wait, 741 ms (721–1,345) with 400 ms.
 */
export const PGLITE_GRACE_MS = 400;

/** How often each replica checks Redis's persistence and epoch marker (redis-health.ts). */
export const REDIS_HEALTH_INTERVAL_MS = 60_000;

/**
 * The composition root's one builder. Everything is made in dependency order, each part from
 * parts that already exist: store → flow registry → channels and desk (`edges`) → engine →
 * receivers → timer poller. Nothing reaches forward through a closure, and nothing is attached
 * late. The store is closed again if a later part cannot be built.
 */
export async function createRuntime(
  options: RuntimeOptions,
  edges: (core: Core) => Edges | Promise<Edges>,
): Promise<Runtime> {
  const { config, log, clock } = options;
  const started = await startRecord(config, log, {
    serveWhenDown: true,
    ...(options.answerWhileRecordOpens ? { pgliteGraceMs: PGLITE_GRACE_MS } : {}),
  });
  const record = started?.record;
  const recordOpened = started?.opened ?? Promise.resolve();
  // Handled here; whoever awaits it sees the rejection as well.
  recordOpened.catch(() => {});
  const opened = await (options.answerWhileRecordOpens ? Promise.resolve() : recordOpened)
    .then(() => openStore(config, clock, record))
    .catch(async (err: unknown) => {
      await record?.close().catch(() => {});
      throw err;
    });
  const { kind } = opened;
  log.info('store ready', { kind, record: record?.kind ?? 'off' });
  const metrics = options.metrics ?? new Metrics();
  const store = meterStore(opened.store, metrics, clock);
  const checks = readinessChecks(opened.ping, record);
  const redis = redisTarget(config);
  // Before the flows: their boot writes to Redis, and an empty Redis is how a lost one shows at start-up.
  const health = redis ? await watchRedis(options, redis, record, metrics) : undefined;
  const flowSignal = record && redis ? RedisFlowSignal.create({ ...redis, prefix: config.REDIS_PREFIX }) : undefined;
  const closeAll = async () => {
    await health?.close();
    await flowSignal?.close();
    await store.close();
    await record?.close();
  };
  try {
    const flows = await openFlows(options, record, flowSignal, recordOpened);
    const core: Core = { store, record, storeKind: kind, flows, flowSignal, metrics };
    const edge = await edges(core);
    const channels = meterChannels(edge.channels, metrics);
    const desk = edge.desk && meterDesk(edge.desk, metrics);
    if ((desk !== undefined) !== options.desk)
      throw new SetupError(
        `The flow was compiled ${options.desk ? 'with' : 'without'} a desk, but the edges bring ${desk ? 'one' : 'none'}.`,
      );
    const engine = new Engine({
      store,
      record,
      flow: () => flows.current(),
      channels,
      desk,
      clock,
      log,
      metrics,
      options: { deskOutageWindowMs: config.DESK_OUTAGE_WINDOW_MINUTES * 60_000 },
    });
    watchRuntime(metrics, { engine, flows });
    const poller = new TimerPoller({ timers: store.timers, engine, clock, log });
    // Retention goes by the wall clock: a playground run `--at` a future date must not delete the real archive.
    const upkeep = record ? recordUpkeep(config, record, store, log, Date.now) : async () => {};
    const receivers = edge.receivers?.(engine) ?? [];
    return { ...core, engine, receivers, poller, upkeep, checks, recordOpened, close: closeAll };
  } catch (err) {
    await closeAll().catch(() => {});
    throw err;
  }
}

/** Starts Redis's health checks (persistence, data loss: redis-health.ts); a failure to start them is logged, not fatal. */
async function watchRedis(
  { config, log, onDataLoss }: RuntimeOptions,
  redis: NonNullable<ReturnType<typeof redisTarget>>,
  record: OpenedRecordStore | undefined,
  metrics: Metrics,
): Promise<RedisHealth | undefined> {
  const deps = {
    log,
    clock: Date.now,
    production: config.NODE_ENV === 'production',
    recordLatestWrite: record ? () => record.latestWrite() : undefined,
    onIncident: (incident: DataLossIncident) => {
      metrics.incident('redis-epoch');
      onDataLoss?.(incident);
    },
  };
  return RedisHealth.start(redis, config.REDIS_PREFIX, deps, REDIS_HEALTH_INTERVAL_MS).catch((err: unknown) => {
    log.warn('Redis health checks could not start', { error: String(err) });
    return undefined;
  });
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
  recordOpened: Promise<void>,
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
      ...(options.answerWhileRecordOpens ? { opening: recordOpened } : {}),
    });
  const dir = options.flowsDir ?? config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR;
  const flows = await FlowRegistry.load({ ...common, dir });
  if (record)
    log.warn(
      `serving the flows folder ${dir} as a local draft (--flows): not the published version. Publish it with npm run flows -- publish ${dir}`,
    );
  return flows;
}

const limitsOf = (config: Config) => ({
  dedupTtlSec: config.DEDUP_TTL_HOURS * 3600,
  stateTtlSec: config.STATE_TTL_DAYS * 86400,
  transcriptMax: config.TRANSCRIPT_MAX,
});

/**
 * Redis when REDIS_URL is set (shared by replicas, survives restarts), memory otherwise; its
 * tickets are the system of record's when there is one. `ping`: Redis's, for readiness.
 */
export async function openStore(
  config: Config,
  clock: () => number,
  record?: RecordStore | undefined,
): Promise<{ store: Store; kind: StoreKind; ping?: () => Promise<void> }> {
  const limits = limitsOf(config);
  const tickets = record?.tickets;
  const redis = redisTarget(config);
  if (redis) {
    const store = await RedisStore.connect({ ...redis, prefix: config.REDIS_PREFIX, limits, tickets });
    return { store, kind: 'redis', ping: () => store.ping() };
  }
  return { store: new MemoryStore(clock, limits, tickets), kind: 'memory' };
}

/** Readiness: Redis answers PING (a memory store has nothing to ask), the record answers `select 1`. */
function readinessChecks(ping: (() => Promise<void>) | undefined, record: OpenedRecordStore | undefined) {
  const checks: ReadinessCheck[] = [];
  if (ping) checks.push({ name: 'redis', check: ping });
  if (record) checks.push({ name: 'record', check: () => record.ping() });
  return checks;
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
 * Production's edges: Telegram for customers, Slack for agents when configured (its adapter, and
 * @slack/bolt with it, loaded only then). A new channel is one more factory call here.
 */
export function productionEdges(
  config: Config,
  telegram: { token: string; mode: TelegramMode },
  log: Logger,
  clock: () => number,
): (core: Core) => Promise<Edges> {
  return async ({ store, flows, metrics }) => {
    const tg = createTelegram(
      {
        token: telegram.token,
        apiRoot: config.TELEGRAM_API_ROOT,
        mode: telegram.mode,
        allowGroups: config.TELEGRAM_GROUPS === 'answer',
        throttle: true,
      },
      // Shared by every replica on the same Redis.
      { rates: store.rates, log, clock, metrics },
    );
    const slack = hasSlack(config)
      ? (await import('../../adapters/slack/index.js')).createSlack(
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
