import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { flowsCheck } from '../../bots/app/flows-check.js';
import { DEFAULT_FLOWS_DIR, FlowRegistry } from '../../bots/flows-registry.js';
import { memoryLogger } from '../../bots/log.js';
import { addWorkingDays, addWorkingHours, calendarCoverage, calendarDay, isWorkingDay } from '../../flows/calendar.js';
import { parseDefinition } from '../../flows/definition.js';
import { describeHours, isBusinessTime, nextBusinessTime } from '../../flows/hours.js';
import type { FlowDefinition } from '../../flows/schema.js';
import { Dialogue } from '../support/dialogue.js';
import { defaultDefinition, defaultFlow, shanghai } from '../support/flows.js';

/**
 * The working-day calendar (issue 13, requirement 4). Dates are the real 2026 notice as
 * chinese-days has it: 国庆 1–7 Oct closed, Sun 20 Sep and Sat 10 Oct make-up workdays (调休).
 */

/** The shipped definition: weekdays 09:00-21:00, weekends 10:00-18:00, region cn. */
const shop = defaultDefinition('zh-CN');
/** An office that works Monday to Friday only, so weekends are not working days. */
const office: FlowDefinition = {
  ...shop,
  businessHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '18:00' }],
};
const withCalendar = (def: FlowDefinition, calendar: Partial<FlowDefinition['calendar']>): FlowDefinition => ({
  ...def,
  calendar: { ...def.calendar, ...calendar },
});
/** Shanghai wall-clock time of an instant, as `2026-10-08T09:00`. */
const local = (at: number | undefined) =>
  at === undefined ? 'none' : new Date(at + 8 * 3_600_000).toISOString().slice(0, 16);

describe('working days', () => {
  it('counts a 调休 Saturday as a working day, open with weekday hours', () => {
    expect(calendarDay(shop, '2026-10-10')).toMatchObject({ weekday: 'sat', kind: 'workday', working: true });
    // An ordinary Saturday opens at 10:00 and closes at 18:00; the make-up Saturday keeps Monday's 09:00-21:00.
    expect(isBusinessTime(shop, shanghai('2026-10-10T09:30:00'))).toBe(true);
    expect(isBusinessTime(shop, shanghai('2026-10-10T20:00:00'))).toBe(true);
    expect(isBusinessTime(shop, shanghai('2026-10-17T09:30:00'))).toBe(false);
    expect(isBusinessTime(shop, shanghai('2026-10-17T20:00:00'))).toBe(false);
    // An office closed at weekends works that Saturday (and Sunday 20 Sep), but not the next one.
    expect(isWorkingDay(office, shanghai('2026-10-10T12:00:00'))).toBe(true);
    expect(isWorkingDay(office, shanghai('2026-09-20T12:00:00'))).toBe(true);
    expect(isWorkingDay(office, shanghai('2026-10-17T12:00:00'))).toBe(false);
    expect(isBusinessTime(office, shanghai('2026-10-10T09:00:00'))).toBe(true);
    expect(isBusinessTime(office, shanghai('2026-10-10T18:00:00'))).toBe(false);
  });

  it('closes all of 国庆 (1–7 Oct 2026): 3 October 10:00 is not business time', () => {
    expect(isBusinessTime(shop, shanghai('2026-10-03T10:00:00'))).toBe(false);
    for (let day = 1; day <= 7; day++) {
      const date = `2026-10-0${day}`;
      expect(isWorkingDay(shop, shanghai(`${date}T12:00:00`)), date).toBe(false);
      for (let hour = 0; hour < 24; hour++)
        expect(isBusinessTime(shop, shanghai(`${date}T${String(hour).padStart(2, '0')}:30:00`))).toBe(false);
    }
    expect(isWorkingDay(shop, shanghai('2026-09-30T12:00:00'))).toBe(true);
    expect(isWorkingDay(shop, shanghai('2026-10-08T00:00:00'))).toBe(true);
    expect(local(nextBusinessTime(shop, shanghai('2026-10-03T10:00:00')))).toBe('2026-10-08T09:00');
    expect(local(nextBusinessTime(shop, shanghai('2026-09-30T21:00:00')))).toBe('2026-10-08T09:00');
  });

  it('does not run a night range into a holiday from the day before, nor out of one', () => {
    const nights = {
      ...shop,
      businessHours: [
        { days: [...(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const)], open: '21:00', close: '02:00' },
      ],
    };
    expect(isBusinessTime(nights, shanghai('2026-09-30T23:30:00'))).toBe(true);
    // Wednesday night was a working night: it runs until 02:00 on the 1st, a holiday.
    expect(isBusinessTime(nights, shanghai('2026-10-01T01:30:00'))).toBe(true);
    expect(isBusinessTime(nights, shanghai('2026-10-01T23:30:00'))).toBe(false);
    // The night of the 7th never opened, so the early hours of the 8th are closed too.
    expect(isBusinessTime(nights, shanghai('2026-10-08T01:30:00'))).toBe(false);
    expect(local(nextBusinessTime(nights, shanghai('2026-10-01T03:00:00')))).toBe('2026-10-08T21:00');
  });

  it('finds the desk after Spring Festival, nine days closed with the weekend', () => {
    // 15–23 Feb 2026 closed; Sat 14 Feb and Sat 28 Feb are make-up workdays.
    expect(local(nextBusinessTime(office, shanghai('2026-02-13T19:00:00')))).toBe('2026-02-14T09:00');
    expect(local(nextBusinessTime(office, shanghai('2026-02-14T19:00:00')))).toBe('2026-02-24T09:00');
  });
});

