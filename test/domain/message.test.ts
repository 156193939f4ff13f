import { describe, expect, it } from 'vitest';
import {
  alertSpeech,
  MAX_FIELD_CHARS,
  MAX_MESSAGE_CHARS,
  wallClockToEpochMs,
  type SpokenAlert,
} from '../../domain/message.ts';

const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};

/** The article's example: lastcheck 2023-10-03 13:20:52 in Tokyo = 04:20:52 UTC. */
const ARTICLE_MS = 1_696_306_852_000;

const alert = (overrides: Partial<SpokenAlert> = {}): SpokenAlert => ({
  system: 'XYZ',
  host: 'server1',
  service: 'CPU Utilization',
  occurredAtMs: ARTICLE_MS,
  ...overrides,
});

describe('wallClockToEpochMs', () => {
  it('reads the article lastcheck as Tokyo wall-clock time', () => {
    expect(wallClockToEpochMs('2023-10-03 13:20:52', 'Asia/Tokyo')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs('2023-10-03T13:20:52', 'Asia/Tokyo')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs('  2023-10-03 13:20:52\n', 'Asia/Tokyo')).toBe(ARTICLE_MS);
  });

  it('reads a time without offset in the zone it is given', () => {
    expect(wallClockToEpochMs('2023-10-03 13:20:52', 'America/New_York')).toBe(at('2023-10-03T17:20:52Z'));
    expect(wallClockToEpochMs('2023-10-03 13:20:52', 'UTC')).toBe(at('2023-10-03T13:20:52Z'));
  });

  it('honours Z and explicit offsets and then ignores the zone', () => {
    expect(wallClockToEpochMs('2023-10-03T04:20:52Z', 'America/New_York')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs('2023-10-03T04:20:52z', 'Asia/Tokyo')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs('2023-10-03T13:20:52+09:00', 'America/New_York')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs('2023-10-03 13:20:52+0900', 'UTC')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs('2023-10-03T00:20:52-04:00', 'Asia/Tokyo')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs('2023-10-03T10:20:52+06', 'UTC')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs('2023-10-03T09:50:52+05:30', 'UTC')).toBe(ARTICLE_MS);
    // CloudWatch alarm state timestamp style.
    expect(wallClockToEpochMs('2023-10-03T04:20:52.123+0000', 'Asia/Tokyo')).toBe(ARTICLE_MS + 123);
    // An offset makes an invalid zone irrelevant.
    expect(wallClockToEpochMs('2023-10-03T04:20:52Z', 'Mars/Olympus_Mons')).toBe(ARTICLE_MS);
  });

  it('reads epoch seconds (Nagios $LASTSERVICECHECK$)', () => {
    expect(wallClockToEpochMs('1696306852', 'America/New_York')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs(' 1696306852 ', 'Asia/Tokyo')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs('1696306852.25', 'Asia/Tokyo')).toBe(ARTICLE_MS + 250);
    expect(wallClockToEpochMs('999999999', 'UTC')).toBe(999_999_999_000);
  });

  it('takes optional seconds, fractions and / or . date separators', () => {
    expect(wallClockToEpochMs('2023-10-03 13:20', 'Asia/Tokyo')).toBe(ARTICLE_MS - 52_000);
    expect(wallClockToEpochMs('2023-10-03 13:20:52.5', 'Asia/Tokyo')).toBe(ARTICLE_MS + 500);
    expect(wallClockToEpochMs('2023-10-03T13:20:52.123456789', 'Asia/Tokyo')).toBe(ARTICLE_MS + 123);
    expect(wallClockToEpochMs('2023/10/03 13:20:52', 'Asia/Tokyo')).toBe(ARTICLE_MS);
    expect(wallClockToEpochMs('2023.10.03 13:20:52', 'Asia/Tokyo')).toBe(ARTICLE_MS);
  });

  it('accepts a leap day', () => {
    expect(wallClockToEpochMs('2024-02-29 12:00:00', 'UTC')).toBe(at('2024-02-29T12:00:00Z'));
  });

  it('is DST-correct in New York', () => {
    expect(wallClockToEpochMs('2024-01-15 12:00:00', 'America/New_York')).toBe(at('2024-01-15T17:00:00Z'));
    expect(wallClockToEpochMs('2024-07-15 12:00:00', 'America/New_York')).toBe(at('2024-07-15T16:00:00Z'));
    // Either side of the spring-forward on 2024-03-10.
    expect(wallClockToEpochMs('2024-03-10 01:59:00', 'America/New_York')).toBe(at('2024-03-10T06:59:00Z'));
    expect(wallClockToEpochMs('2024-03-10 03:00:00', 'America/New_York')).toBe(at('2024-03-10T07:00:00Z'));
    // 02:30 never happened that night: read as 03:30 EDT.
    expect(wallClockToEpochMs('2024-03-10 02:30:00', 'America/New_York')).toBe(at('2024-03-10T07:30:00Z'));
    // 01:30 happened twice on 2024-11-03: the first (EDT) is taken.
    expect(wallClockToEpochMs('2024-11-03 01:30:00', 'America/New_York')).toBe(at('2024-11-03T05:30:00Z'));
    expect(wallClockToEpochMs('2024-11-03 02:00:00', 'America/New_York')).toBe(at('2024-11-03T07:00:00Z'));
  });

  it.each([
    '',
    '   ',
    'yesterday',
    '0', // Nagios: never checked
    '12345678',
    '1696306852000', // milliseconds are not seconds
    '-1696306852',
    '2023-10-03',
    '13:20:52',
    '20231003132052',
    '2023-02-29 00:00:00',
    '2023-02-30 12:00:00',
    '2023-04-31 12:00:00',
    '2023-13-01 12:00:00',
    '2023-00-10 12:00:00',
    '2023-10-00 12:00:00',
    '2023-10-03 24:00:00',
    '2023-10-03 13:60:00',
    '2023-10-03 13:20:60',
    '2023-10-03 1:20:52',
    '2023-10/03 13:20:52',
    '2023-10-03T13:20:52+24:00',
    '2023-10-03T13:20:52+09:60',
    '2023-10-03T13:20:52 JST',
    '2023-10-03T13:20:52ZZ',
  ])('gives undefined for %j', (text) => {
    expect(wallClockToEpochMs(text, 'Asia/Tokyo')).toBeUndefined();
  });

  it('throws RangeError for an invalid zone when the text needs one', () => {
    expect(() => wallClockToEpochMs('2023-10-03 13:20:52', 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('alertSpeech: the article example', () => {
  it('speaks Japanese to a Tokyo responder', () => {
    expect(alertSpeech('ja-JP', alert(), 'Asia/Tokyo')).toBe(
      '2023年10月3日 13時20分、システムXYZのserver1で、CPU Utilizationのアラートが発生しました。',
    );
  });

  it('speaks English in New York time to a New York responder', () => {
    expect(alertSpeech('en-US', alert(), 'America/New_York')).toBe(
      'On October 3, 2023 at 12:20 AM, an alert for CPU Utilization occurred on server1 of system XYZ.',
    );
  });

  it('speaks English in Tokyo time and Japanese in New York time', () => {
    expect(alertSpeech('en-US', alert(), 'Asia/Tokyo')).toBe(
      'On October 3, 2023 at 1:20 PM, an alert for CPU Utilization occurred on server1 of system XYZ.',
    );
    expect(alertSpeech('ja-JP', alert(), 'America/New_York')).toBe(
      '2023年10月3日 0時20分、システムXYZのserver1で、CPU Utilizationのアラートが発生しました。',
    );
  });

  it('chains from wallClockToEpochMs', () => {
    const occurredAtMs = wallClockToEpochMs('2023-10-03 13:20:52', 'Asia/Tokyo');
    expect(occurredAtMs).toBeDefined();
    expect(alertSpeech('en-US', alert({ occurredAtMs: occurredAtMs ?? 0 }), 'America/New_York')).toBe(
      'On October 3, 2023 at 12:20 AM, an alert for CPU Utilization occurred on server1 of system XYZ.',
    );
  });
});

describe('alertSpeech: clock and calendar', () => {
  const en = (iso: string, tz = 'UTC'): string => alertSpeech('en-US', alert({ occurredAtMs: at(iso) }), tz);
  const ja = (iso: string, tz = 'UTC'): string => alertSpeech('ja-JP', alert({ occurredAtMs: at(iso) }), tz);
  const enWhen = (text: string): string => /^On (.*), an alert/.exec(text)?.[1] ?? text;
  const jaWhen = (text: string): string => /^(.*)、システム/.exec(text)?.[1] ?? text;

  it.each([
    ['2024-01-01T00:00:00Z', 'January 1, 2024 at 12:00 AM', '2024年1月1日 0時0分'],
    ['2024-01-01T00:59:59Z', 'January 1, 2024 at 12:59 AM', '2024年1月1日 0時59分'],
    ['2024-02-29T01:05:00Z', 'February 29, 2024 at 1:05 AM', '2024年2月29日 1時5分'],
    ['2024-05-31T11:59:00Z', 'May 31, 2024 at 11:59 AM', '2024年5月31日 11時59分'],
    ['2024-06-15T12:00:00Z', 'June 15, 2024 at 12:00 PM', '2024年6月15日 12時0分'],
    ['2024-07-04T12:30:00Z', 'July 4, 2024 at 12:30 PM', '2024年7月4日 12時30分'],
    ['2024-08-09T13:00:00Z', 'August 9, 2024 at 1:00 PM', '2024年8月9日 13時0分'],
    ['2024-12-31T23:59:59Z', 'December 31, 2024 at 11:59 PM', '2024年12月31日 23時59分'],
  ])('%s in UTC', (iso, english, japanese) => {
    expect(enWhen(en(iso))).toBe(english);
    expect(jaWhen(ja(iso))).toBe(japanese);
  });

  it('names every month from its own table', () => {
    const months = Array.from({ length: 12 }, (_, i) =>
      enWhen(en(`2023-${String(i + 1).padStart(2, '0')}-10T12:00:00Z`)).split(' ')[0],
    );
    expect(months).toEqual([
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
    ]);
  });

  it('dates the alert in the responder zone, even across a year end', () => {
    expect(jaWhen(ja('2023-12-31T20:00:00Z', 'Asia/Tokyo'))).toBe('2024年1月1日 5時0分');
    expect(enWhen(en('2023-12-31T20:00:00Z', 'America/New_York'))).toBe('December 31, 2023 at 3:00 PM');
  });

  it('follows New York across the DST changes', () => {
    expect(enWhen(en('2024-03-10T06:59:00Z', 'America/New_York'))).toBe('March 10, 2024 at 1:59 AM');
    expect(enWhen(en('2024-03-10T07:00:00Z', 'America/New_York'))).toBe('March 10, 2024 at 3:00 AM');
    expect(enWhen(en('2024-11-03T05:30:00Z', 'America/New_York'))).toBe('November 3, 2024 at 1:30 AM');
    expect(enWhen(en('2024-11-03T06:30:00Z', 'America/New_York'))).toBe('November 3, 2024 at 1:30 AM');
    expect(enWhen(en('2024-11-03T07:30:00Z', 'America/New_York'))).toBe('November 3, 2024 at 2:30 AM');
  });

  it('throws RangeError for an invalid zone or time', () => {
    expect(() => alertSpeech('en-US', alert(), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => alertSpeech('ja-JP', alert({ occurredAtMs: Number.NaN }), 'Asia/Tokyo')).toThrow(RangeError);
  });
});

describe('alertSpeech: message and field hygiene', () => {
  it('appends the message as details', () => {
    expect(alertSpeech('ja-JP', alert({ message: 'CPU使用率が95%を超えました' }), 'Asia/Tokyo')).toBe(
      '2023年10月3日 13時20分、システムXYZのserver1で、CPU Utilizationのアラートが発生しました。 詳細: CPU使用率が95%を超えました。',
    );
    expect(alertSpeech('en-US', alert({ message: 'CPU above 95% for 5 minutes' }), 'America/New_York')).toBe(
      'On October 3, 2023 at 12:20 AM, an alert for CPU Utilization occurred on server1 of system XYZ. Details: CPU above 95% for 5 minutes.',
    );
  });

  it('does not double a full stop the message already has', () => {
    expect(alertSpeech('ja-JP', alert({ message: '応答がありません。' }), 'Asia/Tokyo')).toMatch(/ 詳細: 応答がありません。$/);
    expect(alertSpeech('ja-JP', alert({ message: '応答なし！' }), 'Asia/Tokyo')).toMatch(/ 詳細: 応答なし！$/);
    expect(alertSpeech('en-US', alert({ message: 'Disk full.' }), 'UTC')).toMatch(/ Details: Disk full\.$/);
    expect(alertSpeech('en-US', alert({ message: 'Is it down?' }), 'UTC')).toMatch(/ Details: Is it down\?$/);
  });

  it('leaves details out for an empty or blank message', () => {
    const plain = 'On October 3, 2023 at 4:20 AM, an alert for CPU Utilization occurred on server1 of system XYZ.';
    expect(alertSpeech('en-US', alert({ message: '' }), 'UTC')).toBe(plain);
    expect(alertSpeech('en-US', alert({ message: ' \n\t ' }), 'UTC')).toBe(plain);
    expect(alertSpeech('ja-JP', alert({ message: '\n' }), 'Asia/Tokyo')).not.toContain('詳細');
  });

  it('collapses whitespace, newlines and control characters in every field', () => {
    const messy = alert({
      system: '  X\tY Z ',
      host: 'web\r\n01',
      service: 'CPU \n\n Utilization\u0007',
      message: 'line one\n\n   line two\u0000end\n',
    });
    expect(alertSpeech('en-US', messy, 'UTC')).toBe(
      'On October 3, 2023 at 4:20 AM, an alert for CPU Utilization occurred on web 01 of system X Y Z. Details: line one line two end.',
    );
  });

  it('caps each field at 100 characters and the message at 300, ellipsis included', () => {
    expect(MAX_FIELD_CHARS).toBe(100);
    expect(MAX_MESSAGE_CHARS).toBe(300);
    const text = alertSpeech(
      'en-US',
      alert({ system: 's'.repeat(100), host: 'h'.repeat(101), service: 'v'.repeat(500), message: 'm'.repeat(1000) }),
      'UTC',
    );
    expect(text).toBe(
      `On October 3, 2023 at 4:20 AM, an alert for ${'v'.repeat(99)}… occurred on ${'h'.repeat(99)}… of system ${'s'.repeat(100)}. Details: ${'m'.repeat(299)}….`,
    );
  });

  it('keeps exactly-at-limit text whole and cuts after collapsing whitespace', () => {
    const service = `${'a'.repeat(50)}\n\n\n${'b'.repeat(49)}`; // 102 characters, 100 once collapsed
    expect(alertSpeech('en-US', alert({ service }), 'UTC')).toContain(`alert for ${'a'.repeat(50)} ${'b'.repeat(49)} occurred`);
  });

  it('does not leave a space before the ellipsis', () => {
    const host = `${'x'.repeat(98)} ${'y'.repeat(10)}`;
    expect(alertSpeech('en-US', alert({ host }), 'UTC')).toContain(`occurred on ${'x'.repeat(98)}… of system`);
  });

  it('counts characters, not UTF-16 units, and never splits a surrogate pair', () => {
    const text = alertSpeech('ja-JP', alert({ host: '𠮷'.repeat(150) }), 'Asia/Tokyo');
    expect(text).toContain(`システムXYZの${'𠮷'.repeat(99)}…で、`);
    const japanese = alertSpeech('ja-JP', alert({ message: 'あ'.repeat(300) }), 'Asia/Tokyo');
    expect(japanese.endsWith(` 詳細: ${'あ'.repeat(300)}。`)).toBe(true);
  });
});
