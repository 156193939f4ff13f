import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../domain/incident.ts';
import { eventNote } from '../../infra/cli/views.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';
import { AKI, BEN, CHO, xyzRoster } from './people.ts';

/**
 * Re-page (roster `repageAfterMinutes`): an incident acknowledged and not resolved is phoned again
 * after that long — the acknowledger first, then the roster from the top — through the whole local
 * runtime on virtual time. Re-pages go on for as long as someone keeps pressing 1, so these tests
 * move time by hand (advance) rather than leaving the system alone (settle), and end each incident
 * (resolved, or nobody answering) before asserting that nothing else rings.
 */

const MINUTE = 60_000;
const REPAGE = 30;
const firing = { alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }] };
const recovered = { systemname: 'XYZ', host: 'server1', service: 'CPU Utilization', status: 'resolved' };

let h: Harness;

beforeEach(async () => {
  h = await Harness.start();
});

afterAll(closeDynalite);

const acknowledgedAt = (incident: Incident): number => {
  expect(incident.status).toBe('acknowledged');
  return incident.closedAt as number;
};

/** Moves virtual time to `atMs` (running what falls due on the way). */
const advanceTo = (atMs: number) => h.advance(Math.max(0, atMs - h.time.now()));

async function notes(incidentId: string): Promise<string[]> {
  const { events } = await h.store.timeline(incidentId);
  return events
    .sort((a, b) => a.time.localeCompare(b.time))
    .filter((e) => ['IncidentAcknowledged', 'IncidentRepaged', 'Escalated', 'IncidentExhausted', 'IncidentResolved'].includes(e.detailType))
    .map((e) => eventNote(e.detailType, e.detail) ?? e.detailType);
}

