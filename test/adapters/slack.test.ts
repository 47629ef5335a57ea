import { createHmac } from 'node:crypto';
import { deskText } from '../../adapters/desk/text.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import { createSlack, parseThreadMessage, SLACK_EVENTS_PATH } from '../../adapters/slack/index.js';
import { Engine } from '../../bots/engine.js';
import { SetupError } from '../../bots/errors.js';
import { memoryLogger } from '../../bots/log.js';
import { defaultFlow } from '../support/flows.js';
import { RecordingChannel, TestClock } from '../support/harness.js';
import { LINK_TTL_MS } from '../support/slack-api.js';

const SECRET = 'slack-signing-secret-for-tests';
const AGENTS = 'CAGENTS';
const CARD_TS = '1795000000.000100';
const flow = defaultFlow(undefined, { desk: true });

interface Call {
  method: string;
  body: Record<string, any>;
}

/** Where apps.connections.open sends a Socket Mode client (a local WebSocket server in the test). */
let socketUrl = '';

/** nock for the Slack Web API: records calls, answers like Slack. */
function fakeSlack(root = 'https://slack.com') {
  const calls: Call[] = [];
  let n = 0;
  nock(root)
    .persist()
    .post(/^\/api\/[\w.]+$/)
    .reply((uri, body) => {
      const method = uri.split('/').pop() ?? '';
      const data = (typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : body) as Record<
        string,
        any
      >;
      for (const key of ['blocks', 'attachments']) if (typeof data[key] === 'string') data[key] = JSON.parse(data[key]);
      calls.push({ method, body: data });
      switch (method) {
        case 'apps.connections.open':
          return [200, { ok: true, url: socketUrl }];
        case 'auth.test':
          return [200, { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' }];
        case 'users.info':
          return [
            200,
            {
              ok: true,
              user: {
                id: data.user,
                name: data.user,
                profile: { display_name: data.user === 'UWANG' ? '小王' : '小李' },
              },
            },
          ];
        case 'chat.postMessage':
          return [200, { ok: true, channel: data.channel, ts: n++ === 0 ? CARD_TS : `1795000000.0002${n}` }];
        default:
          return [200, { ok: true }];
      }
    });
  return { calls, of: (m: string) => calls.filter((c) => c.method === m) };
}

function signed(body: string, at = Math.floor(Date.now() / 1000), secret = SECRET): Record<string, string> {
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${at}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(at) };
}

let server: Server | undefined;
/** Each thread message has its own ts, as in Slack (a message is its channel and ts). */
let messageSeq = 0;
afterEach(async () => {
  nock.cleanAll();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(() => nock.enableNetConnect());

async function setup(options: { deskLanguage?: string; internalPrefix?: string; authFailures?: number } = {}) {
  // Slack unreachable for the first token checks (auth.test), then answering as usual.
  if (options.authFailures)
    nock('https://slack.com').post('/api/auth.test').times(options.authFailures).replyWithError('connect ECONNREFUSED');
  const slack = fakeSlack();
  const clock = new TestClock();
  const store = new MemoryStore(clock.now);
  const log = memoryLogger();
  const customer = new RecordingChannel();
  const service = createSlack(
    {
      botToken: 'xoxb-test',
      signingSecret: SECRET,
      agentChannel: AGENTS,
      categoryChannels: () => ({}),
      internalPrefix: options.internalPrefix ?? '//',
      deskText: deskText(options.deskLanguage ?? 'en'),
      linkTtlMs: LINK_TTL_MS,
    },
    { links: store.links, log, clock: clock.now },
  );
  const engine = new Engine({
    store,
    flow: () => flow,
    channels: new Map([['test', customer]]),
    desk: service.desk,
    clock: clock.now,
    log,
    sleep: async () => {},
  });
  const receiver = service.receiver(engine);
  const route = receiver.routes?.find((r) => r.path === SLACK_EVENTS_PATH);
  server = createServer((req, res) => route?.handle(req, res));
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  const customerSays = (text: string, id = `c-${Math.random()}`) =>
    engine.receive({
      id,
      conversationId: 'tg:42',
      channel: 'test',
      customer: { id: '42', name: 'Li 13812345678' },
      at: clock.now(),
      payload: { type: 'text', text },
    });
  const press = async (actionId: string, user: string, options: { secret?: string; at?: number } = {}) => {
    const payload = JSON.stringify({
      type: 'block_actions',
      user: { id: user, name: user.toLowerCase() },
      team: { id: 'T1' },
      api_app_id: 'A1',
      token: 't',
      trigger_id: `tr-${Math.random()}`,
      channel: { id: AGENTS },
      container: { type: 'message', message_ts: CARD_TS, channel_id: AGENTS },
      actions: [
        {
          type: 'button',
          action_id: actionId,
          value: 'tg:42',
          action_ts: `${Date.now() / 1000}${Math.random()}`,
          block_id: 'b',
        },
      ],
    });
    const body = `payload=${encodeURIComponent(payload)}`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signed(body, options.at, options.secret) },
      body,
    });
    // Slack has its answer once the press is stored; the turn runs after it.
    await receiver.idle();
    return res.status;
  };
  const threadMessage = async (
    user: string,
    text: string,
    options: { eventId?: string; retry?: number; botId?: string; ts?: string } = {},
  ) => {
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      token: 't',
      event_id: options.eventId ?? `Ev${Math.random().toString(36).slice(2)}`,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'message',
        channel: AGENTS,
        user,
        text,
        ts: options.ts ?? `1795000050.${String(++messageSeq).padStart(6, '0')}`,
        thread_ts: CARD_TS,
        ...(options.botId ? { bot_id: options.botId } : {}),
      },
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signed(body),
        ...(options.retry
          ? { 'x-slack-retry-num': String(options.retry), 'x-slack-retry-reason': 'http_timeout' }
          : {}),
      },
      body,
    });
    await receiver.idle();
    return res.status;
  };
  return { slack, store, customer, customerSays, press, threadMessage, url, log, service, receiver };
}

