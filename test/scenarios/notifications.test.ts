import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDynalite, Harness, T0 } from '../harness/harness.ts';
import { AKI, BEN, CHO, xyzRoster } from './people.ts';

/**
 * Nobody answered → someone hears. The notification target is the runtime's SNS topic, reached by
 * the notify function's own SNS adapter over the wire and read back through `GET /api/notifications`,
 * as an operator would. Virtual time: no sleeps.
 */

const MIO = '+819022220001';
const NAO = '+819022220002';
const PHONES = [AKI, BEN, CHO, MIO, NAO];

const article = { alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }] };

const managers = (extra: Record<string, unknown> = {}) => ({
  system: 'XYZ-managers',
  rounds: 1,
  responders: [
    { name: 'Mio', phone: MIO, language: 'en-US' as const, timezone: 'Asia/Tokyo' },
    { name: 'Nao', phone: NAO, language: 'en-US' as const, timezone: 'Asia/Tokyo' },
  ],
  ...extra,
});

interface NotificationView {
  messageId: string;
  publishedAt: string;
  kind: string;
  incidentId?: string;
  system?: string;
  subject: string;
  message: string;
  messages: Record<string, string>;
  attributes: Record<string, string>;
}

let h: Harness;

async function notifications(): Promise<NotificationView[]> {
  const response = await fetch(`${h.rt.url}/api/notifications`);
  expect(response.status).toBe(200);
  return (await response.json()) as NotificationView[];
}

/** No full phone number anywhere in what was sent, in any protocol's part. */
function expectNoPhoneNumbers(n: NotificationView): void {
  const everything = JSON.stringify(n);
  for (const phone of PHONES) expect(everything).not.toContain(phone);
  expect(everything).not.toMatch(/\+\d{8,}/);
}

beforeEach(async () => {
  h = await Harness.start();
});

afterAll(closeDynalite);

