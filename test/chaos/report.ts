import { cpus, totalmem } from 'node:os';
import type { Accounting, DeskFigures, FaultFigures, Figures, Finding } from './accounting.js';
import type { Leftovers } from './collect.js';
import type { Plan } from './plan.js';
import type { Delivery } from './webhook.js';

/** Duplicates per fault of one kind: how many faults, and per fault the mean and the worst. */
export interface FaultSummary {
  faults: number;
  duplicates: number;
  perFaultMean: number;
  perFaultMax: number;
  /** The most copies one conversation got from one fault. */
  maxPerConversation: number;
}

/** What `--json FILE` writes: the run's figures with when, where and how hard. */
export interface ChaosReport {
  date: string;
  machine: { cpus: number; model: string; memoryGb: number; node: string };
  plan: Omit<Plan, 'json' | 'keep'>;
  phases: Array<{ name: string; seconds: number } & Figures>;
  total: Figures;
  replicaKills: FaultSummary;
  redisKills: FaultSummary;
  faults: FaultFigures[];
  unattributedDuplicates: number;
  /** The first few of each kind, with chat, words and time, for whoever looks into them. */
  findings: Finding[];
  /** How long Telegram took to get a 2xx for a customer's message, per phase (s), and what it got meanwhile. */
  telegram: {
    acceptedWithin: Array<{ phase: string; p50: number; p99: number; max: number }>;
    refusals: Record<string, number>;
  };
  desk: DeskFigures & { handedOff: number; claimed: number; refused: Record<string, number> };
  /** Each replica's starts (the first included), with how long they took from spawn to /readyz (s). */
  replicas: Array<{ name: string; starts: number; crashes: number; startSeconds: number[] }>;
  leftovers: Leftovers & { archiveBehind: number };
}

export function summarize(faults: readonly FaultFigures[]): FaultSummary {
  const duplicates = faults.reduce((n, f) => n + f.duplicates, 0);
  return {
    faults: faults.length,
    duplicates,
    perFaultMean: faults.length ? Math.round((duplicates / faults.length) * 10) / 10 : 0,
    perFaultMax: Math.max(0, ...faults.map((f) => f.duplicates)),
    maxPerConversation: Math.max(0, ...faults.map((f) => f.maxPerConversation)),
  };
}

