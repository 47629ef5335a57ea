import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deskText } from '../../adapters/desk/text.js';
import { createSlack, SLACK_EVENTS_PATH } from '../../adapters/slack/index.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import { createTelegram } from '../../adapters/telegram/index.js';
import { Engine } from '../../bots/engine.js';
import { memoryLogger } from '../../bots/log.js';
import type { Store } from '../../bots/ports.js';
import { defaultFlow } from '../support/flows.js';
import { TestClock } from '../support/harness.js';
import { slackStandIn, telegramStandIn } from '../support/platforms.js';
import { freshRedisStore, requireRedis } from '../support/redis.js';
import { BOT_INFO, TOKEN } from '../support/telegram.js';
import { LINK_TTL_MS } from '../support/slack-api.js';

/**
 * Pictures and files, both ways (issue 12): the engine with the real Telegram and Slack adapters,
 * against local HTTP servers standing in for the Bot API, Slack's Web API and files.slack.com.
 */

const AGENTS = 'CAGENTS';
const CARD_TS = '1795000000.000100';
const SLACK_SECRET = 'slack-signing-secret-for-tests';
const BOT_TOKEN = 'xoxb-test';
const CHAT = 4242;
const MB = 1024 * 1024;
const flow = defaultFlow(undefined, { desk: true });

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

let updateId = 900_000;

/** A Telegram message update from the customer, with `extra` fields (photo, document, caption…). */
function message(clock: TestClock, extra: Record<string, unknown>) {
  return {
    update_id: ++updateId,
    message: {
      message_id: updateId,
      date: Math.floor(clock.now() / 1000),
      chat: { id: CHAT, type: 'private' },
      from: { id: CHAT, is_bot: false, first_name: 'Li' },
      ...extra,
    },
  };
}

/** Telegram's sizes of one photo: a thumbnail and the full picture (`id`, `bytes` long). */
function photo(id: string, size: number) {
  return [
    { file_id: `${id}-thumb`, file_unique_id: `t${id}`, width: 90, height: 67, file_size: 1_200 },
    { file_id: id, file_unique_id: `u${id}`, width: 1280, height: 960, file_size: size },
  ];
}

function signed(body: string): Record<string, string> {
  const at = Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${at}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(at) };
}

async function setup(options: { store?: Store } = {}) {
  const tg = await telegramStandIn();
  const slack = await slackStandIn({ cardTs: CARD_TS, token: BOT_TOKEN });
  cleanup.push(
    () => tg.close(),
    () => slack.close(),
  );
  const clock = new TestClock();
  const store = options.store ?? new MemoryStore(clock.now);
  const log = memoryLogger();
  const telegram = createTelegram(
    {
      token: TOKEN,
      apiRoot: tg.url,
      mode: { kind: 'webhook', publicUrl: 'https://bot.example.com', secret: 'telegram-secret-0123456789' },
      allowGroups: false,
      throttle: false,
      botInfo: BOT_INFO,
    },
    { log, clock: clock.now },
  );
  const desk = createSlack(
    {
      botToken: BOT_TOKEN,
      signingSecret: SLACK_SECRET,
      apiUrl: slack.apiUrl,
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
    channels: new Map([['telegram', telegram.channel]]),
    desk: desk.desk,
    clock: clock.now,
    log,
    sleep: async () => {},
  });
  const customers = telegram.receiver(engine);
  const agents = desk.receiver(engine);
  const route = agents.routes?.find((r) => r.path === SLACK_EVENTS_PATH);
  const server: Server = createServer((req, res) => route?.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  const eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  // Slack is answered once the event is stored; the turn runs after, so wait for it too.
  const postSlack = async (body: string, type: string) => {
    const { status } = await fetch(eventsUrl, {
      method: 'POST',
      headers: { 'content-type': type, ...signed(body) },
      body,
    });
    await agents.idle();
    return status;
  };

  const customer = async (extra: Record<string, unknown>) => {
    await customers.handle(message(clock, extra), { wait: true });
    await customers.idle();
  };
  const claim = () => {
    const payload = JSON.stringify({
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
          value: `telegram:${CHAT}`,
          action_ts: '1795000001.1',
          block_id: 'b',
        },
      ],
    });
    return postSlack(`payload=${encodeURIComponent(payload)}`, 'application/x-www-form-urlencoded');
  };
  /** An agent's message in the card's thread; with files it is a `file_share`, as Slack sends it. */
  const inThread = (user: string, text: string, files: unknown[] = []) =>
    postSlack(
      JSON.stringify({
        type: 'event_callback',
        team_id: 'T1',
        api_app_id: 'A1',
        token: 't',
        event_id: `Ev${++updateId}`,
        event_time: Math.floor(Date.now() / 1000),
        event: {
          type: 'message',
          ...(files.length ? { subtype: 'file_share', files, upload: false } : {}),
          channel: AGENTS,
          user,
          text,
          ts: `1795000100.${updateId}`,
          thread_ts: CARD_TS,
        },
      }),
      'application/json',
    );
  /** The customer asks for a person and 小王 claims the card. */
  const handoff = async () => {
    await customer({ text: '转人工' });
    expect(await claim()).toBe(200);
  };
  return { tg, slack, clock, store, log, engine, customer, inThread, handoff, claim };
}

