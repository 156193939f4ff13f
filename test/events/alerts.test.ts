import { describe, expect, it } from 'vitest';
import {
  cloudWatchAlarmDetailSchema,
  defaultDedupKey,
  normaliseCloudWatchAlarm,
  parseAlertReceived,
  type CloudWatchAlarmDetail,
  type NormalisedAlert,
} from '../../events/alerts.ts';

/** The AlertReceived contract: the article's alertinfo batch, the flat format, and CloudWatch alarms. */

describe('parseAlertReceived: the article format', () => {
  it('reads one alert exactly as the article sends it', () => {
    const parsed = parseAlertReceived({
      alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }],
    });
    expect(parsed).toEqual({
      alerts: [
        {
          system: 'XYZ',
          host: 'server1',
          service: 'CPU Utilization',
          status: 'firing',
          lastcheck: '2026-11-24 10:00:00',
          dedupKey: '["XYZ","server1","CPU Utilization"]',
          format: 'alertinfo',
          index: 0,
        },
      ],
      rejected: [],
    });
  });

  it('reads several alerts, each with its own index and dedup key', () => {
    const parsed = parseAlertReceived({
      alertinfo: [
        { host: 'server1', service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' },
        { host: 'server2', service: 'Disk /var', lastcheck: 1795996800, systemname: 'XYZ', severity: 'critical' },
        { host: 'db1', service: 'Replication lag', systemname: 'ABC', status: 'resolved', message: 'lag back to 0s' },
      ],
    });
    expect(parsed.rejected).toEqual([]);
    expect(parsed.alerts).toEqual<NormalisedAlert[]>([
      {
        system: 'XYZ',
        host: 'server1',
        service: 'CPU Utilization',
        status: 'firing',
        lastcheck: '2026-11-24 10:00:00',
        dedupKey: JSON.stringify(['XYZ', 'server1', 'CPU Utilization']),
        format: 'alertinfo',
        index: 0,
      },
      {
        system: 'XYZ',
        host: 'server2',
        service: 'Disk /var',
        status: 'firing',
        lastcheck: '1795996800',
        severity: 'critical',
        dedupKey: JSON.stringify(['XYZ', 'server2', 'Disk /var']),
        format: 'alertinfo',
        index: 1,
      },
      {
        system: 'ABC',
        host: 'db1',
        service: 'Replication lag',
        status: 'resolved',
        message: 'lag back to 0s',
        dedupKey: JSON.stringify(['ABC', 'db1', 'Replication lag']),
        format: 'alertinfo',
        index: 2,
      },
    ]);
  });

  it('a bad entry is rejected on its own, naming alertinfo[i].field; the good ones are normalised', () => {
    const missingHost = { service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' };
    const emptySystem = { host: 'server3', service: 'Memory', systemname: '   ' };
    const wrongType = { host: 42, service: 'Swap', systemname: 'XYZ' };
    const parsed = parseAlertReceived({
      alertinfo: [
        { host: ' server1 ', service: 'CPU Utilization', systemname: 'XYZ' },
        missingHost,
        emptySystem,
        { host: 'server4', service: 'Load', systemname: 'XYZ', lastcheck: '' },
        wrongType,
      ],
    });

    expect(parsed.alerts).toEqual<NormalisedAlert[]>([
      {
        system: 'XYZ',
        host: 'server1',
        service: 'CPU Utilization',
        status: 'firing',
        dedupKey: '["XYZ","server1","CPU Utilization"]',
        format: 'alertinfo',
        index: 0,
      },
      {
        system: 'XYZ',
        host: 'server4',
        service: 'Load',
        status: 'firing',
        dedupKey: '["XYZ","server4","Load"]',
        format: 'alertinfo',
        index: 3,
      },
    ]);
    expect(parsed.rejected).toEqual([
      {
        index: 1,
        reason: 'invalid alert alertinfo[1]',
        issues: ['alertinfo[1].host: Invalid input: expected string, received undefined'],
        input: missingHost,
      },
      {
        index: 2,
        reason: 'invalid alert alertinfo[2]',
        issues: ['alertinfo[2].systemname: must not be empty'],
        input: emptySystem,
      },
      {
        index: 4,
        reason: 'invalid alert alertinfo[4]',
        issues: ['alertinfo[4].host: Invalid input: expected string, received number'],
        input: wrongType,
      },
    ]);
  });

  it('an unknown status inside a batch is rejected for that entry only', () => {
    const parsed = parseAlertReceived({
      alertinfo: [
        { host: 'h', service: 's', systemname: 'X', status: 'critical' },
        { host: 'h', service: 's', systemname: 'X', status: 'resolved' },
      ],
    });
    expect(parsed.alerts.map((a) => [a.index, a.status])).toEqual([[1, 'resolved']]);
    expect(parsed.rejected).toHaveLength(1);
    expect(parsed.rejected[0]?.index).toBe(0);
    expect(parsed.rejected[0]?.issues).toHaveLength(1);
    expect(parsed.rejected[0]?.issues[0]).toMatch(/^alertinfo\[0\]\.status: /);
  });

  it('an empty alertinfo is one rejection for the whole batch', () => {
    expect(parseAlertReceived({ alertinfo: [] })).toEqual({
      alerts: [],
      rejected: [
        { reason: 'invalid alertinfo batch', issues: ['alertinfo: alertinfo must hold at least one alert'], input: { alertinfo: [] } },
      ],
    });
  });

  it('alertinfo that is not an array is one rejection for the whole batch', () => {
    const parsed = parseAlertReceived({ alertinfo: { host: 'server1', service: 'CPU', systemname: 'XYZ' } });
    expect(parsed.alerts).toEqual([]);
    expect(parsed.rejected).toHaveLength(1);
    expect(parsed.rejected[0]?.reason).toBe('invalid alertinfo batch');
    expect(parsed.rejected[0]?.index).toBeUndefined();
    expect(parsed.rejected[0]?.issues).toEqual(['alertinfo: Invalid input: expected array, received object']);
  });
});

