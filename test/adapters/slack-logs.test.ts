import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { LogLevel } from '@slack/bolt';
import { deskText } from '../../adapters/desk/text.js';
import { slackLogger } from '../../adapters/slack/logger.js';
import { memoryLogger, type LogLine } from '../../bots/log.js';
import { freshRedisStore, requireRedis } from '../support/redis.js';
import { closeDesk, deskUnderTest, type Desk } from '../support/slack-desk.js';

/**
 * Issue 16's trial, findings 5 and 8. What Slack's libraries say (Bolt's app and HTTP receiver,
 * the Web API client) is our JSON log lines, nothing plain on stderr or the console: a Slack
 * outage is not one warning per failed call, a forged request is one warning line, an event the
 * store could not take is one error line with the error's message. A button the desk does not
 * know is answered at once (200, not Bolt's 404 after 3 s) and its presser told privately.
 * Through the signed Slack endpoint, with the product's memory logger and the console watched.
 */

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(() => nock.enableNetConnect());

/** Every way a plain line could reach the terminal: the console (Slack's ConsoleLogger) and stderr itself. */
let plain: MockInstance[] = [];
beforeEach(() => {
  plain = [
    ...(['debug', 'info', 'warn', 'error', 'log'] as const).map((m) => vi.spyOn(console, m)),
    vi.spyOn(process.stderr, 'write'),
  ];
});
afterEach(async () => {
  vi.restoreAllMocks();
  await closeDesk();
});
/** What was written plainly, one array of arguments per call. */
const plainWritten = () => plain.flatMap((spy) => spy.mock.calls);

/** Lines that came from Slack's libraries. */
const fromSlack = (d: Desk) => d.log.lines.filter((l) => String(l.fields?.component ?? '').startsWith('slack:'));
const atLeastWarn = (lines: LogLine[]) => lines.filter((l) => l.level === 'warn' || l.level === 'error');

describe("Slack's libraries log through the product's logger", () => {
  it('a Slack outage: each failed call one debug line with its reason, no warning per call, nothing plain', async () => {
    const d = await deskUnderTest();
    await d.says('我的订单还没发货，转人工');
    expect(await d.press('desk_claim', 'UWANG')).toBe(200);
    await d.settled();
    d.slack.outage(500);
    for (const text of ['第一句', '第二句', '第三句']) await d.says(text);
    await d.engine.recover();
    const failed = d.slack.refused().length;
    expect(failed).toBeGreaterThanOrEqual(3);
    const slack = fromSlack(d);
    expect(atLeastWarn(slack)).toEqual([]);
    expect(slack.filter((l) => l.message === 'Slack API request failed')).toHaveLength(failed);
    expect(slack[0]?.fields?.error).toContain('500');
    expect(plainWritten()).toEqual([]);
  });

  it('a request with a wrong signature: 401 and one warning line of ours, nothing plain', async () => {
    const d = await deskUnderTest();
    const body = JSON.stringify({ type: 'event_callback', event: { type: 'message' } });
    expect(await d.post(body, 'application/json', { 'x-slack-signature': `v0=${'0'.repeat(64)}` })).toBe(401);
    const lines = atLeastWarn(d.log.lines);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('signature mismatch') }),
    ]);
    expect(plainWritten()).toEqual([]);
  });

  describe.runIf(requireRedis())('when the store cannot take the event', () => {
    it("answers 500 with one error line carrying the error's message, nothing plain", async () => {
      const store = await freshRedisStore();
      const d = await deskUnderTest({ store });
      await d.says('转人工');
      expect(await d.press('desk_claim', 'UWANG')).toBe(200);
      await d.settled();
      await store.close();
      expect(await d.event(d.reply('UWANG', '您好'))).toBe(500);
      expect(await d.press('desk_close', 'UWANG')).toBe(500);
      const errors = d.log.lines.filter((l) => l.level === 'error');
      expect(errors).toHaveLength(2);
      // The store's own words (ioredis'), which Bolt's "An unhandled error occurred" left out.
      for (const line of errors)
        expect(line).toEqual({
          level: 'error',
          message: 'Slack event failed; answered 500',
          fields: { error: 'Error: Connection is closed.' },
        });
      expect(plainWritten()).toEqual([]);
    });
  });
});

describe('a button the desk does not know (no such action_id)', () => {
  for (const language of ['zh-CN', 'en'])
    it(`is answered at once and its presser told privately (${language}), nothing done`, async () => {
      const d = await deskUnderTest({ deskLanguage: language });
      await d.says('我的订单还没发货，转人工');
      await d.settled();
      const sent = d.telegram.sent().length;
      expect(await d.press('desk_transfer', 'UWANG')).toBe(200);
      await d.settled();
      expect(d.slack.responses).toEqual([
        { response_type: 'ephemeral', replace_original: false, text: deskText(language).refused.action },
      ]);
      expect(d.received).toEqual([]);
      expect(d.telegram.sent()).toHaveLength(sent);
      expect(atLeastWarn(d.log.lines)).toEqual([
        {
          level: 'warn',
          message: 'Slack button press refused',
          fields: { user: 'UWANG', refused: 'action', actionId: 'desk_transfer' },
        },
      ]);
      expect(plainWritten()).toEqual([]);
      // The desk's own buttons still work beside it.
      expect(await d.press('desk_claim', 'UWANG')).toBe(200);
      await d.settled();
      expect(d.received.map((e) => e.payload.action)).toEqual(['claim']);
    });
});

describe('slackLogger (the Slack SDK logger over ours)', () => {
  it('writes a warning once and its repeats at debug, errors with their message, and no debug text of Slack', () => {
    const log = memoryLogger();
    const slack = slackLogger(log, 'bolt');
    slack.debug('http request result: {"user":{"real_name":"Li Lei"}}');
    for (let i = 0; i < 3; i++) slack.warn('chat.postMessage is deprecated');
    slack.error(new Error('Connection is closed.'));
    slack.warn('http request failed', 'Request failed with status code 500');
    expect(log.lines).toEqual([
      { level: 'warn', message: 'chat.postMessage is deprecated', fields: { component: 'slack:bolt' } },
      {
        level: 'debug',
        message: 'chat.postMessage is deprecated',
        fields: { component: 'slack:bolt', repeated: true },
      },
      {
        level: 'debug',
        message: 'chat.postMessage is deprecated',
        fields: { component: 'slack:bolt', repeated: true },
      },
      { level: 'error', message: 'Error: Connection is closed.', fields: { component: 'slack:bolt' } },
      {
        level: 'debug',
        message: 'Slack API request failed',
        fields: { component: 'slack:bolt', error: 'Request failed with status code 500' },
      },
    ]);
  });

  it('keeps its level and name as Bolt sets them', () => {
    const log = memoryLogger();
    const slack = slackLogger(log, 'bolt');
    expect(slack.getLevel()).toBe(LogLevel.INFO);
    slack.setLevel(LogLevel.ERROR);
    slack.setName('socket-mode');
    slack.info('connected');
    slack.warn('slow');
    slack.error('lost');
    expect(slack.getLevel()).toBe(LogLevel.ERROR);
    expect(log.lines).toEqual([{ level: 'error', message: 'lost', fields: { component: 'slack:socket-mode' } }]);
  });
});
