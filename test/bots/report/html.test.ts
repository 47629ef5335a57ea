import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../../adapters/store/memory.js';
import { parseConfig } from '../../../bots/config.js';
import { runReport } from '../../../bots/report/cli.js';
import { computeReport, type ReportData } from '../../../bots/report/compute.js';
import { duration, percent } from '../../../bots/report/format.js';
import { escapeHtml, niceAxis, renderHtml } from '../../../bots/report/html.js';
import { showControls } from '../../../flows/text.js';
import type { Figure } from '../../../bots/report/report.js';
import { reportSourceFromStore } from '../../../bots/report/source.js';
import { REPORT_WORDS } from '../../../bots/report/words.js';
import { defaultDefinition } from '../../support/flows.js';
import { ev, GENERATED_AT, MONTH, MONTH_CHARTS, NOVEMBER, ticket } from './month.js';

/**
 * The HTML report (issue 14: "one self-contained page with charts … in the desk language"), from
 * the seeded month of compute.test.ts: every chart an SVG with marks drawn, every figure of the
 * text report in a table with its target and flag, both desk languages, data text escaped, nothing
 * fetched. The page in a real browser: test/browser/report-html.test.ts.
 */

const LANGUAGES = ['zh-CN', 'en'] as const;
const report = (data: ReportData, language: 'zh-CN' | 'en' = 'zh-CN') =>
  computeReport(data, { definition: defaultDefinition(language), period: NOVEMBER, generatedAt: GENERATED_AT });

/** Each chart's `<figure>` by its data-chart id. */
function charts(html: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of html.matchAll(/<figure class="chart[^"]*" data-chart="([^"]+)"[\s\S]*?<\/figure>/g))
    found.set(m[1] as string, m[0]);
  return found;
}

/** Each figure row's cells (text inside the tags) by its data-figure id. */
function rows(html: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const m of html.matchAll(/<tr data-figure="([^"]*)"[^>]*>([\s\S]*?)<\/tr>/g)) {
    const cells = [...(m[2] as string).matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) =>
      (c[1] as string).replace(/<[^>]+>/g, ''),
    );
    found.set(m[1] as string, cells);
  }
  return found;
}

const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;

