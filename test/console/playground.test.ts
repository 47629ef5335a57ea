import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playgroundConsole } from '../../bots/app/console.js';
import { createPlayground } from '../../bots/app/playground.js';
import { parseConfig } from '../../bots/config.js';
import { createLogger } from '../../bots/log.js';
import { freshDatabase, requirePostgres } from '../adapters/record/support.js';
import { MONDAY_AFTERNOON } from '../support/playground.js';
import { Browser, TEST_COST } from './support.js';

/**
 * Issue 15's "done means", in this process: a new user runs `npm start` (the playground, with a
 * system of record), opens the printed console address, signs in with the printed one-time
 * password, changes it, changes the opening line in the form editor, sees it in the preview chat,
 * publishes, and the playground greets with it on /start. The playground and its console are
 * built as `playground()` builds them at a terminal (createPlayground, then playgroundConsole on
 * the runtime's parts), the console on a free port of 127.0.0.1 and reached over HTTP; the
 * registry's periodic check is not started, so the greeting proves the publish switched it.
 */
describe('npm start: the playground and its console', () => {
  if (!requirePostgres()) return;
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('greets on /start with the opening line an admin published from the printed console', async () => {
    const config = parseConfig({ DATABASE_URL: database.url });
    const out: string[] = [];
    const print = (line: string) => void out.push(...line.split('\n'));
    const log = createLogger('warn', () => {});
    let now = Date.parse(MONDAY_AFTERNOON);
    const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
    const { runtime, session } = await createPlayground({
      config,
      lang: undefined,
      flowsDir: undefined,
      clock,
      print,
      log,
    });
    const parts = { config, log, clock: clock.now, ...runtime, passwordCost: TEST_COST };
    const stopConsole = await playgroundConsole(parts, print, { port: 0 });
    try {
      const banner = out.join('\n');
      const url = /^Console: (http:\/\/127\.0\.0\.1:\d+\/console)$/m.exec(banner)?.[1] ?? '';
      const password = /sign in as "admin" with the one-time password (\S+) /.exec(banner)?.[1] ?? '';
      expect([url, password]).toEqual([expect.stringMatching(/:\d+\/console$/), expect.stringMatching(/^\w{16}$/)]);

      const b = new Browser(url);
      expect((await b.signIn('admin', password)).location).toBe('/console/account');
      expect((await b.changePassword(password, 'my own password 1')).text).toContain('密码已修改');

      const texts = await b.get('/console/flows/texts');
      expect(texts.text).toContain('您好，{company}欢迎您的光临！{ask}');
      const edit = { _csrf: b.csrf, variant: '欢迎光临{company}，很高兴为您服务！{ask}' };
      expect((await b.post('/console/flows/texts/opening?file=zh-CN.yaml', edit)).status).toBe(303);
      const preview = await b.json('/console/flows/preview/say', { start: true });
      const greeting = '欢迎光临本店，很高兴为您服务！请问有什么可以帮您？';
      expect(preview.body).toEqual({ ok: true, replies: [{ text: greeting, choices: [] }] });
      const published = await b.post('/console/flows/publish', { _csrf: b.csrf, message: '新的开头语' });
      expect(published.location).toBe('/console/flows?published=v2');

      out.length = 0;
      expect(await session.line('/start')).toBe(true);
      expect(out).toContain(`bot> ${greeting}`);
    } finally {
      await stopConsole();
      await session.settle();
      await runtime.close();
    }
  });
});