describe('an exhausted incident is told, once', () => {
  it('nine unanswered calls end in exactly one notification, readable, with who was called by name and how to look', async () => {
    await h.roster(xyzRoster({ rounds: 3 }));
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN, CHO, AKI, BEN, CHO, AKI, BEN, CHO]);
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('exhausted');

    const sent = await notifications();
    expect(sent).toHaveLength(1);
    const [n] = sent as [NotificationView];
    expect(n).toMatchObject({ kind: 'incident-exhausted', incidentId: incident.incidentId, system: 'XYZ' });
    expect(n.subject).toBe('yobidashi: Nobody answered: XYZ server1 CPU Utilization (9 calls)');
    expect(n.attributes).toEqual({ kind: 'incident-exhausted', severity: 'critical', incidentId: incident.incidentId, system: 'XYZ', host: 'server1', service: 'CPU Utilization' });
    expect(n.message).toContain('yobidashi phoned 9 times and nobody acknowledged the alert.');
    expect(n.message).toContain('Calls:    9, to Aki (3), Ben (3), Cho (3)');
    expect(n.message).toContain('Opened:   2026-11-24 10:00:00 Asia/Tokyo (01:00:00 UTC)');
    expect(n.message).toContain(`Look at it: npx yobidashi --endpoint ${h.rt.url} incidents ${incident.incidentId}`);
    expect(n.message.split('\n').filter((l) => /^\s+\d+\. \d\d:\d\d:\d\d {2}(Aki|Ben|Cho) {2}no answer$/.test(l))).toHaveLength(9);
    // Each protocol its own part: SMS one line, AWS Chatbot its custom-notification JSON, programs JSON.
    expect(n.messages.sms).toMatch(/^yobidashi: Nobody answered: XYZ server1 CPU Utilization, 9 calls\. npx yobidashi/);
    expect(n.messages.sms!.length).toBeLessThanOrEqual(160);
    expect(JSON.parse(n.messages.https!)).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown', title: ':rotating_light: Nobody answered: XYZ server1 CPU Utilization' }, metadata: { threadId: `yobidashi-${incident.incidentId}`, eventType: 'incident-exhausted' } });
    expect(JSON.parse(n.messages.sqs!)).toMatchObject({ version: 1, kind: 'incident-exhausted', incidentId: incident.incidentId, notificationId: `exhausted:${incident.incidentId}` });
    expectNoPhoneNumbers(n);

    // The table keeps the claim that made it once, marked sent with SNS's message id.
    expect(await h.store.listNotifications(10)).toEqual([
      expect.objectContaining({ notificationId: `exhausted:${incident.incidentId}`, kind: 'incident-exhausted', state: 'sent', messageId: n.messageId, incidentId: incident.incidentId, system: 'XYZ' }),
    ]);
    await h.assertNoUnexpectedCalls();
    expect(await notifications()).toHaveLength(1);
  });

  it('EventBridge delivering every event twice still notifies once', async () => {
    await h.roster(xyzRoster({ rounds: 1 }));
    h.cloud.duplicates = 2;
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN, CHO]);
    // Delivered twice, the escalate handler published IncidentExhausted more than once (at least once, as on AWS).
    expect(h.published('IncidentExhausted').length).toBeGreaterThan(1);
    expect(await notifications()).toHaveLength(1);
    await h.assertNoUnexpectedCalls();
  });

  it('the notify function failing every retry: the sweep redrives it and the notification goes out once', async () => {
    await h.roster(xyzRoster({ rounds: 1 }));
    // SNS refuses three Publish calls: notify throws, Lambda retries it twice, then it is a dead letter.
    h.rt.faults.add({ target: 'handler:notify', error: 'InternalError', times: 3 });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN, CHO]);
    const sent = await notifications();
    // The dead letter itself is told (the runtime's alarm), then the redrive delivers the exhausted one.
    expect(sent.map((n) => n.kind).sort()).toEqual(['dead-letters', 'incident-exhausted']);
    expect(sent.find((n) => n.kind === 'dead-letters')?.message).toContain('notify: IncidentExhausted');
    await h.assertNoUnexpectedCalls();
    expect((await notifications()).filter((n) => n.kind === 'incident-exhausted')).toHaveLength(1);
  });

  it('a system with no roster at all: nobody is called, and that is told', async () => {
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([]);
    const [n, ...rest] = await notifications();
    expect(rest).toEqual([]);
    expect(n).toMatchObject({ kind: 'incident-exhausted', subject: 'yobidashi: No roster: nobody was called for XYZ server1 CPU Utilization (no roster)' });
    expect(n?.message).toContain('there is no roster for it and no default roster');
    await h.assertNoUnexpectedCalls();
  });

  it('an archive replay of the whole night notifies nobody again', async () => {
    await h.roster(xyzRoster({ rounds: 1 }));
    await h.sendAlert(article);
    await h.settle();
    expect(await notifications()).toHaveLength(1);
    expect(await h.replay('audit', T0 - 60_000, h.time.now() + 1)).toBeGreaterThan(0);
    expect(await notifications()).toHaveLength(1);
    h.expectCalls([AKI, BEN, CHO]);
    await h.assertNoUnexpectedCalls();
  });
});

