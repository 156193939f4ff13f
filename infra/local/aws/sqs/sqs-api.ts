import type { JsonInput, JsonService } from '../protocols/aws-json.ts';
import { el, type QueryParams, type QueryService } from '../protocols/aws-query.ts';
import { SqsError, type DeadLetterQueues, type QueueMessage } from './dead-letter-queues.ts';

/**
 * SQS's two protocols over the dead-letter queues: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Op>`,
 * the AWS SDK v3) and the query protocol (form-encoded `Action=…&Version=2012-11-05`, XML answer:
 * AWS CLI 2.9, Debian's awscli). The same operations either way; only the encoding differs.
 */

export const SQS_VERSION = '2012-11-05';
const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

const unsupported = (operation: string) =>
  new SqsError('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', `${operation} is not supported locally: the dead-letter queues hold only what EventBridge, Lambda and the Scheduler put in them.`);

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

const queueOf = (queues: DeadLetterQueues, input: JsonInput) => queues.kindOf(input.QueueUrl as string | undefined);

/** AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Op>`): awsQueryCompatible, so errors say the query code too. */
export function sqsJson(queues: DeadLetterQueues): JsonService {
  return {
    protocol: '1.0',
    errorNamespace: 'com.amazonaws.sqs#',
    queryCompatible: true,
    operations: {
      ReceiveMessage: (input) => {
        const messages = queues.receive(queueOf(queues, input), {
          maxNumberOfMessages: input.MaxNumberOfMessages as number | undefined,
          visibilityTimeout: input.VisibilityTimeout as number | undefined,
          waitTimeSeconds: input.WaitTimeSeconds as number | undefined,
          attributeNames: [...strings(input.AttributeNames), ...strings(input.MessageSystemAttributeNames)],
          messageAttributeNames: strings(input.MessageAttributeNames),
        });
        return messages.length ? { Messages: messages } : {};
      },
      DeleteMessage: (input) => {
        queues.delete(queueOf(queues, input), input.ReceiptHandle as string | undefined);
        return {};
      },
      DeleteMessageBatch: (input) => {
        const kind = queueOf(queues, input);
        return queues.batch(entriesOf<{ Id?: string; ReceiptHandle?: string }>(input), (e) => queues.delete(kind, e.ReceiptHandle));
      },
      ChangeMessageVisibility: (input) => {
        queues.changeVisibility(queueOf(queues, input), input.ReceiptHandle as string | undefined, input.VisibilityTimeout);
        return {};
      },
      ChangeMessageVisibilityBatch: (input) => {
        const kind = queueOf(queues, input);
        return queues.batch(entriesOf<{ Id?: string; ReceiptHandle?: string; VisibilityTimeout?: number }>(input), (e) => queues.changeVisibility(kind, e.ReceiptHandle, e.VisibilityTimeout));
      },
      GetQueueAttributes: (input) => ({ Attributes: queues.attributes(queueOf(queues, input), strings(input.AttributeNames)) }),
      GetQueueUrl: (input) => ({ QueueUrl: queues.queueUrl(input.QueueName as string | undefined) }),
      ListQueues: (input) => ({ QueueUrls: queues.listQueues((input.QueueNamePrefix as string | undefined) ?? '') }),
    },
    unknownOperation: unsupported,
  };
}

/** A batch's entries: objects only (anything else is an entry without an Id or handle). */
function entriesOf<E>(input: JsonInput): E[] {
  return (Array.isArray(input.Entries) ? input.Entries : []).map((e: unknown) => (e !== null && typeof e === 'object' ? e : {}) as E);
}

function messageXml(m: QueueMessage): string {
  return el('Message', [
    el('MessageId', m.MessageId),
    el('ReceiptHandle', m.ReceiptHandle),
    el('MD5OfBody', m.MD5OfBody),
    el('Body', m.Body),
    ...Object.entries(m.Attributes ?? {}).map(([name, value]) => el('Attribute', [el('Name', name), el('Value', value)])),
    el('MD5OfMessageAttributes', m.MD5OfMessageAttributes),
    ...Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => el('MessageAttribute', [el('Name', name), el('Value', [el('StringValue', value.StringValue), el('DataType', value.DataType)])])),
  ]);
}

function batchXml(prefix: string, result: ReturnType<DeadLetterQueues['batch']>): string[] {
  return [
    ...result.Successful.map((s) => el(`${prefix}ResultEntry`, [el('Id', s.Id)])),
    ...result.Failed.map((f) => el('BatchResultErrorEntry', [el('Id', f.Id), el('SenderFault', f.SenderFault), el('Code', f.Code), el('Message', f.Message)])),
  ];
}

/** The query protocol (`Action=…` in a form, an XML answer). The QueueUrl may also be the request's path. */
export function sqsQuery(queues: DeadLetterQueues): QueryService {
  const kind = (params: QueryParams, path: string) => queues.kindOf(params.get('QueueUrl') ?? (path === '/' ? undefined : path));
  return {
    namespace: NAMESPACE,
    actions: {
      ReceiveMessage: (params, { path }) => {
        const messages = queues.receive(kind(params, path), {
          maxNumberOfMessages: params.get('MaxNumberOfMessages') as unknown as number | undefined,
          visibilityTimeout: params.get('VisibilityTimeout') as unknown as number | undefined,
          waitTimeSeconds: params.get('WaitTimeSeconds') as unknown as number | undefined,
          attributeNames: [...params.list('AttributeName'), ...params.list('MessageSystemAttributeName')],
          messageAttributeNames: params.list('MessageAttributeName'),
        });
        return messages.map(messageXml);
      },
      DeleteMessage: (params, { path }) => {
        queues.delete(kind(params, path), params.get('ReceiptHandle'));
        return undefined;
      },
      DeleteMessageBatch: (params, { path }) => {
        const k = kind(params, path);
        return batchXml('DeleteMessageBatch', queues.batch(params.entries('DeleteMessageBatchRequestEntry'), (e) => queues.delete(k, e.ReceiptHandle)));
      },
      ChangeMessageVisibility: (params, { path }) => {
        queues.changeVisibility(kind(params, path), params.get('ReceiptHandle'), params.get('VisibilityTimeout'));
        return undefined;
      },
      ChangeMessageVisibilityBatch: (params, { path }) => {
        const k = kind(params, path);
        const entries = params.entries('ChangeMessageVisibilityBatchRequestEntry');
        return batchXml('ChangeMessageVisibilityBatch', queues.batch(entries, (e) => queues.changeVisibility(k, e.ReceiptHandle, e.VisibilityTimeout)));
      },
      GetQueueAttributes: (params, { path }) =>
        Object.entries(queues.attributes(kind(params, path), params.list('AttributeName'))).map(([name, value]) => el('Attribute', [el('Name', name), el('Value', value)])),
      GetQueueUrl: (params) => [el('QueueUrl', queues.queueUrl(params.get('QueueName')))],
      ListQueues: (params) => queues.listQueues(params.get('QueueNamePrefix') ?? '').map((url) => el('QueueUrl', url)),
    },
    unknownAction: (action) => unsupported(action || '(no Action)'),
  };
}