describe("a customer's photos and files during a handoff", () => {
  it("appear in the card's thread as the file itself, with the caption (files.getUploadURLExternal, the upload, files.completeUploadExternal)", async () => {
    const t = await setup();
    await t.handoff();
    const bytes = Buffer.from('JPEG bytes of a crushed box');
    t.tg.addFile('AgACcrushed', bytes);
    await t.customer({ photo: photo('AgACcrushed', bytes.length), caption: '快递盒压坏了' });
    // The largest size was read through getFile and the Bot API's file endpoint, nothing else.
    expect(t.tg.of('getFile').map((c) => c.fields.file_id)).toEqual(['AgACcrushed']);
    expect(t.slack.of('files.getUploadURLExternal').map((c) => c.body)).toEqual([
      expect.objectContaining({ filename: 'file_0.jpg', length: String(bytes.length) }),
    ]);
    expect(t.slack.uploads).toHaveLength(1);
    expect(t.slack.uploads[0]?.body.includes(bytes)).toBe(true);
    expect(t.slack.of('files.completeUploadExternal').map((c) => c.body)).toEqual([
      expect.objectContaining({
        channel_id: AGENTS,
        thread_ts: CARD_TS,
        initial_comment: ':bust_in_silhouette: 快递盒压坏了',
        files: [expect.objectContaining({ id: 'FUP1' })],
      }),
    ]);
    // Not "[photo]" in a message any more, and the bot stays quiet while people have the customer.
    expect(t.slack.of('chat.postMessage').some((c) => String(c.body.text).includes('[photo]'))).toBe(false);
    expect(t.tg.of('sendMessage').some((c) => String(c.fields.text).includes('文字'))).toBe(false);
    const transcript = await t.store.transcript(`telegram:${CHAT}`, 20);
    expect(transcript.find((e) => e.text === '[photo] 快递盒压坏了')?.file).toMatchObject({ id: 'AgACcrushed' });
    // And it is on the handoff's ticket, with its caption, for whoever reads the matter later.
    const [ticket] = await t.store.tickets.list({ conversationId: `telegram:${CHAT}` });
    expect(ticket?.files).toEqual([expect.objectContaining({ id: 'AgACcrushed', caption: '快递盒压坏了' })]);
  });

  it('sends documents, voice notes and videos the same way, with their names', async () => {
    const t = await setup();
    await t.handoff();
    t.tg.addFile('BQACinvoice', Buffer.from('%PDF invoice'), 'documents/file_7.pdf');
    t.tg.addFile('AwACvoice', Buffer.from('OggS voice'), 'voice/file_8.oga');
    await t.customer({
      document: {
        file_id: 'BQACinvoice',
        file_unique_id: 'd1',
        file_name: '发票.pdf',
        mime_type: 'application/pdf',
        file_size: 12,
      },
      caption: '这是发票',
    });
    await t.customer({
      voice: { file_id: 'AwACvoice', file_unique_id: 'v1', duration: 3, mime_type: 'audio/ogg', file_size: 10 },
    });
    expect(t.slack.of('files.getUploadURLExternal').map((c) => c.body.filename)).toEqual(['发票.pdf', 'file_8.oga']);
    expect(t.slack.of('files.completeUploadExternal').map((c) => c.body.initial_comment)).toEqual([
      ':bust_in_silhouette: 这是发票',
      ':bust_in_silhouette: （语音）',
    ]);
  });

  it('retries a file whose upload fails once, and puts it in the thread once', async () => {
    const t = await setup();
    await t.handoff();
    const bytes = Buffer.from('JPEG bytes');
    t.tg.addFile('AgACretry', bytes);
    t.slack.failUploads(1);
    await t.customer({ photo: photo('AgACretry', bytes.length), caption: '快递盒压坏了' });
    expect(t.slack.of('files.getUploadURLExternal')).toHaveLength(2);
    expect(t.slack.uploads).toHaveLength(1);
    expect(t.slack.of('files.completeUploadExternal')).toHaveLength(1);
    expect(t.log.lines).toContainEqual(
      expect.objectContaining({
        message: 'delivery failed; retrying',
        fields: expect.objectContaining({ effect: 'desk.file' }),
      }),
    );
  });

  it('does not upload a file again when its outbox item is delivered a second time (the lease was lost after the upload)', async () => {
    const t = await setup();
    await t.handoff();
    t.tg.addFile('AgAConce', Buffer.from('JPEG'));
    // The upload completes, then this worker's lease lapses before it can acknowledge the item.
    t.slack.onComplete(() => t.clock.advance(31_000));
    await t.customer({ photo: photo('AgAConce', 4) });
    // Left: the upload, and the file's line on the ticket after it.
    const left = await t.store.peekOutbox(`telegram:${CHAT}`, 10);
    expect(left.map((i) => i.effect.type)).toEqual(['desk.file', 'ticket.update']);
    t.slack.onComplete(() => {});
    await t.engine.recover();
    expect(await t.store.peekOutbox(`telegram:${CHAT}`, 10)).toHaveLength(0);
    expect(t.slack.of('files.completeUploadExternal')).toHaveLength(1);
  });

  it('tells the agents in the thread when a file is too large for the bot to fetch (Telegram: 20 MB)', async () => {
    const t = await setup();
    await t.handoff();
    await t.customer({
      video: { file_id: 'BAACbig', file_unique_id: 'b1', width: 1, height: 1, duration: 60, file_size: 25 * MB },
      caption: '开箱视频',
    });
    expect(t.tg.of('getFile')).toEqual([]);
    expect(t.slack.of('files.getUploadURLExternal')).toEqual([]);
    expect(t.slack.of('chat.postMessage').at(-1)?.body).toMatchObject({
      channel: AGENTS,
      thread_ts: CARD_TS,
      text: ':warning: 客户发送的视频（25 MB）过大，机器人无法取回：客户所在渠道只允许机器人取回 20 MB 以内的文件。请让客户压缩后重发或换其他方式发送。客户附言：开箱视频',
    });
  });
});

