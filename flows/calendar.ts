import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import chineseDaysPackage from 'chinese-days/package.json' with { type: 'json' };
import { localParts, shiftDate, weekdayOf, zonedTime, type Weekday } from './local-time.js';
import type { Calendar, FlowDefinition } from './schema.js';

/**
 * The working-day calendar (工作日历): which dates the desk works, for business hours, "3 working
 * days" (001 五.(二)), promised reply times and "next business morning".
 *
 * Data: with `calendar.region: cn`, China's public holidays (closed) and make-up working days
 * (调休: a Saturday or Sunday that is a working day) come from the `chinese-days` package
 * (`dist/chinese-days.json`, from the State Council's yearly notice). The definition's
 * `calendar.holidays` and `calendar.workdays` override it date by date.
 *
 * Semantics: a date is a **working day** (工作日, as seed 001 counts "3个工作日" and customers read
 * it) when it is a make-up workday, or a Monday to Friday that is not a holiday, whatever hours the
 * desk keeps at weekends. Business hours are separate: on a holiday the desk is closed all day (no
 * business-hours range applies, not even the night range of the day before running past
 * midnight); on a make-up workday the hours are an ordinary weekday's: the ranges that list
 * `mon`. Definitions are read as immutable once parsed (answers are memoised per date).
 */

/** What the calendar reads of a definition; without `calendar`, the schema's default (region cn). */
export type CalendarDefinition = Pick<FlowDefinition, 'businessHours' | 'timeZone'> & { calendar?: Calendar };

type Range = FlowDefinition['businessHours'][number];

/** One local date as the desk sees it. */
export interface CalendarDay {
  date: string;
  weekday: Weekday;
  /** `holiday`: closed all day; `workday`: a make-up working day (weekday hours); `ordinary`: the weekly hours. */
  kind: 'holiday' | 'workday' | 'ordinary';
  /** Where a holiday or make-up day comes from: the definition's lists or the package. */
  source: 'definition' | 'package' | undefined;
  /** The business-hours ranges that open on this date. */
  ranges: readonly Range[];
  working: boolean;
}

const DEFAULT_CALENDAR: Calendar = Object.freeze({ region: 'cn', holidays: [], workdays: [] });

const PACKAGE = {
  name: `chinese-days ${chineseDaysPackage.version}`,
  holidays: new Set(Object.keys(chineseDays.holidays)),
  workdays: new Set(Object.keys(chineseDays.workdays)),
};
/** Years the package has data for: every year with a public holiday in it (2004–2026 in 1.5.7). */
const PACKAGE_YEARS = new Set([...PACKAGE.holidays].map((d) => d.slice(0, 4)));

interface Lists {
  holidays: Set<string>;
  workdays: Set<string>;
  /** Years the definition lists a date in: taken as covered by the admin. */
  years: Set<string>;
}
const LISTS = new WeakMap<Calendar, Lists>();

function listsOf(calendar: Calendar): Lists {
  let lists = LISTS.get(calendar);
  if (!lists) {
    const all = [...calendar.holidays, ...calendar.workdays];
    lists = {
      holidays: new Set(calendar.holidays),
      workdays: new Set(calendar.workdays),
      years: new Set(all.map((d) => d.slice(0, 4))),
    };
    LISTS.set(calendar, lists);
  }
  return lists;
}

/** Memo: business hours → calendar → date → day. Keyed by identity, so an edited definition is a new key. */
const DAYS = new WeakMap<readonly Range[], WeakMap<Calendar, Map<string, CalendarDay>>>();

function classify(calendar: Calendar, date: string): Pick<CalendarDay, 'kind' | 'source'> {
  const lists = listsOf(calendar);
  if (lists.holidays.has(date)) return { kind: 'holiday', source: 'definition' };
  if (lists.workdays.has(date)) return { kind: 'workday', source: 'definition' };
  if (calendar.region === 'cn' && PACKAGE.holidays.has(date)) return { kind: 'holiday', source: 'package' };
  if (calendar.region === 'cn' && PACKAGE.workdays.has(date)) return { kind: 'workday', source: 'package' };
  return { kind: 'ordinary', source: undefined };
}

/** How the desk sees a local date (`YYYY-MM-DD`): holiday, make-up workday or ordinary, and its hours. */
export function calendarDay(def: CalendarDefinition, date: string): CalendarDay {
  const calendar = def.calendar ?? DEFAULT_CALENDAR;
  let byCalendar = DAYS.get(def.businessHours);
  if (!byCalendar) DAYS.set(def.businessHours, (byCalendar = new WeakMap()));
  let byDate = byCalendar.get(calendar);
  if (!byDate) byCalendar.set(calendar, (byDate = new Map()));
  const known = byDate.get(date);
  if (known) return known;
  const weekday = weekdayOf(date);
  const { kind, source } = classify(calendar, date);
  const opensOn = (d: Weekday) => def.businessHours.filter((r) => (r.days as readonly string[]).includes(d));
  const ranges = kind === 'holiday' ? [] : opensOn(kind === 'workday' ? 'mon' : weekday);
  // 工作日 in its official sense (seed 001's "3个工作日"): Monday to Friday, public holidays off and
  // 调休 make-up days on, whatever hours the desk keeps on weekends.
  const working = kind === 'workday' || (kind === 'ordinary' && weekday !== 'sat' && weekday !== 'sun');
  const day: CalendarDay = Object.freeze({ date, weekday, kind, source, ranges, working });
  if (byDate.size > 5000) byDate.clear();
  byDate.set(date, day);
  return day;
}

