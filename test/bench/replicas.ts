/**
 * The multi-process mode (issue 17, requirement 6): the same conversations run once by one
 * replica and once by two, each a process of its own (replica.ts) on the one Redis (and, when a
 * server answers, one PostgreSQL record), with every update routed to a replica at random as a
 * load balancer would. Customers mostly wait for their turn, and now and then send two messages
 * back to back, the second to the other replica while the first's turn runs: the conversation's
 * lock must keep them in order across processes. Compares CPU per message, and checks every chat
 * got the same replies in the same order as with one replica. Ours, and then the durable floor the
 * same way: what a second process costs whatever the flow, beside what it costs ours.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SCRIPT } from './drivers.js';
import { clean, random } from './measure.js';
import { freshDatabase } from './record.js';
import type { FromReplica, ToReplica } from './replica.js';

export interface ReplicaRun {
  replicas: number;
  messages: number;
  seconds: number;
  /** The replicas' CPU together (user + system, µs) ÷ every message. */
  cpuUsPerMessage: number;
  /**
   * Each replica: the messages routed to it, the replies it sent (the turns it ran: some of them
   * others accepted while it held the conversation), and its CPU ÷ the messages routed to it.
   */
  each: Array<{ messages: number; replies: number; cpuUsPerMessage: number }>;
  replies: number;
  /** Record writes the turns left deferred in Redis (the database did not take them in time), applied at the end and counted in the CPU. */
  deferred: number;
  /** What Redis did for the run (every client's work, from its INFO), ÷ every message: the work a second replica may add. */
  redis: RedisWork;
}

/**
 * Redis's own count of the work it was sent, per message: deterministic for a given design, unlike
 * CPU time on a shared machine (issue 17, requirement 6: a second replica must not add work).
 */
export interface RedisWork {
  /** Commands Redis ran, those inside scripts included (INFO stats `total_commands_processed`). */
  commandsPerMessage: number;
  /** Scripts run (EVAL, EVALSHA: INFO commandstats), a turn's accept, commit and unlock among them. */
  scriptsPerMessage: number;
  /** Bytes the clients sent (INFO stats `total_net_input_bytes`). */
  bytesInPerMessage: number;
}

/** One flow run by one replica, then by two. */
export interface ReplicaPair {
  /** `ours` (the shipped conversation) or `durable floor` (its trivial flow on the same pipeline). */
  name: 'ours' | 'durable floor';
  one: ReplicaRun;
  two: ReplicaRun;
  /** Chats whose replies differ from the one-replica run's, in content or order (must be 0). */
  chatsOutOfOrder: number;
  /** The first chat that differs: at which reply (from 0), and what each run sent there. */
  firstDifference?: { chatId: number; reply: number; one: string; two: string };
}

export interface ReplicasResult {
  conversations: number;
  turns: number;
  record: 'postgres' | 'off';
  /** Share of messages sent as the first of two back to back. */
  pairShare: number;
  /** Each customer's mean pause before a message (ms). */
  thinkMs: number;
  /**
   * Ours, then the durable floor: what two processes cost above one on this machine whatever the
   * flow (the floor) beside what they cost with the conversation (ours).
   */
  pairs: ReplicaPair[];
}

const root = join(import.meta.dirname, '..', '..');
/** A Tuesday morning in Shanghai, not a holiday: both runs greet alike whatever the hour of the run. */
const CLOCK_BASE = Date.parse('2026-12-01T10:00:00+08:00');
const PAIR_SHARE = 0.2;
/**
 * Customers whose conversations warm the replicas up (customer numbers from `first`, apart from the
 * measured ones): `conversations` for each replica, so every process has compiled its hot code alike.
 */
const WARM_UP = { first: 900_000, conversations: 100, turns: 16 };
/**
 * A customer's mean pause before each message (ms, exponential): the same offered load for one
 * replica and for two, below what one saturates. Sent as fast as they are answered, two replicas on
 * a 2-core machine compete with each other, Redis and this process for the cores, and the CPU time
 * of each message grows with the contention, not with anything the second replica does (measured
 * 2026-12-01: 1.37–1.39 × with each chat held by one replica, no lock ever shared).
 */
const THINK_MS = 250;

/** A replica process, and its answers by request id. */
class Replica {
  /** Messages routed to this replica since `begin`. */
  readonly messages = { routed: 0 };
  private readonly proc: ChildProcess;
  private readonly waiting = new Map<number, () => void>();
  private next = 0;
  private ended: ((m: Extract<FromReplica, { op: 'ended' }>) => void) | undefined;
  private ready: (() => void) | undefined;
  private begun: (() => void) | undefined;
  private failed: ((err: Error) => void) | undefined;
  readonly exited: Promise<void>;

