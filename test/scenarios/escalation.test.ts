import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AKI, BEN, CHO, xyzRoster } from './people.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';

/**
 * The article's scenario end to end, GoAlert-smoke-test style: phones expect calls, hear text,
 * press keys, and nothing else rings. Virtual time: no sleeps.
 */


const article = {
  alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }],
};

let h: Harness;

beforeEach(async () => {
  h = await Harness.start();
  await h.roster(xyzRoster({ rounds: 3 }));
});

afterAll(closeDynalite);

describe('the article scenario', () => {
  it('nobody answers: nine calls 1,2,3,1,2,3,1,2,3, then exhausted and silence', async () => {
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN, CHO, AKI, BEN, CHO, AKI, BEN, CHO]);
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('exhausted');
    expect(incident.attempt).toBe(9);
    expect(h.published('IncidentExhausted')).toHaveLength(1);
    expect(h.published('Escalated').map((e) => (e.detail as { attempt: number }).attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await h.assertNoUnexpectedCalls();
  });

  it('responder 2 presses 1 in round one: acknowledged, no further call', async () => {
    h.phone(BEN, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN]);
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('acknowledged');
    expect(incident.acknowledgedBy).toBe('Ben');
    // 10:00 in Tokyo is 20:00 the evening before in New York, where Ben is; he presses 1 during the alert.
    expect(h.heard(BEN)).toEqual([
      [
        'This is yobidashi, an automated alert call. On November 23, 2026 at 8:00 PM, an alert for CPU Utilization occurred on server1 of system XYZ. Press 1 to acknowledge, 3 to pass it to the next person, or 9 to silence it.',
        'Acknowledged. It is yours. Thank you.',
      ],
    ]);
    expect(h.phones.calls[1]?.run?.result.transcript[0]?.interrupted).toBe(true);
    const { contacts } = await h.store.timeline(incident.incidentId);
    expect(contacts.map((c) => [c.attempt, c.outcome, c.check_flag])).toEqual([
      [1, 'no-answer', false],
      [2, 'acknowledged', true],
    ]);
    await h.assertNoUnexpectedCalls();
  });

  it('speaks the alert in the responder language and time zone', async () => {
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI]);
    expect(h.heard(AKI)[0]?.[0]).toContain('2026年11月24日 10時0分、システムXYZのserver1で、CPU Utilizationのアラートが発生しました。');
    expect(h.heard(AKI)[0]?.[1]).toBe('確認を受け付けました。対応をお願いします。');
    expect(h.phones.calls[0]?.attributes).toMatchObject({ systemname: 'XYZ', host: 'server1', service: 'CPU Utilization', language: 'ja-JP', attempt: '1' });
    await h.assertNoUnexpectedCalls();
  });

  it('responder 1 presses 3: responder 2 is called at once, not at the next check', async () => {
    h.phone(AKI, { answer: true, afterSeconds: 4, digits: '3' });
    h.phone(BEN, { answer: true, afterSeconds: 4, digits: '1' });
    await h.sendAlert(article);
    await h.advance(6_000); // Aki answers at 4 s and presses 3 two seconds into the alert
    h.expectCalls([AKI, BEN]);
    const [aki, ben] = h.phones.calls;
    expect(ben!.placedAt - aki!.placedAt).toBe(6_000);
    expect(h.published('CallCheckDue')).toHaveLength(0); // no check was needed
    await h.settle();
    expect((await h.onlyIncident()).status).toBe('acknowledged');
    await h.assertNoUnexpectedCalls();
  });

  it('9,1,2,#: silenced 12 h; a repeat inside 12 h is suppressed and calls no one; after 12 h it calls again', async () => {
    h.phone(AKI, { answer: true, digits: '912#' });
    await h.sendAlert(article);
    await h.settle(60_000);
    h.expectCalls([AKI]);
    const silenced = await h.onlyIncident();
    expect(silenced.status).toBe('silenced');
    expect(silenced.silencedUntil! - h.time.now()).toBeGreaterThan(11.9 * 3_600_000);
    expect(h.published('Silenced')).toHaveLength(1);

    await h.advance(6 * 3_600_000);
    await h.sendAlert(article);
    await h.settle(60_000);
    h.expectCalls([]);
    const suppressed = (await h.incidents()).find((i) => i.status === 'suppressed');
    expect(suppressed?.silenceId).toBe(silenced.silenceId);

    await h.advance(6 * 3_600_000);
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI]);
    expect((await h.incidents()).map((i) => i.status).sort()).toEqual(['acknowledged', 'silenced', 'suppressed']);
    await h.assertNoUnexpectedCalls();
  });

  it('9# alone silences for 12 hours', async () => {
    h.phone(AKI, { answer: true, digits: '9#' });
    await h.sendAlert(article);
    await h.settle();
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('silenced');
    expect((h.published('Silenced')[0]?.detail as { hours: number }).hours).toBe(12);
    h.expectCalls([AKI]);
    await h.assertNoUnexpectedCalls();
  });

  it('answered with no digit (voicemail) is not an acknowledgement: next responder', async () => {
    h.phone(AKI, { answer: true, digits: '' });
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN]);
    const { contacts } = await h.store.timeline((await h.onlyIncident()).incidentId);
    expect(contacts[0]).toMatchObject({ outcome: 'answered-no-input', check_flag: false, digits: '', via: 'contact-flow' });
    expect(h.heard(AKI)[0]).toHaveLength(4); // the menu three times, then "calling the next person"
    await h.assertNoUnexpectedCalls();
  });

  it('answered, then hung up without a digit: next responder, reason from DescribeContact', async () => {
    h.phone(AKI, { answer: true, hangUpAfterSeconds: 3 });
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN]);
    const { contacts } = await h.store.timeline((await h.onlyIncident()).incidentId);
    expect(contacts[0]).toMatchObject({ outcome: 'answered-no-input', check_flag: false, discon_reason: 'CUSTOMER_DISCONNECT', via: 'contact-event' });
    await h.assertNoUnexpectedCalls();
  });

  it('a wrong digit is not an acknowledgement either', async () => {
    h.phone(AKI, { answer: true, digits: '7' });
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN]);
    const { contacts } = await h.store.timeline((await h.onlyIncident()).incidentId);
    expect(contacts[0]).toMatchObject({ outcome: 'answered-no-input', check_flag: false });
    expect(h.phones.calls[0]?.run?.result.log.filter((e) => e.kind === 'input').map((e) => e.keys)).toEqual(['7', '', '']);
    await h.assertNoUnexpectedCalls();
  });

  it('busy and invalid number: next responder, reason recorded', async () => {
    h.phone(AKI, { busy: true });
    h.phone(BEN, { invalid: true });
    h.phone(CHO, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN, CHO]);
    const { contacts } = await h.store.timeline((await h.onlyIncident()).incidentId);
    expect(contacts.map((c) => [c.outcome, c.discon_reason])).toEqual([
      ['busy', 'TELECOM_BUSY'],
      ['failed', 'TELECOM_NUMBER_INVALID'],
      ['acknowledged', undefined],
    ]);
    await h.assertNoUnexpectedCalls();
  });

  it('Connect refusing to place a call counts as failed and moves on', async () => {
    h.phone(AKI, { refused: true });
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([BEN]);
    expect(h.published('CallEnded')[0]?.detail).toMatchObject({ attempt: 1, outcome: 'failed', via: 'placement' });
    expect((await h.onlyIncident()).status).toBe('acknowledged');
    await h.assertNoUnexpectedCalls();
  });

  it('a call that never ends: the check fires, StopContact, CallTimeout, next responder', async () => {
    h.phone(AKI, { answer: true, stuck: true });
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN]);
    const [aki, ben] = h.phones.calls;
    expect(h.phones.status(aki!).reason).toBe('API'); // we hung up
    const timeout = h.published('CallTimeout');
    expect(timeout).toHaveLength(1);
    expect(timeout[0]?.detail).toMatchObject({ attempt: 1, limitSeconds: 240 });
    expect(ben!.placedAt - aki!.placedAt).toBe(240_000);
    const akiIncident = (await h.onlyIncident()).incidentId;
    // Every 30 s until the limit; each check arms the next before it acts, so one more (a no-op) follows the timeout.
    expect(h.checksFired(akiIncident, 1, aki!.placedAt)).toEqual([30, 60, 90, 120, 150, 180, 210, 240, 270]);
    await h.assertNoUnexpectedCalls();
  });

  it('lost contact events: the check reconciles the end with DescribeContact', async () => {
    h.phones.dropContactEvents = true;
    h.phone(AKI, { busy: true });
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN]);
    expect(h.published('CallEnded')[0]?.detail).toMatchObject({ attempt: 1, outcome: 'busy', via: 'reconcile', disconnectReason: 'TELECOM_BUSY' });
    const [aki, ben] = h.phones.calls;
    expect(ben!.placedAt - aki!.placedAt).toBe(30_000); // picked up by the first check
    await h.assertNoUnexpectedCalls();
  });

  it('the same alert delivered three times, out of order: one incident, the same calls', async () => {
    h.phone(CHO, { answer: true, digits: '1' });
    let seed = 7;
    h.time.shuffle = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    h.cloud.duplicates = 3;
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN, CHO]);
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('acknowledged');
    expect(h.published('Escalated').length).toBeGreaterThanOrEqual(3);
    await h.assertNoUnexpectedCalls();
  });

  it('a resolved alert while calling: calling stops and the ringing call is hung up', async () => {
    await h.sendAlert(article);
    await h.advance(20_000);
    h.expectCalls([AKI]);
    await h.sendAlert({ systemname: 'XYZ', host: 'server1', service: 'CPU Utilization', status: 'resolved' });
    expect((await h.onlyIncident()).status).toBe('resolved');
    expect(h.phones.status(h.phones.calls[0]!).reason).toBe('API');
    await h.assertNoUnexpectedCalls();
  });

  it('replayed events place no call', async () => {
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI]);
    const replayed = await h.replay('audit-1', 0, h.time.now() + 1);
    expect(replayed).toBeGreaterThan(5);
    expect((await h.incidents()).length).toBe(1);
    await h.assertNoUnexpectedCalls();
  });

  it('a repeat alert joins the open incident and starts no new calls', async () => {
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(article);
    await h.advance(10_000);
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN]);
    const incident = await h.onlyIncident();
    const { alerts } = await h.store.timeline(incident.incidentId);
    expect(alerts.map((a) => a.disposition)).toEqual(['opened', 'joined']);
    await h.assertNoUnexpectedCalls();
  });
});
