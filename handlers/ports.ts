import type { NormalisedAlert } from '../events/alerts.ts';
import type { CallOutcome, OwnEvent } from '../events/catalog.ts';
import type { MetricPoint } from '../events/metrics.ts';
import type { Incident } from '../domain/incident.ts';
import type { Monitor } from '../domain/heartbeat.ts';
import type { Line } from '../domain/line.ts';
import type { Notification, NotificationKind } from '../domain/notification.ts';
import type { Roster } from '../domain/roster.ts';
import type { Silence } from '../domain/silence.ts';

/**
 * What handlers need from the world, kept narrow. Each port has an AWS SDK v3 adapter
 * (infra/aws/adapters) and an in-memory one (infra/memory) so the same handler code runs in Lambda,
 * in the local runtime and in tests.
 */

export interface Clock {
  now(): number;
}

/** An event from outside our catalog, e.g. the AlertReceived the CloudWatch handler reshapes. */
export interface ForeignEvent {
  source: string;
  detailType: string;
  detail: unknown;
}

export interface Bus {
  /** Own events go out with source `yobidashi`. Throws if any entry was not accepted. */
  publish(events: readonly (OwnEvent | ForeignEvent)[]): Promise<void>;
}

/**
 * Counts and measurements, by the metric catalog (events/metrics.ts). On Lambda the points are
 * written as CloudWatch embedded metric format when the invocation ends; locally they go into the
 * runtime's registry (`GET /api/metrics`). Recording never fails a handler and never waits.
 */
export interface Metrics {
  record(points: readonly MetricPoint[]): void;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * Where a person hears that the on-call process failed (domain/notification.ts): an SNS topic on
 * AWS (email, SMS, AWS Chatbot), the local runtime's topic locally (`GET /api/notifications`).
 */
export interface Notifier {
  /** Publishes one notification; the target's message id. Throws if it was not accepted. */
  notify(notification: Notification): Promise<{ messageId: string }>;
}

export interface Scheduler {
  /** One-time schedule that puts `event` on the bus at `atMs`; same name twice is a no-op. */
  scheduleOnce(name: string, atMs: number, event: OwnEvent): Promise<void>;
  /**
   * The one schedule of that name puts `event` on the bus at `atMs`, wherever it stood before
   * (created if missing, moved and its event replaced if not; it stays after it fires, to be moved
   * again). A heartbeat monitor's deadline.
   */
  reschedule(name: string, atMs: number, event: OwnEvent): Promise<void>;
  cancel(name: string): Promise<void>;
}

/**
 * The on-failure destination of the bus handlers: deliveries that failed every retry the platform
 * made (on AWS: Lambda's async retries, then an SQS queue). The sweep hands recent ones back to the
 * function that failed them, so a transient outage longer than the retries loses nothing.
 */
export interface FailedDeliveries {
  /** Re-delivers up to `limit` failures younger than `maxAgeMs`; older ones stay for a person. */
  redrive(options: { now: number; maxAgeMs: number; limit: number }): Promise<{ redriven: number; kept: number }>;
}

export interface StartCallRequest {
  /** Makes the start idempotent for 7 days (Connect ClientToken). */
  clientToken: string;
  destination: string;
  attributes: Record<string, string>;
}

export type ContactState =
  | { state: 'active'; connected: boolean }
  | { state: 'ended'; connected: boolean; disconnectReason?: string; endedAt?: number }
  | { state: 'unknown' };

/** Connect refused the call outright (bad number, destination not allowed): retrying will not help. */
export class CallRejectedError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'CallRejectedError';
  }
}

export interface Telephony {
  startCall(request: StartCallRequest): Promise<{ contactId: string }>;
  stopCall(contactId: string): Promise<void>;
  describeCall(contactId: string): Promise<ContactState>;
}

/** One call attempt as stored (the article's call-history table: check_flag, discon_reason). */
export interface ContactRecord {
  incidentId: string;
  attempt: number;
  contactId: string;
  responderIndex: number;
  responderName: string;
  /** Masked: the full number stays in the roster only. */
  destination: string;
  placedAt: number;
  connectedAt?: number;
  endedAt?: number;
  digits?: string;
  outcome?: CallOutcome;
  silenceHours?: number;
  /** The article's name: true when the alert was acknowledged on this call. */
  check_flag: boolean;
  discon_reason?: string;
  via?: 'contact-flow' | 'contact-event' | 'reconcile' | 'timeout';
  /** The call through the responder's line (Connect's ClientToken) and that line. */
  callId?: string;
  lineId?: string;
  /** Every incident the call covered (a merged call), this one included. */
  covers?: string[];
}

export type OutcomeUpdate = Required<Pick<ContactRecord, 'outcome' | 'endedAt' | 'via'>> &
  Pick<ContactRecord, 'digits' | 'silenceHours' | 'discon_reason'>;

export interface IncidentHead {
  dedupKey: string;
  generation: number;
  incidentId: string;
}

export interface AlertRecord {
  incidentId: string;
  alertId: string;
  receivedAt: number;
  source: string;
  alert: NormalisedAlert;
  /** What became of it: opened the incident, joined it, resolved it, or was suppressed. */
  disposition: 'opened' | 'joined' | 'resolved' | 'suppressed' | 'unmatched';
}

