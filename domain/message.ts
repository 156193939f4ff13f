/**
 * The sentence the phone call's text-to-speech voice reads out, and reading the `lastcheck` time
 * monitoring tools send.
 *
 *   ja-JP  2023年10月3日 13時20分、システムXYZのserver1で、CPU Utilizationのアラートが発生しました。 詳細: …。
 *   en-US  On October 3, 2023 at 1:20 PM, an alert for CPU Utilization occurred on server1 of system XYZ. Details: ….
 *
 * A merged call (several incidents waiting for the same responder, one call for all of them) says
 * how many there are and names a few (`mergedAlertSpeech`):
 *
 *   ja-JP  システムXYZのアラートが3件あります。server1のCPU Utilization、server2のDisk、server3のMemoryです。最初のアラートは2023年10月3日 13時20分に発生しました。
 *   en-US  3 alerts for XYZ: server1 CPU Utilization, server2 Disk, and server3 Memory. The earliest occurred on October 3, 2023 at 1:20 PM.
 *
 * The date and time are those of the responder's time zone, built from Intl's numeric parts and
 * our own month names so the words never shift with the ICU version. The text is plain; the
 * contact flow escapes it for SSML.
 */
import { isHeartbeatIncident } from './heartbeat.ts';
import { daysInMonth, utcMs, wallClockAt, zonedToEpochMs, type WallClock } from './time.ts';

export type Language = 'ja-JP' | 'en-US';

