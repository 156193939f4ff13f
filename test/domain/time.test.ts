import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  daysInMonth,
  isValidTimeZone,
  minuteOfDay,
  offsetMsAt,
  utcMs,
  wallClockAt,
  weekdayOf,
  zonedToEpochMs,
} from '../../domain/time.ts';

const HOUR_MS = 3_600_000;
const at = (iso: string): number => Date.parse(iso);

describe('wallClockAt', () => {
  it('reads the article instant in Tokyo and New York', () => {
    expect(wallClockAt('Asia/Tokyo', at('2023-10-03T04:20:52.999Z'))).toEqual({
      year: 2023,
      month: 10,
      day: 3,
      hour: 13,
      minute: 20,
      second: 52,
      weekday: 2,
    });
    expect(wallClockAt('America/New_York', at('2023-10-03T04:20:52Z'))).toEqual({
      year: 2023,
      month: 10,
      day: 3,
      hour: 0,
      minute: 20,
      second: 52,
      weekday: 2,
    });
  });

  it('gives midnight as hour 0 of the new day', () => {
    const clock = wallClockAt('Asia/Tokyo', at('2023-10-03T15:00:00Z'));
    expect([clock.day, clock.hour, clock.minute, clock.weekday]).toEqual([4, 0, 0, 3]);
    expect(minuteOfDay(clock)).toBe(0);
    expect(minuteOfDay(wallClockAt('UTC', at('2023-10-03T23:59:00Z')))).toBe(1439);
  });

  it('throws RangeError for a bad zone or instant', () => {
    expect(() => wallClockAt('Mars/Olympus_Mons', 0)).toThrow(RangeError);
    expect(() => wallClockAt('UTC', Number.NaN)).toThrow(RangeError);
    expect(() => wallClockAt('UTC', Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('offsetMsAt', () => {
  it('knows fixed and daylight-saving offsets', () => {
    expect(offsetMsAt('Asia/Tokyo', at('2024-01-15T00:00:00Z'))).toBe(9 * HOUR_MS);
    expect(offsetMsAt('Asia/Tokyo', at('2024-07-15T00:00:00Z'))).toBe(9 * HOUR_MS);
    expect(offsetMsAt('America/New_York', at('2024-01-15T00:00:00Z'))).toBe(-5 * HOUR_MS);
    expect(offsetMsAt('America/New_York', at('2024-07-15T00:00:00Z'))).toBe(-4 * HOUR_MS);
    expect(offsetMsAt('Asia/Kolkata', at('2024-07-15T00:00:00Z'))).toBe(5.5 * HOUR_MS);
    expect(offsetMsAt('America/New_York', at('2024-03-10T06:59:59Z'))).toBe(-5 * HOUR_MS);
    expect(offsetMsAt('America/New_York', at('2024-03-10T07:00:00Z'))).toBe(-4 * HOUR_MS);
  });
});

describe('zonedToEpochMs', () => {
  it('converts ordinary wall-clock times', () => {
    expect(zonedToEpochMs('Asia/Tokyo', 2023, 10, 3, 13, 20, 52)).toBe(1_696_306_852_000);
    expect(zonedToEpochMs('America/New_York', 2024, 1, 15, 12, 0)).toBe(at('2024-01-15T17:00:00Z'));
    expect(zonedToEpochMs('America/New_York', 2024, 7, 15, 12, 0, 0, 250)).toBe(at('2024-07-15T16:00:00.250Z'));
  });

  it('moves a time in the spring-forward gap forward by the gap', () => {
    expect(zonedToEpochMs('America/New_York', 2024, 3, 10, 2, 0)).toBe(at('2024-03-10T07:00:00Z'));
    expect(zonedToEpochMs('America/New_York', 2024, 3, 10, 2, 30)).toBe(at('2024-03-10T07:30:00Z'));
    expect(zonedToEpochMs('Europe/London', 2024, 3, 31, 1, 30)).toBe(at('2024-03-31T01:30:00Z'));
  });

  it('takes the earlier of a repeated autumn time', () => {
    expect(zonedToEpochMs('America/New_York', 2024, 11, 3, 1, 30)).toBe(at('2024-11-03T05:30:00Z'));
    expect(zonedToEpochMs('America/New_York', 2024, 11, 3, 0, 59)).toBe(at('2024-11-03T04:59:00Z'));
    expect(zonedToEpochMs('America/New_York', 2024, 11, 3, 2, 0)).toBe(at('2024-11-03T07:00:00Z'));
  });

  it('round-trips any instant that is not in a repeated hour', () => {
    const zones = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: at('1990-01-01T00:00:00Z') / 1000, max: at('2060-01-01T00:00:00Z') / 1000 }),
        (zone, seconds) => {
          const instant = seconds * 1000;
          const w = wallClockAt(zone, instant);
          const back = zonedToEpochMs(zone, w.year, w.month, w.day, w.hour, w.minute, w.second);
          // Same wall clock always; same instant unless the hour repeats, where the earlier one wins.
          expect(wallClockAt(zone, back)).toEqual(w);
          expect(back).toBeLessThanOrEqual(instant);
          if (back !== instant) expect(offsetMsAt(zone, back)).toBeGreaterThan(offsetMsAt(zone, instant));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('calendar helpers', () => {
  it('counts days in months, leap years included', () => {
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2023, 4)).toBe(30);
    expect(daysInMonth(2023, 12)).toBe(31);
  });

  it('knows weekdays', () => {
    expect(weekdayOf(2023, 10, 3)).toBe(2);
    expect(weekdayOf(2024, 3, 10)).toBe(0);
    expect(weekdayOf(2024, 3, 9)).toBe(6);
  });

  it('takes two-digit years literally', () => {
    expect(new Date(utcMs(50, 1, 1)).getUTCFullYear()).toBe(50);
    expect(utcMs(2023, 10, 3, 4, 20, 52)).toBe(1_696_306_852_000);
  });

  it('validates zones', () => {
    expect(isValidTimeZone('Asia/Tokyo')).toBe(true);
    expect(isValidTimeZone('Asia/Nowhere')).toBe(false);
    expect(isValidTimeZone('+09:00')).toBe(false);
  });
});
