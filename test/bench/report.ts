/** The report `npm run bench` prints: the figures in Markdown tables, with the targets beside them. */
import type { ColdStart } from './cold-start.js';
import type { LatencyResult, RecordResult, VariantResult } from './measure.js';
import type { PacingResult } from './pacing.js';
import { REDIS_BUDGET_BYTES } from './redis-bytes.js';
import type { ReplicaPair, ReplicaRun, ReplicasResult } from './replicas.js';

/** Everything one run measured (also written as JSON). */
export interface BenchReport {
  conversations: number;
  turns: number;
  results: VariantResult[];
  latency: LatencyResult[];
  pacing?: PacingResult | undefined;
  coldStarts: ColdStart[];
  replicas?: ReplicasResult | undefined;
  notes: string[];
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const check = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/** The record a variant's name says it writes to: '' (none), '+pg' or '+pglite'. */
const recordOf = (name: string) => /\+pg(lite)?$/.exec(name)?.[0] ?? '';
/** The same variant without its record ('ours+pg' → 'ours'). */
const withoutRecord = (name: string) => name.slice(0, name.length - recordOf(name).length);
/** Ours with the same record as `name` (none for the grammY variants, which have none). */
const oursFor = (results: readonly VariantResult[], name: string) =>
  results.find((r) => r.name === `ours${recordOf(name)}`);

export function table(report: BenchReport): string {
  const { results, conversations: c, turns: t } = report;
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${fmt(r.perSecond)} | ${fmt(r.cpuUsPerMessage)} | ${fmt(r.p50ms, 1)} | ${fmt(r.p99ms, 1)} | ${fmt(r.firstTurnsUs)} | ${fmt(r.lastTurnsUs)} | ${fmt(r.stateBytes)} | ${fmt(r.transcriptBytes)} | ${fmt(r.dedupBytes)} | ${fmt(r.rssMb)} |`,
  );
  // The closed loop's tables only when it ran (`--only cold`, `--only replicas` and `--pacing-only` skip it).
  const closedLoop = results[0]
    ? [
        `C=${c} conversations × T=${t} messages, ${fmt(results[0].messages)} messages per variant`,
        '',
        '| variant | msgs/s | CPU µs/msg | p50 ms | p99 ms | mean latency µs, turns 1–5 | last 5 turns | Redis B/conv state | transcript B | dedup ids B | RSS MB |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rows,
        ...costTable(results),
        ...targets(report),
        ...recordTable(results, report.notes),
        ...memoryTable(results),
      ]
    : [];
  return [
    ...closedLoop,
    ...latencyTable(report.latency),
    ...coldStartTable(report.coldStarts),
    ...replicasTable(report.replicas),
    ...pacingLines(report.pacing),
  ].join('\n');
}

/** CPU per message beside the floors, each ratio against ours with the same record (issue 17, requirement 1). */
function costTable(results: readonly VariantResult[]): string[] {
  if (!results.some((r) => r.name.startsWith('ours'))) return [];
  return [
    '',
    "Cost per message: this process's CPU (user + system). Ratios: ours with the same record (none for the grammY",
    'variants, which keep none) against the variant. The durable floor is the engine with a flow that does nothing;',
    'the replayed step is ours with each step looked up from an earlier pass (the same replies, tickets, timers and',
    'record writes, nothing understood or decided).',
    '',
    '| variant | CPU µs/msg | msgs/s | ours ÷ it, CPU | it ÷ ours, msgs/s |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const o = oursFor(results, r.name);
      const ratios =
        o && o !== r
          ? `${fmt(o.cpuUsPerMessage / r.cpuUsPerMessage, 2)} × | ${fmt(r.perSecond / o.perSecond, 2)} ×`
          : ' | ';
      return `| ${r.name} | ${fmt(r.cpuUsPerMessage)} | ${fmt(r.perSecond)} | ${ratios} |`;
    }),
    ...roundsNote(results),
  ];
}

/** With --rounds: that each figure is its variant's median round, and every round's CPU per message. */
function roundsNote(results: readonly VariantResult[]): string[] {
  const rounded = results.filter((r) => (r.cpuRounds?.length ?? 0) > 1);
  if (rounded.length === 0) return [];
  const n = rounded[0]?.cpuRounds?.length ?? 0;
  return [
    '',
    `Each variant's figures are its median round of ${n}, the variants interleaved round by round; CPU µs/msg by round:`,
    ...rounded.map((r) => `- ${r.name}: ${(r.cpuRounds ?? []).map((x) => fmt(x)).join(', ')}`),
  ];
}

