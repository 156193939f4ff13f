import type { HandlerName } from '../events/routes.ts';
import type { Settings } from './lib/deps.ts';
import type { Bus, Clock, FailedDeliveries, Logger, Metrics, Notifier, Scheduler, Store, Telephony } from './ports.ts';

/**
 * Which port methods each handler may call: the one place its reach into AWS is declared. Each
 * factory takes `DepsFor<its name>`, whose ports have exactly these methods, so TypeScript rejects a
 * handler (or a helper it calls: handlers/lib narrows its parameters to what it uses) that calls
 * anything undeclared. infra/aws/permissions.ts turns these lists into each function's IAM role, and
 * test/infra/iam-simulation.test.ts checks that role against every call listed here.
 *
 * Clock, logger, metrics and settings are not AWS calls and are always there (metrics go to stdout
 * as CloudWatch embedded metric format on Lambda: no IAM permission).
 */
export type FunctionName = HandlerName | 'flow-result';

export interface PortNeeds {
  store: readonly (keyof Store)[];
  telephony: readonly (keyof Telephony)[];
  scheduler: readonly (keyof Scheduler)[];
  bus: readonly (keyof Bus)[];
  failures: readonly (keyof FailedDeliveries)[];
  notifier: readonly (keyof Notifier)[];
}

export type PortName = keyof PortNeeds;
export const PORT_NAMES = ['store', 'telephony', 'scheduler', 'bus', 'failures', 'notifier'] as const satisfies readonly PortName[];

/**
 * What the shared helpers reach (handlers/lib), spelled once so the entries below read as sums.
 * A bus handler records a rejection on a permanent failure (`onEvent`).
 */
const rejection = ['recordRejection'] as const;
/** updateIncident / publishChange: load, conditional save, arm the new call's first check, publish the outbox. */
const incidentUpdate = { store: ['getIncident', 'saveIncident'], scheduler: ['scheduleOnce'], bus: ['publish'] } as const;
/** placeCurrentCall: the responder's line, the waiting incidents, the call itself, its contact record, deferral with a check. */
const placement = {
  store: [...incidentUpdate.store, 'getLine', 'saveLine', 'createContact'],
  telephony: ['startCall', 'describeCall'],
} as const;
/** releaseLineOf: the line (getLine, saveLine), the incident waiting longest (getIncident), a check for it. */
const lineRelease = ['getLine', 'saveLine', 'getIncident'] as const;

