/**
 * Responders' contact hours: when a responder may be called, in their own IANA time zone.
 *
 * Format: one or more comma-separated windows, each `DAYS HH:MM-HH:MM`.
 *
 *   DAYS   a day                      Mon
 *          a range (may wrap)         Mon-Fri, Fri-Mon (= Fri, Sat, Sun, Mon)
 *          a `/`-list of the above    Mon/Wed/Fri, Mon-Wed/Fri
 *          a keyword                  Daily or Everyday (all 7 days), Weekdays (Mon-Fri),
 *                                     Weekends (Sat, Sun)
 *          Day names are English three-letter abbreviations (Mon Tue Wed Thu Fri Sat Sun).
 *          Everything is case-insensitive; spaces around `-` and `/` are allowed.
 *   TIMES  HH:MM-HH:MM, from 00:00 to 24:00 (a one-digit hour such as 9:00 is accepted; 24:00
 *          only as an end time). The start is inclusive and the end exclusive, to the minute:
 *          `09:00-18:00` covers 09:00:00 up to 17:59:59.
 *          A window whose end is before its start crosses midnight and belongs to the day it
 *          starts on: `Fri 22:00-06:00` covers Friday 22:00 to Saturday 06:00 (not Friday 00:00-06:00).
 *          Start equal to end is refused (for a whole day write 00:00-24:00).
 *
 *   Mon-Fri 09:00-18:00
 *   Mon-Fri 09:00-18:00, Sat 10:00-12:00
 *   Daily 22:00-06:00
 *
 * Times are wall-clock times in the responder's zone, so a window keeps its local hours across
 * daylight-saving changes (on a spring-forward night `Sat 22:00-06:00` lasts seven real hours).
 */
import { isValidTimeZone, minuteOfDay, wallClockAt, type Weekday } from './time.ts';

export { isValidTimeZone };
export type { Weekday };

export interface ContactWindow {
  /** Days the window starts on, ascending, 0 = Sunday … 6 = Saturday. */
  readonly days: readonly Weekday[];
  /** Minutes after midnight, 0-1439, inclusive. */
  readonly start: number;
  /** Minutes after midnight, 0-1440, exclusive. Less than `start`: ends on the next day. */
  readonly end: number;
}

export interface ContactHours {
  readonly windows: readonly ContactWindow[];
}

export class InvalidContactHoursError extends Error {
  override name = 'InvalidContactHoursError';
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const KEYWORDS: ReadonlyMap<string, readonly Weekday[]> = new Map<string, readonly Weekday[]>([
  ['daily', [0, 1, 2, 3, 4, 5, 6]],
  ['everyday', [0, 1, 2, 3, 4, 5, 6]],
  ['weekdays', [1, 2, 3, 4, 5]],
  ['weekends', [0, 6]],
]);

function dayNumber(name: string): Weekday | undefined {
  const index = DAY_NAMES.indexOf(name as (typeof DAY_NAMES)[number]);
  return index === -1 ? undefined : (index as Weekday);
}

function parseDays(text: string, where: string): Weekday[] {
  const days = new Set<Weekday>();
  for (const item of text.split('/')) {
    if (item === '') throw new InvalidContactHoursError(`${where}: empty day in "${text}"`);
    const keyword = KEYWORDS.get(item.toLowerCase());
    if (keyword) {
      keyword.forEach((day) => days.add(day));
      continue;
    }
    const ends = item.split('-');
    if (ends.length > 2) throw new InvalidContactHoursError(`${where}: "${item}" is not a day range (write e.g. Mon-Fri)`);
    const from = dayNumber((ends[0] ?? '').toLowerCase());
    const to = dayNumber((ends[1] ?? ends[0] ?? '').toLowerCase());
    if (from === undefined || to === undefined) {
      const bad = from === undefined ? ends[0] : ends[1];
      throw new InvalidContactHoursError(
        `${where}: "${bad}" is not a day (use Mon Tue Wed Thu Fri Sat Sun, Daily, Everyday, Weekdays or Weekends)`,
      );
    }
    for (let day = from; ; day = ((day + 1) % 7) as Weekday) {
      days.add(day);
      if (day === to) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

function parseTime(text: string, where: string, role: 'start' | 'end'): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  const valid = match !== null && ((hour <= 23 && minute <= 59) || (hour === 24 && minute === 0));
  if (!valid) throw new InvalidContactHoursError(`${where}: "${text}" is not a time (HH:MM, 00:00-24:00)`);
  if (role === 'start' && hour === 24) {
    throw new InvalidContactHoursError(`${where}: a window cannot start at 24:00 (write 00:00 on the next day)`);
  }
  return hour * 60 + minute;
}

function parseWindow(text: string, where: string): ContactWindow {
  // The times are the tail; whatever comes before them is the days.
  const match = /^(.*?)\s*(\S+?)\s*-\s*(\S+)$/.exec(text);
  const days = match?.[1]?.replace(/\s*([-/])\s*/g, '$1') ?? '';
  if (!match || days === '' || /\s/.test(days)) {
    throw new InvalidContactHoursError(`${where}: expected "DAYS HH:MM-HH:MM", e.g. "Mon-Fri 09:00-18:00"`);
  }
  const start = parseTime(match[2] ?? '', where, 'start');
  const end = parseTime(match[3] ?? '', where, 'end');
  if (start === end) {
    throw new InvalidContactHoursError(
      `${where}: start and end are both ${match[2]}; a window cannot be empty (for a whole day write 00:00-24:00)`,
    );
  }
  return { days: parseDays(days, where), start, end };
}

/** Parses the format described at the top of this file; throws InvalidContactHoursError naming the bad part. */
export function parseContactHours(text: string): ContactHours {
  if (text.trim() === '') throw new InvalidContactHoursError('contact hours are empty (e.g. "Mon-Fri 09:00-18:00")');
  const parts = text.split(',').map((part) => part.trim());
  const windows = parts.map((part, index) => {
    const where = parts.length > 1 ? `window ${index + 1} "${part}"` : `"${part}"`;
    if (part === '') throw new InvalidContactHoursError(`window ${index + 1} is empty (stray comma?)`);
    return parseWindow(part, where);
  });
  return { windows };
}

function covers(window: ContactWindow, weekday: Weekday, minute: number): boolean {
  if (window.start < window.end) {
    return window.days.includes(weekday) && minute >= window.start && minute < window.end;
  }
  // Crosses midnight: the evening of a listed day, or the early morning after one.
  const yesterday = ((weekday + 6) % 7) as Weekday;
  return (window.days.includes(weekday) && minute >= window.start) || (window.days.includes(yesterday) && minute < window.end);
}

/**
 * Whether `atMs` falls inside the hours, read on a wall clock in `timeZone` (an IANA name; an
 * invalid one throws RangeError). No hours at all means always reachable.
 */
export function isWithinContactHours(hours: ContactHours | undefined, timeZone: string, atMs: number): boolean {
  if (hours === undefined) return true;
  const clock = wallClockAt(timeZone, atMs);
  const minute = minuteOfDay(clock);
  return hours.windows.some((window) => covers(window, clock.weekday, minute));
}
