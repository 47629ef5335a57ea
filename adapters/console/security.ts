import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import type { Account } from '../../bots/accounts-port.js';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { BASE, page, wordsOf } from './layout.js';
import { html } from 'hono/html';

/**
 * The console's defences, in one place (README: "The console", security):
 *
 * - Headers on every response: a CSP with `default-src 'self'` and no inline script or style,
 *   `frame-ancestors 'none'` and X-Frame-Options DENY, Referrer-Policy same-origin (forms still
 *   carry Origin), nosniff, Cross-Origin-Opener/Resource-Policy same-origin (Hono's secureHeaders).
 * - Sessions: a random 32-byte token in an HttpOnly, SameSite=Strict cookie limited to /console
 *   (Secure and `__Secure-` named when PUBLIC_URL is https), stored as its sha256 only. A session
 *   ends after 30 minutes unused or 12 hours after sign-in, whichever is first (OWASP Session
 *   Management: idle 15–30 min, absolute 4–8 h for sensitive apps; 12 h covers one long shift).
 * - Every POST: its Origin (or, without one, its Referer) must be this console's origin
 *   (PUBLIC_URL's, else the request's own), and, once signed in, it must carry the session's CSRF
 *   token (`_csrf` field or X-CSRF-Token header). Refusals are 403.
 */

export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = 12 * 3_600_000;
/** A session's use is written at most this often (each page view need not be a write). */
const TOUCH_EVERY_MS = 60_000;

export const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Headers for every response; a handler may set its own first (the report's frame does). */
export function headers(deps: ConsoleDeps): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: CSP,
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    strictTransportSecurity: deps.config.publicUrl?.startsWith('https:') ? 'max-age=15552000' : false,
    overwrite: false,
  });
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function secure(deps: ConsoleDeps): boolean {
  return deps.config.publicUrl?.startsWith('https:') ?? false;
}

export function cookieName(deps: ConsoleDeps): string {
  return secure(deps) ? '__Secure-console_session' : 'console_session';
}

/** Starts a session for `account` and sets its cookie. */
export async function startSession(c: Context<ConsoleEnv>, deps: ConsoleDeps, account: Account): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const now = deps.clock();
  await deps.accounts.sessions.create({
    tokenHash: sha256(token),
    account: account.name,
    csrf: randomBytes(24).toString('base64url'),
    createdAt: now,
    lastSeen: now,
    expiresAt: Math.min(now + IDLE_MS, now + ABSOLUTE_MS),
  });
  setCookie(c, cookieName(deps), token, {
    path: BASE,
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(deps),
    maxAge: ABSOLUTE_MS / 1000,
  });
}

/** Ends this browser's session (sign-out). */
export async function endSession(c: Context<ConsoleEnv>, deps: ConsoleDeps): Promise<void> {
  const token = getCookie(c, cookieName(deps));
  if (token) await deps.accounts.sessions.delete(sha256(token));
  deleteCookie(c, cookieName(deps), { path: BASE, secure: secure(deps) });
}

/** The origin forms must come from: PUBLIC_URL's, else the one the request was made to. */
function expectedOrigin(c: Context, deps: ConsoleDeps): string {
  if (deps.config.publicUrl) return new URL(deps.config.publicUrl).origin;
  const url = new URL(c.req.url);
  const host = c.req.header('host') ?? url.host;
  return `${url.protocol}//${host}`;
}

/** Whether a POST comes from the console's own pages (Origin, else Referer). */
export function sameOrigin(c: Context, deps: ConsoleDeps): boolean {
  const origin = c.req.header('origin') ?? refererOrigin(c.req.header('referer'));
  return origin !== undefined && origin === expectedOrigin(c, deps);
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The refusal of a POST whose Origin or CSRF token is not this console's (a page from before the
 * session, another site), in the layout: it says so, not that the role may not (a role's refusal
 * is requireAdmin's).
 */
export function csrfRefusal(c: Context<ConsoleEnv>) {
  const w = wordsOf(c).csrf;
  return page(c, w.title, 'now', html`<p class="problem" role="alert">${w.message}</p>`, 403);
}

/**
 * Signed-in pages: finds the session (else to sign-in, remembering where the browser was going),
 * refreshes its idle expiry, checks POSTs (Origin and CSRF token), and while the account has a
 * one-time password lets it only change it or sign out.
 */
export function requireSession(deps: ConsoleDeps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const now = deps.clock();
    const token = getCookie(c, cookieName(deps));
    const session = token ? await deps.accounts.sessions.get(sha256(token), now) : undefined;
    const account = session ? await deps.accounts.get(session.account) : undefined;
    if (!session || !account || account.disabled) {
      if (c.req.method !== 'GET') return csrfRefusal(c);
      const next = new URL(c.req.url);
      const target = `${BASE}/signin?next=${encodeURIComponent(next.pathname + next.search)}`;
      if (c.req.header('hx-request')) return c.body(null, 200, { 'HX-Redirect': target });
      return c.redirect(target, 303);
    }
    if (now - session.lastSeen >= TOUCH_EVERY_MS) {
      const expiresAt = Math.min(now + IDLE_MS, session.createdAt + ABSOLUTE_MS);
      await deps.accounts.sessions.touch(session.tokenHash, now, expiresAt);
    }
    const { passwordHash: _hash, ...visible } = account;
    c.set('account', visible);
    c.set('session', session);
    c.set('csrf', session.csrf);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const form = (c.req.header('content-type') ?? '').includes('form') ? await c.req.parseBody() : {};
      const sent = c.req.header('x-csrf-token') ?? (typeof form._csrf === 'string' ? form._csrf : '');
      if (!sameOrigin(c, deps) || !tokensEqual(sent, session.csrf)) return csrfRefusal(c);
    }
    const path = new URL(c.req.url).pathname;
    if (account.mustChange && path !== `${BASE}/account` && path !== `${BASE}/signout`)
      return c.redirect(`${BASE}/account`, 303);
    await next();
  };
}

/** Admin-only pages (the flows): 403 in the layout for a supervisor. */
export function requireAdmin(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (c.get('account')?.role !== 'admin') {
      const w = wordsOf(c);
      return page(c, w.forbidden, 'flows', html`<p class="problem" role="alert">${w.forbidden}</p>`, 403);
    }
    await next();
  };
}

/** The client's address as the socket gives it (a proxy's X-Forwarded-For is not trusted), or 'unknown'. */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
