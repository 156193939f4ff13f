import { describe, expect, it } from 'vitest';
import { CALL_OUTCOMES, OWN_EVENT_NAMES, ownEvent, ownEventSchemas, type OwnEvent, type OwnEventName } from '../../events/catalog.ts';
import { LINE_WAIT_REASONS, METRIC_NAMES, METRICS, metricsOf, metricsOfDelivery, metricsOfForeign, type MetricPoint } from '../../events/metrics.ts';
import { countingBus } from '../../handlers/lib/deps.ts';
import type { Bus, ForeignEvent, Metrics } from '../../handlers/ports.ts';
import { finishCall, openIncident } from '../../domain/incident.ts';
import { rosterSchema } from '../../domain/roster.ts';

const AT = '2026-11-24T01:00:00.000Z';
const LATER = '2026-11-24T01:03:30.000Z';
const AKI = { index: 0, name: 'Aki', language: 'ja-JP' } as const;
const coordinates = { schemaVersion: 1, incidentId: 'inc-1', dedupKey: '["XYZ","server1","CPU"]', system: 'XYZ', host: 'server1', service: 'CPU' } as const;

/** One event of every type, with the points it must count for: adding an event type fails to compile here until it is decided. */
const cases: { [K in OwnEventName]: { detail: unknown; points: MetricPoint[] } } = {
  IncidentOpened: { detail: { ...coordinates, openedAt: AT, plannedCalls: 9 }, points: [{ name: 'IncidentsOpened', value: 1, dimensions: { system: 'XYZ' } }] },
  IncidentSuppressed: {
    detail: { ...coordinates, silenceId: 'sil-1', silencedUntil: LATER, at: AT },
    points: [{ name: 'IncidentsSuppressed', value: 1, dimensions: { system: 'XYZ' } }],
  },
  Escalated: { detail: { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, round: 1, responder: AKI, because: 'opened', at: AT }, points: [] },
  CallPlaced: { detail: { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, contactId: 'c-1', responder: AKI, placedAt: AT }, points: [{ name: 'CallsPlaced', value: 1, dimensions: {} }] },
  CallCheckDue: { detail: { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, check: 1 }, points: [] },
  CallDeferred: {
    detail: { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, responder: AKI, reason: 'ThrottlingException', tries: 1, retryAt: LATER, at: AT },
    points: [{ name: 'PlacementsDeferred', value: 1, dimensions: { reason: 'ThrottlingException' } }],
  },
  SweepDue: { detail: { schemaVersion: 1 }, points: [] },
  MaintenanceWindowOpened: { detail: { schemaVersion: 1, silenceId: 'sil-1', system: 'XYZ', opensAt: AT }, points: [] },
  HeartbeatMissed: { detail: { schemaVersion: 1, system: 'XYZ', name: 'nagios', deadline: AT }, points: [] },
  HeartbeatChanged: { detail: { schemaVersion: 1, system: 'XYZ', name: 'nagios', change: 'paused', by: 'cli', at: AT }, points: [] },
  HeartbeatRecheck: { detail: { schemaVersion: 1, system: 'XYZ', name: 'nagios', seenAt: AT }, points: [] },
  CallEnded: {
    detail: { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, contactId: 'c-1', outcome: 'no-answer', via: 'contact-event', endedAt: AT },
    points: [{ name: 'CallsEnded', value: 1, dimensions: { outcome: 'no-answer' } }],
  },
  CallTimeout: {
    detail: { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, contactId: 'c-1', placedAt: AT, timedOutAt: LATER, limitSeconds: 240 },
    points: [{ name: 'CallsEnded', value: 1, dimensions: { outcome: 'timeout' } }],
  },
  Silenced: {
    detail: { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, silenceId: 'sil-inc-1', scope: { system: 'XYZ' }, from: AT, until: LATER, hours: 4, by: 'Aki' },
    points: [{ name: 'IncidentsSilenced', value: 1, dimensions: {} }],
  },
  SilenceAdded: { detail: { schemaVersion: 1, silenceId: 'sil-1', scope: { system: 'XYZ' }, from: AT, until: LATER, by: 'api' }, points: [] },
  IncidentSilenced: {
    detail: { schemaVersion: 1, incidentId: 'inc-2', silenceId: 'sil-1', until: LATER, by: 'api', at: AT },
    points: [{ name: 'IncidentsSilenced', value: 1, dimensions: {} }],
  },
  IncidentAcknowledged: {
    detail: { schemaVersion: 1, incidentId: 'inc-1', attempt: 2, by: 'Ben', at: LATER, openedAt: AT, system: 'XYZ' },
    points: [
      { name: 'IncidentsAcknowledged', value: 1, dimensions: { system: 'XYZ' } },
      { name: 'TimeToAcknowledge', value: 210, dimensions: { system: 'XYZ' } },
    ],
  },
  IncidentExhausted: { detail: { schemaVersion: 1, incidentId: 'inc-1', callsPlaced: 9, reason: 'rounds-used-up', at: AT }, points: [{ name: 'IncidentsExhausted', value: 1, dimensions: {} }] },
  RosterExhausted: {
    detail: { schemaVersion: 1, incidentId: 'inc-1', roster: 'XYZ', callsPlaced: 9, next: 'XYZ-managers', at: AT },
    points: [{ name: 'RostersExhausted', value: 1, dimensions: {} }],
  },
  IncidentResolved: { detail: { schemaVersion: 1, incidentId: 'inc-1', at: AT }, points: [{ name: 'IncidentsResolved', value: 1, dimensions: {} }] },
  RepageDue: { detail: { schemaVersion: 1, incidentId: 'inc-1', attempt: 2, dueAt: LATER }, points: [] },
  IncidentRepaged: {
    detail: { schemaVersion: 1, incidentId: 'inc-1', system: 'XYZ', count: 1, acknowledgedBy: 'Ben', acknowledgedAt: AT, afterAttempt: 2, roster: 'XYZ', repageAfterMinutes: 30, acknowledgerFirst: true, at: LATER },
    points: [{ name: 'IncidentsRepaged', value: 1, dimensions: { system: 'XYZ' } }],
  },
  AlertRejected: {
    detail: { schemaVersion: 1, reason: 'invalid alert', issues: ['host: Invalid input'], sourceEventId: 'evt-1', source: 'nagios', input: '{}', at: AT },
    points: [{ name: 'AlertsRejected', value: 1, dimensions: {} }],
  },
};

