import { describe, expect, it } from 'vitest';
import { checkSearch, localMidnight, searchQuery, searchWords, type FieldName } from '../../bots/ticket-search.js';

/** The search words agents type and staff give, read into store queries (bots/ticket-search.ts). */

const word: FieldName = (f) => `${f}:`;

describe('ticket search queries', () => {
  it('reads Slack words: a ticket id, key:value words, the rest as text', () => {
    expect(
      searchWords('  T261130-4KQ9ZC1A7X  customer:42 status:pending 耳机 坏了 from:2026-11-01 to：2026-11-30 '),
    ).toEqual({
      id: 'T261130-4KQ9ZC1A7X',
      customer: '42',
      status: 'pending',
      from: '2026-11-01',
      to: '2026-11-30',
      text: '耳机 坏了',
    });
    // An unknown key is text; so is a colon at the start.
    expect(searchWords('订单:123 :x')).toEqual({ text: '订单:123 :x' });
    expect(searchWords('')).toEqual({});
  });

  it('reads dates as local days of the time zone, the end day included', () => {
    const q = searchQuery({ from: '2026-11-01', to: '2026-11-30' }, 'Asia/Shanghai', word);
    expect(q).toMatchObject({
      from: Date.parse('2026-11-01T00:00:00+08:00'),
      to: Date.parse('2026-12-01T00:00:00+08:00'),
      limit: 50,
    });
  });

  it('finds local midnight on days whose offset changes (daylight saving)', () => {
    // New York: clocks go forward on 2026-03-08 (−05:00 → −04:00) and back on 2026-11-01.
    expect(localMidnight('America/New_York', '2026-03-08')).toBe(Date.parse('2026-03-08T00:00:00-05:00'));
    expect(localMidnight('America/New_York', '2026-03-09')).toBe(Date.parse('2026-03-09T00:00:00-04:00'));
    expect(localMidnight('America/New_York', '2026-11-02')).toBe(Date.parse('2026-11-02T00:00:00-05:00'));
    expect(localMidnight('Asia/Shanghai', '2026-02-29')).toBeUndefined();
  });

  it('names the word that is wrong, as the agent typed it', () => {
    expect(searchQuery(searchWords('status:done'), 'Asia/Shanghai', word)).toEqual({
      problem: 'status: must be one of answered, pending, unresolved, recorded, resolved (got "done")',
    });
    expect(searchQuery(searchWords('from:yesterday'), 'Asia/Shanghai', word)).toMatchObject({
      problem: expect.stringMatching(/^from: must be a date \(YYYY-MM-DD, Asia\/Shanghai time\)/),
    });
    expect(searchQuery(searchWords('customer:'), 'Asia/Shanghai', word)).toEqual({
      problem: 'customer: needs a value',
    });
  });

  it('gives each problem as data, for the console to say in its own language', () => {
    expect(checkSearch(searchWords('from:2026-11-30 to:2026-11-01'), 'Asia/Shanghai')).toEqual({
      problem: { kind: 'order', from: '2026-11-30', to: '2026-11-01' },
    });
    expect(checkSearch({ to: 'soon' }, 'Asia/Shanghai')).toEqual({
      problem: { kind: 'date', field: 'to', got: 'soon', timeZone: 'Asia/Shanghai' },
    });
    expect(checkSearch({ limit: '0' }, 'Asia/Shanghai')).toEqual({
      problem: { kind: 'limit', got: '0', max: 10_000 },
    });
  });
});
