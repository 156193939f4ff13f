import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asciiSubject,
  deadLetterNotification,
  exhaustedNotification,
  MAX_LISTED_CALLS,
  placementFailingNotification,
  placementKeepsFailing,
  PLACEMENT_FAILING,
  rosterExhaustedNotification,
  SHORT_MAX,
  SUBJECT_MAX,
  when,
  whoWasCalled,
  type NotifiedIncident,
} from '../../domain/notification.ts';
import { T0 } from './fixtures.ts';

const incident = (over: Partial<NotifiedIncident> = {}): NotifiedIncident => ({
  incidentId: 'abc-1',
  system: 'XYZ',
  host: 'server1',
  service: 'CPU Utilization',
  openedAt: T0,
  alert: {},
  timeZone: 'Asia/Tokyo',
  ...over,
});
const look = { cli: 'npx yobidashi --stack Yobidashi' };
const calls = (n: number) => Array.from({ length: n }, (_, i) => ({ attempt: i + 1, responder: ['Aki', 'Ben', 'Cho'][i % 3] as string, placedAt: T0 + i * 90_000, outcome: 'no-answer' }));

describe('what a notification says', () => {
  it('times in the roster zone with UTC beside', () => {
    expect(when(T0, 'Asia/Tokyo')).toBe('2026-11-24 10:00:00 Asia/Tokyo (01:00:00 UTC)');
    expect(when(T0, 'UTC')).toBe('2026-11-24 01:00:00 UTC');
  });

  it('who was called, in the order first called, with counts', () => {
    expect(whoWasCalled(calls(9))).toBe('Aki (3), Ben (3), Cho (3)');
    expect(whoWasCalled([])).toBe('');
  });

  it('a subject SNS accepts, whatever the names: printable ASCII, one line, under 100', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (system, host, service) => {
        for (const n of [
          exhaustedNotification({ incident: incident({ system, host, service }), calls: calls(3), exhausted: { callsPlaced: 3, reason: 'rounds-used-up' }, look, at: T0 }),
          rosterExhaustedNotification({ incident: incident({ system, host, service }), calls: calls(3), exhausted: { roster: system, next: `${system}-managers`, callsPlaced: 3 }, look, at: T0 }),
          placementFailingNotification({ incident: incident({ system, host, service }), call: { attempt: 1, responder: 'Aki', reason: 'ThrottlingException', tries: 5, since: T0 }, look, at: T0 + 300_000 }),
        ]) {
          expect(n.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
          expect(n.subject).toMatch(/^[\x20-\x7e]+$/);
          expect(n.short.length).toBeLessThanOrEqual(SHORT_MAX);
          expect(Object.values(n.attributes).every((v) => v !== '')).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
    expect(asciiSubject('yobidashi: Nobody answered: 決済 db1', 'yobidashi: nobody answered - incident abc-1')).toBe('yobidashi: nobody answered - incident abc-1');
  });

  it('lists at most MAX_LISTED_CALLS calls one per line, then sums the rest up', () => {
    const n = exhaustedNotification({ incident: incident(), calls: calls(45), exhausted: { callsPlaced: 45, reason: 'rounds-used-up', roster: 'XYZ' }, look, at: T0 + 3_600_000 });
    expect(n.text.split('\n').filter((l) => /^\s+\d+\. /.test(l))).toHaveLength(MAX_LISTED_CALLS);
    expect(n.text).toContain(`… and ${45 - MAX_LISTED_CALLS} more`);
    expect(n.text).toContain('Look at it: npx yobidashi --stack Yobidashi incidents abc-1');
  });

  it('the alert’s own message and severity, when it had them', () => {
    const n = exhaustedNotification({ incident: incident({ alert: { message: 'load 42', severity: 'critical' } }), calls: [], exhausted: { callsPlaced: 0, reason: 'no-roster' }, look, at: T0 });
    expect(n.text).toContain('Alert:    load 42 — severity critical');
    expect(n.text).not.toContain('Call by call');
  });

  it('dead letters: routes, events and errors, and the commands to look and redrive', () => {
    const n = deadLetterNotification({ letters: [{ id: 'dl-1', route: 'place-call', detailType: 'Escalated', eventId: 'e-1', error: 'Boom', failedAt: new Date(T0).toISOString() }], waiting: 2, look, at: T0 });
    expect(n).toMatchObject({ notificationId: 'dead-letters:dl-1', kind: 'dead-letters', subject: 'yobidashi: 1 delivery failed every retry (place-call)' });
    expect(n.text).toContain('2 dead letters waiting.');
    expect(n.text).toContain('npx yobidashi --stack Yobidashi dead-letters redrive');
    expect(() => deadLetterNotification({ letters: [], waiting: 0, look, at: T0 })).toThrow(RangeError);
  });
});

describe('a placement that keeps failing', () => {
  const call = { placementTries: PLACEMENT_FAILING.tries, deferredReason: 'ThrottlingException' };
  it('is news after PLACEMENT_FAILING.tries refusals in a row, while the call is still unplaced', () => {
    expect(placementKeepsFailing(call)).toBe(true);
    expect(placementKeepsFailing({ ...call, placementTries: PLACEMENT_FAILING.tries - 1 })).toBe(false);
    expect(placementKeepsFailing({ ...call, contactId: 'c-1' })).toBe(false);
    expect(placementKeepsFailing({ ...call, endedAt: T0 })).toBe(false);
  });
  it('waiting for a responder’s line is not a failure', () => {
    expect(placementKeepsFailing({ placementTries: 40, deferredReason: 'RESPONDER_ON_CALL' })).toBe(false);
    expect(placementKeepsFailing({ placementTries: 40, deferredReason: 'RESPONDER_RESTING' })).toBe(false);
  });
});
