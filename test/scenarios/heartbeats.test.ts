import { afterAll, describe, expect, it } from 'vitest';
import { heartbeatHandler } from '../../handlers/heartbeat.ts';
import { AKI, BEN, CHO, xyzRoster } from './people.ts';
import { closeDynalite, Harness, T0 } from '../harness/harness.ts';

/**
 * Heartbeat monitors (a dead man's switch) end to end on virtual time: a monitor sends heartbeats
 * on the bus, goes silent, and the roster is phoned through the alert path; its next heartbeat
 * resolves the incident and stops the calling. Paused, removed, reordered and repeated heartbeats.
 */

afterAll(closeDynalite);

const NAGIOS = { system: 'XYZ', name: 'nagios', intervalSeconds: 60, graceSeconds: 30 };

/** `aws events put-events` of a Heartbeat from `source`, dated `timeMs` (default: now). */
async function beat(h: Harness, detail: Record<string, unknown> = NAGIOS, options: { source?: string; timeMs?: number } = {}): Promise<string> {
  const [result] = await h.cloud.putEvents([
    { EventBusName: 'yobidashi', Source: options.source ?? 'nagios', DetailType: 'Heartbeat', Detail: JSON.stringify(detail), ...(options.timeMs !== undefined ? { Time: options.timeMs / 1000 } : {}) },
  ]);
  if (!result || 'ErrorCode' in result) throw new Error(`refused: ${JSON.stringify(result)}`);
  await h.drain();
  return result.EventId;
}

interface MonitorRow {
  system: string;
  name: string;
  state: string;
  lastSeenAt: string;
  nextDeadline?: string;
  missedAt?: string;
  incidentId?: string;
  pausedBy?: string;
  lastSource: string;
}