describe('Slack agent desk', () => {
  it('posts a handoff card with the customer masked, the summary, the last messages and a Claim button', async () => {
    const t = await setup();
    await t.customerSays('我的订单还没发货');
    await t.customerSays('转人工');
    const [card] = t.slack.of('chat.postMessage');
    expect(card?.body.channel).toBe(AGENTS);
    const blocks = card?.body.blocks as Array<Record<string, any>>;
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':large_blue_circle: Handoff: the customer asked for a person' },
    });
    expect(blocks[1]?.fields[0]).toEqual({ type: 'mrkdwn', text: '*Customer*\nLi 138****5678' });
    expect(JSON.stringify(blocks)).toContain('我的订单还没发货');
    expect(blocks.at(-1)).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'desk_claim',
          style: 'primary',
          text: { type: 'plain_text', text: 'Claim' },
          // The card's conversation and ticket (issue 13: cards are addressed by ticket).
          value: JSON.stringify({ c: 'tg:42', t: card?.body.blocks[1].fields[5].text.split('\n')[1] }),
        },
      ],
    });
    // Everything later goes in the card's thread.
    await t.customerSays('订单号 20261120001');
    expect(t.slack.of('chat.postMessage').at(-1)?.body).toMatchObject({
      channel: AGENTS,
      thread_ts: CARD_TS,
      text: ':bust_in_silhouette: 订单号 20261120001',
    });
  });

  it("speaks the agents' language, set apart from the customer's", async () => {
    const t = await setup({ deskLanguage: 'zh-CN', internalPrefix: '##' });
    await t.customerSays('转人工');
    const blocks = t.slack.of('chat.postMessage')[0]?.body.blocks as Array<Record<string, any>>;
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':large_blue_circle: 转人工\uff1a客户要求人工服务' },
    });
    expect(blocks[1]?.fields[0]).toEqual({ type: 'mrkdwn', text: '*客户*\nLi 138****5678' });
    expect(blocks.at(-1)?.elements[0].text.text).toBe('接入');
    expect(await t.press('desk_claim', 'UWANG')).toBe(200);
    const controls = t.slack.of('chat.postMessage').at(-1)?.body;
    expect(controls?.text).toBe('<@UWANG> 已接入会话。');
    expect(controls?.blocks[1].text.text).toBe(
      '在本话题中回复即可与客户对话。以 `##` 开头的消息仅内部可见\uff1b`!override …` 可发送被服务忌语检查拦下的回复。',
    );
    expect(controls?.blocks.at(-1).elements.map((e: { text: { text: string } }) => e.text.text)).toEqual([
      '交还机器人',
      '结束会话',
      '放回队列',
    ]);
    await t.service.desk.ping({ conversationId: 'tg:42' }, 'overdue');
    expect(t.slack.of('chat.postMessage').at(-1)?.body).toMatchObject({
      thread_ts: CARD_TS,
      text: '<!channel> 承诺给客户的答复时间已过\uff0c该事项仍未解决\uff0c已升级为紧急\uff0c请立即答复客户。',
    });
  });

  it("gives the conversation to one agent, updates the card and tells the customer the agent's name", async () => {
    const t = await setup();
    await t.customerSays('转人工');
    expect(await t.press('desk_claim', 'UWANG')).toBe(200);
    // Nothing said of the matter yet: asked what it is (handoffClaimedAsk).
    expect(t.customer.texts().at(-1)).toBe('您好，客服 小王 为您服务，请问有什么可以帮您？');
    const [update] = t.slack.of('chat.update');
    expect(update?.body.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Claimed by <@UWANG>' }],
    });
    const controls = t.slack.of('chat.postMessage').at(-1)?.body;
    expect(controls?.thread_ts).toBe(CARD_TS);
    expect(controls?.blocks.at(-1).elements.map((e: { action_id: string }) => e.action_id)).toEqual([
      'desk_handback',
      'desk_close',
      'desk_release',
    ]);
  });

  it('draws the card again with the need the customer told after a bare 转人工, keeping who claimed it', async () => {
    const t = await setup();
    await t.customerSays('转人工');
    const cardText = (blocks: Array<{ text?: { text?: string }; fields?: Array<{ text: string }> }>) =>
      JSON.stringify(blocks);
    expect(cardText(t.slack.of('chat.postMessage')[0]?.body.blocks)).toContain('转人工');
    await t.customerSays('我的耳机左耳没声音了');
    const [told] = t.slack.of('chat.update');
    expect(told?.body).toMatchObject({ channel: AGENTS, ts: CARD_TS });
    expect(cardText(told?.body.blocks)).toContain('我的耳机左耳没声音了');
    expect(told?.body.blocks.at(-1).elements.map((e: { action_id: string }) => e.action_id)).toContain('desk_claim');
    // Claimed, then more is told: the card shows both the longer need and who has it.
    expect(await t.press('desk_claim', 'UWANG')).toBe(200);
    await t.customerSays('盒子也压坏了');
    const again = t.slack.of('chat.update').at(-1);
    expect(cardText(again?.body.blocks)).toContain('我的耳机左耳没声音了，盒子也压坏了');
    expect(again?.body.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Claimed by <@UWANG>' }],
    });
  });

  it('lets exactly one of two simultaneous claims win and tells the other privately', async () => {
    const t = await setup();
    await t.customerSays('转人工');
    await Promise.all([t.press('desk_claim', 'UWANG'), t.press('desk_claim', 'ULI')]);
    expect(t.slack.of('chat.update')).toHaveLength(1);
    const [ephemeral] = t.slack.of('chat.postEphemeral');
    expect(ephemeral?.body).toMatchObject({ channel: AGENTS, thread_ts: CARD_TS });
    expect(['UWANG', 'ULI']).toContain(ephemeral?.body.user);
    expect(t.customer.texts().filter((x) => x.includes('为您服务'))).toHaveLength(1);
  });

  it("relays the claiming agent's thread replies, and keeps others' messages, notes and its own posts internal", async () => {
    const t = await setup();
    await t.customerSays('转人工');
    await t.press('desk_claim', 'UWANG');
    const before = t.customer.texts().length;
    expect(await t.threadMessage('UWANG', '您好\uff0c我来帮您查一下订单')).toBe(200);
    expect(t.customer.texts().slice(before)).toEqual(['您好\uff0c我来帮您查一下订单']);
    await t.threadMessage('ULI', '这个客户上周也来过');
    await t.threadMessage('UWANG', '// 仓库已经催过了');
    await t.threadMessage('UBOT', 'bot echo', { botId: 'BBOT' });
    expect(t.customer.texts().slice(before)).toEqual(['您好\uff0c我来帮您查一下订单']);
    const transcript = await t.store.transcript('tg:42', 50);
    expect(transcript.map((e) => e.text)).toEqual(
      expect.arrayContaining(['[internal] 小李: 这个客户上周也来过', '[internal] 小王: 仓库已经催过了']),
    );
  });

  it('holds back a reply with a forbidden phrase, warns only that agent, and sends it on !override', async () => {
    const t = await setup();
    await t.customerSays('转人工');
    await t.press('desk_claim', 'UWANG');
    const before = t.customer.texts().length;
    await t.threadMessage('UWANG', '这是公司规定\uff0c我也没办法');
    expect(t.customer.texts()).toHaveLength(before);
    const [warning] = t.slack.of('chat.postEphemeral');
    expect(warning?.body).toMatchObject({ channel: AGENTS, user: 'UWANG', thread_ts: CARD_TS });
    expect(warning?.body.text).toMatch(/^not sent: "这是公司规定" \(推诿客户.*say instead: 非常抱歉/);
    await t.threadMessage('UWANG', '!override 这是公司规定\uff0c抱歉');
    expect(t.customer.texts().at(-1)).toBe('这是公司规定\uff0c抱歉');
  });

  it('closes from the thread button with the closing line and survey to the customer', async () => {
    const t = await setup();
    await t.customerSays('转人工');
    await t.press('desk_claim', 'UWANG');
    await t.press('desk_close', 'UWANG');
    expect(t.customer.texts().slice(-2)[1]).toMatch(/^为了不断改进我们的服务/);
    expect(t.slack.of('chat.postMessage').at(-1)?.body.text).toBe('<@UWANG> closed the conversation.');
  });

  it('refuses requests with a bad signature or a stale timestamp, touching nothing', async () => {
    const t = await setup();
    await t.customerSays('转人工');
    expect(await t.press('desk_claim', 'UWANG', { secret: 'wrong-secret' })).toBe(401);
    expect(await t.press('desk_claim', 'UWANG', { at: Math.floor(Date.now() / 1000) - 10 * 60 })).toBe(401);
    // Ten minutes ahead is refused too (issue 16, fault 5: it was processed).
    expect(await t.press('desk_claim', 'UWANG', { at: Math.floor(Date.now() / 1000) + 10 * 60 })).toBe(401);
    expect(t.slack.of('chat.update')).toEqual([]);
    expect(t.customer.texts().some((x) => x.includes('为您服务'))).toBe(false);
  });

  it('refuses a body over 1 MiB, or one without a length, on its headers before reading it (issue 16, fault 5)', async () => {
    const t = await setup();
    const { request } = await import('node:http');
    /** Posts with these headers and a small first chunk, and resolves with the status the server answers. */
    const statusOf = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(t.url, { method: 'POST', headers }, (res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
          req.destroy();
        });
        req.on('error', reject);
        req.write('{}');
        // The claimed 100 MiB never follows: the answer must come from the headers alone.
        if (!('content-length' in headers)) req.end();
      });
    expect(await statusOf({ 'content-length': String(100 * 1024 * 1024) })).toBe(413);
    const chunked = await statusOf({ 'transfer-encoding': 'chunked' });
    expect(chunked).toBe(411);
    expect(t.slack.of('chat.update')).toEqual([]);
  });

  it('gives a retried Slack event exactly one effect', async () => {
    const t = await setup();
    await t.customerSays('转人工');
    await t.press('desk_claim', 'UWANG');
    const before = t.customer.texts().length;
    // A retry is the same request again: the same event id and the same message.
    await t.threadMessage('UWANG', '您好', { eventId: 'EvSAME', ts: '1795000100.000001' });
    await t.threadMessage('UWANG', '您好', { eventId: 'EvSAME', ts: '1795000100.000001', retry: 1 });
    expect(t.customer.texts().slice(before)).toEqual(['您好']);
  });
});

