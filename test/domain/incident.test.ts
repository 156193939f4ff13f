import { describe, expect, it } from 'vitest';
import {
  ACK_HOLD_MS,
  finishCall,
  openIncident,
  recordCallPlaced,
  resolveIncident,
  routeAlert,
  suppressedIncident,
  type Decision,
  type Incident,
} from '../../domain/incident.ts';
import type { Silence } from '../../domain/silence.ts';
import { alert, roster, T0 } from './fixtures.ts';

function changed(decision: Decision): Extract<Decision, { changed: true }> {
  if (!decision.changed) throw new Error(`expected a change, got: ${decision.reason}`);
  return decision;
}

function opened(names = ['a', 'b', 'c']): Incident {
  return openIncident({ incidentId: 'inc-1', alert: alert(), alertId: 'evt-1:0', now: T0 }, roster(names)).incident;
}

const silence: Silence = {
  silenceId: 'sil-1',
  scope: { system: 'XYZ', host: 'server1' },
  from: T0 - 1000,
  until: T0 + 3_600_000,
  createdBy: 'test',
};

describe('opening', () => {
  it('opens with the first call and says so', () => {
    const { incident, events } = openIncident({ incidentId: 'inc-1', alert: alert(), alertId: 'e:0', now: T0 }, roster(['a', 'b']));
    expect(incident).toMatchObject({ status: 'open', attempt: 1, version: 1, call: { attempt: 1, responderIndex: 0, round: 1 } });
    expect(events.map((e) => e.detailType)).toEqual(['IncidentOpened', 'Escalated']);
    expect(events[1]?.detail).toMatchObject({ attempt: 1, because: 'opened', responder: { index: 0, name: 'a' } });
    expect(incident.outbox).toEqual(events);
  });

  it('with no roster it is exhausted at once rather than silently calling nobody', () => {
    const { incident, events } = openIncident({ incidentId: 'inc-1', alert: alert(), alertId: 'e:0', now: T0 }, undefined);
    expect(incident.status).toBe('exhausted');
    expect(incident.exhaustedReason).toBe('no-roster');
    expect(events.map((e) => e.detailType)).toEqual(['IncidentOpened', 'IncidentExhausted']);
  });

  it('a suppressed incident never calls', () => {
    const { incident, events } = suppressedIncident({ incidentId: 'inc-2', alert: alert(), alertId: 'e:0', now: T0 }, silence);
    expect(incident).toMatchObject({ status: 'suppressed', attempt: 0, silenceId: 'sil-1' });
    expect(incident.call).toBeUndefined();
    expect(events.map((e) => e.detailType)).toEqual(['IncidentSuppressed']);
  });
});

