import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deskText } from '../../adapters/desk/text.js';
import { createSlack, SLACK_EVENTS_PATH } from '../../adapters/slack/index.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import { Engine } from '../../bots/engine.js';
import { memoryLogger } from '../../bots/log.js';
import type { Ticket } from '../../flows/ticket.js';
import { defaultFlow, shanghai } from '../support/flows.js';
import { TestClock } from '../support/harness.js';
import { closeDesk, SECRET, slackApi } from '../support/slack-desk.js';
import { LINK_TTL_MS } from '../support/slack-api.js';

/**
 * `/tickets QUERY` (issue 13): an agent searches tickets from Slack and alone sees the answer.
 * The real Slack adapter on a local port, Slack's Web API stood in (auth.test), commands signed
 * as Slack signs them; tickets in the memory store, as the production wiring passes its store.
 */

const AGENTS = 'CAGENTS';
const QUALITY = 'CQUALITY';

function ticket(id: string, createdAt: number, extra: Partial<Ticket> = {}): Ticket {
  return {
    id,
    type: 'inquiry',
    status: 'answered',
    conversationId: 'telegram:42',
    channel: 'telegram',
    customer: { id: '42' },
    locale: 'zh-CN',
    need: '发票开错了',
    facts: [],
    outcome: 'x',
    createdAt,
    updatedAt: createdAt,
    ...extra,
  };
}

let server: Server | undefined;
afterEach(async () => {
  await closeDesk();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** The Slack app with the search, served locally; `command` types `/tickets TEXT` in a channel. */
async function searchDesk(options: { deskLanguage?: string } = {}) {
  slackApi();
  const clock = new TestClock();
  const store = new MemoryStore(clock.now);
  const log = memoryLogger();
  const slack = createSlack(
    {
      botToken: 'xoxb-test',
      signingSecret: SECRET,
      agentChannel: AGENTS,
      categoryChannels: () => ({ quality: QUALITY }),
      internalPrefix: '//',
      deskText: deskText(options.deskLanguage ?? 'zh-CN'),
      linkTtlMs: LINK_TTL_MS,
      timeZone: () => 'Asia/Shanghai',
    },
    { links: store.links, tickets: store.tickets, log, clock: clock.now },
  );
  const engine = new Engine({
    store,
    flow: () => defaultFlow(undefined, { desk: true }),
    channels: new Map(),
    desk: slack.desk,
    clock: clock.now,
    log,
  });
  const route = slack.receiver(engine).routes?.find((r) => r.path === SLACK_EVENTS_PATH);
  server = createServer((req, res) => route?.handle(req, res));
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  /** Types the command; Slack's HTTP status and the answer's JSON (when 200). */
  const command = async (text: string, channel = AGENTS, sign = SECRET) => {
    const body = new URLSearchParams({
      token: 't',
      team_id: 'T1',
      team_domain: 'shop',
      channel_id: channel,
      channel_name: 'service',
      user_id: 'UWANG',
      user_name: 'wang',
      command: '/tickets',
      text,
      api_app_id: 'A1',
      response_url: 'https://hooks.slack.com/commands/T1/1/x',
      trigger_id: 'tr',
    }).toString();
    const at = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', sign).update(`v0:${at}:${body}`).digest('hex')}`;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-signature': signature,
        'x-slack-request-timestamp': String(at),
      },
      body,
    });
    const raw = await res.text();
    return { status: res.status, answer: res.status === 200 ? (JSON.parse(raw) as Record<string, unknown>) : raw };
  };
  return { store, command };
}

