import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openRecordStore, type OpenedRecordStore } from '../../../adapters/record/index.js';
import { parseConfig } from '../../../bots/config.js';
import { memoryLogger } from '../../../bots/log.js';
import { runReport } from '../../../bots/report/cli.js';
import { computeReport } from '../../../bots/report/compute.js';
import { defaultDefinition, shanghai as sh } from '../../support/flows.js';
import { pgliteFolder } from '../../support/pglite-folder.js';
import { ev, NOVEMBER, ticket, ZHAO } from './month.js';

/**
 * A customer nobody answered counts against the speed targets (found by a tester: a month whose
 * only handoff waited 6 hours unclaimed showed 「超过 30 秒未接入：100.0 %（1/1）」 but the target
 * line said 「无数据」, as if there were nothing to judge). Never claimed, claimed but never
 * replied to, or the bot never replying: longer than the limit, so ✗ in every format; 无数据
 * only when there was nothing to measure. The record is PGlite, read by `npm run report`'s code.
 */

let dir = '';
let record: OpenedRecordStore;
/** Made on 2 Dec 2026 09:00 Shanghai: every month below is long over. */
const NOW = sh('2026-12-02T09:00:00');

beforeAll(async () => {
  dir = await pgliteFolder('report-unanswered-');
  record = openRecordStore({ dataDir: dir, log: memoryLogger() });
  await record.ready();
  // September: the bot answered; nobody was handed off, so nothing to measure.
  await record.tickets.put(ticket('S1', 'A', '2026-09-10T10:00:00'));
  // October: the only handoff waited unclaimed (6 hours until the customer gave up).
  await record.tickets.put(
    ticket('O1', 'B', '2026-10-14T10:00:00', {
      status: 'unresolved',
      events: [ev('handed-off', '2026-10-14T10:00:00', { detail: 'asked' }), ev('queued', '2026-10-14T10:00:00')],
    }),
  );
  // November: 赵 claimed the handoff after 10 s and never replied; a customer's words the bot never answered.
  await record.tickets.put(
    ticket('N1', 'C', '2026-11-10T10:00:00', {
      status: 'pending',
      claimedBy: ZHAO,
      events: [
        ev('handed-off', '2026-11-10T10:00:00', { detail: 'asked' }),
        ev('queued', '2026-11-10T10:00:00'),
        ev('claimed', '2026-11-10T10:00:10', { by: ZHAO }),
      ],
    }),
  );
  const customer = { conversationId: 'telegram:D', channel: 'telegram', customerId: 'D' };
  await record.archive(customer, [{ at: sh('2026-11-11T10:00:00'), from: 'customer', text: '在吗', eventId: 'd1' }], {
    opensSession: true,
  });
}, 60_000);
afterAll(async () => {
  await record.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `npm run report -- --month <month> [flags]` on the record, in the desk language: what it prints. */
async function report(month: string, language: 'zh-CN' | 'en', ...flags: Array<'json' | 'csv' | 'html'>) {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const code = await runReport(
    parseConfig({ DESK_LANGUAGE: language }),
    { month, ...Object.fromEntries(flags.map((f) => [f, f === 'html' ? '-' : true])) },
    (work) => work(record),
    NOW,
  ).finally(() => vi.restoreAllMocks());
  expect(code).toBe(0);
  return out;
}

/** The targets section of the text report, one line per check. */
const targets = (text: string) => text.slice(text.search(/^(六、目标核对|6\. Targets)$/m)).split('\n');

describe('a handoff never claimed (October)', () => {
  it('is a missed claim-wait target, and a missed first response by a person, in the text report', async () => {
    const zh = await report('2026-10', 'zh-CN');
    expect(zh).toContain('    超过 30 秒未接入：100.0 %（1/1）\n');
    expect(zh).toContain(
      '  排队等待接入：平均 — ✗，P90 — ✗（0 个；1 个始终无应答，按超时计） ✗ 未达标（目标 ≤ 30 秒）\n',
    );
    expect(zh).toContain(
      '  人工首次响应（工作时间）：平均 — ✗，P90 — ✗（0 个；1 个始终无应答，按超时计） ✗ 未达标（目标 ≤ 30 分钟）\n',
    );
    const lines = targets(zh);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}✗ 未达标 {2}排队等待接入 平均 —（1 个始终无应答，按超时计），目标 ≤ 30 秒 {2}\[seed 001/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✗ 未达标 {2}排队等待接入 P90 —（1 个始终无应答/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✗ 未达标 {2}人工首次响应（工作时间） 平均 —（1 个/));
    // Nothing was said to the bot this month: its first response stays without data.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}无数据 {2}机器人首次响应 平均 —，/));
    expect(lines.filter((l) => l.includes('无数据'))).toHaveLength(4);

    const en = await report('2026-10', 'en');
    expect(en).toContain(
      '  Queue wait until claimed: average — ✗, P90 — ✗ (n = 0; 1 never answered, counted as over the target) ✗ missed (target ≤ 30 s)\n',
    );
    expect(targets(en)).toContainEqual(
      expect.stringMatching(
        /^ {2}✗ missed {2}Queue wait until claimed average — \(1 never answered, counted as over the target\), target ≤ 30 s/,
      ),
    );
  });

  it('says no (not blank) in the CSV and JSON, and counts it in the HTML summary', async () => {
    const csv = (await report('2026-10', 'zh-CN', 'csv')).split('\r\n');
    expect(csv).toContain('speed,claim_wait.avg,,0,<=30s,no');
    expect(csv).toContain('speed,claim_wait.p90,,0,<=30s,no');
    expect(csv).toContain('speed,claim_wait.unanswered,1,1,,');
    expect(csv).toContain('speed,person_first_response.avg,,0,<=1800s,no');
    expect(csv).toContain('speed,bot_first_response.avg,,0,<=30s,');

    const json = JSON.parse(await report('2026-10', 'zh-CN', 'json')) as {
      speed: Record<string, { count: number; unanswered: number; checks: Record<string, { met: boolean | null }> }>;
    };
    expect(json.speed.claimWait).toMatchObject({ count: 0, unanswered: 1 });
    expect(json.speed.claimWait?.checks).toMatchObject({ average: { met: false }, p90: { met: false } });
    expect(json.speed.botFirstResponse?.checks).toMatchObject({ average: { met: null }, p90: { met: null } });

    const html = await report('2026-10', 'zh-CN', 'html');
    // Judged, and missed: claim wait and a person's first response (average and P90 each), and first-contact resolution (0/1).
    expect(html).toContain('<p class="summary">5 项目标中 0 项达标</p>');
    const row = html.match(/<tr data-check="claim_wait\.avg">[\s\S]*?<\/tr>/)?.[0] ?? '';
    expect(row).toContain('<td class="missed">✗ 未达标</td>');
    expect(row).toContain('1 个始终无应答，按超时计');
    expect(html).toMatch(
      /<tr data-figure="claim_wait\.unanswered"[^>]*><th scope="row">始终无应答（按超时计）<\/th><td class="num">1</,
    );
  });
});

