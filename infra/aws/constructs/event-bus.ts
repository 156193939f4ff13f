import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RULE_TARGET_RETRY } from '../../../events/delivery.ts';
import { BUS_NAME } from '../../../events/envelope.ts';

export interface EventBusProps {
  archiveRetention: Duration;
  logRetention: logs.RetentionDays;
  deadLetters: sqs.IQueue;
}

/** The `yobidashi` bus, its archive (what auditors replay), and a catch-all rule to a log group. */
export class YobidashiBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly allEvents: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: BUS_NAME });
    this.archive = this.bus.archive('Archive', {
      archiveName: `${BUS_NAME}-archive`,
      description: 'Every event on the yobidashi bus, for audits and replays',
      eventPattern: { account: [this.bus.env.account] },
      retention: props.archiveRetention,
    });
    this.allEvents = new logs.LogGroup(this, 'AllEvents', {
      logGroupName: `/aws/events/${BUS_NAME}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // EventBridge writes to a log group only with a resource policy; CloudFormation's own resource
    // avoids the custom-resource Lambda the L2 target would add.
    new logs.CfnResourcePolicy(this, 'AllEventsPolicy', {
      policyName: `${BUS_NAME}-events-to-logs`,
      policyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: `${this.allEvents.logGroupArn}`,
          },
        ],
      }),
    });
    const catchAll = new events.Rule(this, 'CatchAll', {
      eventBus: this.bus,
      description: 'Every event on the bus to CloudWatch Logs (replays included: it has no side effects)',
      eventPattern: { account: [this.bus.env.account] },
    });
    catchAll.addTarget({
      bind: () => ({
        arn: this.allEvents.logGroupArn,
        deadLetterConfig: { arn: props.deadLetters.queueArn },
        retryPolicy: { maximumRetryAttempts: RULE_TARGET_RETRY.maximumRetryAttempts, maximumEventAgeInSeconds: RULE_TARGET_RETRY.maximumEventAgeSeconds },
      }),
    });
  }
}
