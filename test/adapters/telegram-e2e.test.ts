import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_INFO, TOKEN, updates } from '../support/telegram.js';
import { PROGRAM } from '../support/program.js';
import { pgliteFolder } from '../support/pglite-folder.js';

/**
 * The product as deployed: `npm start` with TELEGRAM_BOT_TOKEN, talking to a local HTTP server
 * that stands in for the Bot API through TELEGRAM_API_ROOT (as a self-hosted Bot API would).
 */
const root = join(import.meta.dirname, '..', '..');

interface FakeTelegram {
  url: string;
  calls: Array<{ method: string; body: Record<string, any> }>;
  queue: unknown[];
  /** While true, sendMessage is never answered (a Bot API that stopped answering). */
  holdSends: boolean;
  /** While true, getMe answers 401 Unauthorized (a revoked or mistyped token). */
  refuseToken: boolean;
  close(): Promise<void>;
}

async function fakeTelegram(): Promise<FakeTelegram> {
  const calls: FakeTelegram['calls'] = [];
  const queue: unknown[] = [];
  let messageId = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').split('/').pop() ?? '';
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text ? JSON.parse(text) : {}) as Record<string, any>;
      calls.push({ method, body });
      const ok = (result: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, result }));
      };
      if (method === 'getMe' && fake.refuseToken) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
      }
      if (method === 'getMe') return ok(BOT_INFO);
      if (method === 'sendMessage' && fake.holdSends) return;
      if (method === 'sendMessage')
        return ok({ message_id: ++messageId, date: 0, chat: { id: body.chat_id, type: 'private' }, text: body.text });
      if (method === 'getUpdates') {
        const batch = queue.splice(0);
        return setTimeout(() => ok(batch), batch.length ? 0 : 100);
      }
      return ok(true);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const fake: FakeTelegram = {
    url: `http://127.0.0.1:${port}`,
    calls,
    queue,
    holdSends: false,
    refuseToken: false,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return fake;
}

/**
 * Starts the bot as `node dist/main.js` (what npm start runs), or with `npm start` (then in a process
 * group of its own, as a terminal or a container runtime runs it).
 */