describe('metricsOf: the acknowledgement of a re-page', () => {
  it('counts no second acknowledgement and no time to acknowledge (the incident was counted and timed the first time)', () => {
    const detail = { schemaVersion: 1, incidentId: 'inc-1', attempt: 5, by: 'Ben', at: LATER, openedAt: AT, system: 'XYZ', repage: 1 } as const;
    expect(metricsOf(ownEvent('IncidentAcknowledged', detail))).toEqual([]);
  });
});

describe('metricsOf: the points each published event counts for', () => {
  for (const name of OWN_EVENT_NAMES) {
    it(name, () => {
      const { detail, points } = cases[name];
      // Each case is a valid event of its schema, so the table cannot drift from the catalog.
      expect(ownEventSchemas[name].safeParse(detail).success).toBe(true);
      expect(metricsOf(ownEvent(name, detail as never))).toEqual(points);
    });
  }

  it('every point carries exactly the dimensions its metric declares, with a value', () => {
    for (const name of OWN_EVENT_NAMES) {
      for (const point of metricsOf(ownEvent(name, cases[name].detail as never))) {
        expect(Object.keys(point.dimensions).sort()).toEqual([...METRICS[point.name].dimensions].sort());
        expect(Object.values(point.dimensions).every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
      }
    }
  });

  it('a call ended counts under its outcome, each of them', () => {
    for (const outcome of CALL_OUTCOMES) {
      const event = ownEvent('CallEnded', { ...(cases.CallEnded.detail as object), outcome } as never);
      expect(metricsOf(event)).toEqual([{ name: 'CallsEnded', value: 1, dimensions: { outcome } }]);
    }
  });

  it("a wait for the responder's line is paced, by its reason; any other reason is Connect's and deferred", () => {
    const deferred = (reason: string) => metricsOf(ownEvent('CallDeferred', { ...(cases.CallDeferred.detail as object), reason } as never));
    for (const reason of LINE_WAIT_REASONS) expect(deferred(reason)).toEqual([{ name: 'PlacementsPaced', value: 1, dimensions: { reason } }]);
    for (const reason of ['LimitExceededException', 'InternalServiceException', 'ServiceQuotaExceededException']) {
      expect(deferred(reason)).toEqual([{ name: 'PlacementsDeferred', value: 1, dimensions: { reason } }]);
    }
  });

  it('an acknowledgement from before openedAt was carried counts, with no time to acknowledge', () => {
    const old = ownEvent('IncidentAcknowledged', { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, by: 'Aki', at: AT });
    expect(metricsOf(old)).toEqual([{ name: 'IncidentsAcknowledged', value: 1, dimensions: { system: 'unknown' } }]);
  });

  it('the domain puts openedAt and system on IncidentAcknowledged: time to acknowledge is measured from the opening', () => {
    const roster = rosterSchema.parse({ system: 'XYZ', responders: [{ name: 'Aki', phone: '+819011110001' }] });
    const t0 = Date.parse(AT);
    const alert = { system: 'XYZ', host: 'server1', service: 'CPU', status: 'firing', dedupKey: 'k', index: 0, format: 'flat' } as const;
    const { incident } = openIncident({ incidentId: 'inc-1', alert, alertId: 'a-1', now: t0 }, roster);
    const decision = finishCall(incident, { attempt: 1, outcome: 'acknowledged' }, t0 + 95_000);
    if (!decision.changed) throw new Error(decision.reason);
    const acknowledged = decision.events.find((e) => e.detailType === 'IncidentAcknowledged') as OwnEvent;
    expect(metricsOf(acknowledged)).toEqual([
      { name: 'IncidentsAcknowledged', value: 1, dimensions: { system: 'XYZ' } },
      { name: 'TimeToAcknowledge', value: 95, dimensions: { system: 'XYZ' } },
    ]);
  });
});

describe('metricsOfDelivery: the alerts an AlertReceived carried', () => {
  const delivered = (detail: unknown, detailType = 'AlertReceived') => metricsOfDelivery({ 'detail-type': detailType, detail });
  const received = (value: number) => [{ name: 'AlertsReceived', value, dimensions: {} }];

  it('one flat alert, or each alert of a batch, valid or not', () => {
    expect(delivered({ systemname: 'XYZ', host: 'h', service: 's' })).toEqual(received(1));
    expect(delivered({ alertinfo: [{ systemname: 'XYZ', host: 'h', service: 's' }, { host: 'no system' }, { systemname: 'XYZ', host: 'h2', service: 's' }] })).toEqual(received(3));
  });

  it('a detail that is no alert at all is one alert received (and rejected)', () => {
    expect(delivered('not an object')).toEqual(received(1));
    expect(delivered({ alertinfo: [] })).toEqual(received(1));
    expect(delivered({ unexpected: true })).toEqual(received(1));
  });

  it('nothing for any other event', () => {
    expect(delivered({ schemaVersion: 1 }, 'SweepDue')).toEqual([]);
    expect(delivered({ eventType: 'DISCONNECTED' }, 'Amazon Connect Contact Event')).toEqual([]);
  });
});

describe('metricsOfForeign: a heartbeat monitor gone silent', () => {
  const silent = { alertinfo: [{ systemname: 'XYZ', host: 'nagios', service: 'heartbeat:nagios', status: 'firing' }] };

  it('the late monitor\'s AlertReceived from yobidashi.heartbeat counts one MonitorsSilent for its system', () => {
    expect(metricsOfForeign({ source: 'yobidashi.heartbeat', detailType: 'AlertReceived', detail: silent })).toEqual([{ name: 'MonitorsSilent', value: 1, dimensions: { system: 'XYZ' } }]);
  });

  it('its return (resolved), an alert from any other source, or another event: nothing', () => {
    const back = { alertinfo: [{ ...silent.alertinfo[0], status: 'resolved' }] };
    expect(metricsOfForeign({ source: 'yobidashi.heartbeat', detailType: 'AlertReceived', detail: back })).toEqual([]);
    expect(metricsOfForeign({ source: 'nagios', detailType: 'AlertReceived', detail: silent })).toEqual([]);
    expect(metricsOfForeign({ source: 'yobidashi.heartbeat', detailType: 'Heartbeat', detail: {} })).toEqual([]);
  });
});

describe('countingBus: counts what was published, once it was', () => {
  const recorder = () => {
    const points: MetricPoint[] = [];
    const metrics: Metrics = { record: (p) => points.push(...p) };
    return { points, metrics };
  };
  const placed = ownEvent('CallPlaced', cases.CallPlaced.detail as never);
  const exhausted = ownEvent('IncidentExhausted', cases.IncidentExhausted.detail as never);
  const foreign: ForeignEvent = { source: 'yobidashi.cloudwatch', detailType: 'AlertReceived', detail: {} };

  it('own events count; foreign ones (a reshaped alarm) do not', async () => {
    const sent: unknown[] = [];
    const { points, metrics } = recorder();
    await countingBus({ publish: async (events) => void sent.push(...events) }, metrics).publish([placed, exhausted, foreign]);
    expect(sent).toHaveLength(3);
    expect(points).toEqual([
      { name: 'CallsPlaced', value: 1, dimensions: {} },
      { name: 'IncidentsExhausted', value: 1, dimensions: {} },
    ]);
  });

  it('a failed publish counts nothing (its retry will)', async () => {
    const { points, metrics } = recorder();
    const failing: Bus = { publish: () => Promise.reject(new Error('1 entry was not accepted')) };
    await expect(countingBus(failing, metrics).publish([placed])).rejects.toThrow('not accepted');
    expect(points).toEqual([]);
  });

  it('a metrics failure never fails the publish', async () => {
    const broken: Metrics = { record: () => { throw new Error('full'); } };
    await expect(countingBus({ publish: async () => undefined }, broken).publish([placed])).resolves.toBeUndefined();
  });
});

describe('the catalog', () => {
  it('names are CloudWatch- and Prometheus-safe, units are EMF units, and counters count', () => {
    for (const name of METRIC_NAMES) {
      expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
      const metric = METRICS[name];
      expect(['Count', 'Seconds']).toContain(metric.unit);
      if (metric.kind === 'counter') expect(metric.unit).toBe('Count');
      expect(metric.help.length).toBeGreaterThan(10);
    }
  });
});
