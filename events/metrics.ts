import { parseAlertReceived } from './alerts.ts';
import type { OwnEvent } from './catalog.ts';
import type { Envelope } from './envelope.ts';
import { HEARTBEAT_ALERT_SOURCE } from './heartbeats.ts';

/**
 * The metric catalog: every metric yobidashi emits, in one place. The Lambda adapter writes them
 * as CloudWatch embedded metric format (infra/aws/adapters/metrics.ts), the local runtime serves
 * them in Prometheus text format (`GET /api/metrics`, infra/local/metrics.ts), and the stack's
 * dashboard and alarms read them by these names (infra/aws/constructs/monitoring.ts), so the three
 * cannot disagree.
 *
 * Almost every point is derived from a domain event (`metricsOf`), recorded once the publish of
 * that event succeeded (handlers/lib/deps.ts, `countingBus`): handlers count nothing themselves, and
 * Lambda and the local runtime count the same way. Counts are at least once: a retried delivery
 * that publishes again (its outbox) counts again. The bus archive is the exact record.
 *
 * Dimensions are few and low in cardinality (a system, a call outcome, a reason code, a handler):
 * never an incident id, a responder or a phone number.
 */

/** The CloudWatch namespace of every metric below (the service dimension tells stacks apart). */
export const METRICS_NAMESPACE = 'yobidashi';

export type MetricUnit = 'Count' | 'Seconds';
export type DimensionName = 'system' | 'outcome' | 'reason' | 'handler';

export interface MetricDefinition {
  unit: MetricUnit;
  /** `counter`: a count of things (Sum); `distribution`: measured values (percentiles; a histogram locally). */
  kind: 'counter' | 'distribution';
  /** Besides `service` (every point has it): the dimensions each point carries. */
  dimensions: readonly DimensionName[];
  help: string;
  /** What counts it: the events it is derived from, or the part that records it. */
  countedFrom: string;
}