describe('parseAlertReceived: the flat format', () => {
  it('status defaults to firing and the dedup key to JSON [system, host, service]', () => {
    expect(parseAlertReceived({ systemname: 'XYZ', host: 'server1', service: 'CPU Utilization' })).toEqual({
      alerts: [
        {
          system: 'XYZ',
          host: 'server1',
          service: 'CPU Utilization',
          status: 'firing',
          dedupKey: JSON.stringify(['XYZ', 'server1', 'CPU Utilization']),
          format: 'flat',
          index: 0,
        },
      ],
      rejected: [],
    });
  });

  it('reads resolved, a custom dedupKey and the optional fields', () => {
    const parsed = parseAlertReceived({
      systemname: 'XYZ',
      host: 'server1',
      service: 'CPU Utilization',
      status: 'resolved',
      dedupKey: 'xyz-cpu',
      severity: 'warning',
      message: 'CPU back under 80%',
      lastcheck: '2026-11-24T10:05:00+09:00',
    });
    expect(parsed).toEqual({
      alerts: [
        {
          system: 'XYZ',
          host: 'server1',
          service: 'CPU Utilization',
          status: 'resolved',
          dedupKey: 'xyz-cpu',
          dedupKeySent: true,
          severity: 'warning',
          message: 'CPU back under 80%',
          lastcheck: '2026-11-24T10:05:00+09:00',
          format: 'flat',
          index: 0,
        },
      ],
      rejected: [],
    });
  });

  it('marks a dedup key the tool sent, in either format, and only then', () => {
    expect(parseAlertReceived({ systemname: 'XYZ', host: 'h', service: 's', dedupKey: 'k' }).alerts[0]?.dedupKeySent).toBe(true);
    expect(parseAlertReceived({ systemname: 'XYZ', host: 'h', service: 's' }).alerts[0]).not.toHaveProperty('dedupKeySent');
    const batch = parseAlertReceived({
      alertinfo: [
        { systemname: 'XYZ', host: 'h', service: 's', dedupKey: 'k' },
        { systemname: 'XYZ', host: 'h', service: 's' },
      ],
    });
    expect(batch.alerts.map((a) => [a.dedupKey, a.dedupKeySent])).toEqual([
      ['k', true],
      ['["XYZ","h","s"]', undefined],
    ]);
  });

  it('the default dedup key cannot be confused by separators inside the fields', () => {
    expect(defaultDedupKey('a/b', 'c', 'd')).toBe('["a/b","c","d"]');
    expect(defaultDedupKey('a', 'b/c', 'd')).not.toBe(defaultDedupKey('a/b', 'c', 'd'));
    expect(defaultDedupKey('a', 'b', 'c')).not.toBe(defaultDedupKey('A', 'b', 'c'));
  });

  it('a flat alert missing fields is rejected as a whole, naming each missing field', () => {
    expect(parseAlertReceived({ host: 'server1' })).toEqual({
      alerts: [],
      rejected: [
        {
          reason: 'invalid alert',
          issues: [
            'systemname: Invalid input: expected string, received undefined',
            'service: Invalid input: expected string, received undefined',
          ],
          input: { host: 'server1' },
        },
      ],
    });
  });

  it('an unknown status in the flat format is rejected', () => {
    const parsed = parseAlertReceived({ systemname: 'X', host: 'h', service: 's', status: 'ok' });
    expect(parsed.alerts).toEqual([]);
    expect(parsed.rejected[0]?.reason).toBe('invalid alert');
    expect(parsed.rejected[0]?.issues[0]).toMatch(/^status: /);
  });
});

describe('parseAlertReceived: detail that is not an object', () => {
  it.each([
    ['null', null],
    ['a string', 'XYZ server1 CPU'],
    ['a number', 42],
    ['an array', [{ systemname: 'XYZ', host: 'server1', service: 'CPU' }]],
    ['undefined', undefined],
  ])('%s is rejected', (_label, detail) => {
    expect(parseAlertReceived(detail)).toEqual({
      alerts: [],
      rejected: [{ reason: 'detail must be a JSON object', issues: [], input: detail }],
    });
  });
});

// ---------------------------------------------------------------------------------------------