describe('onExhausted: the managers are phoned next', () => {
  it('nobody on XYZ answers nine calls; the managers are phoned; Mio acknowledges and the incident is acknowledged', async () => {
    await h.roster(xyzRoster({ rounds: 3, onExhausted: { roster: 'XYZ-managers' } }));
    await h.roster(managers());
    h.phone(MIO, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN, CHO, AKI, BEN, CHO, AKI, BEN, CHO, MIO]);
    const incident = await h.onlyIncident();
    expect(incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Mio', attempt: 10 });
    expect(incident.handovers).toEqual([expect.objectContaining({ from: 'XYZ', to: 'XYZ-managers', afterAttempt: 9 })]);
    expect(h.published('IncidentExhausted')).toEqual([]);
    expect(h.published('RosterExhausted').map((e) => e.detail)).toEqual([expect.objectContaining({ incidentId: incident.incidentId, roster: 'XYZ', next: 'XYZ-managers', callsPlaced: 9 })]);
    // Mio heard the alert of system XYZ, as the team would have.
    expect(h.heard(MIO)[0]?.[0]).toContain('an alert for CPU Utilization occurred on server1 of system XYZ');

    // The topic heard that the team's rounds ran out and who is being called now; nothing more.
    const sent = await notifications();
    expect(sent.map((n) => n.kind)).toEqual(['roster-exhausted']);
    expect(sent[0]?.subject).toBe('yobidashi: nobody on XYZ answered server1 CPU Utilization; calling XYZ-managers');
    expect(sent[0]?.message).toContain('Escalating to roster XYZ-managers (onExhausted): its responders are being called now.');
    expect(sent[0]?.message).toContain('Calls:          9, to Aki (3), Ben (3), Cho (3)');
    expectNoPhoneNumbers(sent[0] as NotificationView);

    // The timeline says what happened.
    const detail = (await (await fetch(`${h.rt.url}/api/incidents/${incident.incidentId}`)).json()) as { timeline: { events: { detailType: string; detail: Record<string, unknown> }[]; calls: { responder: string }[] } };
    expect(detail.timeline.events.map((e) => e.detailType)).toContain('RosterExhausted');
    expect(detail.timeline.calls.map((c) => c.responder)).toEqual(['Aki', 'Ben', 'Cho', 'Aki', 'Ben', 'Cho', 'Aki', 'Ben', 'Cho', 'Mio']);
    await h.assertNoUnexpectedCalls();
  });

  it('the managers do not answer either: exhausted after their rounds too, and both are told', async () => {
    await h.roster(xyzRoster({ rounds: 1, onExhausted: { roster: 'XYZ-managers' } }));
    await h.roster(managers({ rounds: 2 }));
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN, CHO, MIO, NAO, MIO, NAO]);
    expect(await h.onlyIncident()).toMatchObject({ status: 'exhausted', attempt: 7 });
    const sent = await notifications();
    expect(sent.map((n) => n.kind)).toEqual(['incident-exhausted', 'roster-exhausted']);
    expect(sent[0]?.message).toContain('Calls:    7, to Aki (1), Ben (1), Cho (1), Mio (2), Nao (2)');
    expect(sent[0]?.message).toContain('Roster:   XYZ-managers');
    await h.assertNoUnexpectedCalls();
  });

  it('a chain back to the team (XYZ → managers → XYZ) ends with the managers: nobody is phoned a third round', async () => {
    await h.roster(xyzRoster({ rounds: 1, onExhausted: { roster: 'XYZ-managers' } }));
    await h.roster(managers({ onExhausted: { roster: 'XYZ' } }));
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN, CHO, MIO, NAO]);
    expect(h.published('IncidentExhausted').map((e) => e.detail)).toEqual([expect.objectContaining({ roster: 'XYZ-managers', handover: { roster: 'XYZ', problem: 'already-called' } })]);
    const [exhausted] = await notifications();
    expect(exhausted?.message).toContain('which this incident has called already: a roster is never called twice');
    await h.assertNoUnexpectedCalls();
  });

  it('the managers roster was never imported: the incident ends exhausted and the notification says to import it', async () => {
    await h.roster(xyzRoster({ rounds: 1, onExhausted: { roster: 'XYZ-managers' } }));
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI, BEN, CHO]);
    const [n, ...rest] = await notifications();
    expect(rest).toEqual([]);
    expect(n?.message).toContain('but no roster XYZ-managers exists: import it');
    await h.assertNoUnexpectedCalls();
  });
});

describe('a call that cannot be placed', () => {
  it('Connect refusing for ten minutes: one notification after five refusals, however many more follow', async () => {
    await h.roster(xyzRoster({ people: 2 }));
    h.phone(AKI, { answer: true, digits: '1' });
    h.rt.faults.add({ target: 'connect:StartOutboundVoiceContact', error: 'ThrottlingException', forSeconds: 600 });
    await h.sendAlert(article);
    await h.settle();
    h.expectCalls([AKI]);
    const tries = h.published('CallDeferred').map((e) => (e.detail as { tries: number }).tries);
    expect(Math.max(...tries)).toBeGreaterThan(6);
    const sent = await notifications();
    expect(sent.map((n) => n.kind)).toEqual(['placement-failing']);
    const fifth = h.published('CallDeferred').find((e) => (e.detail as { tries: number }).tries === 5)!;
    expect(Date.parse(sent[0]!.publishedAt)).toBe(Date.parse(fifth.time));
    expect(sent[0]?.subject).toBe('yobidashi: cannot place calls for XYZ server1 CPU Utilization (ThrottlingException)');
    expect(sent[0]?.message).toContain('Amazon Connect has refused call 1 (to Aki) 5 times in a row');
    expect(sent[0]?.attributes).toMatchObject({ kind: 'placement-failing', reason: 'ThrottlingException' });
    expect((await h.onlyIncident()).status).toBe('acknowledged');
    await h.assertNoUnexpectedCalls();
  });

  it('waiting for a responder who is on another call is not a failure: the incident that gave up waiting is told as exhausted, with the call it never placed', async () => {
    await h.roster({ ...xyzRoster({ rounds: 1 }), responders: [{ name: 'Aki', phone: AKI, language: 'ja-JP', timezone: 'Asia/Tokyo' }] });
    h.phone(AKI, { answer: true, afterSeconds: 1, digits: '1', pressAfterSeconds: 200 });
    await h.sendAlert(article);
    await h.sendAlert({ alertinfo: [{ host: 'server2', service: 'Disk', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }] });
    await h.settle();
    h.expectCalls([AKI]);
    expect(h.published('CallDeferred').map((e) => (e.detail as { reason: string }).reason)).toContain('RESPONDER_ON_CALL');
    const sent = await notifications();
    expect(sent.filter((n) => n.kind === 'placement-failing')).toEqual([]);
    const disk = sent.filter((n) => n.attributes.service === 'Disk');
    expect(disk.map((n) => n.kind)).toEqual(['incident-exhausted']);
    expect(disk[0]?.message).toContain('Calls:    1 (1 not placed: the responder was on another call, or the number was refused)');
    await h.assertNoUnexpectedCalls();
  });
});

