import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedCall } from '../../infra/local/aws/connect/connect-simulator.ts';
import { AKI, BEN, xyzRoster } from './people.ts';
import { closeDynalite, Harness, T0 } from '../harness/harness.ts';

/**
 * Never flood a person: one call at a time per phone, a rest between calls, and every incident
 * waiting for a responder told in one merged call whose key answers for each of them.
 */


let h: Harness;

beforeEach(async () => {
  h = await Harness.start();
  await h.roster(xyzRoster({ voices: 'en-US' }));
});

afterAll(closeDynalite);

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `web${String(i + 1).padStart(2, '0')}`);
const alerts = (names: string[], service = 'CPU') => ({ alertinfo: names.map((host) => ({ systemname: 'XYZ', host, service })) });
const coveredBy = (call: SimulatedCall) => (call.attributes.covers ?? '').split(',').map((pair) => pair.split(':')[0]);
const endOf = (call: SimulatedCall) => h.phones.status(call).endedAt ?? Number.POSITIVE_INFINITY;

/** No phone ever had two calls up at once. */
function expectOneCallAtATimePerPhone(): void {
  for (const a of h.phones.calls) {
    for (const b of h.phones.calls) {
      if (a === b || a.destination !== b.destination) continue;
      const overlap = a.placedAt < endOf(b) && b.placedAt < endOf(a);
      expect(overlap, `${a.contactId} and ${b.contactId} overlap on ${a.destination}`).toBe(false);
    }
  }
}

async function byHost(): Promise<Map<string, Awaited<ReturnType<Harness['incidents']>>[number]>> {
  return new Map((await h.incidents()).map((i) => [i.host, i]));
}

describe('one call at a time per phone', () => {
  it('20 incidents for one responder: two calls, never two at once, and one 1 acknowledges every incident it named', async () => {
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(alerts(hosts(20)));
    await h.advance(30_000);
    // Waiting is visible: the incidents behind the first call say whose line they wait for.
    const listed = (await (await fetch(`${h.rt.url}/api/incidents`)).json()) as { host: string; waitingFor?: string }[];
    expect(listed.filter((i) => i.waitingFor === 'Aki')).toHaveLength(19);
    await h.settle();

    h.expectCalls([AKI, AKI]);
    expectOneCallAtATimePerPhone();
    const [first, merged] = h.phones.calls as [SimulatedCall, SimulatedCall];
    expect(coveredBy(first)).toHaveLength(1);
    expect(merged.attributes.count).toBe('19');
    expect(coveredBy(merged)).toHaveLength(19);
    // The second call waited for the first to end and for Aki's rest (minCallGapSeconds, 60 s).
    expect(merged.placedAt - endOf(first)).toBeGreaterThanOrEqual(60_000);
    expect(h.heard(AKI)[1]?.[0]).toMatch(/19 alerts for XYZ/);
    const incidents = await h.incidents();
    expect(incidents.map((i) => [i.status, i.attempt, i.acknowledgedBy])).toEqual(incidents.map(() => ['acknowledged', 1, 'Aki']));
    // Each incident's own record of the merged call, and its timeline.
    const { contacts, events } = await h.store.timeline(incidents.find((i) => i.host === 'web20')!.incidentId);
    expect(contacts).toMatchObject([{ contactId: merged.contactId, outcome: 'acknowledged', check_flag: true }]);
    expect(contacts[0]!.covers).toHaveLength(19);
    expect(events.map((e) => e.detailType)).toEqual(expect.arrayContaining(['CallDeferred', 'CallPlaced', 'CallEnded', 'IncidentAcknowledged']));
    expect(events.find((e) => e.detailType === 'CallDeferred')?.detail).toMatchObject({ reason: 'RESPONDER_ON_CALL' });
    await h.assertNoUnexpectedCalls();
  });

  it('a responder on a call for system A; an incident for system B waits for their line, then moves on after a ring time', async () => {
    await h.roster({ system: 'A', rounds: 1, responders: [{ name: 'Aki', phone: AKI, language: 'en-US' }] });
    await h.roster({ system: 'B', rounds: 1, responders: [{ name: 'Aki', phone: AKI, language: 'en-US' }, { name: 'Ben', phone: BEN, language: 'en-US' }] });
    h.phone(AKI, { answer: true, stuck: true }); // on the phone for system A, for good
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert({ systemname: 'A', host: 'db1', service: 'Disk' });
    await h.advance(10_000);
    await h.sendAlert({ systemname: 'B', host: 'web1', service: 'HTTP' });
    await h.settle();
    h.expectCalls([AKI, BEN]);
    expectOneCallAtATimePerPhone();
    const ben = h.phones.calls[1]!;
    expect(ben.placedAt - (T0 + 10_000)).toBeGreaterThanOrEqual(50_000); // Aki's call had lasted a ring time
    expect(ben.placedAt - (T0 + 10_000)).toBeLessThanOrEqual(65_000);
    const b = (await h.incidents()).find((i) => i.system === 'B')!;
    expect(b).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Ben', attempt: 2 });
    const ended = h.published('CallEnded').map((e) => e.detail as Record<string, unknown>).find((d) => d.incidentId === b.incidentId && d.attempt === 1);
    expect(ended).toMatchObject({ outcome: 'busy', via: 'line', disconnectReason: 'RESPONDER_ON_CALL' });
    await h.assertNoUnexpectedCalls();
  });

  it('the rest between calls applies to the same incident too: a single responder is not rung again at once', async () => {
    await h.roster({ system: 'SOLO', rounds: 2, minCallGapSeconds: 120, responders: [{ name: 'Aki', phone: AKI, language: 'en-US' }] });
    h.phone(AKI, { busy: true });
    await h.sendAlert({ systemname: 'SOLO', host: 'h', service: 's' });
    await h.settle();
    h.expectCalls([AKI, AKI]);
    const [first, second] = h.phones.calls as [SimulatedCall, SimulatedCall];
    expect(second.placedAt - endOf(first)).toBeGreaterThanOrEqual(120_000);
    expect((await h.incidents())[0]).toMatchObject({ status: 'exhausted', attempt: 2 });
    await h.assertNoUnexpectedCalls();
  });
});

