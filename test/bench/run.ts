/**
 * `npm run bench`: the real pipeline (Telegram adapter → engine → Redis store → outbox) against
 * the floors, in one run, on the same Redis and stubbed Bot API (issue 17): the durable floor (the
 * same engine, adapter and stores with a flow that does nothing), the grammY floor (a hand-written
 * session, not durable) and conversations v2. Ours and the durable floor run three ways: without
 * the system of record, with it on a PostgreSQL server (a database created for the run and dropped
 * after; skipped with a note when no server answers) and on PGlite in memory (issue 14). Then
 * Redis bytes per conversation by key family, latency in an open loop at C=1,000 and 2,000, the
 * cold start of `npm start`, two replicas against one, and outbound pacing. Prints Markdown tables
 * with the targets beside the figures, and writes JSON for comparing commits.
 *
 *   npm run bench [-- --quick] [--conversations 100 --turns 100] [--only ours,durable] [--no-record] [--no-pglite]
 *                 [--rounds 3] (the closed loop three times, interleaved: each variant's median round)
 *                 [--latency-conversations 1000,2000 --latency-seconds 15 --think-ms 2000] [--no-latency]
 *                 [--no-cold-start] [--cold-records off,pglite,postgres] [--cold-commands 'npm start,node dist/main.js'] [--cold-restarts 3]
 *                 [--only cold] (the cold start alone) [--only replicas] (the multi-process mode alone)
 *                 [--replica-conversations 100 --replica-turns 50 --replicas-record pg|off]
 *                 [--no-replicas] [--pacing-chats 1000] [--no-pacing] [--pacing-only] [--json FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { findRedis } from '../support/redis-server.js';
import { COLD_COMMANDS, coldStarts, type ColdCommand, type ColdRecord, type ColdStart } from './cold-start.js';
import { defaultFlow } from '../support/flows.js';
import { replayedFlow } from './durable.js';
import { grammyBaseline, ours, type Driver, type RecordBackend } from './drivers.js';
import { clean, measure, measureLatency, type LatencyResult, type VariantResult } from './measure.js';
import { runPacing, type PacingResult } from './pacing.js';
import { probePostgres, serverUrl } from './record.js';
import { runReplicas, type ReplicasResult } from './replicas.js';
import { table, type BenchReport } from './report.js';

type OnSend = (chatId: number, text: string) => void;

interface Variant {
  name: string;
  /** Its Redis keys' prefix (the open loop adds its own). */
  prefix: string;
  make: (prefix: string, onSend: OnSend) => Promise<Driver>;
  /** Also run in the open loop (latency). */
  latency?: boolean;
  /**
   * Run once unmeasured first, on the same conversations: the replayed step records ours' steps
   * there, and the measured pass must compute none (`recorded()` unchanged by it).
   */
  recording?: { recorded(): number };
}

