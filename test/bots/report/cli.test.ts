import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../../adapters/store/memory.js';
import type { RedisStore } from '../../../adapters/store/redis.js';
import { main } from '../../../bots/app/main.js';
import { parseConfig } from '../../../bots/config.js';
import { parsePeriod, runReport } from '../../../bots/report/cli.js';
import { computeReport } from '../../../bots/report/compute.js';
import { readReportData, reportSourceFromStore } from '../../../bots/report/source.js';
import { defaultDefinition, shanghai as sh } from '../../support/flows.js';
import { freshRedisStore, redisUrl, requireRedis, testPrefix } from '../../support/redis.js';
import { MONTH, NOVEMBER, T } from './month.js';

/**
 * `npm run report` (issue 14) as staff run it, in-process through the tools' `main`, against real
 * Redis on a prefix of its own (the stop-gap source reads today's ticket store), and the stop-gap
 * source itself on the memory store.
 */

async function capture(work: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await work(), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

const run = (env: NodeJS.ProcessEnv, ...argv: string[]) => capture(() => main(['report', ...argv], env));
const TZ = 'Asia/Shanghai';
const NOW = sh('2026-12-01T09:00:00');

describe('the report period', () => {
  it('reads a month, a range with --to included, and this month by default, in the time zone', () => {
    expect(parsePeriod({ month: '2026-11' }, TZ, NOW)).toEqual(NOVEMBER);
    expect(parsePeriod({ month: '2026-12' }, TZ, NOW)).toMatchObject({
      from: sh('2026-12-01T00:00:00'),
      to: sh('2027-01-01T00:00:00'),
    });
    expect(parsePeriod({ from: '2026-11-01', to: '2026-11-30' }, TZ, NOW)).toEqual({
      ...NOVEMBER,
      label: '2026-11-01..2026-11-30',
    });
    expect(parsePeriod({}, TZ, sh('2026-11-30T23:59:00'))).toEqual(NOVEMBER);
  });

  it('refuses what it cannot read, in one line', () => {
    const problem = (flags: Parameters<typeof parsePeriod>[0]) =>
      (parsePeriod(flags, TZ, NOW) as { problem: string }).problem;
    expect(problem({ month: '2026-13' })).toBe('--month must be YYYY-MM, e.g. 2026-11 (got "2026-13")');
    expect(problem({ month: '2026-11', from: '2026-11-01' })).toBe('Give --month or --from/--to, not both');
    expect(problem({ from: '2026-11-01' })).toBe('--from and --to go together (--to included)');
    expect(problem({ from: '2026-11-31', to: '2026-12-01' })).toBe(
      '--from must be a date YYYY-MM-DD (got "2026-11-31")',
    );
    expect(problem({ from: '2026-11-02', to: '2026-11-01' })).toBe('--to (2026-11-01) is before --from (2026-11-02)');
  });
});

describe('the stop-gap source over the ticket store', () => {
  it('reads the tickets created in the period and the 7 days after, oldest first, and nothing else', async () => {
    const store = new MemoryStore(() => NOW);
    const october = { ...T.T1, id: 'T0', createdAt: sh('2026-10-31T23:59:00') };
    for (const t of [october, ...MONTH.tickets, ...MONTH.ticketsAfter]) await store.tickets.put(t);
    const data = await readReportData(reportSourceFromStore(store), NOVEMBER.from, NOVEMBER.to);
    expect(data.tickets.map((t) => t.id)).toEqual(['T1', 'T3', 'T4', 'T2', 'T5', 'T6', 'T7', 'T8', 'T9', 'T12']);
    // T11 (20 Dec) is past the 7 days after November.
    expect(data.ticketsAfter.map((t) => t.id)).toEqual(['T10']);
    expect(data.conversations).toEqual([]);
    expect(data.unanswered).toEqual([]);
    await store.close();
  });

  it('runs the report from any source, the desk language chosen like the desk', async () => {
    const store = new MemoryStore(() => NOW);
    for (const t of MONTH.tickets) await store.tickets.put(t);
    const config = parseConfig({ DESK_LANGUAGE: 'en' });
    const out = await capture(async () => {
      const done = await runReport(config, { month: '2026-11' }, (work) => work(reportSourceFromStore(store)), NOW);
      return typeof done === 'number' ? done : 99;
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Service-quality report 2026-11\n');
    // The English definition's category names on an English desk.
    expect(out.stdout).toContain('complaints by category: Delivery 1, Product quality 2, Refunds and returns 1');
    await store.close();
  });
});

describe.runIf(requireRedis())('npm run report on Redis (issue 14)', () => {
  const prefix = testPrefix('report-cli');
  const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, RECORD_STORE: 'off' };
  let store: RedisStore;
  /** The report of the stop-gap's data (no conversations, no askings; T10 is within the 7 days after), made at `at`. */
  const expected = (at: number) =>
    computeReport(
      { ...MONTH, ticketsAfter: [T.T10], conversations: [], unanswered: [] },
      { definition: defaultDefinition('zh-CN'), period: NOVEMBER, generatedAt: at },
    );

  beforeAll(async () => {
    store = await freshRedisStore({}, prefix);
    for (const t of [...MONTH.tickets, ...MONTH.ticketsAfter]) await store.tickets.put(t);
  });
  afterAll(async () => {
    await store.close();
    const raw = new Redis(redisUrl);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
  });

  it('prints the text report in the desk language (zh-CN by default)', async () => {
    const { code, stdout, stderr } = await run(env, '--month', '2026-11');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^服务质量报告 2026-11\n2026-11-01 至 2026-11-30（Asia\/Shanghai），生成时间 /);
    expect(stdout).toContain('  一次性解决率：55.6 %（5/9） ✗ 未达标（目标 ≥ 80 %）\n');
    expect(stdout).toContain('  满意度（4–5分）：80.0 %（4/5） ✗ 未达标（目标 ≥ 85 %）\n');
    // The stop-gap has no conversation archive: no conversations, no bot response time.
    expect(stdout).toContain('  会话数：0\n');
    const en = await run({ ...env, DESK_LANGUAGE: 'en' }, '--from', '2026-11-01', '--to', '2026-11-30');
    expect(en.stdout).toContain('Service-quality report 2026-11-01..2026-11-30\n');
    expect(en.stdout).toContain('  First-contact resolution: 55.6 % (5/9) ✗ missed (target ≥ 80 %)\n');
  });

  it('prints the Report object as JSON and one CSV row per figure', async () => {
    const json = await run(env, '--month', '2026-11', '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toEqual(expected(report.generatedAt));
    const csv = await run(env, '--month', '2026-11', '--csv');
    expect(csv.code).toBe(0);
    const rows = csv.stdout.split('\r\n');
    expect(rows[0]).toBe('section,figure,value,count,target,met');
    expect(rows).toContain('outcome,first_contact_resolution,55.6%,5/9,>=80%,no');
    expect(rows).toContain('speed,claim_sla_breaches,50.0%,2/4,,');
    // What customers said (001 四.(三) 2), newest first: the ticket and their words, a comment's score as the count.
    expect(rows.slice(-3)).toEqual([
      'satisfaction,feedback.suggestion.1,T7: 建议晚上也安排人工客服,,,',
      'satisfaction,feedback.comment.1,T4: 等了好久才有人回复,3,,',
      '',
    ]);
    // The header, the two things said, and the empty string after the last CRLF.
    expect(rows.length - 4).toBe(expected(0).figures.length);
  });

  it('refuses bad flags with the usage (exit 2)', async () => {
    const bad = async (...argv: string[]) => {
      const { code, stdout, stderr } = await run(env, ...argv);
      return { code, stdout, first: stderr.split('\n')[0], usage: stderr.includes('Usage:') };
    };
    expect(await bad('--format', 'json')).toEqual({
      code: 2,
      stdout: '',
      first: "Unknown option '--format' for npm run report (it takes --month, --from, --to, --json, --csv, --html)",
      usage: true,
    });
    expect(await bad('--month')).toMatchObject({ code: 2, first: "Option '--month <value>' argument missing" });
    expect(await bad('--month', 'November')).toMatchObject({
      code: 2,
      first: '--month must be YYYY-MM, e.g. 2026-11 (got "November")',
    });
    expect(await bad('--json', '--csv')).toMatchObject({ code: 2, first: 'Give --json or --csv, not both' });
    expect(await bad('2026-11')).toMatchObject({ code: 2, first: "Unexpected argument '2026-11' for npm run report" });
    expect(await bad('--html', 'report.html', '--json')).toMatchObject({
      code: 2,
      first: 'Give --html or --json/--csv, not both',
    });
  });

  it('says it needs REDIS_URL without it, when there is no system of record', async () => {
    const { code, stderr } = await run({ RECORD_STORE: 'off' }, '--month', '2026-11');
    expect(code).toBe(2);
    expect(stderr).toContain('set REDIS_URL');
  });
});
