import { HANDLER_NEEDS, PORT_NAMES, type FunctionName, type PortName, type PortNeeds } from '../../handlers/needs.ts';
import type { Bus, FailedDeliveries, Notifier, Scheduler, Store, Telephony } from '../../handlers/ports.ts';
import { HANDLER_NAMES } from '../../events/routes.ts';
import type { TABLE_KEYS } from '../store/entities.ts';

/**
 * Each function's IAM role, derived rather than written by hand: handlers/needs.ts declares which
 * port methods a handler may call (TypeScript holds the handler to it), and the tables below say
 * which AWS calls each port method makes through its adapter, on which of the stack's resources.
 * infra/aws/constructs/functions.ts builds the roles from FUNCTION_NEEDS; the IAM simulation test
 * (test/infra/iam-simulation.test.ts) checks every derived call is allowed and little else is.
 */
export type { FunctionName } from '../../handlers/needs.ts';

export type IndexName = (typeof TABLE_KEYS.globalIndexes)[number]['indexName'];

/**
 * The stack resource a call acts on; the role builder turns each into ARNs:
 * `table` and `table/index/<gsi>` the single table; `bus` the yobidashi bus; `connect:contact` the
 * instance's contacts (`instance/<id>/contact/*`); `schedule:checks` the check group's schedules
 * (`schedule/yobidashi-checks/*`); `role:scheduler` the role Scheduler assumes; `queue:failures`
 * the queues the sweep redrives from; `function:bus-handlers` the bus handlers' functions;
 * `log-group` the function's own log group; `queue:on-failure` the bus handlers' on-failure
 * queue; `topic:notifications` the notification topic (the stack's own, or `notifyTopicArn`); `*`
 * where AWS authorizes the action on no narrower resource.
 */
export type AwsResource =
  | 'table'
  | `table/index/${IndexName}`
  | 'bus'
  | 'connect:contact'
  | 'schedule:checks'
  | 'role:scheduler'
  | 'queue:failures'
  | 'function:bus-handlers'
  | 'log-group'
  | 'queue:on-failure'
  | 'topic:notifications'
  | '*';

