import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../bots/log.js';
import {
  createRedisClient,
  dataNodes,
  describeTarget,
  isCluster,
  type RedisClient,
  type RedisTarget,
} from './redis-client.js';

/**
 * Whether Redis keeps what it was given (issue 16, fault 3: a Redis restarted without persistence
 * lost 810 accepted updates in silence). Two checks, at start-up and every `intervalMs`:
 *
 * - **Persistence.** Each server holding data (every master of a cluster) is asked CONFIG GET
 *   appendonly and save, and INFO persistence. Neither AOF nor RDB on, or the last write failed
 *   (rdb_last_bgsave_status, aof_last_write_status, aof_last_bgrewrite_status: err), is logged as
 *   an error with NODE_ENV=production and a warning otherwise, when the finding changes and
 *   hourly while it lasts. A managed Redis that refuses CONFIG is said to be unchecked, unless
 *   INFO shows AOF on.
 * - **The epoch marker.** `<prefix>epoch` holds `{"id","createdAt"}`, written once, no TTL (on a
 *   cluster, one such key per master: `<prefix>epoch`, then `<prefix>epoch:{n}` for masters
 *   without one, found with CLUSTER KEYSLOT). Each replica remembers the marker it saw and reads
 *   it again on every check (one GET each). Gone, or replaced by another replica that found it
 *   gone: Redis lost its data. That is a data-loss incident, logged as an error with its window
 *   (from when this replica last saw the marker to when it was found gone) and passed to
 *   `onIncident`; a new marker is written (SET NX: replicas that find the loss at once share one).
 *   At start-up, no marker where Redis holds no key of the prefix is an incident too when the
 *   system of record has writes (the window starts at its latest), and a new installation
 *   otherwise; no marker beside the prefix's keys is a deployment from before the marker: it is
 *   written quietly.
 */

/** Redis lost its data, as one replica found it. */
export interface DataLossIncident {
  /** The markers found gone (`gone`) or written anew by another replica that found them gone (`replaced`): one per server that lost its data. */
  markers: Array<{ key: string; server: string; found: 'gone' | 'replaced' }>;
  /**
   * When the loss happened at the earliest (epoch ms): when this replica last saw the markers, or
   * at start-up the system of record's latest write; undefined when not known.
   */
  from: number | undefined;
  /** When it happened at the latest (epoch ms): when found, or when another replica wrote the new marker. */
  to: number;
}

/** One server's persistence: what is on (`aof`, `rdb`, both), `none`, `failing` (the last write failed) or `unknown` (CONFIG refused). */
export interface PersistenceFinding {
  server: string;
  state: 'aof' | 'rdb' | 'aof+rdb' | 'none' | 'failing' | 'unknown';
  /** What Redis said: the settings, the failed status, or why it could not be asked. */
  detail: string;
}

export interface RedisHealthDeps {
  log: Logger;
  /** Epoch ms; the wall clock in production (windows are compared across replicas). */
  clock: () => number;
  /** NODE_ENV=production: a Redis that does not persist is an error, not a warning. */
  production: boolean;
  /** When the system of record was last written (epoch ms), undefined when it holds nothing (see RecordStore). */
  recordLatestWrite?: (() => Promise<number | undefined>) | undefined;
  /** Called once for each incident this replica finds (a metrics counter). */
  onIncident?: ((incident: DataLossIncident) => void) | undefined;
}

/** Findings are logged again while they last, at most this often (ms). */
const REMIND_MS = 3_600_000;
/** SCAN pages (of 1,000 keys) read per server to see whether the prefix has keys; past them it is taken to have some. */
const SCAN_PAGES = 100;

interface Marker {
  key: string;
  server: string;
  /** The value seen last ('' before the first look), and when (epoch ms). */
  seen: string;
  seenAt: number;
}

