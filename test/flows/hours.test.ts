import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkDefinitions, DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';
import { isBusinessTime, nextBusinessTime, nextClosingTime } from '../../flows/hours.js';
import { parseDefinition } from '../../flows/definition.js';
import type { FlowDefinition } from '../../flows/schema.js';
import { Dialogue } from '../support/dialogue.js';
import { defaultFlow, shanghai } from '../support/flows.js';

/** A desk open on Monday nights only, 21:00 until 02:00 on Tuesday (2026-11-23 is a Monday). */
const MONDAY_NIGHTS: FlowDefinition['businessHours'] = [{ days: ['mon'], open: '21:00', close: '02:00' }];
const nights = { businessHours: MONDAY_NIGHTS, timeZone: 'Asia/Shanghai' };
const flow = defaultFlow((def) => (def.businessHours = MONDAY_NIGHTS), { desk: true });

/** The definition files with `businessHours` replaced, as YAML, by locale. */
function withHours(hours: unknown): Record<'zh-CN' | 'en', string> {
  const edit = (locale: string) => {
    const doc = parse(readFileSync(join(DEFAULT_FLOWS_DIR, `${locale}.yaml`), 'utf8')) as Record<string, unknown>;
    doc.businessHours = hours;
    return stringify(doc);
  };
  return { 'zh-CN': edit('zh-CN'), en: edit('en') };
}

/** A customer asks for a person at `iso` (Shanghai time); what they are told and where it goes. */
function askForPerson(iso: string, text = '转人工') {
  const d = new Dialogue(flow, shanghai(iso) - 60_000);
  const [reply] = d.say(text);
  return { reply: reply ?? '', state: d.state, afterHours: d.of('desk.open')[0]?.card.afterHours };
}

describe('business hours past midnight', () => {
  it('is open on the listed evening and into the next morning, and closed after', () => {
    expect(isBusinessTime(nights, shanghai('2026-11-23T23:30:00'))).toBe(true);
    expect(isBusinessTime(nights, shanghai('2026-11-24T01:30:00'))).toBe(true);
    expect(isBusinessTime(nights, shanghai('2026-11-24T02:30:00'))).toBe(false);
    expect(isBusinessTime(nights, shanghai('2026-11-24T02:00:00'))).toBe(false);
    expect(isBusinessTime(nights, shanghai('2026-11-23T20:59:00'))).toBe(false);
    // Monday's early hours belong to Sunday night, which is not listed; Tuesday night is not either.
    expect(isBusinessTime(nights, shanghai('2026-11-23T01:30:00'))).toBe(false);
    expect(isBusinessTime(nights, shanghai('2026-11-24T23:30:00'))).toBe(false);
    // Saturday night runs into Sunday, across the end of the week.
    const weekend = { businessHours: [{ days: ['sat' as const], open: '22:00', close: '03:00' }], timeZone: 'UTC' };
    expect(isBusinessTime(weekend, Date.parse('2026-11-29T02:59:00Z'))).toBe(true);
  });

  it('finds the next opening across the night and the week', () => {
    expect(nextBusinessTime(nights, shanghai('2026-11-24T02:30:00'))).toBe(shanghai('2026-11-30T21:00:00'));
    expect(nextBusinessTime(nights, shanghai('2026-11-23T18:07:00'))).toBe(shanghai('2026-11-23T21:00:00'));
  });

  it('finds the next closing across midnight, and now when closed', () => {
    expect(nextClosingTime(nights, shanghai('2026-11-23T23:30:00'))).toBe(shanghai('2026-11-24T02:00:00'));
    expect(nextClosingTime(nights, shanghai('2026-11-23T21:00:30'))).toBe(shanghai('2026-11-24T02:00:00'));
    expect(nextClosingTime(nights, shanghai('2026-11-24T03:10:20'))).toBe(shanghai('2026-11-24T03:11:00'));
    // Open round the clock: it never closes.
    const always: FlowDefinition['businessHours'] = [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], open: '00:00', close: '00:00' },
    ];
    expect(
      nextClosingTime({ businessHours: always, timeZone: 'UTC' }, Date.parse('2026-11-23T10:00:00Z')),
    ).toBeUndefined();
  });

  it('queues a customer at Monday 23:30 and Tuesday 01:30, with agents at work', () => {
    for (const iso of ['2026-11-23T23:30:00', '2026-11-24T01:30:00']) {
      const { reply, state, afterHours } = askForPerson(iso);
      expect(state).toBe('handoff.queued');
      expect(afterHours).toBe(false);
      expect(reply).toMatch(/^正在为您转接人工客服/);
    }
  });

  it('tells a customer at Tuesday 02:30 the hours and that agents are back next Monday at 21:00', () => {
    const zh = askForPerson('2026-11-24T02:30:00');
    expect(zh.afterHours).toBe(true);
    expect(zh.reply).toMatch(
      /^现在是人工客服的非工作时间\uff08工作时间\uff1a周一 21:00-次日02:00\uff09。.*客服会在 11月30日 21:00 上班后/,
    );
    const en = askForPerson('2026-11-24T02:30:00', 'can I talk to a real person?');
    expect(en.reply).toMatch(
      /^Our team is not at work right now \(hours: Mon 21:00-02:00 next day\)\. .*when we are back \(Nov 30, 21:00\) /,
    );
  });

  it('passes flows:check with an overnight range, and still rejects a range that opens and closes at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hours-'));
    for (const [locale, source] of Object.entries(withHours(MONDAY_NIGHTS)))
      writeFileSync(join(dir, `${locale}.yaml`), source);
    const check = await checkDefinitions(dir, 'zh-CN');
    expect(check.ok, JSON.stringify(!check.ok && check.problems)).toBe(true);

    const same = parseDefinition(withHours([{ days: ['mon'], open: '21:00', close: '21:00' }])['zh-CN']);
    const midnight = parseDefinition(withHours([{ days: ['mon'], open: '24:00', close: '02:00' }])['zh-CN']);
    expect(same.ok || same.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^businessHours\[0\]\.close: must differ from open \(21:00\)/),
    ]);
    expect(midnight.ok || midnight.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^businessHours\[0\]\.open: must be before 24:00/),
    ]);
  });
});
