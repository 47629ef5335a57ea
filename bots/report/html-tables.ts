import { duration, feedbackAbout, feedbackScore, figureLabel, percent, unansweredNote } from './format.js';
import { localDateTime } from '../ticket-search.js';
import { showControls } from '../../flows/text.js';
import { headlineChecks } from './figures.js';
import type { Check, Count, Durations, Report, Share } from './report.js';
import type { Target } from './targets.js';
import type { ReportWords } from './words.js';

/**
 * The HTML report's text and tables (html.ts): data text escaped and made visible, targets and
 * figure names as the text report (format.ts) writes them, and the tables every figure is shown in
 * with its target and flag. Each figure's row has `data-figure="<Figure.id>"`; the targets
 * section's rows `data-check="<Figure.id>"`.
 */

/** HTML-escapes `&<>"'` (text and attribute values alike). */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** Text from data, as HTML: visible, escaped, isolated. */
export const data = (text: string) => `<bdi>${escapeHtml(showControls(text))}</bdi>`;
/** Our own words (and numbers), escaped all the same. */
export const text = (s: string) => escapeHtml(s);

// ----- figures and targets as the text report writes them -----

/** A target as written: "≥ 85 %", "≤ 30 秒", "≤ 30 分钟" (as format.ts writes it). */
export function targetText(t: Target, w: ReportWords): string {
  const op = t.op === 'min' ? '≥' : '≤';
  if (t.unit === 'share') return `${op} ${+(t.value * 100).toFixed(1)} %`;
  const s = t.value / 1000;
  return s < 120 ? `${op} ${s} ${w.seconds}` : `${op} ${+(s / 60).toFixed(1)} ${w.minutes}`;
}

/** What a category key (`complaint:quality`, `inquiry`) reads as (as format.ts reads it). */
export function categoryLabel(r: Report, w: ReportWords, key: string): string {
  if (!key.startsWith('complaint:')) return w.types[key as keyof ReportWords['types']] ?? key;
  const id = key.slice('complaint:'.length);
  return `${w.types.complaint}·${r.categoryNames[id] ?? (id || w.none)}`;
}

// ----- tables -----

/** One table row: a figure (`id` as in Report.figures) or a group heading (no id). */
export interface Row {
  id?: string;
  /** HTML (already escaped). */
  label: string;
  value?: string;
  basis?: string;
  check?: Check | undefined;
  sub?: boolean;
}

function statusCell(c: Check | undefined, w: ReportWords): string {
  if (!c) return '<td></td>';
  if (c.met === null) return `<td class="nodata">${text(w.noData)}</td>`;
  return c.met ? `<td class="met">${text(w.met)}</td>` : `<td class="missed">${text(w.missed)}</td>`;
}

/** A section's figures; its caption is the section's heading, so it is there for screen readers only. */
export function table(caption: string, rows: readonly Row[], w: ReportWords): string {
  const c = w.html.columns;
  const body = rows.map((row) => {
    if (row.id === undefined) return `<tr class="group"><th scope="rowgroup" colspan="5">${row.label}</th></tr>`;
    return [
      `<tr data-figure="${escapeHtml(showControls(row.id))}"${row.sub ? ' class="sub"' : ''}>`,
      `<th scope="row">${row.label}</th>`,
      `<td class="num">${text(row.value ?? '')}</td>`,
      `<td class="num">${text(row.basis ?? '')}</td>`,
      `<td class="num">${row.check ? text(targetText(row.check.target, w)) : ''}</td>`,
      statusCell(row.check, w),
      '</tr>',
    ].join('');
  });
  return [
    '<div class="table-wrap"><table>',
    `<caption class="quiet">${text(caption)}</caption>`,
    `<thead><tr><th scope="col">${text(c.figure)}</th><th scope="col" class="num">${text(c.value)}</th><th scope="col" class="num">${text(c.basis)}</th><th scope="col" class="num">${text(c.target)}</th><th scope="col">${text(c.status)}</th></tr></thead>`,
    `<tbody>${body.join('\n')}</tbody>`,
    '</table></div>',
  ].join('\n');
}

export const countRow = (id: string, label: string, n: number, sub = false): Row => ({
  id,
  label,
  value: String(n),
  sub,
});

export const shareRow = (id: string, label: string, s: Share, sub = false): Row => ({
  id,
  label,
  value: percent(s.value),
  basis: `${s.numerator}/${s.denominator}`,
  check: s.check,
  sub,
});

