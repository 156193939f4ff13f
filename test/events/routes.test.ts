import { describe, expect, it } from 'vitest';
import { OWN_EVENT_NAMES, ownEventSchemas, SCHEMA_VERSION } from '../../events/catalog.ts';
import { CONTACT_EVENT_DETAIL_TYPE } from '../../events/connect.ts';
import { OWN_SOURCE } from '../../events/envelope.ts';
import { matchesEventPattern, validateEventPattern } from '../../events/pattern/index.ts';
import { DEFAULT_BUS_FORWARDS, HANDLER_NAMES, ROUTES } from '../../events/routes.ts';
import { busHandlers } from '../../handlers/index.ts';

/** The routing table, checked against the real pattern matcher with realistic events. */

const ACCOUNT = '123456789012';

function envelope(source: string, detailType: string, detail: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: '2026-11-24T01:00:00Z',
    region: 'ap-northeast-1',
    resources: [],
    detail,
    ...extra,
  };
}

/** Names of the routes whose pattern matches `event`, in table order. */
function routesFor(event: Record<string, unknown>): string[] {
  return ROUTES.filter((route) => matchesEventPattern(route.eventPattern, event)).map((route) => route.name);
}

const alertReceived = envelope('nagios', 'AlertReceived', {
  alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }],
});

const escalated = envelope(OWN_SOURCE, 'Escalated', {
  schemaVersion: SCHEMA_VERSION,
  incidentId: 'inc-1',
  attempt: 1,
  round: 1,
  responder: { index: 0, name: 'Aki', language: 'ja-JP' },
  because: 'opened',
  at: '2026-11-24T01:00:00.000Z',
});

const callEnded = envelope(OWN_SOURCE, 'CallEnded', {
  schemaVersion: SCHEMA_VERSION,
  incidentId: 'inc-1',
  attempt: 1,
  contactId: 'c0ffee00-0000-4000-8000-000000000001',
  outcome: 'no-answer',
  disconnectReason: 'CUSTOMER_DISCONNECT',
  via: 'contact-event',
  endedAt: '2026-11-24T01:01:00.000Z',
});

const callTimeout = envelope(OWN_SOURCE, 'CallTimeout', {
  schemaVersion: SCHEMA_VERSION,
  incidentId: 'inc-1',
  attempt: 1,
  contactId: 'c0ffee00-0000-4000-8000-000000000001',
  placedAt: '2026-11-24T01:00:00.000Z',
  timedOutAt: '2026-11-24T01:02:00.000Z',
  limitSeconds: 120,
});

function resolved(activeContactId?: string): Record<string, unknown> {
  return envelope(OWN_SOURCE, 'IncidentResolved', {
    schemaVersion: SCHEMA_VERSION,
    incidentId: 'inc-1',
    ...(activeContactId ? { activeAttempt: 1, activeContactId } : {}),
    at: '2026-11-24T01:00:30.000Z',
  });
}

function contactEvent(eventType: string): Record<string, unknown> {
  return envelope(
    'aws.connect',
    CONTACT_EVENT_DETAIL_TYPE,
    {
      eventType,
      contactId: 'c0ffee00-0000-4000-8000-000000000001',
      channel: 'VOICE',
      instanceArn: `arn:aws:connect:ap-northeast-1:${ACCOUNT}:instance/11111111-2222-3333-4444-555555555555`,
      initiationMethod: 'API',
      initiationTimestamp: '2026-11-24T01:00:01.000Z',
      ...(eventType === 'DISCONNECTED'
        ? { disconnectTimestamp: '2026-11-24T01:00:40.000Z', disconnectReason: 'CUSTOMER_DISCONNECT' }
        : {}),
    },
    { resources: [`arn:aws:connect:ap-northeast-1:${ACCOUNT}:instance/11111111-2222-3333-4444-555555555555/contact/c0ffee00`] },
  );
}

const cloudWatchAlarm = envelope(
  'aws.cloudwatch',
  'CloudWatch Alarm State Change',
  {
    alarmName: 'XYZ/server1/cpu',
    state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-11-24T01:00:00.000+0000' },
    previousState: { value: 'OK', timestamp: '2026-11-23T01:00:00.000+0000' },
    configuration: {
      metrics: [
        { id: 'm1', metricStat: { metric: { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: { InstanceId: 'i-0abc' } } } },
      ],
    },
  },
  { resources: [`arn:aws:cloudwatch:ap-northeast-1:${ACCOUNT}:alarm:XYZ/server1/cpu`] },
);

const replayed = (event: Record<string, unknown>) => ({ ...event, 'replay-name': 'audit-2026-11-24' });

// ---------------------------------------------------------------------------------------------

