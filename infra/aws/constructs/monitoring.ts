import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** A queue that holds what could not be delivered, and what its alarm tells the person paged. */
export interface WatchedQueue {
  queue: sqs.IQueue;
  /** What a message there means and what to do about it. */
  meaning: string;
}

/** Alarms: anything in a dead-letter or failure queue, and any handler error. A pager for the pager. */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: { deadLetterQueues: Record<string, WatchedQueue>; functions: Record<string, lambda.IFunction>; alarmTopicArn?: string }) {
    super(scope, id);
    const topic = props.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) : undefined;
    for (const [name, { queue, meaning }] of Object.entries(props.deadLetterQueues)) {
      this.alarms.push(
        // Visible messages only: the sweep makes what it leaves behind visible again at once, so
        // the alarm stays on while anything waits for a person.
        new cloudwatch.Alarm(this, `${name}-depth`, {
          alarmDescription: `yobidashi: ${meaning}`,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarms.push(
        new cloudwatch.Alarm(this, `${name}-errors`, {
          alarmDescription: `yobidashi: the ${name} handler failed (it is retried, but look)`,
          metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    if (topic) for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(topic));
  }
}
