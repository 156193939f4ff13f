/**
 * The stack's outputs: how the CLI finds a deployment (`yobidashi --stack NAME`), never by typed-in
 * names. The CDK stack declares exactly these keys; the local runtime's CloudFormation face
 * (`DescribeStacks` for stack `Yobidashi`) answers with the same keys for its own resources.
 */
export const STACK_OUTPUTS = {
  busName: 'BusName',
  busArn: 'BusArn',
  archiveArn: 'ArchiveArn',
  tableName: 'TableName',
  alertUrl: 'AlertUrl',
  /** POST heartbeats here (docs/heartbeats.md), with the same token. */
  heartbeatUrl: 'HeartbeatUrl',
  tokenSecret: 'TokenSecret',
  connectInstanceArn: 'ConnectInstanceArn',
  contactFlowArn: 'ContactFlowArn',
  /** Set when calls go out from a claimed number. */
  sourcePhoneNumber: 'SourcePhoneNumber',
  /** Set when calls go out with a queue's outbound caller ID. */
  queueId: 'QueueId',
  /** Events EventBridge could not hand to a function (rule targets' dead-letter queue). */
  ruleDeadLetterQueueUrl: 'RuleDeadLetterQueueUrl',
  /** Lambda's on-failure destination of the bus handlers. */
  handlerFailureQueueUrl: 'HandlerFailureQueueUrl',
  /** Scheduler targets that failed every retry. */
  checkDeadLetterQueueUrl: 'CheckDeadLetterQueueUrl',
  /** JSON: route handler name → Lambda function name, e.g. {"place-call":"Yobidashi-HandlersplacecallA1B2-…"}. */
  handlerFunctions: 'HandlerFunctions',
  /** Managed policy for monitoring tools: PutEvents of AlertReceived and Heartbeat only, never as yobidashi or aws.*. */
  senderPolicyArn: 'SenderPolicyArn',
  /** Managed policy for operators: what every `yobidashi --stack` verb calls (infra/cli/needs.ts). */
  operatorPolicyArn: 'OperatorPolicyArn',
  /** The SNS topic notifications go to (`notifyTopicArn`, or the stack's own): subscribe email, SMS or AWS Chatbot to it. */
  notificationTopicArn: 'NotificationTopicArn',
} as const;

export type StackOutputKey = (typeof STACK_OUTPUTS)[keyof typeof STACK_OUTPUTS];
/** Outputs that exist only in some deployments. */
export const OPTIONAL_OUTPUTS: readonly StackOutputKey[] = [STACK_OUTPUTS.sourcePhoneNumber, STACK_OUTPUTS.queueId];
