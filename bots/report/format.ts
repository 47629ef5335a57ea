import { stringify } from 'csv-stringify/sync';
import type { SupportedLocale } from '../../flows/locales.js';
import { localDateTime } from '../ticket-search.js';
import { headlineChecks } from './figures.js';
import type { Check, Count, CsatGroup, Durations, FeedbackItem, Figure, Report, Share } from './report.js';
import type { Target } from './targets.js';
import { REPORT_WORDS, type ReportWords } from './words.js';

/**
 * The report as people and tools read it (issue 14): text in the desk language (the default),
 * the Report object as JSON (`--json`), one CSV row per figure (`--csv`). Shares show as percent
 * to one decimal ("84.0 %"), durations in seconds below 2 minutes, minutes below 2 hours, hours
 * above, to one decimal; dates in the report's time zone.
 */

/** "84.0 %"; "—" for no value. */
export function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)} %`;
}

/** "12.5 秒" / "14.0 min" / "3.2 h": one decimal, the unit by size. */
export function duration(ms: number | null, w: ReportWords): string {
  if (ms === null) return '—';
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} ${w.seconds}`;
  if (s < 7200) return `${(s / 60).toFixed(1)} ${w.minutes}`;
  return `${(s / 3600).toFixed(1)} ${w.hours}`;
}

/** A target as written: "≥ 85 %", "≤ 30 秒", "≤ 30 分钟". */
function targetText(t: Target, w: ReportWords): string {
  const op = t.op === 'min' ? '≥' : '≤';
  if (t.unit === 'share') return `${op} ${+(t.value * 100).toFixed(1)} %`;
  const s = t.value / 1000;
  return s < 120 ? `${op} ${s} ${w.seconds}` : `${op} ${+(s / 60).toFixed(1)} ${w.minutes}`;
}

const flag = (c: Check, w: ReportWords) => (c.met === null ? w.noData : c.met ? w.met : w.missed);

function shareLine(s: Share, w: ReportWords): string {
  const base = `${percent(s.value)}${w.open}${s.numerator}/${s.denominator}${w.close}`;
  return s.check ? `${base} ${flag(s.check, w)}${w.open}${w.target} ${targetText(s.check.target, w)}${w.close}` : base;
}

function durationsLine(d: Durations, w: ReportWords): string {
  const avg = `${w.average} ${duration(d.averageMs, w)}`;
  const p90 = `P90 ${duration(d.p90Ms, w)}`;
  if (!d.checks) return `${avg}${w.list}${p90}${w.open}${w.count(d.count)}${w.close}`;
  const mark = (c: Check) => (c.met === null ? '' : c.met ? ' ✓' : ' ✗');
  const all = [d.checks.average, d.checks.p90];
  const verdict = all.some((c) => c.met === false) ? w.missed : all.every((c) => c.met) ? w.met : w.noData;
  const target = `${w.target} ${targetText(d.checks.average.target, w)}`;
  const counts = `${w.count(d.count)}${d.unanswered ? `${w.semicolon}${w.unansweredNote(d.unanswered)}` : ''}`;
  return `${avg}${mark(d.checks.average)}${w.list}${p90}${mark(d.checks.p90)}${w.open}${counts}${w.close} ${verdict}${w.open}${target}${w.close}`;
}

function countsLine(list: readonly Count[], name: (key: string) => string, w: ReportWords): string {
  return list.length === 0 ? w.none : list.map((c) => `${name(c.key)} ${c.count}`).join(w.list);
}

/** What a category key (`complaint:quality`, `inquiry`) reads as. */
function categoryLabel(r: Report, w: ReportWords, key: string): string {
  if (!key.startsWith('complaint:')) return w.types[key as keyof ReportWords['types']] ?? key;
  const id = key.slice('complaint:'.length);
  return `${w.types.complaint}·${r.categoryNames[id] ?? (id || w.none)}`;
}

function groupLines(groups: readonly CsatGroup[], label: (g: CsatGroup) => string, w: ReportWords): string[] {
  return groups.map((g) => `      ${label(g)}${w.colon}${shareLine(g.csat, w)}`);
}

/** After a timed figure's value in the targets section: its waits that never ended ("（1 个始终无应答，按超时计）"). */
export const unansweredNote = (f: Figure, w: ReportWords) =>
  f.unanswered ? `${w.open}${w.unansweredNote(f.unanswered)}${w.close}` : '';

