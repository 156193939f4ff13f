import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { RosterInput } from '../../domain/roster.ts';
import { incidentIdFor } from '../../handlers/lib/incidents.ts';
import { AKI, BEN, CHO, xyzRoster } from './people.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';

/**
 * Grouping per roster (docs/grouping.md): `groupBy` makes one incident of the alerts of a host or a
 * whole system, `groupWindowMinutes` bounds how long an incident keeps absorbing them.
 *
 * Scenarios that open more than one incident let each one finish before the next opens, so the
 * calls they expect do not depend on how a responder's line paces calls for incidents that are
 * live at the same time (merged calls).
 */


const MINUTE = 60_000;

let h: Harness;

async function roster(extra: Partial<RosterInput>): Promise<void> {
  await h.roster({
    ...xyzRoster({ voices: 'en-US' }),
    ...extra,
  });
}

function alert(host: string, service = 'CPU Utilization', extra: Record<string, unknown> = {}) {
  return { systemname: 'XYZ', host, service, lastcheck: '2026-11-24 10:00:00', ...extra };
}

async function timelineOf(incidentId: string) {
  const { alerts } = await h.store.timeline(incidentId);
  return alerts.map((a) => `${a.alert.host}/${a.alert.service} ${a.alert.status} ${a.disposition}`);
}

beforeEach(async () => {
  h = await Harness.start();
});

afterAll(closeDynalite);

describe('groupBy ["system"]: one incident for the whole system', () => {
  it('five alerts for five hosts: one incident, one call, the timeline lists all five', async () => {
    await roster({ groupBy: ['system'] });
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    for (const host of ['server1', 'server2', 'server3', 'server4', 'server5']) {
      await h.sendAlert(alert(host));
      await h.advance(2_000);
    }
    await h.settle();
    h.expectCalls([AKI]);
    const incident = await h.onlyIncident();
    expect(incident).toMatchObject({ dedupKey: '["XYZ"]', host: 'server1', service: 'CPU Utilization', status: 'acknowledged', attempt: 1 });
    expect(incident.incidentId).toBe(incidentIdFor('["XYZ"]', 1));
    expect(await timelineOf(incident.incidentId)).toEqual([
      'server1/CPU Utilization firing opened',
      'server2/CPU Utilization firing joined',
      'server3/CPU Utilization firing joined',
      'server4/CPU Utilization firing joined',
      'server5/CPU Utilization firing joined',
    ]);
    expect(h.published('IncidentOpened')).toHaveLength(1);
    // The call speaks the alert that opened the incident.
    expect(h.heard(AKI)[0]?.[0]).toContain('CPU Utilization occurred on server1 of system XYZ');
    await h.assertNoUnexpectedCalls();
  });

  it('a batch for a whole system at once is one incident too', async () => {
    await roster({ groupBy: ['system'] });
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert({ alertinfo: ['web1', 'web2', 'db1'].map((host) => alert(host, 'Ping')) });
    await h.settle();
    h.expectCalls([AKI]);
    const incident = await h.onlyIncident();
    expect(await timelineOf(incident.incidentId)).toEqual(['web1/Ping firing opened', 'web2/Ping firing joined', 'db1/Ping firing joined']);
    await h.assertNoUnexpectedCalls();
  });

  it("9 on a system-wide incident silences the whole system: another host's alert afterwards rings nobody", async () => {
    await roster({ groupBy: ['system'] });
    h.phone(AKI, { answer: true, digits: '92#' });
    await h.sendAlert(alert('server1'));
    await h.settle();
    h.expectCalls([AKI]);
    expect(h.published('Silenced')[0]?.detail).toMatchObject({ scope: { system: 'XYZ' } });
    await h.sendAlert(alert('server7', 'Disk'));
    await h.settle();
    h.expectCalls([]);
    expect((await h.incidents()).map((i) => i.status).sort()).toEqual(['silenced', 'suppressed']);
    await h.assertNoUnexpectedCalls();
  });

  it('another system stays apart', async () => {
    await roster({ groupBy: ['system'] });
    await h.roster({ system: 'ABC', rounds: 1, responders: [{ name: 'Ben', phone: BEN, language: 'en-US', timezone: 'Asia/Tokyo' }] });
    h.phone(AKI, { answer: true, digits: '1' });
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(alert('server1'));
    await h.sendAlert({ systemname: 'ABC', host: 'server1', service: 'CPU Utilization' });
    await h.settle();
    h.expectCalls([AKI, BEN]);
    expect((await h.incidents()).map((i) => i.dedupKey).sort()).toEqual(['["ABC","server1","CPU Utilization"]', '["XYZ"]']);
    await h.assertNoUnexpectedCalls();
  });
});

