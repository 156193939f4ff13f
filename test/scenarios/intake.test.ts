import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { OwnEvent } from '../../events/catalog.ts';
import type { ForeignEvent } from '../../handlers/ports.ts';
import { flowResultHandler } from '../../handlers/index.ts';
import { AKI, BEN, xyzRoster } from './people.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';


let h: Harness;

beforeEach(async () => {
  h = await Harness.start();
  await h.roster(xyzRoster({ people: 2 }));
});

afterAll(closeDynalite);

describe('alert intake', () => {
  it('a bad entry in a batch is rejected with a reason and recorded; the good ones beside it go through', async () => {
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert({
      alertinfo: [
        { host: 'server1', service: 'CPU', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' },
        { service: 'Disk', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' },
        { host: 'server2', service: 'Memory', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' },
      ],
    });
    await h.settle();
    h.expectCalls([AKI, AKI]);
    const incidents = await h.incidents();
    expect(incidents.map((i) => `${i.host}/${i.service}:${i.status}`).sort()).toEqual(['server1/CPU:acknowledged', 'server2/Memory:acknowledged']);
    const rejected = h.published('AlertRejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.detail).toMatchObject({ index: 1, reason: 'invalid alert alertinfo[1]', source: 'nagios' });
    expect((rejected[0]?.detail as { issues: string[] }).issues.join()).toContain('alertinfo[1].host');
    const stored = await h.store.listRejections(10);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ reason: 'invalid alert alertinfo[1]', input: JSON.stringify({ service: 'Disk', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }) });
    await h.assertNoUnexpectedCalls();
  });

  it('a detail that is no alert at all is rejected and recorded, and calls nobody', async () => {
    await h.sendAlert({ hello: 'world' });
    await h.settle();
    h.expectCalls([]);
    expect(await h.incidents()).toEqual([]);
    expect((await h.store.listRejections(10))[0]?.issues.join()).toMatch(/systemname/);
    await h.assertNoUnexpectedCalls();
  });

  it('a CloudWatch alarm pages like any alert, and its OK resolves the incident', async () => {
    const alarm = (value: 'ALARM' | 'OK') => ({
      alarmName: 'XYZ/web-cpu',
      state: { value, reason: 'Threshold Crossed', timestamp: '2026-11-24T01:00:00.000+0000' },
      configuration: { metrics: [{ metricStat: { metric: { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: { InstanceId: 'i-0abc' } } } }] },
    });
    const arn = 'arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:XYZ/web-cpu';
    await h.put({ bus: 'default', source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', detail: alarm('ALARM'), resources: [arn] });
    await h.advance(20_000);
    h.expectCalls([AKI]);
    const incident = await h.onlyIncident();
    expect(incident).toMatchObject({ system: 'XYZ', host: 'i-0abc', service: 'CPUUtilization', dedupKey: arn, status: 'open' });
    await h.put({ bus: 'default', source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', detail: alarm('OK'), resources: [arn] });
    expect((await h.onlyIncident()).status).toBe('resolved');
    await h.assertNoUnexpectedCalls();
  });

  it('a system with no roster uses the "default" roster', async () => {
    await h.roster({ system: 'default', rounds: 1, responders: [{ name: 'Ops', phone: '+819099990000', language: 'en-US', timezone: 'UTC' }] });
    h.phone('+819099990000', { answer: true, digits: '1' });
    await h.sendAlert({ systemname: 'UNKNOWN', host: 'h', service: 's' });
    await h.settle();
    h.expectCalls(['+819099990000']);
    await h.assertNoUnexpectedCalls();
  });

  it('with no roster at all the incident is exhausted at once and says why', async () => {
    await h.sendAlert({ systemname: 'NOBODY', host: 'h', service: 's' });
    await h.settle();
    h.expectCalls([]);
    expect(await h.onlyIncident()).toMatchObject({ status: 'exhausted', exhaustedReason: 'no-roster' });
    await h.assertNoUnexpectedCalls();
  });

  it('a responder outside contact hours is passed over', async () => {
    await h.roster({
      system: 'XYZ',
      rounds: 1,
      responders: [
        { name: 'Aki', phone: AKI, language: 'ja-JP', timezone: 'Asia/Tokyo', hours: 'Sat-Sun 09:00-18:00' },
        { name: 'Ben', phone: BEN, language: 'en-US', timezone: 'America/New_York' },
      ],
    });
    await h.sendAlert({ systemname: 'XYZ', host: 'h', service: 's' });
    await h.settle();
    h.expectCalls([BEN]);
    expect(await h.onlyIncident()).toMatchObject({ status: 'exhausted', attempt: 1 });
    await h.assertNoUnexpectedCalls();
  });
});

describe('at-least-once, the hard way', () => {
  it('a crash between the write and the publish loses nothing and places no second call', async () => {
    h.phone(BEN, { answer: true, digits: '1' });
    const publish = h.deps.bus.publish.bind(h.deps.bus);
    let failures = 0;
    h.deps.bus.publish = async (events: readonly (OwnEvent | ForeignEvent)[]) => {
      // Every first attempt to announce a call, or a placed call, dies after the state was written.
      const announces = events.some((e) => e.detailType === 'Escalated' || e.detailType === 'CallPlaced');
      if (announces && failures++ % 2 === 0) throw new Error('network gone');
      return publish(events);
    };
    await h.sendAlert({ systemname: 'XYZ', host: 'h', service: 's' });
    await h.settle();
    h.expectCalls([AKI, BEN]);
    expect(failures).toBeGreaterThanOrEqual(4); // both announcements of both calls were tried, the odd ones died
    expect(h.published('CallPlaced')).toHaveLength(2);
    const created = h.rt.scheduler.history.filter((e) => e.event === 'created').map((e) => e.name);
    expect(created.length).toBeGreaterThan(2);
    expect(new Set(created).size).toBe(created.length); // retried deliveries never armed the same check twice
    expect((await h.onlyIncident()).status).toBe('acknowledged');
    await h.assertNoUnexpectedCalls();
  });

  it('a crash between opening the incident and recording the alert: the retry records it and still calls', async () => {
    h.phone(AKI, { answer: true, digits: '1' });
    const recordAlert = h.store.recordAlert.bind(h.store);
    let failed = false;
    h.store.recordAlert = async (record) => {
      if (!failed) {
        failed = true;
        throw new Error('connection reset');
      }
      return recordAlert(record);
    };
    await h.sendAlert({ systemname: 'XYZ', host: 'h', service: 's' });
    await h.settle();
    h.expectCalls([AKI]);
    const incident = await h.onlyIncident();
    const { alerts } = await h.store.timeline(incident.incidentId);
    expect(alerts.map((a) => a.disposition)).toEqual(['opened']);
    expect(incident.status).toBe('acknowledged');
    await h.assertNoUnexpectedCalls();
  });

  it('a forged or stale keypad result changes nothing', async () => {
    await h.sendAlert({ systemname: 'XYZ', host: 'h', service: 's' });
    await h.advance(5_000);
    h.expectCalls([AKI]);
    const incident = await h.onlyIncident();
    const forged = (contactId: string, attempt: string) => ({
      Name: 'ContactFlowEvent',
      Details: { ContactData: { ContactId: contactId, Attributes: {} }, Parameters: { choice: '1', hours: '', incidentId: incident.incidentId, attempt } },
    });
    expect(await flowResultHandler(h.deps)(forged('someone-elses-contact', '1'))).toEqual({ status: 'ignored', outcome: '' });
    expect(await flowResultHandler(h.deps)(forged(h.phones.calls[0]!.contactId, '2'))).toEqual({ status: 'ignored', outcome: '' });
    await h.drain();
    expect((await h.onlyIncident()).status).toBe('open');
    await h.settle();
    h.expectCalls([BEN]);
    expect((await h.onlyIncident()).status).toBe('exhausted');
    await h.assertNoUnexpectedCalls();
  });

  it('the timeline holds the incident, its alerts, its calls and its events in order', async () => {
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert({ systemname: 'XYZ', host: 'h', service: 's' });
    await h.settle();
    h.expectCalls([AKI]);
    const { incident, alerts, contacts, events } = await h.store.timeline((await h.onlyIncident()).incidentId);
    expect(incident?.status).toBe('acknowledged');
    expect(alerts).toHaveLength(1);
    expect(contacts).toHaveLength(1);
    expect(events.map((e) => e.detailType)).toEqual(['IncidentOpened', 'Escalated', 'CallPlaced', 'CallEnded', 'IncidentAcknowledged', 'CallCheckDue']);
    await h.assertNoUnexpectedCalls();
  });
});

describe('Connect forgetting a call', () => {
  it('a contact Connect no longer knows is counted as failed at the next check, and the next responder is called', async () => {
    h.phone(AKI, { answer: true, stuck: true });
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert({ systemname: 'XYZ', host: 'h', service: 's' });
    await h.advance(10_000);
    h.expectCalls([AKI]);
    h.phones.forget(h.phones.calls[0]!.contactId); // the simulated Connect restarted and lost it
    await h.settle();
    h.expectCalls([BEN]);
    expect(h.published('CallEnded')[0]?.detail).toMatchObject({ attempt: 1, outcome: 'failed', via: 'reconcile', disconnectReason: 'CONTACT_NOT_FOUND' });
    await h.assertNoUnexpectedCalls();
  });
});

describe('a lost end-of-call report', () => {
  it('is reported again by the safety-net check once the main path had its chance', async () => {
    h.phone(AKI, { busy: true });
    h.phone(BEN, { answer: true, digits: '1' });
    const publish = h.deps.bus.publish.bind(h.deps.bus);
    let dropped = 0;
    h.deps.bus.publish = async (events: readonly (OwnEvent | ForeignEvent)[]) => {
      if (events.some((e) => e.detailType === 'CallEnded') && dropped < 3) {
        dropped++;
        throw new Error('bus unreachable');
      }
      return publish(events);
    };
    await h.sendAlert({ systemname: 'XYZ', host: 'h', service: 's' });
    await h.settle();
    h.expectCalls([AKI, BEN]);
    expect(dropped).toBe(3);
    expect(h.deadLetters()).toEqual([]);
    const [aki, ben] = h.phones.calls;
    // Busy after 3 s, its report dies (Lambda retries contact-event at 63 s, dies again); the check at
    // 30 s sees a fresh outcome and waits; the one at 60 s reports it and dies; the one at 90 s gets through.
    expect(ben!.placedAt - aki!.placedAt).toBe(90_000);
    await h.assertNoUnexpectedCalls();
  });
});