describe('merged calls', () => {
  it('an incident resolved while the merged call rings stays resolved; the call goes on for the others', async () => {
    h.phone(AKI, { answer: true, afterSeconds: 20, digits: '1' });
    await h.sendAlert(alerts(['web1', 'web2', 'web3']));
    await h.advance(90_000);
    h.expectCalls([AKI, AKI]); // web1 alone, then web2 and web3 together, still ringing
    const merged = h.phones.calls[1]!;
    expect(coveredBy(merged)).toHaveLength(2);
    await h.sendAlert({ systemname: 'XYZ', host: 'web2', service: 'CPU', status: 'resolved' });
    expect(h.phones.status(merged).endedAt).toBeUndefined(); // not hung up: it speaks for web3 too
    await h.settle();
    const incidents = await byHost();
    expect(incidents.get('web2')?.status).toBe('resolved');
    expect(incidents.get('web3')).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Aki' });
    expect(incidents.get('web1')?.status).toBe('acknowledged');
    // The key reached web2's record too, but its incident was fenced by its own state.
    const { contacts } = await h.store.timeline(incidents.get('web2')!.incidentId);
    expect(contacts).toMatchObject([{ contactId: merged.contactId, outcome: 'acknowledged' }]);
    await h.assertNoUnexpectedCalls();
  });

  it('a merged call is hung up when every incident it speaks for is resolved', async () => {
    h.phone(AKI, { answer: true, afterSeconds: 30, digits: '1' });
    await h.sendAlert(alerts(['web1', 'web2', 'web3']));
    await h.advance(100_000); // web1 answered at 30 s; web2+web3 ring from the end of Aki's rest
    h.expectCalls([AKI, AKI]);
    const merged = h.phones.calls[1]!;
    expect(coveredBy(merged)).toHaveLength(2);
    await h.sendAlert({ systemname: 'XYZ', host: 'web2', service: 'CPU', status: 'resolved' });
    expect(h.phones.status(merged).endedAt).toBeUndefined();
    await h.sendAlert({ systemname: 'XYZ', host: 'web3', service: 'CPU', status: 'resolved' });
    expect(h.phones.status(merged).reason).toBe('API');
    await h.settle();
    const incidents = await byHost();
    expect([incidents.get('web1')?.status, incidents.get('web2')?.status, incidents.get('web3')?.status]).toEqual(['acknowledged', 'resolved', 'resolved']);
    await h.assertNoUnexpectedCalls();
  });

  it('3 on a merged call: each incident goes to its own next responder', async () => {
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '3' });
    h.phone(BEN, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(alerts(['web1', 'web2', 'web3']));
    await h.settle();
    expectOneCallAtATimePerPhone();
    const calls = h.phones.calls.map((c) => [c.destination, coveredBy(c).length]);
    expect(calls).toEqual([
      [AKI, 1], // web1
      [BEN, 1], // web1, passed on
      [AKI, 2], // web2 + web3, after Aki's rest
      [BEN, 2], // web2 + web3, passed on together, after Ben's rest
    ]);
    h.expectCalls([AKI, BEN, AKI, BEN]);
    const incidents = await h.incidents();
    expect(incidents.map((i) => [i.status, i.attempt, i.acknowledgedBy])).toEqual(incidents.map(() => ['acknowledged', 2, 'Ben']));
    await h.assertNoUnexpectedCalls();
  });

  it('9, 2, # on a merged call silences each incident it named', async () => {
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '92#' });
    await h.sendAlert(alerts(['web1', 'web2', 'web3']));
    await h.settle();
    h.expectCalls([AKI, AKI]);
    const incidents = await h.incidents();
    expect(incidents.map((i) => i.status)).toEqual(['silenced', 'silenced', 'silenced']);
    expect(new Set(incidents.map((i) => i.silenceId)).size).toBe(3); // each its own scope
    expect(h.heard(AKI)[1]?.join(' ')).toMatch(/2 hours/);
    await h.assertNoUnexpectedCalls();
  });
});

