import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_ASYNC } from '../../../events/delivery.ts';
import { HANDLER_NAMES, type HandlerName } from '../../../events/routes.ts';
import { FUNCTION_NEEDS, type FunctionName, type FunctionNeeds } from '../permissions.ts';

export const HANDLERS_ENTRY = fileURLToPath(new URL('../functions/handlers.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface TelephonyTarget {
  instanceArn: string;
  instanceId: string;
  contactFlowArn: string;
  contactFlowId: string;
  sourcePhoneNumber?: string;
  queueId?: string;
}

export interface FunctionsProps {
  table: dynamodb.ITableV2;
  bus: events.IEventBus;
  logRetention: logs.RetentionDays;
  /** Scheduler settings for the two handlers that arm checks. */
  scheduleGroupName: string;
  schedulerRole: iam.IRole;
  schedulerDeadLetterArn: string;
  placeCallConcurrency: number | undefined;
  /** Where Lambda sends a bus handler's event once its own retries are spent. */
  handlerFailures: sqs.IQueue;
}

/** Functions a rule invokes asynchronously; flow-result is invoked by Connect and waits for it. */
export function isBusHandler(name: FunctionName): name is HandlerName {
  return (HANDLER_NAMES as readonly string[]).includes(name);
}

/**
 * One NodejsFunction per handler: nodejs22.x on arm64, bundled by the local esbuild (never Docker),
 * source maps on, JSON logs kept for a set time, and a role of its own that allows exactly what
 * FUNCTION_NEEDS says that handler calls. Bus handlers get Lambda's async retries from
 * events/delivery.ts and an on-failure destination, so a handler that keeps throwing leaves its
 * event in a queue (alarmed, redriven by the sweep) instead of losing it.
 */
export class HandlerFunctions extends Construct {
  readonly functions = {} as Record<FunctionName, nodejs.NodejsFunction>;
  private readonly roles = {} as Record<FunctionName, iam.Role>;
  private readonly props: FunctionsProps;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    this.props = props;
    for (const name of Object.keys(FUNCTION_NEEDS) as FunctionName[]) this.functions[name] = this.create(name);
  }

  private create(name: FunctionName): nodejs.NodejsFunction {
    const needs = FUNCTION_NEEDS[name];
    const { table, bus } = this.props;
    const logGroup = new logs.LogGroup(this, `${name}-logs`, { retention: this.props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, `${name}-role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `yobidashi ${name}: only what the handler calls`,
    });
    this.roles[name] = role;
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] /* the group's ARN ends in :* and so covers its streams */ }));
    for (const statement of tableStatements(needs, table.tableArn)) role.addToPolicy(statement);
    if (needs.publishes) role.addToPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }));
    if (needs.schedules) {
      const stack = Stack.of(this);
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['scheduler:CreateSchedule'],
          resources: [stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.props.scheduleGroupName}/*` })],
        }),
      );
      role.addToPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [this.props.schedulerRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }));
    }
    const fn = new nodejs.NodejsFunction(this, name, {
      entry: HANDLERS_ENTRY,
      handler: needs.exportName,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(name === 'flow-result' ? 7 : 30),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: `yobidashi ${name}`,
      ...(name === 'place-call' && this.props.placeCallConcurrency ? { reservedConcurrentExecutions: this.props.placeCallConcurrency } : {}),
      environment: {
        TABLE_NAME: table.tableName,
        BUS_NAME: bus.eventBusName,
        NODE_OPTIONS: '--enable-source-maps',
        ...(needs.schedules
          ? { SCHEDULE_GROUP: this.props.scheduleGroupName, BUS_ARN: bus.eventBusArn, SCHEDULER_ROLE_ARN: this.props.schedulerRole.roleArn, SCHEDULER_DLQ_ARN: this.props.schedulerDeadLetterArn }
          : {}),
      },
      bundling: {
        sourceMap: true,
        minify: true,
        target: 'node22',
        forceDockerBundling: false,
        // The nodejs22.x runtime ships SDK v3; bundling it keeps versions exactly as tested.
        externalModules: [],
      },
    });
    if (isBusHandler(name)) this.retryThenKeep(fn, this.props.handlerFailures);
    return fn;
  }

  /**
   * Lambda's async retries (events/delivery.ts), then the failure queue. The destination grants
   * only sqs:SendMessage, which is all Lambda needs to deliver the record (SqsDestination would
   * also grant GetQueueAttributes and GetQueueUrl).
   */
  private retryThenKeep(fn: nodejs.NodejsFunction, queue: sqs.IQueue): void {
    const onFailure: lambda.IDestination = {
      bind: (_scope, target) => {
        target.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
        return { destination: queue.queueArn };
      },
    };
    fn.configureAsyncInvoke({
      retryAttempts: LAMBDA_ASYNC.maximumRetryAttempts,
      maxEventAge: Duration.seconds(LAMBDA_ASYNC.maximumEventAgeSeconds),
      onFailure,
    });
  }

  /**
   * The sweep's redrive: it reads the failure queues (FAILURE_QUEUE_URLS) and invokes exactly the
   * bus handlers. A policy of its own rather than the role's default one: the grant names the
   * sweep's own ARN, and the default policy is something every function waits for at deploy time,
   * so putting it there would make the sweep depend on itself.
   */
  grantRedrive(queues: readonly sqs.IQueue[]): void {
    for (const [name, fn] of Object.entries(this.functions) as [FunctionName, nodejs.NodejsFunction][]) {
      if (!FUNCTION_NEEDS[name].redrives) continue;
      fn.addEnvironment('FAILURE_QUEUE_URLS', queues.map((q) => q.queueUrl).join(','));
      const busHandlers = (Object.keys(this.functions) as FunctionName[]).filter(isBusHandler).map((n) => this.functions[n].functionArn);
      new iam.Policy(this, `${name}-redrive`, {
        roles: [this.roles[name]],
        statements: [
          new iam.PolicyStatement({ actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'], resources: queues.map((q) => q.queueArn) }),
          new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: busHandlers }),
        ],
      });
    }
  }

  /** Connect settings go to the functions that call Connect, with least-privilege resources. */
  grantTelephony(target: TelephonyTarget): void {
    for (const [name, fn] of Object.entries(this.functions) as [FunctionName, nodejs.NodejsFunction][]) {
      const calls = FUNCTION_NEEDS[name].connect;
      if (!calls.length) continue;
      fn.addEnvironment('CONNECT_INSTANCE_ID', target.instanceId);
      fn.addEnvironment('CONTACT_FLOW_ID', target.contactFlowId);
      if (target.sourcePhoneNumber) fn.addEnvironment('SOURCE_PHONE_NUMBER', target.sourcePhoneNumber);
      if (target.queueId) fn.addEnvironment('QUEUE_ID', target.queueId);
      const resources = [`${target.instanceArn}/contact/*`];
      if (calls.includes('StartOutboundVoiceContact')) {
        resources.push(target.contactFlowArn);
        if (target.queueId) resources.push(`${target.instanceArn}/queue/${target.queueId}`);
      }
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: calls.map((c) => `connect:${c}`), resources }));
    }
  }
}

/**
 * Item operations on the table's ARN; Query on exactly what the function queries (the table's
 * own keys and/or named indexes), so a function that only reads an index cannot query the table.
 */
function tableStatements(needs: FunctionNeeds, tableArn: string): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  if (needs.dynamodb.length) statements.push(new iam.PolicyStatement({ actions: needs.dynamodb.map((a) => `dynamodb:${a}`), resources: [tableArn] }));
  if (needs.queries.length) {
    const resources = needs.queries.map((q) => (q === 'table' ? tableArn : `${tableArn}/index/${q}`));
    statements.push(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources }));
  }
  return statements;
}