  constructor() {
    this.proc = fork(join(import.meta.dirname, 'replica.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.on('message', (m: FromReplica) => {
      if (m.op === 'done') {
        this.waiting.get(m.id)?.();
        this.waiting.delete(m.id);
      } else if (m.op === 'ready') this.ready?.();
      else if (m.op === 'begun') this.begun?.();
      else if (m.op === 'ended') this.ended?.(m);
      else this.failed?.(new Error(`replica ${this.proc.pid} failed: ${m.error}`));
    });
  }

  private tell(m: ToReplica): void {
    this.proc.send(m);
  }

  start(m: Extract<ToReplica, { op: 'start' }>, fail: (err: Error) => void): Promise<void> {
    this.failed = fail;
    return new Promise((resolve) => {
      this.ready = resolve;
      this.tell(m);
    });
  }

  send(chatId: number, text: string, updateId: number, wait: boolean): Promise<void> {
    const id = ++this.next;
    this.messages.routed++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.tell({ op: 'send', id, chatId, text, updateId, wait });
    });
  }

  /** Resolves once the turns so far have run and the replica counts from zero. */
  begin(): Promise<void> {
    return new Promise((resolve) => {
      this.begun = resolve;
      this.tell({ op: 'begin' });
    });
  }

  end(): Promise<Extract<FromReplica, { op: 'ended' }>> {
    return new Promise((resolve) => {
      this.ended = resolve;
      this.tell({ op: 'end' });
    });
  }

  /** Disconnects (the replica exits once its connections are closed); killed by its pid if it has not within 10 s. */
  async stop(): Promise<void> {
    if (this.proc.connected) this.proc.disconnect();
    const gone = await Promise.race([this.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!gone && this.proc.pid !== undefined) process.kill(this.proc.pid, 'SIGKILL');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Redis's running totals: commands (scripts' own included), scripts, bytes received. */
async function redisTotals(redis: Redis): Promise<{ commands: number; scripts: number; bytesIn: number }> {
  const [stats, commandstats] = await Promise.all([redis.info('stats'), redis.info('commandstats')]);
  const stat = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
  let scripts = 0;
  for (const m of commandstats.matchAll(/^cmdstat_(?:eval|evalsha|eval_ro|evalsha_ro|fcall|fcall_ro):calls=(\d+)/gm))
    scripts += Number(m[1]);
  return { commands: stat('total_commands_processed'), scripts, bytesIn: stat('total_net_input_bytes') };
}

/** The work Redis did between two totals, per message (the INFO reads themselves, four commands a run, are left in). */
function workBetween(
  before: Awaited<ReturnType<typeof redisTotals>>,
  after: Awaited<ReturnType<typeof redisTotals>>,
  messages: number,
): RedisWork {
  return {
    commandsPerMessage: (after.commands - before.commands) / messages,
    scriptsPerMessage: (after.scripts - before.scripts) / messages,
    bytesInPerMessage: (after.bytesIn - before.bytesIn) / messages,
  };
}

/** Each chat's reply texts, in the order the replicas sent them. */
type Replies = Map<number, string[]>;

async function runWith(
  n: number,
  flow: 'service' | 'trivial',
  options: { redisUrl: string; admin: string | undefined; conversations: number; turns: number },
): Promise<{ run: ReplicaRun; replies: Replies }> {
  const prefix = `bench:${process.pid}:replicas:${flow}:${n}:`;
  await clean(options.redisUrl, prefix);
  const database = options.admin ? await freshDatabase(options.admin) : undefined;
  const replicas = Array.from({ length: n }, () => new Replica());
  // Read on the measured window only; the bench runs nothing else on this Redis meanwhile.
  const counter = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    let fail: (err: Error) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => (fail = reject));
    const start = { op: 'start' as const, redisUrl: options.redisUrl, prefix, clockBase: CLOCK_BASE, flow };
    const work = async () => {
      await Promise.all(replicas.map((r) => r.start({ ...start, databaseUrl: database?.url }, fail)));
      // Unmeasured: each process compiles the hot code before its CPU is counted.
      await Promise.all(
        Array.from({ length: WARM_UP.conversations * n }, (_, i) =>
          customer(WARM_UP.first + i, replicas, WARM_UP.turns, 0),
        ),
      );
      await Promise.all(replicas.map((r) => r.begin()));
      for (const r of replicas) r.messages.routed = 0;
      const totalsBefore = await redisTotals(counter);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: options.conversations }, (_, i) => customer(i, replicas, options.turns, THINK_MS)),
      );
      const ended: Array<Extract<FromReplica, { op: 'ended' }>> = [];
      for (const r of replicas) ended.push(await r.end());
      const seconds = (performance.now() - started) / 1000;
      return { ended, seconds, totals: [totalsBefore, await redisTotals(counter)] as const };
    };
    const { ended, seconds, totals } = await Promise.race([work(), failure]);
    const messages = options.conversations * options.turns;
    const replies: Replies = new Map();
    const sends = ended
      .flatMap((e) => e.sends.map(([chatId, text, at]) => ({ chatId, text, at: BigInt(at) })))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    for (const { chatId, text } of sends) replies.set(chatId, [...(replies.get(chatId) ?? []), text]);
    return {
      replies,
      run: {
        replicas: n,
        messages,
        seconds,
        cpuUsPerMessage: ended.reduce((s, e) => s + e.cpuUs, 0) / messages,
        each: ended.map((e, i) => {
          const routed = replicas[i]?.messages.routed ?? 0;
          return { messages: routed, replies: e.sends.length, cpuUsPerMessage: e.cpuUs / Math.max(1, routed) };
        }),
        replies: sends.length,
        deferred: ended.reduce((n, e) => n + e.deferred, 0),
        redis: workBetween(totals[0], totals[1], messages),
      },
    };
  } finally {
    counter.disconnect();
    await Promise.all(replicas.map((r) => r.stop()));
    await database?.drop();
    await clean(options.redisUrl, prefix);
  }
}

