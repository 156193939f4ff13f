import { describe, expect, it } from 'vitest';
import {
  InvalidContactHoursError,
  isValidTimeZone,
  isWithinContactHours,
  parseContactHours,
  type ContactHours,
} from '../../domain/hours.ts';

const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};

const within = (hours: string, timeZone: string, iso: string): boolean =>
  isWithinContactHours(parseContactHours(hours), timeZone, at(iso));

// Calendar used below: 2023-10-02 Mon … 2023-10-08 Sun; 2024-01-05 Fri; 2024-03-09 Sat;
// 2024-03-10 Sun (US spring-forward); 2024-11-03 Sun (US fall-back).

describe('parseContactHours: accepted forms', () => {
  it('reads a weekday range', () => {
    expect(parseContactHours('Mon-Fri 09:00-18:00')).toEqual<ContactHours>({
      windows: [{ days: [1, 2, 3, 4, 5], start: 540, end: 1080 }],
    });
  });

  it('reads several windows, /-lists and mixes', () => {
    expect(parseContactHours('Mon/Wed/Fri 08:00-09:30, Sat-Sun 10:00-12:00,Tue-Wed/Sat 13:15-13:45')).toEqual({
      windows: [
        { days: [1, 3, 5], start: 480, end: 570 },
        { days: [0, 6], start: 600, end: 720 },
        { days: [2, 3, 6], start: 795, end: 825 },
      ],
    });
  });

  it('wraps a range past Sunday', () => {
    expect(parseContactHours('Fri-Mon 22:00-06:00').windows[0]?.days).toEqual([0, 1, 5, 6]);
    expect(parseContactHours('Sat-Sat 10:00-11:00').windows[0]?.days).toEqual([6]);
  });

  it.each([
    ['Daily 22:00-06:00', [0, 1, 2, 3, 4, 5, 6]],
    ['Everyday 00:00-24:00', [0, 1, 2, 3, 4, 5, 6]],
    ['Weekdays 09:00-17:00', [1, 2, 3, 4, 5]],
    ['Weekends 09:00-17:00', [0, 6]],
    ['WEEKDAYS 09:00-17:00', [1, 2, 3, 4, 5]],
    ['mOn-fRi 09:00-17:00', [1, 2, 3, 4, 5]],
    ['Weekends/Wed 09:00-17:00', [0, 3, 6]],
    ['sun/SUN/Sun 09:00-17:00', [0]],
  ])('keywords and case: %s', (text, days) => {
    expect(parseContactHours(text).windows[0]?.days).toEqual(days);
  });

  it('allows 24:00 as an end, one-digit hours and spaces around - and /', () => {
    expect(parseContactHours('Sun 00:00-24:00').windows).toEqual([{ days: [0], start: 0, end: 1440 }]);
    expect(parseContactHours('  Mon - Fri / Sun   9:00 - 18:00  ').windows).toEqual([
      { days: [0, 1, 2, 3, 4, 5], start: 540, end: 1080 },
    ]);
  });

  it('keeps an overnight window as start > end', () => {
    expect(parseContactHours('Fri 22:00-06:00').windows).toEqual([{ days: [5], start: 1320, end: 360 }]);
  });
});

