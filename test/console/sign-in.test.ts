import { describe, expect, it } from 'vitest';
import { createHttpServer } from '../../bots/app/http.js';
import { memoryLogger } from '../../bots/log.js';
import { requirePostgres } from '../adapters/record/support.js';
import { Browser, consoleFixture, ORIGIN } from './support.js';

describe('the console: signing in', () => {
  if (!requirePostgres()) return;
  const fixture = consoleFixture();
  const browser = () => new Browser(fixture);

  it('signs in, shows the pages with their security headers, and signs out', async () => {
    await fixture().addAccount('mia', 'admin', 'correct horse 1');
    const b = browser();
    expect((await b.get('/console/now')).location).toBe('/console/signin?next=%2Fconsole%2Fnow');
    const signIn = await b.get('/console/signin');
    expect(signIn.text).toContain('账户名');
    const done = await b.signIn('mia', 'correct horse 1');
    expect([done.status, done.location]).toEqual([303, '/console/now']);
    const res = await b.request('/console/now');
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('排队等待人工');
    expect(text).toContain('href="/console/flows"');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    // The language switch, kept in a cookie.
    const switched = await b.request('/console/lang/en?back=%2Fconsole%2Fnow');
    expect(switched.headers.get('location')).toBe('/console/now');
    expect((await b.get('/console/now')).text).toContain('Waiting for an agent');
    b.csrf = '';
    await b.get('/console/now');
    expect((await b.post('/console/signout', { _csrf: b.csrf })).location).toBe('/console/signin');
    expect((await b.get('/console/now')).status).toBe(303);
  });

  it('refuses a wrong password and an unknown account in the same words, then 429 with Retry-After', async () => {
    await fixture().addAccount('noor', 'supervisor', 'noor password 1');
    const b = browser();
    const wrong = await b.signIn('noor', 'not it');
    const unknown = await b.signIn('nobody-here', 'not it');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const refusal = (html: string) => /<p class="problem" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
    expect(refusal(wrong.text)).toBe('账户名或密码不正确。');
    expect(refusal(unknown.text)).toBe(refusal(wrong.text));
    for (let i = 0; i < 3; i++) expect((await b.signIn('noor', 'still not it')).status).toBe(401);
    const blocked = await b.signIn('noor', 'still not it');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password waits now.
    expect((await b.signIn('noor', 'noor password 1')).status).toBe(429);
  });

  it('refuses a POST without the CSRF token or from another origin (403)', async () => {
    await fixture().addAccount('omar', 'admin', 'omar password 1');
    const b = browser();
    await b.signIn('omar', 'omar password 1');
    await b.get('/console/account');
    expect((await b.post('/console/signout', {})).status).toBe(403);
    expect((await b.post('/console/signout', { _csrf: 'forged' })).status).toBe(403);
    const other = await b.post('/console/signout', { _csrf: b.csrf }, { origin: 'https://evil.example' });
    expect(other.status).toBe(403);
    expect(
      (await b.post('/console/signin', { name: 'omar', password: 'x' }, { origin: 'https://evil.example' })).status,
    ).toBe(403);
    // The header htmx sends does as well as the field.
    expect((await b.post('/console/signout', {}, { 'x-csrf-token': b.csrf })).status).toBe(303);
  });

  it('says a refused form expired or came from another site, not that the role may not (found by the new-user trial)', async () => {
    await fixture().addAccount('ravi', 'supervisor', 'ravi password 1');
    const b = browser();
    await b.signIn('ravi', 'ravi password 1');
    const said = (page: string) => [
      /<h1>([^<]*)<\/h1>/.exec(page)?.[1],
      /<p class="problem"[^>]*>([^<]*)<\/p>/.exec(page)?.[1],
    ];
    const zh = ['表单已失效', '表单已过期，或来自其他网站：请刷新页面后重试。'];
    expect(said((await b.post('/console/account', { _csrf: 'old' })).text)).toEqual(zh);
    expect(
      said((await b.post('/console/signout', { _csrf: b.csrf }, { origin: 'https://evil.example' })).text),
    ).toEqual(zh);
    expect(
      said((await browser().post('/console/signin', { name: 'ravi' }, { origin: 'https://evil.example' })).text),
    ).toEqual(zh);
    // A form posted after its session ended (signed out, timed out) is an expired form too.
    expect(said((await browser().post('/console/account', { _csrf: b.csrf })).text)).toEqual(zh);
    expect((await b.post('/console/account', {})).text).not.toContain('角色');
    await b.request('/console/lang/en');
    expect(said((await b.post('/console/account', { _csrf: 'old' })).text)).toEqual([
      'Form expired',
      'The form has expired or came from another site: reload the page and try again.',
    ]);
  });

  it('reads no request body beyond its limit: 413 for a huge sign-in form (found by the issue-15 trial)', async () => {
    const huge = await browser().post('/console/signin', { name: 'omar', password: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
  });

  it('asks for a new password after a one-time one, before anything else', async () => {
    await fixture().addAccount('pia', 'supervisor', 'one-time-pass-1', true);
    const b = browser();
    expect((await b.signIn('pia', 'one-time-pass-1')).location).toBe('/console/account');
    expect((await b.get('/console/tickets')).location).toBe('/console/account');
    const form = await b.get('/console/account');
    expect(form.text).toContain('这是一次性密码');
    const short = await b.changePassword('one-time-pass-1', 'short');
    expect(short.text).toContain('新密码至少 10 个字符');
    // Ten spaces, or one character ten times, are no password (found by the third issue-17 trial).
    for (const weak of [' '.repeat(10), 'a'.repeat(12)])
      expect((await b.changePassword('one-time-pass-1', weak)).text).toContain('新密码不能全是空格或同一个字符');
    expect((await b.changePassword('one-time-pass-1', 'Ab1'.repeat(70))).text).toContain('新密码最多 200 个字符');
    const changed = await b.changePassword('one-time-pass-1', 'pia chose this 1');
    expect(changed.text).toContain('密码已修改');
    expect((await b.get('/console/tickets')).status).toBe(200);
    expect((await browser().signIn('pia', 'one-time-pass-1')).status).toBe(401);
    expect((await browser().signIn('pia', 'pia chose this 1')).location).toBe('/console/now');
  });

  it('ends a session after 30 minutes unused, and after 12 hours however used', async () => {
    await fixture().addAccount('quinn', 'supervisor', 'quinn password 1');
    const clock = fixture().clock;
    const b = browser();
    await b.signIn('quinn', 'quinn password 1');
    clock.now += 29 * 60_000;
    expect((await b.get('/console/now')).status).toBe(200);
    clock.now += 31 * 60_000;
    expect((await b.get('/console/now')).location).toMatch(/^\/console\/signin/);
    await b.signIn('quinn', 'quinn password 1');
    for (let i = 0; i < 35; i++) {
      clock.now += 20 * 60_000;
      expect((await b.get('/console/now')).status).toBe(200);
    }
    clock.now += 20 * 60_000;
    expect((await b.get('/console/now')).location).toMatch(/^\/console\/signin/);
  });

  it('is served on the app server under /console, beside /healthz', async () => {
    const http = createHttpServer({ routes: [fixture().console.route], log: memoryLogger() });
    const port = await http.listen(0, '127.0.0.1');
    try {
      const page = await fetch(`http://127.0.0.1:${port}/console/signin`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await page.text()).toContain('<form method="post" action="/console/signin"');
      const htmx = await fetch(`http://127.0.0.1:${port}/console/assets/htmx.min.js`);
      expect([htmx.status, htmx.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await http.close();
    }
    expect(ORIGIN).toBe('http://localhost');
  });
});
