import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import { createTelegram, type TelegramMode } from '../../adapters/telegram/index.js';
import { Engine } from '../../bots/engine.js';
import { SetupError } from '../../bots/errors.js';
import { memoryLogger } from '../../bots/log.js';
import { defaultFlow } from '../support/flows.js';
import { TestClock } from '../support/harness.js';
import { BOT_INFO, serverError, TOKEN, tooManyRequests } from '../support/telegram.js';

/**
 * Starting the Telegram channel against a Bot API that fails: what passes (429 after its
 * retry_after, 5xx and the network with backoff) is asked again for up to a minute, each failure
 * a warning; a refused token ends the start at once with a SetupError naming TELEGRAM_BOT_TOKEN.
 * The pauses are the test's: its clock moves by each one, and nothing waits in real time.
 */
const ROOT = 'https://api.telegram.org';
const WEBHOOK: TelegramMode = {
  kind: 'webhook',
  publicUrl: 'https://bot.example.com',
  secret: 'test-secret-0123456789',
};
const path = (method: string) => `/bot${TOKEN}/${method}`;
const ok = (result: unknown): [number, Record<string, unknown>] => [200, { ok: true, result }];
const refused = (code: number, description: string): [number, Record<string, unknown>] => [
  code,
  { ok: false, error_code: code, description },
];

function setup(mode: TelegramMode = WEBHOOK) {
  const log = memoryLogger();
  const clock = new TestClock();
  const started = clock.now();
  const waits: number[] = [];
  const telegram = createTelegram(
    {
      token: TOKEN,
      apiRoot: ROOT,
      mode,
      allowGroups: false,
      throttle: false,
      startWait: async (ms) => {
        waits.push(ms);
        clock.advance(ms);
      },
    },
    { log, clock: clock.now },
  );
  const store = new MemoryStore(clock.now);
  const flow = defaultFlow();
  const engine = new Engine({ store, flow: () => flow, channels: new Map(), clock: clock.now, log });
  const receiver = telegram.receiver(engine);
  const warnings = () => log.lines.filter((l) => l.level === 'warn').map((l) => [l.message, l.fields?.['retryInMs']]);
  return { telegram, receiver, log, waits, warnings, elapsed: () => clock.now() - started };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

/** What the receiver's start threw, or undefined when it started. */
const startFailure = (t: { receiver: { start(): Promise<void> } }): Promise<unknown> =>
  t.receiver.start().then(
    () => undefined,
    (err: unknown) => err,
  );

describe('Telegram start-up against a failing Bot API', () => {
  it('asks again after 5xx and network errors (backoff) and after a 429 (its retry_after), then registers the webhook', async () => {
    const api = nock(ROOT)
      .post(path('getMe'))
      .reply(...serverError())
      .post(path('getMe'))
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' })
      .post(path('getMe'))
      .reply(...ok(BOT_INFO))
      .post(path('setWebhook'))
      .reply(...tooManyRequests(3))
      .post(path('setWebhook'))
      .reply(...ok(true));
    const t = setup();
    await t.receiver.start();
    expect(api.isDone()).toBe(true);
    expect(t.waits).toEqual([1_000, 2_000, 3_000]);
    expect(t.warnings()).toEqual([
      ['telegram getMe failed at start-up; asking again', 1_000],
      ['telegram getMe failed at start-up; asking again', 2_000],
      ['telegram setWebhook failed at start-up; asking again', 3_000],
    ]);
    expect(t.telegram.bot.botInfo.username).toBe(BOT_INFO.username);
    expect(t.log.lines.at(-1)?.message).toBe('telegram webhook registered');
  });

  it('asks again when removing the webhook for long polling fails in passing', async () => {
    nock(ROOT)
      .post(path('getMe'))
      .reply(...ok(BOT_INFO))
      .post(path('deleteWebhook'))
      .reply(...tooManyRequests(1))
      .post(path('deleteWebhook'))
      .reply(...ok(true))
      .post(path('getUpdates'))
      .delay(10_000)
      .reply(...ok([]));
    const t = setup({ kind: 'polling' });
    await t.receiver.start();
    expect(t.waits).toEqual([1_000]);
    expect(t.log.lines.at(-1)?.message).toBe('telegram long polling started');
    await t.receiver.stop();
  });

  it.each([
    [401, 'Unauthorized'],
    [404, 'Not Found'],
  ])('ends the start at once when getMe refuses the token (%i), naming TELEGRAM_BOT_TOKEN', async (code, text) => {
    const api = nock(ROOT)
      .post(path('getMe'))
      .reply(...refused(code, text));
    const t = setup();
    const failure = await startFailure(t);
    expect(failure).toBeInstanceOf(SetupError);
    expect((failure as Error).message).toBe(
      `Telegram refused TELEGRAM_BOT_TOKEN (getMe: ${code} ${text}): check the token with @BotFather (/mybots, API Token) and start again.`,
    );
    expect(api.isDone()).toBe(true);
    expect(t.waits).toEqual([]);
  });

  it('gives up after a minute of failures with a SetupError saying what kept failing', async () => {
    nock(ROOT)
      .post(path('getMe'))
      .times(100)
      .reply(...serverError());
    const t = setup();
    const failure = await startFailure(t);
    expect(failure).toBeInstanceOf(SetupError);
    expect((failure as Error).message).toBe(
      "Telegram's Bot API kept failing getMe for a minute at start-up (502: Bad Gateway); the bot stops. Check that Telegram (or TELEGRAM_API_ROOT) answers, and start again.",
    );
    // 1 + 2 + 4 + 8 + 15 + 15 + 15 s: a minute; the next pause would end past it.
    expect(t.waits).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    expect(t.elapsed()).toBeLessThanOrEqual(60_000);
  });

  it('ends the start when Telegram refuses the webhook itself, naming PUBLIC_URL', async () => {
    nock(ROOT)
      .post(path('getMe'))
      .reply(...ok(BOT_INFO))
      .post(path('setWebhook'))
      .reply(...refused(400, 'Bad Request: bad webhook: Failed to resolve host: Name or service not known'));
    const t = setup();
    await expect(t.receiver.start()).rejects.toThrow(
      'Telegram refused setWebhook (400: Bad Request: bad webhook: Failed to resolve host: Name or service not known): check PUBLIC_URL (an https address Telegram can reach) and start again.',
    );
    expect(t.waits).toEqual([]);
  });
});