describe('counting working days and hours', () => {
  it('adds 3 working days across 国庆: 8, 9 and 10 October', () => {
    expect(local(addWorkingDays(shop, shanghai('2026-09-30T10:00:00'), 3))).toBe('2026-10-10T10:00');
    expect(local(addWorkingDays(office, shanghai('2026-09-30T10:00:00'), 3))).toBe('2026-10-10T10:00');
    // From inside the holiday the count starts on the 8th as well.
    expect(local(addWorkingDays(office, shanghai('2026-10-03T16:45:00'), 1))).toBe('2026-10-08T16:45');
  });

  it('adds working days across a weekend, even for a desk open at weekends (工作日 is Monday to Friday)', () => {
    const friday = shanghai('2026-11-27T15:00:00');
    expect(local(addWorkingDays(office, friday, 1))).toBe('2026-11-30T15:00');
    expect(local(addWorkingDays(office, friday, 3))).toBe('2026-12-02T15:00');
    expect(local(addWorkingDays(shop, friday, 1))).toBe('2026-11-30T15:00');
    expect(addWorkingDays(office, friday + 12_345, 0)).toBe(friday + 12_345);
    expect(addWorkingDays(office, friday + 12_345, 1) - (friday + 12_345)).toBe(3 * 86_400_000);
    expect(() => addWorkingDays(office, friday, -1)).toThrow(RangeError);
  });

  it('counts promised hours on working days only', () => {
    // 14 h on 30 Sep, nothing during 国庆, 24 h on 8 Oct, 10 h on 9 Oct.
    expect(local(addWorkingHours(shop, shanghai('2026-09-30T10:00:00'), 48))).toBe('2026-10-09T10:00');
    // Friday 20:00 + 48 h in a Monday-to-Friday office: 4 h on Friday, 24 h Monday, 20 h Tuesday.
    expect(local(addWorkingHours(office, shanghai('2026-11-27T20:00:00'), 48))).toBe('2026-12-01T20:00');
    expect(local(addWorkingHours(shop, shanghai('2026-11-27T20:00:00'), 48))).toBe('2026-12-01T20:00');
    // Asked during the holiday, the clock starts at midnight on the 8th.
    expect(local(addWorkingHours(shop, shanghai('2026-10-03T10:00:00'), 24))).toBe('2026-10-09T00:00');
    expect(addWorkingHours(shop, shanghai('2026-10-03T10:00:00'), 0)).toBe(shanghai('2026-10-03T10:00:00'));
    expect(() => addWorkingHours(shop, 0, -1)).toThrow(RangeError);
  });
});

