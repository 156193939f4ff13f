import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OWN_SOURCE } from '../../../events/envelope.ts';
import { CLI_NEEDS, type CliCall, type CliResource } from '../../cli/needs.ts';
import { ALERT_DETAIL_TYPE, HEARTBEAT_DETAIL_TYPE } from './http-intake.ts';

/**
 * Sources no sender may claim: yobidashi's own (`yobidashi`, and `yobidashi.*` such as the HTTP
 * intake's `yobidashi.http`) and AWS services' (`aws.*`, which the default-bus forwards carry).
 */
export const RESERVED_SOURCES = [OWN_SOURCE, `${OWN_SOURCE}.*`, 'aws.*'] as const;

/** The stack's parts the operator policy may name (infra/cli/needs.ts CliResource). */
export interface OperatorResources {
  table: dynamodb.ITableV2;
  bus: events.IEventBus;
  archive: events.Archive;
  /** The stack's rules on its bus. */
  rules: readonly events.IRule[];
  queues: { rule: sqs.IQueue; handler: sqs.IQueue; check: sqs.IQueue };
  /** The bus handlers (what `dead-letters redrive` invokes). */
  functions: readonly lambda.IFunction[];
  connect: { instanceArn: string; contactFlowArn: string; queueId?: string };
}

/** A statement's Sid per resource kind: one statement per thing the CLI touches. */
const SIDS: Record<CliResource, string> = {
  stack: 'DescribeThisStack',
  table: 'Table',
  'table/index/gsi1': 'TableIndexGsi1',
  'table/index/gsi2': 'TableIndexGsi2',
  bus: 'Bus',
  archive: 'Archive',
  replay: 'Replays',
  rule: 'Rules',
  'queue:rule': 'RuleDeadLetterQueue',
  'queue:handler': 'HandlerFailureQueue',
  'queue:check': 'CheckDeadLetterQueue',
  function: 'BusHandlers',
  'connect:instance': 'ConnectInstance',
  'connect:flow': 'ContactFlow',
  'connect:phone-number': 'PhoneNumbers',
  'connect:queue': 'ConnectQueue',
  '*': 'NoResourceLevelPermissions',
};

/**
 * The two customer-managed policies an account attaches to people and tools:
 *
 * - `sender` (output SenderPolicyArn) for monitoring tools: events:PutEvents on this bus, of
 *   AlertReceived and Heartbeat only, and never with a source yobidashi or AWS speaks with.
 * - `operator` (output OperatorPolicyArn) for the people running `yobidashi --stack NAME`: exactly
 *   the calls infra/cli/needs.ts lists, each on exactly the resource listed, PutEvents only of the
 *   detail-types listed.
 */
export class AccessPolicies extends Construct {
  readonly sender: iam.ManagedPolicy;
  readonly operator: iam.ManagedPolicy;
  /** CLI calls left out because the deployment has no such resource (e.g. no queueId). */
  readonly notApplicable: readonly CliCall[];

  constructor(scope: Construct, id: string, props: OperatorResources) {
    super(scope, id);
    const busName = props.bus.eventBusName;
    this.sender = new iam.ManagedPolicy(this, 'SenderPolicy', {
      description: `yobidashi: send alerts and heartbeats (PutEvents of ${ALERT_DETAIL_TYPE}, ${HEARTBEAT_DETAIL_TYPE}) to the ${busName} bus, never as yobidashi or aws.*`,
      statements: [
        new iam.PolicyStatement({
          sid: 'SendAlertsOnly',
          actions: ['events:PutEvents'],
          resources: [props.bus.eventBusArn],
          // PutEvents carries several entries, so these keys are multivalued: ForAllValues checks every
          // entry, and Null: false refuses a request that lacks the key (where ForAllValues would hold).
          conditions: {
            'ForAllValues:StringEquals': { 'events:detail-type': [ALERT_DETAIL_TYPE, HEARTBEAT_DETAIL_TYPE] },
            'ForAllValues:StringNotLike': { 'events:source': [...RESERVED_SOURCES] },
            Null: { 'events:detail-type': 'false', 'events:source': 'false' },
          },
        }),
      ],
    });
    const { statements, notApplicable } = operatorStatements(Stack.of(this), props);
    this.notApplicable = notApplicable;
    this.operator = new iam.ManagedPolicy(this, 'OperatorPolicy', {
      description: `yobidashi: what every yobidashi --stack ${Stack.of(this).stackName} verb calls (infra/cli/needs.ts), nothing more`,
      statements,
    });
  }
}

