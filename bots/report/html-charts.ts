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
import { duration, percent } from './format.js';
import { showControls } from '../../flows/text.js';
import { escapeHtml, targetText, text } from './html-tables.js';
import type { Check, Durations, Report, Share } from './report.js';
import type { ReportWords } from './words.js';

/**
 * The HTML report's charts (html.ts): Apache ECharts drawn to SVG on the server with its SSR
 * (`init(null, null, { renderer: 'svg', ssr: true, width, height })`, `renderToSVGString`,
 * `dispose`), no animation, no script. Labels from data are made visible (bidi and control
 * characters shown) before ECharts, which escapes them. Each builder returns null when there is
 * nothing to draw (every count 0, no share, no duration), and `figure` then says so in words.
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

export const COLORS = { bar: '#4a6fd6', met: '#1b7f3b', missed: '#c5221f', other: '#9aa0a6', target: '#202124' };
/** Unquoted (the font list lands in SVG `style` attributes); CJK faces for the zh-CN desk. */
const FONT = 'system-ui, -apple-system, Segoe UI, PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif';
/** Drawn at about the width they are shown at on a laptop (two in a row), so their text reads at about 13 px. */
const CHART_WIDTH = 560;
const FONT_SIZE = 13;

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
export function figure(id: string, title: string, desc: string, svg: string | null, w: ReportWords): string {
  const caption = `<figcaption id="${id}-title">${text(title)}</figcaption>`;
  if (svg === null)
    return `<figure class="chart empty" data-chart="${id}">${caption}<p>${text(w.html.noChart)}</p></figure>`;
  const cleaned = svg
    .replace(/<style[\s\S]*?<\/style>\s*/g, '')
    .replace(/ class="zr\d+-cls-\d+"/g, '')
    .replace(/^<svg ([^>]*)>/, (_, attrs: string) => {
      const kept = attrs.replace(/\s*(xmlns(:xlink)?|version|baseProfile)="[^"]*"/g, '');
      return `<svg ${kept} role="img" aria-labelledby="${id}-svg-title" aria-describedby="${id}-desc"><title id="${id}-svg-title">${text(title)}</title><desc id="${id}-desc">${escapeHtml(showControls(desc))}</desc>`;
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
export const listDesc = (items: ReadonlyArray<[string, string | number]>, w: ReportWords) =>
  items.map(([k, v]) => `${k} ${v}`).join(w.list);
const metColor = (c: Check | undefined) =>
  c?.met === true ? COLORS.met : c?.met === false ? COLORS.missed : COLORS.bar;

/** Vertical bars of counts. Null when every count is 0. */
export function countBars(items: ReadonlyArray<{ label: string; count: number; color?: string }>): string | null {
  if (!items.some((i) => i.count > 0)) return null;
  return drawSvg(
    {
      grid: { left: 48, right: 24, top: 24, bottom: 56 },
      xAxis: {
        type: 'category',
        data: items.map((i) => showControls(i.label)),
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
export function shareBars(items: ReadonlyArray<{ label: string; share: Share }>, w: ReportWords): string | null {
  const shown = items.filter((i) => i.share.value !== null);
  if (shown.length === 0) return null;
  const target = shown.find((i) => i.share.check)?.share.check?.target;
  return drawSvg(
    {
      grid: { left: 170, right: 110, top: 28, bottom: 32 },
      yAxis: {
        type: 'category',
        inverse: true,
        data: shown.map((i) => showControls(i.label)),
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
export function speedBars(d: Durations, w: ReportWords): string | null {
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
export function rateBars(items: ReadonlyArray<{ label: string; share: Share }>, w: ReportWords): string | null {
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

/** Matters settled by the bot, those a person took part in, and the rest (neither), as a pie. Null without matters. */
export function botPie(r: Report, w: ReportWords): string | null {
  const total = r.bot.withPerson.denominator;
  const bot = r.bot.resolvedWithoutPerson.numerator;
  const person = r.bot.withPerson.numerator;
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
