import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

export interface NotificationsProps {
  /** An operator's existing topic (context `notifyTopicArn`): used as it is, its policy and subscriptions theirs. */
  topicArn?: string;
  /** Context `notifyEmail`: subscribed to the topic (SNS mails a confirmation link first). */
  email?: string;
}

/**
 * Where a person hears that the on-call process failed (the notify handler; the dead-letter
 * alarms): an SNS topic. With `notifyTopicArn` the operator's own topic (already subscribed by
 * email, SMS or AWS Chatbot); without it, a topic of the stack's own, whose ARN is an output, so
 * there is always somewhere to subscribe. Its policy lets CloudWatch alarms of this account publish
 * (the dead-letter alarms go here) and refuses publishers not on TLS.
 */
export class Notifications extends Construct {
  readonly topic: sns.ITopic;
  /** True when the stack made the topic (no notifyTopicArn). */
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: NotificationsProps = {}) {
    super(scope, id);
    this.created = props.topicArn === undefined;
    if (props.topicArn !== undefined) {
      this.topic = sns.Topic.fromTopicArn(this, 'Topic', props.topicArn);
    } else {
      const stack = Stack.of(this);
      // displayName: the sender name SMS subscribers see, and the From name of the emails.
      const topic = new sns.Topic(this, 'Topic', { displayName: 'yobidashi', enforceSSL: true });
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsOfThisAccount',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
        }),
      );
      NagSuppressions.addResourceSuppressions(topic, [
        {
          id: 'AwsSolutions-SNS2',
          reason:
            'Notifications carry names, systems and incident ids, no secrets or phone numbers. CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key is a cost and a key policy to keep: an operator who wants one passes their own encrypted topic as notifyTopicArn (docs/aws.md).',
        },
      ]);
      this.topic = topic;
    }
    if (props.email !== undefined) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}
