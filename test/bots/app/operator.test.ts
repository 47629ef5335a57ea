import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { SLACK_EVENTS_PATH } from '../../../adapters/slack/index.js';
import { createHttpServer } from '../../../bots/app/http.js';
import { createRuntime, productionEdges, type Runtime } from '../../../bots/app/runtime.js';
import { appRoutes } from '../../../bots/app/serve.js';
import { parseConfig } from '../../../bots/config.js';
import { createLogger } from '../../../bots/log.js';
import { botApiStandIn, type BotApiStandIn } from '../../support/bot-api.js';
import { TestClock } from '../../support/harness.js';
import { metricValue, parseMetrics } from '../../support/metrics.js';
import { redisWithOutages } from '../../support/redis-outage.js';
import { redisUrl, requireRedis, testPrefix } from '../../support/redis.js';
import { buttonPress, slackApiStandIn, slackSigned, type SlackApiStandIn } from '../../support/slack-api.js';
import { blockedByUser, TOKEN, updates } from '../../support/telegram.js';

/**
 * The operator's view (issue 16): what `GET /metrics`, `GET /readyz` and the log lines show while
 * customers and agents use the product. The production runtime and edges (the real Telegram
 * adapter in webhook mode, the real Slack desk over HTTP events, Redis), on the app's one HTTP
 * server, against local stand-ins of both platforms' APIs; time is a test clock.
 */

const SECRET = 'telegram-secret-0123456789abcdef';
const SIGNING = 'abcdef0123456789abcdef0123456789';
const AGENT_CHANNEL = 'CAGENTS';

interface App {
  runtime: Runtime;
  telegram: BotApiStandIn;
  slack: SlackApiStandIn;
  clock: TestClock;
  prefix: string;
  /** The log lines as written (pino JSON), at debug level. */
  lines: string[];
  get(path: string): Promise<{ status: number; body: string }>;
  /** Telegram delivers an update to the webhook; resolves with the status once the turns it caused are done. */
  customer(update: unknown): Promise<number>;
  /** Telegram delivers a body as it is (not JSON, say). */
  webhook(body: string): Promise<number>;
  /** An agent presses a desk button on the conversation's card. */
  press(actionId: string, user: string, conversationId: string): Promise<number>;
  /** The metrics as scraped now. */
  metrics(): Promise<ReturnType<typeof parseMetrics>>;
}

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

async function startApp(env: Record<string, string> = {}): Promise<App> {
  const [telegram, slack] = await Promise.all([botApiStandIn(), slackApiStandIn()]);
  running.push(() => Promise.all([telegram.close(), slack.close()]).then(() => {}));
  const prefix = testPrefix('obs');
  const config = parseConfig({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: telegram.url,
    PUBLIC_URL: 'https://bot.example.com',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING,
    SLACK_AGENT_CHANNEL: AGENT_CHANNEL,
    SLACK_API_URL: slack.url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    RECORD_STORE: 'off',
    ...env,
  });
  const clock = new TestClock();
  const lines: string[] = [];
  const log = createLogger('debug', (line) => lines.push(line));
  const mode = { kind: 'webhook', publicUrl: 'https://bot.example.com', secret: SECRET } as const;
  const runtime = await createRuntime(
    { config, log, clock: clock.now, desk: true },
    productionEdges(config, { token: TOKEN, mode }, log, clock.now),
  );
  const http = createHttpServer({ routes: appRoutes(runtime), log });
  running.push(async () => {
    await http.close();
    for (const r of runtime.receivers) await r.stop();
    await runtime.close();
  });
  const port = await http.listen(0, '127.0.0.1');
  for (const r of runtime.receivers) await r.start();
  const base = `http://127.0.0.1:${port}`;
  // Both receivers run conversations after answering their platform; `idle` waits for those runs.
  const settle = async () => {
    for (const r of runtime.receivers) await (r as { idle?: () => Promise<void> }).idle?.();
  };
  const post = async (path: string, body: string, headers: Record<string, string>) => {
    const status = (await fetch(`${base}${path}`, { method: 'POST', headers, body })).status;
    await settle();
    return status;
  };
  const webhook = (body: string) =>
    post('/telegram/webhook', body, {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': SECRET,
    });
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: await res.text() };
  };
  return {
    runtime,
    telegram,
    slack,
    clock,
    prefix,
    lines,
    get,
    webhook,
    customer: (update) => webhook(JSON.stringify(update)),
    press: (actionId, user, conversationId) => {
      const body = buttonPress(actionId, user, conversationId, AGENT_CHANNEL);
      const headers = { 'content-type': 'application/x-www-form-urlencoded', ...slackSigned(body, SIGNING) };
      return post(SLACK_EVENTS_PATH, body, headers);
    },
    metrics: async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parseMetrics(await res.text());
    },
  };
}

