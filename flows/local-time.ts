/**
 * Wall-clock time in a time zone, and plain calendar-date arithmetic: what greetings, business
 * hours and the working-day calendar read. Dates are `YYYY-MM-DD` strings, times `HH:MM`.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Local {
  weekday: Weekday;
  date: string;
  time: string;
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Intl formatters are costly to build (tens of µs) and immutable: one per time zone and style. */
export function formatterFor(
  timeZone: string,
  locale = 'en-US',
  style: Intl.DateTimeFormatOptions = {},
): Intl.DateTimeFormat {
  const key = `${timeZone}|${locale}|${JSON.stringify(style)}`;
  let f = FORMATS.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, ...style });
    FORMATS.set(key, f);
  }
  return f;
}

const PARTS: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

/** The last minute asked for, per time zone: a turn asks several times (greeting, hours, promises). */
const LAST_PARTS = new Map<string, { minute: number; local: Local }>();

/** The weekday, date and time of day at `at` in a time zone: what greetings and business hours read. */
export function localParts(timeZone: string, at: number): Local {
  // Zone offsets are whole minutes, so every instant of one UTC minute reads the same locally.
  const minute = Math.floor(at / 60_000);
  const last = LAST_PARTS.get(timeZone);
  if (last?.minute === minute) return last.local;
  const parts = formatterFor(timeZone, 'en-US', PARTS).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const local: Local = {
    weekday: get('weekday').toLowerCase().slice(0, 3) as Local['weekday'],
    date: `${get('year')}-${get('month')}-${get('day')}`,
    time: `${get('hour')}:${get('minute')}`,
  };
  LAST_PARTS.set(timeZone, { minute, local: Object.freeze(local) });
  return local;
}

const DAY_MS = 86_400_000;

/** The date `days` calendar days after `date` (before it when negative): `shiftDate('2026-09-30', 1)` is `2026-10-01`. */
export function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The weekday of a calendar date (no time zone involved). */
export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? 'sun';
}

/**
 * The instant (epoch ms) at which the wall clock of `timeZone` reads `date` `time` (HH:MM). Around a
 * daylight-saving change, a skipped or repeated clock time reads as an instant an hour off either way.
 */
export function zonedTime(timeZone: string, date: string, time: string): number {
  const wall = Date.parse(`${date}T${time}:00Z`);
  const offsetAt = (t: number) => {
    const l = localParts(timeZone, t);
    return Date.parse(`${l.date}T${l.time}:00Z`) - Math.floor(t / 60_000) * 60_000;
  };
  return wall - offsetAt(wall - offsetAt(wall));
}
