/**
 * What each `yobidashi --stack NAME` verb calls on AWS, and on which of the stack's resources.
 * The stack's operator policy is built from this list (infra/aws), the IAM simulation test checks
 * every entry against it, and the AWS back end of the CLI makes no call that is not listed here.
 *
 * Resources name the stack's parts: `table` (and `table/index/<gsi>`), `bus`, `archive`, `replay`
 * (any replay), `rule` (the stack's rules on its bus), `queue:<rule|handler|check>` (dead letters),
 * `function` (the bus handlers), `stack` (this CloudFormation stack), `connect:instance`,
 * `connect:flow`, `connect:phone-number`, `connect:queue`, and `*` where AWS allows no narrower
 * resource.
 */
export type CliResource =
  | 'table'
  | 'table/index/gsi1'
  | 'table/index/gsi2'
  | 'bus'
  | 'archive'
  | 'replay'
  | 'rule'
  | 'queue:rule'
  | 'queue:handler'
  | 'queue:check'
  | 'function'
  | 'stack'
  | 'connect:instance'
  | 'connect:flow'
  | 'connect:phone-number'
  | 'connect:queue'
  | '*';

export interface CliCall {
  action: string;
  resource: CliResource;
  /** For events:PutEvents: the detail-types the verb puts (the operator policy allows only these). */
  detailTypes?: readonly string[];
}

const describeStack: CliCall = { action: 'cloudformation:DescribeStacks', resource: 'stack' };

/** Reading the three dead-letter queues: receive (hidden meanwhile), then make visible again. */
const readDeadLetters: readonly CliCall[] = (['queue:rule', 'queue:handler', 'queue:check'] as const).flatMap((resource) => [
  { action: 'sqs:ReceiveMessage', resource },
  { action: 'sqs:ChangeMessageVisibility', resource },
]);

export const CLI_VERBS = [
  'roster import',
  'roster list',
  'alert send',
  'incidents',
  'calls',
  'silence add',
  'silence list',
  'silence remove',
  'replay',
  'dead-letters list',
  'dead-letters redrive',
  'notifications',
  'heartbeats list',
  'heartbeats pause',
  'heartbeats resume',
  'heartbeats remove',
  'routes',
  'test-pattern',
  'doctor',
] as const;
export type CliVerb = (typeof CLI_VERBS)[number];

export const CLI_NEEDS: Record<CliVerb, readonly CliCall[]> = {
  'roster import': [describeStack, { action: 'dynamodb:PutItem', resource: 'table' }],
  'roster list': [describeStack, { action: 'dynamodb:Query', resource: 'table/index/gsi1' }],
  'alert send': [describeStack, { action: 'events:PutEvents', resource: 'bus', detailTypes: ['AlertReceived'] }],
  incidents: [describeStack, { action: 'dynamodb:Query', resource: 'table/index/gsi1' }, { action: 'dynamodb:Query', resource: 'table' }],
  calls: [describeStack, { action: 'dynamodb:Query', resource: 'table/index/gsi1' }, { action: 'dynamodb:Query', resource: 'table' }],
  'silence add': [describeStack, { action: 'dynamodb:PutItem', resource: 'table' }, { action: 'events:PutEvents', resource: 'bus', detailTypes: ['SilenceAdded'] }],
  'silence list': [describeStack, { action: 'dynamodb:Query', resource: 'table/index/gsi1' }],
  'silence remove': [describeStack, { action: 'dynamodb:Query', resource: 'table/index/gsi1' }, { action: 'dynamodb:DeleteItem', resource: 'table' }],
  // StartReplay is authorised on the archive, the destination bus and the replay (the Service
  // Authorization Reference lists all three); the replayed events are put by EventBridge itself.
  replay: [
    describeStack,
    { action: 'events:StartReplay', resource: 'archive' },
    { action: 'events:StartReplay', resource: 'bus' },
    { action: 'events:StartReplay', resource: 'replay' },
    { action: 'events:DescribeReplay', resource: 'replay' },
  ],
  'dead-letters list': [describeStack, ...readDeadLetters],
  'dead-letters redrive': [
    describeStack,
    ...readDeadLetters,
    { action: 'sqs:DeleteMessage', resource: 'queue:rule' },
    { action: 'sqs:DeleteMessage', resource: 'queue:handler' },
    { action: 'lambda:InvokeFunction', resource: 'function' },
  ],
  // The notify function's records (notification.query.recent: gsi1).
  notifications: [describeStack, { action: 'dynamodb:Query', resource: 'table/index/gsi1' }],
  // monitor.query.all (gsi1); the head of an unresolved monitor's incident (GetItem).
  'heartbeats list': [describeStack, { action: 'dynamodb:Query', resource: 'table/index/gsi1' }, { action: 'dynamodb:GetItem', resource: 'table' }],
  // The monitor read and written conditionally, then HeartbeatChanged (the heartbeat function moves the schedule).
  'heartbeats pause': [describeStack, { action: 'dynamodb:GetItem', resource: 'table' }, { action: 'dynamodb:PutItem', resource: 'table' }, { action: 'events:PutEvents', resource: 'bus', detailTypes: ['HeartbeatChanged'] }],
  'heartbeats resume': [describeStack, { action: 'dynamodb:GetItem', resource: 'table' }, { action: 'dynamodb:PutItem', resource: 'table' }, { action: 'events:PutEvents', resource: 'bus', detailTypes: ['HeartbeatChanged'] }],
  'heartbeats remove': [describeStack, { action: 'dynamodb:GetItem', resource: 'table' }, { action: 'dynamodb:DeleteItem', resource: 'table' }, { action: 'events:PutEvents', resource: 'bus', detailTypes: ['HeartbeatChanged'] }],
  routes: [describeStack, { action: 'events:ListRules', resource: '*' }],
  'test-pattern': [{ action: 'events:TestEventPattern', resource: '*' }],
  doctor: [
    describeStack,
    { action: 'connect:DescribeInstance', resource: 'connect:instance' },
    { action: 'connect:DescribeContactFlow', resource: 'connect:flow' },
    // Finds the source number among the instance's claimed numbers (the stack knows the number, not its id).
    // The Service Authorization Reference data lists no resource type for it: only `*` can grant it.
    { action: 'connect:ListPhoneNumbersV2', resource: '*' },
    { action: 'connect:DescribeQueue', resource: 'connect:queue' },
    { action: 'events:ListRules', resource: '*' },
    { action: 'sqs:GetQueueAttributes', resource: 'queue:rule' },
    { action: 'sqs:GetQueueAttributes', resource: 'queue:handler' },
    { action: 'sqs:GetQueueAttributes', resource: 'queue:check' },
    { action: 'cloudwatch:GetMetricData', resource: '*' },
  ],
};