export interface SpokenAlert {
  system: string;
  host: string;
  service: string;
  occurredAtMs: number;
  message?: string;
  /** Set on the calls of a re-page (domain/repage.ts): who acknowledged the incident, and when. */
  repage?: { acknowledgedBy: string; acknowledgedAtMs: number };
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

/** The wall-clock time as read out: "2023年10月3日 13時20分" / "October 3, 2023 at 1:20 PM". */
function spokenWhen(language: Language, at: WallClock): string {
  if (language === 'ja-JP') return `${at.year}年${at.month}月${at.day}日 ${at.hour}時${at.minute}分`;
  const hour12 = at.hour % 12 === 0 ? 12 : at.hour % 12;
  const meridiem = at.hour < 12 ? 'AM' : 'PM';
  const minute = String(at.minute).padStart(2, '0');
  return `${MONTHS[at.month - 1] ?? ''} ${at.day}, ${at.year} at ${hour12}:${minute} ${meridiem}`;
}

/**
 * The sentence for `alert`, its time as a wall clock in `timeZone` shows it (to the minute;
 * seconds are not read out). Throws RangeError for an invalid zone or a non-finite time.
 */
export function alertSpeech(language: Language, alert: SpokenAlert, timeZone: string): string {
  const when = spokenWhen(language, wallClockAt(timeZone, alert.occurredAtMs));
  const system = spoken(alert.system, MAX_FIELD_CHARS);
  const host = spoken(alert.host, MAX_FIELD_CHARS);
  const service = spoken(alert.service, MAX_FIELD_CHARS);
  const message = alert.message === undefined ? '' : spoken(alert.message, MAX_MESSAGE_CHARS);

  const alone = (() => {
    // A heartbeat monitor gone silent (domain/heartbeat.ts): its own sentence, the time of its last
    // heartbeat; the alert's message (English, for the timeline) is not read.
    if (isHeartbeatIncident(alert)) {
      return language === 'ja-JP'
        ? `システム${system}の監視${host}からの連絡が途絶えました。最後のハートビートは${when}でした。`
        : `The monitor ${host} of system ${system} has gone silent. Its last heartbeat was on ${when}.`;
    }
    if (language === 'ja-JP') {
      const sentence = `${when}、システム${system}の${host}で、${service}のアラートが発生しました。`;
      return message === '' ? sentence : `${sentence} 詳細: ${withStop(message, '。')}`;
    }
    const sentence = `On ${when}, an alert for ${service} occurred on ${host} of system ${system}.`;
    return message === '' ? sentence : `${sentence} Details: ${withStop(message, '.')}`;
  })();
  return alert.repage ? `${repageSentence(language, alert.repage, timeZone)} ${alone}` : alone;
}

/**
 * What a re-page's call says first, so the person phoned again knows this is not a new alert:
 * "Still not resolved: acknowledged by Ben on … ." / 「未解決のアラートです。…にBenさんが対応を確認しました。」
 */
function repageSentence(language: Language, repage: NonNullable<SpokenAlert['repage']>, timeZone: string): string {
  const when = spokenWhen(language, wallClockAt(timeZone, repage.acknowledgedAtMs));
  const by = spoken(repage.acknowledgedBy, MAX_FIELD_CHARS);
  return language === 'ja-JP' ? `未解決のアラートです。${when}に${by}さんが対応を確認しました。` : `Still not resolved: acknowledged by ${by} on ${when}.`;
}

/**
 * How many alerts a merged call names by default; the rest are counted ("and 2 more", "ほか2件").
 */
export const MAX_NAMED_ALERTS = 3;
/**
 * The named list of a merged call takes the place of a single call's details and is kept to the
 * same length: after the first alert (always named) another is named only while the list stays
 * within this many characters. Long names therefore mean fewer names, never a longer call.
 */
export const MAX_LIST_CHARS = MAX_MESSAGE_CHARS;

const length = (text: string): number => Array.from(text).length;

/**
 * What a merged call says: one call for several incidents waiting for the same responder.
 *
 *   en-US  3 alerts for XYZ: server1 CPU Utilization, server2 Disk, and 1 more. The earliest occurred on October 3, 2023 at 1:20 PM.
 *          4 alerts: server1 CPU Utilization on XYZ, db1 Disk on ABC, and 2 more. The earliest occurred on ….
 *   ja-JP  システムXYZのアラートが3件あります。server1のCPU Utilization、server2のDisk、ほか1件です。最初のアラートは2023年10月3日 13時20分に発生しました。
 *          アラートが4件あります。システムXYZのserver1のCPU Utilization、システムABCのdb1のDisk、ほか2件です。最初のアラートは…に発生しました。
 *
 * With one alert it is exactly `alertSpeech` (message included). With several, the count, then
 * the alerts in the order given (the caller puts the lead incident first) as host and service,
 * with their system when the systems differ: at most `maxNamed` of them and no more than
 * `MAX_LIST_CHARS` of list (the first is always named), the rest counted. When every alert is
 * named the last is joined with ", and " / "、". Then one time: that of the earliest alert (the
 * smallest `occurredAtMs`, wherever it is in the list), in `timeZone`, worded as alertSpeech words
 * it. Fields are cleaned and capped as in alertSpeech (systems compare after cleaning); messages
 * are not read. Throws RangeError for no alerts, a `maxNamed` below 1, an invalid zone or a
 * non-finite time.
 */
export function mergedAlertSpeech(language: Language, alerts: readonly SpokenAlert[], timeZone: string, maxNamed = MAX_NAMED_ALERTS): string {
  const [first] = alerts;
  if (first === undefined) throw new RangeError('mergedAlertSpeech needs at least one alert');
  if (!Number.isInteger(maxNamed) || maxNamed < 1) throw new RangeError(`maxNamed must be a whole number of at least 1, not ${maxNamed}`);
  if (alerts.length === 1) return alertSpeech(language, first, timeZone);

  const earliestMs = alerts.reduce((min, a) => (a.occurredAtMs < min || Number.isNaN(a.occurredAtMs) ? a.occurredAtMs : min), first.occurredAtMs);
  const when = spokenWhen(language, wallClockAt(timeZone, earliestMs));
  const system = spoken(first.system, MAX_FIELD_CHARS);
  const oneSystem = alerts.every((a) => spoken(a.system, MAX_FIELD_CHARS) === system);
  const separator = language === 'ja-JP' ? '、' : ', ';

  const named: string[] = [];
  let listChars = 0;
  for (const alert of alerts.slice(0, maxNamed)) {
    const host = spoken(alert.host, MAX_FIELD_CHARS);
    const service = spoken(alert.service, MAX_FIELD_CHARS);
    const of = spoken(alert.system, MAX_FIELD_CHARS);
    const heartbeat = isHeartbeatIncident(alert);
    const item = heartbeat
      ? language === 'ja-JP'
        ? oneSystem ? `監視${host}の途絶` : `システム${of}の監視${host}の途絶`
        : oneSystem ? `monitor ${host} silent` : `monitor ${host} silent on ${of}`
      : language === 'ja-JP'
        ? oneSystem ? `${host}の${service}` : `システム${of}の${host}の${service}`
        : oneSystem ? `${host} ${service}` : `${host} ${service} on ${of}`;
    const chars = listChars + (named.length ? separator.length : 0) + length(item);
    if (named.length && chars > MAX_LIST_CHARS) break;
    named.push(item);
    listChars = chars;
  }
  const rest = alerts.length - named.length;
  const count = alerts.length;

  if (language === 'ja-JP') {
    const list = rest ? `${named.join('、')}、ほか${rest}件` : named.join('、');
    const about = oneSystem ? `システム${system}のアラートが${count}件あります。` : `アラートが${count}件あります。`;
    return `${about}${list}です。最初のアラートは${when}に発生しました。`;
  }
  const list = rest ? `${named.join(', ')}, and ${rest} more` : `${named.slice(0, -1).join(', ')}, and ${named.at(-1) ?? ''}`;
  const about = oneSystem ? `${count} alerts for ${system}: ` : `${count} alerts: `;
  return `${about}${withStop(list, '.')} The earliest occurred on ${when}.`;
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
