import { CONTACT_EVENT_DETAIL_TYPE } from './connect.ts';
import { LINE_WAIT_REASONS } from '../domain/incident.ts';
import { PLACEMENT_FAILING } from '../domain/notification.ts';
import { OWN_SOURCE } from './envelope.ts';
import { HEARTBEAT_DETAIL_TYPE } from './heartbeats.ts';
import type { EventPattern } from './pattern/index.ts';

/**
 * The routing table: which handler reacts to which events on the `yobidashi` bus. The CDK stack
 * makes one rule per route from this list and the local runtime's bus applies the same patterns,
 * so the two cannot disagree.
 */

export const HANDLER_NAMES = [
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
  'timeline',
  'notify',
  'heartbeat',
  'repage',
] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export interface Route {
  name: string;
  description: string;
  eventPattern: EventPattern;
  handler: HandlerName;
  /**
   * True when the handler changes the world (places calls, writes state, publishes events).
   * Such routes never see replayed archive events: auditors replay to rebuild views, not to page
   * people again.
   */
  sideEffects: boolean;
}

const NOT_A_REPLAY = { 'replay-name': [{ exists: false }] } as const;

function own(detailTypes: string[]): EventPattern {
  return { source: [OWN_SOURCE], 'detail-type': detailTypes };
}

function route(spec: Omit<Route, 'eventPattern'> & { pattern: EventPattern }): Route {
  const { pattern, ...rest } = spec;
  return { ...rest, eventPattern: spec.sideEffects ? { ...pattern, ...NOT_A_REPLAY } : pattern };
}

export const ROUTES: readonly Route[] = [
  route({
    name: 'alert-received',
    description: 'Validate, group and silence-check incoming alerts; open incidents.',
    pattern: { 'detail-type': ['AlertReceived'] },
    handler: 'alert-received',
    sideEffects: true,
  }),
  route({
    name: 'cloudwatch-alarm',
    description: 'Reshape CloudWatch alarm state changes into AlertReceived.',
    pattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] },
    handler: 'cloudwatch-alarm',
    sideEffects: true,
  }),
  route({
    name: 'place-call',
    description: 'Place the call an Escalated event asks for and schedule its safety-net check.',
    pattern: own(['Escalated']),
    handler: 'place-call',
    sideEffects: true,
  }),
  route({
    name: 'call-check',
    description: 'The 30-second safety net: reconcile a missed call end or time the call out.',
    pattern: own(['CallCheckDue']),
    handler: 'call-check',
    sideEffects: true,
  }),
  route({
    name: 'escalate',
    description: 'Decide what follows a call: acknowledged, silenced, next responder or exhausted.',
    pattern: own(['CallEnded', 'CallTimeout']),
    handler: 'escalate',
    sideEffects: true,
  }),
  route({
    name: 'record-silence',
    description: 'Store the silence a responder keyed in, so repeat alerts are suppressed.',
    pattern: own(['Silenced']),
    handler: 'record-silence',
    sideEffects: true,
  }),
  route({
    name: 'stop-call',
    description: 'Hang up the call that was ringing when its incident resolved or was silenced.',
    pattern: { ...own(['IncidentResolved', 'IncidentSilenced']), detail: { activeContactId: [{ exists: true }] } },
    handler: 'stop-call',
    sideEffects: true,
  }),
  route({
    name: 'apply-silence',
    description: 'A silence was added, or a maintenance window opened: silence the open incidents it covers, so their calling stops.',
    pattern: own(['SilenceAdded', 'MaintenanceWindowOpened']),
    handler: 'apply-silence',
    sideEffects: true,
  }),
  route({
    name: 'contact-event',
    description: 'Amazon Connect contact events: note answers, end calls the flow did not report.',
    pattern: {
      source: ['aws.connect'],
      'detail-type': [CONTACT_EVENT_DETAIL_TYPE],
      // Contacts yobidashi did not place are ignored by the handler (it knows its own contact ids).
      detail: { eventType: ['CONNECTED_TO_SYSTEM', 'DISCONNECTED'] },
    },
    handler: 'contact-event',
    sideEffects: true,
  }),
  route({
    name: 'sweep',
    description: 'Every few minutes: repair open incidents that lost their check, redrive recent failed deliveries.',
    pattern: own(['SweepDue']),
    handler: 'sweep',
    sideEffects: true,
  }),
  route({
    name: 'notify',
    description: 'Nobody answered (an exhausted incident, a roster whose rounds ran out) or a call Connect keeps refusing: tell the notification target, once per condition.',
    pattern: {
      source: [OWN_SOURCE],
      $or: [
        { 'detail-type': ['IncidentExhausted', 'RosterExhausted'] },
        // Connect turning the call away again and again; waiting for a responder's line is not a failure.
        { 'detail-type': ['CallDeferred'], detail: { reason: [{ 'anything-but': [...LINE_WAIT_REASONS] }], tries: [{ numeric: ['>=', PLACEMENT_FAILING.tries] }] } },
      ],
    },
    handler: 'notify',
    sideEffects: true,
  }),
  route({
    name: 'repage',
    description: "Re-page (roster repageAfterMinutes): an acknowledgement arms its re-page; when it falls due, an incident still acknowledged by it is phoned again, the acknowledger first.",
    pattern: own(['IncidentAcknowledged', 'RepageDue']),
    handler: 'repage',
    sideEffects: true,
  }),
  route({
    name: 'heartbeat',
    description: "Heartbeat monitors (a dead man's switch): a heartbeat registers or re-arms its monitor and resolves its silence; the monitor's schedule (HeartbeatMissed) opens an incident through AlertReceived; an operator's pause, resume or removal (HeartbeatChanged) moves the schedule.",
    pattern: {
      $or: [
        // From any monitor, never as yobidashi itself (own events are ours alone).
        { source: [{ 'anything-but': [OWN_SOURCE] }], 'detail-type': [HEARTBEAT_DETAIL_TYPE] },
        { source: [OWN_SOURCE], 'detail-type': ['HeartbeatMissed', 'HeartbeatChanged', 'HeartbeatRecheck'] },
      ],
    },
    handler: 'heartbeat',
    sideEffects: true,
  }),
  route({
    name: 'timeline',
    description: "Project every yobidashi event onto its incident's timeline (replays rebuild it).",
    pattern: { source: [OWN_SOURCE] },
    handler: 'timeline',
    sideEffects: false,
  }),
];

/**
 * Events that arrive on the account's default bus and must be forwarded to `yobidashi` (AWS
 * services publish there only). Forwarding keeps the source, so the routes above match them.
 */
export const DEFAULT_BUS_FORWARDS: readonly { name: string; eventPattern: EventPattern }[] = [
  {
    name: 'forward-cloudwatch-alarms',
    eventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] },
  },
  {
    name: 'forward-connect-contact-events',
    eventPattern: { source: ['aws.connect'], 'detail-type': [CONTACT_EVENT_DETAIL_TYPE] },
  },
];