const MINUTE = 60_000;

describe("the operator's view", () => {
  if (!requireRedis()) return;

  it('GET /metrics counts turns, inbound events, sends, desk posts, claims and timers as customers and agents act', async () => {
    const app = await startApp();
    const greeting = updates.text(42, '你好');
    expect(await app.customer(greeting)).toBe(200);
    // Telegram delivers the same update again (it did not see the first 200): stored once, one turn.
    expect(await app.customer(greeting)).toBe(200);
    // An update that can never be read is answered 200 (so Telegram stops) and counted.
    expect(await app.customer({ update_id: 'not a number' })).toBe(200);
    expect(await app.webhook('{"update_id": 7, "message": {"text": "cut sh')).toBe(200);
    let m = await app.metrics();
    const inbound = (result: string) => metricValue(m, 'servicedesk_inbound_events_total', { result });
    expect([inbound('accepted'), inbound('duplicate'), inbound('invalid')]).toEqual([1, 1, 2]);
    expect(
      metricValue(m, 'servicedesk_inbound_events_total', { channel: 'telegram', type: 'text', result: 'accepted' }),
    ).toBe(1);
    expect(metricValue(m, 'servicedesk_turns_total')).toBe(1);
    expect(metricValue(m, 'servicedesk_turn_duration_seconds_count')).toBe(1);
    expect(metricValue(m, 'servicedesk_sends_total', { channel: 'telegram', result: 'ok' })).toBe(1);
    expect(app.telegram.sent(42)).toHaveLength(1);
    // Everything committed was delivered: nothing waits.
    expect(metricValue(m, 'servicedesk_outbox_items_committed_total')).toBeGreaterThan(0);
    expect(metricValue(m, 'servicedesk_outbox_items_delivered_total')).toBe(
      metricValue(m, 'servicedesk_outbox_items_committed_total'),
    );
    expect(metricValue(m, 'servicedesk_outbox_depth')).toBe(0);
    expect(metricValue(m, 'servicedesk_outbox_lag_seconds_count')).toBeGreaterThan(0);
    expect(m).toContainEqual({
      name: 'servicedesk_flow_version_info',
      labels: { version: app.runtime.flows.version, published: 'none' },
      value: 1,
    });

    // The customer stops answering: the idle close comes due, and the poller finds it 7 s late.
    app.clock.advance(10 * MINUTE + 7_000);
    const fired = await app.runtime.poller.tick();
    expect(fired).toBe(1);
    m = await app.metrics();
    expect(metricValue(m, 'servicedesk_timers_fired_total')).toBe(1);
    expect(metricValue(m, 'servicedesk_timer_lag_seconds_count')).toBe(1);
    expect(metricValue(m, 'servicedesk_timer_lag_seconds_sum')).toBe(7);
    expect(metricValue(m, 'servicedesk_inbound_events_total', { type: 'timer', result: 'accepted' })).toBe(1);
    expect(metricValue(m, 'servicedesk_turns_total')).toBe(2);

    // Another customer asks for a person: a card on the desk; an agent claims it 90 s later.
    expect(await app.customer(updates.text(43, '我的订单还没发货，转人工'))).toBe(200);
    app.clock.advance(90_000);
    expect(await app.press('desk_claim', 'UWANG', 'telegram:43')).toBe(200);
    m = await app.metrics();
    expect(metricValue(m, 'servicedesk_desk_posts_total', { kind: 'open', result: 'ok' })).toBe(1);
    expect(metricValue(m, 'servicedesk_desk_posts_total', { kind: 'update', result: 'ok' })).toBeGreaterThan(0);
    expect(metricValue(m, 'servicedesk_claims_total')).toBe(1);
    expect(metricValue(m, 'servicedesk_claim_wait_seconds_sum')).toBe(90);
    expect(metricValue(m, 'servicedesk_inbound_events_total', { channel: 'slack', type: 'agent' })).toBe(1);

    // A customer who blocked the bot: Telegram answers 403, counted as such.
    app.telegram.fail(blockedByUser());
    expect(await app.customer(updates.text(44, '你好'))).toBe(200);
    m = await app.metrics();
    expect(metricValue(m, 'servicedesk_sends_total', { channel: 'telegram', result: '403' })).toBe(1);
    expect(metricValue(m, 'servicedesk_store_errors_total')).toBe(0);
    expect(metricValue(m, 'servicedesk_data_loss_incidents_total')).toBe(0);
    app.runtime.metrics.incident('redis-epoch');
    expect(metricValue(await app.metrics(), 'servicedesk_data_loss_incidents_total', { kind: 'redis-epoch' })).toBe(1);
  });

  it('GET /readyz answers 200 while Redis answers, and 503 naming it while Redis is unreachable (store errors counted)', async () => {
    const relay = await redisWithOutages(redisUrl);
    running.push(() => relay.close());
    const app = await startApp({ REDIS_URL: relay.url });
    expect(await app.get('/readyz')).toEqual({
      status: 200,
      body: JSON.stringify({ status: 'ready', checks: { redis: 'ok' } }),
    });
    await relay.down();
    const down = await app.get('/readyz');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ status: 'unavailable', failed: ['redis'] });
    // The process itself is alive: /healthz stays cheap and says so.
    expect(await app.get('/healthz')).toEqual({ status: 200, body: 'ok' });
    // An update that cannot be stored is refused for Telegram to redeliver, and the failure counted.
    expect(await app.customer(updates.text(50, '你好'))).toBe(500);
    expect(metricValue(await app.metrics(), 'servicedesk_store_errors_total', { operation: 'acceptAndBegin' })).toBe(1);
    await relay.up();
    expect((await app.get('/readyz')).status).toBe(200);
  });

  it('GET /readyz names the system of record when PostgreSQL does not answer', async () => {
    // Nothing listens on port 1: the record was opened "serving anyway" and answers no query.
    const app = await startApp({ RECORD_STORE: 'auto', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    const res = await app.get('/readyz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({
      status: 'unavailable',
      checks: { redis: 'ok', record: expect.stringMatching(/ECONNREFUSED|connect/) },
      failed: ['record'],
    });
  });

  it("logs a turn's unreadable entries with their ids, never the customer's name, phone or words", async () => {
    const app = await startApp();
    const raw = new Redis(redisUrl);
    running.push(async () => void (await raw.quit()));
    const conversation = 'telegram:77';
    // What a crash mid-write can leave: a stored state and a queued event cut short, with the customer in them.
    await raw.set(`${app.prefix}{c:${conversation}}:state`, '{"context":{"name":"张三丰","phone":"13800138000"');
    await raw.rpush(`${app.prefix}{c:${conversation}}:inbox`, '{"id":"u1","payload":{"text":"我叫张三丰，电话13800');
    await raw.sadd(`${app.prefix}{pending}`, conversation);
    const update = updates.text(77, '我叫张三丰，电话13800138000，订单还没发货');
    update.message.from.first_name = '张三丰';
    expect(await app.customer(update)).toBe(200);
    // A body cut short on its way: not JSON, logged with an excerpt.
    expect(await app.webhook(JSON.stringify(update).slice(0, 150))).toBe(200);
    // The customer is served all the same, from the start.
    expect(app.telegram.sent(77).at(-1)).toBe('您的意思是想了解订单什么时候发货，对吗？');

    const lines = app.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = (msg: string) => lines.find((l) => l.msg === msg);
    expect(line('dropping unreadable inbox entry')).toMatchObject({
      level: 'error',
      conversationId: conversation,
      entry: '[redacted]',
    });
    expect(line('stored conversation state is unreadable; the conversation starts over')).toMatchObject({
      conversationId: conversation,
      state: '[redacted]',
    });
    expect(line('turn committed')).toMatchObject({ conversationId: conversation, eventId: expect.any(String) });
    expect(line('dropped a webhook body that is not JSON (answered 200: it can never be processed)')).toMatchObject({
      excerpt: '[redacted]',
    });
    const all = app.lines.join('\n');
    for (const secret of ['张三丰', '13800', '订单还没发货']) expect(all).not.toContain(secret);
    // Each conversation line carries its id once (the child logger's binding, not repeated by the call).
    expect(app.lines.filter((l) => l.includes(conversation)).every((l) => l.split(conversation).length === 2)).toBe(
      true,
    );
  });
});