function targets(report: BenchReport): string[] {
  const { results } = report;
  const o = results.find((r) => r.name === 'ours');
  if (!o) return [];
  const grammy = results.find((r) => r.name === 'grammY floor');
  const conv = results.find((r) => r.name === 'conversations v2');
  const out = ['', '| target | figure | |', '| --- | --- | --- |'];
  for (const ours of results.filter((r) => withoutRecord(r.name) === 'ours')) {
    const floor = results.find((r) => r.name === `durable floor${recordOf(ours.name)}`);
    if (!floor) continue;
    const [cpu, speed] = [ours.cpuUsPerMessage / floor.cpuUsPerMessage, ours.perSecond / floor.perSecond];
    out.push(
      `| ${ours.name}: CPU ≤ 1.4 × ${floor.name} (throughput ≥ 0.7 ×) | ${fmt(cpu, 2)} × CPU, ${fmt(speed, 2)} × msgs/s | ${check(cpu <= 1.4)} |`,
    );
  }
  for (const replayed of results.filter((r) => withoutRecord(r.name) === 'replayed step')) {
    const floor = results.find((r) => r.name === `durable floor${recordOf(replayed.name)}`);
    if (!floor) continue;
    out.push(
      `| ${replayed.name} (ours, deciding nothing) ÷ ${floor.name}: the durable work ours' conversation asks for | ${fmt(replayed.cpuUsPerMessage / floor.cpuUsPerMessage, 2)} × CPU | |`,
    );
  }
  if (grammy)
    out.push(
      `| ours ÷ grammY floor (not durable: no dedup, lock, outbox or transcript) | ${fmt(o.cpuUsPerMessage / grammy.cpuUsPerMessage, 2)} × CPU, ${fmt(o.perSecond / grammy.perSecond, 2)} × msgs/s | |`,
    );
  if (conv)
    out.push(
      `| throughput ≥ 10 × conversations v2 | ${fmt(o.perSecond / conv.perSecond, 1)} × | ${check(o.perSecond >= 10 * conv.perSecond)} |`,
    );
  out.push(
    `| last 5 turns ≤ 1.2 × first 5 (flat) | ${fmt(o.lastTurnsUs / o.firstTurnsUs, 2)} × | ${check(o.lastTurnsUs <= 1.2 * o.firstTurnsUs)} |`,
    `| ≤ 2 KB Redis per conversation state | ${fmt(o.stateBytes)} B | ${check(o.stateBytes <= 2048)} |`,
  );
  for (const r of results.filter((x) => withoutRecord(x.name) === 'ours' && x.redis)) {
    const bytes = r.redis?.bytesPerConversation ?? 0;
    out.push(
      `| ${r.name}: ≤ 4 KB Redis per conversation after 100 messages, everything counted | ${fmt(bytes)} B after ${fmt(r.redis?.messagesPerConversation ?? 0)} | ${(r.redis?.messagesPerConversation ?? 0) >= 100 ? check(bytes <= 4096) : 'run with --turns 100'} |`,
    );
  }
  for (const l of report.latency.filter((x) => withoutRecord(x.name) === 'ours')) {
    const limit = l.conversations >= 2000 ? 50 : l.conversations >= 1000 ? 20 : undefined;
    out.push(
      `| ${l.name}: reply p99 ≤ ${limit ?? '20 / 50'} ms at C=${fmt(l.conversations)} (open loop) | ${fmt(l.replyP99ms, 1)} ms, ${fmt(l.perSecond)} msgs/s | ${limit ? check(l.replyP99ms <= limit) : 'run with --latency-conversations 1000,2000'} |`,
    );
  }
  for (const s of coldSummaries(report.coldStarts).filter((x) => x.command === 'npm start' && x.start === 'restart'))
    out.push(
      `| npm start → first reply ≤ 1 s (record ${s.record}, restart${s.runs > 1 ? `, median of ${s.runs}` : ''}) | ${fmt(s.replyMs)} ms | ${check(s.replyMs <= 1000)} |`,
    );
  for (const pair of report.replicas?.pairs ?? []) {
    const ratio = pair.two.cpuUsPerMessage / pair.one.cpuUsPerMessage;
    out.push(
      `| ${pair.name}: two replicas' CPU/msg within 10 % of one's, per-chat order kept | ${fmt(ratio, 2)} ×, ${fmt(pair.chatsOutOfOrder)} chats out of order | ${check(ratio <= 1.1 && pair.chatsOutOfOrder === 0)} |`,
    );
    const work = workRatios(pair);
    if (work)
      out.push(
        `| ${pair.name}: two replicas' Redis work/msg within 10 % of one's (commands, scripts, bytes sent) | ${work.map((w) => `${fmt(w, 2)} ×`).join(', ')} | ${check(Math.max(...work) <= 1.1 && pair.chatsOutOfOrder === 0)} |`,
      );
  }
  out.push(
    `| p99 at C=${fmt(report.conversations)}, closed loop (all sending at once) | ${fmt(o.p99ms, 1)} ms | (queueing: ≈ C ÷ throughput) |`,
  );
  if (conv)
    out.push(
      `| conversations v2: last 5 / first 5 turns | ${fmt(conv.lastTurnsUs / conv.firstTurnsUs, 2)} × | (grows with length) |`,
    );
  return out;
}

