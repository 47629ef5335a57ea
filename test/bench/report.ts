/** The report `npm run bench` prints: the figures in Markdown tables, with the targets beside them. */
import type { LatencyResult, RecordResult, VariantResult } from './measure.js';
import type { PacingResult } from './pacing.js';

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function table(
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
