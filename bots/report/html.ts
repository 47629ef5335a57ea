import { BarChart, PieChart, ScatterChart, type BarSeriesOption, type PieSeriesOption } from 'echarts/charts';
import type { ScatterSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkLineComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { SupportedLocale } from '../../flows/locales.js';
import { localDateTime } from '../ticket-search.js';
import { duration, percent } from './format.js';
import type { Check, Count, CsatGroup, Durations, Figure, Report, Share } from './report.js';
import type { Target } from './targets.js';
import { REPORT_WORDS, type ReportWords } from './words.js';

/**
 * The report as one self-contained HTML page (`npm run report -- --html FILE`, issue 14: "one
 * self-contained page with charts … in the desk language, that a manager can open or mail").
 *
 * - **Self-contained**: inline CSS and inline SVG, no script, no font, image or style fetched; a
 *   Content-Security-Policy meta tag (`default-src 'none'`) forbids any request and any script.
 * - **Charts** are Apache ECharts drawn to SVG on the server (its SSR: `init(null, null, { renderer:
 *   'svg', ssr: true })`, `renderToSVGString`, `dispose`), each with `<title>`/`<desc>` and
 *   `role="img"`; a chart with nothing to draw is a line of text instead (so every `<svg>` has marks).
 * - **Tables** carry every figure of the text report (formatText) with its target and a ✓/✗ flag;
 *   each figure's row has `data-figure="<Figure.id>"` (the CSV's figure column).
 * - **Escaping**: every text from data (agent names, categories, keys, unanswered questions) is
 *   HTML-escaped, and bidi and control characters in it are shown as `[U+202E]` so a name cannot
 *   reorder or hide the text around it; table cells holding data are `<bdi>`-isolated.
 * - Readable on a laptop or a phone (charts scale to the width, wide tables scroll on their own)
 *   and printable (A4, charts and rows kept whole).
 */

echarts.use([BarChart, PieChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, SVGRenderer]);

type ChartOption = echarts.ComposeOption<
  | BarSeriesOption
  | PieSeriesOption
  | ScatterSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
>;

const COLORS = { bar: '#4a6fd6', met: '#1b7f3b', missed: '#c5221f', other: '#9aa0a6', target: '#202124' };
/** Unquoted (the font list lands in SVG `style` attributes); CJK faces for the zh-CN desk. */
const FONT = 'system-ui, -apple-system, Segoe UI, PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif';
/** Drawn at about the width they are shown at on a laptop (two in a row), so their text reads at about 13 px. */
const CHART_WIDTH = 560;
const FONT_SIZE = 13;

/** Bidi formatting characters, and C0/C1 controls other than tab and newline. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Data text made visible: bidi and control characters as `[U+202E]` (not yet HTML-escaped). */
export function visible(text: string): string {
  return text.replace(UNSAFE, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** HTML-escapes `&<>"'` (text and attribute values alike). */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** Text from data, as HTML: visible, escaped, isolated. */
const data = (text: string) => `<bdi>${escapeHtml(visible(text))}</bdi>`;
/** Our own words (and numbers), escaped all the same. */
const text = (s: string) => escapeHtml(s);

// ----- figures and targets as the text report writes them -----

/** A target as written: "≥ 85 %", "≤ 30 秒", "≤ 30 分钟" (as format.ts writes it). */
function targetText(t: Target, w: ReportWords): string {
  const op = t.op === 'min' ? '≥' : '≤';
  if (t.unit === 'share') return `${op} ${+(t.value * 100).toFixed(1)} %`;
  const s = t.value / 1000;
  return s < 120 ? `${op} ${s} ${w.seconds}` : `${op} ${+(s / 60).toFixed(1)} ${w.minutes}`;
}

/** What a category key (`complaint:quality`, `inquiry`) reads as (as format.ts reads it). */
function categoryLabel(r: Report, w: ReportWords, key: string): string {
  if (!key.startsWith('complaint:')) return w.types[key as keyof ReportWords['types']] ?? key;
  const id = key.slice('complaint:'.length);
  return `${w.types.complaint}·${r.categoryNames[id] ?? (id || w.none)}`;
}

/** A checked figure's name in the targets section (as format.ts names it). */
function figureLabel(f: Figure, w: ReportWords): string {
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

/** The checked figures of the targets section: not the per-agent or per-category rows. */
const headlineChecks = (r: Report) => r.figures.filter((f) => f.check && !/^csat\.(agent|category)\./.test(f.id));

// ----- tables -----

/** One table row: a figure (`id` as in Report.figures) or a group heading (no id). */
interface Row {
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
function table(caption: string, rows: readonly Row[], w: ReportWords): string {
  const c = w.html.columns;
  const body = rows.map((row) => {
    if (row.id === undefined) return `<tr class="group"><th scope="rowgroup" colspan="5">${row.label}</th></tr>`;
    return [
      `<tr data-figure="${escapeHtml(visible(row.id))}"${row.sub ? ' class="sub"' : ''}>`,
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

const countRow = (id: string, label: string, n: number, sub = false): Row => ({
  id,
  label,
  value: String(n),
  sub,
});

const shareRow = (id: string, label: string, s: Share, sub = false): Row => ({
  id,
  label,
  value: percent(s.value),
  basis: `${s.numerator}/${s.denominator}`,
  check: s.check,
  sub,
});

function durationRows(id: string, label: string, d: Durations, w: ReportWords): Row[] {
  const basis = w.count(d.count);
  return [
    {
      id: `${id}.avg`,
      label: text(`${label} ${w.average}`),
      value: duration(d.averageMs, w),
      basis,
      check: d.checks?.average,
    },
    { id: `${id}.p90`, label: text(`${label} P90`), value: duration(d.p90Ms, w), basis, check: d.checks?.p90 },
  ];
}

/** A breakdown: a heading row, then one row per key (`<id>.<key or 'none'>`, as figures.ts names them). */
function countRows(id: string, heading: string, list: readonly Count[], label: (key: string) => string): Row[] {
  return [
    { label: text(heading) },
    ...list.map((c) => countRow(`${id}.${c.key || 'none'}`, label(c.key), c.count, true)),
  ];
}

// ----- charts -----

/** Draws `option` to an SVG string with ECharts' server-side renderer, sized `width` × `height`. */
function drawSvg(option: ChartOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, fontSize: FONT_SIZE }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * A chart as a `<figure>`: the SVG made accessible (role="img", `<title>` and `<desc>`), without
 * the XML namespaces (inline SVG in HTML has its own), the hover-only `<style>` and its classes
 * (no script runs here, and their names change with every chart drawn), or, with nothing to draw,
 * the words saying so.
 */
function figure(id: string, title: string, desc: string, svg: string | null, w: ReportWords): string {
  const caption = `<figcaption id="${id}-title">${text(title)}</figcaption>`;
  if (svg === null)
    return `<figure class="chart empty" data-chart="${id}">${caption}<p>${text(w.html.noChart)}</p></figure>`;
  const cleaned = svg
    .replace(/<style[\s\S]*?<\/style>\s*/g, '')
    .replace(/ class="zr\d+-cls-\d+"/g, '')
    .replace(/^<svg ([^>]*)>/, (_, attrs: string) => {
      const kept = attrs.replace(/\s*(xmlns(:xlink)?|version|baseProfile)="[^"]*"/g, '');
      return `<svg ${kept} role="img" aria-labelledby="${id}-svg-title" aria-describedby="${id}-desc"><title id="${id}-svg-title">${text(title)}</title><desc id="${id}-desc">${escapeHtml(visible(desc))}</desc>`;
    });
  return `<figure class="chart" data-chart="${id}" aria-labelledby="${id}-title">${caption}\n${cleaned}</figure>`;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** An axis top a little above `x` on a round step (1, 2 or 5 × 10ⁿ, about five steps), and that step. */
export function niceAxis(x: number): { max: number; interval: number } {
  if (!(x > 0)) return { max: 1, interval: 1 };
  const raw = (x * 1.08) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const interval = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  return { max: Math.ceil((x * 1.08) / interval) * interval, interval };
}
const listDesc = (items: ReadonlyArray<[string, string | number]>, w: ReportWords) =>
  items.map(([k, v]) => `${k} ${v}`).join(w.list);
const metColor = (c: Check | undefined) =>
  c?.met === true ? COLORS.met : c?.met === false ? COLORS.missed : COLORS.bar;

/** Vertical bars of counts. Null when every count is 0. */
function countBars(items: ReadonlyArray<{ label: string; count: number; color?: string }>): string | null {
  if (!items.some((i) => i.count > 0)) return null;
  return drawSvg(
    {
      grid: { left: 48, right: 24, top: 24, bottom: 56 },
      xAxis: {
        type: 'category',
        data: items.map((i) => visible(i.label)),
        axisLabel: {
          interval: 0,
          width: CHART_WIDTH / Math.max(items.length, 1) - 12,
          overflow: 'break',
          fontSize: FONT_SIZE,
        },
      },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: FONT_SIZE } },
      series: [
        {
          type: 'bar',
          barMaxWidth: 56,
          label: { show: true, position: 'top' },
          data: items.map((i) => ({ value: i.count, itemStyle: { color: i.color ?? COLORS.bar } })),
        },
      ],
    },
    CHART_WIDTH,
    300,
  );
}

/** Horizontal bars of shares (%) with a mark line at the target, colored met/missed. Null when none has a value. */
function shareBars(items: ReadonlyArray<{ label: string; share: Share }>, w: ReportWords): string | null {
  const shown = items.filter((i) => i.share.value !== null);
  if (shown.length === 0) return null;
  const target = shown.find((i) => i.share.check)?.share.check?.target;
  return drawSvg(
    {
      grid: { left: 170, right: 110, top: 28, bottom: 32 },
      yAxis: {
        type: 'category',
        inverse: true,
        data: shown.map((i) => visible(i.label)),
        axisLabel: { width: 160, overflow: 'truncate', fontSize: FONT_SIZE },
      },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value} %', fontSize: FONT_SIZE } },
      series: [
        {
          type: 'bar',
          barMaxWidth: 28,
          label: { show: true, position: 'right' },
          data: shown.map((i) => ({
            value: round1((i.share.value as number) * 100),
            label: { formatter: `${percent(i.share.value)} (${i.share.numerator}/${i.share.denominator})` },
            itemStyle: { color: metColor(i.share.check) },
          })),
          ...(target
            ? {
                markLine: {
                  symbol: 'none',
                  lineStyle: { color: COLORS.target, type: 'dashed', width: 1.5 },
                  label: { formatter: `${w.target} ${targetText(target, w)}`, position: 'start' },
                  data: [{ xAxis: round1(target.value * 100) }],
                },
              }
            : {}),
        },
      ],
    },
    CHART_WIDTH,
    76 + 40 * shown.length,
  );
}

/** A duration figure's average and P90 as bars, with a line at its target; the unit by the target's size. */
function speedBars(d: Durations, w: ReportWords): string | null {
  if (d.count === 0 || d.averageMs === null || d.p90Ms === null) return null;
  const target = d.checks?.average.target;
  const perUnit = (target?.value ?? d.p90Ms) < 120_000 ? 1000 : 60_000;
  const unit = perUnit === 1000 ? w.seconds : w.minutes;
  const bars = [
    { name: w.average, ms: d.averageMs, check: d.checks?.average },
    { name: 'P90', ms: d.p90Ms, check: d.checks?.p90 },
  ];
  const top = Math.max(...bars.map((b) => b.ms), target?.value ?? 0) / perUnit;
  return drawSvg(
    {
      grid: { left: 64, right: 124, top: 28, bottom: 32 },
      xAxis: { type: 'category', data: bars.map((b) => b.name), axisLabel: { fontSize: FONT_SIZE } },
      yAxis: {
        type: 'value',
        min: 0,
        ...niceAxis(top),
        axisLabel: { formatter: `{value} ${unit}`, fontSize: FONT_SIZE },
      },
      series: [
        {
          type: 'bar',
          barMaxWidth: 64,
          label: { show: true, position: 'top' },
          data: bars.map((b) => ({
            value: round1(b.ms / perUnit),
            label: { formatter: duration(b.ms, w) },
            itemStyle: { color: metColor(b.check) },
          })),
          ...(target
            ? {
                markLine: {
                  symbol: 'none',
                  lineStyle: { color: COLORS.target, type: 'dashed', width: 1.5 },
                  label: { formatter: `${w.target} ${targetText(target, w)}`, position: 'end' },
                  data: [{ yAxis: target.value / perUnit }],
                },
              }
            : {}),
        },
      ],
    },
    CHART_WIDTH,
    260,
  );
}

/** Rates as bars (%) with each one's target as a short black mark. Null when none has a value. */
function rateBars(items: ReadonlyArray<{ label: string; share: Share }>, w: ReportWords): string | null {
  const shown = items.filter((i) => i.share.value !== null);
  if (shown.length === 0) return null;
  return drawSvg(
    {
      grid: { left: 56, right: 24, top: 36, bottom: 56 },
      legend: { data: [w.target], right: 8, top: 0 },
      xAxis: {
        type: 'category',
        data: shown.map((i) => i.label),
        axisLabel: { interval: 0, width: CHART_WIDTH / shown.length - 12, overflow: 'break', fontSize: FONT_SIZE },
      },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value} %', fontSize: FONT_SIZE } },
      series: [
        {
          type: 'bar',
          name: w.html.series.share,
          barMaxWidth: 64,
          label: { show: true, position: 'insideTop', color: '#fff' },
          data: shown.map((i) => ({
            value: round1((i.share.value as number) * 100),
            label: { formatter: percent(i.share.value) },
            itemStyle: { color: metColor(i.share.check) },
          })),
        },
        {
          type: 'scatter',
          name: w.target,
          symbol: 'rect',
          symbolSize: [56, 3],
          itemStyle: { color: COLORS.target },
          data: shown.flatMap((i, x) => (i.share.check ? [[x, round1(i.share.check.target.value * 100)]] : [])),
        },
      ],
    },
    CHART_WIDTH,
    300,
  );
}

/** Matters settled by the bot, handed to a person, and the rest (neither), as a pie. Null without matters. */
function botPie(r: Report, w: ReportWords): string | null {
  const total = r.bot.handoff.denominator;
  const bot = r.bot.resolvedWithoutPerson.numerator;
  const person = r.bot.handoff.numerator;
  const slices = [
    { name: w.html.series.byBot, value: bot, color: COLORS.met },
    { name: w.html.series.byPerson, value: person, color: COLORS.bar },
    { name: w.html.series.other, value: Math.max(total - bot - person, 0), color: COLORS.other },
  ]
    .filter((s) => s.value > 0)
    .map(({ name, value, color }) => ({
      name,
      value,
      itemStyle: { color },
      label: { formatter: `${name}\n${value}${w.open}${percent(value / total)}${w.close}` },
    }));
  if (slices.length === 0) return null;
  return drawSvg(
    {
      series: [
        {
          type: 'pie',
          radius: ['38%', '68%'],
          center: ['50%', '54%'],
          label: { lineHeight: 18 },
          data: slices,
        },
      ],
    },
    CHART_WIDTH,
    300,
  );
}

// ----- the page -----

const STYLE = `
:root { color-scheme: light; --ok: #1b7f3b; --bad: #c5221f; --muted: #5f6368; --line: #dadce0;
  font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
body { margin: 0 auto; max-width: 1080px; padding: 24px 20px 48px; color: #202124; background: #fff; line-height: 1.5; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2.25rem 0 .75rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
header p { margin: .125rem 0; color: var(--muted); }
header p.summary { color: #202124; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr)); gap: 16px; margin: 12px 0; }
figure { margin: 0; padding: 10px 12px; border: 1px solid var(--line); border-radius: 8px; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; }
figure svg { display: block; width: 100%; height: auto; }
figure.empty p { color: var(--muted); margin: .5rem 0; }
.table-wrap { overflow-x: auto; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; font-size: .925rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
caption.quiet { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--line); color: var(--muted); font-weight: 600; white-space: nowrap; }
tbody th { font-weight: 500; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.group th { padding-top: 10px; color: var(--muted); font-weight: 600; }
tr.sub th { padding-left: 1.75rem; font-weight: 400; }
td.met { color: var(--ok); white-space: nowrap; }
td.missed { color: var(--bad); font-weight: 700; white-space: nowrap; }
td.nodata { color: var(--muted); white-space: nowrap; }
td.question { white-space: normal; overflow-wrap: anywhere; }
td.source { color: var(--muted); font-size: .85rem; min-width: 16rem; }
@media (max-width: 600px) {
  body { padding: 12px 10px 32px; }
  h1 { font-size: 1.3rem; }
  th, td { padding: 4px 6px; }
}
@media print {
  @page { size: A4; margin: 14mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  .charts { grid-template-columns: 1fr 1fr; }
  .table-wrap { overflow: visible; }
}
`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/**
 * The report as one HTML page in `language` (the desk language: zh-CN or en). Pure but for the
 * charts' drawing (ECharts, synchronous): the same report gives the same page.
 */
export function renderHtml(r: Report, language: SupportedLocale): string {
  const w = REPORT_WORDS[language];
  const l = w.labels;
  const h = w.html;
  const tz = r.period.timeZone;
  const day = (at: number) => localDateTime(tz, at).slice(0, 10);
  const type = (k: string) => w.types[k as keyof ReportWords['types']] ?? k;
  const categoryName = (k: string) => r.categoryNames[k] ?? (k || w.none);
  const title = `${w.title} ${r.period.label}`;
  const checks = headlineChecks(r);
  const met = checks.filter((f) => f.check?.met === true).length;

  // 1. Volume
  const volumeRows: Row[] = [
    countRow('conversations', text(l.conversations), r.volume.conversations),
    countRow('matters', text(l.matters), r.volume.matters),
    ...countRows('matters.type', l.byType, r.volume.byType, (k) => data(type(k))),
    ...countRows('matters.category', l.byCategory, r.volume.byCategory, (k) => data(categoryName(k))),
    ...countRows('matters.locale', l.byLocale, r.volume.byLocale, data),
    ...countRows('matters.channel', l.byChannel, r.volume.byChannel, data),
  ];
  const volumeCharts = [
    figure(
      'volume-type',
      h.charts.byType,
      listDesc(
        r.volume.byType.map((c) => [type(c.key), c.count]),
        w,
      ),
      countBars(r.volume.byType.map((c) => ({ label: type(c.key), count: c.count }))),
      w,
    ),
    figure(
      'volume-category',
      h.charts.byCategory,
      listDesc(
        r.volume.byCategory.map((c) => [categoryName(c.key), c.count]),
        w,
      ),
      countBars(r.volume.byCategory.map((c) => ({ label: categoryName(c.key), count: c.count }))),
      w,
    ),
  ];

  // 2. The bot
  const bot = r.bot;
  const botRows: Row[] = [
    shareRow('resolved_without_person', text(l.withoutPerson), bot.resolvedWithoutPerson),
    shareRow('handoff', text(l.handoff), bot.handoff),
    ...countRows('handoff.reason', l.reasons, bot.handoffReasons, (k) => data(w.reasons[k] ?? k)),
    countRow('handoff.after_hours', text(l.afterHours), bot.handoffsAfterHours, true),
    { id: 'unanswered', label: text(l.unanswered), value: w.times(bot.unansweredAskings) },
  ];
  const others = Math.max(bot.handoff.denominator - bot.resolvedWithoutPerson.numerator - bot.handoff.numerator, 0);
  const botCharts = [
    figure(
      'bot-person',
      h.charts.botVsPerson,
      listDesc(
        [
          [h.series.byBot, bot.resolvedWithoutPerson.numerator],
          [h.series.byPerson, bot.handoff.numerator],
          [h.series.other, others],
        ],
        w,
      ),
      botPie(r, w),
      w,
    ),
    figure(
      'bot-reasons',
      h.charts.reasons,
      listDesc(
        bot.handoffReasons.map((x) => [w.reasons[x.key] ?? x.key, x.count]),
        w,
      ),
      countBars(bot.handoffReasons.map((x) => ({ label: w.reasons[x.key] ?? x.key, count: x.count }))),
      w,
    ),
  ];
  const c = h.columns;
  const unansweredTable =
    bot.unanswered.length === 0
      ? ''
      : [
          '<div class="table-wrap"><table class="unanswered">',
          `<caption>${text(l.unanswered)}</caption>`,
          `<thead><tr><th scope="col" class="num">${text(c.count)}</th><th scope="col">${text(c.language)}</th><th scope="col">${text(c.question)}</th></tr></thead>`,
          '<tbody>',
          ...bot.unanswered.map(
            (q) =>
              `<tr><td class="num">${q.count}</td><td>${data(q.locale)}</td><td class="question">${data(q.text)}</td></tr>`,
          ),
          '</tbody></table></div>',
        ].join('\n');

  // 3. Speed
  const s = r.speed;
  const speedRows: Row[] = [
    ...durationRows('bot_first_response', l.botFirstResponse, s.botFirstResponse, w),
    ...durationRows('person_first_response', l.personFirstResponse, s.personFirstResponse, w),
    countRow('person_never_replied', text(l.neverReplied), s.personNeverReplied, true),
    ...durationRows('claim_wait', l.claimWait, s.claimWait, w),
    shareRow('claim_sla_breaches', text(l.claimSlaBreaches(s.claimSlaSeconds)), s.claimSlaBreaches, true),
  ];
  const speedDesc = (d: Durations) =>
    listDesc(
      [
        [w.average, duration(d.averageMs, w)],
        ['P90', duration(d.p90Ms, w)],
        ...(d.checks ? [[w.target, targetText(d.checks.average.target, w)] as [string, string]] : []),
      ],
      w,
    );
  const speedCharts = (
    [
      ['speed-bot', l.botFirstResponse, s.botFirstResponse],
      ['speed-person', l.personFirstResponse, s.personFirstResponse],
      ['speed-claim', l.claimWait, s.claimWait],
    ] as const
  ).map(([id, label, d]) => figure(id, h.charts.speed(label), speedDesc(d), speedBars(d, w), w));

  // 4. Outcome
  const o = r.outcome;
  const outcomeRows: Row[] = [
    shareRow('resolution', text(l.resolution), o.resolution),
    shareRow('first_contact_resolution', text(l.fcr), o.firstContactResolution),
    { label: text(l.promises) },
    countRow('promises.kept', text(l.kept), o.promisesKept, true),
    countRow('promises.broken', text(l.broken), o.promisesBroken, true),
    shareRow('promises.kept_rate', text(`${l.promises}${w.open}${l.kept}${w.close}`), o.promiseKeptRate, true),
    countRow('escalated_matters', text(l.escalated), o.escalatedMatters),
    ...o.escalations.map((e) =>
      countRow(`escalations.${e.key || 'none'}`, data(w.escalations[e.key] ?? e.key), e.count, true),
    ),
    shareRow('survey_within_24h', text(l.surveyWithin24h), o.surveyWithin24h),
  ];
  const rates = [
    { label: l.resolution, share: o.resolution },
    { label: l.fcr, share: o.firstContactResolution },
    { label: `${l.promises}${w.open}${l.kept}${w.close}`, share: o.promiseKeptRate },
    { label: l.surveyWithin24h, share: o.surveyWithin24h },
  ];
  const outcomeCharts = [
    figure(
      'outcome-rates',
      h.charts.rates,
      listDesc(
        rates.map((i) => [
          i.label,
          `${percent(i.share.value)}${i.share.check ? `${w.open}${w.target} ${targetText(i.share.check.target, w)}${w.close}` : ''}`,
        ]),
        w,
      ),
      rateBars(rates, w),
      w,
    ),
  ];

  // 5. Satisfaction
  const sat = r.satisfaction;
  const agentLabel = (g: CsatGroup) => (g.key === '' ? w.bot : g.label);
  const satRows: Row[] = [
    shareRow('survey_response', text(l.responseRate), sat.responseRate),
    shareRow('csat', text(l.csat), sat.csat),
    ...countRows('scores', l.scores, sat.scores, (k) => text(`${k}★`)),
    { label: text(l.byAgent) },
    ...sat.byAgent.map((g) => shareRow(`csat.agent.${g.key || 'bot'}`, data(agentLabel(g)), g.csat, true)),
    { label: text(l.byCategoryCsat) },
    ...sat.byCategory.map((g) => shareRow(`csat.category.${g.key}`, data(categoryLabel(r, w, g.key)), g.csat, true)),
  ];
  const groupDesc = (groups: readonly CsatGroup[], label: (g: CsatGroup) => string) =>
    listDesc(
      groups.map((g) => [label(g), `${percent(g.csat.value)} (${g.csat.numerator}/${g.csat.denominator})`]),
      w,
    );
  const satCharts = [
    figure(
      'satisfaction-scores',
      h.charts.scores,
      listDesc(
        sat.scores.map((x) => [`${x.key}★`, x.count]),
        w,
      ),
      countBars(
        sat.scores.map((x) => ({
          label: `${x.key}★`,
          count: x.count,
          color: Number(x.key) >= 4 ? COLORS.met : COLORS.other,
        })),
      ),
      w,
    ),
    figure(
      'csat-agent',
      h.charts.csatByAgent,
      groupDesc(sat.byAgent, agentLabel),
      shareBars(
        sat.byAgent.map((g) => ({ label: agentLabel(g), share: g.csat })),
        w,
      ),
      w,
    ),
    figure(
      'csat-category',
      h.charts.csatByCategory,
      groupDesc(sat.byCategory, (g) => categoryLabel(r, w, g.key)),
      shareBars(
        sat.byCategory.map((g) => ({ label: categoryLabel(r, w, g.key), share: g.csat })),
        w,
      ),
      w,
    ),
  ];

  // 6. Targets
  const targetRows = checks.map((f) => {
    const ch = f.check as Check;
    const value = f.unit === 'share' ? percent(f.value) : duration(f.value, w);
    return [
      `<tr data-check="${escapeHtml(f.id)}">`,
      `<th scope="row">${text(figureLabel(f, w))}</th>`,
      `<td class="num">${text(value)}</td>`,
      `<td class="num">${text(f.unit === 'ms' ? w.count(Number(f.count)) : f.count)}</td>`,
      `<td class="num">${text(targetText(ch.target, w))}</td>`,
      statusCell(ch, w),
      `<td class="source">${text(ch.target.source)}</td>`,
      '</tr>',
    ].join('');
  });
  const targetsTable = [
    '<div class="table-wrap"><table class="targets">',
    `<caption class="quiet">${text(w.sections.targets)}</caption>`,
    `<thead><tr><th scope="col">${text(c.figure)}</th><th scope="col" class="num">${text(c.value)}</th><th scope="col" class="num">${text(c.basis)}</th><th scope="col" class="num">${text(c.target)}</th><th scope="col">${text(c.status)}</th><th scope="col">${text(c.source)}</th></tr></thead>`,
    `<tbody>${targetRows.join('\n')}</tbody>`,
    '</table></div>',
  ].join('\n');

  const section = (id: string, heading: string, charts: readonly string[], ...tables: string[]) =>
    [
      `<section id="${id}" aria-labelledby="${id}-h">`,
      `<h2 id="${id}-h">${text(heading)}</h2>`,
      charts.length ? `<div class="charts">\n${charts.join('\n')}\n</div>` : '',
      ...tables,
      '</section>',
    ]
      .filter(Boolean)
      .join('\n');

  return [
    '<!DOCTYPE html>',
    `<html lang="${language}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${text(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${text(title)}</h1>`,
    `<p>${text(`${w.range(day(r.period.from), day(r.period.to - 1))}${w.open}${tz}${w.close}${w.list}${w.generated} ${localDateTime(tz, r.generatedAt)}`)}</p>`,
    `<p class="summary">${text(h.summary(met, checks.length))}</p>`,
    '</header>',
    '<main>',
    section('volume', w.sections.volume, volumeCharts, table(w.sections.volume, volumeRows, w)),
    section('bot', w.sections.bot, botCharts, table(w.sections.bot, botRows, w), unansweredTable),
    section('speed', w.sections.speed, speedCharts, table(w.sections.speed, speedRows, w)),
    section('outcome', w.sections.outcome, outcomeCharts, table(w.sections.outcome, outcomeRows, w)),
    section('satisfaction', w.sections.satisfaction, satCharts, table(w.sections.satisfaction, satRows, w)),
    section('targets', w.sections.targets, [], targetsTable),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