/** What the record adds per message against the same variant without it (issue 14). */
function recordTable(results: readonly VariantResult[], notes: readonly string[]): string[] {
  const recorded = results.filter((r) => r.record);
  if (recorded.length === 0 && notes.length === 0) return [];
  const diff = (n: number) => `${n >= 0 ? '+' : '−'}${fmt(Math.abs(n))}`;
  return [
    '',
    'The system of record (issue 14): what it adds per message against the same variant without it, in this run. CPU',
    "is this process's (PGlite runs in it); the server's is its backends for the run's database, from /proc (not its",
    'WAL writer or checkpointer). Writes: each the turns made to the record, wall time from the courier.',
    '',
    '| variant | CPU µs/msg here | vs without | server CPU µs/msg | vs without, both | msgs/s | writes/msg | write ms mean / p99 | tickets | events | archived lines | conversations | deferred at end |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...recorded.map((r) => {
      const rec = r.record as RecordResult;
      const base = results.find((x) => x.name === withoutRecord(r.name));
      const server = rec.serverCpuUsPerMessage;
      const serverCell =
        rec.kind === 'pglite' ? '(in this process)' : server === undefined ? 'not counted' : fmt(server);
      const here = base ? diff(r.cpuUsPerMessage - base.cpuUsPerMessage) : '';
      const both =
        base && (rec.kind === 'pglite' || server !== undefined)
          ? diff(r.cpuUsPerMessage + (server ?? 0) - base.cpuUsPerMessage)
          : '';
      return `| ${r.name} | ${fmt(r.cpuUsPerMessage)} | ${here} | ${serverCell} | ${both} | ${fmt(r.perSecond)} | ${fmt(rec.writes.count / r.messages, 2)} | ${fmt(rec.writes.meanMs, 1)} / ${fmt(rec.writes.p99Ms, 1)} | ${fmt(rec.rows.tickets)} | ${fmt(rec.rows.ticketEvents)} | ${fmt(rec.rows.transcriptLines)} | ${fmt(rec.rows.conversations)} | ${fmt(rec.deferredAtEnd)}${rec.deferredAtEnd > 0 ? `, applied in ${fmt(rec.drainMs)} ms` : ''} |`;
    }),
    ...notes.map((n) => `\n${n}`),
  ];
}

/** What each key family holds, in words. */
const FAMILY: Record<string, string> = {
  state: 'state (the conversation record)',
  transcript: 'transcript (kept for cards)',
  seen: 'dedup ids',
  tickets: 'tickets',
  timers: 'timers',
  links: 'links',
  queue: 'queue',
  pending: 'pending set',
  inbox: 'inbox',
  outbox: 'outbox',
  lock: 'lock',
  xfer: 'transfers done',
  records: 'record writes deferred',
  unanswered: 'unanswered askings',
  rates: 'send rate counters',
  session: 'grammY session',
};