/** The sizes of a full run and of `--quick`; any option given explicitly wins over both. */
const SIZES = {
  // 10,000 messages a variant: CPU per message settles well before (the record variants take most of the time).
  full: {
    conversations: '100',
    turns: '100',
    'latency-seconds': '15',
    'pacing-chats': '1000',
    'replica-conversations': '100',
    'replica-turns': '50',
    'cold-restarts': '3',
  },
  // About three minutes: every part, on fewer conversations (still 100 messages each, for the memory figure).
  quick: {
    conversations: '20',
    turns: '100',
    'latency-seconds': '4',
    'pacing-chats': '60',
    'replica-conversations': '30',
    'replica-turns': '40',
    'cold-restarts': '1',
  },
} as const;

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      conversations: { type: 'string', short: 'c' },
      turns: { type: 'string', short: 't' },
      only: { type: 'string' },
      'pacing-chats': { type: 'string' },
      'latency-conversations': { type: 'string', default: '1000,2000' },
      'latency-seconds': { type: 'string' },
      'think-ms': { type: 'string', default: '2000' },
      'replica-conversations': { type: 'string' },
      'replica-turns': { type: 'string' },
      'replicas-record': { type: 'string', default: 'pg' },
      'no-latency': { type: 'boolean', default: false },
      'no-pacing': { type: 'boolean', default: false },
      'no-record': { type: 'boolean', default: false },
      'no-pglite': { type: 'boolean', default: false },
      'no-cold-start': { type: 'boolean', default: false },
      'cold-records': { type: 'string' },
      'cold-commands': { type: 'string' },
      'cold-restarts': { type: 'string' },
      'no-replicas': { type: 'boolean', default: false },
      'pacing-only': { type: 'boolean', default: false },
      json: { type: 'string' },
      rounds: { type: 'string', default: '1' },
    },
  });
  const sizes = values.quick ? SIZES.quick : SIZES.full;
  const size = (name: keyof typeof sizes) => {
    const n = Number(values[name] ?? sizes[name]);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const latencyConversations = (values['latency-conversations'] ?? '').split(',').map(Number);
  if (!latencyConversations.every((n) => n > 0) || !(Number(values['think-ms']) > 0))
    throw new Error('--latency-conversations (a list, 1000,2000) and --think-ms must be positive numbers');
  if (values['replicas-record'] !== 'pg' && values['replicas-record'] !== 'off')
    throw new Error('--replicas-record must be pg or off');
  const list = <T extends string>(name: string, given: string | undefined, known: readonly T[], fallback: T[]): T[] => {
    const items = given === undefined ? fallback : given.split(',').map((x) => x.trim());
    const unknown = items.filter((x) => !known.includes(x as T));
    if (unknown.length > 0) throw new Error(`--${name}: ${unknown.join(', ')} is not one of ${known.join(', ')}`);
    return items as T[];
  };
  // Without a PostgreSQL server, coldStarts leaves 'postgres' out.
  const coldRecords = list<ColdRecord>(
    'cold-records',
    values['cold-records'],
    ['off', 'pglite', 'postgres'],
    values['no-record'] ? ['off'] : values.quick ? ['off', 'postgres'] : ['off', 'pglite', 'postgres'],
  );
  const coldCommands = list<ColdCommand>(
    'cold-commands',
    values['cold-commands'],
    Object.keys(COLD_COMMANDS) as ColdCommand[],
    values.quick ? ['npm start'] : ['npm start', 'node dist/main.js'],
  );
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number, 1 or more');
  return {
    ...values,
    rounds,
    c: size('conversations'),
    t: size('turns'),
    pacingChats: size('pacing-chats'),
    latencySeconds: size('latency-seconds'),
    latencyConversations,
    thinkMs: Number(values['think-ms']),
    replicaConversations: size('replica-conversations'),
    replicaTurns: size('replica-turns'),
    coldRestarts: size('cold-restarts'),
    coldRecords,
    coldCommands,
  };
}

/** Ours and the durable floor, each without the record and on each record there is; then grammY's. */
function variantsFor(redisUrl: string, postgres: RecordBackend | undefined, pglite: boolean): Variant[] {
  const records: Array<{ suffix: string; prefix: string; backend: RecordBackend | undefined }> = [
    { suffix: '', prefix: '', backend: undefined },
    ...(postgres ? [{ suffix: '+pg', prefix: '-pg', backend: postgres }] : []),
    ...(!pglite ? [] : [{ suffix: '+pglite', prefix: '-pglite', backend: { kind: 'pglite' as const } }]),
  ];
  // Ours beside its durable floor, record by record: a drift in the machine's load between the two
  // they are compared with is as short as it can be.
  return [
    ...records.flatMap(({ suffix, prefix, backend }, i) => [
      {
        name: `ours${suffix}`,
        prefix: `bench:${process.pid}:ours${prefix}:`,
        make: (p: string, onSend: OnSend) => ours(redisUrl, p, onSend, backend),
        // The open loop runs without the record and on the first record (the server when there is one).
        latency: i <= 1,
      },
      {
        name: `durable floor${suffix}`,
        prefix: `bench:${process.pid}:durable${prefix}:`,
        make: (p: string, onSend: OnSend) => ours(redisUrl, p, onSend, backend, { flow: 'trivial' }),
        latency: i === 0,
      },
    ]),
    // Ours with a free conversation step, without the record and on the server (PGlite left out: its
    // variants take longest, and the server's ratio tells the same).
    ...records
      .filter(({ backend }) => backend?.kind !== 'pglite')
      .map(({ suffix, prefix, backend }) => {
        const flow = replayedFlow(defaultFlow());
        return {
          name: `replayed step${suffix}`,
          prefix: `bench:${process.pid}:replayed${prefix}:`,
          make: (p: string, onSend: OnSend) => ours(redisUrl, p, onSend, backend, { flow }),
          recording: flow,
        };
      }),
    {
      name: 'grammY floor',
      prefix: `bench:${process.pid}:floor:`,
      make: (p, onSend) => grammyBaseline('floor', redisUrl, p, onSend),
    },
    // conversations v2 replays its history, so its latency depends on how long it has run: closed loop only.
    {
      name: 'conversations v2',
      prefix: `bench:${process.pid}:conv:`,
      make: (p, onSend) => grammyBaseline('conversations', redisUrl, p, onSend),
    },
  ];
}

