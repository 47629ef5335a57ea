import { cpus, totalmem } from 'node:os';
import type { Accounting, DeskFigures, FaultFigures, Figures, Finding } from './accounting.js';
import type { Leftovers } from './collect.js';
import type { Plan } from './plan.js';

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
  desk: DeskFigures & { handedOff: number; claimed: number; refused: Record<string, number> };
  replicas: Array<{ name: string; starts: number; crashes: number }>;
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
  const refused = Object.entries(d.refused)
    .map(([status, n]) => `${n} × ${status}`)
    .join(', ');
  const left = report.leftovers;
  return [
    `npm run chaos${report.plan.quick ? ' --quick' : ''} — ${report.date}, ${m.cpus} × ${m.model}, ${m.memoryGb} GB, Node ${m.node}, seed ${report.plan.seed}`,
    '',
    table(['phase', 's', ...COLUMNS.map(([, h]) => h)], [...phaseRows, totalRow]),
    '',
    kills('replica kills (kill -9)', report.replicaKills),
    kills('Redis kills (kill -9, append-only file)', report.redisKills),
    `duplicates no kill explains: ${report.unattributedDuplicates}`,
    `desk (phase slack): ${d.claimed} of ${d.handedOff} handoffs claimed; ${d.messages} customer messages to their agents: ` +
      `${d.posted} posted, ${d.lost} lost, ${d.duplicated} duplicated, ${d.outOfOrder} out of order` +
      (refused ? ` (Slack refused ${refused})` : ''),
    `replicas: ${report.replicas.map((r) => `${r.name} started ${r.starts}×, crashed ${r.crashes}×`).join('; ')}`,
    `at the end (settled in ${Math.round(left.settleMs / 1000)} s): ${left.backlog} updates unanswered, ` +
      `${left.pending} conversations with work left, ${left.archiveBehind} turns missing from the archive`,
  ].join('\n');
}

/** Assembles the report from the run's parts. */
export function reportOf(
  plan: Plan,
  accounting: Accounting,
  parts: Pick<ChaosReport, 'desk' | 'replicas' | 'leftovers'> & {
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
    desk: parts.desk,
    replicas: parts.replicas,
    leftovers: parts.leftovers,
  };
}