describe("the definition's own dates", () => {
  it('closes on a company holiday and opens on an added workday, over the package', () => {
    const company = withCalendar(office, {
      holidays: ['2026-12-24', '2026-10-10'],
      workdays: ['2026-10-05', '2026-12-27'],
    });
    // Thursday 24 Dec, a company day off.
    expect(isWorkingDay(company, shanghai('2026-12-24T12:00:00'))).toBe(false);
    expect(isBusinessTime(company, shanghai('2026-12-24T10:00:00'))).toBe(false);
    expect(local(nextBusinessTime(company, shanghai('2026-12-23T19:00:00')))).toBe('2026-12-25T09:00');
    expect(local(addWorkingDays(company, shanghai('2026-12-23T10:00:00'), 1))).toBe('2026-12-25T10:00');
    // The package's make-up Saturday, listed as a company holiday, stays closed.
    expect(calendarDay(company, '2026-10-10')).toMatchObject({ kind: 'holiday', source: 'definition' });
    expect(isBusinessTime(company, shanghai('2026-10-10T10:00:00'))).toBe(false);
    // A 国庆 day and a plain Sunday the company works, with Monday's hours.
    expect(calendarDay(company, '2026-10-05')).toMatchObject({ kind: 'workday', source: 'definition', working: true });
    expect(isBusinessTime(company, shanghai('2026-10-05T09:30:00'))).toBe(true);
    expect(isBusinessTime(company, shanghai('2026-12-27T17:59:00'))).toBe(true);
    expect(isBusinessTime(company, shanghai('2026-12-27T18:00:00'))).toBe(false);
    expect(isBusinessTime(office, shanghai('2026-12-27T10:00:00'))).toBe(false);
  });

  it('uses the weekly hours alone with region none', () => {
    const plain = withCalendar(shop, { region: 'none' });
    expect(isBusinessTime(plain, shanghai('2026-10-03T10:00:00'))).toBe(true);
    expect(isBusinessTime(plain, shanghai('2026-10-10T09:30:00'))).toBe(false);
    expect(calendarCoverage(plain, shanghai('2026-11-30T12:00:00'), 90).uncovered).toEqual([]);
  });
});

describe('coverage of the holiday data', () => {
  it('finds 2027 uncovered in the next 90 days from 30 Nov 2026, unless the definition lists 2027', () => {
    const { uncovered, source } = calendarCoverage(shop, shanghai('2026-11-30T12:00:00'), 90);
    expect(source).toMatch(/^chinese-days \d+\.\d+\.\d+$/);
    expect([uncovered[0], uncovered.at(-1), uncovered.length]).toEqual(['2027-01-01', '2027-02-27', 58]);
    expect(calendarCoverage(shop, shanghai('2026-09-01T12:00:00'), 90).uncovered).toEqual([]);
    const listed = withCalendar(shop, { holidays: ['2027-01-01'] });
    expect(calendarCoverage(listed, shanghai('2026-11-30T12:00:00'), 90).uncovered).toEqual([]);
  });

  it('warns at start-up and in flows:check, naming the range and the fix', async () => {
    const log = memoryLogger();
    const now = shanghai('2026-11-30T12:00:00');
    await FlowRegistry.load({ dir: DEFAULT_FLOWS_DIR, defaultLocale: 'zh-CN', log, clock: () => now });
    const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(
      /^holiday calendar incomplete \(zh-CN\): chinese-days [\d.]+ has no holiday data for 2027-01-01 to 2027-02-27 .*npm update chinese-days.*calendar\.holidays and calendar\.workdays/,
    );

    const quiet = memoryLogger();
    await FlowRegistry.load({
      dir: DEFAULT_FLOWS_DIR,
      defaultLocale: 'zh-CN',
      log: quiet,
      clock: () => shanghai('2026-09-01T12:00:00'),
    });
    expect(quiet.lines.filter((l) => l.level === 'warn')).toEqual([]);

    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    expect(await flowsCheck(DEFAULT_FLOWS_DIR, 'zh-CN', now)).toBe(0);
    write.mockRestore();
    expect(out.join('')).toMatch(/^OK: .*\nWarning: holiday calendar incomplete \(en\): .*2027-01-01 to 2027-02-27/);
  });
});

