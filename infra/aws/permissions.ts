import type { HandlerName } from '../../events/routes.ts';
import type { TABLE_KEYS } from '../store/entities.ts';

/**
 * What each function calls, and so all its role may do. Derived from the handler code and the
 * Store methods it reaches (infra/store/repository.ts): ElectroDB get → GetItem; create and put,
 * conditional or not → PutItem; patch → UpdateItem; query → Query on the table or on the index the
 * query names. Every bus handler also PutItems: on a permanent failure `onEvent` records a
 * rejection (handlers/lib/deps.ts). A handler that arms checks (handlers/lib/checks.ts, reached
 * through publishChange and placement) schedules.
 */
export type FunctionName = HandlerName | 'flow-result';

export type IndexName = (typeof TABLE_KEYS.globalIndexes)[number]['indexName'];

export interface FunctionNeeds {
  /** Item operations on the table. */
  dynamodb: readonly ('GetItem' | 'PutItem' | 'UpdateItem')[];
  /**
   * What it runs dynamodb:Query on: the table's own keys ('table', e.g. a system's silences) and
   * the global secondary indexes by name. Each is granted on its own ARN, nothing more.
   */
  queries: readonly ('table' | IndexName)[];
  publishes: boolean;
  connect: readonly ('StartOutboundVoiceContact' | 'StopContact' | 'DescribeContact')[];
  /** Arms call checks: scheduler:CreateSchedule in the check group, iam:PassRole of its role. */
  schedules: boolean;
  /**
   * Hands failed deliveries back to their function (the sweep): reads and deletes messages in the
   * failure queues, and may invoke exactly the bus handler functions.
   */
  redrives: boolean;
  /** The export in infra/aws/functions/handlers.ts. */
  exportName: string;
}

/** The defaults each entry below starts from: nothing. */
const none: Omit<FunctionNeeds, 'exportName'> = { dynamodb: [], queries: [], publishes: false, connect: [], schedules: false, redrives: false };

export const FUNCTION_NEEDS: Record<FunctionName, FunctionNeeds> = {
  // getHead/getIncident/getRoster; claimHead (create | patch), createIncident, saveIncident,
  // recordAlert, recordRejection; listSilences queries the table; arms the first check.
  'alert-received': { ...none, exportName: 'alertReceived', dynamodb: ['GetItem', 'PutItem', 'UpdateItem'], queries: ['table'], publishes: true, schedules: true },
  // Publishes the reshaped alert; PutItem only for a rejection.
  'cloudwatch-alarm': { ...none, exportName: 'cloudwatchAlarm', dynamodb: ['PutItem'], publishes: true },
  // getIncident; the responder's line (getLine, saveLine), waiting incidents (getIncident); a busy
  // line's call asked about (DescribeContact); createContact, saveIncident; starts the call; arms checks.
  'place-call': { ...none, exportName: 'placeCall', dynamodb: ['GetItem', 'PutItem'], publishes: true, connect: ['StartOutboundVoiceContact', 'DescribeContact'], schedules: true },
  // getIncident/getContact; places an unplaced call through the line (as place-call); recordOutcome;
  // releases the line (saveLine) and wakes the longest waiting incident.
  'call-check': {
    ...none,
    exportName: 'callCheck',
    dynamodb: ['GetItem', 'PutItem', 'UpdateItem'],
    publishes: true,
    connect: ['StartOutboundVoiceContact', 'DescribeContact', 'StopContact'],
    schedules: true,
  },
  // getIncident, saveIncident; arms the next call's first check before announcing it.
  escalate: { ...none, exportName: 'escalate', dynamodb: ['GetItem', 'PutItem'], publishes: true, schedules: true },
  // putSilence; announces it (SilenceAdded).
  'record-silence': { ...none, exportName: 'recordSilence', dynamodb: ['PutItem'], publishes: true },
  // findContacts (gsi1, then GetItem) and the incidents a merged call also speaks for (GetItem); StopContact.
  'stop-call': { ...none, exportName: 'stopCall', dynamodb: ['GetItem', 'PutItem'], queries: ['gsi1'], connect: ['StopContact'] },
  // listOpenIncidents (gsi2); getIncident, saveIncident; publishes IncidentSilenced.
  'apply-silence': { ...none, exportName: 'applySilence', dynamodb: ['GetItem', 'PutItem'], queries: ['gsi2'], publishes: true },
  // findContacts (gsi1, then GetItem); noteConnected and recordOutcome patch; releases the line
  // (getLine, saveLine) and wakes the longest waiting incident (getIncident, a check).
  'contact-event': { ...none, exportName: 'contactEvent', dynamodb: ['GetItem', 'PutItem', 'UpdateItem'], queries: ['gsi1'], publishes: true, connect: ['DescribeContact'], schedules: true },
  // listOpenIncidents (the sparse gsi2); publishes checks; redrives failures.
  sweep: { ...none, exportName: 'sweep', dynamodb: ['PutItem'], queries: ['gsi2'], publishes: true, redrives: true },
  timeline: { ...none, exportName: 'timeline', dynamodb: ['PutItem'] },
  // getContact; records an early contact (getIncident, createContact); recordOutcome. Not a bus
  // handler (Connect invokes it synchronously), so no rejection record.
  'flow-result': { ...none, exportName: 'flowResult', dynamodb: ['GetItem', 'PutItem', 'UpdateItem'], publishes: true },
};