describe('the routing table', () => {
  it('has one route per handler, with unique names', () => {
    const names = ROUTES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(ROUTES.map((r) => r.handler).sort()).toEqual([...HANDLER_NAMES].sort());
  });

  it('every handler it names exists in busHandlers', () => {
    for (const route of ROUTES) {
      expect(Object.keys(busHandlers)).toContain(route.handler);
      expect(typeof busHandlers[route.handler]).toBe('function');
    }
    expect(Object.keys(busHandlers).sort()).toEqual([...HANDLER_NAMES].sort());
  });

  it('every route with side effects refuses replays; the timeline route does not', () => {
    const sideEffecting = ROUTES.filter((r) => r.sideEffects);
    expect(sideEffecting.map((r) => r.name)).toEqual([
      'alert-received',
      'cloudwatch-alarm',
      'place-call',
      'call-check',
      'escalate',
      'record-silence',
      'stop-call',
      'apply-silence',
      'contact-event',
      'sweep',
      'notify',
      'repage',
      'heartbeat',
    ]);
    for (const route of sideEffecting) expect(route.eventPattern['replay-name']).toEqual([{ exists: false }]);

    const timeline = ROUTES.find((r) => r.name === 'timeline');
    expect(timeline?.sideEffects).toBe(false);
    expect(timeline?.eventPattern).not.toHaveProperty('replay-name');
    expect(timeline?.eventPattern).toEqual({ source: [OWN_SOURCE] });
  });

  it('every pattern is one EventBridge accepts', () => {
    for (const route of ROUTES) expect(() => validateEventPattern(route.eventPattern), route.name).not.toThrow();
    for (const forward of DEFAULT_BUS_FORWARDS) expect(() => validateEventPattern(forward.eventPattern), forward.name).not.toThrow();
  });
});

