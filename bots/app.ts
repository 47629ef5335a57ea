import { MemoryStore } from '../adapters/store/memory.js';
import { RedisStore } from '../adapters/store/redis.js';
import type { Config } from './config.js';
import { Engine } from './engine.js';
import { DEFAULT_FLOWS_DIR, FlowRegistry } from './flows-registry.js';
import type { Logger } from './log.js';
import type { ChannelPort, DeskPort, Store } from './ports.js';
import { TimerPoller } from './timers.js';

/** Everything one process runs, wired in one place with explicit dependencies. */
export interface Runtime {
  store: Store;
  /** Which store was built (from REDIS_URL): the root knows, the port need not say. */
  storeKind: 'memory' | 'redis';
  flows: FlowRegistry;
  engine: Engine;
  poller: TimerPoller;
  close(): Promise<void>;
}

export async function createRuntime(options: {
  config: Config;
  log: Logger;
  clock: () => number;
  channels: ReadonlyMap<string, ChannelPort>;
  /** Where handoffs go (Slack, the playground's desk); without one the bot says no agent can join. */
  desk?: DeskPort | undefined;
  flowsDir?: string | undefined;
}): Promise<Runtime> {
  const { config, log, clock } = options;
  const limits = { dedupTtlSec: config.DEDUP_TTL_HOURS * 3600, stateTtlSec: config.STATE_TTL_DAYS * 86400, transcriptMax: config.TRANSCRIPT_MAX };
  const flows = await FlowRegistry.load({ dir: options.flowsDir ?? config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR, defaultLocale: config.DEFAULT_LOCALE, log, clock, desk: options.desk !== undefined });
  const store: Store = config.REDIS_URL
    ? await RedisStore.connect({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, limits })
    : new MemoryStore(clock, limits);
  const storeKind = config.REDIS_URL ? 'redis' : 'memory';
  log.info('store ready', { kind: storeKind });
  const engine = new Engine({ store, flow: () => flows.current(), channels: options.channels, desk: options.desk, clock, log });
  const poller = new TimerPoller({ timers: store.timers, engine, clock, log });
  return { store, storeKind, flows, engine, poller, close: () => store.close() };
}
