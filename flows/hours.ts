import { calendarDay, type CalendarDefinition } from './calendar.js';
import { formatterFor, localParts, shiftDate, zonedTime } from './local-time.js';
import type { FlowDefinition } from './schema.js';

export { formatterFor, localParts, type Local } from './local-time.js';

/** One range of business hours, as in a definition. */
type Range = FlowDefinition['businessHours'][number];

/** Whether a range that opened on the current local date covers `time` (HH:MM) of it. */
const openFrom = (range: Range, time: string) =>
  range.open <= time && (range.close <= range.open || time < range.close);
/** Whether a range that opened the day before runs past midnight until after `time` of the current date. */
const spillsTo = (range: Range, time: string) => range.close <= range.open && time < range.close;

/**
 * Whether people are at work at `at` (epoch ms): the definition's business hours, in its time zone,
 * on the working-day calendar (flows/calendar.ts). A range whose close is not after its open runs
 * past midnight: `{ days: [mon], open: "21:00", close: "02:00" }` is open from Monday 21:00 until
 * Tuesday 02:00 (and a close of "00:00" ends at midnight). On a public holiday nothing opens, not
 * even the end of the night before; on a make-up workday (调休) the ranges that list `mon` open.
 */
export function isBusinessTime(def: CalendarDefinition, at: number): boolean {
  const { date, time } = localParts(def.timeZone, at);
  if (calendarDay(def, date).ranges.some((r) => openFrom(r, time))) return true;
  return calendarDay(def, shiftDate(date, -1)).ranges.some((r) => spillsTo(r, time));
}

/** How far ahead `nextBusinessTime` looks: Spring Festival (up to 9 days) with the weekends around it. */
const SEARCH_DAYS = 14;

/** Whether the desk is closed all of the local date: no range opens on it and none runs into it from the day before. */
function closedAllDay(def: CalendarDefinition, date: string): boolean {
  if (calendarDay(def, date).ranges.length > 0) return false;
  return !calendarDay(def, shiftDate(date, -1)).ranges.some((r) => r.close <= r.open && r.close > '00:00');
}

/**
 * The first minute at or after `at` (epoch ms), within two weeks, whose business time is `open`;
 * undefined when there is none. Changes fall on whole minutes: step by 15 minutes (a closed day at
 * once when looking for an opening), then refine to the minute.
 */
function firstMinute(def: CalendarDefinition, at: number, open: boolean): number | undefined {
  const step = 15 * 60_000;
  const start = Math.ceil(at / 60_000) * 60_000;
  let before = start;
  for (let t = start; t < at + SEARCH_DAYS * 86_400_000;) {
    if (isBusinessTime(def, t) === open) {
      let lo = before;
      while (lo < t && isBusinessTime(def, lo) !== open) lo += 60_000;
      return lo;
    }
    const date = open ? localParts(def.timeZone, t).date : undefined;
    if (date !== undefined && closedAllDay(def, date)) {
      t = Math.max(t + step, zonedTime(def.timeZone, shiftDate(date, 1), '00:00'));
      before = t;
    } else {
      before = t;
      t += step;
    }
  }
  return undefined;
}

/**
 * When agents are next at work: the first minute at or after `at` (epoch ms), within two weeks,
 * that is business time on the calendar; undefined when there is none.
 */
export function nextBusinessTime(def: CalendarDefinition, at: number): number | undefined {
  return firstMinute(def, at, true);
}

/**
 * When the desk next closes: the first minute at or after `at` (epoch ms), within two weeks, that
 * is not business time (`at` itself, rounded up to the minute, when closed now); undefined when it
 * stays open throughout (hours round the clock).
 */
export function nextClosingTime(def: CalendarDefinition, at: number): number | undefined {
  return firstMinute(def, at, false);
}

/**
 * When the desk last closed before `at` (epoch ms), not earlier than `notBefore`: the first closed
 * minute after the last business minute; `notBefore` when it was closed all along since then.
 */
