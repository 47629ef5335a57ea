import { Hono } from 'hono';
import { html } from 'hono/html';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { AUDIT_ACTIONS } from './audit-words.js';
import { BASE, page, wordsOf } from './layout.js';
import { when } from './view.js';

/** The audit log (who did what, when), newest first, filtered by who or what; 100 a page, older by `before`. */

const PAGE = 100;

export function auditRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get('/audit', async (c) => {
    const w = wordsOf(c).audit;
    const actions = AUDIT_ACTIONS[wordsOf(c).lang];
    if (!deps.audit) return page(c, w.title, 'audit', html`<p>${w.off}</p>`);
    const actor = c.req.query('actor')?.trim() || undefined;
    const action = c.req.query('action')?.trim() || undefined;
    const before = Number(c.req.query('before'));
    const entries = await deps.audit.list({
      limit: PAGE,
      ...(actor ? { actor } : {}),
      ...(action ? { action } : {}),
      ...(Number.isFinite(before) && before > 0 ? { before } : {}),
    });
    const older = entries.length === PAGE ? entries.at(-1)?.at : undefined;
    const more = new URLSearchParams({ ...(actor ? { actor } : {}), ...(action ? { action } : {}) });
    const body = html`<form method="get" action="${BASE}/audit" class="search">
        <label>${w.actor} <input name="actor" value="${actor ?? ''}" /></label>
        <label>${w.action} <input name="action" value="${action ?? ''}" /></label>
        <button type="submit">${w.filter}</button>
      </form>
      ${
        entries.length === 0
          ? html`<p>${w.none}</p>`
          : html`<div class="table-wrap">
              <table data-list="audit">
                <thead>
                  <tr>
                    <th>${w.at}</th>
                    <th>${w.actor}</th>
                    <th>${w.action}</th>
                    <th>${w.target}</th>
                  </tr>
                </thead>
                <tbody>
                  ${entries.map(
                    (e) =>
                      html`<tr>
                        <td>${when(deps, e.at)}</td>
                        <td><bdi>${e.actor}</bdi></td>
                        <td title="${e.action}">${actions[e.action] ?? e.action}</td>
                        <td><bdi>${e.target ?? ''}</bdi></td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      ${older ? html`<p><a href="${BASE}/audit?${more.toString()}&before=${older}">→</a></p>` : ''}`;
    return page(c, w.title, 'audit', body);
  });
  return app;
}