describe('Slack agent desk over Socket Mode (a local WebSocket server stands in for Slack)', () => {
  it('connects out, acknowledges every envelope and acts on buttons and thread replies', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    socketUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    const acks: string[] = [];
    const ackWaiters = new Map<string, () => void>();
    const acked = (id: string) =>
      new Promise<void>((resolve) => (acks.includes(id) ? resolve() : ackWaiters.set(id, resolve)));
    let socket: WebSocket | undefined;
    const connected = new Promise<WebSocket>((resolve) =>
      wss.on('connection', (ws) => {
        ws.on('message', (data) => {
          const id = (JSON.parse(String(data)) as { envelope_id: string }).envelope_id;
          acks.push(id);
          ackWaiters.get(id)?.();
        });
        ws.send(
          JSON.stringify({
            type: 'hello',
            num_connections: 1,
            debug_info: { host: 'local' },
            connection_info: { app_id: 'A1' },
          }),
        );
        resolve(ws);
      }),
    );
    // A proxy as the API root (SLACK_API_URL): opening the socket must use it too.
    const slack = fakeSlack('https://slack-proxy.internal.test');
    const clock = new TestClock();
    const store = new MemoryStore(clock.now);
    const log = memoryLogger();
    const customer = new RecordingChannel();
    const slackApp = createSlack(
      {
        botToken: 'xoxb-test',
        appToken: 'xapp-1-test',
        apiUrl: 'https://slack-proxy.internal.test/api/',
        agentChannel: AGENTS,
        categoryChannels: () => ({}),
        internalPrefix: '//',
        deskText: deskText('zh-CN'),
        linkTtlMs: LINK_TTL_MS,
      },
      { links: store.links, log, clock: clock.now },
    );
    const engine = new Engine({
      store,
      flow: () => flow,
      channels: new Map([['test', customer]]),
      desk: slackApp.desk,
      clock: clock.now,
      log,
      sleep: async () => {},
    });
    const service = slackApp.receiver(engine);
    expect(service.routes).toBeUndefined();
    try {
      await service.start();
      socket = await connected;
      expect(slack.of('apps.connections.open')).toHaveLength(1);
      await engine.receive({
        id: 'c-1',
        conversationId: 'tg:42',
        channel: 'test',
        customer: { id: '42', name: 'Li' },
        at: clock.now(),
        payload: { type: 'text', text: '转人工' },
      });
      expect(slack.of('chat.postMessage')[0]?.body.channel).toBe(AGENTS);

      // The Claim button arrives as an interactive envelope.
      let next = customer.next();
      socket.send(
        JSON.stringify({
          envelope_id: 'env-claim',
          type: 'interactive',
          accepts_response_payload: false,
          payload: {
            type: 'block_actions',
            user: { id: 'UWANG', name: 'wang' },
            team: { id: 'T1' },
            api_app_id: 'A1',
            token: 't',
            trigger_id: 'tr-1',
            channel: { id: AGENTS },
            container: { type: 'message', message_ts: CARD_TS, channel_id: AGENTS },
            actions: [
              {
                type: 'button',
                action_id: 'desk_claim',
                value: 'tg:42',
                action_ts: '1795000001.000001',
                block_id: 'b',
              },
            ],
          },
        }),
      );
      expect((await next).text).toBe('您好，客服 小王 为您服务，请问有什么可以帮您？');

      // A reply in the card's thread arrives as an Events API envelope.
      next = customer.next();
      socket.send(
        JSON.stringify({
          envelope_id: 'env-reply',
          type: 'events_api',
          accepts_response_payload: false,
          retry_attempt: 0,
          retry_reason: '',
          payload: {
            type: 'event_callback',
            team_id: 'T1',
            api_app_id: 'A1',
            token: 't',
            event_id: 'EvSOCKET1',
            event_time: 1795000002,
            event: {
              type: 'message',
              channel: AGENTS,
              user: 'UWANG',
              text: '您好\uff0c我来帮您查一下',
              ts: '1795000002.000001',
              thread_ts: CARD_TS,
            },
          },
        }),
      );
      expect((await next).text).toBe('您好\uff0c我来帮您查一下');
      // Every envelope is acknowledged, or Slack would send it again.
      await Promise.all([acked('env-claim'), acked('env-reply')]);
      expect(acks.filter((id) => id.startsWith('env-')).sort()).toEqual(['env-claim', 'env-reply']);
    } finally {
      await service.stop();
      wss.close();
    }
  });
});