describe('/tickets in Slack (issue 13)', () => {
  it("lists a customer's tickets, newest first, privately to the agent who asked", async () => {
    const desk = await searchDesk();
    await desk.store.tickets.put(ticket('T261101-AAAAAAAAAA', shanghai('2026-11-01T09:00:00'), { satisfaction: 5 }));
    await desk.store.tickets.put(
      ticket('T261130-BBBBBBBBBB', shanghai('2026-11-30T23:30:00'), {
        type: 'complaint',
        status: 'pending',
        category: 'quality',
        need: '耳机坏了，联系我 13812345678 <urgent>',
      }),
    );
    await desk.store.tickets.put(
      ticket('T261115-CCCCCCCCCC', shanghai('2026-11-15T09:00:00'), { customer: { id: '7' } }),
    );
    const { status, answer } = await desk.command('customer:42');
    expect(status).toBe(200);
    expect(answer).toEqual({
      response_type: 'ephemeral',
      text: [
        '共 2 张工单，最新的在前：',
        '*T261130-BBBBBBBBBB* · 2026-11-30 · quality · 待处理 · 未评分 · 耳机坏了，联系我 138****5678 &lt;urgent&gt;',
        '*T261101-AAAAAAAAAA* · 2026-11-01 · inquiry · 已解答 · 5/5 · 发票开错了',
      ].join('\n'),
    });
  });

  it('finds by ticket id, status, dates and words, in the desk language (English)', async () => {
    const desk = await searchDesk({ deskLanguage: 'en' });
    await desk.store.tickets.put(ticket('T261101-AAAAAAAAAA', shanghai('2026-11-01T09:00:00')));
    await desk.store.tickets.put(
      ticket('T261120-DDDDDDDDDD', shanghai('2026-11-20T09:00:00'), { status: 'pending', need: 'Refund not received' }),
    );
    const text = async (q: string) => (await desk.command(q)).answer as { text: string };
    expect((await text('t261101-aaaaaaaaaa')).text).toBe(
      '1 ticket, newest first:\n*T261101-AAAAAAAAAA* · 2026-11-01 · inquiry · answered · not rated · 发票开错了',
    );
    expect((await text('status:pending refund')).text).toMatch(/^1 ticket, newest first:\n\*T261120-DDDDDDDDDD\* /);
    expect((await text('from:2026-11-02 to:2026-11-19')).text).toBe('No ticket matches.');
    expect((await text('to:2026-11-01')).text).toMatch(/^1 ticket, newest first:\n\*T261101-AAAAAAAAAA\* /);
  });

  it('shows 10 tickets and says how many more matched', async () => {
    const desk = await searchDesk();
    for (let i = 0; i < 14; i++)
      await desk.store.tickets.put(
        ticket(`T261101-${String(i).padStart(10, '0')}`, shanghai('2026-11-01T09:00:00') + i),
      );
    const { answer } = await desk.command('发票');
    const lines = String((answer as { text: string }).text).split('\n');
    expect(lines[0]).toBe('找到 14 张工单，显示最新的 10 张：');
    expect(lines.slice(1, 11).map((l) => l.slice(1, 19))).toEqual(
      Array.from({ length: 10 }, (_, i) => `T261101-${String(13 - i).padStart(10, '0')}`),
    );
    expect(lines[11]).toBe(
      '……还有 4 张：请缩小范围（customer:、status:、from:、to:），或使用 `npm run tickets -- search`。',
    );
  });

  it('explains how to search when the query is empty or cannot be read', async () => {
    const desk = await searchDesk({ deskLanguage: 'en' });
    const empty = (await desk.command('')).answer as { response_type: string; text: string };
    expect(empty.response_type).toBe('ephemeral');
    expect(empty.text).toMatch(/^Search tickets: `\/tickets T261130-4KQ9ZC1A7X` \(a ticket\), `\/tickets customer:ID`/);
    const bad = (await desk.command('status:done')).answer as { text: string };
    expect(bad.text.split('\n')[0]).toBe(
      'Cannot search: status: must be one of answered, pending, unresolved, recorded, resolved (got "done").',
    );
    const date = (await desk.command('from:2026-02-30')).answer as { text: string };
    expect(date.text.split('\n')[0]).toMatch(
      /^Cannot search: from: must be a date \(YYYY-MM-DD, Asia\/Shanghai time\)/,
    );
  });

  it("works in a category's channel, and answers politely elsewhere without searching", async () => {
    const desk = await searchDesk();
    await desk.store.tickets.put(ticket('T261101-AAAAAAAAAA', shanghai('2026-11-01T09:00:00')));
    expect(((await desk.command('发票', QUALITY)).answer as { text: string }).text).toMatch(/^共 1 张工单/);
    expect((await desk.command('发票', 'CRANDOM')).answer).toEqual({
      response_type: 'ephemeral',
      text: '工单查询只能在客服频道（转人工卡片所在的频道）中使用。',
    });
  });

  it('refuses a command whose signature is forged', async () => {
    const desk = await searchDesk();
    await desk.store.tickets.put(ticket('T261101-AAAAAAAAAA', shanghai('2026-11-01T09:00:00')));
    const { status, answer } = await desk.command('customer:42', AGENTS, 'not-the-secret');
    expect(status).toBe(401);
    expect(String(answer)).not.toContain('T261101');
  });
});
