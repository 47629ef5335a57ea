import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ConsoleEnv } from './deps.js';
import { CONSOLE_WORDS, type ConsoleWords } from './words.js';

/**
 * The console's one layout: a header with the navigation (Now, Tickets, Reports, Flows for admins,
 * Audit), the account menu and the language switch, then the page. Server-rendered with
 * hono/html (every value escaped unless wrapped in `raw`); one CSS file and htmx, both served
 * from /console/assets, and no inline script or style (the CSP forbids them).
 */

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const BASE = '/console';

export type Section = 'now' | 'tickets' | 'reports' | 'flows' | 'audit' | 'account' | 'signin';

/** The page's words (set by the console's first middleware). */
export function wordsOf(c: Context<ConsoleEnv>): ConsoleWords {
  return c.get('words') ?? CONSOLE_WORDS['zh-CN'];
}

function languageSwitch(c: Context<ConsoleEnv>, w: ConsoleWords): Html {
  const other = w.lang === 'en' ? 'zh-CN' : 'en';
  const back = new URL(c.req.url).pathname + new URL(c.req.url).search;
  return html`<a class="lang" href="${BASE}/lang/${other}?back=${encodeURIComponent(back)}" hreflang="${other}"
    >${w.switchTo}</a
  >`;
}

function nav(c: Context<ConsoleEnv>, w: ConsoleWords, current: Section): Html {
  const account = c.get('account');
  if (!account) return html``;
  const items: Array<[Section, string]> = [
    ['now', w.nav.now],
    ['tickets', w.nav.tickets],
    ['reports', w.nav.reports],
    ...(account.role === 'admin' ? ([['flows', w.nav.flows]] as Array<[Section, string]>) : []),
    ['audit', w.nav.audit],
  ];
  return html`<nav aria-label="${w.product}">
      ${items.map(
        ([id, label]) => html`<a href="${BASE}/${id}" ${id === current ? raw('aria-current="page"') : ''}>${label}</a>`,
      )}
    </nav>
    <details class="account">
      <summary>${w.signedInAs(account.name, w.roles[account.role])}</summary>
      <a href="${BASE}/account">${w.nav.account}</a>
      <form method="post" action="${BASE}/signout">
        <input type="hidden" name="_csrf" value="${c.get('csrf')}" />
        <button type="submit">${w.signOut}</button>
      </form>
    </details>`;
}

/**
 * htmx's settings: no inline style or eval (the CSP), and a 400 is swapped in like a 200, since it
 * is a form's answer saying what is wrong with its input (htmx leaves every 4xx unshown by default).
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '400', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
});

/** A whole page in the layout; `status` for refusals (403, 404, 429) that still show the layout. */
export function page(c: Context<ConsoleEnv>, title: string, section: Section, body: Html, status = 200) {
  const w = wordsOf(c);
  const csrf = c.get('csrf');
  return c.html(
    html`<!doctype html>
      <html lang="${w.lang}">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="htmx-config" content="${HTMX_CONFIG}" />
          <title>${title} · ${w.product}</title>
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href="${BASE}/assets/console.css" />
          <script src="${BASE}/assets/htmx.min.js" defer></script>
        </head>
        <body ${csrf ? raw(`hx-headers='${JSON.stringify({ 'X-CSRF-Token': csrf })}'`) : ''}>
          <header>
            <a class="product" href="${BASE}/now">${w.product}</a>
            ${nav(c, w, section)} ${languageSwitch(c, w)}
          </header>
          <main>
            <h1>${title}</h1>
            ${body}
          </main>
        </body>
      </html>`,
    status as 200,
  );
}

/** A refusal in the layout: 403 (role), 404, 400 (bad input). */
export function refusal(c: Context<ConsoleEnv>, status: 400 | 403 | 404, message: string) {
  const w = wordsOf(c);
  const title = status === 403 ? w.forbidden : status === 404 ? w.notFound : w.badRequest;
  return page(c, title, 'now', html`<p class="problem" role="alert">${message}</p>`, status);
}

/** The hidden CSRF field every POST form carries. */
export function csrfField(c: Context<ConsoleEnv>): Html {
  return html`<input type="hidden" name="_csrf" value="${c.get('csrf')}" />`;
}
