import { afterAll, describe, expect, it } from 'vitest';
import { AKI, BEN, CHO, xyzRoster } from './people.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';

/**
 * Maintenance windows end to end on virtual time: a weekly window added through the local API, in
 * New York's time zone, on the Sundays its clocks change. Alerts inside a window are suppressed;
 * outside it the roster is phoned; an incident calling when a window opens stops calling.
 */

const at = (iso: string) => Date.parse(iso);
const db = (host = 'db1') => ({ alertinfo: [{ systemname: 'XYZ', host, service: 'MySQL' }] });

afterAll(closeDynalite);

interface SilenceView {
  silenceId: string;
  active: boolean;
  cron?: string;
  timezone?: string;
  window?: { from: string; until: string };
  nextWindow?: { from: string; until: string };
}

async function addWindow(h: Harness, body: Record<string, unknown>): Promise<SilenceView> {
  const response = await fetch(`${h.rt.url}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status, await response.clone().text()).toBe(201);
  const view = (await response.json()) as SilenceView;
  await h.drain();
  return view;
}

async function silences(h: Harness): Promise<SilenceView[]> {
  return (await (await fetch(`${h.rt.url}/api/silences`)).json()) as SilenceView[];
}

/** The maintenance window schedules still to fire. */
const pendingWindows = (h: Harness) =>
  h.rt.scheduler
    .list()
    .filter((s) => !s.fired && s.Name.startsWith('win-'))
    .map((s) => s.Name);

async function latestFor(h: Harness, host: string) {
  return (await h.incidents()).filter((i) => i.host === host).sort((a, b) => b.openedAt - a.openedAt)[0];
}

const weekly = { system: 'XYZ', host: 'db1', cron: 'cron(30 1 ? * SUN *)', durationMinutes: 120, timezone: 'America/New_York', reason: 'weekly DB maintenance' };

describe('a weekly maintenance window in New York', () => {
  it('on the Sunday clocks spring forward (01:30 EST + 2 h = 04:30 EDT): an incident calling when it opens stops, an alert at 04:00 EDT is suppressed, one at 04:45 EDT phones the roster', async () => {
    const h = await Harness.start({ at: at('2027-03-14T00:00:00Z') }); // Saturday 19:00 EST
    await h.roster(xyzRoster({ rounds: 3 }));
    const added = await addWindow(h, weekly);
    expect(added).toMatchObject({ active: false, nextWindow: { from: '2027-03-14T06:30:00.000Z', until: '2027-03-14T08:30:00.000Z' } });
    expect(pendingWindows(h)).toEqual([`win-${added.silenceId}-${at('2027-03-14T06:30:00Z') / 1000}`]);

    // 01:25:20 EST: db1 fails before the window, and the roster is being phoned when it opens at 01:30.
    await h.time.advanceTo(at('2027-03-14T06:25:20Z'));
    await h.sendAlert(db());
    await h.time.advanceTo(at('2027-03-14T06:29:59Z'));
    const before = (await latestFor(h, 'db1'))!;
    expect(before.status).toBe('open');
    const calledBefore = h.phones.calls.length;
    expect(h.phones.calls.slice(0, 3).map((c) => c.destination)).toEqual([AKI, BEN, CHO]);
    const ringing = h.phones.calls.at(-1)!;
    expect(h.phones.status(ringing).endedAt).toBeUndefined();
    await h.time.advanceTo(at('2027-03-14T06:30:00Z'));
    // The window opened on time and the call ringing then was hung up.
    expect(h.published('MaintenanceWindowOpened').map((e) => Date.parse(e.time))).toEqual([at('2027-03-14T06:30:00Z')]);
    expect(h.phones.status(ringing)).toMatchObject({ endedAt: at('2027-03-14T06:30:00Z'), reason: 'API' });
    const silenced = (await latestFor(h, 'db1'))!;
    expect(silenced).toMatchObject({ incidentId: before.incidentId, status: 'silenced', silenceId: added.silenceId, silencedUntil: at('2027-03-14T08:30:00Z') });
    const { events } = await h.store.timeline(silenced.incidentId);
    expect(events.find((e) => e.detailType === 'IncidentSilenced')?.detail).toMatchObject({ silenceId: added.silenceId, until: '2027-03-14T08:30:00.000Z' });
    expect(h.published('MaintenanceWindowOpened').map((e) => e.detail)).toEqual([{ schemaVersion: 1, silenceId: added.silenceId, system: 'XYZ', opensAt: '2027-03-14T06:30:00.000Z' }]);
    // Next week's window is armed.
    expect(pendingWindows(h)).toEqual([`win-${added.silenceId}-${at('2027-03-21T05:30:00Z') / 1000}`]);
    expect((await silences(h))[0]).toMatchObject({ active: true, window: { from: '2027-03-14T06:30:00.000Z', until: '2027-03-14T08:30:00.000Z' }, nextWindow: { from: '2027-03-21T05:30:00.000Z', until: '2027-03-21T07:30:00.000Z' } });

    // 04:00 EDT: inside the window only because it lasts two hours of elapsed time across the change.
    await h.time.advanceTo(at('2027-03-14T08:00:00Z'));
    const callsBefore = h.phones.calls.length;
    expect(callsBefore).toBe(calledBefore); // nobody was phoned after the window opened
    await h.sendAlert(db());
    await h.advance(5 * 60_000);
    const suppressed = (await latestFor(h, 'db1'))!;
    expect(suppressed).toMatchObject({ status: 'suppressed', silenceId: added.silenceId, silencedUntil: at('2027-03-14T08:30:00Z') });
    expect(h.phones.calls.length).toBe(callsBefore);
    // Another host is not in the window's scope.
    await h.sendAlert(db('web1'));
    await h.advance(30_000);
    expect((await latestFor(h, 'web1'))?.status).toBe('open');
    const { incidentId: web1 } = (await latestFor(h, 'web1'))!;
    await h.put({ source: 'nagios', detailType: 'AlertReceived', detail: { alertinfo: [{ systemname: 'XYZ', host: 'web1', service: 'MySQL', status: 'resolved' }] } });
    expect((await h.store.getIncident(web1))?.status).toBe('resolved');

    // 04:45 EDT: the window closed at 04:30 EDT; db1 fails again and the roster is phoned.
    await h.time.advanceTo(at('2027-03-14T08:45:00Z'));
    h.expectCalls(h.phones.calls.map((c) => c.destination)); // the calls before the window, checked above
    await h.sendAlert(db());
    await h.settle(60 * 60_000);
    const after = (await latestFor(h, 'db1'))!;
    expect(after.incidentId).not.toBe(suppressed.incidentId);
    expect(after.status).toBe('exhausted');
    h.expectCalls([AKI, BEN, CHO, AKI, BEN, CHO, AKI, BEN, CHO]);
    expect(h.deadLetters()).toEqual([]);
    await h.close();
  });

  it('on the Sunday clocks fall back (01:30 EDT + 2 h = 02:30 EST): the repeated 01:45 is inside, 02:35 EST is not', async () => {
    const h = await Harness.start({ at: at('2026-11-01T00:00:00Z') });
    await h.roster(xyzRoster({ rounds: 1 }));
    const added = await addWindow(h, weekly);
    expect(added.nextWindow).toEqual({ from: '2026-11-01T05:30:00.000Z', until: '2026-11-01T07:30:00.000Z' });

    // 01:45 EST, the second time the clocks show 01:45 that night.
    await h.time.advanceTo(at('2026-11-01T06:45:00Z'));
    await h.sendAlert(db());
    await h.advance(5 * 60_000);
    expect(await latestFor(h, 'db1')).toMatchObject({ status: 'suppressed', silencedUntil: at('2026-11-01T07:30:00Z') });
    h.expectCalls([]);
    // 02:35 EST: read as wall-clock times "01:30 to 03:30" it would still be inside; it is 2 h 5 min after the start.
    await h.time.advanceTo(at('2026-11-01T07:35:00Z'));
    await h.sendAlert(db());
    await h.settle(60 * 60_000);
    expect((await latestFor(h, 'db1'))?.status).toBe('exhausted');
    h.expectCalls([AKI, BEN, CHO]);

    expect(pendingWindows(h)).toEqual([`win-${added.silenceId}-${at('2026-11-08T06:30:00Z') / 1000}`]);
    expect(h.deadLetters()).toEqual([]);
    await h.close();
  });

  it('a window start Scheduler never delivered is repaired by the sweep: the incident calling then is silenced within one sweep, and the next start armed', async () => {
    const h = await Harness.start({ at: at('2026-11-01T04:00:00Z') }); // Saturday 23:00 EST... Sunday 00:00 EDT
    await h.roster(xyzRoster({ rounds: 3 }));
    const added = await addWindow(h, weekly);
    const [armed] = h.rt.scheduler.list().filter((s) => !s.fired && s.Name.startsWith('win-'));
    expect(armed?.Name).toBe(`win-${added.silenceId}-${at('2026-11-01T05:30:00Z') / 1000}`);

    await h.time.advanceTo(at('2026-11-01T05:25:20Z'));
    await h.sendAlert(db());
    await h.time.advanceTo(at('2026-11-01T05:29:59Z'));
    const incident = (await latestFor(h, 'db1'))!;
    expect(incident.status).toBe('open');
    // The start is lost as it falls due (as if Scheduler could not put it on the bus and it went to
    // the check dead-letter queue). (Lost earlier, the sweep before the start would arm it again.)
    expect(pendingWindows(h)).toEqual([armed!.Name]);
    h.rt.scheduler.deleteSchedule(armed!.Name, armed!.GroupName);
    // Within one sweep (every 5 minutes) of the window's start, the incident is silenced for it and the next start is armed.
    await h.time.advanceTo(at('2026-11-01T05:35:00Z'));
    expect(h.published('MaintenanceWindowOpened')).toEqual([]);
    expect(await h.store.getIncident(incident.incidentId)).toMatchObject({ status: 'silenced', silenceId: added.silenceId, silencedUntil: at('2026-11-01T07:30:00Z') });
    expect(pendingWindows(h)).toEqual([`win-${added.silenceId}-${at('2026-11-08T06:30:00Z') / 1000}`]);
    const silencedAt = Date.parse((await h.store.timeline(incident.incidentId)).events.find((e) => e.detailType === 'IncidentSilenced')!.time);
    expect(silencedAt).toBeGreaterThanOrEqual(at('2026-11-01T05:30:00Z'));
    expect(silencedAt).toBeLessThanOrEqual(at('2026-11-01T05:35:00Z'));
    const callsThen = h.phones.calls.length;
    await h.settle(60 * 60_000);
    expect(h.phones.calls.length).toBe(callsThen);
    expect(h.deadLetters()).toEqual([]);
    await h.close();
  });

  it('removing a maintenance window stops it: its armed start finds it gone, arms nothing more, and the alert at that time phones', async () => {
    const h = await Harness.start({ at: at('2026-11-01T00:00:00Z') });
    await h.roster(xyzRoster({ rounds: 1 }));
    const added = await addWindow(h, { ...weekly, cron: 'cron(30 1 * * ? *)' }); // daily
    expect(pendingWindows(h)).toEqual([`win-${added.silenceId}-${at('2026-11-01T05:30:00Z') / 1000}`]);
    expect((await fetch(`${h.rt.url}/api/silences/${added.silenceId}`, { method: 'DELETE' })).status).toBe(204);
    await h.time.advanceTo(at('2026-11-01T06:00:00Z'));
    expect(h.published('MaintenanceWindowOpened')).toHaveLength(1);
    expect(pendingWindows(h)).toEqual([]);
    await h.sendAlert(db());
    await h.settle(60 * 60_000);
    expect((await latestFor(h, 'db1'))?.status).toBe('exhausted');
    h.expectCalls([AKI, BEN, CHO]);
    expect(h.deadLetters()).toEqual([]);
    await h.close();
  });
});