/**
 * One customer: the script, each message to a replica at random after a pause of `thinkMs` on
 * average (none when 0); now and then two back to back.
 */
async function customer(i: number, replicas: readonly Replica[], turns: number, thinkMs: number): Promise<void> {
  const next = random(7_000 + i);
  const chatId = 4_000_000 + i;
  const text = (turn: number) => SCRIPT[turn % SCRIPT.length] ?? '你好';
  const updateId = (turn: number) => chatId * 1_000 + turn;
  const pick = () => replicas[Math.floor(next() * replicas.length)] as Replica;
  for (let turn = 0; turn < turns;) {
    if (thinkMs > 0) await sleep(-Math.log(1 - next()) * thinkMs);
    const first = pick();
    if (turn + 1 < turns && next() < PAIR_SHARE) {
      // Stored by one replica (its turn runs there now), then the next message to the other.
      await first.send(chatId, text(turn), updateId(turn), false);
      const other = replicas.length > 1 ? (replicas.find((r) => r !== first) as Replica) : first;
      await other.send(chatId, text(turn + 1), updateId(turn + 1), true);
      turn += 2;
    } else {
      await first.send(chatId, text(turn), updateId(turn), true);
      turn += 1;
    }
  }
}

/**
 * Ours, one replica then two, on the same conversations; then the durable floor the same way (each
 * pair close in time, so the machine's drift moves both of a ratio alike). `admin` puts the record
 * on that server (a database per run).
 */
export async function runReplicas(options: {
  redisUrl: string;
  admin: string | undefined;
  conversations: number;
  turns: number;
  progress?: (line: string) => void;
}): Promise<ReplicasResult> {
  const pairs: ReplicaPair[] = [];
  for (const [name, flow] of [
    ['ours', 'service'],
    ['durable floor', 'trivial'],
  ] as const) {
    options.progress?.(`replicas, ${name}: one process…`);
    const one = await runWith(1, flow, options);
    options.progress?.(`replicas, ${name}: two processes…`);
    const two = await runWith(2, flow, options);
    pairs.push({ name, one: one.run, two: two.run, ...inOrder(options.conversations, one.replies, two.replies) });
  }
  return {
    conversations: options.conversations,
    turns: options.turns,
    record: options.admin ? 'postgres' : 'off',
    pairShare: PAIR_SHARE,
    thinkMs: THINK_MS,
    pairs,
  };
}

/** The chats whose replies from two replicas differ from one's, in content or order, and the first difference. */
function inOrder(
  conversations: number,
  one: Replies,
  two: Replies,
): Pick<ReplicaPair, 'chatsOutOfOrder' | 'firstDifference'> {
  let chatsOutOfOrder = 0;
  let firstDifference: ReplicaPair['firstDifference'];
  for (let i = 0; i < conversations; i++) {
    const chatId = 4_000_000 + i;
    const [a, b] = [one.get(chatId) ?? [], two.get(chatId) ?? []];
    const at = a.length === b.length ? a.findIndex((text, n) => text !== b[n]) : Math.min(a.length, b.length);
    if (at === -1) continue;
    chatsOutOfOrder++;
    firstDifference ??= { chatId, reply: at, one: a[at] ?? '(none)', two: b[at] ?? '(none)' };
  }
  return { chatsOutOfOrder, ...(firstDifference ? { firstDifference } : {}) };
}
