import { headlineChecks } from './figures.js';
import type { SupportedLocale } from '../../flows/locales.js';
import { localDateTime } from '../ticket-search.js';
import { duration, percent } from './format.js';
import { botPie, COLORS, countBars, figure, listDesc, rateBars, shareBars, speedBars } from './html-charts.js';
import {
  categoryLabel,
  countRow,
  countRows,
  data,
  durationRows,
  feedbackTable,
  shareRow,
  table,
  targetsTable,
  targetText,
  text,
  unansweredTable,
  type Row,
} from './html-tables.js';
import type { CsatGroup, Durations, Report } from './report.js';
import { REPORT_WORDS, type ReportWords } from './words.js';

export { escapeHtml } from './html-tables.js';
export { niceAxis } from './html-charts.js';

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

/** A section: its heading, its charts in a grid, its tables. */
function section(id: string, heading: string, charts: readonly string[], ...tables: string[]): string {
  return [
    `<section id="${id}" aria-labelledby="${id}-h">`,
    `<h2 id="${id}-h">${text(heading)}</h2>`,
    charts.length ? `<div class="charts">\n${charts.join('\n')}\n</div>` : '',
    ...tables,
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

const typeName = (w: ReportWords, k: string) => w.types[k as keyof ReportWords['types']] ?? k;
const categoryName = (r: Report, w: ReportWords, k: string) => r.categoryNames[k] ?? (k || w.none);

/** 1. Volume: conversations, matters by type, category, locale, channel. */
function volumeSection(r: Report, w: ReportWords): string {
  const l = w.labels;
  const type = (k: string) => typeName(w, k);
  const category = (k: string) => categoryName(r, w, k);
  const rows: Row[] = [
    countRow('conversations', text(l.conversations), r.volume.conversations),
    countRow('matters', text(l.matters), r.volume.matters),
    ...countRows('matters.type', l.byType, r.volume.byType, (k) => data(type(k))),
    ...countRows('matters.category', l.byCategory, r.volume.byCategory, (k) => data(category(k))),
    ...countRows('matters.locale', l.byLocale, r.volume.byLocale, data),
    ...countRows('matters.channel', l.byChannel, r.volume.byChannel, data),
  ];
  const charts = [
    figure(
      'volume-type',
      w.html.charts.byType,
      listDesc(
        r.volume.byType.map((c) => [type(c.key), c.count]),
        w,
      ),
      countBars(r.volume.byType.map((c) => ({ label: type(c.key), count: c.count }))),
      w,
    ),
    figure(
      'volume-category',
      w.html.charts.byCategory,
      listDesc(
        r.volume.byCategory.map((c) => [category(c.key), c.count]),
        w,
      ),
      countBars(r.volume.byCategory.map((c) => ({ label: category(c.key), count: c.count }))),
      w,
    ),
  ];
  return section('volume', w.sections.volume, charts, table(w.sections.volume, rows, w));
}

/** 2. The bot: settled without a person, handoffs and reasons, the unanswered questions. */
function botSection(r: Report, w: ReportWords): string {
  const l = w.labels;
  const h = w.html;
  const bot = r.bot;
  const reason = (k: string) => w.reasons[k] ?? k;
  const rows: Row[] = [
    shareRow('resolved_without_person', text(l.withoutPerson), bot.resolvedWithoutPerson),
    shareRow('with_person', text(l.withPerson), bot.withPerson),
    shareRow('handoff', text(l.handoff), bot.handoff),
    ...countRows('handoff.reason', l.reasons, bot.handoffReasons, (k) => data(reason(k))),
    countRow('handoff.after_hours', text(l.afterHours), bot.handoffsAfterHours, true),
    ...(r.byFlowVersion.length ? [{ label: text(l.byFlowVersion) }] : []),
    ...r.byFlowVersion.flatMap((v) => {
      const name = v.label || l.versionUnknown;
      const id = `flow_version.${v.label || 'unknown'}`;
      return [
        countRow(`${id}.matters`, data(`${name} · ${l.matters}`), v.matters, true),
        shareRow(`${id}.resolved_without_person`, data(`${name} · ${l.withoutPerson}`), v.resolvedWithoutPerson, true),
        shareRow(`${id}.csat`, data(`${name} · ${l.csat}`), v.csat, true),
      ];
    }),
    { id: 'unanswered', label: text(l.unanswered), value: w.times(bot.unansweredAskings) },
  ];
  const others = Math.max(
    bot.withPerson.denominator - bot.resolvedWithoutPerson.numerator - bot.withPerson.numerator,
    0,
  );
  const charts = [
    figure(
      'bot-person',
      h.charts.botVsPerson,
      listDesc(
        [
          [h.series.byBot, bot.resolvedWithoutPerson.numerator],
          [h.series.byPerson, bot.withPerson.numerator],
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
        bot.handoffReasons.map((x) => [reason(x.key), x.count]),
        w,
      ),
      countBars(bot.handoffReasons.map((x) => ({ label: reason(x.key), count: x.count }))),
      w,
    ),
  ];
  return section('bot', w.sections.bot, charts, table(w.sections.bot, rows, w), unansweredTable(r, w));
}

/** 3. Speed: each duration figure's average and P90 against its target; claim-SLA breaches. */
function speedSection(r: Report, w: ReportWords): string {
  const l = w.labels;
  const s = r.speed;
  const rows: Row[] = [
    ...durationRows('bot_first_response', l.botFirstResponse, s.botFirstResponse, w),
    ...durationRows('person_first_response', l.personFirstResponse, s.personFirstResponse, w),
    countRow('person_never_replied', text(l.neverReplied), s.personNeverReplied, true),
    ...durationRows('claim_wait', l.claimWait, s.claimWait, w),
    shareRow('claim_sla_breaches', text(l.claimSlaBreaches(s.claimSlaSeconds)), s.claimSlaBreaches, true),
  ];
  const desc = (d: Durations) =>
    listDesc(
      [
        [w.average, duration(d.averageMs, w)],
        ['P90', duration(d.p90Ms, w)],
        ...(d.checks ? [[w.target, targetText(d.checks.average.target, w)] as [string, string]] : []),
      ],
      w,
    );
  const charts = (
    [
      ['speed-bot', l.botFirstResponse, s.botFirstResponse],
      ['speed-person', l.personFirstResponse, s.personFirstResponse],
      ['speed-claim', l.claimWait, s.claimWait],
    ] as const
  ).map(([id, label, d]) => figure(id, w.html.charts.speed(label), desc(d), speedBars(d, w), w));
  return section('speed', w.sections.speed, charts, table(w.sections.speed, rows, w));
}

/** 4. Outcome: resolution, first-contact resolution, promises, escalations, the 24-hour survey. */
function outcomeSection(r: Report, w: ReportWords): string {
  const l = w.labels;
  const o = r.outcome;
  const keptRate = `${l.promises}${w.open}${l.kept}${w.close}`;
  const rows: Row[] = [
    shareRow('resolution', text(l.resolution), o.resolution),
    shareRow('first_contact_resolution', text(l.fcr), o.firstContactResolution),
    { label: text(l.promises) },
    countRow('promises.kept', text(l.kept), o.promisesKept, true),
    countRow('promises.broken', text(l.broken), o.promisesBroken, true),
    countRow('promises.unrecorded', text(l.unrecorded), o.promisesUnrecorded, true),
    shareRow('promises.kept_rate', text(keptRate), o.promiseKeptRate, true),
    countRow('escalated_matters', text(l.escalated), o.escalatedMatters),
    ...o.escalations.map((e) =>
      countRow(`escalations.${e.key || 'none'}`, data(w.escalations[e.key] ?? e.key), e.count, true),
    ),
    shareRow('survey_within_24h', text(l.surveyWithin24h), o.surveyWithin24h),
  ];
  const rates = [
    { label: l.resolution, share: o.resolution },
    { label: l.fcr, share: o.firstContactResolution },
    { label: keptRate, share: o.promiseKeptRate },
    { label: l.surveyWithin24h, share: o.surveyWithin24h },
  ];
  const target = (c: (typeof rates)[number]['share']['check']) =>
    c ? `${w.open}${w.target} ${targetText(c.target, w)}${w.close}` : '';
  const charts = [
    figure(
      'outcome-rates',
      w.html.charts.rates,
      listDesc(
        rates.map((i) => [i.label, `${percent(i.share.value)}${target(i.share.check)}`]),
        w,
      ),
      rateBars(rates, w),
      w,
    ),
  ];
  return section('outcome', w.sections.outcome, charts, table(w.sections.outcome, rows, w));
}

/** 5. Satisfaction: response rate, CSAT, the scores, CSAT by agent and by category against the target. */
function satisfactionSection(r: Report, w: ReportWords): string {
  const l = w.labels;
  const h = w.html;
  const sat = r.satisfaction;
  const agent = (g: CsatGroup) => (g.key === '' ? w.bot : g.label);
  const category = (g: CsatGroup) => categoryLabel(r, w, g.key);
  const rows: Row[] = [
    shareRow('survey_response', text(l.responseRate), sat.responseRate),
    shareRow('csat', text(l.csat), sat.csat),
    ...countRows('scores', l.scores, sat.scores, (k) => text(`${k}★`)),
    { label: text(l.byAgent) },
    ...sat.byAgent.map((g) => shareRow(`csat.agent.${g.key || 'bot'}`, data(agent(g)), g.csat, true)),
    { label: text(l.byCategoryCsat) },
    ...sat.byCategory.map((g) => shareRow(`csat.category.${g.key}`, data(category(g)), g.csat, true)),
    ...countRows(
      'feedback',
      l.feedback,
      [
        { key: 'comments', count: sat.feedback.comments },
        { key: 'suggestions', count: sat.feedback.suggestions },
      ],
      (k) => text(k === 'comments' ? l.feedbackComments : w.types.suggestion),
    ),
  ];
  const groups = (id: string, title: string, list: readonly CsatGroup[], label: (g: CsatGroup) => string) =>
    figure(
      id,
      title,
      listDesc(
        list.map((g) => [label(g), `${percent(g.csat.value)} (${g.csat.numerator}/${g.csat.denominator})`]),
        w,
      ),
      shareBars(
        list.map((g) => ({ label: label(g), share: g.csat })),
        w,
      ),
      w,
    );
  const scores = sat.scores.map((x) => ({
    label: `${x.key}★`,
    count: x.count,
    color: Number(x.key) >= 4 ? COLORS.met : COLORS.other,
  }));
  const charts = [
    figure(
      'satisfaction-scores',
      h.charts.scores,
      listDesc(
        scores.map((x) => [x.label, x.count]),
        w,
      ),
      countBars(scores),
      w,
    ),
    groups('csat-agent', h.charts.csatByAgent, sat.byAgent, agent),
    groups('csat-category', h.charts.csatByCategory, sat.byCategory, category),
  ];
  const tables = [table(w.sections.satisfaction, rows, w), feedbackTable(r, w)];
  return section('satisfaction', w.sections.satisfaction, charts, ...tables);
}

/**
 * The report as one HTML page in `language` (the desk language: zh-CN or en). Pure but for the
 * charts' drawing (ECharts, synchronous): the same report gives the same page.
 */
export function renderHtml(r: Report, language: SupportedLocale): string {
  const w = REPORT_WORDS[language];
  const tz = r.period.timeZone;
  const day = (at: number) => localDateTime(tz, at).slice(0, 10);
  const title = `${w.title} ${r.period.label}`;
  // Only the targets judged count (found by the issue-17 trial: an empty month was "0 of 9 targets met");
  // a wait nobody ended is judged (missed) with no value to show.
  const checks = headlineChecks(r).filter((f) => f.check?.met !== null);
  const met = checks.filter((f) => f.check?.met === true).length;
  const when = `${w.range(day(r.period.from), day(r.period.to - 1))}${w.open}${tz}${w.close}${w.list}${w.generated} ${localDateTime(tz, r.generatedAt)}`;
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
    `<p>${text(when)}</p>`,
    `<p class="summary">${text(checks.length ? w.html.summary(met, checks.length) : w.html.summaryNone)}</p>`,
    '</header>',
    '<main>',
    volumeSection(r, w),
    botSection(r, w),
    speedSection(r, w),
    outcomeSection(r, w),
    satisfactionSection(r, w),
    section('targets', w.sections.targets, [], targetsTable(r, w)),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
