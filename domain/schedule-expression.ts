/**
 * EventBridge Scheduler's schedule expressions, as its user guide describes them ("Schedule types
 * on EventBridge Scheduler"), evaluated in a time zone:
 *
 *   at(yyyy-mm-ddThh:mm:ss)                     one time, wall-clock time in the zone
 *   rate(value unit)                            minute|minutes|hour|hours|day|days; the first
 *                                               occurrence is the start date (or at once)
 *   cron(minutes hours day-of-month month day-of-week year)
 *       minutes 0-59, hours 0-23, day-of-month 1-31 (and ? L W), month 1-12 or JAN-DEC,
 *       day-of-week 1-7 or SUN-SAT (1 = Sunday; and ? L #), year 1970-2199;
 *       `,` lists, `-` ranges, `*` all, `/` increments; one of day-of-month and day-of-week is `?`.
 *
 * Daylight saving time, as Scheduler documents it: when the clock springs forward, an occurrence at
 * a wall time that does not exist is skipped; when it falls back, an occurrence runs once (the
 * first of the repeated times). A rate in days is 24 hours of elapsed time.
 *
 * Pure: the zone and every instant come in as arguments (domain/time.ts does the zone arithmetic).
 * Used by the local Scheduler and by maintenance windows.
 */
import { daysInMonth, isValidTimeZone, utcMs, wallClockAt, weekdayOf, zonedToEpochMs } from './time.ts';

export class ScheduleExpressionError extends Error {
  constructor(expression: string, why: string) {
    super(`Invalid Schedule Expression ${expression}: ${why}`);
    this.name = 'ScheduleExpressionError';
  }
}

export interface CronFields {
  minutes: readonly number[];
  hours: readonly number[];
  months: readonly number[];
  years: readonly number[] | 'any';
  /** Exactly one of day-of-month and day-of-week constrains the day (the other is `?`). */
  day: DayRule;
}

type DayRule =
  | { kind: 'month-days'; days: readonly number[] }
  | { kind: 'last-day-of-month'; offset: number }
  | { kind: 'nearest-weekday'; day: number | 'last' }
  | { kind: 'week-days'; weekdays: readonly number[] }
  | { kind: 'last-weekday-of-month'; weekday: number }
  | { kind: 'nth-weekday'; weekday: number; nth: number };

export type ScheduleExpression =
  | { kind: 'at'; text: string; year: number; month: number; day: number; hour: number; minute: number; second: number }
  | { kind: 'rate'; text: string; everyMs: number }
  | { kind: 'cron'; text: string; fields: CronFields };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** One field's list (`*`, `n`, `a-b`, `a,b`, `a/n`, `*\/n`, `a-b/n`), names allowed where given. */
