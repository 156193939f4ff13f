import { el, type QueryParams, type QueryService } from '../protocols/aws-query.ts';
import { SnsError, type NotificationTopic } from './notification-topic.ts';

/**
 * SNS's query protocol (`Action=Publish&Version=2010-03-31`, XML answers: the AWS SDK v3 and the
 * AWS CLI both speak it) over the one local topic: Publish, and ListTopics so the CLI can find it.
 * Attributes come as `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue`.
 */

export const SNS_VERSION = '2010-03-31';
const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

function attributesOf(params: QueryParams): { name: string; dataType?: string; value?: string }[] {
  return params.entries('MessageAttributes.entry').map((entry) => ({
    name: entry.Name ?? '',
    ...(entry['Value.DataType'] !== undefined ? { dataType: entry['Value.DataType'] } : {}),
    ...(entry['Value.StringValue'] !== undefined ? { value: entry['Value.StringValue'] } : {}),
  }));
}

export function snsQuery(topic: NotificationTopic): QueryService {
  return {
    namespace: NAMESPACE,
    actions: {
      Publish: (params) => {
        if (params.get('TargetArn') !== undefined || params.get('PhoneNumber') !== undefined) {
          throw new SnsError('InvalidParameter', 'Invalid parameter: only TopicArn is supported locally (the notification topic)');
        }
        const published = topic.publish({
          ...(params.get('TopicArn') !== undefined ? { topicArn: params.get('TopicArn') } : {}),
          ...(params.get('Message') !== undefined ? { message: params.get('Message') } : {}),
          ...(params.get('Subject') !== undefined ? { subject: params.get('Subject') } : {}),
          ...(params.get('MessageStructure') !== undefined ? { messageStructure: params.get('MessageStructure') } : {}),
          attributes: attributesOf(params),
        });
        return [el('MessageId', published.messageId)];
      },
      ListTopics: () => [el('Topics', [el('member', [el('TopicArn', topic.arn)])])],
    },
    unknownAction: (action) => new SnsError('InvalidAction', `${action} is not supported locally: the local SNS has one topic, the notification topic, and takes Publish.`),
  };
}