describe('groupBy ["system","host"]: one incident per host', () => {
  it('two services of one host share an incident; another host opens its own', async () => {
    await roster({ groupBy: ['system', 'host'] });
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert(alert('server1', 'CPU Utilization'));
    await h.advance(2_000);
    await h.sendAlert(alert('server1', 'Disk /var'));
    await h.settle();
    h.expectCalls([AKI]);

    await h.sendAlert(alert('server2', 'CPU Utilization'));
    await h.advance(2_000);
    await h.sendAlert(alert('server2', 'Disk /var'));
    await h.sendAlert(alert('server1', 'Memory'));
    await h.settle();
    h.expectCalls([AKI]);

    const incidents = await h.incidents();
    expect(incidents.map((i) => [i.dedupKey, i.host, i.status]).sort()).toEqual([
      ['["XYZ","server1"]', 'server1', 'acknowledged'],
      ['["XYZ","server2"]', 'server2', 'acknowledged'],
    ]);
    const byHost = (host: string) => incidents.find((i) => i.host === host)!.incidentId;
    expect(await timelineOf(byHost('server1'))).toEqual([
      'server1/CPU Utilization firing opened',
      'server1/Disk /var firing joined',
      'server1/Memory firing joined', // the acknowledged incident absorbs its host's alerts for 24 hours
    ]);
    expect(await timelineOf(byHost('server2'))).toEqual(['server2/CPU Utilization firing opened', 'server2/Disk /var firing joined']);
    await h.assertNoUnexpectedCalls();
  });
});