function parseList(expression: string, field: string, text: string, min: number, max: number, names: readonly string[] = [], nameBase = 1): number[] {
  const value = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new ScheduleExpressionError(expression, `${field} "${token}" is not in ${min}-${max}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [base, stepText, extra] = part.split('/');
    if (base === undefined || base === '' || extra !== undefined) throw new ScheduleExpressionError(expression, `${field} "${part}" is not a value, range or increment`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleExpressionError(expression, `${field} increment "${stepText}" must be a positive whole number`);
    let from: number;
    let to: number;
    if (base === '*') [from, to] = [min, max];
    else if (base.includes('-')) {
      const [a, b] = base.split('-');
      from = value(a ?? '');
      to = value(b ?? '');
      if (to < from) throw new ScheduleExpressionError(expression, `${field} range "${base}" runs backwards`);
    } else {
      from = value(base);
      to = stepText === undefined ? from : max;
    }
    for (const v of range(from, to, step)) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function parseDayOfMonth(expression: string, text: string): DayRule {
  if (text === 'L') return { kind: 'last-day-of-month', offset: 0 };
  const lastMinus = /^L-(\d+)$/.exec(text);
  if (lastMinus) return { kind: 'last-day-of-month', offset: Number(lastMinus[1]) };
  if (text === 'LW') return { kind: 'nearest-weekday', day: 'last' };
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) {
    const day = Number(weekday[1]);
    if (day < 1 || day > 31) throw new ScheduleExpressionError(expression, `day-of-month "${text}" is not in 1-31`);
    return { kind: 'nearest-weekday', day };
  }
  return { kind: 'month-days', days: parseList(expression, 'day-of-month', text, 1, 31) };
}

function parseDayOfWeek(expression: string, text: string): DayRule {
  const weekdayValue = (token: string): number => parseList(expression, 'day-of-week', token, 1, 7, WEEKDAYS)[0] as number;
  if (text === 'L') return { kind: 'week-days', weekdays: [7] };
  const last = /^([A-Za-z]{3}|\d)L$/.exec(text);
  if (last) return { kind: 'last-weekday-of-month', weekday: weekdayValue(last[1] as string) };
  const nth = /^([A-Za-z]{3}|\d)#(\d)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new ScheduleExpressionError(expression, `day-of-week "${text}": the week must be 1-5`);
    return { kind: 'nth-weekday', weekday: weekdayValue(nth[1] as string), nth: n };
  }
  return { kind: 'week-days', weekdays: parseList(expression, 'day-of-week', text, 1, 7, WEEKDAYS) };
}

/** Parses an expression, or throws ScheduleExpressionError saying what is wrong (AWS answers ValidationException). */
export function parseScheduleExpression(text: string): ScheduleExpression {
  const expression = text.trim();
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [number, number, number, number, number, number];
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) throw new ScheduleExpressionError(expression, 'not a valid date and time');
    return { kind: 'at', text: expression, year, month, day, hour, minute, second };
  }
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] as string;
    if (value < 1) throw new ScheduleExpressionError(expression, 'the value must be a positive whole number');
    // As AWS requires: rate(1 minute), rate(5 minutes).
    if ((value === 1) !== !unit.endsWith('s')) throw new ScheduleExpressionError(expression, value === 1 ? `use the singular: rate(1 ${unit.replace(/s$/, '')})` : `use the plural: rate(${value} ${unit}s)`);
    return { kind: 'rate', text: expression, everyMs: value * (UNIT_MS[unit.replace(/s$/, '')] as number) };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) throw new ScheduleExpressionError(expression, 'expected at(...), rate(...) or cron(...)');
  const parts = (cron[1] as string).trim().split(/\s+/);
  if (parts.length !== 6) throw new ScheduleExpressionError(expression, 'a cron expression has six fields: minutes hours day-of-month month day-of-week year');
  const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) throw new ScheduleExpressionError(expression, 'one of day-of-month and day-of-week must be ?, and only one');
  return {
    kind: 'cron',
    text: expression,
    fields: {
      minutes: parseList(expression, 'minutes', min, 0, 59),
      hours: parseList(expression, 'hours', hour, 0, 23),
      months: parseList(expression, 'month', month, 1, 12, MONTHS),
      years: year === '*' ? 'any' : parseList(expression, 'year', year, 1970, 2199),
      day: dom === '?' ? parseDayOfWeek(expression, dow) : parseDayOfMonth(expression, dom),
    },
  };
}

/** The tz database's names of three capitals (ICU also knows Java's old `JST`, `IST`, `PST`…, which it lacks). */
const TZDB_THREE_LETTER = new Set(['UTC', 'UCT', 'GMT', 'EST', 'MST', 'HST', 'CET', 'EET', 'MET', 'WET', 'PRC', 'ROC', 'ROK']);

/**
 * A time-zone name as Scheduler's ScheduleExpressionTimezone takes it: a name of the IANA tz
 * database (`Asia/Tokyo`, `America/Argentina/Buenos_Aires`, `Etc/GMT+9`, `US/Eastern`, `UTC`),
 * spelt as the database spells it. Intl alone would also take `asia/tokyo` (it folds case), ICU's
 * own `JST` and bare offsets; the database's names are case-sensitive, every part of one starts
 * with a capital letter, and it has no `JST`.
 */
export function isScheduleTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || !isValidTimeZone(tz)) return false;
  if (!tz.split('/').every((part) => /^[A-Z][A-Za-z0-9_+\-]*$/.test(part))) return false;
  if (/^[A-Z]{3}$/.test(tz) && !TZDB_THREE_LETTER.has(tz)) return false;
  // Intl answers a name in the wrong case with the right one.
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  return resolved === tz || resolved.toLowerCase() !== tz.toLowerCase();
}

/** Does the rule pick this date? Weekdays here are cron's: 1 = Sunday … 7 = Saturday. */
function dayMatches(rule: DayRule, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  const weekday = weekdayOf(year, month, day) + 1;
  switch (rule.kind) {
    case 'month-days':
      return rule.days.includes(day);
    case 'last-day-of-month':
      return day === last - rule.offset;
    case 'week-days':
      return rule.weekdays.includes(weekday);
    case 'last-weekday-of-month':
      return weekday === rule.weekday && day + 7 > last;
    case 'nth-weekday':
      return weekday === rule.weekday && Math.ceil(day / 7) === rule.nth;
    case 'nearest-weekday': {
      const target = rule.day === 'last' ? last : Math.min(rule.day, last);
      const targetWeekday = weekdayOf(year, month, target) + 1;
      // Saturday → the Friday before (or the Monday after on the 1st); Sunday → the Monday after (or the Friday before on the last day).
      let nearest = target;
      if (targetWeekday === 7) nearest = target === 1 ? 3 : target - 1;
      else if (targetWeekday === 1) nearest = target === last ? target - 2 : target + 1;
      return day === nearest;
    }
  }
}

const DAY_MS = 86_400_000;

/**
 * The first occurrence strictly after `afterMs`, or undefined when there is none (a one-time
 * schedule already past, a cron whose years are over). `startMs` anchors a rate (its first
 * occurrence; AWS starts one without a start date at once).
 */
export function nextOccurrence(expression: ScheduleExpression, afterMs: number, timeZone: string, startMs?: number): number | undefined {
  if (expression.kind === 'at') {
    const { year, month, day, hour, minute, second } = expression;
    const at = zonedToEpochMs(timeZone, year, month, day, hour, minute, second);
    return at > afterMs ? at : undefined;
  }
  if (expression.kind === 'rate') {
    const start = startMs ?? afterMs;
    if (start > afterMs) return start;
    return start + (Math.floor((afterMs - start) / expression.everyMs) + 1) * expression.everyMs;
  }
  const { fields } = expression;
  const from = wallClockAt(timeZone, afterMs);
  // Walk the zone's calendar days from the day of `afterMs`; every year of the range at most.
  let cursor = utcMs(from.year, from.month, from.day);
  for (let i = 0; i < 366 * 232; i++, cursor += DAY_MS) {
    const date = new Date(cursor);
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (fields.years !== 'any' && year > (fields.years.at(-1) ?? 0)) return undefined;
    if ((fields.years !== 'any' && !fields.years.includes(year)) || !fields.months.includes(month) || !dayMatches(fields.day, year, month, day)) continue;
    for (const hour of fields.hours) {
      for (const minute of fields.minutes) {
        // On the first day, a wall time before `afterMs`'s is past (or the second of a repeated time, which does not run).
        if (i === 0 && (hour < from.hour || (hour === from.hour && minute < from.minute))) continue;
        const instant = zonedToEpochMs(timeZone, year, month, day, hour, minute);
        if (instant <= afterMs) continue;
        // A wall time the spring-forward skipped does not occur (Scheduler skips it).
        const shown = wallClockAt(timeZone, instant);
        if (shown.hour !== hour || shown.minute !== minute || shown.day !== day) continue;
        return instant;
      }
    }
  }
  return undefined;
}