describe('routing alerts', () => {
  it('joins an open incident', () => {
    expect(routeAlert(opened(), alert(), [], T0 + 5).kind).toBe('join');
  });

  it('joins an acknowledged incident within the hold, opens a new one after', () => {
    const ack = { ...opened(), status: 'acknowledged' as const, updatedAt: T0 };
    expect(routeAlert(ack, alert(), [], T0 + ACK_HOLD_MS - 1).kind).toBe('join');
    expect(routeAlert(ack, alert(), [], T0 + ACK_HOLD_MS).kind).toBe('open');
  });

  it('a resolved alert resolves a live incident, and is only recorded otherwise', () => {
    expect(routeAlert(opened(), alert({ status: 'resolved' }), [], T0).kind).toBe('resolve');
    expect(routeAlert(undefined, alert({ status: 'resolved' }), [], T0).kind).toBe('record');
    expect(routeAlert({ ...opened(), status: 'exhausted' }, alert({ status: 'resolved' }), [], T0).kind).toBe('record');
  });

  it('a firing alert under an active silence is suppressed; outside its scope or time it opens', () => {
    expect(routeAlert(undefined, alert(), [silence], T0)).toMatchObject({ kind: 'suppress', silence: { silenceId: 'sil-1' } });
    expect(routeAlert(undefined, alert({ host: 'server2' }), [silence], T0).kind).toBe('open');
    expect(routeAlert(undefined, alert(), [silence], silence.until).kind).toBe('open');
    expect(routeAlert(undefined, alert({ systemname: 'ABC' }), [silence], T0).kind).toBe('open');
  });

  it('repeat suppressed alerts join the suppressed incident of the same silence', () => {
    const suppressed = suppressedIncident({ incidentId: 'inc-2', alert: alert(), alertId: 'e:0', now: T0 }, silence).incident;
    expect(routeAlert(suppressed, alert(), [silence], T0 + 10)).toMatchObject({ kind: 'suppress', joinIncident: { incidentId: 'inc-2' } });
  });

  it("a maintenance window's next window is a new suppressed incident; within one window repeats join", () => {
    // Sundays 02:00-04:00 in Tokyo: 2026-11-28 17:00-19:00 UTC, then a week later.
    const weekly = { ...silence, silenceId: 'sil-weekly', from: T0, until: Number.MAX_SAFE_INTEGER, recurrence: { cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo' } };
    const firstWindow = Date.parse('2026-11-28T17:30:00Z');
    const route = routeAlert(undefined, alert(), [weekly], firstWindow);
    expect(route).toMatchObject({ kind: 'suppress', silence: { silenceId: 'sil-weekly', until: Date.parse('2026-11-28T19:00:00Z') } });
    const suppressed = suppressedIncident({ incidentId: 'inc-2', alert: alert(), alertId: 'e:0', now: firstWindow }, (route as { silence: typeof silence }).silence).incident;
    expect(suppressed.silencedUntil).toBe(Date.parse('2026-11-28T19:00:00Z'));
    expect(routeAlert(suppressed, alert(), [weekly], firstWindow + 60_000)).toMatchObject({ kind: 'suppress', joinIncident: { incidentId: 'inc-2' } });
    expect(routeAlert(suppressed, alert(), [weekly], Date.parse('2026-12-05T17:30:00Z'))).toMatchObject({ kind: 'suppress', joinIncident: undefined });
    expect(routeAlert(suppressed, alert(), [weekly], Date.parse('2026-11-28T19:00:00Z')).kind).toBe('open');
  });

  it('a new firing alert after an exhausted or silenced incident is news', () => {
    expect(routeAlert({ ...opened(), status: 'exhausted' }, alert(), [], T0).kind).toBe('open');
  });

  it('with a group window, a firing alert joins only an incident opened at most that long ago', () => {
    const window = { windowMinutes: 10 };
    expect(routeAlert(opened(), alert(), [], T0 + 10 * 60_000, window)).toMatchObject({ kind: 'join', incident: { incidentId: 'inc-1' } });
    expect(routeAlert(opened(), alert(), [], T0 + 10 * 60_000 + 1, window).kind).toBe('open');
    expect(routeAlert(opened(), alert(), [], T0 + 11 * 60_000, window).kind).toBe('open');
    expect(routeAlert(opened(), alert(), [], T0 + 11 * 60_000).kind).toBe('join'); // no window: while it is live
    expect(routeAlert(opened(), alert(), [], T0 + 11 * 60_000, {}).kind).toBe('join');
  });

  it('the window counts from the opening, also for an acknowledged incident inside its hold', () => {
    const ack = { ...opened(), status: 'acknowledged' as const, updatedAt: T0 + 2 * 60_000 };
    expect(routeAlert(ack, alert(), [], T0 + 9 * 60_000, { windowMinutes: 10 }).kind).toBe('join');
    expect(routeAlert(ack, alert(), [], T0 + 11 * 60_000, { windowMinutes: 10 }).kind).toBe('open');
  });

  it('past the window, a silence in scope still suppresses instead of opening', () => {
    expect(routeAlert(opened(), alert(), [{ ...silence, until: T0 + 3_600_000 }], T0 + 11 * 60_000, { windowMinutes: 10 })).toMatchObject({
      kind: 'suppress',
      joinIncident: undefined,
    });
  });

  it('the window does not apply to resolved alerts: the opening alert recovering resolves the live incident', () => {
    expect(routeAlert(opened(), alert({ status: 'resolved' }), [], T0 + 60 * 60_000, { windowMinutes: 10 }).kind).toBe('resolve');
  });

  it('in a coarser group, only the opening alert (same system, host and service) recovering resolves; others are recorded on it', () => {
    // A system-wide incident opened by server1/CPU Utilization (fixtures).
    const incident = { ...opened(), dedupKey: '["XYZ"]' };
    expect(routeAlert(incident, alert({ status: 'resolved' }), [], T0)).toMatchObject({ kind: 'resolve', incident: { incidentId: 'inc-1' } });
    expect(routeAlert(incident, alert({ status: 'resolved', host: 'server2' }), [], T0)).toMatchObject({ kind: 'join', incident: { incidentId: 'inc-1' } });
    expect(routeAlert(incident, alert({ status: 'resolved', service: 'Disk' }), [], T0).kind).toBe('join');
    const ack = { ...incident, status: 'acknowledged' as const, updatedAt: T0 };
    expect(routeAlert(ack, alert({ status: 'resolved', host: 'server2' }), [], T0 + 5).kind).toBe('join');
    expect(routeAlert(ack, alert({ status: 'resolved' }), [], T0 + 5).kind).toBe('resolve');
  });

  it('a resolved alert carrying its own dedup key resolves its live incident whatever its host and service', () => {
    const keyed = { ...opened(), dedupKey: 'xyz-cpu' };
    expect(routeAlert(keyed, alert({ status: 'resolved', host: 'other', dedupKey: 'xyz-cpu' }), [], T0).kind).toBe('resolve');
  });
});

describe('calls', () => {
  it('records the placed call once', () => {
    const placed = changed(recordCallPlaced(opened(), 1, 'c-1', T0 + 1));
    expect(placed.incident.call).toMatchObject({ contactId: 'c-1', placedAt: T0 + 1 });
    expect(placed.events.map((e) => e.detailType)).toEqual(['CallPlaced']);
    expect(recordCallPlaced(placed.incident, 1, 'c-1', T0 + 2).changed).toBe(false);
    expect(recordCallPlaced(placed.incident, 2, 'c-2', T0 + 2).changed).toBe(false);
  });

  it('no answer moves to the next responder at once', () => {
    const next = changed(finishCall(opened(), { attempt: 1, outcome: 'no-answer' }, T0 + 60_000));
    expect(next.incident).toMatchObject({ attempt: 2, call: { attempt: 2, responderIndex: 1 }, status: 'open' });
    expect(next.events[0]?.detail).toMatchObject({ attempt: 2, because: 'no-answer' });
    expect(next.incident.version).toBe(2);
  });

  it('fencing: a stale or repeated end changes nothing', () => {
    const next = changed(finishCall(opened(), { attempt: 1, outcome: 'busy' }, T0));
    expect(finishCall(next.incident, { attempt: 1, outcome: 'busy' }, T0)).toMatchObject({ changed: false });
    expect(finishCall(next.incident, { attempt: 1, outcome: 'acknowledged' }, T0)).toMatchObject({ changed: false });
    expect(finishCall(next.incident, { attempt: 3, outcome: 'acknowledged' }, T0)).toMatchObject({ changed: false });
  });

  it('acknowledged and silenced are final', () => {
    const ack = changed(finishCall(opened(), { attempt: 1, outcome: 'acknowledged' }, T0));
    expect(ack.incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'a' });
    expect(finishCall(ack.incident, { attempt: 1, outcome: 'no-answer' }, T0).changed).toBe(false);
    const silenced = changed(finishCall(opened(), { attempt: 1, outcome: 'silenced', silenceHours: 12 }, T0));
    expect(silenced.incident).toMatchObject({ status: 'silenced', silencedUntil: T0 + 12 * 3_600_000 });
    expect(silenced.events[0]?.detail).toMatchObject({
      hours: 12,
      scope: { system: 'XYZ', host: 'server1', service: 'CPU Utilization' },
      silenceId: 'sil-inc-1',
    });
  });

  it('exhausts after responders × rounds calls', () => {
    let incident = opened(['a', 'b']);
    for (let attempt = 1; attempt <= 6; attempt++) {
      incident = changed(finishCall(incident, { attempt, outcome: 'no-answer' }, T0 + attempt)).incident;
    }
    expect(incident).toMatchObject({ status: 'exhausted', attempt: 6, exhaustedReason: 'rounds-used-up' });
  });

  it('resolving stops calling and names the ringing call', () => {
    const placed = changed(recordCallPlaced(opened(), 1, 'c-1', T0)).incident;
    const resolved = changed(resolveIncident(placed, 'evt-9:0', T0 + 5));
    expect(resolved.incident.status).toBe('resolved');
    expect(resolved.events[0]?.detail).toMatchObject({ activeAttempt: 1, activeContactId: 'c-1' });
    expect(finishCall(resolved.incident, { attempt: 1, outcome: 'no-answer' }, T0).changed).toBe(false);
    expect(resolveIncident(resolved.incident, 'evt-10:0', T0).changed).toBe(false);
  });
});