/** A timed figure's average and P90, and (with a target) its waits that never ended, counted as over it. */
export function durationRows(id: string, label: string, d: Durations, w: ReportWords): Row[] {
  const basis = `${w.count(d.count)}${d.unanswered ? `${w.semicolon}${w.unansweredNote(d.unanswered)}` : ''}`;
  return [
    {
      id: `${id}.avg`,
      label: text(`${label} ${w.average}`),
      value: duration(d.averageMs, w),
      basis,
      check: d.checks?.average,
    },
    { id: `${id}.p90`, label: text(`${label} P90`), value: duration(d.p90Ms, w), basis, check: d.checks?.p90 },
    ...(d.checks ? [countRow(`${id}.unanswered`, text(w.labels.unansweredWaits), d.unanswered, true)] : []),
  ];
}

/** A breakdown: a heading row, then one row per key (`<id>.<key or 'none'>`, as figures.ts names them). */
export function countRows(id: string, heading: string, list: readonly Count[], label: (key: string) => string): Row[] {
  return [
    { label: text(heading) },
    ...list.map((c) => countRow(`${id}.${c.key || 'none'}`, label(c.key), c.count, true)),
  ];
}

/** The unanswered questions, most asked first ('' without any). */
export function unansweredTable(r: Report, w: ReportWords): string {
  if (r.bot.unanswered.length === 0) return '';
  const c = w.html.columns;
  return [
    '<div class="table-wrap"><table class="unanswered">',
    `<caption>${text(w.labels.unanswered)}</caption>`,
    `<thead><tr><th scope="col" class="num">${text(c.count)}</th><th scope="col">${text(c.language)}</th><th scope="col">${text(c.question)}</th></tr></thead>`,
    '<tbody>',
    ...r.bot.unanswered.map(
      (q) =>
        `<tr><td class="num">${q.count}</td><td>${data(q.locale)}</td><td class="question">${data(q.text)}</td></tr>`,
    ),
    '</tbody></table></div>',
  ].join('\n');
}

/** What customers said (comments with a score below 4, suggestions), newest first ('' without any). */
export function feedbackTable(r: Report, w: ReportWords): string {
  const items = r.satisfaction.feedback.items;
  if (items.length === 0) return '';
  const c = w.html.columns;
  const day = (at: number) => localDateTime(r.period.timeZone, at).slice(0, 10);
  return [
    '<div class="table-wrap"><table class="feedback">',
    `<caption>${text(w.labels.feedback)}</caption>`,
    `<thead><tr><th scope="col">${text(c.date)}</th><th scope="col">${text(c.ticket)}</th><th scope="col">${text(c.score)}</th><th scope="col">${text(c.said)}</th></tr></thead>`,
    '<tbody>',
    ...items.map(
      (f) =>
        `<tr data-feedback="${f.kind}"><td>${text(day(f.at))}</td><td><code>${data(f.ticketId)}</code></td><td>${data(`${feedbackScore(f, w)} ${feedbackAbout(r, w, f)}`)}</td><td class="question">${data(f.text)}</td></tr>`,
    ),
    '</tbody></table></div>',
  ].join('\n');
}

/** The targets section: each headline check with its value, counts, target, flag and source. */
export function targetsTable(r: Report, w: ReportWords): string {
  const c = w.html.columns;
  const rows = headlineChecks(r).map((f) => {
    const ch = f.check as Check;
    const value = f.unit === 'share' ? percent(f.value) : duration(f.value, w);
    return [
      `<tr data-check="${escapeHtml(f.id)}">`,
      `<th scope="row">${text(figureLabel(f, w))}</th>`,
      `<td class="num">${text(value)}</td>`,
      `<td class="num">${text(f.unit === 'ms' ? `${w.count(Number(f.count))}${unansweredNote(f, w)}` : f.count)}</td>`,
      `<td class="num">${text(targetText(ch.target, w))}</td>`,
      statusCell(ch, w),
      `<td class="source">${text(ch.target.source)}</td>`,
      '</tr>',
    ].join('');
  });
  return [
    '<div class="table-wrap"><table class="targets">',
    `<caption class="quiet">${text(w.sections.targets)}</caption>`,
    `<thead><tr><th scope="col">${text(c.figure)}</th><th scope="col" class="num">${text(c.value)}</th><th scope="col" class="num">${text(c.basis)}</th><th scope="col" class="num">${text(c.target)}</th><th scope="col">${text(c.status)}</th><th scope="col">${text(c.source)}</th></tr></thead>`,
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table></div>',
  ].join('\n');
}