describe.each(LANGUAGES)('renderHtml on the seeded month, desk language %s', (language) => {
  const w = REPORT_WORDS[language];
  const r = report(MONTH, language);
  const html = renderHtml(r, language);

  it('is one page in the desk language with every section', () => {
    expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
    expect(html).toContain(`<html lang="${language}">`);
    expect(html).toContain(`<title>${escapeHtml(`${w.title} 2026-11`)}</title>`);
    expect([...html.matchAll(/<h2 id="[a-z]+-h">([^<]*)<\/h2>/g)].map((m) => m[1])).toEqual(
      Object.values(w.sections).map(escapeHtml),
    );
    expect(html).toContain(escapeHtml(w.range('2026-11-01', '2026-11-30')));
    // None of the 9 headline checks met: c4 never had the bot's reply, T6 was never claimed nor
    // replied to, so the speed targets are missed (average and P90 each), as are FCR, CSAT and the survey.
    expect(html).toContain(`<p class="summary">${escapeHtml(w.html.summary(0, 9))}</p>`);
    // A month without data measures no target: not "0 of 9 met" (found by the issue-17 trial).
    const empty = renderHtml(
      report({ tickets: [], ticketsAfter: [], conversations: [], unanswered: [] }, language),
      language,
    );
    expect(empty).toContain(`<p class="summary">${escapeHtml(w.html.summaryNone)}</p>`);
    // The other language's words are not there.
    const other = REPORT_WORDS[language === 'en' ? 'zh-CN' : 'en'];
    expect(html).not.toContain(other.sections.satisfaction);
    expect(html).not.toContain(other.html.charts.scores);
  });

  it('draws every chart as an accessible SVG with marks, titled in the desk language', () => {
    const found = charts(html);
    expect([...found.keys()]).toEqual(MONTH_CHARTS);
    for (const [id, fig] of found) {
      expect(count(fig, /<svg /g), id).toBe(1);
      expect(fig, id).toMatch(
        /<svg [^>]*role="img" aria-labelledby="[^"]+" aria-describedby="[^"]+"><title id="[^"]+">[^<]+<\/title><desc id="[^"]+">[^<]+<\/desc>/,
      );
      // Series marks (bars, slices, mark lines) carry ECharts' ecmeta attributes; paths draw them.
      expect(count(fig, /ecmeta_ssr_type="chart"/g), id).toBeGreaterThan(0);
      expect(count(fig, /<path /g), id).toBeGreaterThan(0);
    }
    const title = (id: string) => /<figcaption[^>]*>([^<]*)<\/figcaption>/.exec(found.get(id) ?? '')?.[1];
    expect(title('volume-type')).toBe(escapeHtml(w.html.charts.byType));
    expect(title('bot-person')).toBe(escapeHtml(w.html.charts.botVsPerson));
    expect(title('speed-person')).toBe(escapeHtml(w.html.charts.speed(w.labels.personFirstResponse)));
    expect(title('csat-agent')).toBe(escapeHtml(w.html.charts.csatByAgent));
    // Targets are drawn: a mark line at 30 s, 30 min and 85 %, labelled in the desk language.
    const s = w.seconds;
    expect(found.get('speed-bot')).toContain(escapeHtml(`${w.target} ≤ 30 ${s}`));
    expect(found.get('speed-person')).toContain(escapeHtml(`${w.target} ≤ 30 ${w.minutes}`));
    expect(found.get('csat-category')).toContain(escapeHtml(`${w.target} ≥ 85 %`));
    // The pie: the bot settled 4 of 9, a person had 5.
    expect(found.get('bot-person')).toContain(escapeHtml(`4${w.open}44.4 %${w.close}`));
  });

  it('shows every figure of the report in a table row with its target and flag', () => {
    const table = rows(html);
    const shown = (f: Figure) =>
      f.unit === 'share'
        ? percent(f.value)
        : f.unit === 'ms'
          ? duration(f.value, w)
          : f.id === 'unanswered'
            ? w.times(f.value as number)
            : String(f.value);
    for (const f of r.figures) {
      const cells = table.get(f.id);
      expect(cells, f.id).toBeDefined();
      expect(cells?.[1], f.id).toBe(escapeHtml(shown(f)));
      if (f.check) {
        expect(cells?.[3], f.id).toMatch(/^[≥≤] /);
        expect(cells?.[4], f.id).toBe(escapeHtml(f.check.met ? w.met : w.missed));
      } else {
        expect(cells?.[4], f.id).toBe('');
      }
    }
    expect(table.get('csat')).toEqual([escapeHtml(w.labels.csat), '80.0 %', '4/5', '≥ 85 %', escapeHtml(w.missed)]);
    expect(table.get('first_contact_resolution')?.slice(1)).toEqual(['55.6 %', '5/9', '≥ 80 %', escapeHtml(w.missed)]);
    expect(table.get('csat.agent.bot')?.slice(1)).toEqual(['100.0 %', '3/3', '≥ 85 %', escapeHtml(w.met)]);
    expect(table.get('csat.agent.U-W')?.[0]).toBe('王');
    // Every table has a caption; the unanswered questions are listed most asked first.
    expect(count(html, /<table/g)).toBe(count(html, /<caption/g));
    expect(html.indexOf('怎么开专票')).toBeLessThan(html.indexOf('积分怎么用'));
    // What customers said (001 四.(三) 2), newest first, in their words.
    expect(html.indexOf('建议晚上也安排人工客服')).toBeLessThan(html.indexOf('等了好久才有人回复'));
    expect(html).toMatch(/<tr data-feedback="comment"><td>2026-11-04<\/td><td><code><bdi>T4<\/bdi><\/code><\/td>/);
  });

  it('fetches nothing and runs nothing', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed|base)\b/i);
    expect(html).not.toMatch(/\s(src|href|xlink:href)=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    );
    // The same report gives the same page (ECharts' per-chart class names are not kept).
    expect(renderHtml(r, language)).toBe(html);
  });
});

describe('renderHtml escapes what comes from data', () => {
  const SCRIPT = '<script>alert(1)</script>';
  const agent = { id: 'U"><svg onload=alert(1)>', name: `${SCRIPT}\u202Eevil\u2066` };
  const hostile: ReportData = {
    tickets: [
      ticket('H1', 'X', '2026-11-10T10:00:00', {
        type: 'complaint',
        category: '"><img src=x onerror=alert(1)>',
        status: 'resolved',
        claimedBy: agent,
        resolvedBy: agent,
        locale: `en\u202E${SCRIPT}`,
        events: [
          ev('handed-off', '2026-11-10T10:00:00', { detail: `${SCRIPT}, after hours` }),
          ev('agent-replied', '2026-11-10T10:01:00', { by: agent }),
          ev('resolved', '2026-11-10T10:02:00', { by: agent }),
          ev('escalated', '2026-11-10T10:02:00', { detail: SCRIPT }),
          ev('survey-sent', '2026-11-10T10:03:00'),
          ev('survey-answered', '2026-11-10T10:04:00', { score: 2 }),
        ],
        // A comment with the low score: the customer's words in the feedback table.
        comment: `${SCRIPT}\u202Eslow!`,
      }),
    ],
    ticketsAfter: [],
    conversations: [],
    unanswered: [{ text: `${SCRIPT}\u202Edesrever & "quoted"\u0007`, locale: 'zh-CN', at: NOVEMBER.from + 1000 }],
  };

  it.each(LANGUAGES)('in tables, chart labels and attributes (%s)', (language) => {
    const html = renderHtml(report(hostile, language), language);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    // No tag has an event handler attribute (attribute values, quotes and all, set aside).
    const attributes = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0].replace(/"[^"]*"/g, '""'));
    expect(attributes.filter((tag) => /\son\w+=/i.test(tag))).toEqual([]);
    // Only the charts' own SVGs.
    expect(count(html, /<svg /g)).toBe(count(html, /<figure class="chart" /g));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Bidi and control characters are shown, not obeyed.
    expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u0007]/);
    expect(html).toContain('<bdi>&lt;script&gt;alert(1)&lt;/script&gt;[U+202E]evil[U+2066]</bdi>');
    expect(html).toContain('[U+202E]desrever &amp; &quot;quoted&quot;[U+0007]');
    expect(html).toContain('<td class="question"><bdi>&lt;script&gt;alert(1)&lt;/script&gt;[U+202E]slow!</bdi></td>');
    // The agent's id in the figure's row id is an escaped attribute value.
    expect(html).toContain('data-figure="csat.agent.U&quot;&gt;&lt;svg onload=alert(1)&gt;"');
    // The agent's name as a chart label (ECharts escapes it; the bidi control is shown).
    expect(charts(html).get('csat-agent')).toContain('&lt;script&gt;alert(1)&lt;/script&gt;[U+202E]evil');
  });

  it('has helpers that escape and show', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(showControls('a\u202Eb\u200Fc\td\ne')).toBe('a[U+202E]b[U+200F]c\td\ne');
  });
});