export class RedisHealth {
  private markers: Marker[] = [];
  /** What was last logged: the persistence findings and when, and whether the last check could not reach Redis. */
  private said = { persistence: '', at: -Infinity, unchecked: false };
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly deps: RedisHealthDeps,
  ) {}

  /**
   * Connects (its own connection), runs the first check and, with `intervalMs`, the next ones on a
   * timer that does not hold the process open. Rejects when Redis cannot be reached.
   */
  static async start(
    target: RedisTarget,
    prefix: string,
    deps: RedisHealthDeps,
    intervalMs?: number,
  ): Promise<RedisHealth> {
    const redis = createRedisClient(target, { lazyConnect: true, maxRetriesPerRequest: 2 });
    redis.on('error', () => {
      // Reported by the checks (and the store) through failed commands.
    });
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw new Error(`Cannot reach ${describeTarget(target)} to check its health: ${(err as Error).message}`);
    }
    const health = new RedisHealth(redis, prefix, deps);
    await health.check();
    if (intervalMs) {
      health.timer = setInterval(() => void health.check(), intervalMs);
      health.timer.unref();
    }
    return health;
  }

  /** Checks persistence and the markers, logging what it finds; never throws (an unreachable Redis is logged). */
  async check(): Promise<{ persistence: PersistenceFinding[]; incident: DataLossIncident | undefined }> {
    try {
      const nodes = dataNodes(this.redis);
      if (nodes.length === 0) throw new Error('no Redis server is connected');
      const persistence = await Promise.all(nodes.map(persistenceOf));
      this.sayPersistence(persistence);
      const incident = await this.checkMarkers();
      this.said.unchecked = false;
      return { persistence, incident };
    } catch (err) {
      if (!this.said.unchecked)
        this.deps.log.warn('could not check whether Redis keeps its data; trying again at the next check', {
          error: (err as Error).message,
        });
      this.said.unchecked = true;
      return { persistence: [], incident: undefined };
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private sayPersistence(findings: PersistenceFinding[]): void {
    const bad = findings.filter((f) => f.state === 'none' || f.state === 'failing');
    const unknown = findings.filter((f) => f.state === 'unknown');
    const text = JSON.stringify(findings);
    const now = this.deps.clock();
    const repeat = bad.length + unknown.length > 0 && now - this.said.at >= REMIND_MS;
    if (text === this.said.persistence && !repeat) return;
    this.said = { ...this.said, persistence: text, at: now };
    const { log, production } = this.deps;
    if (bad.length > 0)
      log[production ? 'error' : 'warn'](
        'Redis does not keep its data: a restart loses accepted messages and conversations in progress. Turn on AOF (appendonly yes, appendfsync everysec), see the README on running Redis',
        { servers: bad },
      );
    else if (unknown.length > 0)
      log.warn('could not check whether Redis persists its data (CONFIG is refused): make sure AOF or RDB is on', {
        servers: unknown,
      });
    else log.info('Redis persists its data', { servers: findings.map((f) => `${f.server} ${f.state}`) });
  }

  private async checkMarkers(): Promise<DataLossIncident | undefined> {
    if (this.markers.length === 0) this.markers = await markerKeys(this.redis, `${this.prefix}epoch`);
    const now = this.deps.clock();
    const values = await Promise.all(this.markers.map((m) => this.redis.get(m.key)));
    const first = this.markers.every((m) => m.seen === '');
    const lost: DataLossIncident['markers'] = [];
    let from = Infinity;
    let to = now;
    for (const [i, m] of this.markers.entries()) {
      const value = values[i] ?? null;
      if (value !== null && (first || value === m.seen)) {
        Object.assign(m, { seen: value, seenAt: now });
        continue;
      }
      if (first) continue;
      lost.push({ key: m.key, server: m.server, found: value === null ? 'gone' : 'replaced' });
      from = Math.min(from, m.seenAt);
      if (value !== null) to = Math.min(to, createdAt(value) ?? now);
      Object.assign(m, { seen: value ?? (await this.plant(m.key, now)), seenAt: now });
    }
    if (first) return this.firstLook(values, now);
    return lost.length > 0 ? this.report({ markers: lost, from, to: Math.max(from, to) }) : undefined;
  }

  /** The start-up look: markers missing on some servers, or on all where Redis has nothing of ours while the record has writes, are an incident. */
  private async firstLook(values: Array<string | null>, now: number): Promise<DataLossIncident | undefined> {
    const missing = this.markers.filter((_, i) => values[i] === null);
    if (missing.length === 0) return undefined;
    let incident = missing.length < this.markers.length;
    let from: number | undefined;
    if (incident || !(await this.holdsKeys())) {
      from = await this.deps.recordLatestWrite?.().catch((err: unknown) => {
        this.deps.log.warn('could not ask the system of record when it was last written', { error: String(err) });
        return undefined;
      });
      incident ||= from !== undefined;
    }
    for (const m of missing) Object.assign(m, { seen: await this.plant(m.key, now), seenAt: now });
    if (!incident) {
      this.deps.log.info('Redis epoch marker written (a new installation, or one from before the marker)', {
        markers: missing.map((m) => m.key),
      });
      return undefined;
    }
    const markers = missing.map((m) => ({ key: m.key, server: m.server, found: 'gone' as const }));
    const note =
      'found at start-up: unless this Redis (or REDIS_PREFIX) is new to a deployment that ran before, Redis lost its data while the bot was stopped';
    return this.report({ markers, from, to: now }, note);
  }

  private report(incident: DataLossIncident, note?: string): DataLossIncident {
    const { from, to, markers } = incident;
    this.deps.log.error(
      'data-loss incident: Redis lost its data. Messages accepted before it and not yet answered are gone, and conversations in progress start over; see the README on running Redis',
      {
        from: from === undefined || !Number.isFinite(from) ? 'unknown' : new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        servers: markers.map((m) => `${m.server} (marker ${m.found})`),
        ...(note ? { explanation: note } : {}),
      },
    );
    this.deps.onIncident?.(incident);
    return incident;
  }

  /** Writes a new marker unless another replica just did (SET NX), and returns the one in Redis. */
  private async plant(key: string, now: number): Promise<string> {
    const value = JSON.stringify({ id: randomUUID(), createdAt: now });
    if ((await this.redis.set(key, value, 'NX')) === 'OK') return value;
    return (await this.redis.get(key)) ?? value;
  }

  /** Whether any server has a key of the prefix (SCAN; past SCAN_PAGES pages without one, taken as yes). */
  private async holdsKeys(): Promise<boolean> {
    const match = `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    for (const node of dataNodes(this.redis)) {
      let cursor = '0';
      for (let page = 0; page < SCAN_PAGES; page++) {
        const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        if (keys.length > 0) return true;
        cursor = next;
        if (cursor === '0') break;
      }
      if (cursor !== '0') return true;
    }
    return false;
  }
}

function createdAt(raw: string): number | undefined {
  try {
    const at = (JSON.parse(raw) as { createdAt?: unknown }).createdAt;
    return typeof at === 'number' ? at : undefined;
  } catch {
    return undefined;
  }
}

const nodeName = (node: Redis) => `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;

/** The marker keys: `base` on one server; on a cluster, `base` and `base:{n}` until every master holds one. */
async function markerKeys(redis: RedisClient, base: string): Promise<Marker[]> {
  if (!isCluster(redis)) return [{ key: base, server: nodeName(redis), seen: '', seenAt: 0 }];
  const masters = new Set(redis.nodes('master').map(nodeName));
  const markers: Marker[] = [];
  for (let n = 0; markers.length < masters.size && n < 10_000; n++) {
    const key = n === 0 ? base : `${base}:{${n}}`;
    const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', key));
    const server = redis.slots[slot]?.[0];
    if (server && masters.has(server) && !markers.some((m) => m.server === server))
      markers.push({ key, server, seen: '', seenAt: 0 });
  }
  return markers;
}

/** INFO persistence's fields. */
function infoFields(text: string): Map<string, string> {
  return new Map(
    text
      .split(/\r?\n/)
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
  );
}

/** One server's persistence, from CONFIG GET (appendonly, save) and INFO persistence. */
async function persistenceOf(node: Redis): Promise<PersistenceFinding> {
  const server = nodeName(node);
  const info = infoFields(await node.info('persistence'));
  const failed = ['rdb_last_bgsave_status', 'aof_last_write_status', 'aof_last_bgrewrite_status']
    .filter((f) => info.get(f) === 'err')
    .map((f) => `${f}:err`);
  if (failed.length > 0) return { server, state: 'failing', detail: failed.join(', ') };
  const configured = async (name: string) => ((await node.call('CONFIG', 'GET', name)) as string[])[1] ?? '';
  try {
    const [appendonly, save] = [await configured('appendonly'), await configured('save')];
    const aof = appendonly === 'yes';
    const rdb = save.trim() !== '';
    const detail = `appendonly ${appendonly}, save "${save}"`;
    return { server, state: aof && rdb ? 'aof+rdb' : aof ? 'aof' : rdb ? 'rdb' : 'none', detail };
  } catch (err) {
    if (info.get('aof_enabled') === '1') return { server, state: 'aof', detail: 'aof_enabled:1 (CONFIG refused)' };
    return { server, state: 'unknown', detail: `CONFIG GET refused: ${(err as Error).message}` };
  }
}
