import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { firstAccount } from '../../bots/app/console.js';
import { main } from '../../bots/app/main.js';
import { requirePostgres } from '../adapters/record/support.js';
import { Browser, consoleFixture, TEST_COST } from './support.js';

const MIN = 60_000;

/**
 * The audit log (issue 15: "every change is in an audit log (who, what, when) that the console
 * shows"): each step an admin or a supervisor takes, from the console and from `npm run admin`,
 * read back from the Audit page.
 */
describe('the audit log', () => {
  if (!requirePostgres()) return;
  const fixture = consoleFixture();

  /** `npm run admin -- …` in this process, on the fixture's record, with nothing piped in; what it printed. */
  async function npmRunAdmin(...words: string[]): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true)),
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true)),
      vi.spyOn(process, 'stdin', 'get').mockReturnValue(Object.assign(Readable.from([]), { isTTY: false }) as never),
    ];
    try {
      const code = await main(['admin', ...words], { DATABASE_URL: fixture().databaseUrl });
      return { code, out: out.join('') };
    } finally {
      for (const s of spies) s.mockRestore();
    }
  }

  /** The Audit page's rows, newest first: who, what (its code, from the cell's title), on what. */
  async function auditPage(b: Browser): Promise<string[][]> {
    const page = await b.get('/console/audit');
    expect(page.status).toBe(200);
    const table = /<table data-list="audit">[^]*?<\/table>/.exec(page.text)?.[0] ?? '';
    return [...table.matchAll(/<tr>\s*<td>[^<]*<\/td>([^]*?)<\/tr>/g)].map((row) =>
      [...row[1]!.matchAll(/<td(?: title="([^"]*)")?>(?:<bdi>)?([^<]*)(?:<\/bdi>)?<\/td>/g)].map((m) => m[1] ?? m[2]!),
    );
  }

  it('has every step of an admin and a supervisor, from the console and the CLI, on the Audit page', async () => {
    const { record, clock, flows } = fixture();
    const step = () => (clock.now += MIN);
    // A first start makes `admin`; `npm run admin -- add` makes another admin.
    const oneTime = (await firstAccount(record, () => clock.now, TEST_COST)) ?? '';
    const added = await npmRunAdmin('add', 'cy', '--role', 'admin');
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/^Added cy \(admin\)\. One-time password: \w{16} /);
    // The CLI writes at the wall clock: the console's steps come after it.
    clock.now = Date.now() + MIN;

    const admin = new Browser(fixture);
    expect((await admin.signIn('admin', oneTime)).location).toBe('/console/account');
    step();
    expect((await admin.changePassword(oneTime, 'admin chose this 1')).text).toContain('密码已修改');
    step();
    const edit = { _csrf: admin.csrf, variant: '请问今天有什么可以帮您？' };
    await admin.post('/console/flows/texts/ask?file=zh-CN.yaml', edit);
    const published = await admin.post('/console/flows/publish', { _csrf: admin.csrf, message: 'warmer' });
    expect(published.location).toBe('/console/flows?published=v2');
    step();
    expect((await admin.post('/console/flows/rollback/1', { _csrf: admin.csrf })).status).toBe(303);
    expect(flows.published()?.id).toBe(1);

    step();
    await fixture().addAccount('dee', 'supervisor', 'dee password 1');
    const dee = new Browser(fixture);
    await dee.signIn('dee', 'dee password 1');
    step();
    expect((await dee.post('/console/signout', { _csrf: dee.csrf })).location).toBe('/console/signin');
    // A guesser: five refusals, then 429s, each in the log too.
    const guesser = new Browser(fixture);
    for (let i = 0; i < 6; i++) await guesser.signIn('dee', `guess ${i}`);

    const user = /^cli:.+/;
    const rows = await auditPage(admin);
    expect(rows.slice(0, 8)).toEqual([
      ['dee', 'console.sign-in-blocked', ''],
      ...Array.from({ length: 5 }, () => ['dee', 'console.sign-in-refused', '']),
      ['dee', 'console.sign-out', ''],
      ['dee', 'console.sign-in', ''],
    ]);
    expect(rows.slice(8)).toEqual([
      ['admin', 'flows.rollback', 'v1'],
      ['admin', 'flows.publish', 'v2'],
      ['admin', 'flows.draft.edit', 'zh-CN.yaml'],
      ['admin', 'account.password-changed', 'admin'],
      ['admin', 'console.sign-in', ''],
      [expect.stringMatching(user), 'account.add', 'cy'],
      ['first-start', 'account.add', 'admin'],
      ['seed', 'flows.publish', 'v1'],
    ]);
    // In the console's words, the code in the title (found by the issue-17 trial: codes on the Chinese page).
    const page = (await admin.get('/console/audit')).text;
    expect(page).toContain('<td title="flows.publish">发布流程</td>');
    expect(page).toContain('<td title="console.sign-in-refused">登录被拒绝</td>');
    // The log is filtered by who and by what.
    const refusals = (await admin.get('/console/audit?action=console.sign-in-refused')).text;
    expect(refusals.match(/<tr>\s*<td>/g)).toHaveLength(5);
  });
});