describe('parseContactHours: refused forms name the bad part', () => {
  it.each([
    ['', 'contact hours are empty (e.g. "Mon-Fri 09:00-18:00")'],
    ['   ', 'contact hours are empty (e.g. "Mon-Fri 09:00-18:00")'],
    ['Mon-Fri', '"Mon-Fri": expected "DAYS HH:MM-HH:MM", e.g. "Mon-Fri 09:00-18:00"'],
    ['09:00-18:00', '"09:00-18:00": expected "DAYS HH:MM-HH:MM", e.g. "Mon-Fri 09:00-18:00"'],
    ['Mon Tue 09:00-18:00', '"Mon Tue 09:00-18:00": expected "DAYS HH:MM-HH:MM", e.g. "Mon-Fri 09:00-18:00"'],
    [
      'Monday 09:00-18:00',
      '"Monday 09:00-18:00": "Monday" is not a day (use Mon Tue Wed Thu Fri Sat Sun, Daily, Everyday, Weekdays or Weekends)',
    ],
    [
      'Mon-Fry 09:00-18:00',
      '"Mon-Fry 09:00-18:00": "Fry" is not a day (use Mon Tue Wed Thu Fri Sat Sun, Daily, Everyday, Weekdays or Weekends)',
    ],
    [
      'Constructor 09:00-18:00',
      '"Constructor 09:00-18:00": "Constructor" is not a day (use Mon Tue Wed Thu Fri Sat Sun, Daily, Everyday, Weekdays or Weekends)',
    ],
    ['Mon-Wed-Fri 09:00-18:00', '"Mon-Wed-Fri 09:00-18:00": "Mon-Wed-Fri" is not a day range (write e.g. Mon-Fri)'],
    ['Mon//Wed 09:00-18:00', '"Mon//Wed 09:00-18:00": empty day in "Mon//Wed"'],
    ['Mon 25:00-26:00', '"Mon 25:00-26:00": "25:00" is not a time (HH:MM, 00:00-24:00)'],
    ['Mon 09:60-10:00', '"Mon 09:60-10:00": "09:60" is not a time (HH:MM, 00:00-24:00)'],
    ['Mon 09:00-24:30', '"Mon 09:00-24:30": "24:30" is not a time (HH:MM, 00:00-24:00)'],
    ['Mon 0900-1800', '"Mon 0900-1800": "0900" is not a time (HH:MM, 00:00-24:00)'],
    ['Mon 9am-5pm', '"Mon 9am-5pm": "9am" is not a time (HH:MM, 00:00-24:00)'],
    [
      'Mon 09:00-09:00',
      '"Mon 09:00-09:00": start and end are both 09:00; a window cannot be empty (for a whole day write 00:00-24:00)',
    ],
    ['Mon 24:00-06:00', '"Mon 24:00-06:00": a window cannot start at 24:00 (write 00:00 on the next day)'],
    ['Mon-Fri 09:00-18:00,', 'window 2 is empty (stray comma?)'],
    ['Mon-Fri 09:00-18:00, Sat 10:00-1200', 'window 2 "Sat 10:00-1200": "1200" is not a time (HH:MM, 00:00-24:00)'],
  ])('%j', (text, message) => {
    let thrown: unknown;
    try {
      parseContactHours(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidContactHoursError);
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe('InvalidContactHoursError');
    expect((thrown as Error).message).toBe(message);
  });
});

describe('isWithinContactHours', () => {
  it('treats missing hours as always reachable', () => {
    expect(isWithinContactHours(undefined, 'UTC', at('2023-10-07T03:00:00Z'))).toBe(true);
    expect(isWithinContactHours(undefined, 'Asia/Tokyo', at('2023-10-04T15:00:00Z'))).toBe(true);
  });

  it('tells weekdays from weekends', () => {
    expect(within('Mon-Fri 09:00-18:00', 'UTC', '2023-10-03T12:00:00Z')).toBe(true); // Tue
    expect(within('Mon-Fri 09:00-18:00', 'UTC', '2023-10-07T12:00:00Z')).toBe(false); // Sat
    expect(within('Mon-Fri 09:00-18:00', 'UTC', '2023-10-08T12:00:00Z')).toBe(false); // Sun
    expect(within('Weekends 10:00-16:00', 'UTC', '2023-10-07T12:00:00Z')).toBe(true);
    expect(within('Weekends 10:00-16:00', 'UTC', '2023-10-08T12:00:00Z')).toBe(true);
    expect(within('Weekends 10:00-16:00', 'UTC', '2023-10-02T12:00:00Z')).toBe(false); // Mon
  });

  it('includes the start and excludes the end', () => {
    const hours = 'Mon-Fri 09:00-18:00';
    expect(within(hours, 'UTC', '2023-10-03T08:59:59.999Z')).toBe(false);
    expect(within(hours, 'UTC', '2023-10-03T09:00:00.000Z')).toBe(true);
    expect(within(hours, 'UTC', '2023-10-03T17:59:59.999Z')).toBe(true);
    expect(within(hours, 'UTC', '2023-10-03T18:00:00.000Z')).toBe(false);
  });

  it('covers a whole day with 00:00-24:00 and nothing of the next', () => {
    expect(within('Mon 00:00-24:00', 'UTC', '2023-10-01T23:59:59Z')).toBe(false); // Sun
    expect(within('Mon 00:00-24:00', 'UTC', '2023-10-02T00:00:00Z')).toBe(true);
    expect(within('Mon 00:00-24:00', 'UTC', '2023-10-02T23:59:59Z')).toBe(true);
    expect(within('Mon 00:00-24:00', 'UTC', '2023-10-03T00:00:00Z')).toBe(false);
  });

  it('gives an overnight window to the day it starts on: Fri 22:00-06:00', () => {
    const hours = 'Fri 22:00-06:00';
    expect(within(hours, 'UTC', '2023-10-06T21:59:00Z')).toBe(false); // Fri
    expect(within(hours, 'UTC', '2023-10-06T22:00:00Z')).toBe(true);
    expect(within(hours, 'UTC', '2023-10-06T23:59:59Z')).toBe(true);
    expect(within(hours, 'UTC', '2023-10-07T00:00:00Z')).toBe(true); // Sat
    expect(within(hours, 'UTC', '2023-10-07T05:59:59Z')).toBe(true);
    expect(within(hours, 'UTC', '2023-10-07T06:00:00Z')).toBe(false);
    // Friday's own early morning belongs to Thursday, which is not listed.
    expect(within(hours, 'UTC', '2023-10-06T03:00:00Z')).toBe(false);
    // Saturday evening is not a Friday.
    expect(within(hours, 'UTC', '2023-10-07T23:00:00Z')).toBe(false);
  });

  it('handles daily overnight windows and an end of 00:00', () => {
    expect(within('Daily 22:00-06:00', 'UTC', '2023-10-02T03:00:00Z')).toBe(true);
    expect(within('Daily 22:00-06:00', 'UTC', '2023-10-02T12:00:00Z')).toBe(false);
    expect(within('Sun 18:00-00:00', 'UTC', '2023-10-08T23:59:00Z')).toBe(true);
    expect(within('Sun 18:00-00:00', 'UTC', '2023-10-09T00:00:00Z')).toBe(false);
  });

  it('matches any of several windows', () => {
    const hours = 'Mon-Fri 09:00-18:00, Sat 10:00-12:00';
    expect(within(hours, 'UTC', '2023-10-04T17:00:00Z')).toBe(true); // Wed
    expect(within(hours, 'UTC', '2023-10-07T11:00:00Z')).toBe(true); // Sat
    expect(within(hours, 'UTC', '2023-10-07T09:30:00Z')).toBe(false);
    expect(within(hours, 'UTC', '2023-10-07T12:00:00Z')).toBe(false);
    expect(within(hours, 'UTC', '2023-10-08T11:00:00Z')).toBe(false); // Sun
  });

  it('reads the clock in the responder zone: one instant, inside for Tokyo, outside for New York', () => {
    const instant = '2023-10-03T04:20:52Z'; // Tue 13:20 in Tokyo, Tue 00:20 in New York
    expect(within('Mon-Fri 09:00-18:00', 'Asia/Tokyo', instant)).toBe(true);
    expect(within('Mon-Fri 09:00-18:00', 'America/New_York', instant)).toBe(false);
    const evening = '2023-10-03T14:00:00Z'; // Tue 23:00 in Tokyo, Tue 10:00 in New York
    expect(within('Mon-Fri 09:00-18:00', 'Asia/Tokyo', evening)).toBe(false);
    expect(within('Mon-Fri 09:00-18:00', 'America/New_York', evening)).toBe(true);
  });

  it('takes the weekday from the responder zone too', () => {
    const instant = '2024-01-05T23:30:00Z'; // Fri 23:30 UTC, Sat 08:30 in Tokyo
    expect(within('Sat 08:00-09:00', 'Asia/Tokyo', instant)).toBe(true);
    expect(within('Sat 08:00-09:00', 'UTC', instant)).toBe(false);
    expect(within('Fri 23:00-24:00', 'UTC', instant)).toBe(true);
    expect(within('Fri 23:00-24:00', 'Asia/Tokyo', instant)).toBe(false);
  });

  it('keeps local hours across the New York spring-forward (2024-03-10)', () => {
    const hours = 'Daily 09:00-17:00';
    expect(within(hours, 'America/New_York', '2024-03-09T13:00:00Z')).toBe(false); // 08:00 EST
    expect(within(hours, 'America/New_York', '2024-03-09T14:00:00Z')).toBe(true); // 09:00 EST
    expect(within(hours, 'America/New_York', '2024-03-10T12:59:00Z')).toBe(false); // 08:59 EDT
    expect(within(hours, 'America/New_York', '2024-03-10T13:00:00Z')).toBe(true); // 09:00 EDT
    expect(within(hours, 'America/New_York', '2024-03-10T20:59:00Z')).toBe(true); // 16:59 EDT
    expect(within(hours, 'America/New_York', '2024-03-10T21:00:00Z')).toBe(false); // 17:00 EDT
  });

  it('ends an overnight window at local 06:00 on the night the clocks go forward', () => {
    const hours = 'Sat 22:00-06:00';
    expect(within(hours, 'America/New_York', '2024-03-10T02:59:00Z')).toBe(false); // Sat 21:59 EST
    expect(within(hours, 'America/New_York', '2024-03-10T03:00:00Z')).toBe(true); // Sat 22:00 EST
    expect(within(hours, 'America/New_York', '2024-03-10T06:59:00Z')).toBe(true); // Sun 01:59 EST
    expect(within(hours, 'America/New_York', '2024-03-10T07:00:00Z')).toBe(true); // Sun 03:00 EDT
    expect(within(hours, 'America/New_York', '2024-03-10T09:59:00Z')).toBe(true); // Sun 05:59 EDT
    expect(within(hours, 'America/New_York', '2024-03-10T10:00:00Z')).toBe(false); // Sun 06:00 EDT (05:00 EST)
  });

  it('covers both passes of the repeated hour at the New York fall-back (2024-11-03)', () => {
    const hours = 'Sun 01:00-02:00';
    expect(within(hours, 'America/New_York', '2024-11-03T04:59:00Z')).toBe(false); // 00:59 EDT
    expect(within(hours, 'America/New_York', '2024-11-03T05:30:00Z')).toBe(true); // 01:30 EDT
    expect(within(hours, 'America/New_York', '2024-11-03T06:30:00Z')).toBe(true); // 01:30 EST
    expect(within(hours, 'America/New_York', '2024-11-03T07:00:00Z')).toBe(false); // 02:00 EST
    expect(within('Daily 09:00-17:00', 'America/New_York', '2024-11-03T21:59:00Z')).toBe(true); // 16:59 EST
    expect(within('Daily 09:00-17:00', 'America/New_York', '2024-11-03T22:00:00Z')).toBe(false); // 17:00 EST
  });

  it('throws RangeError for an invalid zone when there are hours to check', () => {
    expect(() => within('Daily 09:00-17:00', 'Mars/Olympus_Mons', '2023-10-03T00:00:00Z')).toThrow(RangeError);
  });
});

describe('isValidTimeZone', () => {
  it.each(['Asia/Tokyo', 'America/New_York', 'Europe/London', 'UTC'])('accepts %s', (tz) => {
    expect(isValidTimeZone(tz)).toBe(true);
  });

  it.each(['', ' ', 'Mars/Olympus_Mons', 'Tokyo', '+09:00', '-05:00', ' Asia/Tokyo', 'Asia/Tokyo '])(
    'refuses %j',
    (tz) => {
      expect(isValidTimeZone(tz)).toBe(false);
    },
  );
});
