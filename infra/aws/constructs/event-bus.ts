import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RULE_TARGET_RETRY } from '../../../events/delivery.ts';
import type { PhysicalNames } from '../names.ts';

export interface EventBusProps {
  names: PhysicalNames;
  archiveRetention: Duration;
  logRetention: logs.RetentionDays;
  deadLetters: sqs.IQueue;
}

/** The bus, its archive (what auditors replay), and a catch-all rule to a log group. */
export class YobidashiBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly allEvents: logs.LogGroup;
  readonly catchAll: events.Rule;

  constructor(scope: Construct, id: string, props: EventBusProps) {
    super(scope, id);
    const { names } = props;
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: names.bus });
    this.archive = this.bus.archive('Archive', {
      archiveName: names.archive,
      description: `Every event on the ${names.bus} bus, for audits and replays`,
      eventPattern: { account: [this.bus.env.account] },
      retention: props.archiveRetention,
    });
    this.allEvents = new logs.LogGroup(this, 'AllEvents', {
      logGroupName: names.logGroup,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // EventBridge writes to a log group only with a resource policy; CloudFormation's own resource
    // avoids the custom-resource Lambda aws-events-targets.CloudWatchLogGroup would add for it. The
    // policy's resource is the group's `Arn` attribute, which ends in `:*` and so covers its streams.
    const writeLogs = new logs.CfnResourcePolicy(this, 'AllEventsPolicy', {
      policyName: names.logResourcePolicy,
      policyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EventBridgeWritesAllEvents',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: this.allEvents.logGroupArn,
          },
        ],
      }),
    });
    this.catchAll = new events.Rule(this, 'CatchAll', {
      eventBus: this.bus,
      description: 'Every event on the bus to CloudWatch Logs (replays included: it has no side effects)',
      eventPattern: { account: [this.bus.env.account] },
    });
    this.catchAll.node.addDependency(writeLogs);
    // The target is the log group's ARN *without* the trailing `:*` (as CloudWatchLogGroup builds it):
    // EventBridge accepts the `:*` form and then delivers nothing.
    const logGroupTargetArn = Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: this.allEvents.logGroupName });
    this.catchAll.addTarget({
      bind: () => ({
        arn: logGroupTargetArn,
        deadLetterConfig: { arn: props.deadLetters.queueArn },
        retryPolicy: { maximumRetryAttempts: RULE_TARGET_RETRY.maximumRetryAttempts, maximumEventAgeInSeconds: RULE_TARGET_RETRY.maximumEventAgeSeconds },
      }),
    });
    allowRuleToDeadLetter(this.catchAll, props.deadLetters);
  }
}

/**
 * What aws-events-targets adds for a target with a dead-letter queue, for targets bound by hand:
 * EventBridge may send to the queue only on behalf of this rule.
 */
export function allowRuleToDeadLetter(rule: events.Rule, queue: sqs.IQueue): void {
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: `AllowEventRule${rule.node.addr}`,
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }),
  );
}
