import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../flows/ticket.js';
import { requirePostgres } from '../adapters/record/support.js';
import { Browser, consoleFixture, START } from './support.js';

const MIN = 60_000;

/** A complaint handed to people, claimed by an agent, with a promised reply time: what the desk records. */
function handedOff(id: string, conversationId: string, claimed: boolean): Ticket {
  const at = START - 30 * MIN;
  return {
    id,
    type: 'complaint',
    status: 'pending',
    conversationId,
    channel: 'telegram',
    customer: { id: '5550001234', name: '王小明' },
    locale: 'zh-CN',
    need: '快递丢了，请回电 13812345678',
    facts: ['邮箱 wang@example.com'],
    outcome: 'handed to people',
    category: 'delivery',
    promisedBy: START + 60 * MIN,
    ...(claimed ? { claimedBy: { id: 'U1', name: '李客服' } } : {}),
    flowVersion: 'abc123def456',
    events: [
      { type: 'created', at },
      { type: 'handed-off', at },
      { type: 'queued', at },
      ...(claimed ? [{ type: 'claimed' as const, at: at + 5 * MIN, by: { id: 'U1', name: '李客服' } }] : []),
      { type: 'promised', at: at + 6 * MIN, promisedBy: START + 60 * MIN },
    ],
    createdAt: at,
    updatedAt: at + 6 * MIN,
  };
}

