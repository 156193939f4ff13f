import { describe, expect, it } from 'vitest';
import { isScheduleTimeZone, nextOccurrence, parseScheduleExpression, ScheduleExpressionError } from '../../domain/schedule-expression.ts';

const at = (iso: string) => Date.parse(iso);
const next = (text: string, after: string, tz = 'UTC', start?: string) => {
  const ms = nextOccurrence(parseScheduleExpression(text), at(after), tz, start ? at(start) : undefined);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};
/** The next n occurrences after `after`. */
const series = (text: string, after: string, n: number, tz = 'UTC') => {
  const expression = parseScheduleExpression(text);
  const out: string[] = [];
  let t = at(after);
  for (let i = 0; i < n; i++) {
    const o = nextOccurrence(expression, t, tz);
    if (o === undefined) break;
    out.push(new Date(o).toISOString());
    t = o;
  }
  return out;
};

describe('schedule expressions as EventBridge Scheduler reads them', () => {
  it('at(): a wall-clock time in the zone, once', () => {
    expect(next('at(2026-11-25T09:00:00)', '2026-11-24T23:59:59Z', 'Asia/Tokyo')).toBe('2026-11-25T00:00:00.000Z'); // 09:00 JST
    expect(next('at(2026-11-25T09:00:00)', '2026-11-25T00:00:00Z', 'Asia/Tokyo')).toBeUndefined(); // strictly after: it is now, not next
    expect(next('at(2026-11-25T10:00:00)', '2026-11-25T00:00:00Z', 'Asia/Tokyo')).toBe('2026-11-25T01:00:00.000Z');
    expect(next('at(2026-11-25T10:00:00)', '2026-11-25T01:00:00Z', 'Asia/Tokyo')).toBeUndefined();
  });

  it('rate(): from its start date, or at once; days are 24 hours', () => {
    expect(next('rate(5 minutes)', '2026-11-25T00:00:00Z', 'UTC', '2026-11-25T00:00:00Z')).toBe('2026-11-25T00:05:00.000Z');
    expect(next('rate(1 hour)', '2026-11-25T00:30:00Z', 'UTC', '2026-11-25T01:00:00Z')).toBe('2026-11-25T01:00:00.000Z');
    expect(next('rate(1 day)', '2026-03-08T05:00:00Z', 'America/New_York', '2026-03-07T05:00:00Z')).toBe('2026-03-09T05:00:00.000Z');
  });

  it('cron(): lists, ranges, increments, names; evaluated in the zone', () => {
    expect(series('cron(0/15 9-10 ? * MON-FRI *)', '2026-11-27T23:50:00Z', 3, 'Asia/Tokyo')).toEqual(['2026-11-30T00:00:00.000Z', '2026-11-30T00:15:00.000Z', '2026-11-30T00:30:00.000Z']); // Fri 08:50 JST → Mon 09:00
    expect(series('cron(0 2 ? * SUN *)', '2026-11-25T00:00:00Z', 2, 'Asia/Tokyo')).toEqual(['2026-11-28T17:00:00.000Z', '2026-12-05T17:00:00.000Z']);
    expect(next('cron(30 12 1,15 JAN,JUL ? 2027)', '2026-11-25T00:00:00Z')).toBe('2027-01-01T12:30:00.000Z');
    expect(next('cron(0 0 1 1 ? 2026)', '2026-11-25T00:00:00Z')).toBeUndefined();
  });

  it('cron(): L, W and # as AWS documents them', () => {
    expect(next('cron(0 0 L * ? *)', '2026-02-01T00:00:00Z')).toBe('2026-02-28T00:00:00.000Z');
    expect(next('cron(0 0 ? * 6L *)', '2026-11-01T00:00:00Z')).toBe('2026-11-27T00:00:00.000Z'); // last Friday
    expect(next('cron(0 0 ? * 3#2 *)', '2026-11-01T00:00:00Z')).toBe('2026-11-10T00:00:00.000Z'); // second Tuesday
    expect(next('cron(0 0 15W * ? *)', '2026-11-01T00:00:00Z')).toBe('2026-11-16T00:00:00.000Z'); // the 15th is a Sunday
    expect(next('cron(0 0 1W * ? *)', '2026-08-01T00:00:00Z')).toBe('2026-08-03T00:00:00.000Z'); // 1 Aug is a Saturday: Monday the 3rd
  });

  it('daylight saving time: a skipped wall time does not run, a repeated one runs once', () => {
    // New York springs forward at 02:00 on 2026-03-08: 02:30 does not exist that day.
    expect(series('cron(30 2 * * ? *)', '2026-03-07T00:00:00Z', 2, 'America/New_York')).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
    // It falls back at 02:00 on 2026-11-01: 01:30 happens twice, the schedule runs at the first.
    expect(series('cron(30 1 * * ? *)', '2026-10-31T12:00:00Z', 2, 'America/New_York')).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('cron(): within the day it starts on, from the next wall-clock minute (a repeated time still runs once)', () => {
    expect(series('cron(* * * * ? *)', '2026-11-24T23:58:30Z', 3, 'America/New_York')).toEqual(['2026-11-24T23:59:00.000Z', '2026-11-25T00:00:00.000Z', '2026-11-25T00:01:00.000Z']);
    expect(next('cron(0/20 * * * ? *)', '2026-11-24T10:40:00Z')).toBe('2026-11-24T11:00:00.000Z'); // strictly after
    // New York falls back at 02:00 on 2026-11-01: from 01:10 EST (the second pass), 01:20 is the
    // repeated time (it ran in the first pass), so the next is 02:00.
    expect(series('cron(0/20 * * * ? *)', '2026-11-01T06:10:00Z', 2, 'America/New_York')).toEqual(['2026-11-01T07:00:00.000Z', '2026-11-01T07:20:00.000Z']);
  });

  it('time zones as ScheduleExpressionTimezone takes them: IANA names as the tz database spells them', () => {
    for (const tz of ['UTC', 'Asia/Tokyo', 'America/New_York', 'America/Argentina/Buenos_Aires', 'Etc/GMT+9', 'Europe/Kyiv', 'Asia/Kolkata', 'US/Eastern', 'EST5EDT', 'America/Port-au-Prince']) expect(isScheduleTimeZone(tz), tz).toBe(true);
    for (const tz of ['', 'utc', 'asia/tokyo', 'ASIA/TOKYO', 'Asia/Nowhere', '+09:00', 'UTC+9', ' Asia/Tokyo', 'JST']) expect(isScheduleTimeZone(tz), tz).toBe(false);
  });

  it('refuses what AWS refuses, saying why', () => {
    for (const [text, why] of [
      ['cron(0 0 * * * *)', /one of day-of-month and day-of-week must be \?/],
      ['cron(0 0 ? * ? *)', /one of day-of-month and day-of-week/],
      ['cron(0 0 * *)', /six fields/],
      ['cron(60 0 * * ? *)', /minutes "60" is not in 0-59/],
      ['cron(0 0 ? * MOX *)', /day-of-week/],
      ['cron(0 0 ? * 2#6 *)', /week must be 1-5/],
      ['cron(0 5-2 * * ? *)', /runs backwards/],
      ['rate(0 minutes)', /positive/],
      ['rate(1 minutes)', /singular/],
      ['rate(5 minute)', /plural/],
      ['rate(5 seconds)', /expected at/],
      ['at(2026-02-30T00:00:00)', /not a valid date/],
      ['every 5 minutes', /expected at/],
    ] as const) {
      expect(() => parseScheduleExpression(text), text).toThrow(ScheduleExpressionError);
      expect(() => parseScheduleExpression(text), text).toThrow(why);
    }
  });
});
