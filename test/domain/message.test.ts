import { describe, expect, it } from 'vitest';
import {
  alertSpeech,
  MAX_FIELD_CHARS,
  MAX_LIST_CHARS,
  MAX_MESSAGE_CHARS,
  MAX_NAMED_ALERTS,
  mergedAlertSpeech,
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

describe('alertSpeech: a re-page says so first', () => {
  const repage = { acknowledgedBy: 'Ben', acknowledgedAtMs: Date.parse('2023-10-03T05:00:00Z') };

  it('names who acknowledged and when, in the responder\'s language and zone, before the alert', () => {
    expect(alertSpeech('en-US', alert({ repage }), 'Asia/Tokyo')).toBe(
      'Still not resolved: acknowledged by Ben on October 3, 2023 at 2:00 PM. On October 3, 2023 at 1:20 PM, an alert for CPU Utilization occurred on server1 of system XYZ.',
    );
    expect(alertSpeech('ja-JP', alert({ repage }), 'Asia/Tokyo')).toBe(
      '未解決のアラートです。2023年10月3日 14時0分にBenさんが対応を確認しました。 2023年10月3日 13時20分、システムXYZのserver1で、CPU Utilizationのアラートが発生しました。',
    );
  });

  it('also for a heartbeat monitor gone silent; and nothing is added without a re-page', () => {
    expect(alertSpeech('en-US', alert({ repage, host: 'nagios', service: 'heartbeat:nagios' }), 'UTC')).toBe(
      'Still not resolved: acknowledged by Ben on October 3, 2023 at 5:00 AM. The monitor nagios of system XYZ has gone silent. Its last heartbeat was on October 3, 2023 at 4:20 AM.',
    );
    expect(alertSpeech('en-US', alert(), 'UTC')).not.toContain('Still not resolved');
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

describe('mergedAlertSpeech: one call for several incidents', () => {
  const EN_WHEN = 'The earliest occurred on October 3, 2023 at 1:20 PM.';
  const JA_WHEN = '最初のアラートは2023年10月3日 13時20分に発生しました。';
  const on = (host: string, service: string, system = 'XYZ', minutesLater = 0): SpokenAlert =>
    alert({ system, host, service, occurredAtMs: ARTICLE_MS + minutesLater * 60_000 });
  const xyz = [on('server1', 'CPU Utilization'), on('server2', 'Disk'), on('server3', 'Memory'), on('server4', 'Swap')];

  it('with one alert says exactly what alertSpeech says, message included', () => {
    for (const single of [alert(), alert({ message: 'CPU above 95%' }), alert({ host: 'h'.repeat(500) })]) {
      expect(mergedAlertSpeech('en-US', [single], 'America/New_York')).toBe(alertSpeech('en-US', single, 'America/New_York'));
      expect(mergedAlertSpeech('ja-JP', [single], 'Asia/Tokyo')).toBe(alertSpeech('ja-JP', single, 'Asia/Tokyo'));
    }
  });

  it('names two alerts of one system, nothing "more"', () => {
    expect(mergedAlertSpeech('en-US', xyz.slice(0, 2), 'Asia/Tokyo')).toBe(
      `2 alerts for XYZ: server1 CPU Utilization, and server2 Disk. ${EN_WHEN}`,
    );
    expect(mergedAlertSpeech('ja-JP', xyz.slice(0, 2), 'Asia/Tokyo')).toBe(
      `システムXYZのアラートが2件あります。server1のCPU Utilization、server2のDiskです。${JA_WHEN}`,
    );
  });

  it('names exactly maxNamed alerts, the last with "and"', () => {
    expect(MAX_NAMED_ALERTS).toBe(3);
    expect(mergedAlertSpeech('en-US', xyz.slice(0, 3), 'Asia/Tokyo')).toBe(
      `3 alerts for XYZ: server1 CPU Utilization, server2 Disk, and server3 Memory. ${EN_WHEN}`,
    );
    expect(mergedAlertSpeech('ja-JP', xyz.slice(0, 3), 'Asia/Tokyo')).toBe(
      `システムXYZのアラートが3件あります。server1のCPU Utilization、server2のDisk、server3のMemoryです。${JA_WHEN}`,
    );
  });

  it('counts the rest past maxNamed', () => {
    expect(mergedAlertSpeech('en-US', xyz, 'Asia/Tokyo')).toBe(
      `4 alerts for XYZ: server1 CPU Utilization, server2 Disk, server3 Memory, and 1 more. ${EN_WHEN}`,
    );
    expect(mergedAlertSpeech('ja-JP', xyz, 'Asia/Tokyo')).toBe(
      `システムXYZのアラートが4件あります。server1のCPU Utilization、server2のDisk、server3のMemory、ほか1件です。${JA_WHEN}`,
    );
    // The examples of the design note, with two named.
    expect(mergedAlertSpeech('en-US', xyz.slice(0, 3), 'Asia/Tokyo', 2)).toBe(
      `3 alerts for XYZ: server1 CPU Utilization, server2 Disk, and 1 more. ${EN_WHEN}`,
    );
    expect(mergedAlertSpeech('ja-JP', xyz.slice(0, 3), 'Asia/Tokyo', 2)).toBe(
      `システムXYZのアラートが3件あります。server1のCPU Utilization、server2のDisk、ほか1件です。${JA_WHEN}`,
    );
    expect(mergedAlertSpeech('en-US', xyz, 'Asia/Tokyo', 1)).toBe(`4 alerts for XYZ: server1 CPU Utilization, and 3 more. ${EN_WHEN}`);
  });

  it('names the system of each alert when the systems differ', () => {
    const mixed = [on('server1', 'CPU Utilization'), on('db1', 'Disk', 'ABC'), on('server3', 'Memory'), on('db2', 'Swap', 'ABC')];
    expect(mergedAlertSpeech('en-US', mixed, 'Asia/Tokyo', 2)).toBe(
      `4 alerts: server1 CPU Utilization on XYZ, db1 Disk on ABC, and 2 more. ${EN_WHEN}`,
    );
    expect(mergedAlertSpeech('ja-JP', mixed, 'Asia/Tokyo', 2)).toBe(
      `アラートが4件あります。システムXYZのserver1のCPU Utilization、システムABCのdb1のDisk、ほか2件です。${JA_WHEN}`,
    );
    expect(mergedAlertSpeech('en-US', mixed.slice(0, 2), 'Asia/Tokyo')).toBe(
      `2 alerts: server1 CPU Utilization on XYZ, and db1 Disk on ABC. ${EN_WHEN}`,
    );
    expect(mergedAlertSpeech('ja-JP', mixed.slice(0, 2), 'Asia/Tokyo')).toBe(
      `アラートが2件あります。システムXYZのserver1のCPU Utilization、システムABCのdb1のDiskです。${JA_WHEN}`,
    );
  });

  it('compares systems after cleaning, and a system that differs only past the cap is the same', () => {
    const a = on('a', 'x', ' XYZ\n');
    const b = on('b', 'y', 'XYZ');
    expect(mergedAlertSpeech('en-US', [a, b], 'UTC')).toMatch(/^2 alerts for XYZ: a x, and b y\./);
    const long = (tail: string) => `${'s'.repeat(120)}${tail}`;
    expect(mergedAlertSpeech('en-US', [on('a', 'x', long('1')), on('b', 'y', long('2'))], 'UTC')).toMatch(/^2 alerts for s{99}…: a x, and b y\./);
  });

  it('gives the time of the earliest alert, wherever it is in the list, in the responder zone', () => {
    const alerts = [on('server1', 'CPU Utilization', 'XYZ', 30), on('server2', 'Disk', 'XYZ', -65), on('server3', 'Memory', 'XYZ', 5)];
    expect(mergedAlertSpeech('en-US', alerts, 'America/New_York')).toMatch(/ The earliest occurred on October 2, 2023 at 11:15 PM\.$/);
    expect(mergedAlertSpeech('ja-JP', alerts, 'Asia/Tokyo')).toMatch(/最初のアラートは2023年10月3日 12時15分に発生しました。$/);
  });

  it('reads no message in a merged call', () => {
    const withMessages = xyz.slice(0, 2).map((a) => ({ ...a, message: 'CPU above 95%' }));
    expect(mergedAlertSpeech('en-US', withMessages, 'UTC')).not.toContain('95%');
    expect(mergedAlertSpeech('ja-JP', withMessages, 'UTC')).not.toContain('詳細');
  });

  it('cleans and cuts long fields as alertSpeech does', () => {
    const messy = [on('web\r\n01', 'CPU \n\n Load\u0007'), on('h'.repeat(101), 'v'.repeat(500))];
    expect(mergedAlertSpeech('en-US', messy, 'UTC')).toBe(
      `2 alerts for XYZ: web 01 CPU Load, and ${'h'.repeat(99)}… ${'v'.repeat(99)}…. The earliest occurred on October 3, 2023 at 4:20 AM.`,
    );
    expect(mergedAlertSpeech('ja-JP', [on('𠮷'.repeat(150), 'x'), on('b', 'y')], 'Asia/Tokyo')).toContain(`${'𠮷'.repeat(99)}…のx、bのyです。`);
  });

  it('names fewer alerts when their names are long, so the list never outgrows a message', () => {
    expect(MAX_LIST_CHARS).toBe(MAX_MESSAGE_CHARS);
    const long = (n: number) => on(`host-${n}-${'h'.repeat(90)}`, `service-${n}-${'v'.repeat(90)}`);
    const text = mergedAlertSpeech('en-US', [long(1), long(2), long(3), long(4)], 'UTC');
    expect(text).toMatch(/^4 alerts for XYZ: host-1-h+ service-1-v+…?, and 3 more\. /);
    // The first is always named, however long.
    const huge = [on('h'.repeat(300), 'v'.repeat(300), 's'.repeat(300)), on('a', 'b', 'other')];
    expect(mergedAlertSpeech('en-US', huge, 'UTC')).toContain(`${'h'.repeat(99)}… ${'v'.repeat(99)}… on ${'s'.repeat(99)}…, and 1 more.`);
  });

  it('stays short however many alerts and however long their fields', () => {
    const plain = Array.from({ length: 50 }, (_, i) => on(`server${i}`, 'CPU Utilization'));
    const maximal = Array.from({ length: 50 }, (_, i) => on('h'.repeat(300), 'v'.repeat(300), `${i}${'s'.repeat(300)}`, i));
    for (const language of ['en-US', 'ja-JP'] as const) {
      for (const alerts of [plain, maximal, [...maximal, ...maximal, ...maximal]]) {
        const text = mergedAlertSpeech(language, alerts, 'America/New_York');
        expect(Array.from(text).length).toBeLessThan(600);
        expect(text).toContain(String(alerts.length));
      }
    }
    expect(mergedAlertSpeech('en-US', plain, 'UTC')).toBe(
      '50 alerts for XYZ: server0 CPU Utilization, server1 CPU Utilization, server2 CPU Utilization, and 47 more. The earliest occurred on October 3, 2023 at 4:20 AM.',
    );
  });

  it('throws RangeError for no alerts, a maxNamed below 1, an invalid zone or time', () => {
    expect(() => mergedAlertSpeech('en-US', [], 'UTC')).toThrow(RangeError);
    expect(() => mergedAlertSpeech('en-US', xyz, 'UTC', 0)).toThrow(RangeError);
    expect(() => mergedAlertSpeech('en-US', xyz, 'UTC', 1.5)).toThrow(RangeError);
    expect(() => mergedAlertSpeech('en-US', xyz, 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => mergedAlertSpeech('ja-JP', [xyz[0]!, { ...xyz[1]!, occurredAtMs: Number.NaN }], 'UTC')).toThrow(RangeError);
    expect(() => mergedAlertSpeech('ja-JP', [{ ...xyz[0]!, occurredAtMs: Number.NaN }, xyz[1]!], 'UTC')).toThrow(RangeError);
  });
});