/** Every checked figure (not the per-agent or per-category rows) with its label, for the targets section. */
export function figureLabel(f: Figure, w: ReportWords): string {
  const l = w.labels;
  const names: Record<string, string> = {
    first_contact_resolution: l.fcr,
    csat: l.csat,
    survey_within_24h: l.surveyWithin24h,
    'bot_first_response.avg': `${l.botFirstResponse} ${w.average}`,
    'bot_first_response.p90': `${l.botFirstResponse} P90`,
    'person_first_response.avg': `${l.personFirstResponse} ${w.average}`,
    'person_first_response.p90': `${l.personFirstResponse} P90`,
    'claim_wait.avg': `${l.claimWait} ${w.average}`,
    'claim_wait.p90': `${l.claimWait} P90`,
  };
  return names[f.id] ?? f.id;
}

/** The readable report in `language` (zh-CN or en). */
export function formatText(r: Report, language: SupportedLocale): string {
  const w = REPORT_WORDS[language];
  const l = w.labels;
  const tz = r.period.timeZone;
  const day = (at: number) => localDateTime(tz, at).slice(0, 10);
  const type = (k: string) => w.types[k as keyof ReportWords['types']] ?? k;
  const lines = [
    `${w.title} ${r.period.label}`,
    `${w.range(day(r.period.from), day(r.period.to - 1))}${w.open}${tz}${w.close}${w.list}${w.generated} ${localDateTime(tz, r.generatedAt)}`,
    '',
    w.sections.volume,
    `  ${l.conversations}${w.colon}${r.volume.conversations}`,
    `  ${l.matters}${w.colon}${r.volume.matters}`,
    `    ${l.byType}${w.colon}${countsLine(r.volume.byType, type, w)}`,
    `    ${l.byCategory}${w.colon}${countsLine(r.volume.byCategory, (k) => r.categoryNames[k] ?? (k || w.none), w)}`,
    `    ${l.byLocale}${w.colon}${countsLine(r.volume.byLocale, (k) => k, w)}`,
    `    ${l.byChannel}${w.colon}${countsLine(r.volume.byChannel, (k) => k, w)}`,
    '',
    w.sections.bot,
    `  ${l.withoutPerson}${w.colon}${shareLine(r.bot.resolvedWithoutPerson, w)}`,
    `  ${l.withPerson}${w.colon}${shareLine(r.bot.withPerson, w)}`,
    `  ${l.handoff}${w.colon}${shareLine(r.bot.handoff, w)}`,
    `    ${l.reasons}${w.colon}${countsLine(r.bot.handoffReasons, (k) => w.reasons[k] ?? k, w)}${w.semicolon}${l.afterHours} ${r.bot.handoffsAfterHours}`,
    ...(r.byFlowVersion.length ? [`  ${l.byFlowVersion}${w.colon}`] : []),
    ...r.byFlowVersion.map(
      (v) =>
        `      ${v.label || l.versionUnknown}${w.colon}${l.matters} ${v.matters}${w.semicolon}${l.withoutPerson} ${shareLine(v.resolvedWithoutPerson, w)}${w.semicolon}${l.csat} ${shareLine(v.csat, w)}`,
    ),
    `  ${l.unanswered}${w.colon}${w.times(r.bot.unansweredAskings)}`,
    ...r.bot.unanswered.map((q) => `    ${String(q.count).padStart(4)}  ${q.locale.padEnd(5)}  ${q.text}`),
    '',
    w.sections.speed,
    `  ${l.botFirstResponse}${w.colon}${durationsLine(r.speed.botFirstResponse, w)}`,
    `  ${l.personFirstResponse}${w.colon}${durationsLine(r.speed.personFirstResponse, w)}`,
    `    ${l.neverReplied}${w.colon}${r.speed.personNeverReplied}`,
    `  ${l.claimWait}${w.colon}${durationsLine(r.speed.claimWait, w)}`,
    `    ${l.claimSlaBreaches(r.speed.claimSlaSeconds)}${w.colon}${shareLine(r.speed.claimSlaBreaches, w)}`,
    '',
    w.sections.outcome,
    `  ${l.resolution}${w.colon}${shareLine(r.outcome.resolution, w)}`,
    `  ${l.fcr}${w.colon}${shareLine(r.outcome.firstContactResolution, w)}`,
    `  ${l.promises}${w.colon}${l.kept} ${r.outcome.promisesKept}${w.list}${l.broken} ${r.outcome.promisesBroken}${w.list}${shareLine(r.outcome.promiseKeptRate, w)}`,
    ...(r.outcome.promisesUnrecorded ? [`    ${l.unrecorded}${w.colon}${r.outcome.promisesUnrecorded}`] : []),
    `  ${l.escalated}${w.colon}${r.outcome.escalatedMatters}${r.outcome.escalations.length === 0 ? '' : `${w.open}${countsLine(r.outcome.escalations, (k) => w.escalations[k] ?? k, w)}${w.close}`}`,
    `  ${l.surveyWithin24h}${w.colon}${shareLine(r.outcome.surveyWithin24h, w)}`,
    '',
    w.sections.satisfaction,
    `  ${l.responseRate}${w.colon}${shareLine(r.satisfaction.responseRate, w)}`,
    `  ${l.csat}${w.colon}${shareLine(r.satisfaction.csat, w)}`,
    `    ${l.scores}${w.colon}${countsLine(r.satisfaction.scores, (k) => `${k}★`, w)}`,
    `    ${l.byAgent}${w.colon}${r.satisfaction.byAgent.length === 0 ? w.none : ''}`,
    ...groupLines(r.satisfaction.byAgent, (g) => (g.key === '' ? w.bot : g.label), w),
    `    ${l.byCategoryCsat}${w.colon}${r.satisfaction.byCategory.length === 0 ? w.none : ''}`,
    ...groupLines(r.satisfaction.byCategory, (g) => categoryLabel(r, w, g.key), w),
    `  ${l.feedback}${w.colon}${l.feedbackCounts(r.satisfaction.feedback.comments, r.satisfaction.feedback.suggestions)}`,
    ...r.satisfaction.feedback.items.map(
      (f) =>
        `    ${feedbackScore(f, w).padEnd(4)}  ${day(f.at)}  ${f.ticketId}  ${[feedbackAbout(r, w, f), f.text].filter(Boolean).join(w.colon)}`,
    ),
    '',
    w.sections.targets,
    ...headlineChecks(r).map((f) => {
      const c = f.check as Check;
      const value = `${f.unit === 'share' ? percent(f.value) : duration(f.value, w)}${unansweredNote(f, w)}`;
      return `  ${flag(c, w)}  ${figureLabel(f, w)} ${value}${w.list}${w.target} ${targetText(c.target, w)}  [${c.target.source}]`;
    }),
  ];
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n`;
}

/** A feedback item's score as the report shows it (2★), or the word for a suggestion. */
export const feedbackScore = (f: FeedbackItem, w: ReportWords): string =>
  f.score !== undefined ? `${f.score}★` : w.types.suggestion;

/** What a comment was about: the matter's type, and a complaint's category by name ('' for a suggestion: its score column says it). */
export const feedbackAbout = (r: Report, w: ReportWords, f: FeedbackItem): string =>
  f.kind === 'suggestion'
    ? ''
    : [w.types[f.type], f.category !== undefined ? (r.categoryNames[f.category] ?? f.category) : undefined]
        .filter(Boolean)
        .join('·');

/** The Report object as JSON (`--json`), two-space indented. */
export function formatJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export const CSV_HEADER = ['section', 'figure', 'value', 'count', 'target', 'met'] as const;

/**
 * One row per figure (`--csv`): section, figure id, value (a count; a share as "84.0%"; a
 * duration in seconds as "12.5s"; empty when there is none), count (what it rests on: "21/25", the
 * durations measured, or the count), target (">=85%", "<=30s"; empty when none) and met (yes, no,
 * or empty); then the most asked unanswered questions (`unanswered.top.N`: "locale: text", how
 * often) and what customers said (`feedback.comment.N` with its score, `feedback.suggestion.N`:
 * "ticket: text"). RFC 4180 by csv-stringify, CRLF line ends, formulas escaped.
 */
export function formatCsv(r: Report): string {
  const value = (f: Figure) =>
    f.value === null
      ? ''
      : f.unit === 'share'
        ? `${(f.value * 100).toFixed(1)}%`
        : f.unit === 'ms'
          ? `${(f.value / 1000).toFixed(1)}s`
          : String(f.value);
  const target = (t: Target) =>
    `${t.op === 'min' ? '>=' : '<='}${t.unit === 'share' ? `${+(t.value * 100).toFixed(1)}%` : `${t.value / 1000}s`}`;
  const rows = r.figures.map((f) => [
    f.section,
    f.id,
    value(f),
    f.count,
    f.check ? target(f.check.target) : '',
    f.check?.met === true ? 'yes' : f.check?.met === false ? 'no' : '',
  ]);
  // What customers said: the words as the value, a comment's score as the count (feedback.comment.N, feedback.suggestion.N).
  const said = { comment: 0, suggestion: 0 };
  const feedback = r.satisfaction.feedback.items.map((f) => [
    'satisfaction',
    `feedback.${f.kind}.${++said[f.kind]}`,
    `${f.ticketId}: ${f.text}`,
    f.score ?? '',
    '',
    '',
  ]);
  // The most asked unanswered questions: the question (with its locale) as the value, how often as the count.
  const questions = r.bot.unanswered.map((q, i) => [
    'bot',
    `unanswered.top.${i + 1}`,
    `${q.locale}: ${q.text}`,
    q.count,
    '',
    '',
  ]);
  return stringify([[...CSV_HEADER], ...rows, ...questions, ...feedback], {
    record_delimiter: 'windows',
    escape_formulas: true,
  });
}
