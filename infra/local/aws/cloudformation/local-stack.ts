import { HANDLER_NAMES, type HandlerName } from '../../../../events/routes.ts';
import { STACK_OUTPUTS, type StackOutputKey } from '../../../aws/outputs.ts';
import type { ConnectIdentity } from '../connect/connect-service.ts';

/**
 * The local runtime as a deployed stack: the names, ARNs and URLs of its resources, and the
 * outputs its CloudFormation face answers `DescribeStacks` with (the keys of infra/aws/outputs.ts),
 * so `yobidashi --stack Yobidashi` with AWS_ENDPOINT_URL pointed here finds everything the way it
 * finds a deployment. One place for these names: the runtime, the SQS and Lambda faces and the
 * tests read them from here.
 */

export const STACK_NAME = 'Yobidashi';
/** A stack id has a UUID at its end; the local stack's is fixed. */
export const STACK_UUID = '6c6f6361-6c00-4000-8000-796f62696461';
export const FUNCTION_PREFIX = 'yobidashi-local-';
export const CONNECT = { instanceId: 'local', contactFlowId: 'yobidashi-call', sourcePhoneNumber: '+815000000000' } as const;

/** The stack's three dead-letter queues (infra/aws/stack.ts), by what ends up in them. */
export const QUEUES = {
  /** Events a rule could not hand to its function (the rules' dead-letter queue). */
  rule: 'yobidashi-rule-dead-letters',
  /** Handlers that failed every Lambda retry (their on-failure destination). */
  handler: 'yobidashi-handler-failures',
  /** Schedules whose target failed every retry (the Scheduler's dead-letter queue). */
  check: 'yobidashi-check-dead-letters',
} as const;
export type QueueKind = keyof typeof QUEUES;
export const QUEUE_KINDS = Object.keys(QUEUES) as QueueKind[];

export interface LocalStackOptions {
  /** The runtime's base URL, e.g. http://127.0.0.1:4010. */
  url: string;
  account: string;
  region: string;
  busName: string;
  busArn: string;
  archiveArn: string;
  tableName: string;
  /** When the stack was "created" (the runtime's start, runtime time). */
  createdAt: number;
  /** The notification topic (aws/sns/). */
  notificationTopicArn: string;
}

export interface StackOutput {
  OutputKey: StackOutputKey;
  OutputValue: string;
  Description: string;
}

export class LocalStack {
  readonly name = STACK_NAME;
  readonly id: string;

  constructor(readonly options: LocalStackOptions) {
    this.id = `arn:aws:cloudformation:${options.region}:${options.account}:stack/${STACK_NAME}/${STACK_UUID}`;
  }

  get createdAt(): number {
    return this.options.createdAt;
  }

  queueUrl(kind: QueueKind): string {
    return `${this.options.url}/${this.options.account}/${QUEUES[kind]}`;
  }

  queueArn(kind: QueueKind): string {
    return `arn:aws:sqs:${this.options.region}:${this.options.account}:${QUEUES[kind]}`;
  }

  functionName(handler: HandlerName): string {
    return `${FUNCTION_PREFIX}${handler}`;
  }