export interface TimelineEvent {
  incidentId: string;
  eventId: string;
  detailType: string;
  time: string;
  detail: unknown;
  replayName?: string;
}

/** A notification's claim, before its publish: what it is about, not its text. */
export interface NotificationClaim {
  notificationId: string;
  kind: NotificationKind;
  subject: string;
  incidentId?: string;
  system?: string;
  claimedAt: number;
}

/** A notification as the table keeps it (what was sent, when, and SNS's message id). */
export interface NotificationRecord extends NotificationClaim {
  state: 'sending' | 'sent';
  sentAt?: number;
  messageId?: string;
}

export interface RejectionRecord {
  rejectionId: string;
  at: number;
  source: string;
  sourceEventId: string;
  reason: string;
  issues: string[];
  input: string;
}

/** What a summary reads of an incident: a projection, without its roster, alert or outbox. */
export type IncidentBrief = Pick<Incident, 'incidentId' | 'system' | 'status' | 'openedAt' | 'closedAt' | 'attempt'>;

export interface Timeline {
  incident: Incident | undefined;
  alerts: AlertRecord[];
  contacts: ContactRecord[];
  events: TimelineEvent[];
}

export interface Store {
  getHead(dedupKey: string): Promise<IncidentHead | undefined>;
  /** Moves the head from `fromGeneration` to the new incident; false if someone else got there first. */
  claimHead(head: IncidentHead, fromGeneration: number): Promise<boolean>;
  getIncident(incidentId: string): Promise<Incident | undefined>;
  /** false if an incident with that id already exists. */
  createIncident(incident: Incident): Promise<boolean>;
  /** Conditional on the stored version being `expectedVersion`; false on a lost race. */
  saveIncident(incident: Incident, expectedVersion: number): Promise<boolean>;
  listIncidents(limit: number): Promise<Incident[]>;
  /** Every incident still `open` (a sparse index: cheap however long the history). */
  listOpenIncidents(): Promise<Incident[]>;
  /** Incidents opened in [fromMs, toMs), newest first, at most `limit`: a range of the recent index, projected. */
  listIncidentsOpened(fromMs: number, toMs: number, limit: number): Promise<IncidentBrief[]>;

  recordAlert(record: AlertRecord): Promise<void>;

  /** false if that attempt already has its contact (a retried placement). */
  createContact(record: ContactRecord): Promise<boolean>;
  getContact(incidentId: string, attempt: number): Promise<ContactRecord | undefined>;
  findContact(contactId: string): Promise<ContactRecord | undefined>;
  /** Every incident's record of one call (a merged call has several). */
  findContacts(contactId: string): Promise<ContactRecord[]>;
  /** One incident's contact records in attempt order (its partition's contacts, not its alerts and events). */
  listContacts(incidentId: string): Promise<ContactRecord[]>;
  /** First writer wins: returns the stored record when an outcome was already there. */
  recordOutcome(
    incidentId: string,
    attempt: number,
    update: OutcomeUpdate,
  ): Promise<{ recorded: true } | { recorded: false; existing: ContactRecord | undefined }>;
  noteConnected(incidentId: string, attempt: number, atMs: number): Promise<void>;

  getLine(lineId: string): Promise<Line | undefined>;
  /** Conditional on the stored version being `expectedVersion` (0: the line does not exist yet); false on a lost race. */
  saveLine(line: Line, expectedVersion: number): Promise<boolean>;

  putRoster(roster: Roster): Promise<void>;
  getRoster(system: string): Promise<Roster | undefined>;
  listRosters(): Promise<Roster[]>;

  putSilence(silence: Silence): Promise<void>;
  listSilences(system: string): Promise<Silence[]>;
  listAllSilences(): Promise<Silence[]>;
  deleteSilence(system: string, silenceId: string): Promise<boolean>;

  recordEvent(event: TimelineEvent): Promise<void>;
  timeline(incidentId: string): Promise<Timeline>;

  recordRejection(record: RejectionRecord): Promise<void>;
  listRejections(limit: number): Promise<RejectionRecord[]>;

  /**
   * The gate that makes a notification go out once per condition (its notificationId): `claimed`
   * when this caller should publish it (new, or a claim older than `staleBefore` whose publisher
   * died), `sent` when it went out already, `busy` while someone else is publishing it.
   */
  claimNotification(record: NotificationClaim, staleBefore: number): Promise<'claimed' | 'sent' | 'busy'>;
  /** The claim's publish was accepted: later deliveries of the same condition see `sent`. */
  markNotificationSent(notificationId: string, sentAt: number, messageId: string): Promise<void>;
  /** Newest first. */
  listNotifications(limit: number): Promise<NotificationRecord[]>;

  /** A heartbeat monitor (domain/heartbeat.ts), read consistently. */
  getMonitor(system: string, name: string): Promise<Monitor | undefined>;
  /** Conditional on the stored version being `expectedVersion` (0: it does not exist yet); false on a lost race. */
  saveMonitor(monitor: Monitor, expectedVersion: number): Promise<boolean>;
  /** Every monitor, by system and name. */
  listMonitors(): Promise<Monitor[]>;
  /** Conditional on the stored version; false if it is gone or changed meanwhile. */
  deleteMonitor(system: string, name: string, expectedVersion: number): Promise<boolean>;
}
