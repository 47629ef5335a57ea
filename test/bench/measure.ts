/**
 * How a variant is measured: closed loop (C conversations of T messages, all at once: CPU per
 * message, throughput, per-turn time, Redis bytes), and open loop (customers pausing between
 * messages: latency at a load the service is meant to carry).
 */
import { Redis } from 'ioredis';
import { deleteKeys } from '../support/redis-server.js';
import { SCRIPT, type Driver } from './drivers.js';
import { ticketDigest, type RecordRows, type WriteTimes } from './record.js';
import { redisBytes, type RedisBytes } from './redis-bytes.js';

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
  /** With --rounds: every round's CPU per message, in order (the result is the median round's). */
  cpuRounds?: number[];
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
  /** Every key the run left in Redis, by family, per conversation (issue 17, requirement 3). */
  redis?: RedisBytes;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

export async function measure(
  name: string,
  make: (onSend: (chatId: number) => void) => Promise<Driver>,
  c: number,
  t: number,
  /** Where the variant keeps its keys, to size them after the run; left out for the warm-up. */
  keys?: { url: string; prefix: string },
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
  let sized: RedisBytes | undefined;
  if (keys) {
    const redis = new Redis(keys.url);
    sized = await redisBytes(redis, keys.prefix, c, t).finally(() => redis.quit());
  }
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
    ...(sized ? { redis: sized } : {}),
  };
}

export interface LatencyResult {
  name: string;
  conversations: number;
  thinkMs: number;
  seconds: number;
  messages: number;
  /** Messages per second actually sent: each customer waits for its answer before its pause, so a slower variant is sent a little less. */
  perSecond: number;
  /** From the update's arrival to the end of its turn (replies sent, record written, lock released). */
  p50ms: number;
  p99ms: number;
  maxMs: number;
  /** From the update's arrival to its last reply handed to the Bot API: what the customer waits for. */
  replyP50ms: number;
  replyP99ms: number;
  /** Record writes the turns left deferred in Redis (the database did not take them in time), applied after the window. */
  deferredAtEnd?: number;
}

/** A small seeded generator, so two runs offer the same arrival pattern. */
export function random(seed: number): () => number {
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
export async function measureLatency(
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
  const settled = await driver.settle?.();
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
    ...(settled ? { deferredAtEnd: settled.deferredAtEnd } : {}),
  };
}

/** Deletes a variant's keys (everything under `prefix`). */
export function clean(url: string, prefix: string): Promise<void> {
  return deleteKeys(url, `${prefix}*`);
}