function start(
  env: Record<string, string>,
  how: 'node' | 'npm' = 'node',
): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  const [command, args] = how === 'npm' ? ['npm', ['start']] : [process.execPath, [...PROGRAM]];
  const child = spawn(command, args, {
    cwd: root,
    detached: how === 'npm',
    // The product as deployed, its system of record included (unless RECORD_STORE=off): PGlite in a folder of its own (DATA_DIR, from the test).
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.resume();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stderr: () => err, exited };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Waits (bounded) for something the running process does on its own schedule. Generous: starting
 * (PGlite's migrations) takes over 15 s on a busy 2-core machine; a pass costs only the real time.
 */
async function until(condition: () => boolean, what: string, ms = 40_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('npm start with TELEGRAM_BOT_TOKEN', () => {
  it('long-polls, answers a customer, and on SIGTERM to `npm start` stops within its bound, handing back a stuck reply', async () => {
    const tg = await fakeTelegram();
    cleanup.push(() => tg.close());
    tg.queue.push(updates.text(4242, '/start'));
    // The console listens on PORT even without a webhook: a free one, so a busy 8080 cannot fail this test.
    const port = await freePort();
    const env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: tg.url, PORT: String(port) };
    // 2.5 s from the signal to the end: 1.5 s of it for the turns, while the port still answers.
    // No record (RECORD_STORE=off): a process starting PGlite spends 2.6 s of CPU on it, and the next
    // test stops one with its record open.
    const bot = start({ ...env, SHUTDOWN_TIMEOUT_MS: '2500', RECORD_STORE: 'off' }, 'npm');
    const group = bot.child.pid ?? 0;
    cleanup.push(async () => {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await bot.exited;
    });
    await until(() => tg.calls.some((c) => c.method === 'sendMessage'), 'the greeting');
    // The real process reads the real clock: before noon in Shanghai the greeting starts with
    // 早上好, on a holiday it is the holiday's. Every greeting ends by asking.
    expect(tg.calls.find((c) => c.method === 'sendMessage')?.body).toEqual({
      chat_id: 4242,
      text: expect.stringMatching(/请问有什么可以帮您\uff1f$/),
      link_preview_options: { is_disabled: true },
    });
    expect(bot.stderr()).toContain('REDIS_URL is not set');

    // Telegram stops answering: the next reply is a turn in flight that cannot finish.
    tg.holdSends = true;
    tg.queue.push(updates.text(4242, '发票怎么开'));
    await until(() => tg.calls.filter((c) => c.method === 'sendMessage').length === 2, 'the second reply');
    // As a container runtime stops npm (its PID 1): npm passes SIGTERM on to the bot.
    process.kill(group, 'SIGTERM');
    await until(() => bot.stderr().includes('"msg":"shutting down'), 'the bot shutting down');
    const botPid = Number(/"pid":(\d+)/.exec(bot.stderr())?.[1]);
    expect(botPid).not.toBe(group);
    // While the stuck turn is waited for, a load balancer still reaches the port and is told to go elsewhere.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'stopping']);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    // As a terminal's Ctrl-C or a process manager signals the whole group: the bot gets it again (npm passes it on too).
    process.kill(-group, 'SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.stderr()).toContain('already stopping');
    const abandoned = bot
      .stderr()
      .split('\n')
      .find((line) => line.includes('"msg":"the turns in flight did not finish within the bound'));
    expect(abandoned).toContain('"handedBack":1');
    expect(bot.stderr()).toContain('"msg":"stopped"');
    // The bot is gone with npm, not left running orphaned.
    expect(() => process.kill(botPid, 0)).toThrow();
  }, 60_000);

  it('registers its webhook, refuses a forged request, and answers a real one', async () => {
    const tg = await fakeTelegram();
    cleanup.push(() => tg.close());
    const port = await freePort();
    const secret = 'e2e-secret-0123456789abcdef';
    const bot = start({
      DATA_DIR: await pgliteFolder(),
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: tg.url,
      PUBLIC_URL: 'https://bot.example.com',
      TELEGRAM_WEBHOOK_SECRET: secret,
      PORT: String(port),
    });
    cleanup.push(async () => {
      bot.child.kill('SIGKILL');
      await bot.exited;
    });
    await until(() => tg.calls.some((c) => c.method === 'setWebhook'), 'setWebhook');
    expect(tg.calls.find((c) => c.method === 'setWebhook')?.body).toMatchObject({
      url: 'https://bot.example.com/telegram/webhook',
      secret_token: secret,
    });
    // It knows its own username (getMe) before taking updates, as polling does.
    expect(tg.calls.findIndex((c) => c.method === 'getMe')).toBeLessThan(
      tg.calls.findIndex((c) => c.method === 'setWebhook'),
    );
    expect(tg.calls.some((c) => c.method === 'getMe')).toBe(true);
    const post = (s: string) =>
      fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': s },
        body: JSON.stringify(updates.text(5151, '你好')),
      });
    // The app's one server also answers health checks (load balancers), and says what it serves.
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('ok');
    const listening = bot
      .stderr()
      .split('\n')
      .find((line) => line.includes('"msg":"listening"'));
    expect(JSON.parse(listening ?? '{}').routes).toEqual([
      '/telegram/webhook',
      '/console',
      '/metrics',
      '/readyz',
      '/healthz',
    ]);
    expect((await post('forged-secret-000000000000')).status).toBe(401);
    expect((await post(secret)).status).toBe(200);
    await until(() => tg.calls.some((c) => c.method === 'sendMessage'), 'the reply');
    expect(tg.calls.filter((c) => c.method === 'sendMessage').map((c) => c.body.chat_id)).toEqual([5151]);
    // The operator's view on the same port: ready (its record, PGlite, answers) and counting.
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', checks: { record: 'ok' } }]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('\nservicedesk_turns_total 1\n');
    expect(metrics).toContain('servicedesk_inbound_events_total{channel="telegram",type="text",result="accepted"} 1');
    expect(metrics).toMatch(/\nservicedesk_process_resident_memory_bytes \d+/);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 60_000);

  it('stops with why, exit 1, when its record cannot be opened, though it opens while customers are answered', async () => {
    const tg = await fakeTelegram();
    cleanup.push(() => tg.close());
    // A PGlite folder it cannot start on (a data folder of another PostgreSQL version).
    const dataDir = mkdtempSync(join(tmpdir(), 'record-broken-'));
    writeFileSync(join(dataDir, 'PG_VERSION'), '99\n');
    const port = await freePort();
    const bot = start({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: tg.url, PORT: String(port), DATA_DIR: dataDir });
    cleanup.push(async () => {
      bot.child.kill('SIGKILL');
      await bot.exited;
    });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr()).toContain(`The system of record (PGlite in ${dataDir} (DATA_DIR)) could not be opened`);
    expect(bot.stderr()).not.toMatch(/Unexpected error|\n\s+at /);
    // Its folder is free again for the next start.
    expect(existsSync(join(dataDir, 'bot.lock'))).toBe(false);
  }, 60_000);

  it('stops with one JSON error line naming TELEGRAM_BOT_TOKEN, exit 1, no stack, when Telegram refuses the token', async () => {
    const tg = await fakeTelegram();
    cleanup.push(() => tg.close());
    tg.refuseToken = true;
    const port = await freePort();
    const bot = start({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: tg.url,
      PORT: String(port),
      RECORD_STORE: 'off',
    });
    cleanup.push(async () => {
      bot.child.kill('SIGKILL');
      await bot.exited;
    });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr()).not.toMatch(/Unexpected error|GrammyError|\n\s+at /);
    // Every line is the log's (JSON), and one of them, the only error, says what to fix.
    const lines = bot
      .stderr()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      'Telegram refused TELEGRAM_BOT_TOKEN (getMe: 401 Unauthorized): check the token with @BotFather (/mybots, API Token) and start again.',
    ]);
    expect(tg.calls.map((c) => c.method)).toEqual(['getMe']);
  }, 60_000);
});