/** Redis per conversation by key family, and a million idle conversations against 4 GB (issue 17, requirement 3). */
function memoryTable(results: readonly VariantResult[]): string[] {
  const sized = results.filter((r) => r.redis);
  const first = sized[0]?.redis;
  if (!first) return [];
  const families = [...new Set(sized.flatMap((r) => r.redis?.families.map((f) => f.family) ?? []))];
  const cell = (r: VariantResult, family: string) => {
    const f = r.redis?.families.find((x) => x.family === family);
    return f ? fmt(f.bytesPerConversation) : '';
  };
  const perConversation = (r: VariantResult) => r.redis?.bytesPerConversation ?? 0;
  return [
    '',
    `Redis per conversation after ${fmt(first.messagesPerConversation)} messages, everything counted: every key under the variant's prefix`,
    `(SCAN), MEMORY USAGE of each, by family, ÷ ${fmt(first.conversations)} conversations; shared keys (tickets, timers, links) included.`,
    'Bytes; not counted: Redis’s expiry table (about 16 B per key with a TTL) and allocator fragmentation.',
    '',
    `| key family | ${sized.map((r) => r.name).join(' | ')} |`,
    `| --- | ${sized.map(() => '---:').join(' | ')} |`,
    ...families.map((f) => `| ${FAMILY[f] ?? f} | ${sized.map((r) => cell(r, f)).join(' | ')} |`),
    `| **total** | ${sized.map((r) => `**${fmt(perConversation(r))}**`).join(' | ')} |`,
    `| 1,000,000 idle conversations | ${sized.map((r) => `${fmt(perConversation(r) / 1000, 2)} GB`).join(' | ')} |`,
    `| fit in 4 GB (4 × 2³⁰ B) | ${sized.map((r) => fmt(REDIS_BUDGET_BYTES / Math.max(1, perConversation(r)))).join(' | ')} |`,
  ];
}

function latencyTable(latency: readonly LatencyResult[]): string[] {
  const l0 = latency[0];
  if (!l0) return [];
  return [
    '',
    `Latency: C conversations at once, each customer waiting for the answer, then pausing a random ${fmt(l0.thinkMs / 1000, 1)} s on average before the next message, for ${fmt(l0.seconds)} s (a slower variant is sent a little less: msgs/s sent).`,
    'Turn: to the end of its turn (replies sent, tickets, timers and the record written, lock released). Reply: from the',
    "update's arrival to its last reply handed to the Bot API (targets: p99 ≤ 20 ms at C=1,000 and ≤ 50 ms at C=2,000).",
    '',
    'Record writes deferred: left in Redis because the database did not take them in the turn (applied after the window).',
    '',
    '| variant | C | messages | msgs/s sent | turn p50 ms | turn p99 ms | turn max ms | reply p50 ms | reply p99 ms | record writes deferred |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...latency.map(
      (l) =>
        `| ${l.name} | ${fmt(l.conversations)} | ${fmt(l.messages)} | ${fmt(l.perSecond)} | ${fmt(l.p50ms, 1)} | ${fmt(l.p99ms, 1)} | ${fmt(l.maxMs, 1)} | ${fmt(l.replyP50ms, 1)} | ${fmt(l.replyP99ms, 1)} | ${l.deferredAtEnd === undefined ? '' : fmt(l.deferredAtEnd)} |`,
    ),
  ];
}

/** The cold starts of one command, record and kind of start: the median of its samples, and their range. */
export interface ColdSummary {
  command: string;
  record: string;
  start: string;
  runs: number;
  firstCallMs: number;
  replyMs: number;
  minReplyMs: number;
  maxReplyMs: number;
  cpuMs: number | undefined;
}

export function coldSummaries(starts: readonly ColdStart[]): ColdSummary[] {
  const groups = new Map<string, ColdStart[]>();
  for (const s of starts) {
    const key = [s.command, s.record, s.start].join('|');
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  };
  return [...groups.values()].map((g) => {
    const [s] = g as [ColdStart];
    const cpu = g.flatMap((x) => (x.cpuMs === undefined ? [] : [x.cpuMs]));
    return {
      command: s.command,
      record: s.record,
      start: s.start,
      runs: g.length,
      firstCallMs: median(g.map((x) => x.firstCallMs)),
      replyMs: median(g.map((x) => x.replyMs)),
      minReplyMs: Math.min(...g.map((x) => x.replyMs)),
      maxReplyMs: Math.max(...g.map((x) => x.replyMs)),
      cpuMs: cpu.length > 0 ? median(cpu) : undefined,
    };
  });
}

function coldStartTable(starts: readonly ColdStart[]): string[] {
  if (starts.length === 0) return [];
  return [
    '',
    'Cold start: from spawning the process to the first reply to a customer whose message waits at start (Telegram long',
    'polling against a local Bot API; Redis; the record as named). First: empty stores (migrations run); restart: the same',
    'ones again, the median of the runs. CPU: the processes started (npm, node, esbuild) until the reply.',
    '',
    '| command | record | start | runs | first Bot API call ms | first reply ms | range ms | CPU ms |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...coldSummaries(starts).map(
      (s) =>
        `| ${s.command} | ${s.record} | ${s.start} | ${s.runs} | ${fmt(s.firstCallMs)} | ${fmt(s.replyMs)} | ${fmt(s.minReplyMs)}–${fmt(s.maxReplyMs)} | ${s.cpuMs === undefined ? '' : fmt(s.cpuMs)} |`,
    ),
  ];
}