describe('the console: pages', () => {
  if (!requirePostgres()) return;
  const fixture = consoleFixture();
  const signedIn = async (role: 'admin' | 'supervisor') => {
    const name = `${role}-${Math.random().toString(36).slice(2, 8)}`;
    await fixture().addAccount(name, role, 'a long password 1');
    const b = new Browser(fixture);
    await b.signIn(name, 'a long password 1');
    return b;
  };

  it('keeps supervisors out of the flows (no link, 403 on every GET and POST) and lets admins in', async () => {
    const supervisor = await signedIn('supervisor');
    const now = await supervisor.get('/console/now');
    expect(now.text).not.toContain('href="/console/flows"');
    expect((await supervisor.get('/console/flows')).status).toBe(403);
    expect((await supervisor.get('/console/flows/anything')).status).toBe(403);
    // With a valid session, CSRF token and Origin: still no edit, publish or rollback.
    const { csrf } = supervisor;
    const edit = { _csrf: csrf, variant: '您好！{ask}' };
    expect((await supervisor.post('/console/flows/texts/opening?file=zh-CN.yaml', edit)).status).toBe(403);
    expect((await supervisor.post('/console/flows/publish', { _csrf: csrf, message: 'mine' })).status).toBe(403);
    expect((await supervisor.post('/console/flows/rollback/1', { _csrf: csrf })).status).toBe(403);
    expect((await fixture().record.flowVersions.list()).map((v) => [v.id, v.active])).toEqual([[1, true]]);
    // The refusals were the role's: the same token and Origin do sign out.
    expect((await supervisor.post('/console/signout', { _csrf: csrf })).location).toBe('/console/signin');
    expect((await (await signedIn('admin')).get('/console/flows')).status).toBe(200);
  });

  it('shows a ticket with its lifecycle and transcript, personal data masked for supervisors only', async () => {
    const { record } = fixture();
    // Served by the seeded v1: the page names it by its number.
    const v1 = (await record.flowVersions.active())!;
    const photo = { source: 'telegram', id: 'AgAC1', kind: 'photo' as const, name: 'box.jpg' };
    await record.tickets.put({
      ...handedOff('T261120-AAAAAAAAAA', 'telegram:5550001234', true),
      flowVersion: v1.hash,
      files: [{ ...photo, caption: '盒子压坏了，回电 13912345678' }],
    });
    await record.archive({ conversationId: 'telegram:5550001234', channel: 'telegram', customerId: '5550001234' }, [
      { at: START - 31 * MIN, from: 'customer', text: '我的快递丢了，电话 13812345678', eventId: 'e1' },
      { at: START - 31 * MIN, from: 'bot', text: '很抱歉，正在为您转人工。', eventId: 'e1' },
    ]);
    const admin = (await (await signedIn('admin')).get('/console/tickets/T261120-AAAAAAAAAA')).text;
    expect(admin).toContain('王小明');
    expect(admin).toContain('13812345678');
    expect(admin).toContain('wang@example.com');
    for (const step of ['created', 'handed-off', 'queued', 'claimed', 'promised'])
      expect(admin).toContain(`data-event="${step}"`);
    expect(admin).toContain('很抱歉，正在为您转人工。');
    expect(admin).toContain(`v1 <code>${v1.hash}</code>`);
    // The photo the customer sent, by kind and name, with their caption.
    expect(admin).toMatch(
      /<ul data-list="files">\s*<li>\s*图片 <code>box.jpg<\/code> <bdi>盒子压坏了，回电 13912345678<\/bdi>/,
    );
    const supervisor = (await (await signedIn('supervisor')).get('/console/tickets/T261120-AAAAAAAAAA')).text;
    expect(supervisor).toContain('个人信息已按主管权限隐藏');
    expect(supervisor).not.toContain('王小明');
    expect(supervisor).not.toContain('13812345678');
    expect(supervisor).not.toContain('5550001234');
    // At most a fifth of an id, at its ends (found by the issue-17 trial: local was lo***al).
    expect(supervisor).toContain('5***4');
    expect(supervisor).not.toContain('wang@example.com');
    expect(supervisor).toContain('138****5678');
    expect(supervisor).toContain('盒子压坏了，回电 139****5678');
    expect(supervisor).not.toContain('13912345678');
    expect(supervisor).toContain('很抱歉，正在为您转人工。');
  });

  it('shows ticket types, statuses, lifecycle steps and speakers in the console words, codes in titles (found by the new-user trial)', async () => {
    const { record } = fixture();
    const at = START - 20 * MIN;
    await record.tickets.put({
      ...handedOff('T261120-EEEEEEEEEE', 'telegram:5', false),
      status: 'resolved',
      satisfaction: 4,
      events: [
        { type: 'created', at },
        { type: 'handed-off', at, detail: 'complaint, after hours' },
        { type: 'escalated', at, detail: 'still-angry' },
        { type: 'resolved', at: at + MIN, by: { id: 'U1', name: '李客服' }, detail: '已补发' },
        { type: 'survey-answered', at: at + 2 * MIN, score: 4 },
      ],
    });
    await record.archive({ conversationId: 'telegram:5', channel: 'telegram', customerId: '5550001234' }, [
      { at, from: 'customer', text: '快递丢了', eventId: 'e5' },
      { at, from: 'bot', text: '正在为您转人工。', eventId: 'e5' },
      // Lines nobody said, as the record keeps them (English), and an internal note.
      { at, from: 'system', text: 'agent 李客服: claim', eventId: 'e6' },
      { at, from: 'agent', text: '[internal] 李客服: 已联系仓库', eventId: 'e7' },
      { at, from: 'system', text: 'agent 李客服: transfer delivery', eventId: 'e8' },
    ]);
    const b = await signedIn('supervisor');
    const cells = (page: string, selector: RegExp) => [...page.matchAll(selector)].map((m) => m[1]);
    const ticket = (await b.get('/console/tickets/T261120-EEEEEEEEEE')).text;
    expect(ticket).toContain('<span title="complaint">投诉</span> · <span title="delivery">物流配送</span>');
    expect(ticket).toContain('<span title="resolved">已办结</span> · 4/5');
    expect(cells(ticket, /<tr data-event="[^"]+">\s*<td>[^<]*<\/td>\s*<td>(.*?)<\/td>/g)).toEqual([
      '<span title="created">创建</span>',
      '<span title="handed-off">转人工</span>',
      '<span title="escalated">升级</span>',
      '<span title="resolved">办结</span>',
      '<span title="survey-answered">客户评分</span>',
    ]);
    // The details that are codes read as words; an agent's outcome as written.
    expect(ticket).toContain('投诉（非工作时间）');
    expect(ticket).toContain('客户情绪未平复');
    expect(ticket).toContain('已补发');
    expect(ticket).not.toMatch(/after hours|still-angry<|>complaint|>resolved</);
    expect(cells(ticket, /<span class="meta">[^<]* · (<span[^>]*>[^<]*<\/span>)<\/span>/g)).toEqual([
      '<span title="customer">客户</span>',
      '<span title="bot">机器人</span>',
      '<span title="system">系统</span>',
      '<span title="agent">客服</span>',
      '<span title="system">系统</span>',
    ]);
    // In the console's words (found by the sixteenth issue-17 session's trial: 系统：agent 小王: handback).
    expect(ticket).toContain('<bdi>李客服 已接入会话。</bdi>');
    expect(ticket).toContain('<bdi>[内部备注] 李客服: 已联系仓库</bdi>');
    expect(ticket).toContain('<bdi>李客服 已将会话转交给「物流配送」。</bdi>');
    expect(ticket).not.toContain('agent 李客服');
    const list = (await b.get('/console/tickets?id=T261120-EEEEEEEEEE')).text;
    expect(list).toMatch(
      /<td><span title="complaint">投诉<\/span><\/td>\s*<td><span title="resolved">已办结<\/span> 4\/5<\/td>/,
    );
    expect(list).toContain('<option value="pending" >待处理</option>');
    // The same page in English.
    await b.request('/console/lang/en');
    const english = (await b.get('/console/tickets/T261120-EEEEEEEEEE')).text;
    expect(english).toContain('<span title="complaint">complaint</span> · <span title="delivery">Delivery</span>');
    expect(english).toContain('<span title="handed-off">handed to people</span>');
    expect(english).toContain('complaint, after hours');
    expect(english).toContain('still upset');
    expect(english).toContain('<bdi>李客服 has the conversation.</bdi>');
    expect(english).toContain('<bdi>[internal note] 李客服: 已联系仓库</bdi>');
  });

  it('searches tickets with the CLI and Slack fields, and lists pending matters by deadline', async () => {
    const { record } = fixture();
    await record.tickets.put({ ...handedOff('T261120-BBBBBBBBBB', 'telegram:2', false), promisedBy: START - MIN });
    const b = await signedIn('admin');
    const pending = (await b.get('/console/tickets')).text;
    expect(pending.indexOf('T261120-BBBBBBBBBB')).toBeLessThan(pending.indexOf('T261120-AAAAAAAAAA'));
    expect(pending).toContain('已超时');
    const found = (await b.get('/console/tickets?id=t261120-bbbbbbbbbb')).text;
    expect(found).toContain('data-ticket="T261120-BBBBBBBBBB"');
    expect(found).not.toContain('data-ticket="T261120-AAAAAAAAAA"');
  });

  it('says what is wrong with a search in the console language, beside the form as filled in (found by the new-user trial)', async () => {
    const b = await signedIn('supervisor');
    const problem = (page: string) => /<p class="problem" role="alert">([^<]*)<\/p>/.exec(page)?.[1];
    const status = await b.get('/console/tickets?status=lost');
    expect(status.status).toBe(400);
    expect(problem(status.text)).toBe(
      '状态只能是：已解答（answered）、待处理（pending）、未解决（unresolved）、已记录（recorded）、已办结（resolved）；收到的是“lost”。',
    );
    // Where htmx puts the results, with the search form kept as it was filled in.
    const range = await b.get('/console/tickets?text=%E5%BF%AB%E9%80%92&from=2026-11-20&to=2026-11-01');
    expect(range.status).toBe(400);
    expect(range.text).toMatch(
      /<div id="results"><p class="problem" role="alert">起始日期不能晚于截止日期（收到的是 2026-11-20 和 2026-11-01）。<\/p><\/div>/,
    );
    expect(range.text).toContain('name="from" type="date" value="2026-11-20"');
    expect(range.text).toContain('name="text" type="text" value="快递"');
    const date = await b.get('/console/tickets?to=yesterday');
    expect(problem(date.text)).toBe(
      '截止日期须为日期（YYYY-MM-DD，按 Asia/Shanghai 时间）或带时区的时间，如 2026-11-30T09:00:00+08:00；收到的是“yesterday”。',
    );
    expect(problem((await b.get('/console/tickets?customer=%20&id=%20')).text)).toBeUndefined();
    // A 400 is swapped in by htmx like a page (its default shows no 4xx answer).
    expect(range.text).toContain('{&quot;code&quot;:&quot;400&quot;,&quot;swap&quot;:true}');
    await b.request('/console/lang/en');
    expect(problem((await b.get('/console/tickets?status=lost')).text)).toBe(
      'Status must be one of answered, pending, unresolved, recorded, resolved (got &quot;lost&quot;).',
    );
    expect(problem((await b.get('/console/tickets?from=2026-11-20&to=2026-11-01')).text)).toBe(
      'From must be before To (got 2026-11-20 and 2026-11-01).',
    );
  });

  it('shows Now: the queued handoff, the agent who holds a conversation', async () => {
    const { record, store } = fixture();
    await record.tickets.put(handedOff('T261120-CCCCCCCCCC', 'telegram:3', false));
    await store.queue.join('telegram:3', START - 12 * MIN);
    const held = handedOff('T261120-DDDDDDDDDD', 'telegram:4', true);
    await record.tickets.put({ ...held, claimedBy: { id: 'U2', name: '赵客服' } });
    const b = await signedIn('supervisor');
    const now = (await b.get('/console/now')).text;
    const queue = /<table data-list="queue">[\s\S]*?<\/table>/.exec(now)?.[0] ?? '';
    expect(queue).toContain('T261120-CCCCCCCCCC');
    expect(queue).toContain('<td class="num">12 分钟</td>');
    expect(queue).not.toContain('王小明');
    const agents = /<ul class="agents">[\s\S]*?<\/ul>/.exec(now)?.[0] ?? '';
    expect(agents).toMatch(/赵客服[\s\S]*1 个会话[\s\S]*T261120-DDDDDDDDDD/);
    // Sessions started in the last hour, named as that (the record keeps no end: found by the
    // issue-17 trial, "in progress" listed finished ones), with a pending ticket if they have one.
    expect(now).toMatch(/<h2 id="progress-h">近一小时开始的会话 \(\d+\)<\/h2>/);
    // The panel htmx reloads is the same, alone.
    expect((await b.get('/console/now?part=1')).text).toMatch(/^<div id="now"/);
  });

  it('says how long customers have waited in the console language (found by the new-user trial: 0 min)', async () => {
    const { store } = fixture();
    await store.queue.join('telegram:8', START - 100 * MIN);
    await store.queue.join('telegram:9', START - 40_000);
    const b = await signedIn('supervisor');
    const waited = async () => {
      const now = (await b.get('/console/now')).text;
      return [...now.matchAll(/<td class="num">([^<]*)<\/td>\s*<\/tr>/g)].map((m) => m[1]);
    };
    const zh = await waited();
    expect(zh).toEqual(expect.arrayContaining(['1 小时 40 分钟', '不到 1 分钟']));
    expect(zh.join(' ')).not.toMatch(/[a-z]/);
    await b.request('/console/lang/en');
    expect(await waited()).toEqual(expect.arrayContaining(['1 h 40 min', 'under a minute']));
  });

  it('shows the monthly report with its charts, by month and by range, in the chosen language', async () => {
    const b = await signedIn('supervisor');
    const page = await b.get('/console/reports?month=2026-11');
    expect(page.text).toContain('<iframe class="report"');
    expect(page.text).toContain('src="/console/reports/view?month=2026-11"');
    const view = await b.request('/console/reports/view?month=2026-11');
    const report = await view.text();
    expect(view.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(report).toContain('2026-11');
    expect(report.match(/<svg/g)?.length).toBeGreaterThan(2);
    expect(report).toContain('data-figure="matters"');
    await b.request('/console/lang/en');
    const range = await (await b.request('/console/reports/view?from=2026-11-01&to=2026-11-15')).text();
    expect(range).toContain('<html lang="en">');
    expect(range).toContain('2026-11-01..2026-11-15');
    expect((await b.get('/console/reports?month=2026-13')).status).toBe(400);
  });

  it('says what is wrong with a report period in the console language, beside the form as filled in (found by the new-user trial)', async () => {
    const b = await signedIn('supervisor');
    const problem = (page: string) => /<p class="problem" role="alert">([^<]*)<\/p>/.exec(page)?.[1];
    const month = await b.get('/console/reports?month=2026-13');
    expect(month.status).toBe(400);
    expect(problem(month.text)).toBe('月份须为 YYYY-MM，如 2026-11；收到的是“2026-13”。');
    expect(month.text).toContain('name="month" type="month" value="2026-13"');
    expect(month.text).not.toContain('<iframe');
    // The form sends all three fields: a range given wins over the month, and needs both ends.
    const half = await b.get('/console/reports?month=2026-11&from=2026-11-05&to=');
    expect(problem(half.text)).toBe('起始日期和截止日期须同时填写（含截止日期当天）。');
    expect(half.text).toContain('name="from" type="date" value="2026-11-05"');
    const order = await b.get('/console/reports?from=2026-11-20&to=2026-11-01');
    expect(problem(order.text)).toBe('截止日期（2026-11-01）早于起始日期（2026-11-20）。');
    const view = await b.request('/console/reports/view?from=2026-11-31&to=2026-12-01');
    expect([view.status, await view.text()]).toEqual([400, '起始日期须为日期 YYYY-MM-DD；收到的是“2026-11-31”。']);
    await b.request('/console/lang/en');
    expect(problem((await b.get('/console/reports?from=2026-11-20&to=2026-11-01')).text)).toBe(
      'To (2026-11-01) is before From (2026-11-20).',
    );
  });
});