async function api(h: Harness, method: string, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${h.rt.url}/api${path}`, { method });
  const text = await response.text();
  await h.drain();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const monitor = async (h: Harness, system = 'XYZ', name = 'nagios') => (await api(h, 'GET', `/heartbeats/${encodeURIComponent(system)}/${encodeURIComponent(name)}`)).body as MonitorRow;

/** The monitors' schedules: name, when, and whether it fired already. */
const hbSchedules = (h: Harness) =>
  h.rt.scheduler
    .list()
    .filter((s) => s.Name.startsWith('hb-'))
    .map((s) => ({ name: s.Name, at: s.ScheduleExpression, fired: s.fired === true, input: JSON.parse(s.Target.Input ?? '{}') as Record<string, unknown> }));

const iso = (ms: number) => new Date(ms).toISOString();
const at = (ms: number) => `at(${iso(ms).slice(0, 19)})`;

describe('a heartbeat monitor', () => {
  it('every 60 s, then silence: an incident opens 90 s after the last (interval 60 + grace 30), the roster hears the monitor has gone silent; the next heartbeat resolves it and hangs up the ringing call', async () => {
    const h = await Harness.start();
    await h.roster(xyzRoster({ voices: 'en-US', rounds: 2 }));
    h.phone(AKI, { answer: true, afterSeconds: 3 }); // answers, presses nothing: the next responder is called
    h.phone(BEN, { answer: false });

    for (let i = 0; i < 5; i++) {
      if (i > 0) await h.advance(60_000);
      await beat(h);
    }
    const last = T0 + 4 * 60_000;
    expect(await monitor(h)).toMatchObject({ state: 'up', lastSeenAt: iso(last), nextDeadline: iso(last + 90_000), lastSource: 'nagios' });
    // One schedule, moved forward by every heartbeat.
    expect(hbSchedules(h)).toEqual([expect.objectContaining({ at: at(last + 90_000), fired: false, input: { schemaVersion: 1, system: 'XYZ', name: 'nagios', deadline: iso(last + 90_000) } })]);

    await h.time.advanceTo(last + 89_999);
    expect(await h.incidents()).toEqual([]);
    expect(h.phones.calls).toEqual([]);
    await h.time.advanceTo(last + 90_000);
    const incident = await h.onlyIncident();
    expect(incident).toMatchObject({ system: 'XYZ', host: 'nagios', service: 'heartbeat:nagios', status: 'open', openedAt: last + 90_000, dedupKey: 'heartbeat:["XYZ","nagios"]' });
    expect(incident.openedAt - last).toBeGreaterThanOrEqual(60_000);
    expect(incident.openedAt - last).toBeLessThanOrEqual(90_000);
    expect(await monitor(h)).toMatchObject({ state: 'late', missedAt: iso(last + 90_000), incidentId: incident.incidentId });
    expect(h.published('AlertReceived').map((e) => e.source)).toEqual(['yobidashi.heartbeat']);
    // Counted: one monitor gone silent, for its system.
    const metrics = await (await fetch(`${h.rt.url}/api/metrics`)).text();
    expect(metrics).toContain('yobidashi_monitors_silent_total{system="XYZ"} 1\n');

    // Aki answers and hears it; nobody presses a key, so Ben's phone rings next.
    for (let s = 0; s < 600 && h.phones.calls.length < 2; s++) await h.advance(1_000);
    expect(h.phones.calls.map((c) => c.destination)).toEqual([AKI, BEN]);
    expect(h.heard(AKI)[0]?.[0]).toContain('The monitor nagios of system XYZ has gone silent. Its last heartbeat was on November 24, 2026 at 10:04 AM.');
    const ringing = h.phones.calls[1]!;
    expect(h.phones.status(ringing).endedAt).toBeUndefined();

    // nagios is back: the incident resolves, Ben's ringing call is hung up, and nobody else is called.
    await beat(h);
    const back = h.time.now();
    expect(h.phones.status(ringing)).toMatchObject({ endedAt: back, reason: 'API' });
    expect((await h.store.getIncident(incident.incidentId))?.status).toBe('resolved');
    const row = await monitor(h);
    expect(row).toMatchObject({ state: 'up', nextDeadline: iso(Math.floor(back / 1000) * 1000 + 90_000) });
    expect(row.missedAt).toBeUndefined();
    expect(row.incidentId).toBeUndefined();
    await h.advance(60_000);
    await beat(h);
    await h.advance(60_000);
    await beat(h);
    await h.settle(60_000);
    expect(h.phones.calls.map((c) => c.destination)).toEqual([AKI, BEN]);
    expect(h.phones.calls.map((c) => c.destination)).not.toContain(CHO);
    expect((await h.incidents()).length).toBe(1);
    expect(await h.invariantViolations()).toEqual([]);
  });

  it("its return read before its silence (the silence's delivery retried by Lambda): the incident that opens after the return is resolved by the return's recheck a minute later", async () => {
    const h = await Harness.start();
    await h.roster(xyzRoster({ voices: 'en-US', rounds: 3 }));
    const hourly = { system: 'XYZ', name: 'nagios', intervalSeconds: 3600, graceSeconds: 60 };
    await beat(h, hourly);
    const deadline = h.time.now() + 3_660_000;
    // alert-received fails once: the silence's AlertReceived waits for Lambda's retry, a minute later.
    h.rt.faults.add({ target: 'handler:alert-received', error: 'InternalError', times: 1 });
    await h.time.advanceTo(deadline);
    expect(await h.incidents()).toEqual([]);
    // nagios is back 10 s later: its return is read first and finds no incident to resolve.
    await h.advance(10_000);
    await beat(h, hourly);
    expect(await h.incidents()).toEqual([]);
    // The retried silence opens the incident after the return, and the roster is phoned ...
    await h.time.advanceTo(deadline + 65_000);
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('open');
    expect(h.phones.calls.map((c) => c.destination)).toEqual([AKI]);
    // ... until the return's recheck, a minute after it, tells the return again: resolved, the call hung up.
    await h.time.advanceTo(deadline + 10_000 + 60_000);
    expect((await h.store.getIncident(incident.incidentId))?.status).toBe('resolved');
    expect(h.phones.status(h.phones.calls[0]!).endedAt).toBeDefined();
    await h.advance(30 * 60_000);
    h.expectCalls([AKI]);
    expect((await monitor(h)).state).toBe('up');
    await h.close();
  });

  it('went silent again later: a new incident (the first stays resolved)', async () => {
    const h = await Harness.start();
    await h.roster(xyzRoster({ voices: 'en-US' }));
    h.phone(AKI, { answer: false });
    await beat(h);
    await h.advance(90_000);
    const first = await h.onlyIncident();
    await beat(h);
    await h.advance(90_000);
    const incidents = (await h.incidents()).sort((a, b) => a.openedAt - b.openedAt);
    expect(incidents.map((i) => [i.incidentId === first.incidentId, i.status])).toEqual([
      [true, 'resolved'],
      [false, 'open'],
    ]);
  });

  it('paused, it opens nothing and its schedule is deleted; heartbeats meanwhile keep it paused; resumed, it has a full interval and grace from then', async () => {
    const h = await Harness.start();
    await h.roster(xyzRoster());
    await beat(h);
    const paused = await api(h, 'POST', '/heartbeats/XYZ/nagios/pause');
    expect(paused).toMatchObject({ status: 200, body: { state: 'paused', pausedBy: 'api' } });
    expect((paused.body as MonitorRow).nextDeadline).toBeUndefined();
    expect(hbSchedules(h)).toEqual([]);
    expect(h.published('HeartbeatChanged').map((e) => e.detail)).toEqual([{ schemaVersion: 1, system: 'XYZ', name: 'nagios', change: 'paused', by: 'api', at: iso(T0) }]);
    // Pausing again is no error and changes nothing.
    expect(await api(h, 'POST', '/heartbeats/XYZ/nagios/pause')).toMatchObject({ status: 200, body: { state: 'paused' } });

    await h.advance(3_600_000);
    await beat(h);
    expect(await monitor(h)).toMatchObject({ state: 'paused', lastSeenAt: iso(T0 + 3_600_000) });
    await h.advance(3_600_000);
    expect(await h.incidents()).toEqual([]);
    expect(h.phones.calls).toEqual([]);

    const resumedAt = h.time.now();
    expect(await api(h, 'POST', '/heartbeats/XYZ/nagios/resume')).toMatchObject({ status: 200, body: { state: 'up', nextDeadline: iso(resumedAt + 90_000) } });
    expect(hbSchedules(h)).toEqual([expect.objectContaining({ at: at(resumedAt + 90_000), fired: false })]);
    await h.time.advanceTo(resumedAt + 89_999);
    expect(await h.incidents()).toEqual([]);
    await h.time.advanceTo(resumedAt + 90_000);
    expect(await h.onlyIncident()).toMatchObject({ service: 'heartbeat:nagios', openedAt: resumedAt + 90_000 });
  });

  it('paused while late: the incident keeps calling, and the next heartbeat still resolves it', async () => {
    const h = await Harness.start();
    await h.roster(xyzRoster({ rounds: 3 }));
    h.phone(AKI, { answer: false });
    await beat(h);
    await h.advance(90_000);
    const incident = await h.onlyIncident();
    expect(await api(h, 'POST', '/heartbeats/XYZ/nagios/pause')).toMatchObject({ status: 200, body: { state: 'paused', incidentId: incident.incidentId } });
    expect((await h.store.getIncident(incident.incidentId))?.status).toBe('open');
    await beat(h);
    expect((await h.store.getIncident(incident.incidentId))?.status).toBe('resolved');
    expect(await monitor(h)).toMatchObject({ state: 'paused' });
  });

  it('removed: the monitor and its schedule are gone (404 after); its next heartbeat registers it again', async () => {
    const h = await Harness.start();
    await h.roster(xyzRoster());
    await beat(h);
    expect(hbSchedules(h)).toHaveLength(1);
    expect(await api(h, 'DELETE', '/heartbeats/XYZ/nagios')).toEqual({ status: 204, body: undefined });
    expect(hbSchedules(h)).toEqual([]);
    expect(await api(h, 'GET', '/heartbeats/XYZ/nagios')).toMatchObject({ status: 404 });
    expect(await api(h, 'DELETE', '/heartbeats/XYZ/nagios')).toMatchObject({ status: 404 });
    expect(await api(h, 'POST', '/heartbeats/XYZ/nagios/pause')).toMatchObject({ status: 404 });
    await h.advance(3_600_000);
    expect(await h.incidents()).toEqual([]);
    await beat(h);
    expect(await api(h, 'GET', '/heartbeats')).toMatchObject({ status: 200, body: [{ system: 'XYZ', name: 'nagios', state: 'up', nextDeadline: iso(T0 + 3_600_000 + 90_000) }] });
  });

  it('a heartbeat dated before the last one (delivered out of order) does not move the deadline back; the same delivery twice changes nothing', async () => {
    const h = await Harness.start();
    await h.roster(xyzRoster());
    await beat(h);
    await h.advance(60_000);
    const id = await beat(h);
    const row = await monitor(h);
    expect(row).toMatchObject({ lastSeenAt: iso(T0 + 60_000), nextDeadline: iso(T0 + 150_000) });
    const version = (await h.store.getMonitor('XYZ', 'nagios'))!.version;

    // Sent at T0 + 30 s, delivered now: older than what we know.
    await beat(h, NAGIOS, { timeMs: T0 + 30_000 });
    expect(await monitor(h)).toEqual(row);
    expect(hbSchedules(h)).toEqual([expect.objectContaining({ at: at(T0 + 150_000) })]);

    // The very same event delivered again (at least once), and another heartbeat of the same second.
    const envelope = h.cloud.archive.find((e) => e.id === id)!;
    await heartbeatHandler(h.deps)(envelope);
    await beat(h, NAGIOS, { timeMs: T0 + 60_000 });
    expect((await h.store.getMonitor('XYZ', 'nagios'))!.version).toBe(version);
    expect(await monitor(h)).toEqual(row);

    // A heartbeat dated ahead of the clock counts as now.
    await beat(h, NAGIOS, { timeMs: T0 + 3_600_000 });
    expect(await monitor(h)).toMatchObject({ lastSeenAt: iso(T0 + 60_000), nextDeadline: iso(T0 + 150_000) });
    await h.time.advanceTo(T0 + 150_000);
    expect((await h.onlyIncident()).openedAt).toBe(T0 + 150_000);
  });

  it('a new interval or grace in a heartbeat takes over from it', async () => {
    const h = await Harness.start();
    await beat(h);
    await h.advance(30_000);
    await beat(h, { system: 'XYZ', name: 'nagios', intervalSeconds: 3600 });
    expect(await monitor(h)).toMatchObject({ nextDeadline: iso(T0 + 30_000 + (3600 + 60) * 1000) });
    expect(await api(h, 'GET', '/heartbeats')).toMatchObject({ body: [{ intervalSeconds: 3600, graceSeconds: 60 }] });
  });

  it('goes through the alert path: under a silence of its system the missed heartbeat is suppressed and nobody is phoned', async () => {
    const h = await Harness.start();
    await h.roster(xyzRoster());
    const response = await fetch(`${h.rt.url}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ system: 'XYZ', hours: 2 }) });
    expect(response.status).toBe(201);
    await beat(h);
    await h.advance(90_000);
    expect(await h.onlyIncident()).toMatchObject({ service: 'heartbeat:nagios', status: 'suppressed' });
    await h.settle(600_000);
    expect(h.phones.calls).toEqual([]);
  });

  it('a heartbeat that fails its schema is recorded as a rejection and registers nothing; one claiming our own source is ignored', async () => {
    const h = await Harness.start();
    await beat(h, { system: 'XYZ', name: 'nagios', intervalSeconds: 5 });
    await beat(h, { system: 'XYZ', intervalSeconds: 60 });
    await beat(h, { system: 'XYZ', name: 'own', intervalSeconds: 60 }, { source: 'yobidashi' });
    expect((await api(h, 'GET', '/heartbeats')).body).toEqual([]);
    const rejections = await h.store.listRejections(10);
    expect(rejections.map((r) => r.source)).toEqual(['handler:heartbeat', 'handler:heartbeat']);
    expect(rejections.flatMap((r) => r.issues).sort()).toEqual([expect.stringMatching(/^intervalSeconds: /), expect.stringMatching(/^name: /)].sort());
  });

  it('POST /heartbeats on the HTTP intake registers a monitor (source yobidashi.http); without a token it is refused', async () => {
    const h = await Harness.start();
    const body = JSON.stringify({ system: 'XYZ', name: 'cron-backup', intervalSeconds: 86_400, graceSeconds: 3_600 });
    const refused = await fetch(`${h.rt.url}/heartbeats`, { method: 'POST', body });
    expect(refused.status).toBe(401);
    const accepted = await fetch(`${h.rt.url}/heartbeats`, { method: 'POST', headers: { 'x-yobidashi-token': 'local' }, body });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ FailedEntryCount: 0 });
    await h.drain();
    expect(await monitor(h, 'XYZ', 'cron-backup')).toMatchObject({ state: 'up', lastSource: 'yobidashi.http', nextDeadline: iso(T0 + 90_000_000) });
  });
});