describe('groupWindowMinutes', () => {
  it('with a 10-minute window, an alert 9 minutes after the opening joins; one 11 minutes after opens a second incident', async () => {
    await roster({ groupBy: ['system'], groupWindowMinutes: 10 });
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert(alert('server1'));
    await h.settle();
    h.expectCalls([AKI]);
    const first = await h.onlyIncident();
    expect(first.status).toBe('acknowledged');

    await h.time.advanceTo(first.openedAt + 9 * MINUTE);
    await h.sendAlert(alert('server2'));
    await h.settle();
    h.expectCalls([]);

    await h.time.advanceTo(first.openedAt + 11 * MINUTE);
    await h.sendAlert(alert('server3'));
    await h.settle();
    h.expectCalls([AKI]);

    const second = (await h.incidents()).find((i) => i.incidentId !== first.incidentId)!;
    expect(second).toMatchObject({ incidentId: incidentIdFor('["XYZ"]', 2), dedupKey: '["XYZ"]', host: 'server3', status: 'acknowledged' });
    expect(second.openedAt - first.openedAt).toBe(11 * MINUTE);
    expect(await h.store.getHead('["XYZ"]')).toEqual({ dedupKey: '["XYZ"]', generation: 2, incidentId: second.incidentId });
    expect(await timelineOf(first.incidentId)).toEqual(['server1/CPU Utilization firing opened', 'server2/CPU Utilization firing joined']);
    expect(await timelineOf(second.incidentId)).toEqual(['server3/CPU Utilization firing opened']);

    // The new generation is the group's incident now: the next alert joins it.
    await h.sendAlert(alert('server4'));
    await h.settle();
    h.expectCalls([]);
    expect(await timelineOf(second.incidentId)).toHaveLength(2);
    await h.assertNoUnexpectedCalls();
  });

  it('past the window the old incident keeps calling until it ends; the new one calls too', async () => {
    await roster({ groupBy: ['system'], groupWindowMinutes: 10, rounds: 10 }); // nobody answers: 30 calls, longer than the window
    await h.sendAlert(alert('server1'));
    await h.advance(11 * MINUTE);
    const first = await h.onlyIncident();
    expect(first.status).toBe('open');
    const attemptAtSecond = first.attempt;

    await h.sendAlert(alert('server2'));
    const second = (await h.incidents()).find((i) => i.incidentId !== first.incidentId)!;
    expect(second).toMatchObject({ incidentId: incidentIdFor('["XYZ"]', 2), status: 'open', host: 'server2' });

    await h.advance(5 * MINUTE);
    const old = (await h.store.getIncident(first.incidentId))!;
    expect(old.status).toBe('open');
    expect(old.attempt).toBeGreaterThan(attemptAtSecond); // still escalating on its own

    for (const phone of [AKI, BEN, CHO]) h.phone(phone, { answer: true, digits: '1' });
    await h.settle();
    expect((await h.incidents()).map((i) => i.status)).toEqual(['acknowledged', 'acknowledged']);
    // How many calls two live incidents of one roster make depends on line pacing (merged calls);
    // here it is enough that each went to the roster and both ended acknowledged.
    const calls = h.phones.calls.map((c) => c.destination);
    expect(calls.every((n) => [AKI, BEN, CHO].includes(n))).toBe(true);
    h.expectCalls(calls);
    await h.assertNoUnexpectedCalls();
  });

  it('without a window an incident absorbs its group while it is open, however long', async () => {
    await roster({ groupBy: ['system'], rounds: 10 }); // nobody answers: a call a minute for 30 minutes
    await h.sendAlert(alert('server1'));
    await h.advance(20 * MINUTE);
    expect((await h.onlyIncident()).status).toBe('open');
    await h.sendAlert(alert('server2'));
    const incident = await h.onlyIncident();
    expect(await timelineOf(incident.incidentId)).toEqual(['server1/CPU Utilization firing opened', 'server2/CPU Utilization firing joined']);
    await h.sendAlert(alert('server1', 'CPU Utilization', { status: 'resolved' }));
    expect((await h.onlyIncident()).status).toBe('resolved');
    expect(h.phones.calls).toHaveLength(21); // one incident escalating alone, a call a minute
    h.expectCalls(h.phones.calls.map((c) => c.destination));
    await h.assertNoUnexpectedCalls();
  });
});

