import { describe, expect, it } from 'vitest';
import { defaultDedupKey } from '../../events/alerts.ts';
import { groupingOf, groupKey } from '../../domain/grouping.ts';
import { alert, roster } from './fixtures.ts';

describe('group key', () => {
  it('for the default groupBy is exactly the dedup key alerts always had (incident ids and heads do not change)', () => {
    const a = alert({ systemname: 'XYZ', host: 'server1', service: 'CPU Utilization' });
    expect(groupKey(a, ['system', 'host', 'service'])).toBe('["XYZ","server1","CPU Utilization"]');
    expect(groupKey(a, ['system', 'host', 'service'])).toBe(defaultDedupKey('XYZ', 'server1', 'CPU Utilization'));
    expect(groupKey(a, ['system', 'host', 'service'])).toBe(a.dedupKey);
    expect(groupKey(a)).toBe(a.dedupKey);
  });

  it('is built from the roster groupBy fields, in order', () => {
    const a = alert({ systemname: 'XYZ', host: 'server1', service: 'CPU Utilization' });
    expect(groupKey(a, ['system', 'host'])).toBe('["XYZ","server1"]');
    expect(groupKey(a, ['system'])).toBe('["XYZ"]');
  });

  it('puts alerts of one host, or one system, together and keeps others apart', () => {
    const cpu1 = alert({ host: 'server1', service: 'CPU' });
    const disk1 = alert({ host: 'server1', service: 'Disk' });
    const cpu2 = alert({ host: 'server2', service: 'CPU' });
    const other = alert({ systemname: 'ABC', host: 'server1', service: 'CPU' });
    expect(groupKey(cpu1, ['system', 'host'])).toBe(groupKey(disk1, ['system', 'host']));
    expect(groupKey(cpu1, ['system', 'host'])).not.toBe(groupKey(cpu2, ['system', 'host']));
    expect(groupKey(cpu1, ['system'])).toBe(groupKey(cpu2, ['system']));
    expect(groupKey(cpu1, ['system'])).not.toBe(groupKey(other, ['system']));
    expect(groupKey(cpu1, ['system', 'host', 'service'])).not.toBe(groupKey(disk1, ['system', 'host', 'service']));
  });

  it('cannot be confused by separators inside the fields, nor across groupBy choices', () => {
    expect(groupKey(alert({ systemname: 'a', host: 'b/c' }), ['system', 'host'])).not.toBe(groupKey(alert({ systemname: 'a/b', host: 'c' }), ['system', 'host']));
    expect(groupKey(alert({ systemname: 'a","b' }), ['system'])).not.toBe(groupKey(alert({ systemname: 'a', host: 'b' }), ['system', 'host']));
  });

  it('an explicit dedupKey (a flat alert, a batch entry, a CloudWatch alarm ARN) always wins over groupBy', () => {
    const keyed = alert({ host: 'server1', service: 'CPU', dedupKey: 'xyz-cpu' });
    for (const groupBy of [['system', 'host', 'service'], ['system', 'host'], ['system']] as const) expect(groupKey(keyed, groupBy)).toBe('xyz-cpu');
    const arn = 'arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:XYZ/web-cpu';
    expect(groupKey(alert({ dedupKey: arn }), ['system'])).toBe(arn);
  });

  it('an explicit dedupKey that looks like a default key is still the alert’s own key', () => {
    const keyed = alert({ host: 'server1', service: 'CPU', dedupKey: '["XYZ","server1","CPU"]' });
    expect(groupKey(keyed, ['system'])).toBe('["XYZ","server1","CPU"]');
  });
});

describe('grouping of a roster', () => {
  it('reads groupBy and the window; without a roster, system + host + service and no window', () => {
    expect(groupingOf(roster(['a']))).toEqual({ groupBy: ['system', 'host', 'service'] });
    expect(groupingOf(roster(['a'], { groupBy: ['system'], groupWindowMinutes: 10 }))).toEqual({ groupBy: ['system'], windowMinutes: 10 });
    expect(groupingOf(undefined)).toEqual({ groupBy: ['system', 'host', 'service'] });
  });
});
