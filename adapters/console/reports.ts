import type { Context } from 'hono';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { checkPeriod } from '../../bots/report/cli.js';
import { computeReport } from '../../bots/report/compute.js';
import { readReportData } from '../../bots/report/source.js';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { BASE, page, refusal, wordsOf } from './layout.js';

/**
 * Reports: the monthly service-quality report (bots/report: computeReport, renderHtml) by month
 * or by a range of dates, in the console's language. The report page is the one `npm run report
 * -- --html` writes, unchanged: self-contained, with its own CSP (no script, no request, its
 * inline style), shown in a frame of the console page and served only to it (`frame-ancestors
 * 'self'`), so the console's own CSP stays free of 'unsafe-inline' and no report code is copied.
 */

type Flags = { month?: string; from?: string; to?: string };

function flagsOf(c: Context<ConsoleEnv>): Flags {
  const flags: Flags = {};
  for (const key of ['month', 'from', 'to'] as const) {
    const v = c.req.query(key)?.trim();
    if (v) flags[key] = v;
  }
  // The form sends all three: a range given wins over the month.
  if (flags.from || flags.to) delete flags.month;
  return flags;
}

const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

export function reportRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get('/reports', (c) => {
    const { reports: w, problems, lang } = wordsOf(c);
    const definition = deps.flows.reportDefinition(lang);
    if (!definition) return refusal(c, 404, w.noDefinition);
    const flags = flagsOf(c);
    const period = checkPeriod(flags, definition.timeZone, deps.clock());
    const month = flags.month ?? (flags.from || flags.to || 'problem' in period ? '' : period.label);
    const form = html`<form method="get" action="${BASE}/reports" class="search">
      <label>${w.month} <input name="month" type="month" value="${month}" /></label>
      <label>${w.from} <input name="from" type="date" value="${flags.from ?? ''}" /></label>
      <label>${w.to} <input name="to" type="date" value="${flags.to ?? ''}" /></label>
      <button type="submit">${w.show}</button>
    </form>`;
    // A period that cannot be read: the form as filled in, and what is wrong in the console's words.
    if ('problem' in period) {
      const problem = html`${form}
        <p class="problem" role="alert">${problems.period(period.problem)}</p>`;
      return page(c, w.title, 'reports', problem, 400);
    }
    const query = new URLSearchParams(flags as Record<string, string>).toString();
    const body = html`${form}
      <p><a href="${BASE}/reports/view?${query}" target="_blank" rel="noopener">${w.open}</a></p>
      <iframe class="report" title="${w.title} ${period.label}" src="${BASE}/reports/view?${query}"></iframe>`;
    return page(c, `${w.title} ${period.label}`, 'reports', body);
  });
  app.get('/reports/view', async (c) => {
    const language = wordsOf(c).lang;
    const definition = deps.flows.reportDefinition(language);
    if (!definition) return c.text(wordsOf(c).reports.noDefinition, 404);
    const period = checkPeriod(flagsOf(c), definition.timeZone, deps.clock());
    if ('problem' in period) return c.text(wordsOf(c).problems.period(period.problem), 400);
    const data = await readReportData(deps.record, period.from, period.to);
    const report = computeReport(data, { definition, period, generatedAt: deps.clock() });
    c.header('Content-Security-Policy', REPORT_CSP);
    c.header('X-Frame-Options', 'SAMEORIGIN');
    // The page and its charts (echarts) are loaded on the first report asked for, not when the console starts.
    const { renderHtml } = await import('../../bots/report/html.js');
    return c.html(renderHtml(report, language));
  });
  return app;
}
