/**
 * Time-zone arithmetic shared by domain/hours.ts and domain/message.ts.
 *
 * Pure: instants come in as epoch milliseconds and the only tool used is Intl.DateTimeFormat with an
 * explicit `timeZone` (ICU's tz database), read through `formatToParts` numeric fields only, so the
 * results do not depend on how a given ICU version words or orders a formatted date.
 *
 * An invalid `timeZone` makes these functions throw a RangeError (from Intl); callers validate
 * zones up front with `isValidTimeZone`.
 */

/** 0 = Sunday … 6 = Saturday, as Date#getUTCDay counts. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** The calendar date and clock time a wall clock in some zone shows at an instant. */
export interface WallClock {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
  /** 0-23 */
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
}

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formatters are costly to build; one per zone is cached (a memo, not state: output never changes). */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * True for a time-zone name Intl knows (IANA names such as `Asia/Tokyo`, `America/New_York`,
 * `UTC`). Bare offsets such as `+09:00`, which newer engines also accept, are refused: they have
 * no daylight-saving rules, so they are almost always a mistake for a person's zone.
 */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.trim() === '' || tz !== tz.trim() || /^[+-]/.test(tz)) return false;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/** Epoch ms of a proleptic-Gregorian UTC date-time; unlike Date.UTC, years 0-99 are taken literally. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

export function weekdayOf(year: number, month: number, day: number): Weekday {
  return new Date(utcMs(year, month, day)).getUTCDay() as Weekday;
}

/** What a wall clock in `timeZone` shows at `atMs` (sub-second part dropped). */
export function wallClockAt(timeZone: string, atMs: number): WallClock {
  if (!Number.isFinite(atMs)) throw new RangeError(`not a finite epoch-millisecond instant: ${atMs}`);
  const fields = { year: NaN, month: NaN, day: NaN, hour: NaN, minute: NaN, second: NaN };
  for (const part of formatterFor(timeZone).formatToParts(atMs)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  // Some ICU versions print midnight as 24 even with h23.
  const hour = fields.hour === 24 ? 0 : fields.hour;
  return { ...fields, hour, weekday: weekdayOf(fields.year, fields.month, fields.day) };
}

/** The zone's offset from UTC at an instant, in ms (Tokyo: +9 h; New York: -5 h or -4 h). */
export function offsetMsAt(timeZone: string, atMs: number): number {
  const whole = Math.floor(atMs / 1000) * 1000;
  const w = wallClockAt(timeZone, whole);
  return utcMs(w.year, w.month, w.day, w.hour, w.minute, w.second) - whole;
}

/**
 * The instant a wall clock in `timeZone` shows the given date and time. Fields must already be in
 * range (callers validate). Across a DST change this resolves like Temporal's "compatible" mode:
 * a time that happens twice (autumn overlap) gives the earlier instant; a time that never happens
 * (spring gap) is moved forward by the length of the gap (02:30 on a New York spring-forward day
 * is 03:30 EDT).
 */
export function zonedToEpochMs(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second = 0,
  ms = 0,
): number {
  const local = utcMs(year, month, day, hour, minute, second, ms);
  // Offsets in force a day either side; no zone changes its offset twice within two days.
  const before = offsetMsAt(timeZone, local - DAY_MS);
  const after = offsetMsAt(timeZone, local + DAY_MS);
  const candidates = [...new Set([before, after])]
    .map((offset) => local - offset)
    .filter((instant) => offsetMsAt(timeZone, instant) === local - instant)
    .sort((a, b) => a - b);
  const earliest = candidates[0];
  if (earliest !== undefined) return earliest;
  // In the gap: read the wall time with the offset from before the change.
  return local - before;
}

/** Minutes since local midnight, 0-1439. */
export function minuteOfDay(clock: Pick<WallClock, 'hour' | 'minute'>): number {
  return clock.hour * 60 + clock.minute;
}