  functionArn(handler: HandlerName): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.account}:function:${this.functionName(handler)}`;
  }

  /** The rule that targets a route's function (one rule per route, named after it). */
  ruleArn(route: string): string {
    return `arn:aws:events:${this.options.region}:${this.options.account}:rule/${this.options.busName}/${route}`;
  }

  /**
   * The handler behind a FunctionName as Lambda's Invoke accepts it: a name, a full or partial
   * ARN, each optionally qualified with `$LATEST` (there are no versions or aliases here).
   * Undefined when no such function exists.
   */
  handlerOf(functionName: string, qualifier?: string): HandlerName | undefined {
    const { region, account } = this.options;
    const match = new RegExp(`^(?:(?:arn:aws:lambda:${region}:)?${account}:function:)?([A-Za-z0-9_-]+)(?::([^:]+))?$`).exec(functionName);
    if (!match) return undefined;
    const version = match[2] ?? qualifier;
    if (version !== undefined && version !== '$LATEST') return undefined;
    return HANDLER_NAMES.find((handler) => this.functionName(handler) === match[1]);
  }

  connectInstanceArn(): string {
    return `arn:aws:connect:${this.options.region}:${this.options.account}:instance/${CONNECT.instanceId}`;
  }

  connectIdentity(): ConnectIdentity {
    return {
      instanceId: CONNECT.instanceId,
      instanceArn: this.connectInstanceArn(),
      contactFlowId: CONNECT.contactFlowId,
      contactFlowArn: this.contactFlowArn(),
      phoneNumber: CONNECT.sourcePhoneNumber,
      createdAt: this.createdAt,
    };
  }

  contactFlowArn(): string {
    return `${this.connectInstanceArn()}/contact-flow/${CONNECT.contactFlowId}`;
  }

  outputs(): StackOutput[] {
    const { region, account } = this.options;
    const out = (key: StackOutputKey, value: string, description: string): StackOutput => ({ OutputKey: key, OutputValue: value, Description: description });
    const functions = Object.fromEntries(HANDLER_NAMES.map((handler) => [handler, this.functionName(handler)]));
    return [
      out(STACK_OUTPUTS.busName, this.options.busName, 'The event bus: alerts and everything yobidashi says'),
      out(STACK_OUTPUTS.busArn, this.options.busArn, 'The event bus ARN'),
      out(STACK_OUTPUTS.archiveArn, this.options.archiveArn, 'Archive of every event on the bus (StartReplay)'),
      out(STACK_OUTPUTS.tableName, this.options.tableName, 'The DynamoDB table'),
      out(STACK_OUTPUTS.alertUrl, `${this.options.url}/alerts`, 'POST alerts here with header x-yobidashi-token (locally any token is accepted)'),
      out(STACK_OUTPUTS.heartbeatUrl, `${this.options.url}/heartbeats`, 'POST heartbeats here with header x-yobidashi-token (locally any token is accepted)'),
      out(STACK_OUTPUTS.tokenSecret, `arn:aws:secretsmanager:${region}:${account}:secret:yobidashi-local-token-000000`, 'Placeholder: the local intake checks no token'),
      out(STACK_OUTPUTS.connectInstanceArn, this.connectInstanceArn(), 'The local Connect simulator'),
      out(STACK_OUTPUTS.contactFlowArn, this.contactFlowArn(), 'The contact flow the simulator runs'),
      out(STACK_OUTPUTS.sourcePhoneNumber, CONNECT.sourcePhoneNumber, 'The number calls come from'),
      out(STACK_OUTPUTS.ruleDeadLetterQueueUrl, this.queueUrl('rule'), 'Events a rule could not hand to its function'),
      out(STACK_OUTPUTS.handlerFailureQueueUrl, this.queueUrl('handler'), 'Handlers that failed every Lambda retry (on-failure destination records)'),
      out(STACK_OUTPUTS.checkDeadLetterQueueUrl, this.queueUrl('check'), 'Schedules whose target failed every retry'),
      out(STACK_OUTPUTS.handlerFunctions, JSON.stringify(functions), 'Route handler name to Lambda function name'),
      out(STACK_OUTPUTS.senderPolicyArn, `arn:aws:iam::${account}:policy/yobidashi-local-sender`, 'Placeholder: nothing is authorised locally'),
      out(STACK_OUTPUTS.operatorPolicyArn, `arn:aws:iam::${account}:policy/yobidashi-local-operator`, 'Placeholder: nothing is authorised locally'),
      out(STACK_OUTPUTS.notificationTopicArn, this.options.notificationTopicArn, 'Notifications (nobody answered, calls that cannot be placed, dead letters): GET /api/notifications'),
    ];
  }
}
