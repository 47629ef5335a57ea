import { runMain } from '../support/cli.js';
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bots/app/main.js';
import { DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';
import { MONDAY_AFTERNOON, openPlayground, runPlayground } from '../support/playground.js';
import { harness } from '../support/harness.js';
import { freshRedisStore, redisUrl, requireRedis, testPrefix } from '../support/redis.js';
import { PROGRAM } from '../support/program.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * Runs the product's entry point as `npm start` does, with lines on stdin. A process start costs
 * seconds, so only what needs the real process (exit codes, stderr, the CLI tools) spawns one;
 * conversations run in-process through `runPlayground`, the same wiring.
 */
function spawnMain(
  input: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...PROGRAM, ...withClock(args)],
      // Without the system of record unless a test asks (record-wiring.test.ts runs it with PGlite).
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RECORD_STORE: 'off', ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

const lines = (out: string) => out.trim().split('\n');

/** Runs a tool as `npm run …` does, in this process, without the system of record unless `env` asks. */
const runTool = (args: string[], env: Record<string, string> = {}) => runMain({ RECORD_STORE: 'off', ...env }, ...args);

/** The playground runs at MONDAY_AFTERNOON unless the test sets its own time; the tools take no clock. */
function withClock(args: string[]): string[] {
  if (args[0] === 'flows' || args[0] === 'tickets' || args[0] === 'unanswered' || args.includes('--at')) return args;
  return [...args, '--at', MONDAY_AFTERNOON];
}

/** What the playground prints for a script, in-process (see test/support/playground.ts). */
async function play(script: string, options: Parameters<typeof runPlayground>[1] = {}): Promise<string[]> {
  return (await runPlayground(script, options)).out;
}

describe('playground entry point (one process, as `npm start` runs it)', () => {
  it('runs the standard conversation in Chinese from stdin and records the ticket', async () => {
    const script = '你好\n我的订单还没发货\n是的\n没有了，谢谢\n5\n/tickets\n';
    const { code, stdout } = await spawnMain(script);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out[0]).toMatch(/^bot> (早上好\uff01)?您好\uff0c本店欢迎您的光临\uff01请问有什么可以帮您\uff1f$/);
    expect(out).toContain('bot> 您的意思是想了解订单什么时候发货，对吗？');
    expect(out).toContain('     [是的] [不是]');
    expect(out.some((l) => l.startsWith('bot> 一般情况下，付款成功后 48 小时内发货'))).toBe(true);
    expect(out).toContain('bot> 请问还有其他可以帮助您的吗？');
    expect(out).toContain('     [5 非常满意] [4 满意] [3 一般] [2 不满意] [1 非常不满意]');
    expect(out).toContain('bot> 感谢您的评价（5 分），我们会继续努力的。祝您生活愉快！');
    expect(out.at(-1)).toMatch(/^playground> T\d{6}-\w{10} inquiry answered need="我的订单还没发货" satisfaction=5 /);
    // The in-process playground the other tests use prints exactly the same, so those tests test
    // what `npm start` shows (but for the ticket number: it hashes when the conversation began, to the ms).
    const numbered = (text: string[]) => text.map((l) => l.replace(/T\d{6}-\w{10}/g, 'T…'));
    expect(numbered(await play(script))).toEqual(numbered(out));
  });
});