async function main(): Promise<void> {
  const o = options();
  const redis = await findRedis();
  process.stderr.write(`Redis: ${redis.url}\n`);
  const began = performance.now();
  const progress = (line: string) =>
    void process.stderr.write(`[${Math.round((performance.now() - began) / 1000)} s] ${line}\n`);
  // --only takes a comma-separated list of name prefixes: `--only ours,durable`.
  const only = o.only?.split(',').map((x) => x.trim());
  const wanted = (name: string) => !o['pacing-only'] && (!only || only.some((x) => name.startsWith(x)));
  // The record on a server: skipped, with a note in the report, when none answers.
  const notes: string[] = [];
  const missing = await probePostgres(serverUrl);
  if (missing && !o['no-record'])
    notes.push(`The PostgreSQL variants are skipped: ${missing} (set DATABASE_TEST_URL to a server's admin database).`);
  const postgres: RecordBackend | undefined =
    missing || o['no-record'] ? undefined : { kind: 'postgres', admin: serverUrl };
  // --quick leaves PGlite out when a server answers: its variants take longer than all the others.
  const pglite = !o['no-record'] && !o['no-pglite'] && !(o.quick && postgres);
  if (!o['no-record'] && !pglite)
    notes.push(
      o['no-pglite']
        ? 'The PGlite variants are left out (--no-pglite).'
        : 'The PGlite variants are left out (--quick, and a PostgreSQL server answers).',
    );
  const variants = variantsFor(redis.url, postgres, pglite);
  try {
    const results = await closedLoop(redis.url, variants, wanted, { c: o.c, t: o.t, rounds: o.rounds }, progress);
    const latency: LatencyResult[] = [];
    if (!o['no-latency'] && !o['pacing-only'])
      for (const lc of o.latencyConversations)
        for (const { name, make, latency: open } of variants) {
          if (!open || !wanted(name)) continue;
          const prefix = `bench:${process.pid}:lat:${name}:`;
          await clean(redis.url, prefix);
          progress(`running ${name}, open loop, C=${lc}…`);
          latency.push(await measureLatency(name, (onSend) => make(prefix, onSend), lc, o.latencySeconds, o.thinkMs));
          await clean(redis.url, prefix);
        }
    let starts: ColdStart[] = [];
    if (!o['no-cold-start'] && wanted('cold start'))
      starts = await coldStarts({
        redisUrl: redis.url,
        admin: postgres && serverUrl,
        records: o.coldRecords,
        commands: o.coldCommands,
        restarts: o.coldRestarts,
        progress,
      });
    let replicas: ReplicasResult | undefined;
    if (!o['no-replicas'] && wanted('replicas'))
      replicas = await runReplicas({
        redisUrl: redis.url,
        admin: postgres && o['replicas-record'] === 'pg' ? serverUrl : undefined,
        conversations: o.replicaConversations,
        turns: o.replicaTurns,
        progress,
      });
    let pacing: PacingResult | undefined;
    if (!o['no-pacing'] && !o.only) {
      progress('running outbound pacing…');
      await clean(redis.url, `bench:${process.pid}:pace:`);
      pacing = await runPacing(redis.url, `bench:${process.pid}:pace:`, o.pacingChats);
      await clean(redis.url, `bench:${process.pid}:pace:`);
    }
    const report: BenchReport = {
      conversations: o.c,
      turns: o.t,
      results,
      latency,
      pacing,
      coldStarts: starts,
      replicas,
      notes,
    };
    process.stdout.write(`${table(report)}\n`);
    const seconds = (performance.now() - began) / 1000;
    const file = o.json ?? `bench-results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    mkdirSync(file.split('/').slice(0, -1).join('/') || '.', { recursive: true });
    const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version };
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), seconds, machine, ...report }, null, 2));
    progress(`JSON: ${file}\nThe run took ${Math.round(seconds)} s.`);
    // A record variant that wrote nothing measured nothing: the run fails rather than print a cost of zero.
    const empty = results.filter(
      (r) =>
        r.record && (r.record.rows.transcriptLines === 0 || (r.name.startsWith('ours') && r.record.rows.tickets === 0)),
    );
    if (empty.length > 0)
      throw new Error(`the record holds no tickets or no archived lines after ${empty.map((r) => r.name).join(', ')}`);
  } finally {
    redis.stop();
  }
}

/**
 * Every wanted variant, closed loop, after an unmeasured warm-up of ours; `rounds` times over, the
 * variants interleaved round by round, each variant's result the round of its median CPU per
 * message (`cpuRounds`: every round's, in order). On a shared machine one run of a variant can be
 * 20 % off the next; interleaved rounds let a drift in load fall on every variant alike.
 */
async function closedLoop(
  redisUrl: string,
  variants: readonly Variant[],
  wanted: (name: string) => boolean,
  size: { c: number; t: number; rounds: number },
  progress: (line: string) => void,
): Promise<VariantResult[]> {
  const { c, t, rounds } = size;
  const runs = new Map<string, VariantResult[]>();
  for (let round = 1; round <= rounds; round++) {
    const label = rounds > 1 ? ` (round ${round} of ${rounds})` : '';
    for (const r of await closedLoopRound(redisUrl, variants, wanted, c, t, (line) => progress(`${line}${label}`)))
      runs.set(r.name, [...(runs.get(r.name) ?? []), r]);
  }
  return [...runs.values()].map((all) => {
    if (all.length === 1) return all[0] as VariantResult;
    const median = [...all].sort((a, b) => a.cpuUsPerMessage - b.cpuUsPerMessage)[Math.floor((all.length - 1) / 2)];
    return { ...(median as VariantResult), cpuRounds: all.map((r) => r.cpuUsPerMessage) };
  });
}

/** One round: every wanted variant once. */
async function closedLoopRound(
  redisUrl: string,
  variants: readonly Variant[],
  wanted: (name: string) => boolean,
  c: number,
  t: number,
  progress: (line: string) => void,
): Promise<VariantResult[]> {
  const results: VariantResult[] = [];
  // Unmeasured: the code the variants of ours share (and each record's) is compiled before the
  // first is timed, so ours does not pay for warming up what its durable floor then gets warm.
  const warmed = new Set<string>();
  for (const { name, make } of variants) {
    const record = name.split('+')[1] ?? '';
    if (!(name.startsWith('ours') || name.startsWith('durable')) || !wanted(name) || warmed.has(record)) continue;
    warmed.add(record);
    progress(`warming up ${name}…`);
    await clean(redisUrl, `bench:${process.pid}:warm:`);
    await measure('warm-up', (onSend) => make(`bench:${process.pid}:warm:`, onSend), Math.min(c, 50), 16);
    await clean(redisUrl, `bench:${process.pid}:warm:`);
  }
  for (const { name, prefix, make, recording } of variants) {
    if (!wanted(name)) continue;
    if (recording) {
      progress(`recording ${name}…`);
      await clean(redisUrl, prefix);
      await measure('recording', (onSend) => make(prefix, onSend), c, t);
    }
    const recorded = recording?.recorded();
    await clean(redisUrl, prefix);
    progress(`running ${name}…`);
    results.push(await measure(name, (onSend) => make(prefix, onSend), c, t, { url: redisUrl, prefix }));
    if (recording && recording.recorded() !== recorded)
      throw new Error(`${name}: ${recording.recorded() - (recorded ?? 0)} steps were computed, not replayed`);
    await clean(redisUrl, prefix);
  }
  return results;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
