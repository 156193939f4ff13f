import type { HandlerName } from '../../events/routes.ts';

/**
 * What each function calls, and so all its role may do. Derived from the handler code: which Store
 * methods it uses (ElectroDB get → GetItem, create/put → PutItem, patch → UpdateItem, query →
 * Query), whether it publishes, which Connect operations, whether it schedules checks.
 */
export type FunctionName = HandlerName | 'flow-result';

export interface FunctionNeeds {
  dynamodb: ('GetItem' | 'PutItem' | 'UpdateItem' | 'Query')[];
  /** Queries go to the gsi1 index. */
  queriesIndex?: boolean;
  publishes: boolean;
  connect: ('StartOutboundVoiceContact' | 'StopContact' | 'DescribeContact')[];
  schedules: boolean;
  /** The export in infra/aws/functions/handlers.ts. */
  exportName: string;
}

export const FUNCTION_NEEDS: Record<FunctionName, FunctionNeeds> = {
  'alert-received': { exportName: 'alertReceived', dynamodb: ['GetItem', 'PutItem', 'UpdateItem', 'Query'], publishes: true, connect: [], schedules: false },
  'cloudwatch-alarm': { exportName: 'cloudwatchAlarm', dynamodb: [], publishes: true, connect: [], schedules: false },
  'place-call': { exportName: 'placeCall', dynamodb: ['GetItem', 'PutItem'], publishes: true, connect: ['StartOutboundVoiceContact'], schedules: true },
  'call-check': { exportName: 'callCheck', dynamodb: ['GetItem', 'UpdateItem'], publishes: true, connect: ['DescribeContact', 'StopContact'], schedules: true },
  escalate: { exportName: 'escalate', dynamodb: ['GetItem', 'PutItem'], publishes: true, connect: [], schedules: false },
  'record-silence': { exportName: 'recordSilence', dynamodb: ['PutItem'], publishes: false, connect: [], schedules: false },
  'stop-call': { exportName: 'stopCall', dynamodb: [], publishes: false, connect: ['StopContact'], schedules: false },
  sweep: { exportName: 'sweep', dynamodb: ['Query', 'PutItem'], queriesIndex: true, publishes: true, connect: [], schedules: false },
  'contact-event': { exportName: 'contactEvent', dynamodb: ['GetItem', 'UpdateItem', 'Query'], queriesIndex: true, publishes: true, connect: ['DescribeContact'], schedules: false },
  timeline: { exportName: 'timeline', dynamodb: ['PutItem'], publishes: false, connect: [], schedules: false },
  'flow-result': { exportName: 'flowResult', dynamodb: ['GetItem', 'UpdateItem'], publishes: true, connect: [], schedules: false },
};