describe('renderHtml on an empty period', () => {
  it.each(LANGUAGES)('draws no chart and says so, and shows no NaN (%s)', (language) => {
    const html = renderHtml(
      report({ tickets: [], ticketsAfter: [], conversations: [], unanswered: [] }, language),
      language,
    );
    expect(html).not.toContain('<svg');
    expect(count(html, /<figure class="chart empty"/g)).toBe(MONTH_CHARTS.length);
    expect(count(html, new RegExp(escapeHtml(REPORT_WORDS[language].html.noChart), 'g'))).toBe(MONTH_CHARTS.length);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
    expect(rows(html).get('csat')?.slice(1)).toEqual(['—', '0/0', '≥ 85 %', escapeHtml(REPORT_WORDS[language].noData)]);
  });
});

describe('axis tops', () => {
  it('round up to a step of 1, 2 or 5 × 10ⁿ', () => {
    expect(niceAxis(45)).toEqual({ max: 50, interval: 10 });
    expect(niceAxis(60)).toEqual({ max: 80, interval: 20 });
    expect(niceAxis(30)).toEqual({ max: 40, interval: 10 });
    expect(niceAxis(0.8)).toEqual({ max: 1, interval: 0.2 });
    expect(niceAxis(0)).toEqual({ max: 1, interval: 1 });
  });
});

describe('npm run report -- --html', () => {
  let dir: string;
  let store: MemoryStore;
  const config = parseConfig({ DESK_LANGUAGE: 'en' });
  const source = (work: (s: ReturnType<typeof reportSourceFromStore>) => Promise<number>) =>
    work(reportSourceFromStore(store));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-html-'));
    store = new MemoryStore(() => GENERATED_AT);
    for (const t of MONTH.tickets) await store.tickets.put(t);
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function capture(work: () => Promise<number | { problem: string }>) {
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    try {
      return { done: await work(), stdout, stderr };
    } finally {
      vi.restoreAllMocks();
    }
  }

  it('writes the page in the desk language and prints its path', async () => {
    const file = join(dir, 'report.html');
    const out = await capture(() => runReport(config, { month: '2026-11', html: file }, source, GENERATED_AT));
    expect(out).toEqual({ done: 0, stdout: `${file}\n`, stderr: '' });
    const page = await readFile(file, 'utf8');
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<h1>Service-quality report 2026-11</h1>');
    expect(page).toContain('Product quality');
  });

  it('writes the page to stdout with -', async () => {
    const out = await capture(() => runReport(config, { month: '2026-11', html: '-' }, source, GENERATED_AT));
    expect(out.done).toBe(0);
    expect(out.stdout.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(out.stdout.endsWith('</html>\n')).toBe(true);
  });

  it('says why when the file cannot be written (exit 1)', async () => {
    const file = join(dir, 'no-such-folder', 'report.html');
    const out = await capture(() => runReport(config, { month: '2026-11', html: file }, source, GENERATED_AT));
    expect(out.done).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(new RegExp(`^Cannot write the HTML report to ${file}: ENOENT`));
    // A folder's name is no file name (found by the issue-17 trial: written as a file named like the folder).
    const folder = `${join(dir, 'reports')}/`;
    expect(await runReport(config, { month: '2026-11', html: folder }, source, GENERATED_AT)).toEqual({
      problem: `--html needs a file name, not a folder (got "${folder}"): e.g. ${folder}report.html`,
    });
  });
});
