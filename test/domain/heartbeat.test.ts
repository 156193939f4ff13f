import { describe, expect, it } from 'vitest';
import { heartbeatDetailSchema } from '../../events/heartbeats.ts';
import {
  heartbeatAlert,
  heartbeatDedupKey,
  heartbeatDue,
  heartbeatSeen,
  isHeartbeatIncident,
  pauseMonitor,
  published,
  resumeMonitor,
  returnStillHolds,
  scheduleOf,
  type HeartbeatSeen,
  type Monitor,
} from '../../domain/heartbeat.ts';
import { alertSpeech, mergedAlertSpeech } from '../../domain/message.ts';
import { monitorScheduleName, returnRecheckName } from '../../handlers/heartbeat.ts';

const T = Date.parse('2026-11-24T01:00:00Z');
const beat = (seenAt: number, extra: Partial<HeartbeatSeen> = {}): HeartbeatSeen => ({ system: 'XYZ', name: 'nagios', intervalSeconds: 60, graceSeconds: 30, seenAt, eventId: `e-${seenAt}`, source: 'nagios', ...extra });

function changed(decision: ReturnType<typeof heartbeatSeen>): Monitor {
  if (!decision.changed) throw new Error(`unchanged: ${decision.reason}`);
  return decision.monitor;
}