export function lastClosingTime(def: CalendarDefinition, at: number, notBefore: number): number {
  const step = 15 * 60_000;
  let t = Math.floor(at / 60_000) * 60_000;
  while (t > notBefore && !isBusinessTime(def, t)) t -= step;
  if (t <= notBefore) return notBefore;
  // t is business time: the closing is the first closed minute after it.
  while (isBusinessTime(def, t)) t += 60_000;
  return Math.max(t, notBefore);
}

/**
 * When a reminder `beforeMs` ahead of `due` comes, in working time: one that would come while the
 * desk is closed comes `beforeMs` before the desk last closed instead (a 09:00 deadline's reminder
 * at 08:00 reached nobody, and none came the day before: found by the fifteenth issue-17
 * session's trial). Undefined when that is not after `from` (no reminder).
 */
export function reminderTime(def: CalendarDefinition, from: number, due: number, beforeMs: number): number | undefined {
  const plain = due - beforeMs;
  const at = isBusinessTime(def, plain) ? plain : lastClosingTime(def, plain, from) - beforeMs;
  return at > from ? at : undefined;
}

/** `at` when the desk is open then, else when it next opens (`at` when it never does): alerts reach people at work. */
export function atWork(def: CalendarDefinition, at: number): number {
  return isBusinessTime(def, at) ? at : (nextBusinessTime(def, at) ?? at);
}

/**
 * The variables of a line promising a reply (`{ticket}`, `{hours}`, `{by}`): on `ticket`, within
 * `hours`, by `by` (epoch ms) in the definition's local time.
 */
export function promiseVars(
  def: Pick<FlowDefinition, 'timeZone' | 'locale'>,
  ticket: string,
  hours: number,
  by: number,
): { ticket: string; hours: string; by: string } {
  return { ticket, hours: String(hours), by: formatLocalTime(def, by) };
}

/** "11月24日 09:00" / "Nov 24, 09:00" in the definition's locale and time zone. */
export function formatLocalTime(def: Pick<FlowDefinition, 'timeZone' | 'locale'>, at: number): string {
  return formatterFor(def.timeZone, def.locale, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/**
 * "周一、周二 09:00-21:00；周六 10:00-18:00" / "Mon/Tue 09:00-21:00; Sat 10:00-18:00", shown to
 * customers outside hours. A range past midnight reads "周一 21:00-次日02:00" / "Mon 21:00-02:00
 * next day"; one that closes at "00:00" reads as closing at 24:00.
 */
export function describeHours(def: Pick<FlowDefinition, 'businessHours' | 'locale'>): string {
  const zh = def.locale.startsWith('zh');
  const names: Record<string, string> = zh
    ? { mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六', sun: '周日' }
    : { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };
  const times = ({ open, close }: Range) => {
    if (close === '00:00') return `${open}-24:00`;
    if (open < close) return `${open}-${close}`;
    return zh ? `${open}-次日${close}` : `${open}-${close} next day`;
  };
  // Three days or more in a row as a range (周一至周五, Mon–Fri; found by the sixteenth issue-17 session's
  // trial: 周一、周二、周三、周四、周五), the rest listed.
  const days = (list: readonly string[]) =>
    runsOf(list)
      .map((run) =>
        run.length >= 3
          ? `${names[run[0]!]}${zh ? '至' : '–'}${names[run.at(-1)!]}`
          : run.map((d) => names[d]).join(zh ? '\u3001' : '/'),
      )
      .join(zh ? '\u3001' : '/');
  return def.businessHours.map((b) => `${days(b.days)} ${times(b)}`).join(zh ? '\uff1b' : '; ');
}

const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Days (mon…sun) in week order, as runs of days in a row. */
function runsOf(days: readonly string[]): string[][] {
  const runs: string[][] = [];
  for (const day of WEEK.filter((d) => days.includes(d))) {
    const last = runs.at(-1);
    if (last && WEEK.indexOf(last.at(-1)!) === WEEK.indexOf(day) - 1) last.push(day);
    else runs.push([day]);
  }
  return runs;
}