describe('playground (scripted, as in the README)', () => {
  it('runs it in English with --lang en', async () => {
    const out = await play('hello\nhow can I pay?\nyes\nno thanks\n4\n', { lang: 'en' });
    expect(out[0]).toMatch(/^bot> (Good morning|Hello), welcome to Our Shop! How can I help you today\?$/);
    expect(out).toContain(
      'bot> If I understand you correctly, you would like to know which payment methods you can use. Is that right?',
    );
    expect(out).toContain('     [Yes] [No]');
    expect(out.at(-1)).toBe(
      'bot> Thank you for your rating (4). We will keep working to serve you better. Have a nice day!',
    );
  });

  it('lets time pass with /wait so an idle customer is closed politely', async () => {
    const out = await play('你好\n/wait 11\n');
    expect(out.slice(-2)).toEqual([
      'playground> 11 minutes later…',
      'bot> 由于您较长时间没有回复，本次会话先为您结束。如果您还有其他问题，欢迎随时联系我们，祝您生活愉快！',
    ]);
  });

  it('takes a complaint in Chinese through the de-escalation steps to a ticket with a promised time', async () => {
    const out = await play(
      '你们什么破公司\uff01我要投诉\uff01\uff01\n买的耳机才用三天就坏了\n/wait 10s\n订单号 20261120001\uff0c昨天收到的\n没有了\n不行\uff0c我要退款\n/tickets\n',
    );
    // The two angry lines are answered once, after the pause: apology, then clarification.
    expect(out[0]).toBe('playground> 10 seconds later…');
    expect(out[1]).toMatch(/^bot> .*抱歉/);
    expect(out[2]).toBe(
      'bot> 为了更快为您处理\uff0c我先和您确认一下\uff1a情况\uff1a买的耳机才用三天就坏了。麻烦您再告诉我您的订单号、大概是什么时候发生的\uff0c好吗\uff1f',
    );
    // The record is repeated, and the customer asked whether there is anything to add (003 有无补充).
    const repeated = out.indexOf(
      'bot> 我重复一下您反映的情况\uff1a订单号\uff1a20261120001\uff1b情况\uff1a买的耳机才用三天就坏了\uff1b时间\uff1a昨天。',
    );
    expect(repeated).toBeGreaterThan(0);
    expect(out[repeated + 1]).toBe('bot> 请问您还有其他要补充的吗\uff1f');
    expect(out[repeated + 2]).toMatch(/^bot> 针对您反映的情况\uff0c我们的处理方案是\uff1a签收后 7 天内/);
    expect(
      out.some((l) =>
        /^bot> 非常感谢您反映的意见\uff0c您的投诉已登记\uff08编号 T\d{6}-\w{10}\uff09。.*48小时内给您明确的答复/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(out.at(-1)).toMatch(
      /^playground> T\d{6}-\w{10} complaint pending need="买的耳机才用三天就坏了" category=quality priority=normal promisedBy=\S+ outcome="feedback path: reply promised within 48 h"$/,
    );
  });

  it('keeps the promised reply time: two days later the customer hears the complaint is escalated', async () => {
    const out = await play(
      '我要投诉\n/wait 10s\n订单号 20261120001\uff0c昨天\uff0c耳机坏了\n没有了\n不行\n/wait 49h\n/tickets\n',
    );
    const ticket = /编号 (T\d{6}-\w{10})/.exec(out.find((l) => l.includes('您的投诉已登记')) ?? '')?.[1];
    expect(ticket).toBeDefined();
    expect(out).toContain('playground> 49 hours later…');
    expect(out).toContain(
      `bot> 您好\uff0c关于您反映的问题\uff08编号 ${ticket}\uff09\uff0c很抱歉到目前还没能给您处理结果。我们已将它升级加急处理\uff0c主管会尽快与您联系。给您添麻烦了\uff0c感谢您的耐心与谅解\uff01`,
    );
    expect(out.at(-1)).toMatch(
      new RegExp(`^playground> ${ticket} complaint pending .*priority=high .*escalated=promise-overdue`),
    );
  });

  it('takes a complaint in English, and answers a trailing one before the script ends', async () => {
    const out = await play(
      'This is a scam!! I want to complain\nmy headphones broke\n/wait 10s\norder 1234567, last week\nno\nno\n',
    );
    expect(out).toContain(
      'bot> Let me repeat what you told me: order: 1234567; what happened: my headphones broke; when: last week.',
    );
    expect(out).toContain('bot> Is there anything else you would like to add?');
    expect(
      out.some((l) =>
        /^bot> Thank you for telling us\. Your complaint is registered .* within 48 hours \(counted on working days\), by Nov 25, 15:\d\d at the latest\.$/.test(
          l,
        ),
      ),
    ).toBe(true);
    // A supervisor request escalates; with agents at the desk, to a person at once.
    const out2 = await play('I want to speak to your manager!!\n');
    // An English-speaking customer; the agents still read their desk in Chinese.
    // The category is named from the definition in the desk's language, not by its id.
    expect(out2.some((l) => /^desk> ── 转人工\uff1a投诉 · 优先级\uff1a紧急 · 类别\uff1a其他 · 工单 /.test(l))).toBe(
      true,
    );
    expect(
      out2.some((l) => /^bot> Connecting you to a member of our team\. You are number 1 in the queue/.test(l)),
    ).toBe(true);
  });

  it('lets you try the whole handoff: ask for a person, claim as the agent, chat both ways, close with a survey', async () => {
    const out = await play(
      [
        '我的订单还没发货\uff0c转人工',
        '订单号 20261120001',
        '/agent claim',
        '/agent@小李 claim',
        '/agent reply 您好\uff0c我查一下您的订单',
        '/agent reply 这是公司规定\uff0c我也没办法',
        '/agent note 仓库已催',
        '好的\uff0c谢谢',
        '/agent close',
        '5',
        '/tickets',
      ].join('\n') + '\n',
    );
    const at = (re: RegExp) => out.findIndex((l) => re.test(l));
    // The customer hears first, then the card reaches the desk.
    const told = at(/^bot> 正在为您转接人工客服\uff0c您目前排在第 1 位/);
    // Agents read their desk in Chinese (DESK_LANGUAGE, here the default locale).
    const card = at(/^desk> ── 转人工\uff1a客户要求人工服务 · 优先级\uff1a普通 · 工单 T\d{6}-\w{10}$/);
    expect(told).toBeGreaterThanOrEqual(0);
    expect(card).toBeGreaterThan(told);
    expect(out).toContain('desk>    客户诉求\uff1a我的订单还没发货');
    expect(out).toContain('desk> [客户] 订单号 20261120001');
    expect(out).toContain('desk> 小王 已接入会话。');
    expect(out).toContain('bot> 您好，客服 小王 为您服务，转接前的对话我都看过了。请问还有什么需要补充的吗？');
    expect(out).toContain('desk> (仅 pg:小李 可见) 该会话由 小王 负责\uff0c您的消息仅内部可见');
    expect(out).toContain('bot> 您好\uff0c我查一下您的订单');
    expect(out.some((l) => l.startsWith('desk> (仅 pg:小王 可见) 未发送\uff1a“这是公司规定”'))).toBe(true);
    expect(out.some((l) => l.startsWith('bot> 这是公司规定'))).toBe(false);
    expect(out).toContain('desk> [客户] 好的\uff0c谢谢');
    expect(out).toContain('desk> 小王 已结束会话。');
    expect(out.some((l) => l.startsWith('bot> 为了不断改进我们的服务'))).toBe(true);
    // A live handoff promised no reply time (left by the issue-17 trial: the ticket showed the next working day's).
    expect(out.at(-1)).toMatch(
      /^playground> T\d{6}-\w{10} inquiry resolved need="我的订单还没发货" priority=normal satisfaction=5 outcome="resolved by 小王"$/,
    );
  });

  it("reads an agent's reply as Slack reads a thread message: internal notes and commands stay on the desk (found by the issue-12 trial)", async () => {
    const out = await play(
      [
        '转人工',
        '/agent claim',
        '/agent reply ／／内部：这个客户上周退过货',
        '/agent reply //内部：a',
        '/agent reply 您好',
        '/agent reply !close',
      ].join('\n') + '\n',
    );
    expect(out.filter((l) => l.startsWith('bot> ') && /内部|!close/.test(l))).toEqual([]);
    expect(out).toContain('bot> 您好');
    expect(out).toContain('desk> 小王 已结束会话。');
  });

  // Found by the issue-13 trial: the note went to the customer as the outcome of the matter.
  it('resolves with an internal note (/agent resolve //…) without telling the customer the note', async () => {
    const out = await play(['转人工', '/agent claim', '/agent resolve //内部：已退款', '/tickets'].join('\n') + '\n');
    expect(out.filter((l) => l.startsWith('bot> ') && /内部|已退款|\/\//.test(l))).toEqual([]);
    expect(out).toContain('desk> 小王 已办结该事项。');
    expect(out.at(-1)).toMatch(
      /^playground> T\d{6}-\w{10} inquiry resolved .*outcome="resolved by 小王: 内部：已退款"$/,
    );
  });

  it('records a need it cannot answer with a promised reply time (003 无法当场答复) instead of asking to rephrase', async () => {
    const out = await play('你们的会员积分怎么用\n是的\n/tickets\n');
    expect(out).toContain('bot> 您的意思是“你们的会员积分怎么用”，对吗？');
    const promise = out.find((l) => l.startsWith('bot> 您的这个问题'));
    const id = /服务编号 (T\d{6}-\w{10})/.exec(promise ?? '')?.[1];
    expect(promise).toBe(
      `bot> 您的这个问题我需要进一步核实后才能回复您，已为您记录（服务编号 ${id}），我们会在24小时内有专人与您联系（按工作日计，最迟 11月24日 15:00），请您留意。`,
    );
    expect(out).toContain('bot> 请问还有其他可以帮助您的吗？');
    expect(out.join('\n')).not.toMatch(/换一种说法|换个说法/);
    expect(out.at(-1)).toMatch(
      new RegExp(
        `^playground> ${id} inquiry pending need="你们的会员积分怎么用" promisedBy=\\S+ outcome="no knowledge-base answer for the confirmed need; follow-up promised within 24 h"$`,
      ),
    );
  });

  it('answers a social message with a need in it twice over: the thanks, then the need confirmed', async () => {
    const out = await play('我的订单还没发货\n是的\n谢谢，另外发票怎么开\n');
    expect(out.slice(-3)).toEqual([
      expect.stringMatching(/^bot> (不用客气，这是我们应该做的。|不客气，很高兴能为您服务。)$/),
      'bot> 您的意思是想开具发票，对吗？',
      '     [是的] [不是]',
    ]);
    const en = await play('my order has not shipped yet\nyes\nthanks, and how do I get an invoice?\n', { lang: 'en' });
    expect(en.slice(-3)).toEqual([
      expect.stringMatching(/^bot> You're welcome/),
      'bot> If I understand you correctly, you would like to get an invoice. Is that right?',
      '     [Yes] [No]',
    ]);
  });

  it('answers a non-text message politely', async () => {
    const out = await play('/send photo\n');
    expect(out).toContain(
      'bot> 非常抱歉\uff0c我暂时只能处理文字消息\uff0c麻烦您用文字描述一下您的问题\uff0c好吗\uff1f',
    );
  });
});

describe('entry point refuses to start, and the tools (exit code and stderr)', () => {
  it('exits with every bad variable listed when the environment is wrong', async () => {
    const { code, stdout, stderr } = await spawnMain('你好\n', [], {
      REDIS_URL: 'localhost',
      DEDUP_TTL_HOURS: '1',
      DESK_LANGUAGE: 'fr',
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(stderr).toContain('DEDUP_TTL_HOURS: must be at least 24');
    expect(stderr).toContain('DESK_LANGUAGE: must be zh-CN or en');
  });

  it('explains a flag it does not know, or one without its value, with the usage (exit 2, no stack trace)', async () => {
    const unknown = await runTool(['--bogus']);
    const missing = await runTool(['--at']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown option '--bogus'/);
    expect(unknown.stderr).toContain('Usage:');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^Option '--at <value>' argument missing/);
    expect(`${unknown.stderr}${missing.stderr}`).not.toMatch(/Unexpected error|\n\s+at /);
  });

  it('ends quietly when the reader of its output stops (npm start | head -1)', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [...PROGRAM, '--at', MONDAY_AFTERNOON], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RECORD_STORE: 'off' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Like `head -1`: read the first output, then stop reading.
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => resolve({ code, stderr }));
      child.stdin.end('你好\n我的订单还没发货\n是的\n');
    });
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });

  it('refuses to start on broken flow files, naming file and path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-flows-'));
    cpSync(DEFAULT_FLOWS_DIR, dir, { recursive: true });
    const file = join(dir, 'zh-CN.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^\s+answer: ".*暂时还没有开展货到付款业务.*$/m, ''));
    const { code, stderr } = await spawnMain('你好\n', ['--flows', dir]);
    expect(code).toBe(1);
    expect(stderr).toContain('zh-CN.yaml: faq[1].answer: required');
  });

  it('validates definitions with flows check', async () => {
    const ok = await runTool(['flows', 'check']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: en\.yaml, zh-CN\.yaml \(version [0-9a-f]{12}\)/);
  });

  it('explains where tickets and unanswered questions are when there is no Redis', async () => {
    const tickets = await runTool(['tickets']);
    const unanswered = await runTool(['unanswered']);
    expect(tickets.code).toBe(2);
    expect(tickets.stderr).toContain('Tickets are kept in Redis: set REDIS_URL');
    expect(unanswered.code).toBe(2);
    expect(unanswered.stderr).toContain('With RECORD_STORE=off unanswered questions are kept in Redis: set REDIS_URL');
    // Resolving goes through the running bot, whose conversations are in Redis, wherever tickets are (found by the third issue-17 trial).
    const resolve = await runTool(['tickets', 'resolve', 'T261130-4KQ9ZC1A7X']);
    expect(resolve.code).toBe(2);
    expect(resolve.stderr).toMatch(
      /^A resolution is queued for the running bot, which tells the customer: set REDIS_URL/,
    );
  });
});

