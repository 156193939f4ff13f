import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_NEEDS, type FunctionName } from '../permissions.ts';

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
}

/**
 * One NodejsFunction per handler: nodejs22.x on arm64, bundled by the local esbuild (never Docker),
 * source maps on, JSON logs kept for a set time, and a role of its own that allows exactly what
 * FUNCTION_NEEDS says that handler calls.
 */
export class HandlerFunctions extends Construct {
  readonly functions = {} as Record<FunctionName, nodejs.NodejsFunction>;
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
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] /* the group's ARN ends in :* and so covers its streams */ }));
    if (needs.dynamodb.length) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: needs.dynamodb.map((a) => `dynamodb:${a}`),
          resources: needs.queriesIndex ? [table.tableArn, `${table.tableArn}/index/gsi1`] : [table.tableArn],
        }),
      );
    }
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
    return fn;
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