export interface AwsCall {
  /** The IAM action, `service:Action`. */
  action: string;
  resource: AwsResource;
  /** Conditions the grant carries; the simulation test sends the matching request context. */
  conditions?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const call = (action: string, resource: AwsResource, conditions?: AwsCall['conditions']): AwsCall => (conditions ? { action, resource, conditions } : { action, resource });
const getItem = call('dynamodb:GetItem', 'table');
const putItem = call('dynamodb:PutItem', 'table');
const updateItem = call('dynamodb:UpdateItem', 'table');
const deleteItem = call('dynamodb:DeleteItem', 'table');
const query = (on: 'table' | IndexName): AwsCall => call('dynamodb:Query', on === 'table' ? 'table' : `table/index/${on}`);

/**
 * Store (infra/store/repository.ts, ElectroDB on the single table): get → GetItem; create and put,
 * conditional or not → PutItem; patch → UpdateItem; remove → DeleteItem; a query → Query on the
 * table or on the index the entity's access pattern names (infra/store/entities.ts).
 */
export const STORE_CALLS: { readonly [M in keyof Store]: readonly AwsCall[] } = {
  // head.get, consistent.
  getHead: [getItem],
  // head.create for a first generation, head.patch (conditional on the generation) after that.
  claimHead: [putItem, updateItem],
  // incident.get, consistent.
  getIncident: [getItem],
  // incident.create (conditional: not there yet).
  createIncident: [putItem],
  // incident.put, conditional on the stored version.
  saveIncident: [putItem],
  // incident.query.recent: gsi1.
  listIncidents: [query('gsi1')],
  // incident.query.live: the sparse gsi2 (open incidents only).
  listOpenIncidents: [query('gsi2')],
  // incident.query.recent between two openings: gsi1.
  listIncidentsOpened: [query('gsi1')],
  // alert.put.
  recordAlert: [putItem],
  // contact.create (conditional).
  createContact: [putItem],
  // contact.get, consistent.
  getContact: [getItem],
  // contact.query.byContactId (gsi1), then the item itself (the index lags).
  findContact: [query('gsi1'), getItem],
  // contact.query.byContactId (gsi1), then each item itself.
  findContacts: [query('gsi1'), getItem],
  // contact.query.primary: the table's own keys (the incident's partition).
  listContacts: [query('table')],
  // contact.patch (conditional: no outcome yet); on a lost race, the stored record (getContact).
  recordOutcome: [updateItem, getItem],
  // contact.patch (conditional: not noted yet).
  noteConnected: [updateItem],
  // line.get, consistent.
  getLine: [getItem],
  // line.create for version 0, else line.put conditional on the version.
  saveLine: [putItem],
  // roster.put.
  putRoster: [putItem],
  // roster.get, consistent.
  getRoster: [getItem],
  // roster.query.all: gsi1.
  listRosters: [query('gsi1')],
  // silence.put.
  putSilence: [putItem],
  // silence.query.primary: the table's own keys (one system's silences).
  listSilences: [query('table')],
  // silence.query.all: gsi1.
  listAllSilences: [query('gsi1')],
  // silence.remove (conditional: it exists).
  deleteSilence: [deleteItem],
  // timelineEvent.put.
  recordEvent: [putItem],
  // the timeline collection: one Query on the table's keys (the incident's partition).
  timeline: [query('table')],
  // rejection.put.
  recordRejection: [putItem],
  // rejection.query.primary: the table's own keys.
  listRejections: [query('table')],
  // notification.create (conditional: new); else notification.get, consistent, and a conditional
  // notification.patch taking over a stale claim.
  claimNotification: [putItem, getItem, updateItem],
  // notification.patch.
  markNotificationSent: [updateItem],
  // notification.query.recent: gsi1.
  listNotifications: [query('gsi1')],
  // monitor.get, consistent.
  getMonitor: [getItem],
  // monitor.create for version 0, else monitor.put conditional on the version.
  saveMonitor: [putItem],
  // monitor.query.all: gsi1.
  listMonitors: [query('gsi1')],
  // monitor.delete, conditional on the version.
  deleteMonitor: [deleteItem],
};

/** Telephony (infra/aws/adapters/connect.ts, Amazon Connect). */
export const TELEPHONY_CALLS: { readonly [M in keyof Telephony]: readonly AwsCall[] } = {
  // StartOutboundVoiceContact. The Service Authorization Reference lists no resource type for it,
  // so IAM evaluates it against `*`: a grant naming the instance, the flow or the queue would not
  // match, and every call would be denied. Granted on `*` (the simulation test decides this; see
  // docs/aws.md, IAM). Which instance, flow and caller ID are used is fixed by the function's
  // environment, not by the caller.
  startCall: [call('connect:StartOutboundVoiceContact', '*')],
  // StopContact on one of the instance's contacts.
  stopCall: [call('connect:StopContact', 'connect:contact')],
  // DescribeContact on one of the instance's contacts.
  describeCall: [call('connect:DescribeContact', 'connect:contact')],
};

/** Scheduler (infra/aws/adapters/scheduler.ts, EventBridge Scheduler). */
export const SCHEDULER_CALLS: { readonly [M in keyof Scheduler]: readonly AwsCall[] } = {
  // CreateSchedule in the check group, whose target names the scheduler role: creating it passes
  // that role to Scheduler (iam:PassRole, only to scheduler.amazonaws.com).
  scheduleOnce: [
    call('scheduler:CreateSchedule', 'schedule:checks'),
    call('iam:PassRole', 'role:scheduler', { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } }),
  ],
  // UpdateSchedule in the check group, CreateSchedule when it does not exist yet (each names the
  // scheduler role: iam:PassRole, only to scheduler.amazonaws.com).
  reschedule: [
    call('scheduler:UpdateSchedule', 'schedule:checks'),
    call('scheduler:CreateSchedule', 'schedule:checks'),
    call('iam:PassRole', 'role:scheduler', { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } }),
  ],
  // DeleteSchedule in the check group.
  cancel: [call('scheduler:DeleteSchedule', 'schedule:checks')],
};

/** Bus (infra/aws/adapters/event-bus.ts): PutEvents on the yobidashi bus, up to 10 entries a call. */
export const BUS_CALLS: { readonly [M in keyof Bus]: readonly AwsCall[] } = {
  publish: [call('events:PutEvents', 'bus')],
};

