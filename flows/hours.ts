import type { FlowDefinition } from './schema.js';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface Local {
  weekday: (typeof WEEKDAYS)[number];
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

/** One range of business hours, as in a definition. */
type Range = FlowDefinition['businessHours'][number];

/**
 * Whether a range of business hours covers a local weekday and time. A range whose close is not
 * after its open runs past midnight: `{ days: [mon], open: "21:00", close: "02:00" }` is open
 * from Monday 21:00 until Tuesday 02:00 (and a close of "00:00" ends at midnight).
 */
function covers(range: Range, local: Local): boolean {
  const listed = (day: Local['weekday']) => (range.days as readonly string[]).includes(day);
  if (range.open < range.close) return listed(local.weekday) && range.open <= local.time && local.time < range.close;
  const dayBefore = WEEKDAYS[(WEEKDAYS.indexOf(local.weekday) + 6) % 7] ?? local.weekday;
  return (listed(local.weekday) && range.open <= local.time) || (listed(dayBefore) && local.time < range.close);
}

/** Whether people are at work at `at` (epoch ms): the definition's business hours, in its time zone. */
export function isBusinessTime(def: Pick<FlowDefinition, 'businessHours' | 'timeZone'>, at: number): boolean {
  const local = localParts(def.timeZone, at);
  return def.businessHours.some((range) => covers(range, local));
}

/** When agents are next at work: the next minute, within two weeks, that is business time. */
export function nextBusinessTime(
  def: Pick<FlowDefinition, 'businessHours' | 'timeZone'>,
  at: number,
): number | undefined {
  // Openings fall on whole minutes; step by 15 minutes, then refine to the minute.
  const step = 15 * 60_000;
  const start = Math.ceil(at / 60_000) * 60_000;
  for (let t = start; t < at + 14 * 86_400_000; t += step) {
    if (!isBusinessTime(def, t)) continue;
    let lo = Math.max(start, t - step);
    while (lo < t && !isBusinessTime(def, lo)) lo += 60_000;
    return lo;
  }
  return undefined;
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
  return def.businessHours
    .map((b) => `${b.days.map((d) => names[d]).join(zh ? '\u3001' : '/')} ${times(b)}`)
    .join(zh ? '\uff1b' : '; ');
}
