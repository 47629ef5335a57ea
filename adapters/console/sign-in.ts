import { accountKey } from './attempts.js';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import {
  DEFAULT_COST,
  dummyHash,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  passwordWeakness,
  verifyPassword,
} from '../../bots/passwords.js';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { BASE, csrfField, page, wordsOf } from './layout.js';
import { clientAddress, endSession, requireSession, sameOrigin, csrfRefusal, startSession } from './security.js';

/**
 * Signing in and out, the language switch, and the account page (password change). Sign-in is
 * rate-limited per account name (5 failures in 15 minutes) and per address (20): past either, 429
 * with Retry-After, even for the right password. Unknown account and wrong password get the same
 * words and take the same time (a password is checked against a dummy hash). Every attempt is in
 * the audit log: `console.sign-in`, `console.sign-in-refused`, `console.sign-in-blocked` (429).
 */

export const NAME_LIMIT = 5;
export const ADDRESS_LIMIT = 20;
export const WINDOW_MS = 15 * 60_000;

/** Where to go after signing in: a console path only (never another site). */
function nextPath(value: string | undefined): string {
  return value && value.startsWith(`${BASE}/`) && !value.startsWith('//') && !value.includes('\\')
    ? value
    : `${BASE}/now`;
}

function signInForm(c: Context<ConsoleEnv>, problem?: string, name = '') {
  const w = wordsOf(c);
  const next = c.req.query('next') ?? '';
  return html`${problem ? html`<p class="problem" role="alert">${problem}</p>` : ''}
    <form method="post" action="${BASE}/signin" class="narrow">
      <input type="hidden" name="next" value="${next}" />
      <label>${w.signIn.name} <input name="name" autocomplete="username" required value="${name}" /></label>
      <label
        >${w.signIn.password} <input name="password" type="password" autocomplete="current-password" required
      /></label>
      <button type="submit">${w.signIn.submit}</button>
    </form>`;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Sign-in: limits first, then the password (or the dummy hash), then a session. */
async function signIn(c: Context<ConsoleEnv>, deps: ConsoleDeps, dummy: string) {
  const w = wordsOf(c);
  if (!sameOrigin(c, deps)) return csrfRefusal(c);
  const form = await c.req.parseBody();
  const name = str(form.name).trim().slice(0, 100);
  const keys = [accountKey(name), `ip:${clientAddress(c)}`] as const;
  const now = deps.clock();
  const tooMany = async () => {
    const [byName, byAddress] = await Promise.all(keys.map((k) => deps.attempts.read(k, now)));
    const over = [
      byName!.failures >= NAME_LIMIT ? byName!.retryAfterMs : 0,
      byAddress!.failures >= ADDRESS_LIMIT ? byAddress!.retryAfterMs : 0,
    ];
    return Math.max(...over);
  };
  const refuse = (waitMs: number) => {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    c.header('Retry-After', String(seconds));
    return page(c, w.signIn.title, 'signin', signInForm(c, w.signIn.tooMany(Math.ceil(seconds / 60)), name), 429);
  };
  const blocked = await tooMany();
  if (blocked > 0) {
    // Refused unread: a failed sign-in all the same, and the one a guesser sees most.
    await deps.audit?.append({ at: now, actor: name || '-', action: 'console.sign-in-blocked' });
    return refuse(blocked);
  }
  const account = name ? await deps.accounts.get(name) : undefined;
  const password = str(form.password);
  const ok = account && !account.disabled && (await verifyPassword(password, account.passwordHash));
  if (!account) await verifyPassword(password, dummy);
  if (!ok) {
    await Promise.all([deps.attempts.fail(keys[0], WINDOW_MS, now), deps.attempts.fail(keys[1], WINDOW_MS, now)]);
    await deps.audit?.append({ at: now, actor: name || '-', action: 'console.sign-in-refused' });
    const after = await tooMany();
    if (after > 0) return refuse(after);
    return page(c, w.signIn.title, 'signin', signInForm(c, w.signIn.refused, name), 401);
  }
  await deps.attempts.clear(keys[0]);
  await startSession(c, deps, account);
  await deps.audit?.append({ at: now, actor: account.name, action: 'console.sign-in' });
  return c.redirect(account.mustChange ? `${BASE}/account` : nextPath(str(form.next)), 303);
}

function passwordForm(c: Context<ConsoleEnv>, message?: { problem?: string; done?: string }) {
  const w = wordsOf(c);
  const account = c.get('account');
  return html`${account.mustChange ? html`<p class="notice">${w.account.mustChange}</p>` : ''}
    ${message?.problem ? html`<p class="problem" role="alert">${message.problem}</p>` : ''}
    ${message?.done ? html`<p class="notice" role="status">${message.done}</p>` : ''}
    <form method="post" action="${BASE}/account" class="narrow">
      ${csrfField(c)}
      <label
        >${w.account.current} <input name="current" type="password" autocomplete="current-password" required
      /></label>
      <label
        >${w.account.next}
        <input name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required
      /></label>
      <label>${w.account.repeat} <input name="repeat" type="password" autocomplete="new-password" required /></label>
      <button type="submit">${w.account.submit}</button>
    </form>`;
}

/** Changes the password: checks the current one, signs the account out everywhere else. */
async function changePassword(c: Context<ConsoleEnv>, deps: ConsoleDeps) {
  const w = wordsOf(c);
  const account = c.get('account');
  const form = await c.req.parseBody();
  const [current, next, repeat] = [str(form.current), str(form.password), str(form.repeat)];
  const stored = await deps.accounts.get(account.name);
  const weakness = passwordWeakness(next);
  const problem = !(stored && (await verifyPassword(current, stored.passwordHash)))
    ? w.account.wrongCurrent
    : next !== repeat
      ? w.account.mismatch
      : weakness
        ? {
            'too-short': w.account.tooShort(MIN_PASSWORD_LENGTH),
            'too-long': w.account.tooLong(MAX_PASSWORD_LENGTH),
            'too-simple': w.account.tooSimple,
          }[weakness]
        : next === current
          ? w.account.same
          : undefined;
  if (problem) return page(c, w.account.title, 'account', passwordForm(c, { problem }), 400);
  await deps.accounts.setPassword(account.name, await hashPassword(next, deps.passwordCost ?? DEFAULT_COST), false);
  await deps.accounts.sessions.deleteFor(account.name, c.get('session').tokenHash);
  await deps.audit?.append({
    at: deps.clock(),
    actor: account.name,
    action: 'account.password-changed',
    target: account.name,
  });
  c.set('account', { ...account, mustChange: false });
  return page(c, w.account.title, 'account', passwordForm(c, { done: w.account.changed }));
}

/** The routes of signing in and out, the language switch and the account page. */
export function signInRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  // Unknown accounts cost the same scrypt as known ones; made without deriving anything at start-up.
  const dummy = dummyHash(deps.passwordCost ?? DEFAULT_COST);
  app.get('/signin', (c) => page(c, wordsOf(c).signIn.title, 'signin', signInForm(c)));
  app.post('/signin', (c) => signIn(c, deps, dummy));
  app.get('/lang/:lang', (c) => {
    const lang = c.req.param('lang') === 'en' ? 'en' : 'zh-CN';
    setCookie(c, 'console_lang', lang, { path: BASE, sameSite: 'Strict', maxAge: 365 * 86_400 });
    return c.redirect(nextPath(c.req.query('back')), 303);
  });
  app.use('/signout', requireSession(deps));
  app.post('/signout', async (c) => {
    await endSession(c, deps);
    await deps.audit?.append({ at: deps.clock(), actor: c.get('account').name, action: 'console.sign-out' });
    return c.redirect(`${BASE}/signin`, 303);
  });
  app.use('/account', requireSession(deps));
  app.get('/account', (c) => page(c, wordsOf(c).account.title, 'account', passwordForm(c)));
  app.post('/account', (c) => changePassword(c, deps));
  return app;
}