/** Two replicas' Redis work per message ÷ one's: commands, scripts, bytes sent (undefined for a result from before it was counted). */
function workRatios(pair: ReplicaPair): [number, number, number] | undefined {
  const [one, two] = [pair.one.redis, pair.two.redis];
  if (!one || !two) return undefined;
  return [
    two.commandsPerMessage / one.commandsPerMessage,
    two.scriptsPerMessage / one.scriptsPerMessage,
    two.bytesInPerMessage / one.bytesInPerMessage,
  ];
}

function replicasTable(r: ReplicasResult | undefined): string[] {
  if (!r) return [];
  const redis = (x: ReplicaRun) =>
    x.redis
      ? `${fmt(x.redis.commandsPerMessage, 1)} | ${fmt(x.redis.scriptsPerMessage, 2)} | ${fmt(x.redis.bytesInPerMessage)}`
      : ' | | ';
  const run = (name: string, x: ReplicaRun) =>
    `| ${name} | ${fmt(x.messages)} | ${fmt(x.seconds, 1)} | ${fmt(x.messages / x.seconds)} | ${fmt(x.cpuUsPerMessage)} | ${redis(x)} | ${x.each.map((e) => `${fmt(e.messages)}, ${fmt(e.replies)}: ${fmt(e.cpuUsPerMessage)}`).join('; ')} | ${fmt(x.replies)} | ${r.record === 'postgres' ? fmt(x.deferred) : ''} |`;
  const order = (p: ReplicaPair) => {
    const diff = p.firstDifference;
    const work = workRatios(p);
    const redis = work ? `, ${work.map((w) => `${fmt(w, 2)} ×`).join(' / ')} its Redis commands / scripts / bytes` : '';
    return `${p.name}: ${fmt(p.two.cpuUsPerMessage / p.one.cpuUsPerMessage, 2)} × the CPU per message of one replica${redis}; ${fmt(p.chatsOutOfOrder)} of ${fmt(r.conversations)} chats got other replies or another order than with one${diff ? ` (first: chat ${diff.chatId}, reply ${diff.reply}: "${diff.one}" / "${diff.two}")` : ''}.`;
  };
  return [
    '',
    `Replicas: the same ${fmt(r.conversations)} conversations × ${fmt(r.turns)} messages run by one replica, then by two (processes of their own) on one`,
    `Redis${r.record === 'postgres' ? ' and one PostgreSQL record' : ', without the record'}; each customer pausing ${fmt(r.thinkMs)} ms on average before a message (the same offered load for both runs),`,
    `each update to a replica at random, ${fmt(r.pairShare * 100)} % of them the first of two sent back to back (the second to the other replica).`,
    'Ours, then the durable floor (its trivial flow on the same pipeline): what a second process costs whatever the flow.',
    'CPU: the replicas together ÷ messages; each: messages routed to it, replies it sent, its CPU ÷ the messages.',
    "Redis: its own counts (INFO) over the run ÷ messages: commands run (scripts' own included), scripts, bytes the clients sent.",
    '',
    '| flow | run | messages | s | msgs/s | CPU µs/msg | Redis commands/msg | scripts/msg | bytes in/msg | each replica: messages, replies: CPU µs/msg | replies | record writes deferred |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...r.pairs.flatMap((p) => [run(`${p.name} | one replica`, p.one), run(`${p.name} | two replicas`, p.two)]),
    '',
    'Two ÷ one, and per-chat order:',
    ...r.pairs.map((p) => `- ${order(p)}`),
  ];
}

function pacingLines(pacing: PacingResult | undefined): string[] {
  if (!pacing) return [];
  return [
    '',
    `Outbound pacing: ${fmt(pacing.chats)} chats × ${fmt(pacing.perChat, 1)} replies = ${fmt(pacing.sent)} messages against a Bot API that allows 1/s per chat (bursts of ${pacing.burst}) and 30/s overall:`,
    `drained in ${fmt(pacing.seconds, 1)} s, ${fmt(pacing.ratePerSecond, 1)} msg/s = ${fmt(pacing.shareOfLimit * 100)} % of the limit, ${fmt(pacing.tooManyRequests)} × 429 received, ${fmt(pacing.lost)} lost, ${fmt(pacing.duplicated)} sent twice.`,
  ];
}