describe('re-page: acknowledged, not resolved', () => {
  it('Aki acknowledges and nobody resolves: after repageAfterMinutes Aki is phoned first, then the roster as usual; the timeline says so', async () => {
    await h.roster(xyzRoster({ rounds: 2, repageAfterMinutes: REPAGE }));
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(firing);
    await h.advance(2 * MINUTE);
    h.expectCalls([AKI]);
    const ackAt = acknowledgedAt(await h.onlyIncident());

    // Nothing rings before the period is over.
    h.phone(AKI, { answer: false });
    await advanceTo(ackAt + REPAGE * MINUTE - 1000);
    h.expectCalls([]);
    expect((await h.onlyIncident()).status).toBe('acknowledged');

    // Then Aki first; nobody answers: the roster from the top, round after round, Aki's own first-round slot passed over.
    await advanceTo(ackAt + REPAGE * MINUTE + 20 * MINUTE);
    h.expectCalls([AKI, BEN, CHO, AKI, BEN, CHO]);
    const repageCall = h.phones.calls.at(-6)!;
    // The re-page's calls say first that this is not a new alert (what the flow speaks: the message attribute).
    const spoken = h.phones.calls.map((c) => c.attributes.message ?? '');
    expect(spoken[0]).not.toMatch(/Still not resolved|未解決/);
    for (const message of spoken.slice(1)) expect(message).toMatch(/^(Still not resolved: acknowledged by Aki on |未解決のアラートです。.*にAkiさんが対応を確認しました。)/);
    expect(repageCall.placedAt - ackAt).toBeGreaterThanOrEqual(REPAGE * MINUTE);
    expect(repageCall.placedAt - ackAt).toBeLessThan(REPAGE * MINUTE + MINUTE);

    const incident = await h.onlyIncident();
    expect(incident).toMatchObject({ status: 'exhausted', repage: { count: 1, by: 'Aki', afterAttempt: 1 } });
    const repaged = h.published('IncidentRepaged');
    expect(repaged.map((e) => e.detail)).toEqual([
      expect.objectContaining({ incidentId: incident.incidentId, system: 'XYZ', count: 1, acknowledgedBy: 'Aki', afterAttempt: 1, roster: 'XYZ', repageAfterMinutes: REPAGE, acknowledgerFirst: true }),
    ]);
    expect(await notes(incident.incidentId)).toEqual([
      'calling Aki (attempt 1, round 1)',
      'acknowledged by Aki',
      're-page 1: acknowledged by Aki and not resolved after 30 minutes; calling Aki first, then roster XYZ',
      'calling Aki (attempt 2, round 1)',
      'calling Ben (attempt 3, round 1)',
      'calling Cho (attempt 4, round 1)',
      'calling Aki (attempt 5, round 2)',
      'calling Ben (attempt 6, round 2)',
      'calling Cho (attempt 7, round 2)',
      'rounds ran out on roster XYZ after 7 calls; nobody answered',
    ]);
    // A re-page that runs out ends as any incident does: exhausted, and told.
    expect((await h.store.listNotifications(10)).map((n) => n.kind)).toEqual(['incident-exhausted']);
    await h.assertNoUnexpectedCalls();
  });

  it('pressing 1 again acknowledges again and starts the clock again: a second re-page one period later; resolving then ends it', async () => {
    await h.roster(xyzRoster({ rounds: 1, repageAfterMinutes: REPAGE }));
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(firing);
    await h.advance(2 * MINUTE);
    h.expectCalls([AKI]);
    const firstAck = acknowledgedAt(await h.onlyIncident());

    await advanceTo(firstAck + REPAGE * MINUTE + 2 * MINUTE);
    h.expectCalls([AKI]);
    const secondAck = acknowledgedAt(await h.onlyIncident());
    expect(secondAck - firstAck).toBeGreaterThanOrEqual(REPAGE * MINUTE);

    // The clock runs from the second acknowledgement, not the first.
    await advanceTo(secondAck + REPAGE * MINUTE - 1000);
    h.expectCalls([]);
    await advanceTo(secondAck + REPAGE * MINUTE + 2 * MINUTE);
    h.expectCalls([AKI]);
    const incident = await h.onlyIncident();
    acknowledgedAt(incident);
    expect(incident).toMatchObject({ acknowledgedBy: 'Aki', attempt: 3, repage: { count: 2, afterAttempt: 2 } });
    expect(h.published('IncidentRepaged').map((e) => (e.detail as { count: number }).count)).toEqual([1, 2]);
    // Each acknowledgement of a re-page says which one it answered.
    expect(h.published('IncidentAcknowledged').map((e) => (e.detail as { repage?: number }).repage)).toEqual([undefined, 1, 2]);
    // The incident view (API, CLI, console): how often, and each step in words.
    const view = (await (await fetch(`${h.rt.url}/api/incidents/${incident.incidentId}`)).json()) as { repages?: number; status: string; timeline: { events: { note?: string }[] } };
    expect(view).toMatchObject({ status: 'acknowledged', repages: 2 });
    expect(view.timeline.events.map((e) => e.note).filter((n) => n?.includes('re-page'))).toEqual([
      're-page 1: acknowledged by Aki and not resolved after 30 minutes; calling Aki first, then roster XYZ',
      'acknowledged by Aki (re-page 1)',
      're-page 2: acknowledged by Aki and not resolved after 30 minutes; calling Aki first, then roster XYZ',
      'acknowledged by Aki (re-page 2)',
    ]);

    // The monitoring tool says it is over: no more re-pages, ever.
    await h.sendAlert(recovered);
    expect((await h.onlyIncident()).status).toBe('resolved');
    await h.assertNoUnexpectedCalls();
    expect(h.published('IncidentRepaged')).toHaveLength(2);
  });

  it('resolved before the period is over: nobody is phoned again (the due re-page finds it resolved)', async () => {
    await h.roster(xyzRoster({ rounds: 1, repageAfterMinutes: REPAGE }));
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(firing);
    await h.advance(2 * MINUTE);
    h.expectCalls([AKI]);
    const ackAt = acknowledgedAt(await h.onlyIncident());
    await advanceTo(ackAt + (REPAGE - 1) * MINUTE);
    await h.sendAlert(recovered);
    await h.assertNoUnexpectedCalls();
    expect((await h.onlyIncident()).status).toBe('resolved');
    // The re-page did fall due, and did nothing.
    expect(h.published('RepageDue')).toHaveLength(1);
    expect(h.published('IncidentRepaged')).toHaveLength(0);
  });

  it('a silence over the incident when its re-page falls due: silenced, not phoned', async () => {
    await h.roster(xyzRoster({ rounds: 1, repageAfterMinutes: REPAGE }));
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(firing);
    await h.advance(2 * MINUTE);
    const ackAt = acknowledgedAt(await h.onlyIncident());
    const added = await fetch(`${h.rt.url}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ system: 'XYZ', hours: 4 }) });
    expect(added.status).toBe(201);
    await advanceTo(ackAt + REPAGE * MINUTE + 5 * MINUTE);
    h.expectCalls([AKI]);
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('silenced');
    expect(h.published('IncidentSilenced')).toHaveLength(1);
    expect(h.published('IncidentRepaged')).toHaveLength(0);
    await h.assertNoUnexpectedCalls();
  });

  it('RepageDue delivered twice (and once more later) calls once', async () => {
    await h.roster(xyzRoster({ rounds: 1, repageAfterMinutes: REPAGE }));
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    h.cloud.duplicates = 2;
    await h.sendAlert(firing);
    await h.advance(2 * MINUTE);
    h.expectCalls([AKI]);
    const ackAt = acknowledgedAt(await h.onlyIncident());

    h.phone(AKI, { answer: false });
    h.phone(BEN, { answer: true, afterSeconds: 5, digits: '1' });
    await advanceTo(ackAt + REPAGE * MINUTE + 5 * MINUTE);
    // The archive keeps the event once; the bus delivered it (and everything else) to the repage function twice.
    expect(h.published('RepageDue')).toHaveLength(1);
    h.expectCalls([AKI, BEN]);
    const incident = await h.onlyIncident();
    expect(incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Ben', repage: { count: 1 } });
    // The same due event once more, long after: the acknowledgement it names is no longer the incident's.
    const due = h.published('RepageDue')[0]!;
    h.cloud.duplicates = 1;
    await h.put({ source: 'yobidashi', detailType: 'RepageDue', detail: due.detail });
    h.expectCalls([]);
    await h.sendAlert(recovered);
    await h.assertNoUnexpectedCalls();
    expect(new Set(h.published('IncidentRepaged').map((e) => (e.detail as { count: number }).count))).toEqual(new Set([1]));
  });

  it('Ben, second in the roster, acknowledged: the re-page phones Ben first, then the roster from the top without Ben again in that round', async () => {
    await h.roster(xyzRoster({ rounds: 1, repageAfterMinutes: REPAGE }));
    h.phone(AKI, { answer: false });
    h.phone(BEN, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(firing);
    await h.advance(5 * MINUTE);
    h.expectCalls([AKI, BEN]);
    const ackAt = acknowledgedAt(await h.onlyIncident());
    expect((await h.onlyIncident()).acknowledgedBy).toBe('Ben');

    h.phone(BEN, { answer: false });
    await advanceTo(ackAt + REPAGE * MINUTE + 10 * MINUTE);
    h.expectCalls([BEN, AKI, CHO]);
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('exhausted');
    expect((await notes(incident.incidentId)).slice(3)).toEqual([
      're-page 1: acknowledged by Ben and not resolved after 30 minutes; calling Ben first, then roster XYZ',
      'calling Ben (attempt 3, round 1)',
      'calling Aki (attempt 4, round 1)',
      'calling Cho (attempt 5, round 1)',
      'rounds ran out on roster XYZ after 5 calls; nobody answered',
    ]);
    await h.assertNoUnexpectedCalls();
  });

  it('a merged call that acknowledges three incidents starts each one\'s clock: each is re-paged', async () => {
    await h.roster(xyzRoster({ rounds: 1, voices: 'en-US', repageAfterMinutes: REPAGE }));
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert({ alertinfo: ['web1', 'web2', 'web3'].map((host) => ({ systemname: 'XYZ', host, service: 'CPU' })) });
    await h.advance(5 * MINUTE);
    h.expectCalls([AKI, AKI]);
    expect(h.phones.calls[1]!.attributes.count).toBe('2');
    const acks = (await h.incidents()).map(acknowledgedAt);
    const last = Math.max(...acks);

    await advanceTo(last + REPAGE * MINUTE + 5 * MINUTE);
    const incidents = await h.incidents();
    expect(incidents.map((i) => [i.status, i.repage?.count])).toEqual(incidents.map(() => ['acknowledged', 1]));
    // Aki heard them again, never two calls at once (the second and third waited for Aki's line, as usual).
    const repageCalls = h.phones.calls.slice(2);
    expect(repageCalls.length).toBeGreaterThanOrEqual(1);
    expect(repageCalls.length).toBeLessThanOrEqual(3);
    expect(repageCalls.every((c) => c.destination === AKI)).toBe(true);
    h.expectCalls(repageCalls.map(() => AKI));

    for (const host of ['web1', 'web2', 'web3']) await h.sendAlert({ systemname: 'XYZ', host, service: 'CPU', status: 'resolved' });
    await h.assertNoUnexpectedCalls();
  });

  it('a roster without repageAfterMinutes never re-pages; one that drops the setting before the due time does not either', async () => {
    await h.roster(xyzRoster({ rounds: 1, repageAfterMinutes: REPAGE }));
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(firing);
    await h.advance(2 * MINUTE);
    h.expectCalls([AKI]);
    await h.roster(xyzRoster({ rounds: 1 }));
    await h.assertNoUnexpectedCalls();
    expect(h.published('RepageDue')).toHaveLength(1);
    expect(h.published('IncidentRepaged')).toHaveLength(0);
    expect((await h.onlyIncident()).status).toBe('acknowledged');
  });

  it('a roster that waits longer since the acknowledgement: the re-page comes at the new time', async () => {
    await h.roster(xyzRoster({ rounds: 1, repageAfterMinutes: REPAGE }));
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(firing);
    await h.advance(2 * MINUTE);
    h.expectCalls([AKI]);
    const ackAt = acknowledgedAt(await h.onlyIncident());
    await h.roster(xyzRoster({ rounds: 1, repageAfterMinutes: 60 }));
    await advanceTo(ackAt + 60 * MINUTE - 1000);
    h.expectCalls([]);
    await advanceTo(ackAt + 62 * MINUTE);
    h.expectCalls([AKI]);
    expect(h.published('IncidentRepaged').map((e) => e.detail)).toEqual([expect.objectContaining({ repageAfterMinutes: 60 })]);
    await h.sendAlert(recovered);
    await h.assertNoUnexpectedCalls();
  });
});