/** Whether the local date at `at` (epoch ms, in the definition's time zone) is a working day. */
export function isWorkingDay(def: CalendarDefinition, at: number): boolean {
  return calendarDay(def, localParts(def.timeZone, at).date).working;
}

/** The most days any search looks ahead for a working day: a year without one is a broken definition. */
const SEARCH_DAYS = 366;

function nextWorkingDate(def: CalendarDefinition, date: string): string {
  for (let i = 1; i <= SEARCH_DAYS; i++) {
    const next = shiftDate(date, i);
    if (calendarDay(def, next).working) return next;
  }
  throw new RangeError(`no working day within ${SEARCH_DAYS} days after ${date}: check businessHours and calendar`);
}

/**
 * The same local time `days` working days after `at` (epoch ms in and out; `days` a whole number
 * ≥ 0). The day of `at` does not count: 3 working days from Wed 30 Sep 2026 10:00 Shanghai are
 * 8, 9 and 10 Oct (1–7 Oct 国庆 closed, Sat 10 Oct a make-up workday), so 10 Oct 10:00.
 * Throws a RangeError for a negative or fractional `days`.
 */
export function addWorkingDays(def: CalendarDefinition, at: number, days: number): number {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a whole number ≥ 0 (got ${days})`);
  const local = localParts(def.timeZone, at);
  let date = local.date;
  for (let i = 0; i < days; i++) date = nextWorkingDate(def, date);
  if (date === local.date) return at;
  return zonedTime(def.timeZone, date, local.time) + (at - Math.floor(at / 60_000) * 60_000);
}

/**
 * The instant `hours` hours after `at` (epoch ms; `hours` ≥ 0), counting only time that falls on
 * working days: whole calendar days, not business hours, so 48 h from Wed 30 Sep 2026 10:00
 * Shanghai is 14 h on 30 Sep, 24 h on 8 Oct and 10 h on 9 Oct: 9 Oct 10:00. Counting starts at the
 * next working midnight when `at` falls on a non-working day. Throws a RangeError for negative hours.
 */
export function addWorkingHours(def: CalendarDefinition, at: number, hours: number): number {
  if (!(hours >= 0) || !Number.isFinite(hours)) throw new RangeError(`hours must be ≥ 0 (got ${hours})`);
  let left = hours * 3_600_000;
  let t = at;
  let date = localParts(def.timeZone, at).date;
  while (left > 0) {
    if (!calendarDay(def, date).working) {
      date = nextWorkingDate(def, date);
      t = Math.max(t, zonedTime(def.timeZone, date, '00:00'));
    }
    const next = shiftDate(date, 1);
    const take = Math.min(left, Math.max(0, zonedTime(def.timeZone, next, '00:00') - t));
    left -= take;
    t += take;
    date = next;
  }
  return t;
}

/** The time (ms) from `from` to `to` (epoch ms) that falls on working days, as addWorkingHours counts it. */
export function workingMsBetween(def: CalendarDefinition, from: number, to: number): number {
  let total = 0;
  let t = from;
  let date = localParts(def.timeZone, from).date;
  while (t < to) {
    const next = shiftDate(date, 1);
    const end = Math.min(to, zonedTime(def.timeZone, next, '00:00'));
    if (calendarDay(def, date).working) total += Math.max(0, end - t);
    t = end;
    date = next;
  }
  return total;
}

/** Dates the calendar has no public-holiday data for. */
export interface CalendarCoverage {
  /** Local dates (`YYYY-MM-DD`) in years neither the package nor the definition's lists cover, in order. */
  uncovered: string[];
  /** The data source, for messages: `chinese-days 1.5.7`, or `none` for a definition without a region. */
  source: string;
}

/**
 * Which local dates of [from, from + days) fall in years the holiday data does not cover: years
 * without any date in the package and without any date in the definition's own lists. Such dates
 * are counted as ordinary days, which is wrong on the holidays nobody has listed yet. A definition
 * with `region: none` claims no public holidays, so it has nothing uncovered.
 */
export function calendarCoverage(def: CalendarDefinition, from: number, days: number): CalendarCoverage {
  const calendar = def.calendar ?? DEFAULT_CALENDAR;
  if (calendar.region === 'none') return { uncovered: [], source: 'none' };
  const own = listsOf(calendar).years;
  const start = localParts(def.timeZone, from).date;
  const uncovered: string[] = [];
  for (let i = 0; i < days; i++) {
    const date = shiftDate(start, i);
    const year = date.slice(0, 4);
    if (!PACKAGE_YEARS.has(year) && !own.has(year)) uncovered.push(date);
  }
  return { uncovered, source: PACKAGE.name };
}

/**
 * The start-up warning for a definition whose calendar does not cover the next `days` days from
 * `at`, or undefined when it does: what is missing and how to fix it, one line for a log or the CLI.
 */
export function calendarWarning(def: CalendarDefinition, at: number, days = 90): string | undefined {
  const { uncovered, source } = calendarCoverage(def, at, days);
  const first = uncovered[0];
  const last = uncovered.at(-1);
  if (first === undefined || last === undefined) return undefined;
  const years = [...new Set(uncovered.map((d) => d.slice(0, 4)))].join(', ');
  return (
    `${source} has no holiday data for ${first} to ${last} (within the next ${days} days): public holidays and ` +
    `make-up workdays there are unknown, so those dates count as ordinary days. Fix: update the package ` +
    `(npm update chinese-days) once the official ${years} holiday notice is out, or list ${years}'s dates ` +
    `in the definition's calendar.holidays and calendar.workdays.`
  );
}
