import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Roster } from '../../domain/roster.ts';
import type { MonitorChange, MonitorRow } from './monitors.ts';
import type { CallRow, DeadLetterRow, IncidentDetail, IncidentSummary, NotificationRow, SilenceInput, SilenceRow } from './views.ts';

/**
 * One set of operations, two back ends: the local runtime (its /api and its AWS wire faces) and a
 * deployed stack (the real table through ElectroDB, EventBridge, SQS, Lambda, Connect, CloudWatch,
 * found through CloudFormation's outputs). Verbs that mean the same on both (sending an alert,
 * replaying, checking the rules) are written once, over an EventBridge client (infra/cli/events.ts).
 */

/** A problem the operator can act on: printed without a stack trace, exit code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export interface EventBridgeTarget {
  client: EventBridgeClient;
  busName: string;
  busArn: string;
  archiveArn: string;
}

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface Check {
  check: string;
  status: CheckStatus;
  detail: string;
}

export interface Backend {
  readonly kind: 'local' | 'aws';
  /** The endpoint or the stack, for messages. */
  readonly where: string;
  events(): EventBridgeTarget;
  putRosters(rosters: readonly Roster[]): Promise<void>;
  listRosters(): Promise<Roster[]>;
  incidents(limit: number): Promise<IncidentSummary[]>;
  incident(id: string): Promise<IncidentDetail>;
  calls(): Promise<CallRow[]>;
  addSilence(input: SilenceInput): Promise<SilenceRow>;
  listSilences(): Promise<SilenceRow[]>;
  removeSilence(id: string): Promise<void>;
  /** Heartbeat monitors, by system and name. */
  heartbeats(): Promise<MonitorRow[]>;
  /** Pauses, resumes or removes a monitor (a CliError 404 when there is none); the monitor after (none once removed). */
  changeHeartbeat(system: string, name: string, change: MonitorChange): Promise<MonitorRow | undefined>;
  deadLetters(): Promise<DeadLetterRow[]>;
  /** Notifications sent, newest first, at most `limit`. */
  notifications(limit: number): Promise<NotificationRow[]>;
  /** Hands one dead letter (or all) back to its route; returns the ids redriven. */
  redrive(id?: string): Promise<string[]>;
  /** Checks specific to the back end (doctor adds the shared rule check). */
  doctor(): Promise<Check[]>;
}