export const METRICS = {
  AlertsReceived: {
    unit: 'Count',
    kind: 'counter',
    dimensions: [],
    help: 'Alerts read by alert-received: each alert of a batch once, valid or not (accepted + rejected).',
    countedFrom: 'AlertReceived deliveries that alert-received finished (handlers/lib/deps.ts onEvent)',
  },
  AlertsRejected: {
    unit: 'Count',
    kind: 'counter',
    dimensions: [],
    help: 'Alerts rejected as malformed, with a reason; nobody was called for them.',
    countedFrom: 'AlertRejected',
  },
  IncidentsOpened: { unit: 'Count', kind: 'counter', dimensions: ['system'], help: 'New incidents (calling starts).', countedFrom: 'IncidentOpened' },
  IncidentsSuppressed: {
    unit: 'Count',
    kind: 'counter',
    dimensions: ['system'],
    help: 'Alerts that arrived under an active silence: recorded as an incident, nobody called.',
    countedFrom: 'IncidentSuppressed',
  },
  IncidentsAcknowledged: {
    unit: 'Count',
    kind: 'counter',
    dimensions: ['system'],
    help: 'Incidents a responder acknowledged (pressed 1); an acknowledgement of a re-page is not counted again.',
    countedFrom: 'IncidentAcknowledged (without repage)',
  },
  IncidentsRepaged: {
    unit: 'Count',
    kind: 'counter',
    dimensions: ['system'],
    help: "Re-pages: incidents acknowledged but not resolved after their roster's repageAfterMinutes, phoned again.",
    countedFrom: 'IncidentRepaged',
  },
  TimeToAcknowledge: {
    unit: 'Seconds',
    kind: 'distribution',
    dimensions: ['system'],
    help: 'Seconds from an incident opening to a responder pressing 1 (the first time: re-pages are not measured).',
    countedFrom: 'IncidentAcknowledged without repage (at - openedAt)',
  },
  IncidentsSilenced: {
    unit: 'Count',
    kind: 'counter',
    dimensions: [],
    help: 'Open incidents silenced: keyed 9 on a call, or covered by a silence added while they called.',
    countedFrom: 'Silenced, IncidentSilenced',
  },
  IncidentsResolved: { unit: 'Count', kind: 'counter', dimensions: [], help: 'Incidents the monitoring tool resolved while open or acknowledged.', countedFrom: 'IncidentResolved' },
  IncidentsExhausted: {
    unit: 'Count',
    kind: 'counter',
    dimensions: [],
    help: 'Incidents that ran out of calls with nobody acknowledging (or had no roster): the on-call process failed.',
    countedFrom: 'IncidentExhausted',
  },
  RostersExhausted: {
    unit: 'Count',
    kind: 'counter',
    dimensions: [],
    help: "A roster's rounds ran out with nobody acknowledging and escalation went on with its onExhausted roster (the incident stays open).",
    countedFrom: 'RosterExhausted',
  },
  CallsPlaced: {
    unit: 'Count',
    kind: 'counter',
    dimensions: [],
    help: 'Calls Connect accepted, one per incident a call speaks for (a merged call for three incidents counts three).',
    countedFrom: 'CallPlaced',
  },
  CallsEnded: {
    unit: 'Count',
    kind: 'counter',
    dimensions: ['outcome'],
    help: 'Calls ended, by outcome (one per incident a merged call spoke for; a call Connect refused counts as failed).',
    countedFrom: 'CallEnded, CallTimeout (outcome timeout)',
  },
  PlacementsPaced: {
    unit: 'Count',
    kind: 'counter',
    dimensions: ['reason'],
    help: "Placements that wait for the responder's line: on another call, or resting between calls.",
    countedFrom: 'CallDeferred with a line reason (RESPONDER_ON_CALL, RESPONDER_RESTING)',
  },
  PlacementsDeferred: {
    unit: 'Count',
    kind: 'counter',
    dimensions: ['reason'],
    help: "Placements Connect turned away for now (capacity, 5xx), by Connect's error code; retried with backoff.",
    countedFrom: "CallDeferred with Connect's error code",
  },
  DeadLetters: {
    unit: 'Count',
    kind: 'counter',
    dimensions: ['handler'],
    help: 'Deliveries that failed every retry and were kept as dead letters, by the handler they were for.',
    countedFrom: 'the platform: the local EventBridge core when it keeps one; on AWS, Lambda AsyncEventsDropped and EventBridge InvocationsSentToDlq',
  },
  NotificationsSent: {
    unit: 'Count',
    kind: 'counter',
    dimensions: [],
    help: 'Notifications the notify handler sent to the notification target: an incident nobody answered, a roster handed over, a placement that keeps failing.',
    countedFrom: 'the notify handler (dead letters are told by the dead-letter alarms, on AWS CloudWatch itself: not counted here)',
  },
  MonitorsSilent: {
    unit: 'Count',
    kind: 'counter',
    dimensions: ['system'],
    help: 'Heartbeat monitors that went silent (no heartbeat for interval + grace): the watchers themselves failing.',
    countedFrom: 'the AlertReceived the heartbeat handler publishes for a late monitor (source yobidashi.heartbeat, firing): metricsOfForeign',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

type DimensionsOf<N extends MetricName> = { [D in (typeof METRICS)[N]['dimensions'][number]]: string };

/** One measurement: a count (usually 1) or a measured value, with exactly its metric's dimensions. */
export type MetricPoint = { [N in MetricName]: { name: N; value: number; dimensions: DimensionsOf<N> } }[MetricName];

/** The line reasons of a CallDeferred (domain/line.ts); any other reason is Connect's error code. */
export const LINE_WAIT_REASONS = ['RESPONDER_ON_CALL', 'RESPONDER_RESTING'] as const;

const seconds = (fromIso: string, toIso: string): number | undefined => {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
};

/** The points one published event counts for. Pure: the same event always counts the same. */
export function metricsOf(event: OwnEvent): MetricPoint[] {
  switch (event.detailType) {
    case 'AlertRejected':
      return [{ name: 'AlertsRejected', value: 1, dimensions: {} }];
    case 'IncidentOpened':
      return [{ name: 'IncidentsOpened', value: 1, dimensions: { system: event.detail.system } }];
    case 'IncidentSuppressed':
      return [{ name: 'IncidentsSuppressed', value: 1, dimensions: { system: event.detail.system } }];
    case 'IncidentAcknowledged': {
      const { at, openedAt, system = 'unknown' } = event.detail;
      // Acknowledging a re-page: the incident was counted (and timed) when first acknowledged.
      if (event.detail.repage !== undefined) return [];
      const points: MetricPoint[] = [{ name: 'IncidentsAcknowledged', value: 1, dimensions: { system } }];
      const elapsed = openedAt === undefined ? undefined : seconds(openedAt, at);
      if (elapsed !== undefined) points.push({ name: 'TimeToAcknowledge', value: elapsed, dimensions: { system } });
      return points;
    }
    case 'Silenced':
    case 'IncidentSilenced':
      return [{ name: 'IncidentsSilenced', value: 1, dimensions: {} }];
    case 'IncidentResolved':
      return [{ name: 'IncidentsResolved', value: 1, dimensions: {} }];
    case 'IncidentExhausted':
      return [{ name: 'IncidentsExhausted', value: 1, dimensions: {} }];
    case 'RosterExhausted':
      return [{ name: 'RostersExhausted', value: 1, dimensions: {} }];
    case 'IncidentRepaged':
      return [{ name: 'IncidentsRepaged', value: 1, dimensions: { system: event.detail.system } }];
    case 'CallPlaced':
      return [{ name: 'CallsPlaced', value: 1, dimensions: {} }];
    case 'CallEnded':
      return [{ name: 'CallsEnded', value: 1, dimensions: { outcome: event.detail.outcome } }];
    case 'CallTimeout':
      return [{ name: 'CallsEnded', value: 1, dimensions: { outcome: 'timeout' } }];
    case 'CallDeferred': {
      const { reason } = event.detail;
      const line = (LINE_WAIT_REASONS as readonly string[]).includes(reason);
      return [{ name: line ? 'PlacementsPaced' : 'PlacementsDeferred', value: 1, dimensions: { reason } }];
    }
    // Bookkeeping, not things that happened to an incident: nothing to count.
    case 'Escalated':
    case 'CallCheckDue':
    case 'SweepDue':
    case 'SilenceAdded':
    case 'MaintenanceWindowOpened':
    case 'HeartbeatMissed':
    case 'HeartbeatChanged':
    case 'HeartbeatRecheck':
    case 'RepageDue':
      return [];
  }
}

/**
 * The points a finished delivery counts for, for what no own event says: the alerts an
 * AlertReceived carried (each alert of a batch, as alert-received reads them). Anything else: none.
 */
export function metricsOfDelivery(envelope: Pick<Envelope, 'detail-type' | 'detail'>): MetricPoint[] {
  if (envelope['detail-type'] !== 'AlertReceived') return [];
  const { alerts, rejected } = parseAlertReceived(envelope.detail);
  const count = alerts.length + rejected.length;
  return count > 0 ? [{ name: 'AlertsReceived', value: count, dimensions: {} }] : [];
}

/**
 * Points for an event from outside our catalog that a handler published: a heartbeat monitor gone
 * silent is told as an AlertReceived from `yobidashi.heartbeat` (handlers/heartbeat.ts), counted
 * here as MonitorsSilent (its return, a resolved alert, counts nothing). Everything else: none.
 */
export function metricsOfForeign(event: { source: string; detailType: string; detail: unknown }): MetricPoint[] {
  if (event.source !== HEARTBEAT_ALERT_SOURCE || event.detailType !== 'AlertReceived') return [];
  return parseAlertReceived(event.detail)
    .alerts.filter((alert) => alert.status === 'firing')
    .map((alert) => ({ name: 'MonitorsSilent' as const, value: 1, dimensions: { system: alert.system } }));
}
