import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { LAMBDA_ASYNC } from '../../../events/delivery.ts';
import { TABLE_KEYS } from '../../store/entities.ts';
import { BUNDLE_FILE, ENTRIES_DIR, entryOf } from '../functions/bundling.ts';
import { callKey, FUNCTION_NEEDS, isBusHandler, usesPort, type AwsCall, type AwsResource, type FunctionName } from '../permissions.ts';

export { isBusHandler } from '../permissions.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE_CLI = fileURLToPath(new URL('../functions/bundle-cli.ts', import.meta.url));

/** Lambda's log level for the Powertools logger (POWERTOOLS_LOG_LEVEL; change it on a function to debug one). */
export const LOG_LEVEL = 'INFO';

/**
 * A function's code: its own entry (infra/aws/functions/entries/<name>.ts) bundled by
 * infra/aws/functions/bundling.ts, in a child process (local bundling is synchronous; esbuild's
 * plugins are not), never in Docker. The asset is hashed on the bundle, so a change to anything a
 * function imports gives it a new asset and nothing else. A synth that skips bundling
 * (`aws:cdk:bundling-stacks`, as the CDK tests do) never runs it.
 */
export function functionCode(entry: string): lambda.Code {
  if (!existsSync(entry)) throw new Error(`no entry ${entry}: every function needs one (docs/aws.md, Functions)`);
  return lambda.Code.fromAsset(ENTRIES_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never pulled, since local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      // What the bundle is made of, for CDK's cache key: without the entry in it, every function of
      // one synth would get the first one's bundle (the local bundler, a function, is not part of the key).
      command: ['node', '--import', 'tsx', relative(PROJECT_ROOT, BUNDLE_CLI), relative(PROJECT_ROOT, entry), '/asset-output'],
      local: {
        tryBundle(outputDir) {
          execFileSync(process.execPath, ['--import', 'tsx', BUNDLE_CLI, entry, outputDir], { cwd: PROJECT_ROOT, stdio: ['ignore', process.stderr, 'inherit'] });
          return true;
        },
      },
    },
  });
}

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

/**
 * One function per handler, each with its own bundle (functionCode): nodejs22.x on arm64, source
 * maps on, JSON logs kept for a set time, and a role of its own that allows exactly the AWS
 * calls FUNCTION_NEEDS derives from what the handler declares (infra/aws/permissions.ts): one
 * statement per resource, naming only the actions on it. A call no grant covers fails the synth.
 * Bus handlers get Lambda's async retries from
 * events/delivery.ts and an on-failure destination, so a handler that keeps throwing leaves its
 * event in a queue (alarmed, redriven by the sweep) instead of losing it.
 */
