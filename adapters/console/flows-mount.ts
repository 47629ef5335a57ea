import { Hono } from 'hono';
import { html } from 'hono/html';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { page, wordsOf } from './layout.js';
import { requireAdmin } from './security.js';

/**
 * The flows pages' hook (helper E's sub-app, adapters/console/flows/routes.ts `flowsRoutes(deps)`).
 * Mounted at /console/flows behind the console's session, CSRF and Origin checks, and admins
 * only: a supervisor gets 403 on every flows path. Handlers read the signed-in account as
 * `c.get('account')`, the CSRF token as `c.get('csrf')` (forms: layout.ts csrfField; htmx sends
 * it by itself), and render in the layout with layout.ts `page(c, title, 'flows', body)`.
 */
export type FlowsRoutes = (deps: ConsoleDeps) => Hono<ConsoleEnv>;

/** Mounts `routes` (or the placeholder page until the flows pages exist) on `app` under `/flows`. */
export function mountFlows(app: Hono<ConsoleEnv>, deps: ConsoleDeps, routes?: FlowsRoutes): void {
  app.use('/flows', requireAdmin());
  app.use('/flows/*', requireAdmin());
  if (routes) {
    app.route('/flows', routes(deps));
    return;
  }
  app.get('/flows', (c) => {
    const w = wordsOf(c).flows;
    return page(c, w.title, 'flows', html`<p>${w.placeholder}</p>`);
  });
}