describe("Slack thread messages: the desk's small language", () => {
  it('reads notes, commands and replies, case-insensitively, and trims them', () => {
    expect(parseThreadMessage('  // 仓库已经催过了 ', '//')).toEqual({ action: 'note', text: '仓库已经催过了' });
    expect(parseThreadMessage('##内部', '##')).toEqual({ action: 'note', text: '内部' });
    expect(parseThreadMessage('!claim', '//')).toEqual({ action: 'claim' });
    expect(parseThreadMessage('!CLOSE now', '//')).toEqual({ action: 'close' });
    expect(parseThreadMessage('!handback', '//')).toEqual({ action: 'handback' });
    expect(parseThreadMessage('!release', '//')).toEqual({ action: 'release' });
    expect(parseThreadMessage('!transfer  refund ', '//')).toEqual({ action: 'transfer', category: 'refund' });
    expect(parseThreadMessage('!override 这是公司规定\uff0c抱歉', '//')).toEqual({
      action: 'reply',
      text: '这是公司规定\uff0c抱歉',
      override: true,
    });
    expect(parseThreadMessage('!override\nline two', '//')).toEqual({
      action: 'reply',
      text: 'line two',
      override: true,
    });
    expect(parseThreadMessage(' 您好\uff0c我来帮您查一下 ', '//')).toEqual({
      action: 'reply',
      text: '您好\uff0c我来帮您查一下',
    });
    // Not a command: the verb must stand alone.
    expect(parseThreadMessage('!claimed it', '//')).toEqual({ action: 'reply', text: '!claimed it' });
    expect(parseThreadMessage('!help', '//')).toEqual({ action: 'reply', text: '!help' });
  });

  it('refuses to start without a way to receive events, saying which settings give one', () => {
    const store = new MemoryStore(() => 0);
    const make = () =>
      createSlack(
        {
          botToken: 'xoxb-test',
          agentChannel: AGENTS,
          categoryChannels: () => ({}),
          internalPrefix: '//',
          deskText: deskText('en'),
          linkTtlMs: LINK_TTL_MS,
        },
        { links: store.links, log: memoryLogger(), clock: () => 0 },
      );
    expect(make).toThrow(SetupError);
    expect(make).toThrow(/SLACK_SIGNING_SECRET.*SLACK_APP_TOKEN/);
  });

  it('keeps the bot running when Slack is unreachable at start: events get 503 (Slack redelivers) until it answers', async () => {
    const t = await setup({ authFailures: 2 });
    await t.receiver.start();
    expect(t.log.lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'Slack cannot be reached; retrying in 30 s' }),
    );
    await t.customerSays('转人工');
    expect(await t.press('desk_claim', 'UWANG')).toBe(503);
    expect(t.customer.texts().some((x) => x.includes('小王'))).toBe(false);
    expect(await t.press('desk_claim', 'UWANG')).toBe(200);
    expect(t.customer.texts().at(-1)).toContain('小王');
    await t.receiver.stop();
  });

  it('builds one receiver per Slack app: a second would run every event twice', () => {
    const store = new MemoryStore(() => 0);
    const slack = createSlack(
      {
        botToken: 'xoxb-test',
        signingSecret: SECRET,
        agentChannel: AGENTS,
        categoryChannels: () => ({}),
        internalPrefix: '//',
        deskText: deskText('en'),
        linkTtlMs: LINK_TTL_MS,
      },
      { links: store.links, log: memoryLogger(), clock: () => 0 },
    );
    const engine = new Engine({
      store,
      flow: () => flow,
      channels: new Map(),
      desk: slack.desk,
      clock: () => 0,
      log: memoryLogger(),
    });
    expect(slack.receiver(engine).routes?.map((r) => r.path)).toEqual([SLACK_EVENTS_PATH]);
    expect(() => slack.receiver(engine)).toThrow(SetupError);
  });
});