const ALARM_ARN = 'arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:XYZ/server1/cpu';

/** The detail of a real "CloudWatch Alarm State Change" event (metric alarm). */
function alarmDetail(overrides: { state?: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA'; alarmName?: string; description?: string } = {}): CloudWatchAlarmDetail {
  return cloudWatchAlarmDetailSchema.parse({
    alarmName: overrides.alarmName ?? 'XYZ/server1/cpu',
    state: {
      value: overrides.state ?? 'ALARM',
      reason:
        'Threshold Crossed: 1 out of the last 1 datapoints [93.2 (24/11/26 01:00:00)] was greater than the threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).',
      reasonData: '{"version":"1.0","queryDate":"2026-11-24T01:01:00.000+0000"}',
      timestamp: '2026-11-24T01:01:00.123+0000',
    },
    previousState: { value: 'OK', timestamp: '2026-11-23T12:00:00.000+0000' },
    configuration: {
      ...(overrides.description !== undefined ? { description: overrides.description } : {}),
      metrics: [
        {
          id: '5b1f3c8a-0000-4c9a-9f0b-000000000001',
          metricStat: {
            metric: {
              namespace: 'AWS/EC2',
              name: 'CPUUtilization',
              dimensions: { InstanceId: 'i-0123456789abcdef0', AutoScalingGroupName: 'web' },
            },
            period: 60,
            stat: 'Average',
          },
          returnData: true,
        },
      ],
    },
  });
}

describe('normaliseCloudWatchAlarm', () => {
  it('ALARM is a firing alert: system from the name, host from the first dimension, service from the metric, dedup by ARN', () => {
    expect(normaliseCloudWatchAlarm(alarmDetail(), [ALARM_ARN])).toEqual({
      systemname: 'XYZ',
      host: 'i-0123456789abcdef0',
      service: 'CPUUtilization',
      status: 'firing',
      dedupKey: ALARM_ARN,
      lastcheck: '2026-11-24T01:01:00.123+0000',
      message:
        'Threshold Crossed: 1 out of the last 1 datapoints [93.2 (24/11/26 01:00:00)] was greater than the threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).',
    });
  });

  it('OK is resolved, with the same dedup key as the ALARM', () => {
    const firing = normaliseCloudWatchAlarm(alarmDetail({ state: 'ALARM' }), [ALARM_ARN]);
    const resolved = normaliseCloudWatchAlarm(alarmDetail({ state: 'OK' }), [ALARM_ARN]);
    expect(resolved?.status).toBe('resolved');
    expect(resolved?.dedupKey).toBe(firing?.dedupKey);
    expect(resolved?.systemname).toBe('XYZ');
  });

  it('INSUFFICIENT_DATA is ignored', () => {
    expect(normaliseCloudWatchAlarm(alarmDetail({ state: 'INSUFFICIENT_DATA' }), [ALARM_ARN])).toBeUndefined();
  });

  it('the yobidashi.system tag in the description wins over the alarm name', () => {
    const alert = normaliseCloudWatchAlarm(
      alarmDetail({ description: 'CPU high on web tier. yobidashi.system=Billing, owner=ops' }),
      [ALARM_ARN],
    );
    expect(alert?.systemname).toBe('Billing');
  });

  it('without a tag and without a `/` in the name, the system is cloudwatch', () => {
    const arn = 'arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:web-cpu-high';
    const alert = normaliseCloudWatchAlarm(alarmDetail({ alarmName: 'web-cpu-high', description: 'CPU high on web tier' }), [arn]);
    expect(alert?.systemname).toBe('cloudwatch');
    expect(alert?.dedupKey).toBe(arn);
  });

  it('an alarm name starting with `/` does not make an empty system', () => {
    expect(normaliseCloudWatchAlarm(alarmDetail({ alarmName: '/server1/cpu' }), [ALARM_ARN])?.systemname).toBe('cloudwatch');
  });

  it('without metrics the alarm name stands in for host and service; without resources the key falls back to the name', () => {
    const detail = cloudWatchAlarmDetailSchema.parse({
      alarmName: 'XYZ/composite-outage',
      state: { value: 'ALARM' },
      configuration: { alarmRule: 'ALARM(a) OR ALARM(b)' },
    });
    expect(normaliseCloudWatchAlarm(detail, [])).toEqual({
      systemname: 'XYZ',
      host: 'XYZ/composite-outage',
      service: 'XYZ/composite-outage',
      status: 'firing',
      dedupKey: 'cloudwatch:XYZ/composite-outage',
    });
  });

  it('its output is a valid flat AlertReceived', () => {
    const alert = normaliseCloudWatchAlarm(alarmDetail(), [ALARM_ARN]);
    const parsed = parseAlertReceived(alert);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.alerts).toEqual([
      {
        system: 'XYZ',
        host: 'i-0123456789abcdef0',
        service: 'CPUUtilization',
        status: 'firing',
        dedupKey: ALARM_ARN,
        dedupKeySent: true,
        lastcheck: '2026-11-24T01:01:00.123+0000',
        message: alert?.message,
        format: 'flat',
        index: 0,
      },
    ]);
  });
});