describe('heartbeat monitors: the decisions', () => {
  it('the first heartbeat registers the monitor, due interval + grace after it', () => {
    const decision = heartbeatSeen(undefined, beat(T), T);
    expect(decision).toMatchObject({ changed: true, schedule: { kind: 'arm', atMs: T + 90_000 }, monitor: { state: 'up', version: 1, firstSeenAt: T, lastSeenAt: T, deadlineAt: T + 90_000 } });
  });

  it('a newer heartbeat moves the deadline forward; an older or same-second one changes nothing; the same event again redoes its side effects only', () => {
    const m = changed(heartbeatSeen(changed(heartbeatSeen(undefined, beat(T), T)), beat(T + 60_000), T + 60_000));
    expect(m).toMatchObject({ version: 2, lastSeenAt: T + 60_000, deadlineAt: T + 150_000 });
    expect(heartbeatSeen(m, beat(T + 30_000), T + 61_000)).toEqual({ changed: false, reason: 'older than the last heartbeat', schedule: { kind: 'keep' } });
    expect(heartbeatSeen(m, beat(T + 60_000, { eventId: 'other' }), T + 61_000)).toMatchObject({ changed: false, schedule: { kind: 'keep' } });
    expect(heartbeatSeen(m, beat(T + 60_000), T + 61_000)).toEqual({ changed: false, reason: 'this heartbeat was recorded already', schedule: { kind: 'arm', atMs: T + 150_000 } });
  });

  it('due: late only once the stored deadline has passed; a schedule for an old deadline re-arms the current one; paused or removed opens nothing and cancels', () => {
    const m = changed(heartbeatSeen(undefined, beat(T), T));
    expect(heartbeatDue(m, T + 89_999)).toEqual({ changed: false, reason: 'seen since', schedule: { kind: 'arm', atMs: T + 90_000 } });
    const late = heartbeatDue(m, T + 90_000);
    expect(late).toMatchObject({ changed: true, monitor: { state: 'late', missedAt: T + 90_000, pending: 'missed', version: 2 } });
    const lateMonitor = (late as { monitor: Monitor }).monitor;
    expect(lateMonitor.deadlineAt).toBeUndefined();
    // A retried delivery before the outbox was cleared publishes again; after, nothing.
    expect(heartbeatDue(lateMonitor, T + 100_000)).toMatchObject({ changed: false, publish: 'missed' });
    const told = published(lateMonitor, 'missed', T + 90_001)!;
    expect(heartbeatDue(told, T + 100_000)).toEqual({ changed: false, reason: 'late already', schedule: { kind: 'keep' } });
    expect(heartbeatDue(pauseMonitor(m, T, 'api'), T + 100_000)).toMatchObject({ changed: false, reason: 'paused', schedule: { kind: 'cancel' } });
    expect(heartbeatDue(undefined, T)).toMatchObject({ changed: false, schedule: { kind: 'cancel' } });
  });

  it('the next heartbeat after a silence tells its return (also while the silence is still in the outbox), and re-arms', () => {
    const lateTold = published((heartbeatDue(changed(heartbeatSeen(undefined, beat(T), T)), T + 90_000) as { monitor: Monitor }).monitor, 'missed', T + 90_000)!;
    const back = heartbeatSeen(lateTold, beat(T + 200_000), T + 200_000);
    expect(back).toMatchObject({ changed: true, schedule: { kind: 'arm', atMs: T + 290_000 }, monitor: { state: 'up', pending: 'recovered' } });
    expect((back as { monitor: Monitor }).monitor.missedAt).toBeUndefined();
    const lateUntold = (heartbeatDue(changed(heartbeatSeen(undefined, beat(T), T)), T + 90_000) as { monitor: Monitor }).monitor;
    expect(changed(heartbeatSeen(lateUntold, beat(T + 200_000), T + 200_000)).pending).toBe('recovered');
  });

  it('pause and resume: paused has no schedule and stays paused through heartbeats; resumed gets a full period from then, or stays late if its silence is unresolved', () => {
    const m = changed(heartbeatSeen(undefined, beat(T), T));
    const paused = pauseMonitor(m, T + 1_000, 'cli')!;
    expect(paused).toMatchObject({ state: 'paused', pausedBy: 'cli' });
    expect(scheduleOf(paused)).toEqual({ kind: 'cancel' });
    expect(pauseMonitor(paused, T + 2_000, 'cli')).toBeUndefined();
    expect(heartbeatSeen(paused, beat(T + 60_000), T + 60_000)).toMatchObject({ changed: true, schedule: { kind: 'keep' }, monitor: { state: 'paused', lastSeenAt: T + 60_000 } });
    expect(resumeMonitor(paused, T + 3_600_000)).toMatchObject({ state: 'up', deadlineAt: T + 3_690_000 });
    expect(resumeMonitor(m, T)).toBeUndefined();
    const late = published((heartbeatDue(m, T + 90_000) as { monitor: Monitor }).monitor, 'missed', T + 90_000)!;
    const resumedLate = resumeMonitor(pauseMonitor(late, T + 100_000, 'cli')!, T + 200_000)!;
    expect(resumedLate.state).toBe('late');
    expect(resumedLate.deadlineAt).toBeUndefined();
  });

  it('the alert it is told as: its own dedupKey whatever the grouping, host the monitor, service heartbeat:<name>', () => {
    const m = changed(heartbeatSeen(undefined, beat(T), T));
    expect(heartbeatAlert(m, 'missed')).toMatchObject({ systemname: 'XYZ', host: 'nagios', service: 'heartbeat:nagios', status: 'firing', dedupKey: 'heartbeat:["XYZ","nagios"]', lastcheck: '2026-11-24T01:00:00.000Z' });
    expect(heartbeatAlert(m, 'recovered').status).toBe('resolved');
    expect(heartbeatDedupKey('a"b', 'c')).toBe('heartbeat:["a\\"b","c"]');
    expect(isHeartbeatIncident({ host: 'nagios', service: 'heartbeat:nagios' })).toBe(true);
    expect(isHeartbeatIncident({ host: 'server1', service: 'heartbeat:nagios' })).toBe(false);
  });

  it('is spoken as the monitor gone silent, in both languages, with its last heartbeat', () => {
    const alert = { system: 'XYZ', host: 'nagios', service: 'heartbeat:nagios', occurredAtMs: T, message: 'no heartbeat since …' };
    expect(alertSpeech('en-US', alert, 'Asia/Tokyo')).toBe('The monitor nagios of system XYZ has gone silent. Its last heartbeat was on November 24, 2026 at 10:00 AM.');
    expect(alertSpeech('ja-JP', alert, 'Asia/Tokyo')).toBe('システムXYZの監視nagiosからの連絡が途絶えました。最後のハートビートは2026年11月24日 10時0分でした。');
    const other = { system: 'XYZ', host: 'server1', service: 'CPU', occurredAtMs: T };
    expect(mergedAlertSpeech('en-US', [alert, other], 'Asia/Tokyo')).toContain('monitor nagios silent, and server1 CPU');
  });
});