export class HandlerFunctions extends Construct {
  readonly functions = {} as Record<FunctionName, lambda.Function>;
  private readonly roles = {} as Record<FunctionName, iam.Role>;
  /** Each function's derived calls not granted yet (some resources are known only later: Connect, the redrive). */
  private readonly ungranted = {} as Record<FunctionName, Map<string, AwsCall>>;
  private readonly props: FunctionsProps;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    this.props = props;
    for (const name of Object.keys(FUNCTION_NEEDS) as FunctionName[]) this.functions[name] = this.create(name);
    this.node.addValidation({
      validate: () =>
        (Object.entries(this.ungranted) as [FunctionName, Map<string, AwsCall>][]).flatMap(([name, left]) =>
          [...left.values()].map((c) => `${name}: no grant for ${c.action} on ${c.resource} (infra/aws/permissions.ts)`),
        ),
    });
  }

  /**
   * Grants the function's derived calls on the resources given, one statement per resource (and
   * condition), each naming only the actions on it; `policy` defaults to the role's own policy.
   */
  private grant(name: FunctionName, arns: Partial<Record<AwsResource, readonly string[]>>, policy?: iam.Policy): void {
    const left = this.ungranted[name];
    const byResource = new Map<string, { resources: readonly string[]; actions: Set<string>; conditions: AwsCall['conditions'] }>();
    for (const [key, call] of left) {
      const resources = arns[call.resource];
      if (!resources) continue;
      left.delete(key);
      const group = `${call.resource} ${JSON.stringify(call.conditions ?? {})}`;
      const entry = byResource.get(group) ?? { resources, actions: new Set<string>(), conditions: call.conditions };
      byResource.set(group, entry.actions.add(call.action) && entry);
    }
    for (const { resources, actions, conditions } of byResource.values()) {
      const statement = new iam.PolicyStatement({ actions: [...actions].sort(), resources: [...resources], ...(conditions ? { conditions: { ...conditions } } : {}) });
      if (policy) policy.addStatements(statement);
      else this.roles[name].addToPolicy(statement);
    }
  }

  private create(name: FunctionName): lambda.Function {
    const needs = FUNCTION_NEEDS[name];
    const { table, bus } = this.props;
    const logGroup = new logs.LogGroup(this, `${name}-logs`, { retention: this.props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, `${name}-role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `yobidashi ${name}: only what the handler calls`,
    });
    this.roles[name] = role;
    this.ungranted[name] = new Map(needs.calls.map((c) => [callKey(c), c]));
    const schedules = usesPort(name, 'scheduler');
    this.grant(name, {
      table: [table.tableArn],
      ...Object.fromEntries(TABLE_KEYS.globalIndexes.map((index) => [`table/index/${index.indexName}`, [`${table.tableArn}/index/${index.indexName}`]])),
      bus: [bus.eventBusArn],
      'schedule:checks': [Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.props.scheduleGroupName}/*` })],
      'role:scheduler': [this.props.schedulerRole.roleArn],
      // The group's ARN ends in :* and so covers its streams.
      'log-group': [logGroup.logGroupArn],
      'queue:on-failure': [this.props.handlerFailures.queueArn],
      '*': ['*'],
    });
    if (needs.calls.some((c) => c.resource === '*')) {
      NagSuppressions.addResourceSuppressions(
        role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: `${needs.calls.filter((c) => c.resource === '*').map((c) => c.action).join(', ')}: AWS authorizes it on no narrower resource (the Service Authorization Reference lists no resource type), so a narrower grant would deny it (infra/aws/permissions.ts, test/infra/iam-simulation.test.ts).`,
            appliesTo: ['Resource::*'],
          },
        ],
        true,
      );
    }
    const fn = new lambda.Function(this, name, {
      code: functionCode(entryOf(name)),
      handler: `${BUNDLE_FILE.replace(/\.mjs$/, '')}.handler`,
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
        // The Powertools logger's level (infra/aws/adapters/powertools-logger.ts).
        POWERTOOLS_LOG_LEVEL: LOG_LEVEL,
        ...(schedules
          ? { SCHEDULE_GROUP: this.props.scheduleGroupName, BUS_ARN: bus.eventBusArn, SCHEDULER_ROLE_ARN: this.props.schedulerRole.roleArn, SCHEDULER_DLQ_ARN: this.props.schedulerDeadLetterArn }
          : {}),
      },
    });
    if (isBusHandler(name)) this.retryThenKeep(fn, this.props.handlerFailures);
    return fn;
  }

  /**
   * Lambda's async retries (events/delivery.ts), then the failure queue. The role's grant is
   * sqs:SendMessage on that queue only (permissions.ts, platformCalls), which is all Lambda needs to
   * deliver the record (SqsDestination would also grant GetQueueAttributes and GetQueueUrl).
   */
  private retryThenKeep(fn: lambda.Function, queue: sqs.IQueue): void {
    const onFailure: lambda.IDestination = { bind: () => ({ destination: queue.queueArn }) };
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
    for (const [name, fn] of Object.entries(this.functions) as [FunctionName, lambda.Function][]) {
      if (!usesPort(name, 'failures')) continue;
      fn.addEnvironment('FAILURE_QUEUE_URLS', queues.map((q) => q.queueUrl).join(','));
      const busHandlers = (Object.keys(this.functions) as FunctionName[]).filter(isBusHandler).map((n) => this.functions[n].functionArn);
      const policy = new iam.Policy(this, `${name}-redrive`, { roles: [this.roles[name]] });
      this.grant(name, { 'queue:failures': queues.map((q) => q.queueArn), 'function:bus-handlers': busHandlers }, policy);
    }
  }

  /**
   * The notification topic goes to the functions that notify (NOTIFY_TOPIC_ARN), with sns:Publish
   * on exactly that topic, and the CLI command their notifications print (YOBIDASHI_CLI).
   */
  grantNotifications(topicArn: string, cli: string): void {
    for (const [name, fn] of Object.entries(this.functions) as [FunctionName, lambda.Function][]) {
      if (!usesPort(name, 'notifier')) continue;
      fn.addEnvironment('NOTIFY_TOPIC_ARN', topicArn);
      fn.addEnvironment('YOBIDASHI_CLI', cli);
      this.grant(name, { 'topic:notifications': [topicArn] });
    }
  }

  /**
   * Connect settings go to the functions that call Connect, and the grants on the instance's
   * contacts (StartOutboundVoiceContact, which names no resource, is granted with the role).
   */
  grantTelephony(target: TelephonyTarget): void {
    for (const [name, fn] of Object.entries(this.functions) as [FunctionName, lambda.Function][]) {
      if (!usesPort(name, 'telephony')) continue;
      fn.addEnvironment('CONNECT_INSTANCE_ID', target.instanceId);
      fn.addEnvironment('CONTACT_FLOW_ID', target.contactFlowId);
      if (target.sourcePhoneNumber) fn.addEnvironment('SOURCE_PHONE_NUMBER', target.sourcePhoneNumber);
      if (target.queueId) fn.addEnvironment('QUEUE_ID', target.queueId);
      this.grant(name, { 'connect:contact': [`${target.instanceArn}/contact/*`] });
    }
  }
}