describe('a silence stops what it covers', () => {
  it('a silence added through the API while the call rings: the call is hung up and no further call comes', async () => {
    await h.sendAlert(alerts(['web1', 'web2']));
    await h.advance(20_000);
    h.expectCalls([AKI]);
    const response = await fetch(`${h.rt.url}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ system: 'XYZ', hours: 2, reason: 'maintenance' }) });
    expect(response.status).toBe(201);
    const { silenceId } = (await response.json()) as { silenceId: string };
    await h.drain();
    expect(h.phones.status(h.phones.calls[0]!).reason).toBe('API');
    await h.settle();
    h.expectCalls([]);
    for (const incident of await h.incidents()) {
      expect(incident).toMatchObject({ status: 'silenced', silenceId });
      const { events } = await h.store.timeline(incident.incidentId);
      expect(events.find((e) => e.detailType === 'IncidentSilenced')?.detail).toMatchObject({ silenceId, by: 'api' });
    }
    // New alerts in its scope are suppressed while it lasts.
    await h.sendAlert(alerts(['web9']));
    await h.settle();
    h.expectCalls([]);
    expect((await byHost()).get('web9')?.status).toBe('suppressed');
    await h.assertNoUnexpectedCalls();
  });

  it('a silence for one host leaves the other incidents calling', async () => {
    h.phone(BEN, { answer: true, digits: '1' });
    await h.sendAlert(alerts(['web1']));
    await h.advance(20_000);
    await h.sendAlert(alerts(['db1'], 'Disk'));
    const response = await fetch(`${h.rt.url}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ system: 'XYZ', host: 'web1' }) });
    expect(response.status).toBe(201);
    await h.settle();
    // Aki's call for web1 is hung up; db1, which waited for her line, rings her after her rest, then Ben.
    h.expectCalls([AKI, AKI, BEN]);
    const incidents = await byHost();
    expect(incidents.get('web1')?.status).toBe('silenced');
    expect(incidents.get('db1')).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Ben' });
    expectOneCallAtATimePerPhone();
    await h.assertNoUnexpectedCalls();
  });
});
