import type { EventBridgeCore, PutEventsResultEntry } from '../eventbridge/event-bridge-core.ts';

/**
 * The HTTP alert intake (the stack's AlertUrl, `POST /alerts`): the body becomes an AlertReceived
 * event, as API Gateway's PutEvents integration does on AWS (infra/aws/constructs/http-intake.ts);
 * `POST /heartbeats` beside it makes a Heartbeat the same way.
 * Locally any `x-yobidashi-token` is accepted; a request without one is refused, as on AWS.
 */

/** The intake's event source on AWS (not imported from the construct: it pulls in the CDK). */
export const HTTP_ALERT_SOURCE = 'yobidashi.http';

export type IntakeAnswer = { status: 401; body: { message: string } } | { status: 200; body: { Entries: PutEventsResultEntry[]; FailedEntryCount: number } };

export async function acceptAlert(core: EventBridgeCore, token: string | undefined, body: string, detailType: 'AlertReceived' | 'Heartbeat' = 'AlertReceived'): Promise<IntakeAnswer> {
  if (!token) return { status: 401, body: { message: 'Unauthorized' } };
  const results = await core.putEvents([{ EventBusName: 'yobidashi', Source: HTTP_ALERT_SOURCE, DetailType: detailType, Detail: body }]);
  return { status: 200, body: { Entries: results, FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length } };
}