describe('a handoff claimed and never replied to, and words the bot never answered (November)', () => {
  it('misses a person’s first response and the bot’s; the claim itself was in time', async () => {
    const zh = await report('2026-11', 'zh-CN');
    expect(zh).toContain('    转人工后无人工回复：1\n');
    const lines = targets(zh);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✗ 未达标 {2}人工首次响应（工作时间） 平均 —（1 个/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✓ 达标 {2}排队等待接入 平均 10\.0 秒，/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✗ 未达标 {2}机器人首次响应 平均 —（1 个始终无应答/));
    const csv = (await report('2026-11', 'en', 'csv')).split('\r\n');
    expect(csv).toContain('speed,person_first_response.p90,,0,<=1800s,no');
    expect(csv).toContain('speed,claim_wait.avg,10.0s,1,<=30s,yes');
    expect(csv).toContain('speed,bot_first_response.unanswered,1,1,,');
  });
});

describe('a month with no handoff at all (September)', () => {
  it('has no data for the speed targets: nothing to measure is not a breach', async () => {
    const lines = targets(await report('2026-09', 'zh-CN'));
    for (const figure of ['机器人首次响应', '人工首次响应（工作时间）', '排队等待接入'])
      for (const stat of ['平均', 'P90'])
        expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}无数据 {2}${figure} ${stat} —，`)));
    expect((await report('2026-09', 'en', 'csv')).split('\r\n')).toContain('speed,claim_wait.avg,,0,<=30s,');
  });
});

describe('a wait still within its limit when the report is made (this month so far)', () => {
  it('is not judged yet; past the limit, it is missed', () => {
    const queued = ticket('P1', 'E', '2026-11-10T10:00:00', {
      status: 'pending',
      events: [ev('handed-off', '2026-11-10T10:00:00', { detail: 'asked' }), ev('queued', '2026-11-10T10:00:00')],
    });
    const at = (time: string) =>
      computeReport(
        { tickets: [queued], ticketsAfter: [], conversations: [], unanswered: [] },
        { definition: defaultDefinition('zh-CN'), period: NOVEMBER, generatedAt: sh(`2026-11-10T${time}`) },
      );
    // 20 s after it was queued: it may yet be claimed within 30 s, and a person may yet reply within 30 minutes.
    expect(at('10:00:20').speed.claimWait).toMatchObject({ unanswered: 0, checks: { average: { met: null } } });
    expect(at('10:00:20').speed.personFirstResponse).toMatchObject({ unanswered: 0, checks: { p90: { met: null } } });
    // 40 s after: the claim is late whatever happens now; the reply is not, yet.
    expect(at('10:00:40').speed.claimWait).toMatchObject({ unanswered: 1, checks: { average: { met: false } } });
    expect(at('10:00:40').speed.personFirstResponse).toMatchObject({ unanswered: 0 });
    expect(at('10:31:00').speed.personFirstResponse).toMatchObject({ unanswered: 1, checks: { p90: { met: false } } });
  });
});
