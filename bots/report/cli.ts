import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FlowDefinition } from '../../flows/schema.js';
import { localParts } from '../../flows/hours.js';
import { shiftDate } from '../../flows/local-time.js';
import { openRecordOrSay, withProductionStore } from '../app/production-store.js';
import type { Config } from '../config.js';
import { checkDefinitions, DEFAULT_FLOWS_DIR } from '../flows-registry.js';
import type { ReportSource } from '../record-port.js';
import { localMidnight } from '../ticket-search.js';
import { computeReport, type ReportDefinition } from './compute.js';
import { formatCsv, formatJson, formatText } from './format.js';
import { readReportData, reportSourceFromStore } from './source.js';

/** `npm run report`: the monthly service-quality report (issue 14), as text, JSON, CSV or an HTML page. */

/** The report command's options as typed. */
export interface ReportFlags {
  month?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  json?: boolean | undefined;
  csv?: boolean | undefined;
  html?: string | undefined;
}

export interface Period {
  from: number;
  to: number;
  label: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * What is wrong with the period asked for, as data: the command says it in English
 * (periodProblemText), the console in its own language (adapters/console/words-problems.ts).
 */
export type PeriodProblem =
  | { kind: 'month-and-range' }
  | { kind: 'half-range' }
  | { kind: 'month'; got: string }
  | { kind: 'date'; field: 'from' | 'to'; got: string }
  | { kind: 'order'; from: string; to: string };

/** A period problem in one English line, naming the command's options. */
export function periodProblemText(p: PeriodProblem): string {
  switch (p.kind) {
    case 'month-and-range':
      return 'Give --month or --from/--to, not both';
    case 'half-range':
      return '--from and --to go together (--to included)';
    case 'month':
      return `--month must be YYYY-MM, e.g. 2026-11 (got "${p.got}")`;
    case 'date':
      return `--${p.field} must be a date YYYY-MM-DD (got "${p.got}")`;
    case 'order':
      return `--to (${p.to}) is before --from (${p.from})`;
  }
}

/**
 * The period the flags name, in `timeZone` (the default definition's): `--month 2026-11` (that
 * month's local dates), `--from 2026-11-01 --to 2026-11-30` (local dates, `--to` included), or
 * with neither the month of `now`. A problem otherwise: a malformed month or date, `--month` with
 * `--from`/`--to`, one of `--from`/`--to` without the other, `--to` before `--from`.
 */
export function checkPeriod(flags: ReportFlags, timeZone: string, now: number): Period | { problem: PeriodProblem } {
  const { month, from, to } = flags;
  if (month !== undefined && (from !== undefined || to !== undefined)) return { problem: { kind: 'month-and-range' } };
  if ((from === undefined) !== (to === undefined)) return { problem: { kind: 'half-range' } };
  if (from !== undefined && to !== undefined) {
    const start = localMidnight(timeZone, from.trim());
    const last = localMidnight(timeZone, to.trim());
    if (start === undefined) return { problem: { kind: 'date', field: 'from', got: from } };
    if (last === undefined) return { problem: { kind: 'date', field: 'to', got: to } };
    if (last < start) return { problem: { kind: 'order', from, to } };
    const end = localMidnight(timeZone, shiftDate(to.trim(), 1)) ?? last + 86_400_000;
    return { from: start, to: end, label: `${from.trim()}..${to.trim()}` };
  }
  const m = MONTH.exec((month ?? localParts(timeZone, now).date.slice(0, 7)).trim());
  if (!m) return { problem: { kind: 'month', got: `${month}` } };
  const [year, mon] = [Number(m[1]), Number(m[2])];
  const next = mon === 12 ? `${year + 1}-01-01` : `${year}-${String(mon + 1).padStart(2, '0')}-01`;
  const start = localMidnight(timeZone, `${m[1]}-${m[2]}-01`);
  const end = localMidnight(timeZone, next);
  if (start === undefined || end === undefined) return { problem: { kind: 'month', got: `${month}` } };
  return { from: start, to: end, label: `${m[1]}-${m[2]}` };
}

/** checkPeriod with its problem in one English line (the command's). */
export function parsePeriod(flags: ReportFlags, timeZone: string, now: number): Period | { problem: string } {
  const period = checkPeriod(flags, timeZone, now);
  return 'problem' in period ? { problem: periodProblemText(period.problem) } : period;
}

/** The definition the report reads: the default locale's, with category names in the desk language. */
export function reportDefinition(definitions: readonly FlowDefinition[], config: Config): ReportDefinition | undefined {
  const main = definitions.find((d) => d.locale === config.DEFAULT_LOCALE) ?? definitions[0];
  if (!main) return undefined;
  const desk = definitions.find((d) => d.locale === (config.DESK_LANGUAGE ?? config.DEFAULT_LOCALE)) ?? main;
  return { ...main, complaints: { categories: desk.complaints.categories } };
}

/**
 * Runs the report from `source` and prints it (text in the desk language, `--json` or `--csv`), or
 * with `--html FILE` writes the page in the desk language (html.ts renderHtml; see writeHtml).
 * Resolves to `{ problem }` for flags it cannot run (the caller prints the usage, exit 2), 1 when
 * the definitions cannot be read or the page cannot be written, 0 otherwise.
 */
export async function runReport(
  config: Config,
  flags: ReportFlags,
  openSource: (work: (source: ReportSource) => Promise<number>) => Promise<number>,
  now = Date.now(),
): Promise<number | { problem: string }> {
  if (flags.json && flags.csv) return { problem: 'Give --json or --csv, not both' };
  if (flags.html !== undefined && (flags.json || flags.csv))
    return { problem: 'Give --html or --json/--csv, not both' };
  if (flags.html !== undefined && flags.html.trim() === '') return { problem: '--html needs a file name' };
  // A folder's name (found by the issue-17 trial: /tmp/reports/ was written as a file named reports).
  if (flags.html !== undefined && /[/\\]$/.test(flags.html))
    return { problem: `--html needs a file name, not a folder (got "${flags.html}"): e.g. ${flags.html}report.html` };
  const dir = config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR;
  const checked = await checkDefinitions(dir, config.DEFAULT_LOCALE);
  const def = checked.ok ? reportDefinition(checked.definitions, config) : undefined;
  if (!checked.ok || !def) {
    const p = checked.ok ? undefined : checked.problems[0];
    process.stderr.write(
      `Invalid flow definitions in ${dir} (npm run flows:check lists them): ${p?.file}: ${p?.message}\n`,
    );
    return 1;
  }
  const period = parsePeriod(flags, def.timeZone, now);
  if ('problem' in period) return period;
  return openSource(async (source) => {
    const data = await readReportData(source, period.from, period.to);
    const report = computeReport(data, { definition: def, period, generatedAt: now });
    const language = config.DESK_LANGUAGE ?? config.DEFAULT_LOCALE;
    // The page's charts (echarts) are loaded only for --html.
    if (flags.html !== undefined) {
      const { renderHtml } = await import('./html.js');
      return writeHtml(renderHtml(report, language), flags.html);
    }
    process.stdout.write(
      flags.json ? formatJson(report) : flags.csv ? formatCsv(report) : formatText(report, language),
    );
    return 0;
  });
}

/**
 * `--html FILE`: writes the page to FILE (its folder must exist) and prints the file's absolute path,
 * 0; `--html -` writes the page to stdout. 1 with the reason on stderr when the file cannot be written.
 */
async function writeHtml(page: string, file: string): Promise<number> {
  if (file === '-') {
    process.stdout.write(page);
    return 0;
  }
  const path = resolve(file);
  try {
    await writeFile(path, page, 'utf8');
  } catch (err) {
    process.stderr.write(
      `Cannot write the HTML report to ${path}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
  process.stdout.write(`${path}\n`);
  return 0;
}

/**
 * `npm run report`: the report from the system of record (DATABASE_URL, else PGlite in DATA_DIR:
 * the playground's conversations too). With RECORD_STORE=off, from the tickets kept in Redis
 * (reportSourceFromStore: no conversations or unanswered askings there), which needs REDIS_URL.
 */
export function report(config: Config, flags: ReportFlags, now = Date.now()): Promise<number | { problem: string }> {
  return runReport(
    config,
    flags,
    async (work) => {
      if (config.RECORD_STORE === 'off')
        return withProductionStore(
          config,
          'With RECORD_STORE=off the report reads the tickets kept in Redis: set REDIS_URL.',
          (store) => work(reportSourceFromStore(store)),
        );
      const record = await openRecordOrSay(config);
      // (Undefined only with RECORD_STORE=off, handled above.)
      if (!record) return 1;
      try {
        return await work(record);
      } finally {
        await record.close();
      }
    },
    now,
  );
}