describe('which routes a realistic event reaches', () => {
  it('an AlertReceived from nagios goes to alert-received only (it is not ours, so no timeline)', () => {
    expect(routesFor(alertReceived)).toEqual(['alert-received']);
  });

  it('the same AlertReceived replayed from the archive reaches no side-effect route', () => {
    expect(routesFor(replayed(alertReceived))).toEqual([]);
  });

  it('our Escalated places a call and lands on the timeline', () => {
    expect(routesFor(escalated)).toEqual(['place-call', 'timeline']);
  });

  it('a replayed Escalated only rebuilds the timeline', () => {
    expect(routesFor(replayed(escalated))).toEqual(['timeline']);
  });

  it('an Escalated from another source places no call', () => {
    expect(routesFor({ ...escalated, source: 'nagios' })).toEqual([]);
  });

  it('CallEnded and CallTimeout go to escalate (and the timeline)', () => {
    expect(routesFor(callEnded)).toEqual(['escalate', 'timeline']);
    expect(routesFor(callTimeout)).toEqual(['escalate', 'timeline']);
    expect(routesFor(replayed(callEnded))).toEqual(['timeline']);
  });

  it('IncidentResolved with a ringing call goes to stop-call; without one it does not', () => {
    expect(routesFor(resolved('c0ffee00-0000-4000-8000-000000000001'))).toEqual(['stop-call', 'timeline']);
    expect(routesFor(resolved())).toEqual(['timeline']);
    expect(routesFor(replayed(resolved('c0ffee00-0000-4000-8000-000000000001')))).toEqual(['timeline']);
  });

  it('a Connect DISCONNECTED contact event goes to contact-event; a QUEUED one goes nowhere', () => {
    expect(routesFor(contactEvent('DISCONNECTED'))).toEqual(['contact-event']);
    expect(routesFor(contactEvent('CONNECTED_TO_SYSTEM'))).toEqual(['contact-event']);
    expect(routesFor(contactEvent('QUEUED'))).toEqual([]);
    expect(routesFor(contactEvent('INITIATED'))).toEqual([]);
  });

  it('a silence added and a maintenance window opening go to apply-silence; replayed, only to the timeline route (which ignores them)', () => {
    const added = envelope(OWN_SOURCE, 'SilenceAdded', validDetails.SilenceAdded);
    const opened = envelope(OWN_SOURCE, 'MaintenanceWindowOpened', validDetails.MaintenanceWindowOpened);
    expect(routesFor(added)).toEqual(['apply-silence', 'timeline']);
    expect(routesFor(opened)).toEqual(['apply-silence', 'timeline']);
    expect(routesFor(replayed(opened))).toEqual(['timeline']);
  });

  it('an acknowledgement (it arms its re-page) and a re-page falling due go to repage; replayed, only to the timeline', () => {
    for (const name of ['IncidentAcknowledged', 'RepageDue'] as const) {
      const event = envelope(OWN_SOURCE, name, validDetails[name]);
      expect(routesFor(event), name).toEqual(['repage', 'timeline']);
      expect(routesFor(replayed(event)), name).toEqual(['timeline']);
    }
    expect(routesFor(envelope(OWN_SOURCE, 'IncidentRepaged', validDetails.IncidentRepaged))).toEqual(['timeline']);
  });

  it("a monitor's Heartbeat (any source but ours) and its schedule's HeartbeatMissed and an operator's HeartbeatChanged go to heartbeat; replayed, only to the timeline", () => {
    const beat = { system: 'XYZ', name: 'nagios', intervalSeconds: 60 };
    for (const source of ['nagios', 'yobidashi.http', 'cron.backup']) {
      expect(routesFor(envelope(source, 'Heartbeat', beat)), source).toEqual(['heartbeat']);
      expect(routesFor(replayed(envelope(source, 'Heartbeat', beat))), source).toEqual([]);
    }
    // yobidashi itself never sends a heartbeat: one claiming to is not a monitor's.
    expect(routesFor(envelope(OWN_SOURCE, 'Heartbeat', beat))).toEqual(['timeline']);
    for (const name of ['HeartbeatMissed', 'HeartbeatChanged', 'HeartbeatRecheck'] as const) {
      const event = envelope(OWN_SOURCE, name, validDetails[name]);
      expect(routesFor(event), name).toEqual(['heartbeat', 'timeline']);
      expect(routesFor(replayed(event)), name).toEqual(['timeline']);
      // From anyone else, the own event names mean nothing.
      expect(routesFor(envelope('nagios', name, validDetails[name])), name).toEqual([]);
    }
  });

  it('nobody answered (IncidentExhausted, RosterExhausted) goes to notify; a replay of them notifies nobody', () => {
    for (const name of ['IncidentExhausted', 'RosterExhausted'] as const) {
      const event = envelope(OWN_SOURCE, name, validDetails[name]);
      expect(routesFor(event), name).toEqual(['notify', 'timeline']);
      expect(routesFor(replayed(event)), name).toEqual(['timeline']);
    }
  });

  it('a call Connect refused five times in a row goes to notify; fewer, or a wait for a busy line, does not', () => {
    const deferred = (reason: string, tries: number) => envelope(OWN_SOURCE, 'CallDeferred', { ...validDetails.CallDeferred, reason, tries });
    expect(routesFor(deferred('ThrottlingException', 4))).toEqual(['timeline']);
    expect(routesFor(deferred('ThrottlingException', 5))).toEqual(['notify', 'timeline']);
    expect(routesFor(deferred('LimitExceededException', 12))).toEqual(['notify', 'timeline']);
    expect(routesFor(deferred('RESPONDER_ON_CALL', 9))).toEqual(['timeline']);
    expect(routesFor(deferred('RESPONDER_RESTING', 9))).toEqual(['timeline']);
    expect(routesFor(replayed(deferred('ThrottlingException', 5)))).toEqual(['timeline']);
    // The pattern is one AWS accepts as it stands.
    const notify = ROUTES.find((r) => r.name === 'notify');
    expect(() => validateEventPattern(notify?.eventPattern)).not.toThrow();
  });

  it('a CloudWatch alarm state change goes to cloudwatch-alarm', () => {
    expect(routesFor(cloudWatchAlarm)).toEqual(['cloudwatch-alarm']);
    expect(routesFor({ ...cloudWatchAlarm, source: 'custom.cloudwatch' })).toEqual([]);
    expect(routesFor(replayed(cloudWatchAlarm))).toEqual([]);
  });

  it('the default-bus forwards catch the AWS events and nothing of ours', () => {
    const forwardsFor = (event: Record<string, unknown>) =>
      DEFAULT_BUS_FORWARDS.filter((f) => matchesEventPattern(f.eventPattern, event)).map((f) => f.name);
    expect(forwardsFor(cloudWatchAlarm)).toEqual(['forward-cloudwatch-alarms']);
    expect(forwardsFor(contactEvent('QUEUED'))).toEqual(['forward-connect-contact-events']);
    expect(forwardsFor(escalated)).toEqual([]);
    expect(forwardsFor(alertReceived)).toEqual([]);
  });
});

