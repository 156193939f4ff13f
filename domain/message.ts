/**
 * The sentence the phone call's text-to-speech voice reads out, and reading the `lastcheck` time
 * monitoring tools send.
 *
 *   ja-JP  2023年10月3日 13時20分、システムXYZのserver1で、CPU Utilizationのアラートが発生しました。 詳細: …。
 *   en-US  On October 3, 2023 at 1:20 PM, an alert for CPU Utilization occurred on server1 of system XYZ. Details: ….
 *
 * The date and time are those of the responder's time zone, built from Intl's numeric parts and
 * our own month names so the words never shift with the ICU version. The text is plain; the
 * contact flow escapes it for SSML.
 */
import { daysInMonth, utcMs, wallClockAt, zonedToEpochMs } from './time.ts';

export type Language = 'ja-JP' | 'en-US';

export interface SpokenAlert {
  system: string;
  host: string;
  service: string;
  occurredAtMs: number;
  message?: string;
}

/**
 * Calls should stay short and a runaway field (a stack trace as the service name) must not keep a
 * responder listening for minutes: each of system, host and service is cut to 100 characters and
 * the message to 300, an ellipsis included.
 */
export const MAX_FIELD_CHARS = 100;
export const MAX_MESSAGE_CHARS = 300;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * Whitespace runs (newlines, tabs) become one space; control characters, which SSML (XML) cannot
 * carry, become spaces too. Then the text is cut to `max` characters (code points, so a surrogate
 * pair is never split), the last one an ellipsis when anything was cut.
 */
function spoken(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  if (chars.length <= max) return flat;
  return `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** Adds the sentence's full stop unless the message already ends a sentence. */
function withStop(text: string, stop: string): string {
  return /[.!?。！？]$/.test(text) ? text : `${text}${stop}`;
}

/**
 * The sentence for `alert`, its time as a wall clock in `timeZone` shows it (to the minute;
 * seconds are not read out). Throws RangeError for an invalid zone or a non-finite time.
 */
export function alertSpeech(language: Language, alert: SpokenAlert, timeZone: string): string {
  const at = wallClockAt(timeZone, alert.occurredAtMs);
  const system = spoken(alert.system, MAX_FIELD_CHARS);
  const host = spoken(alert.host, MAX_FIELD_CHARS);
  const service = spoken(alert.service, MAX_FIELD_CHARS);
  const message = alert.message === undefined ? '' : spoken(alert.message, MAX_MESSAGE_CHARS);

  if (language === 'ja-JP') {
    const when = `${at.year}年${at.month}月${at.day}日 ${at.hour}時${at.minute}分`;
    const sentence = `${when}、システム${system}の${host}で、${service}のアラートが発生しました。`;
    return message === '' ? sentence : `${sentence} 詳細: ${withStop(message, '。')}`;
  }

  const hour12 = at.hour % 12 === 0 ? 12 : at.hour % 12;
  const meridiem = at.hour < 12 ? 'AM' : 'PM';
  const minute = String(at.minute).padStart(2, '0');
  const when = `${MONTHS[at.month - 1] ?? ''} ${at.day}, ${at.year} at ${hour12}:${minute} ${meridiem}`;
  const sentence = `On ${when}, an alert for ${service} occurred on ${host} of system ${system}.`;
  return message === '' ? sentence : `${sentence} Details: ${withStop(message, '.')}`;
}

const EPOCH_SECONDS = /^(\d{9,10})(?:\.(\d+))?$/;
const DATE_TIME =
  /^(\d{4})([-/.])(\d{2})\2(\d{2})(?:[Tt]|\s+)(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * Reads a monitoring tool's `lastcheck` as epoch milliseconds, or undefined if it cannot:
 *
 *   2023-10-03 13:20:52, 2023-10-03T13:20:52   wall-clock time in `timeZone` (DST-correct; a time
 *                                              skipped by spring-forward moves forward, one repeated
 *                                              in autumn is the first of the two)
 *   2023-10-03T04:20:52Z, …+09:00, …+0900      absolute; `timeZone` is ignored
 *   1696306852, 1696306852.5                   Unix epoch seconds (9 or 10 digits: 1973-2286, so
 *                                              Nagios' 0 for "never checked" is undefined)
 *
 * Seconds may be left out and may carry a fraction (kept to the millisecond); the date may also
 * be written with `/` or `.` (2023/10/03, Zabbix's 2023.10.03). Impossible dates and times
 * (2023-02-30, 24:00, leap second 60) are undefined. An invalid `timeZone` throws RangeError when
 * it is needed (no offset in the text).
 */
export function wallClockToEpochMs(text: string, timeZone: string): number | undefined {
  const trimmed = text.trim();

  const epoch = EPOCH_SECONDS.exec(trimmed);
  if (epoch) return Number(epoch[1]) * 1000 + fractionMs(epoch[2]);

  const m = DATE_TIME.exec(trimmed);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const second = m[7] === undefined ? 0 : Number(m[7]);
  const ms = fractionMs(m[8]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;

  if (m[9] !== undefined) return utcMs(year, month, day, hour, minute, second, ms);
  if (m[10] !== undefined) {
    const offsetHours = Number(m[11]);
    const offsetMinutes = m[12] === undefined ? 0 : Number(m[12]);
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    const sign = m[10] === '-' ? -1 : 1;
    const local = utcMs(year, month, day, hour, minute, second, ms);
    return local - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  return zonedToEpochMs(timeZone, year, month, day, hour, minute, second, ms);
}

/** A decimal fraction of a second, as whole milliseconds (truncated). */
function fractionMs(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits.slice(0, 3).padEnd(3, '0'));
}
