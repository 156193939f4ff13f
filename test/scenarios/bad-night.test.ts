import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { OwnEvent } from '../../events/catalog.ts';
import { jsonLogger } from '../../handlers/lib/logger.ts';
import type { ForeignEvent } from '../../handlers/ports.ts';
import { AKI, BEN, xyzRoster } from './people.ts';
import { closeDynalite, Harness, T0 } from '../harness/harness.ts';

/**
 * The bad night: Connect throttling, handlers that keep failing, lost events, a throttled table,
 * an incident left with nothing to move it on, a keypress faster than the bookkeeping. Each time
 * the person is phoned, exactly once, and nothing ends in a dead letter.
 */

const alert = { systemname: 'XYZ', host: 'server1', service: 'CPU' };

let h: Harness;
let logs: Record<string, unknown>[];

beforeEach(async () => {
  logs = [];
  h = await Harness.start({ log: jsonLogger({ level: 'warn', write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) }) });
  await h.roster(xyzRoster({ people: 2 }));
});

afterAll(closeDynalite);

const detailOf = <T>(type: string) => h.published(type).map((e) => e.detail as T);

describe('Connect at capacity or failing', () => {
  for (const error of ['ThrottlingException', 'InternalServiceException', 'LimitExceededException']) {
    it(`${error} for 10 minutes: the call is placed once, within two minutes of it clearing`, async () => {
      h.phone(AKI, { answer: true, digits: '1' });
      h.rt.faults.add({ target: 'connect:StartOutboundVoiceContact', error, forSeconds: 600 });
      await h.sendAlert(alert);
      await h.settle();
      h.expectCalls([AKI]);
      const placedAfter = h.phones.calls[0]!.placedAt - T0;
      expect(placedAfter).toBeGreaterThanOrEqual(600_000);
      expect(placedAfter).toBeLessThanOrEqual(600_000 + 120_000);
      const deferred = detailOf<{ reason: string; tries: number; retryAt: string }>('CallDeferred');
      expect(deferred.length).toBeGreaterThanOrEqual(5);
      expect(new Set(deferred.map((d) => d.reason))).toEqual(new Set([error]));
      expect(deferred.map((d) => d.tries)).toEqual(deferred.map((_, i) => i + 1));
      // Backoff: the waits grow, and never exceed two minutes.
      const waits = deferred.map((d, i) => Date.parse(d.retryAt) - Date.parse(h.published('CallDeferred')[i]!.time));
      expect(Math.max(...waits)).toBeLessThanOrEqual(120_000);
      expect(waits.at(-1)!).toBeGreaterThan(waits[0]!);
      expect((await h.onlyIncident()).status).toBe('acknowledged');
      await h.assertNoUnexpectedCalls();
    });
  }

  it('Connect fails with 5xx for 10 minutes in the middle of an escalation: the next responder is called once, when it clears', async () => {
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(alert);
    await h.advance(30_000); // Aki's phone is ringing; it rings out at 60 s
    h.expectCalls([AKI]);
    h.rt.faults.add({ target: 'connect:StartOutboundVoiceContact', error: 'InternalServiceException', forSeconds: 600 });
    await h.settle();
    h.expectCalls([BEN]);
    const benAfter = h.phones.calls[1]!.placedAt - T0;
    expect(benAfter).toBeGreaterThanOrEqual(630_000);
    expect(benAfter).toBeLessThanOrEqual(630_000 + 120_000);
    expect(detailOf<{ attempt: number }>('CallDeferred').every((d) => d.attempt === 2)).toBe(true);
    expect(await h.onlyIncident()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Ben', attempt: 2 });
    await h.assertNoUnexpectedCalls();
  });

  it('a refusal about the number itself ends that attempt as failed, and the next responder is called', async () => {
    h.phone(AKI, { refused: true });
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(alert);
    await h.settle();
    h.expectCalls([BEN]);
    expect(detailOf('CallDeferred')).toEqual([]);
    expect(detailOf('CallEnded')[0]).toMatchObject({ attempt: 1, outcome: 'failed', via: 'placement', disconnectReason: 'DestinationNotAllowedException' });
    await h.assertNoUnexpectedCalls();
  });
});

describe('handlers that keep failing', () => {
  it('place-call throws 5 times in a row: the check places the call, the person is phoned exactly once', async () => {
    h.phone(AKI, { answer: true, digits: '1' });
    h.rt.faults.add({ target: 'handler:place-call', error: 'ServiceUnavailableException', times: 5 });
    await h.sendAlert(alert);
    await h.settle();
    h.expectCalls([AKI]);
    expect(h.phones.calls[0]!.placedAt - T0).toBe(30_000); // the first check, armed before Escalated went out
    expect(h.rt.faults.list()).toEqual([]); // all five were spent: Lambda's two retries, then the sweep's redrive (a no-op by then)
    expect((await h.onlyIncident()).status).toBe('acknowledged');
    await h.assertNoUnexpectedCalls();
  });

  it('alert-received throws 5 times in a row: Lambda retries, the sweep redrives, the alert pages once', async () => {
    h.phone(AKI, { answer: true, digits: '1' });
    h.rt.faults.add({ target: 'handler:alert-received', error: 'InternalError', times: 5 });
    await h.sendAlert(alert);
    await h.advance(200_000);
    expect(h.cloud.deadLetters.map((d) => [d.route, d.attempts, d.stage])).toEqual([['alert-received', 3, 'function']]); // tried at 0, 60 s, 180 s
    await h.settle();
    h.expectCalls([AKI]);
    expect(logs.some((l) => l.message === 'sweep: failed deliveries handed back to their functions')).toBe(true);
    expect((await h.onlyIncident()).status).toBe('acknowledged');
    await h.assertNoUnexpectedCalls();
  });

  it('a poison event is recorded with its reason and not retried', async () => {
    await h.put({ source: 'yobidashi', detailType: 'Escalated', detail: { schemaVersion: 1, incidentId: 'made-up', attempt: 'one' } });
    await h.settle();
    h.expectCalls([]);
    const rejections = await h.store.listRejections(10);
    expect(rejections.map((r) => [r.source, r.reason])).toEqual([['handler:place-call', 'place-call: event does not match its schema']]);
    expect(rejections[0]!.issues.join()).toMatch(/attempt/);
    expect(h.cloud.deadLetters).toEqual([]);
    await h.assertNoUnexpectedCalls();
  });
});

describe('lost events', () => {
  it('a lost Escalated: the check armed before it places the call', async () => {
    h.phone(AKI, { answer: true, digits: '1' });
    const publish = h.deps.bus.publish.bind(h.deps.bus);
    h.deps.bus.publish = async (events: readonly (OwnEvent | ForeignEvent)[]) => publish(events.filter((e) => e.detailType !== 'Escalated'));
    await h.sendAlert(alert);
    await h.settle();
    h.expectCalls([AKI]);
    expect(h.published('Escalated')).toEqual([]);
    expect(h.phones.calls[0]!.placedAt - T0).toBe(30_000);
    expect(logs.some((l) => l.message === 'the call was never placed; placing it from the check')).toBe(true);
    expect((await h.onlyIncident()).status).toBe('acknowledged');
    await h.assertNoUnexpectedCalls();
  });

  it('the sweep repairs an incident left with neither a call nor a check, and says so', async () => {
    h.phone(AKI, { answer: true, digits: '1' });
    const publish = h.deps.bus.publish.bind(h.deps.bus);
    const scheduleOnce = h.deps.scheduler.scheduleOnce.bind(h.deps.scheduler);
    // The announcement and its check both vanish (as if every retry had failed and the evidence was lost).
    h.deps.bus.publish = async (events: readonly (OwnEvent | ForeignEvent)[]) => publish(events.filter((e) => e.detailType !== 'Escalated'));
    h.deps.scheduler.scheduleOnce = async () => undefined;
    await h.sendAlert(alert);
    h.deps.bus.publish = publish;
    h.deps.scheduler.scheduleOnce = scheduleOnce;
    await h.settle();
    h.expectCalls([]); // nothing is pending: only the sweep can notice
    expect((await h.onlyIncident()).status).toBe('open');
    await h.advance(20 * 60_000);
    h.expectCalls([AKI]);
    const repair = logs.find((l) => l.message === 'sweep: open incident had neither a live call nor a pending check; checking it now');
    expect(repair).toMatchObject({ incidentId: (await h.onlyIncident()).incidentId, attempt: 1, placed: false });
    // Within the stale limit (10 min) plus one sweep period (5 min).
    expect(h.phones.calls[0]!.placedAt - T0).toBeLessThanOrEqual(15 * 60_000);
    expect(detailOf<{ sweep?: boolean }>('CallCheckDue').some((d) => d.sweep)).toBe(true);
    expect((await h.onlyIncident()).status).toBe('acknowledged');
    await h.assertNoUnexpectedCalls();
  });
});

describe('a throttled table', () => {
  it('DynamoDB throttles every write for 2 minutes as the first call ends: nothing lost, nothing doubled', async () => {
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(alert);
    await h.advance(30_000); // Aki's phone rings (it rings out at 60 s)
    h.rt.faults.add({ target: 'dynamodb:PutItem', error: 'ProvisionedThroughputExceededException', forSeconds: 120 });
    h.rt.faults.add({ target: 'dynamodb:UpdateItem', error: 'ProvisionedThroughputExceededException', forSeconds: 120 });
    await h.settle();
    h.expectCalls([AKI, BEN]);
    expect(h.phones.calls[1]!.placedAt - T0).toBeGreaterThanOrEqual(150_000); // not before the table came back
    const incident = await h.onlyIncident();
    expect(incident).toMatchObject({ status: 'acknowledged', attempt: 2, acknowledgedBy: 'Ben' });
    const { contacts, alerts } = await h.store.timeline(incident.incidentId);
    expect(contacts.map((c) => [c.attempt, c.outcome])).toEqual([
      [1, 'no-answer'],
      [2, 'acknowledged'],
    ]);
    expect(alerts).toHaveLength(1);
    expect(h.published('IncidentAcknowledged')).toHaveLength(1);
    await h.assertNoUnexpectedCalls();
  });

  it('DynamoDB throttles everything while the alert arrives: the alert is retried until it opens its incident, once', async () => {
    h.phone(AKI, { answer: true, digits: '1' });
    h.rt.faults.add({ target: 'dynamodb:*', error: 'ThrottlingException', forSeconds: 90 });
    await h.sendAlert(alert);
    await h.settle();
    h.expectCalls([AKI]);
    expect(h.phones.calls[0]!.placedAt - T0).toBe(180_000); // Lambda's second retry
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('acknowledged');
    expect((await h.store.timeline(incident.incidentId)).alerts).toHaveLength(1);
    expect(h.published('IncidentOpened')).toHaveLength(1);
    await h.assertNoUnexpectedCalls();
  });
});

describe('a keypress faster than the bookkeeping', () => {
  it('answered and 1 pressed before place-call recorded the contact: acknowledged, and the late placement changes nothing', async () => {
    h.phone(AKI, { answer: true, afterSeconds: 0, digits: '1', pressAfterSeconds: 0 });
    const createContact = h.store.createContact.bind(h.store);
    let raced = false;
    h.store.createContact = async (record) => {
      if (!raced) {
        // Connect runs the flow while place-call is still on its way to the table.
        raced = true;
        await h.drain();
      }
      return createContact(record);
    };
    await h.sendAlert(alert);
    await h.settle();
    expect(raced).toBe(true);
    h.expectCalls([AKI]);
    expect(h.heard(AKI)[0]).toContain('確認を受け付けました。対応をお願いします。'); // not "this alert no longer needs you"
    const incident = await h.onlyIncident();
    expect(incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Aki' });
    expect(incident.call?.contactId).toBe(h.phones.calls[0]!.contactId); // the late placement filled it in
    const { contacts, events } = await h.store.timeline(incident.incidentId);
    expect(contacts).toMatchObject([{ attempt: 1, outcome: 'acknowledged', check_flag: true, via: 'contact-flow', contactId: h.phones.calls[0]!.contactId }]);
    expect(events.map((e) => e.detailType)).toContain('CallPlaced');
    await h.assertNoUnexpectedCalls();
  });
});