describe('dead letters', () => {
  const silenced = (n: number) => ({
    schemaVersion: 1,
    incidentId: `made-up-${n}`,
    attempt: 1,
    silenceId: `sil-${n}`,
    scope: { system: 'OTHER' },
    from: new Date(h.time.now()).toISOString(),
    until: new Date(h.time.now() + 3_600_000).toISOString(),
    hours: 1,
    by: 'test',
  });

  it('a handler failing every retry is told once: its redrive failing again is the same failure', async () => {
    // record-silence fails 6 times: tries at 0, 60 and 180 s (a dead letter), the sweep's redrive at 300 s and its retries (a dead letter again), then the next redrive succeeds.
    h.rt.faults.add({ target: 'handler:record-silence', error: 'InternalError', times: 6 });
    await h.put({ source: 'yobidashi', detailType: 'Silenced', detail: silenced(1) });
    await h.advance(4 * 60_000);
    expect(h.cloud.deadLetters.map((l) => l.route)).toEqual(['record-silence']);
    const firstFailure = h.cloud.deadLetters[0]!.failedAt;
    const [n, ...rest] = await notifications();
    expect(rest).toEqual([]);
    expect(n).toMatchObject({ kind: 'dead-letters', subject: 'yobidashi: 1 delivery failed every retry (record-silence)', attributes: { kind: 'dead-letters', severity: 'critical', routes: 'record-silence' } });
    expect(n?.message).toContain('record-silence: Silenced');
    await h.advance(5 * 60_000);
    // The sweep redrove it at 300 s and it failed every retry again: a new dead letter of the same event.
    expect(h.cloud.deadLetters.map((l) => [l.route, l.envelope.id])).toEqual([['record-silence', n?.message.match(/Silenced (\S+)/)?.[1]]]);
    expect(Date.parse(h.cloud.deadLetters[0]!.failedAt)).toBeGreaterThan(Date.parse(firstFailure));
    await h.settle();
    expect(h.cloud.deadLetters).toEqual([]);
    expect(await notifications()).toHaveLength(1);
    await h.assertNoUnexpectedCalls();
  });

  it('failures within ten minutes of the last dead-letter notification wait and go out together', async () => {
    h.rt.faults.add({ target: 'handler:record-silence', error: 'InternalError', times: 9 });
    await h.put({ source: 'yobidashi', detailType: 'Silenced', detail: silenced(1) });
    await h.advance(30_000);
    await h.put({ source: 'yobidashi', detailType: 'Silenced', detail: silenced(2) });
    await h.advance(10_000);
    await h.put({ source: 'yobidashi', detailType: 'Silenced', detail: silenced(3) });
    await h.advance(200_000); // 240 s: all three failed every retry (the last at 220 s)
    expect(h.cloud.deadLetters).toHaveLength(3);
    expect((await notifications()).map((n) => n.subject)).toEqual(['yobidashi: 1 delivery failed every retry (record-silence)']);
    await h.settle();
    const sent = await notifications();
    expect(sent.map((n) => n.subject)).toEqual(['yobidashi: 2 deliveries failed every retry (record-silence)', 'yobidashi: 1 delivery failed every retry (record-silence)']);
    expect(Date.parse(sent[0]!.publishedAt) - Date.parse(sent[1]!.publishedAt)).toBe(10 * 60_000);
    await h.assertNoUnexpectedCalls();
  });
});