describe.runIf(requireRedis())('playground and tickets on Redis', () => {
  const base = testPrefix('pg');
  let n = 0;
  /** Each test on its own key prefix (REDIS_PREFIX), so they never see each other's tickets. */
  const redisEnv = () => ({ REDIS_URL: redisUrl, REDIS_PREFIX: `${base}${++n}:`, RECORD_STORE: 'off' });

  afterAll(async () => {
    const raw = new Redis(redisUrl);
    const keys = await raw.keys(`${base}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
  });

  /** One need answered from the knowledge base, one it cannot answer (recorded with a promise): two tickets. */
  const recordTwoTickets = (env: Record<string, string>) =>
    play('能货到付款吗\n是的\n还有问题\n你们支持花呗分期吗\n是的\n', { env });

  it('says so and goes on when the store fails on a line, and answers once it is mended (found by the issue-17 trial)', async () => {
    const env = redisEnv();
    const raw = new Redis(redisUrl);
    const pg = await openPlayground({ env });
    const due = `${env.REDIS_PREFIX}{timers}:due`;
    try {
      await pg.line('你好');
      const kept = await raw.zrange(due, 0, -1, 'WITHSCORES');
      await raw.del(due);
      await raw.set(due, 'not a sorted set');
      expect(await pg.line('/wait 11')).toBe(true);
      expect(pg.out.at(-1)).toMatch(/^playground> that line could not be done: .*WRONGTYPE.*The bot goes on/);
      await raw.del(due);
      if (kept.length > 0) await raw.zadd(due, ...kept.flatMap((v, i) => (i % 2 ? [] : [kept[i + 1]!, v])));
      await pg.line('我的订单还没发货');
      expect(pg.out.slice(-2)).toEqual(['bot> 您的意思是想了解订单什么时候发货，对吗？', '     [是的] [不是]']);
    } finally {
      await pg.close();
      await raw.quit();
    }
  });

  it('lists the tickets a conversation recorded, from the tools (their own connection)', async () => {
    const env = redisEnv();
    await recordTwoTickets(env);
    const all = await runTool(['tickets'], env);
    const pending = await runTool(['tickets', '--status', 'pending'], env);
    expect(all.code).toBe(0);
    // Both were recorded at the same instant of the playground's clock: their order is the ids'.
    const rows = lines(all.stdout).sort((a, b) => (a.includes('pending') ? -1 : 0) - (b.includes('pending') ? -1 : 0));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /^T\d{6}-\w{10} \S+ inquiry pending playground customer=local need="你们支持花呗分期吗" promisedBy=/,
    );
    expect(rows[1]).toMatch(/^T\d{6}-\w{10} \S+ inquiry answered playground customer=local need="能货到付款吗"$/);
    expect(lines(pending.stdout)).toHaveLength(1);
  });

  it('resolves a ticket from the tools through its conversation: queued for the running bot (issue 13)', async () => {
    const env = redisEnv();
    await recordTwoTickets(env);
    const store = await freshRedisStore({}, env.REDIS_PREFIX);
    try {
      const [ticket] = await store.tickets.list({ status: 'pending' });
      const id = ticket?.id ?? '';
      expect(id).toMatch(/^T\d{6}-\w{10}$/);
      const resolved = await runTool(['tickets', 'resolve', id, '--note', '电话回访已解决'], env);
      expect(resolved).toMatchObject({
        code: 0,
        stdout: `${id} queued for resolution; the running bot sends the customer the follow-up survey within 24 h\n`,
      });
      const queued = await store.peekInbox(ticket?.conversationId ?? '');
      expect(queued && 'payload' in queued ? queued.payload : undefined).toMatchObject({
        type: 'agent',
        action: 'resolve',
        ticketId: id,
        note: '电话回访已解决',
      });
    } finally {
      await store.close();
    }
  });

  /** Queues a resolution from outside, in-process as `npm run tickets -- resolve ID …` does (what it printed). */
  async function resolveFromCli(env: Record<string, string>, ...argv: string[]): Promise<string> {
    let printed = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((printed += String(chunk)), true));
    // Staff resolve it during the playground's afternoon (the CLI stamps its own clock): the run
    // does not depend on when the tests run (a resolution at night defers the survey to the morning).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(MONDAY_AFTERNOON) + 3_600_000);
    const code = await main(['tickets', 'resolve', ...argv], env).finally(() => {
      vi.useRealTimers();
      vi.restoreAllMocks();
    });
    expect(code).toBe(0);
    return printed;
  }

  async function pendingTicket(env: Record<string, string>): Promise<string> {
    const store = await freshRedisStore({}, env.REDIS_PREFIX);
    try {
      const [ticket] = await store.tickets.list({ status: 'pending' });
      return ticket?.id ?? '';
    } finally {
      await store.close();
    }
  }

  // Found by the issue-13 trial: the playground on Redis has no recovery sweep, so a resolution
  // queued by `npm run tickets -- resolve` never ran. A scripted run sweeps before each line and at /wait.
  it('runs a resolution queued from outside at /wait, and not before: the customer gets the outcome and the survey', async () => {
    const env = redisEnv();
    const pg = await openPlayground({ env });
    try {
      for (const line of ['能货到付款吗', '是的', '还有问题', '你们支持花呗分期吗', '是的', '没有了', '5'])
        await pg.line(line);
      const id = await pendingTicket(env);
      expect(id).toMatch(/^T\d{6}-\w{10}$/);
      expect(await resolveFromCli(env, id, '--outcome', '已为您开通花呗分期，下单时选择即可', '--by', '小李')).toMatch(
        /queued/,
      );
      const before = pg.out.length;
      // Nothing runs by itself in a scripted run: it stays deterministic.
      expect(pg.out.length).toBe(before);
      await pg.line('/wait 10s');
      expect(pg.out.slice(before)).toEqual([
        `bot> 关于您的问题（编号 ${id}）：已为您开通花呗分期，下单时选择即可`,
        'desk> 小李 已办结该事项。',
        `bot> 您好，您反映的问题（编号 ${id}）已处理完毕。为了不断改进我们的服务，麻烦您为这次处理打个分（1-5 分，5 分为非常满意）：`,
        '     [5 非常满意] [4 满意] [3 一般] [2 不满意] [1 非常不满意]',
        'playground> 10 seconds later…',
      ]);
    } finally {
      await pg.close();
    }
  });

  it('runs a resolution queued from outside before the next line it reads', async () => {
    const env = redisEnv();
    await recordTwoTickets(env);
    const id = await pendingTicket(env);
    await resolveFromCli(env, id, '--outcome', '已为您开通花呗分期，下单时选择即可');
    const out = await play('/tickets\n', { env });
    expect(out[0]).toBe(`bot> 关于您的问题（编号 ${id}）：已为您开通花呗分期，下单时选择即可`);
    expect(out).toContainEqual(expect.stringMatching(new RegExp(`^playground> ${id} inquiry resolved `)));
  });

  it('refuses an unknown status and a ticket that does not exist', async () => {
    const env = redisEnv();
    const bad = await runTool(['tickets', '--status', 'lost'], env);
    const missing = await runTool(['tickets', 'resolve', 'T000000-NOSUCHTKT'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--status must be one of answered, pending, unresolved, recorded, resolved');
    expect(missing.code).toBe(1);
  });

  it('lists what customers asked that the knowledge base could not answer, most asked first, from the tools', async () => {
    const env = redisEnv();
    const store = await freshRedisStore({}, env.REDIS_PREFIX);
    try {
      // Three customers, a minute apart; the first two ask the same question, written differently.
      const h = harness(store);
      const asked: Array<[string, string]> = [
        ['a', '你们的会员积分怎么用'],
        ['b', '我想问下你們的會員積分怎麼用？'],
        ['c', 'do you have a loyalty program?'],
      ];
      for (const [customer, question] of asked) {
        await h.say(customer, question);
        await h.say(customer, customer === 'c' ? 'yes' : '是的');
        h.clock.advance(60_000);
      }
      expect(h.channel.texts('b').at(-2)).toMatch(/^您的这个问题我需要进一步核实后才能回复您，已为您记录（服务编号 T/);
    } finally {
      await store.close();
    }
    const byCount = await runTool(['unanswered'], env);
    const recent = await runTool(['unanswered', '--sort', 'recent', '--limit', '1'], env);
    const en = await runTool(['unanswered', '--locale', 'en'], env);
    const bad = await runTool(['unanswered', '--sort', 'often'], env);
    const header = 'count  last asked (UTC)      first asked (UTC)     locale  question';
    const zh = '    2  2026-11-23T07:01:00Z  2026-11-23T07:00:00Z  zh-CN   会员积分怎么用';
    const english = '    1  2026-11-23T07:02:00Z  2026-11-23T07:02:00Z  en      do you have a loyalty program';
    expect(byCount).toMatchObject({ code: 0, stdout: [header, zh, english, ''].join('\n') });
    expect(lines(recent.stdout)).toEqual([header, english]);
    expect(lines(en.stdout)).toEqual([header, english]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--sort must be count or recent (got "often")');
  });

  it('resumes the conversation on Redis after the playground restarts', async () => {
    const env = redisEnv();
    await play('你好\n我的订单还没发货\n', { env });
    const out = await play('是的\n', { env });
    expect(out[0]).toMatch(/^bot> 一般情况下\uff0c付款成功后 48 小时内发货/);
  });
});