export function machine(): ChaosReport['machine'] {
  const cores = cpus();
  return {
    cpus: cores.length,
    model: cores[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

const COLUMNS: Array<[keyof Figures, string]> = [
  ['updates', 'updates'],
  ['lostUpdates', 'lost updates'],
  ['duplicateTurns', 'dup turns'],
  ['lines', 'bot lines'],
  ['sent', 'sent'],
  ['lostLines', 'lost'],
  ['duplicated', 'duplicated'],
  ['outOfOrder', 'out of order'],
  ['unanswered', 'unanswered'],
];

/** The p-th percentile of `sorted` (ascending), 0 when empty. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) : 0;
}

/** Seconds from a customer's message to the first 2xx, per phase (messages never answered left out). */
export function acceptance(
  deliveries: readonly Delivery[],
  phases: readonly string[],
): ChaosReport['telegram']['acceptedWithin'] {
  const round = (ms: number) => Math.round(ms / 100) / 10;
  return phases.map((phase) => {
    const waits = deliveries
      .filter((d) => d.phase === phase && d.answeredAt !== undefined)
      .map((d) => (d.answeredAt ?? 0) - d.at)
      .sort((a, b) => a - b);
    return {
      phase,
      p50: round(percentile(waits, 0.5)),
      p99: round(percentile(waits, 0.99)),
      max: round(waits.at(-1) ?? 0),
    };
  });
}

const counted = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => `${n} × ${what}`)
    .join(', ');

/** A plain table: the first column left-aligned, the rest right-aligned. */
function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The report as the terminal shows it. */
export function render(report: ChaosReport): string {
  const m = report.machine;
  const phaseRows = report.phases.map((p) => [p.name, `${p.seconds}`, ...COLUMNS.map(([k]) => String(p[k]))]);
  const totalRow = [
    'total',
    `${report.phases.reduce((n, p) => n + p.seconds, 0)}`,
    ...COLUMNS.map(([k]) => String(report.total[k])),
  ];
  const kills = (label: string, s: FaultSummary) =>
    `${label}: ${s.faults}, ${s.duplicates} duplicates (per kill: mean ${s.perFaultMean}, max ${s.perFaultMax}; ` +
    `at most ${s.maxPerConversation} per conversation per kill)`;
  const d = report.desk;
  const left = report.leftovers;
  const waits = report.telegram.acceptedWithin.map((w) => `${w.phase} ${w.p50} / ${w.p99} / ${w.max}`).join('; ');
  const starts = (r: ChaosReport['replicas'][number]) =>
    `${r.name} started ${r.starts}× (${Math.min(...r.startSeconds)}–${Math.max(...r.startSeconds)} s to serve), crashed ${r.crashes}×`;
  return [
    `npm run chaos${report.plan.quick ? ' --quick' : ''}${report.plan.kills.overlap ? ' --overlap' : ''} — ${report.date}, ${m.cpus} × ${m.model}, ${m.memoryGb} GB, Node ${m.node}, seed ${report.plan.seed}`,
    '',
    table(['phase', 's', ...COLUMNS.map(([, h]) => h)], [...phaseRows, totalRow]),
    '',
    kills('replica kills (kill -9)', report.replicaKills),
    kills('Redis kills (kill -9, append-only file)', report.redisKills),
    `duplicates per kill, in order: ${report.faults.map((f) => `${f.what.replace('kill -9 ', '')} ${f.duplicates}`).join(', ') || 'no kills'}`,
    `duplicates no kill explains: ${report.unattributedDuplicates}`,
    `desk (phase slack): ${d.claimed} of ${d.handedOff} handoffs claimed; ${d.messages} customer messages to their agents: ` +
      `${d.posted} posted, ${d.lost} lost, ${d.duplicated} duplicated, ${d.outOfOrder} out of order` +
      (Object.keys(d.refused).length ? ` (Slack refused ${counted(d.refused)})` : ''),
    `Telegram's wait for a 2xx, p50 / p99 / max s: ${waits}; POSTs refused: ${counted(report.telegram.refusals) || 'none'}`,
    `replicas: ${report.replicas.map(starts).join('; ')}`,
    `at the end (settled in ${Math.round(left.settleMs / 1000)} s): ${left.backlog} updates unanswered, ` +
      `${left.pending} conversations with work left, ${left.archiveBehind} turns missing from the archive`,
  ].join('\n');
}

/** Assembles the report from the run's parts. */
export function reportOf(
  plan: Plan,
  accounting: Accounting,
  parts: Pick<ChaosReport, 'desk' | 'replicas' | 'leftovers' | 'telegram'> & {
    windows: Array<{ name: string; from: number; to: number }>;
  },
): ChaosReport {
  const { json: _json, keep: _keep, ...shown } = plan;
  const seconds = new Map(parts.windows.map((w) => [w.name, Math.round((w.to - w.from) / 1000)]));
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: machine(),
    plan: shown,
    phases: accounting.phases.map((p) => ({ ...p, seconds: seconds.get(p.name) ?? 0 })),
    total: accounting.total,
    replicaKills: summarize(accounting.faults.filter((f) => f.what.includes('replica'))),
    redisKills: summarize(accounting.faults.filter((f) => f.what.includes('redis'))),
    faults: accounting.faults,
    unattributedDuplicates: accounting.unattributedDuplicates,
    findings: accounting.findings,
    telegram: parts.telegram,
    desk: parts.desk,
    replicas: parts.replicas,
    leftovers: parts.leftovers,
  };
}