describe("an agent's files in the thread", () => {
  const shared = (url: string, extra: Record<string, unknown> = {}) => ({
    id: 'F0WAYBILL',
    name: 'waybill.png',
    mimetype: 'image/png',
    filetype: 'png',
    size: 14,
    mode: 'hosted',
    url_private: url,
    url_private_download: url,
    ...extra,
  });

  it('reach the customer: an image with sendPhoto, with the text as its caption, read with the bot token', async () => {
    const t = await setup();
    await t.handoff();
    const bytes = Buffer.from('PNG of waybill');
    const url = t.slack.serve('F0WAYBILL', 'waybill.png', bytes);
    expect(await t.inThread('UWANG', '这是物流单截图，请查收', [shared(url)])).toBe(200);
    expect(t.slack.downloads).toEqual([
      { path: expect.stringContaining('F0WAYBILL'), authorization: `Bearer ${BOT_TOKEN}` },
    ]);
    const [sent] = t.tg.of('sendPhoto');
    expect(sent?.fields).toMatchObject({ chat_id: String(CHAT), caption: '这是物流单截图，请查收' });
    expect(sent?.files.map((f) => [f.filename, f.data.toString()])).toEqual([['waybill.png', 'PNG of waybill']]);
    // One message on the customer's side: the text went as the caption, not again on its own.
    expect(t.tg.of('sendMessage').map((c) => c.fields.text)).not.toContain('这是物流单截图，请查收');
  });

  it('retries a photo Telegram fails to take once, and sends it once', async () => {
    const t = await setup();
    await t.handoff();
    const url = t.slack.serve('F0WAYBILL', 'waybill.png', Buffer.from('PNG'));
    t.tg.failSends(1);
    await t.inThread('UWANG', '请查收', [shared(url)]);
    expect(t.tg.calls.filter((c) => c.method === 'sendPhoto')).toHaveLength(2);
    expect(await t.store.peekOutbox(`telegram:${CHAT}`, 10)).toEqual([]);
    expect(t.log.lines).toContainEqual(
      expect.objectContaining({
        message: 'delivery failed; retrying',
        fields: expect.objectContaining({ effect: 'reply.file' }),
      }),
    );
  });

  it('sends anything else with sendDocument, and a file without text too', async () => {
    const t = await setup();
    await t.handoff();
    const url = t.slack.serve('F0PDF', '退货单.pdf', Buffer.from('%PDF'));
    await t.inThread('UWANG', '', [
      shared(url, { id: 'F0PDF', name: '退货单.pdf', mimetype: 'application/pdf', size: 4 }),
    ]);
    const [sent] = t.tg.of('sendDocument');
    expect(sent?.fields.caption).toBeUndefined();
    expect(sent?.files.map((f) => f.filename)).toEqual(['退货单.pdf']);
  });

  it("warns the agent in the thread instead of sending a file over Telegram's 50 MB", async () => {
    const t = await setup();
    await t.handoff();
    const url = t.slack.serve('F0HUGE', 'video.mp4', Buffer.from('x'));
    await t.inThread('UWANG', '操作视频', [
      shared(url, { id: 'F0HUGE', name: 'video.mp4', mimetype: 'video/mp4', size: 62 * MB }),
    ]);
    expect(t.slack.downloads).toEqual([]);
    expect(t.tg.calls.filter((c) => /^send(Photo|Document|Video)$/.test(c.method))).toEqual([]);
    expect(t.slack.of('chat.postMessage').at(-1)?.body).toMatchObject({
      thread_ts: CARD_TS,
      text: ':warning: <@UWANG>，您的视频「video.mp4」（62 MB）未发送给客户：客户所在渠道只接收 50 MB 以内的文件。请发送较小的文件或链接。',
    });
  });

  it("never sends the bot token to an address that is not Slack's, and tells the agent why the file did not go", async () => {
    const t = await setup();
    await t.handoff();
    await t.inThread('UWANG', '请查收', [shared('https://files.example.com/waybill.png')]);
    expect(t.tg.of('sendPhoto')).toEqual([]);
    expect(t.slack.of('chat.postMessage').at(-1)?.body.text).toBe(
      ':warning: <@UWANG>，您的图片「waybill.png」未发送给客户：its address is not on Slack; the bot token is not sent there',
    );
  });

  it('keeps the files of someone who has not claimed the conversation internal', async () => {
    const t = await setup();
    await t.handoff();
    const url = t.slack.serve('F0WAYBILL', 'waybill.png', Buffer.from('PNG'));
    await t.inThread('ULI', '看看这个', [shared(url)]);
    expect(t.slack.downloads).toEqual([]);
    expect(t.tg.of('sendPhoto')).toEqual([]);
    const transcript = await t.store.transcript(`telegram:${CHAT}`, 20);
    expect(transcript.map((e) => e.text)).toContain('[internal] 小王: 看看这个 [photo waybill.png]');
  });
});

