import { describe, expect, it, vi } from 'vitest';
import { accountKey, openAttempts } from '../../adapters/console/attempts.js';
import { admin } from '../../bots/app/admin.js';
import { consoleBanner, firstAccount } from '../../bots/app/console.js';
import { parseConfig } from '../../bots/config.js';
import { verifyPassword } from '../../bots/passwords.js';
import { requirePostgres, serverRecord } from '../adapters/record/support.js';
import { redisUrl, testPrefix } from '../support/redis.js';
import { TEST_COST } from './support.js';

describe('npm run admin, and the first account', () => {
  if (!requirePostgres()) return;
  const server = serverRecord();

  /** Runs the command as typed, with what was piped in; its exit code and what it printed. */
  async function run(words: string[], role?: string, piped?: string) {
    const out: string[] = [];
    const spies = [process.stdout, process.stderr].map((s) =>
      vi.spyOn(s, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true)),
    );
    try {
      const config = parseConfig({ DATABASE_URL: server.url });
      const code = await admin(
        config,
        { action: words[0], name: words[1], role },
        {
          readPassword: async () => piped,
          passwordCost: TEST_COST,
        },
      );
      return { code, out: out.join('') };
    } finally {
      for (const s of spies) s.mockRestore();
    }
  }

  it('makes admin with a one-time password on a first start, once', async () => {
    const password = await firstAccount(server.record, () => 1_000);
    expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
    const stored = await server.record.accounts.get('admin');
    expect(stored).toMatchObject({ role: 'admin', mustChange: true });
    // At the production cost (OWASP's minimum for scrypt); the other tests hash cheaply.
    expect(stored!.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword(password!, stored!.passwordHash)).toBe(true);
    expect(await firstAccount(server.record, () => 2_000)).toBeUndefined();
    expect(consoleBanner('http://127.0.0.1:8080/console', password)).toContain(password!);
  });

  it('adds, lists, resets and removes accounts', async () => {
    const added = await run(['add', 'sam'], 'supervisor');
    expect(added.code).toBe(0);
    const oneTime = /One-time password: (\S+)/.exec(added.out)?.[1] ?? '';
    expect(await verifyPassword(oneTime, (await server.record.accounts.get('sam'))!.passwordHash)).toBe(true);
    expect((await run(['add', 'sam'], 'admin')).out).toContain('already an account "sam"');
    expect((await run(['add', 'tess'], 'admin', 'tess picked this')).out).toContain('with the password piped in');
    expect(await server.record.accounts.get('tess')).toMatchObject({ role: 'admin', mustChange: false });
    expect((await run(['add', 'uma'], 'admin', 'short')).out).toContain('must be at least 10 characters');
    expect((await run(['add', 'uma'], 'admin', ' '.repeat(10))).out).toContain('must not be only spaces');
    expect(await run(['add', 'bad name'], 'admin')).toEqual({
      code: { problem: 'The account name must be 1–40 letters, digits, . _ or - (no spaces)' },
      out: '',
    });
    expect(await run(['add', 'vic'], 'boss')).toEqual({
      code: { problem: '--role must be admin or supervisor' },
      out: '',
    });
    expect((await run(['list'])).out).toMatch(/sam {2}supervisor .* one-time password\ntess {2}admin/);
    expect((await run(['passwd', 'tess'])).out).toContain('New one-time password for tess');
    expect((await server.record.accounts.get('tess'))?.mustChange).toBe(true);
    expect((await run(['remove', 'sam'])).code).toBe(0);
    expect(await run(['remove', 'sam'])).toEqual({ code: 1, out: 'No account "sam".\n' });
  });

  it('lifts the sign-in limit with a new password (found by the issue-15 trial: a guesser kept an account locked)', async () => {
    if (!redisUrl) return;
    const prefix = testPrefix('admin');
    const { attempts, close } = await openAttempts({ url: redisUrl }, prefix);
    try {
      await run(['add', 'mei'], 'admin');
      for (let i = 0; i < 6; i++) await attempts.fail(accountKey('Mei'), 900_000, Date.now());
      expect((await attempts.read(accountKey('mei'), Date.now())).failures).toBe(6);
      const config = parseConfig({ DATABASE_URL: server.url, REDIS_URL: redisUrl, REDIS_PREFIX: prefix });
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const code = await admin(
        config,
        { action: 'passwd', name: 'mei', role: undefined },
        { readPassword: async () => undefined, passwordCost: TEST_COST },
      );
      vi.restoreAllMocks();
      expect(code).toBe(0);
      expect((await attempts.read(accountKey('mei'), Date.now())).failures).toBe(0);
    } finally {
      await close();
    }
  });
});
