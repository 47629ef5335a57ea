import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import type { Route } from '../../bots/ports.js';
import { auditRoutes } from './audit.js';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { mountFlows, type FlowsRoutes } from './flows-mount.js';
import { BASE, page, refusal, wordsOf } from './layout.js';
import { nowRoutes } from './now.js';
import { reportRoutes } from './reports.js';
import { headers, requireSession } from './security.js';
import { signInRoutes } from './sign-in.js';
import { ticketRoutes } from './tickets.js';
import { CONSOLE_WORDS } from './words.js';
import { html } from 'hono/html';

/**
 * The web console (issue 15), a Hono app under /console mounted on the process's one HTTP server
 * (bots/app/http.ts prefix route, through @hono/node-server's getRequestListener): sign-in, Now,
 * Tickets, Reports, the audit log, the account page, and the flows pages (E's) for admins.
 */
export interface Console {
  /** The Hono app (tests call `app.request(…)`). */
  readonly app: Hono<ConsoleEnv>;
  /** The prefix route to mount on the app's server. */
  readonly route: Route;
}

export interface ConsoleOptions {
  /** The flows pages (adapters/console/flows/routes.ts flowsRoutes); a placeholder page without them. */
  flows?: FlowsRoutes | undefined;
}

/** Static files: the one CSS file, and htmx from its package (no CDN). Read once, when the console is made. */
function assets(): Hono<ConsoleEnv> {
  const css = readFileSync(new URL('./console.css', import.meta.url), 'utf8');
  const htmx = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');
  const app = new Hono<ConsoleEnv>();
  const cache = { 'Cache-Control': 'public, max-age=3600' };
  app.get('/assets/console.css', (c) => c.body(css, 200, { ...cache, 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/assets/htmx.min.js', (c) =>
    c.body(htmx, 200, { ...cache, 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  return app;
}

/** The largest request body the console reads, in bytes: a definition file (1 MiB) as a form, with room. */
export const BODY_BYTES = 2 * 1024 * 1024;
/** The largest sign-in body, in bytes. */
export const SIGN_IN_BODY_BYTES = 16 * 1024;

export function createConsole(deps: ConsoleDeps, options: ConsoleOptions = {}): Console {
  const app = new Hono<ConsoleEnv>().basePath(BASE);
  app.use('*', headers(deps));
  // Bodies are read only up to a limit: a sign-in form is small, a whole definition file at most
  // 1 MiB (found by the issue-15 trial: a 5 MB sign-in body was parsed and its password hashed).
  const tooLarge = (c: Context<ConsoleEnv>) => c.text('413 request body too large', 413);
  app.use('/signin', bodyLimit({ maxSize: SIGN_IN_BODY_BYTES, onError: tooLarge }));
  app.use('*', bodyLimit({ maxSize: BODY_BYTES, onError: tooLarge }));
  app.use('*', async (c, next) => {
    const chosen = getCookie(c, 'console_lang');
    c.set('words', CONSOLE_WORDS[chosen === 'en' || chosen === 'zh-CN' ? chosen : deps.config.language]);
    await next();
  });
  app.route('/', assets());
  app.route('/', signInRoutes(deps));
  // Everything below needs a signed-in account.
  app.use('*', requireSession(deps));
  app.get('/', (c) => c.redirect(`${BASE}/now`, 303));
  app.route('/', nowRoutes(deps));
  app.route('/', ticketRoutes(deps));
  app.route('/', reportRoutes(deps));
  app.route('/', auditRoutes(deps));
  mountFlows(app, deps, options.flows);
  app.notFound((c) => refusal(c, 404, wordsOf(c).notFound));
  app.onError((err, c) => {
    deps.log.error('console request failed', { path: new URL(c.req.url).pathname, error: String(err) });
    return page(c, '500', 'now', html`<p class="problem" role="alert">${wordsOf(c).failed}</p>`, 500);
  });
  const listener = getRequestListener(app.fetch);
  return {
    app,
    route: { path: BASE, prefix: true, handle: (req, res) => void listener(req, res) },
  };
}