describe('photos outside a handoff', () => {
  it("are understood by their caption: the caption is the customer's message", async () => {
    const t = await setup();
    await t.customer({ photo: photo('AgACorder', 100), caption: '我的订单还没发货' });
    expect(t.tg.of('sendMessage').at(-1)?.fields.text).toBe('您的意思是想了解订单什么时候发货，对吗？');
    // Nothing is downloaded while the bot has the conversation: the file stays a reference.
    expect(t.tg.of('getFile')).toEqual([]);
  });

  it('alone get the polite request to describe it in words, and are kept on the ticket for the agent', async () => {
    const t = await setup();
    const bytes = Buffer.from('JPEG of the box');
    t.tg.addFile('AgACalone', bytes);
    await t.customer({ photo: photo('AgACalone', bytes.length) });
    expect(t.tg.of('sendMessage').at(-1)?.fields.text).toBe(
      '非常抱歉，我暂时只能处理文字消息，麻烦您用文字描述一下您的问题，好吗？',
    );
    const [line] = await t.store.transcript(`telegram:${CHAT}`, 20).then((all) => all.filter((e) => e.file));
    expect(line).toMatchObject({ from: 'customer', text: '[photo]', file: { source: 'telegram', id: 'AgACalone' } });
    // The matter goes to a person: the ticket has the photo, and it follows the card into the thread.
    await t.customer({ text: '快递盒压坏了，转人工' });
    const [ticket] = await t.store.tickets.list({ conversationId: `telegram:${CHAT}` });
    expect(ticket?.files).toEqual([expect.objectContaining({ source: 'telegram', id: 'AgACalone', kind: 'photo' })]);
    expect(t.slack.of('files.completeUploadExternal').map((c) => c.body)).toEqual([
      expect.objectContaining({ thread_ts: CARD_TS, initial_comment: ':bust_in_silhouette: （图片）' }),
    ]);
    expect(t.slack.uploads[0]?.body.includes(bytes)).toBe(true);
  });
});

describe('files through the Redis store', () => {
  if (!requireRedis()) return;
  it('retries a failed upload and sends it once, and an agent photo reaches the customer', async () => {
    const store = await freshRedisStore();
    cleanup.push(() => store.close());
    const t = await setup({ store });
    await t.handoff();
    t.tg.addFile('AgACredis', Buffer.from('JPEG'));
    t.slack.failUploads(1);
    await t.customer({ photo: photo('AgACredis', 4), caption: '快递盒压坏了' });
    expect(t.slack.of('files.completeUploadExternal')).toHaveLength(1);
    expect(await store.peekOutbox(`telegram:${CHAT}`, 10)).toEqual([]);
    const url = t.slack.serve('F0WAYBILL', 'waybill.png', Buffer.from('PNG'));
    await t.inThread('UWANG', '请查收', [
      { id: 'F0WAYBILL', name: 'waybill.png', mimetype: 'image/png', size: 3, url_private_download: url },
    ]);
    expect(t.tg.of('sendPhoto').map((c) => c.fields.caption)).toEqual(['请查收']);
  });
});