describe("a return's recheck", () => {
  it('tells the return again while the monitor is still back from that silence; not once it is late again, removed, or back from a later silence only', () => {
    const up = changed(heartbeatSeen(undefined, beat(T), T));
    const late = changed(heartbeatDue(up, T + 90_000));
    const back = changed(heartbeatSeen(late, beat(T + 100_000), T + 100_000));
    expect(back).toMatchObject({ state: 'up', pending: 'recovered' });
    expect(returnStillHolds(back, T + 100_000)).toBe(true);
    expect(returnStillHolds(changed(heartbeatSeen(back, beat(T + 160_000), T + 160_000)), T + 100_000)).toBe(true); // more heartbeats since
    expect(returnStillHolds(changed(heartbeatDue(back, T + 190_000)), T + 100_000)).toBe(false); // late again
    expect(returnStillHolds(undefined, T + 100_000)).toBe(false); // removed
    expect(returnStillHolds(pauseMonitor(back, T + 120_000, 'cli'), T + 100_000)).toBe(true); // paused, still back
  });

  it('two schedules per return, named by the monitor and the heartbeat: a retried delivery arms the same ones, within Scheduler\'s 64 characters', () => {
    const names = [0, 1].map((i) => returnRecheckName('XYZ', 'x'.repeat(100), T, i));
    expect(names[0]).toMatch(/^hbr-[0-9a-f]{16}-\d{10}-0$/);
    expect(names[1]).not.toBe(names[0]);
    expect(returnRecheckName('XYZ', 'x'.repeat(100), T, 0)).toBe(names[0]);
    expect(returnRecheckName('XYZ', 'nagios', T, 0)).not.toBe(names[0]);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
  });
});

describe('the Heartbeat detail and the schedule name', () => {
  it('bounds: interval a minute to a week, grace up to a day (a minute by default), names without control characters', () => {
    expect(heartbeatDetailSchema.parse({ system: ' XYZ ', name: 'nagios', intervalSeconds: 60 })).toEqual({ system: 'XYZ', name: 'nagios', intervalSeconds: 60, graceSeconds: 60 });
    for (const bad of [
      { system: 'XYZ', name: 'n', intervalSeconds: 59 },
      { system: 'XYZ', name: 'n', intervalSeconds: 7 * 86_400 + 1 },
      { system: 'XYZ', name: 'n', intervalSeconds: 60.5 },
      { system: 'XYZ', name: 'n', intervalSeconds: 60, graceSeconds: 86_401 },
      { system: 'XYZ', name: 'n', intervalSeconds: 60, graceSeconds: -1 },
      { system: 'XYZ', name: 'a\nb', intervalSeconds: 60 },
      { system: '', name: 'n', intervalSeconds: 60 },
      { system: 'XYZ', name: 'x'.repeat(101), intervalSeconds: 60 },
      { system: 'XYZ', intervalSeconds: 60 },
    ]) {
      expect(heartbeatDetailSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("the schedule name is Scheduler's (64 of [0-9a-zA-Z-_.]), deterministic, and different for monitors a slug would confuse", () => {
    const names = [monitorScheduleName('XYZ', 'nagios'), monitorScheduleName('XYZ/a', 'b'), monitorScheduleName('XYZ', 'a/b'), monitorScheduleName('系統', '監視'), monitorScheduleName('s'.repeat(128), 'n'.repeat(100))];
    for (const name of names) expect(name).toMatch(/^hb-[0-9a-zA-Z-_.]{1,61}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(monitorScheduleName('XYZ', 'nagios')).toBe(monitorScheduleName('XYZ', 'nagios'));
    expect(monitorScheduleName('XYZ', 'nagios')).toMatch(/^hb-XYZ-nagios-[0-9a-f]{16}$/);
  });
});
