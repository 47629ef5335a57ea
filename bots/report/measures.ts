import { calendarDay, type CalendarDefinition } from '../../flows/calendar.js';
import { localParts, shiftDate, zonedTime } from '../../flows/local-time.js';
import type { Check, Durations, Share } from './report.js';
import { meets, type Target, type TargetId } from './targets.js';

/** The small measures the report is made of: shares, percentiles, business time. Pure. */

/**
 * The p-th percentile of `values` by the nearest-rank method: sort ascending and take the value
 * of rank ⌈p/100 × n⌉ (1-based), so the result is always one of the values (the p90 of ten values
 * is the 9th smallest, of 11 values the 10th). Null for an empty list. `p` from 0 (exclusive) to 100.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`p must be in (0, 100] (got ${p})`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] ?? null;
}

/** The arithmetic mean, null for an empty list. */
export function average(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** A check of a figure against a target. */
export function check(id: TargetId, target: Target, value: number | null): Check {
  return { id, target, met: meets(target, value) };
}

/** `numerator / denominator` with its counts (null value when the denominator is 0), checked when given a target. */
export function share(numerator: number, denominator: number, target?: [TargetId, Target]): Share {
  const value = denominator === 0 ? null : numerator / denominator;
  return { value, numerator, denominator, ...(target ? { check: check(target[0], target[1], value) } : {}) };
}

/**
 * Count, mean and p90 of durations (ms), the mean and the p90 checked against a target when given.
 * `unfinished`: how long each wait that never ended (never claimed, never replied to) had lasted
 * when the report was made. One that had outlasted the target's limit is a customer nobody
 * answered in time: it is counted (`unanswered`) and judged longer than any limit, so the average
 * misses the target and so does the p90 when it falls on one (a month whose only handoff was never
 * claimed is missed, not "no data"). One still within the limit may yet end in time: not judged.
 * The average and p90 shown are of the measured durations.
 */
export function durations(
  values: readonly number[],
  target?: [TargetId, Target],
  unfinished: readonly number[] = [],
): Durations {
  const averageMs = average(values);
  const p90Ms = percentile(values, 90);
  const unanswered = target ? unfinished.filter((ms) => meets(target[1], ms) === false).length : unfinished.length;
  const judged = [...values, ...Array.from({ length: unanswered }, () => Number.POSITIVE_INFINITY)];
  const checks = target
    ? {
        average: check(target[0], target[1], average(judged)),
        p90: check(target[0], target[1], percentile(judged, 90)),
      }
    : undefined;
  return { count: values.length, unanswered, averageMs, p90Ms, ...(checks ? { checks } : {}) };
}

/**
 * How much of [a, b) (epoch ms) falls in the definition's business hours, in ms: time outside its
 * hours, on public holidays and on closed days does not count (flows/hours.ts isBusinessTime reads
 * the same ranges: a range that opens on a date runs to its close, past midnight when its close is
 * not after its open; none opens on a holiday; a make-up workday has weekday hours, from
 * flows/calendar.ts calendarDay). 0 when b ≤ a. A handoff at Tue 20:50 answered Wed 09:10 with
 * hours 09:00–21:00 took 20 business minutes.
 */
export function businessMsBetween(def: CalendarDefinition, a: number, b: number): number {
  if (!(b > a)) return 0;
  const tz = def.timeZone;
  const spans: Array<[number, number]> = [];
  const last = localParts(tz, b).date;
  // From the day before `a`: a range opened then may still run past midnight into a's date.
  for (let date = shiftDate(localParts(tz, a).date, -1); date <= last; date = shiftDate(date, 1)) {
    for (const r of calendarDay(def, date).ranges) {
      const start = zonedTime(tz, date, r.open);
      const end = r.close <= r.open ? zonedTime(tz, shiftDate(date, 1), r.close) : zonedTime(tz, date, r.close);
      const lo = Math.max(start, a);
      const hi = Math.min(end, b);
      if (hi > lo) spans.push([lo, hi]);
    }
  }
  // Ranges may overlap (a night range running into the morning's): count each instant once.
  spans.sort((x, y) => x[0] - y[0]);
  let total = 0;
  let reached = a;
  for (const [lo, hi] of spans) {
    const from = Math.max(lo, reached);
    if (hi > from) total += hi - from;
    reached = Math.max(reached, hi);
  }
  return total;
}