/** FailedDeliveries (infra/aws/adapters/failed-deliveries.ts, SQS and Lambda). */
export const FAILURES_CALLS: { readonly [M in keyof FailedDeliveries]: readonly AwsCall[] } = {
  // ReceiveMessage, DeleteMessage and ChangeMessageVisibilityBatch (authorized as
  // sqs:ChangeMessageVisibility) on the queues it reads; an asynchronous Invoke of the function a
  // failed delivery was for, which is always one of the bus handlers.
  redrive: [
    call('sqs:ReceiveMessage', 'queue:failures'),
    call('sqs:DeleteMessage', 'queue:failures'),
    call('sqs:ChangeMessageVisibility', 'queue:failures'),
    call('lambda:InvokeFunction', 'function:bus-handlers'),
  ],
};

/** Notifier (infra/aws/adapters/notifier.ts): Publish to the notification topic, and nothing else. */
export const NOTIFIER_CALLS: { readonly [M in keyof Notifier]: readonly AwsCall[] } = {
  notify: [call('sns:Publish', 'topic:notifications')],
};

/** The mapping, port by port. */
export const PORT_CALLS: { readonly [P in PortName]: Readonly<Record<PortNeeds[P][number], readonly AwsCall[]>> } = {
  store: STORE_CALLS,
  telephony: TELEPHONY_CALLS,
  scheduler: SCHEDULER_CALLS,
  bus: BUS_CALLS,
  failures: FAILURES_CALLS,
  notifier: NOTIFIER_CALLS,
};

/**
 * Calls the platform makes with the function's role, whatever the handler does: Lambda writes the
 * function's logs (CreateLogStream, PutLogEvents on its own log group, whose ARN ends in `:*` and
 * so covers its streams); for a bus handler, Lambda writes the record of an event that failed every
 * retry to the on-failure queue (SendMessage, with the function's role).
 */
export function platformCalls(name: FunctionName): AwsCall[] {
  const logs = [call('logs:CreateLogStream', 'log-group'), call('logs:PutLogEvents', 'log-group')];
  return isBusHandler(name) ? [...logs, call('sqs:SendMessage', 'queue:on-failure')] : logs;
}

/** Functions a rule invokes asynchronously; flow-result is invoked by Connect and waits for it. */
export function isBusHandler(name: FunctionName): name is (typeof HANDLER_NAMES)[number] {
  return (HANDLER_NAMES as readonly string[]).includes(name);
}

export const callKey = (c: AwsCall): string => `${c.action} ${c.resource}${c.conditions ? ` ${JSON.stringify(c.conditions)}` : ''}`;

/** Every AWS call a handler's declared ports can make, each once, in a stable order. */
export function portCalls(needs: PortNeeds): AwsCall[] {
  const calls = new Map<string, AwsCall>();
  for (const port of PORT_NAMES) {
    const table = PORT_CALLS[port] as Readonly<Record<string, readonly AwsCall[]>>;
    for (const method of needs[port]) for (const c of table[method] ?? []) calls.set(callKey(c), c);
  }
  return [...calls.values()].sort((a, b) => callKey(a).localeCompare(callKey(b)));
}

export interface FunctionNeeds {
  /** What the handler declared (handlers/needs.ts). */
  ports: PortNeeds;
  /** Every AWS call its role must allow: the ports' calls, then the platform's. */
  calls: readonly AwsCall[];
}

function needsOf(name: FunctionName): FunctionNeeds {
  const ports: PortNeeds = HANDLER_NEEDS[name];
  return { ports, calls: [...portCalls(ports), ...platformCalls(name)] };
}

/** Every function's needs, derived: one entry per handler of HANDLER_NEEDS. */
export const FUNCTION_NEEDS = Object.fromEntries((Object.keys(HANDLER_NEEDS) as FunctionName[]).map((name) => [name, needsOf(name)])) as Record<FunctionName, FunctionNeeds>;

/** Whether the function's handler calls that port at all (it then gets the port's settings). */
export const usesPort = (name: FunctionName, port: PortName): boolean => FUNCTION_NEEDS[name].ports[port].length > 0;