describe('keys that are not built from groupBy', () => {
  it('an explicit dedupKey still wins: it is its own group, whatever the host', async () => {
    await roster({ groupBy: ['system'] });
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert(alert('server1', 'Backup', { dedupKey: 'nightly-backup' }));
    await h.advance(2_000);
    await h.sendAlert(alert('server2', 'Backup', { dedupKey: 'nightly-backup' }));
    await h.settle();
    h.expectCalls([AKI]);

    // Not part of the system-wide group either: an alert without a key opens the ["XYZ"] incident.
    await h.sendAlert(alert('server3'));
    await h.advance(2_000);
    await h.sendAlert(alert('server4'));
    await h.settle();
    h.expectCalls([AKI]);

    const incidents = await h.incidents();
    expect(incidents.map((i) => i.dedupKey).sort()).toEqual(['["XYZ"]', 'nightly-backup']);
    const keyed = incidents.find((i) => i.dedupKey === 'nightly-backup')!;
    expect(keyed.incidentId).toBe(incidentIdFor('nightly-backup', 1));
    expect(await timelineOf(keyed.incidentId)).toEqual(['server1/Backup firing opened', 'server2/Backup firing joined']);
    await h.assertNoUnexpectedCalls();
  });

  it('CloudWatch alarms are unaffected: one alarm is one incident by its ARN, and its OK resolves it', async () => {
    await roster({ groupBy: ['system'] });
    h.phone(AKI, { answer: true, digits: '1' });
    const alarm = (name: string, value: 'ALARM' | 'OK', instance: string) => ({
      alarmName: name,
      state: { value, reason: 'Threshold Crossed', timestamp: '2026-11-24T01:00:00.000+0000' },
      configuration: { metrics: [{ metricStat: { metric: { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: { InstanceId: instance } } } }] },
    });
    const arn = (name: string) => `arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:${name}`;
    const send = (name: string, value: 'ALARM' | 'OK', instance: string) =>
      h.put({ bus: 'default', source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', detail: alarm(name, value, instance), resources: [arn(name)] });

    await send('XYZ/web-cpu', 'ALARM', 'i-0abc');
    await h.settle();
    h.expectCalls([AKI]);
    await send('XYZ/db-cpu', 'ALARM', 'i-0def'); // same system, another alarm: its own incident
    await h.settle();
    h.expectCalls([AKI]);

    const incidents = await h.incidents();
    expect(incidents.map((i) => [i.dedupKey, i.host]).sort()).toEqual([
      [arn('XYZ/db-cpu'), 'i-0def'],
      [arn('XYZ/web-cpu'), 'i-0abc'],
    ]);
    await send('XYZ/web-cpu', 'OK', 'i-0abc');
    const after = await h.incidents();
    expect(after.find((i) => i.dedupKey === arn('XYZ/web-cpu'))?.status).toBe('resolved');
    expect(after.find((i) => i.dedupKey === arn('XYZ/db-cpu'))?.status).toBe('acknowledged');
    await h.assertNoUnexpectedCalls();
  });
});

describe('resolved alerts in a coarser group', () => {
  it('another host recovering is recorded on the incident and calling goes on; the opening alert recovering resolves it', async () => {
    await roster({ groupBy: ['system'], rounds: 3 }); // nobody answers: a call a minute
    await h.sendAlert(alert('server1'));
    await h.advance(2_000);
    await h.sendAlert(alert('server2'));
    await h.advance(10_000);
    h.expectCalls([AKI]);

    await h.sendAlert(alert('server2', 'CPU Utilization', { status: 'resolved' }));
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('open');
    expect(h.phones.status(h.phones.calls[0]!).endedAt).toBeUndefined(); // Aki's phone is still ringing
    await h.advance(MINUTE);
    h.expectCalls([BEN]); // calling goes on: server1 is still down

    await h.sendAlert(alert('server1', 'CPU Utilization', { status: 'resolved' }));
    expect((await h.onlyIncident()).status).toBe('resolved');
    expect(await timelineOf(incident.incidentId)).toEqual([
      'server1/CPU Utilization firing opened',
      'server2/CPU Utilization firing joined',
      'server2/CPU Utilization resolved joined',
      'server1/CPU Utilization resolved resolved',
    ]);
    await h.assertNoUnexpectedCalls();
  });

  it('with groupBy ["system","host"], another service of the host recovering does not resolve it either', async () => {
    await roster({ groupBy: ['system', 'host'] });
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert(alert('server1', 'CPU Utilization'));
    await h.sendAlert(alert('server1', 'Disk /var'));
    await h.settle();
    h.expectCalls([AKI]);
    await h.sendAlert(alert('server1', 'Disk /var', { status: 'resolved' }));
    expect((await h.onlyIncident()).status).toBe('acknowledged');
    await h.sendAlert(alert('server1', 'CPU Utilization', { status: 'resolved' }));
    expect((await h.onlyIncident()).status).toBe('resolved');
    await h.assertNoUnexpectedCalls();
  });

  it('a resolved alert for a group with no live incident is only recorded', async () => {
    await roster({ groupBy: ['system'] });
    await h.sendAlert(alert('server1', 'CPU Utilization', { status: 'resolved' }));
    h.expectCalls([]);
    expect(await h.incidents()).toEqual([]);
    expect(await timelineOf('unmatched:["XYZ"]')).toEqual(['server1/CPU Utilization resolved unmatched']);
    await h.assertNoUnexpectedCalls();
  });
});