/**
 * One statement per resource the CLI names, allowing exactly the actions listed for it, so the
 * policy allows every (action, resource) pair in CLI_NEEDS and no other. events:PutEvents gets a
 * statement of its own, limited to the listed detail-types (`ForAllValues`: every entry of the
 * request must be one of them). A PutEvents entry that lists no detail-types (the replay's) adds
 * none: no Null check here, so a PutEvents authorised without any detail-type in the request (what
 * EventBridge evaluates, if anything, when a replay puts archived events back) is not refused by it.
 */
export function operatorStatements(stack: Stack, props: OperatorResources): { statements: iam.PolicyStatement[]; notApplicable: CliCall[] } {
  const arn = (service: string, resource: string) => stack.formatArn({ service, resource, resourceName: '*' });
  const resourcesOf: Record<CliResource, () => string[] | undefined> = {
    stack: () => [stack.stackId],
    table: () => [props.table.tableArn],
    'table/index/gsi1': () => [`${props.table.tableArn}/index/gsi1`],
    'table/index/gsi2': () => [`${props.table.tableArn}/index/gsi2`],
    bus: () => [props.bus.eventBusArn],
    archive: () => [props.archive.archiveArn],
    // Replays are named when they start; IAM can only name them all.
    replay: () => [arn('events', 'replay')],
    rule: () => props.rules.map((r) => r.ruleArn),
    'queue:rule': () => [props.queues.rule.queueArn],
    'queue:handler': () => [props.queues.handler.queueArn],
    'queue:check': () => [props.queues.check.queueArn],
    function: () => props.functions.map((f) => f.functionArn),
    'connect:instance': () => [props.connect.instanceArn],
    'connect:flow': () => [props.connect.contactFlowArn],
    // A claimed number's ARN holds its id, which the stack does not know (it knows the number).
    'connect:phone-number': () => [arn('connect', 'phone-number')],
    'connect:queue': () => (props.connect.queueId ? [`${props.connect.instanceArn}/queue/${props.connect.queueId}`] : undefined),
    '*': () => ['*'],
  };
  const calls = Object.values(CLI_NEEDS).flat();
  const notApplicable: CliCall[] = [];
  const byResource = new Map<CliResource, Set<string>>();
  const detailTypes = new Set<string>();
  let putsEvents = false;
  for (const call of calls) {
    if (call.action === 'events:PutEvents') {
      if (call.resource !== 'bus') throw new Error(`infra/cli/needs.ts: events:PutEvents on ${call.resource}; the operator policy allows it on the bus only`);
      putsEvents = true;
      for (const type of call.detailTypes ?? []) detailTypes.add(type);
      continue;
    }
    if (!resourcesOf[call.resource]()) {
      notApplicable.push(call);
      continue;
    }
    byResource.set(call.resource, (byResource.get(call.resource) ?? new Set()).add(call.action));
  }
  const statements = [...byResource].map(
    ([resource, actions]) => new iam.PolicyStatement({ sid: SIDS[resource], actions: [...actions].sort(), resources: resourcesOf[resource]() ?? [] }),
  );
  if (putsEvents) {
    if (!detailTypes.size) throw new Error('infra/cli/needs.ts: events:PutEvents without any detailTypes; the operator policy allows listed detail-types only');
    statements.push(
      new iam.PolicyStatement({
        sid: 'PutListedDetailTypes',
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        conditions: { 'ForAllValues:StringEquals': { 'events:detail-type': [...detailTypes].sort() } },
      }),
    );
  }
  return { statements, notApplicable };
}