export const HANDLER_NEEDS = {
  // getRoster, getHead, getIncident, listSilences, claimHead, createIncident, recordAlert; resolves
  // through updateIncident; publishChange arms the first check and publishes; rejected alerts are
  // recorded and announced (AlertRejected).
  'alert-received': {
    store: ['getRoster', 'getHead', 'getIncident', 'listSilences', 'claimHead', 'createIncident', 'saveIncident', 'recordAlert', ...rejection],
    telephony: [],
    scheduler: ['scheduleOnce'],
    bus: ['publish'],
    failures: [],
    notifier: [],
  },
  // Reshapes the alarm and publishes it.
  'cloudwatch-alarm': { store: [...rejection], telephony: [], scheduler: [], bus: ['publish'], failures: [], notifier: [] },
  // getIncident, then placement; a retried delivery republishes through updateIncident.
  'place-call': { store: [...placement.store, ...rejection], telephony: [...placement.telephony], scheduler: ['scheduleOnce'], bus: ['publish'], failures: [], notifier: [] },
  // Arms the next check; places an unplaced call (placement); getContact; reconciles with
  // describeCall, hangs up an overdue one (stopCall); reportOutcome (recordOutcome, publish);
  // releaseLineOf.
  'call-check': {
    store: [...placement.store, 'getContact', 'recordOutcome', ...rejection],
    telephony: [...placement.telephony, 'stopCall'],
    scheduler: ['scheduleOnce'],
    bus: ['publish'],
    failures: [],
    notifier: [],
  },
  // updateIncident with the call's outcome; the onExhausted roster, read before deciding (getRoster).
  escalate: { store: [...incidentUpdate.store, 'getRoster', ...rejection], telephony: [], scheduler: [...incidentUpdate.scheduler], bus: [...incidentUpdate.bus], failures: [], notifier: [] },
  // putSilence, then SilenceAdded.
  'record-silence': { store: ['putSilence', ...rejection], telephony: [], scheduler: [], bus: ['publish'], failures: [], notifier: [] },
  // findContacts, the other incidents a merged call speaks for (getIncident), stopCall.
  'stop-call': { store: ['findContacts', 'getIncident', ...rejection], telephony: ['stopCall'], scheduler: [], bus: [], failures: [], notifier: [] },
  // listOpenIncidents, then updateIncident for each one the silence covers. updateIncident may arm
  // a first check (publishChange): a silenced incident never asks for a call, but the type cannot
  // know that, so the scheduler is declared (and granted) rather than assumed away. A maintenance
  // window: its silence read again when a window opens (listSilences), the next window's start
  // armed (scheduleOnce).
  'apply-silence': {
    store: ['listOpenIncidents', 'listSilences', ...incidentUpdate.store, ...rejection],
    telephony: [],
    scheduler: [...incidentUpdate.scheduler],
    bus: [...incidentUpdate.bus],
    failures: [],
    notifier: [],
  },
  // findContacts; noteConnected; describeCall when the event names no reason; reportOutcome; releaseLineOf.
  'contact-event': {
    store: ['findContacts', 'noteConnected', 'recordOutcome', ...lineRelease, ...rejection],
    telephony: ['describeCall'],
    scheduler: ['scheduleOnce'],
    bus: ['publish'],
    failures: [],
    notifier: [],
  },
  // listOpenIncidents; a CallCheckDue for each stale one; redrives failed deliveries.
  // listOpenIncidents, a check for each stale one (publish); every maintenance window (listAllSilences):
  // silences what a window in force covers (updateIncident) and arms the next start (scheduleOnce); redrive.
  sweep: { store: ['listOpenIncidents', 'listAllSilences', ...incidentUpdate.store, ...rejection], telephony: [], scheduler: ['scheduleOnce'], bus: ['publish'], failures: ['redrive'], notifier: [] },
  // recordEvent (replays included).
  timeline: { store: ['recordEvent', ...rejection], telephony: [], scheduler: [], bus: [], failures: [], notifier: [] },
  // getContact; an early contact (getIncident, createContact, getContact); reportOutcome. Connect
  // invokes it synchronously, so it records no rejection.
  'flow-result': { store: ['getContact', 'getIncident', 'createContact', 'recordOutcome'], telephony: [], scheduler: [], bus: ['publish'], failures: [], notifier: [] },
  // The incident (getIncident) and its calls (listContacts) to say who was called; the claim that
  // makes each condition notify once (claimNotification, markNotificationSent); the publish (notify).
  notify: {
    store: ['getIncident', 'listContacts', 'claimNotification', 'markNotificationSent', ...rejection],
    telephony: [],
    scheduler: [],
    bus: [],
    failures: [],
    notifier: ['notify'],
  },
  // IncidentAcknowledged: the incident (getIncident) and its roster (getRoster), then the re-page's
  // schedule (scheduleOnce). RepageDue: the incident, its roster, the group's head (getHead), the
  // system's silences (listSilences), then updateIncident (the re-page's first check, its events).
  repage: {
    store: [...incidentUpdate.store, 'getRoster', 'getHead', 'listSilences', ...rejection],
    telephony: [],
    scheduler: [...incidentUpdate.scheduler],
    bus: [...incidentUpdate.bus],
    failures: [],
    notifier: [],
  },
  // The monitor (getMonitor, conditional saveMonitor); its one schedule moved (reschedule) or
  // deleted (cancel); the AlertReceived its silence or return is told as (publish); a return's
  // rechecks (scheduleOnce).
  heartbeat: {
    store: ['getMonitor', 'saveMonitor', ...rejection],
    telephony: [],
    scheduler: ['reschedule', 'cancel', 'scheduleOnce'],
    bus: ['publish'],
    failures: [],
    notifier: [],
  },
} as const satisfies Record<FunctionName, PortNeeds>;

type Declared<N extends FunctionName, P extends PortName> = (typeof HANDLER_NEEDS)[N][P][number];

/** The ports one handler gets: exactly the declared methods of each (a full Deps is assignable). */
export interface DepsFor<N extends FunctionName> {
  store: Pick<Store, Declared<N, 'store'>>;
  telephony: Pick<Telephony, Declared<N, 'telephony'>>;
  scheduler: Pick<Scheduler, Declared<N, 'scheduler'>>;
  bus: Pick<Bus, Declared<N, 'bus'>>;
  failures: Pick<FailedDeliveries, Declared<N, 'failures'>>;
  notifier: Pick<Notifier, Declared<N, 'notifier'>>;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  settings: Settings;
}