describe('the calendar section of a definition', () => {
  const zhSource = readFileSync(join(DEFAULT_FLOWS_DIR, 'zh-CN.yaml'), 'utf8');
  const problems = (calendar: unknown) => {
    const doc = parse(zhSource) as Record<string, unknown>;
    doc.calendar = calendar;
    const r = parseDefinition(stringify(doc));
    return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it('defaults to the Chinese calendar without overrides', () => {
    const doc = parse(zhSource) as Record<string, unknown>;
    delete doc.calendar;
    const r = parseDefinition(stringify(doc));
    expect(r.ok && r.definition.calendar).toEqual({ region: 'cn', holidays: [], workdays: [] });
  });

  it('rejects a bad date, a date in both lists, an unknown region and a misspelt list', () => {
    expect(problems({ holidays: ['2026-02-30', '2026/10/01'] })).toEqual([
      'calendar.holidays[0]: is not a real calendar date',
      'calendar.holidays[1]: must be a date as YYYY-MM-DD',
    ]);
    expect(problems({ holidays: ['2026-12-24'], workdays: ['2026-12-27', '2026-12-24'] })).toEqual([
      'calendar.workdays[1]: 2026-12-24 is also in calendar.holidays[0]: list a date as a holiday (closed) or a workday (open), not both',
    ]);
    expect(problems({ region: 'us' })).toEqual([
      'calendar.region: must be cn (Chinese public holidays) or none (business hours alone)',
    ]);
    expect(problems({ holiday: ['2026-12-24'] })).toEqual(['calendar: unknown field holiday']);
  });
});

describe('an after-hours handoff on a holiday', () => {
  const flow = defaultFlow(undefined, { desk: true });

  it('tells the customer on 3 October that agents are back on the morning of the 8th', () => {
    const d = new Dialogue(flow, shanghai('2026-10-03T09:59:00'));
    const [reply] = d.say('转人工');
    expect(d.of('desk.open')[0]?.card.afterHours).toBe(true);
    expect(reply).toMatch(/^现在是人工客服的非工作时间.*客服会在 10月8日 09:00 上班后第一时间处理/);
    const en = new Dialogue(flow, shanghai('2026-10-03T09:59:00'));
    expect(en.say('can I talk to a real person?')[0]).toMatch(/when we are back \(Oct 8, 09:00\) /);
    expect(describeHours(shop)).toBe('周一至周五 09:00-21:00；周六、周日 10:00-18:00');
    // Three days or more in a row are a range, in week order (found by the sixteenth issue-17 session's trial).
    const hours = [{ days: ['sun', 'mon', 'tue', 'wed', 'fri', 'sat'], open: '09:00', close: '18:00' }] as const;
    expect(describeHours({ locale: 'en', businessHours: hours.map((h) => ({ ...h, days: [...h.days] })) })).toBe(
      'Mon–Wed/Fri–Sun 09:00-18:00',
    );
  });

  it('queues a customer on the 调休 Saturday at 09:30, before the ordinary Saturday opening', () => {
    const d = new Dialogue(flow, shanghai('2026-10-10T09:29:00'));
    const [reply] = d.say('转人工');
    expect(d.state).toBe('handoff.queued');
    expect(reply).toMatch(/^正在为您转接人工客服/);
  });
});