describe('own event schemas', () => {
  it('the sample own events above are valid details', () => {
    for (const event of [escalated, callEnded, callTimeout, resolved('c-1'), resolved()]) {
      const detailType = event['detail-type'] as keyof typeof ownEventSchemas;
      expect(ownEventSchemas[detailType].safeParse(event.detail).success, detailType).toBe(true);
    }
  });

  it.each(OWN_EVENT_NAMES)('%s rejects a detail without schemaVersion', (name) => {
    const schema = ownEventSchemas[name];
    const result = schema.safeParse({ incidentId: 'inc-1' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.some((issue) => issue.path.join('.') === 'schemaVersion')).toBe(true);
  });

  it.each(OWN_EVENT_NAMES)('%s requires schemaVersion even when everything else is valid', (name) => {
    const valid = validDetails[name];
    expect(ownEventSchemas[name].safeParse(valid).success).toBe(true);
    const { schemaVersion: _dropped, ...withoutVersion } = valid;
    const result = ownEventSchemas[name].safeParse(withoutVersion);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['schemaVersion']);
    expect(ownEventSchemas[name].safeParse({ ...valid, schemaVersion: 2 }).success).toBe(false);
  });
});

const AT = '2026-11-24T01:00:00.000Z';
const validDetails: Record<(typeof OWN_EVENT_NAMES)[number], Record<string, unknown>> = {
  IncidentOpened: {
    schemaVersion: 1,
    incidentId: 'inc-1',
    dedupKey: '["XYZ","server1","CPU"]',
    system: 'XYZ',
    host: 'server1',
    service: 'CPU',
    openedAt: AT,
    plannedCalls: 9,
  },
  IncidentSuppressed: {
    schemaVersion: 1,
    incidentId: 'inc-1',
    dedupKey: '["XYZ","server1","CPU"]',
    system: 'XYZ',
    host: 'server1',
    service: 'CPU',
    silenceId: 'sil-1',
    silencedUntil: AT,
    at: AT,
  },
  Escalated: escalated.detail as Record<string, unknown>,
  CallPlaced: {
    schemaVersion: 1,
    incidentId: 'inc-1',
    attempt: 1,
    contactId: 'c-1',
    responder: { index: 0, name: 'Aki', language: 'ja-JP' },
    placedAt: AT,
  },
  CallCheckDue: { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, contactId: 'c-1', check: 1 },
  CallDeferred: {
    schemaVersion: 1,
    incidentId: 'inc-1',
    attempt: 1,
    responder: { index: 0, name: 'Aki', language: 'ja-JP' },
    reason: 'ThrottlingException',
    tries: 1,
    retryAt: AT,
    at: AT,
  },
  SweepDue: { schemaVersion: 1 },
  SilenceAdded: { schemaVersion: 1, silenceId: 'sil-1', scope: { system: 'XYZ' }, from: AT, until: AT, by: 'api' },
  MaintenanceWindowOpened: { schemaVersion: 1, silenceId: 'sil-1', system: 'XYZ', opensAt: AT },
  HeartbeatMissed: { schemaVersion: 1, system: 'XYZ', name: 'nagios', deadline: AT },
  HeartbeatChanged: { schemaVersion: 1, system: 'XYZ', name: 'nagios', change: 'removed', by: 'api', at: AT },
  HeartbeatRecheck: { schemaVersion: 1, system: 'XYZ', name: 'nagios', seenAt: AT },
  IncidentSilenced: { schemaVersion: 1, incidentId: 'inc-1', silenceId: 'sil-1', until: AT, by: 'api', activeAttempt: 1, activeContactId: 'c-1', at: AT },
  CallEnded: callEnded.detail as Record<string, unknown>,
  CallTimeout: callTimeout.detail as Record<string, unknown>,
  Silenced: {
    schemaVersion: 1,
    incidentId: 'inc-1',
    attempt: 1,
    silenceId: 'sil-inc-1',
    scope: { system: 'XYZ', host: 'server1', service: 'CPU' },
    from: AT,
    until: AT,
    hours: 4,
    by: 'Aki',
  },
  IncidentAcknowledged: { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, by: 'Aki', at: AT },
  IncidentExhausted: { schemaVersion: 1, incidentId: 'inc-1', callsPlaced: 9, reason: 'rounds-used-up', at: AT },
  RosterExhausted: { schemaVersion: 1, incidentId: 'inc-1', roster: 'XYZ', callsPlaced: 9, next: 'XYZ-managers', at: AT },
  IncidentResolved: { schemaVersion: 1, incidentId: 'inc-1', at: AT },
  RepageDue: { schemaVersion: 1, incidentId: 'inc-1', attempt: 1, dueAt: AT },
  IncidentRepaged: { schemaVersion: 1, incidentId: 'inc-1', system: 'XYZ', count: 1, acknowledgedBy: 'Aki', acknowledgedAt: AT, afterAttempt: 1, roster: 'XYZ', repageAfterMinutes: 30, acknowledgerFirst: true, at: AT },
  AlertRejected: {
    schemaVersion: 1,
    reason: 'invalid alert',
    issues: ['host: Invalid input'],
    sourceEventId: 'evt-1',
    source: 'nagios',
    input: '{}',
    at: AT,
  },
};
