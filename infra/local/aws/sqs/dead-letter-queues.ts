import { createHash } from 'node:crypto';
import type { Clock } from '../../../../handlers/ports.ts';
import { AwsError } from '../protocols/aws-error.ts';
import type { DeadLetter, EventBridgeCore } from '../eventbridge/event-bridge-core.ts';
import { QUEUE_KINDS, QUEUES, type LocalStack, type QueueKind } from '../cloudformation/local-stack.ts';

/**
 * Amazon SQS for the stack's three dead-letter queues, over the EventBridge core's dead-letter
 * list: one store, so the local API (`/api/dead-letters`, redrive) and SQS see the same letters.
 * Each letter is a message in the queue AWS would have put it in, in AWS's shape:
 *
 * - `handler` (Lambda's on-failure destination): a handler that failed every retry, as the
 *   invocation record Lambda sends ("Capturing records of Lambda asynchronous invocations",
 *   docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html):
 *   `{"version":"1.0","timestamp","requestContext":{"requestId","functionArn":"…:$LATEST",
 *   "condition","approximateInvokeCount"},"requestPayload":<the event>,"responseContext":
 *   {"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
 *   "responsePayload":{"errorType","errorMessage"}}`;
 * - `rule` (the rules' dead-letter queue): an event EventBridge could not hand to the function, as
 *   EventBridge sends it ("Using dead-letter queues to process undelivered events",
 *   docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html): the body is the event, the
 *   message attributes RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
 *   EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS say where it was going and why it did not get there;
 * - `check` (the Scheduler's dead-letter queue): the schedule's input as the body, with
 *   ERROR_CODE, ERROR_MESSAGE, EXECUTION_ID, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS,
 *   SCHEDULE_ARN and TARGET_ARN.
 *
 * ReceiveMessage hides what it returns for its visibility timeout on the runtime's clock (scaled,
 * or virtual in the tests); DeleteMessage removes the letter for good; ChangeMessageVisibility
 * (and its batch) moves the end of that timeout. Visibility lives in memory: after a restart every
 * message is visible again and older receipt handles still delete. WaitTimeSeconds answers at once.
 * The two protocols that reach it, AWS JSON 1.0 and the query protocol, are in sqs-api.ts.
 */


/** An SQS error: `code` as AWS JSON 1.0 names it (`__type`), `queryCode` as the query protocol does. */
export class SqsError extends AwsError {
  constructor(code: string, queryCode: string, message: string, status = 400) {
    super(code, message, status, queryCode);
  }
}

const invalidParameter = (message: string) => new SqsError('InvalidParameterValue', 'InvalidParameterValue', message);
const noQueue = () => new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
const invalidHandle = (handle: string) => new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);

export interface QueueMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, { DataType: 'String'; StringValue: string }>;
}

export interface ReceiveOptions {
  maxNumberOfMessages?: number;
  visibilityTimeout?: number;
  waitTimeSeconds?: number;
  /** System attributes (`AttributeNames` / `MessageSystemAttributeNames`): `All` or names. */
  attributeNames?: readonly string[];
  /** `All`, `.*`, `PREFIX.*` or names. */
  messageAttributeNames?: readonly string[];
}

interface Visibility {
  invisibleUntil: number;
  receives: number;
  firstReceivedAt: number;
}

const STAGE_QUEUE: Record<DeadLetter['stage'], QueueKind> = { function: 'handler', handoff: 'rule', schedule: 'check' };
const SENDER: Record<QueueKind, string> = { handler: 'AROALOCAL0LAMBDA:awslambda_local', rule: 'AIDALOCAL0EVENTBRIDGE', check: 'AROALOCAL0SCHEDULER:scheduler' };
const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp'] as const;
const DEFAULT_VISIBILITY_TIMEOUT = 30;

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

/** SQS's MD5 of message attributes: sorted by name; name, type, transport 1 (string), value, each length-prefixed. */
export function md5OfMessageAttributes(attributes: Record<string, { DataType: string; StringValue: string }>): string {
  const parts: Buffer[] = [];
  const field = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const { DataType, StringValue } = attributes[name] as { DataType: string; StringValue: string };
    field(name);
    field(DataType);
    parts.push(Buffer.from([1]));
    field(StringValue);
  }
  return md5(Buffer.concat(parts));
}

/** `Name: message`, as the core records an error, split into its type and message. */
export function splitError(error: string): { type: string; message: string } {
  const match = /^([A-Za-z0-9_.]+): ([\s\S]*)$/.exec(error);
  return match ? { type: match[1] as string, message: match[2] as string } : { type: 'Error', message: error };
}

function integer(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidParameter(`Value ${String(value)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`);
  return n;
}

export class DeadLetterQueues {
  private readonly visibility = new Map<string, Visibility>();

  constructor(
    private readonly core: EventBridgeCore,
    private readonly stack: LocalStack,
    private readonly clock: Clock,
  ) {}

  /** The queue a QueueUrl names (any host: only `/<account>/<name>` counts). */
  kindOf(queueUrl: string | undefined): QueueKind {
    if (!queueUrl) throw new SqsError('MissingParameter', 'MissingParameter', 'The request must contain the parameter QueueUrl.');
    let path: string;
    try {
      path = new URL(queueUrl, 'http://localhost').pathname;
    } catch {
      throw noQueue();
    }
    const kind = QUEUE_KINDS.find((k) => path === `/${this.stack.options.account}/${QUEUES[k]}`);
    if (!kind) throw noQueue();
    return kind;
  }

  queueUrl(name: string | undefined): string {
    const kind = QUEUE_KINDS.find((k) => QUEUES[k] === name);
    if (!kind) throw noQueue();
    return this.stack.queueUrl(kind);
  }

  listQueues(prefix = ''): string[] {
    return QUEUE_KINDS.filter((k) => QUEUES[k].startsWith(prefix)).map((k) => this.stack.queueUrl(k));
  }

  private letters(kind: QueueKind): DeadLetter[] {
    const letters = this.core.deadLetters;
    // Forget the visibility of letters that are gone (deleted, or redriven through the local API).
    if (this.visibility.size > letters.length) {
      const ids = new Set(letters.map((l) => l.id));
      for (const id of this.visibility.keys()) if (!ids.has(id)) this.visibility.delete(id);
    }
    return letters.filter((l) => STAGE_QUEUE[l.stage] === kind);
  }

  private visible(letter: DeadLetter, now: number): boolean {
    return (this.visibility.get(letter.id)?.invisibleUntil ?? 0) <= now;
  }

  receive(kind: QueueKind, options: ReceiveOptions = {}): QueueMessage[] {
    const max = integer(options.maxNumberOfMessages, 'MaxNumberOfMessages', 1, 10) ?? 1;
    const timeout = integer(options.visibilityTimeout, 'VisibilityTimeout', 0, 43_200) ?? DEFAULT_VISIBILITY_TIMEOUT;
    integer(options.waitTimeSeconds, 'WaitTimeSeconds', 0, 20);
    const now = this.clock.now();
    const chosen = this.letters(kind)
      .filter((l) => this.visible(l, now))
      .slice(0, max);
    return chosen.map((letter) => {
      const seen = this.visibility.get(letter.id);
      const state: Visibility = { invisibleUntil: now + timeout * 1000, receives: (seen?.receives ?? 0) + 1, firstReceivedAt: seen?.firstReceivedAt ?? now };
      this.visibility.set(letter.id, state);
      return this.message(kind, letter, state, options);
    });
  }

  private message(kind: QueueKind, letter: DeadLetter, state: Visibility, options: ReceiveOptions): QueueMessage {
    const { body, attributes } = this.content(kind, letter);
    const message: QueueMessage = {
      // The letter's own id (`dl-…`), so a dead letter has one id in the local API and on SQS.
      MessageId: letter.id,
      ReceiptHandle: Buffer.from(`${kind}|${letter.id}|${state.receives}|${Math.random().toString(36).slice(2, 10)}`).toString('base64url'),
      MD5OfBody: md5(body),
      Body: body,
    };
    const wanted = new Set((options.attributeNames ?? []).flatMap((n) => (n === 'All' ? [...SYSTEM_ATTRIBUTES] : [n])));
    const system: Record<(typeof SYSTEM_ATTRIBUTES)[number], string> = {
      SenderId: SENDER[kind],
      SentTimestamp: String(Date.parse(letter.failedAt)),
      ApproximateReceiveCount: String(state.receives),
      ApproximateFirstReceiveTimestamp: String(state.firstReceivedAt),
    };
    const chosenSystem = Object.fromEntries(SYSTEM_ATTRIBUTES.filter((n) => wanted.has(n)).map((n) => [n, system[n]]));
    if (Object.keys(chosenSystem).length) message.Attributes = chosenSystem;
    const names = options.messageAttributeNames ?? [];
    const include = (name: string) =>
      names.some((n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))));
    const chosen = Object.fromEntries(Object.entries(attributes).filter(([name]) => include(name)).map(([name, value]) => [name, { DataType: 'String' as const, StringValue: value }]));
    if (Object.keys(chosen).length) {
      message.MessageAttributes = chosen;
      message.MD5OfMessageAttributes = md5OfMessageAttributes(chosen);
    }
    return message;
  }

  /** What AWS would have put in the queue for this letter: the body and the message attributes. */
  content(kind: QueueKind, letter: DeadLetter): { body: string; attributes: Record<string, string> } {
    const { type, message } = splitError(letter.error);
    const exhausted = letter.condition === 'RetriesExhausted' ? 'MaximumRetryAttempts' : 'MaximumEventAgeInSeconds';
    const requestId = letter.id.replace(/^dl-/, '');
    if (kind === 'handler') {
      const record = {
        version: '1.0',
        timestamp: letter.failedAt,
        requestContext: { requestId, functionArn: `${this.stack.functionArn(letter.handler)}:$LATEST`, condition: letter.condition, approximateInvokeCount: letter.attempts },
        requestPayload: letter.envelope,
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: type, errorMessage: message },
      };
      return { body: JSON.stringify(record), attributes: {} };
    }
    const common = { ERROR_CODE: type, ERROR_MESSAGE: message, EXHAUSTED_RETRY_CONDITION: exhausted, RETRY_ATTEMPTS: String(Math.max(0, letter.attempts - 1)) };
    if (kind === 'rule') {
      return {
        body: JSON.stringify(letter.envelope),
        attributes: { RULE_ARN: this.stack.ruleArn(letter.route), TARGET_ARN: this.stack.functionArn(letter.handler), ...common },
      };
    }
    const schedule = letter.schedule;
    return {
      body: schedule?.input ?? JSON.stringify(letter.envelope.detail),
      attributes: { ...common, EXECUTION_ID: requestId, ...(schedule ? { SCHEDULE_ARN: schedule.arn, TARGET_ARN: schedule.targetArn } : {}) },
    };
  }

  private handle(kind: QueueKind, receiptHandle: string | undefined): { id: string } {
    if (!receiptHandle) throw new SqsError('MissingParameter', 'MissingParameter', 'The request must contain the parameter ReceiptHandle.');
    const [queue, id, receives] = Buffer.from(receiptHandle, 'base64url').toString('utf8').split('|');
    if (queue !== kind || !id?.startsWith('dl-') || !receives) throw invalidHandle(receiptHandle);
    return { id };
  }

  /** Gone for good. Deleting a message that is already gone succeeds, as on SQS. */
  delete(kind: QueueKind, receiptHandle: string | undefined): void {
    const { id } = this.handle(kind, receiptHandle);
    this.core.removeDeadLetter(id);
    this.visibility.delete(id);
  }

  changeVisibility(kind: QueueKind, receiptHandle: string | undefined, seconds: unknown): void {
    const { id } = this.handle(kind, receiptHandle);
    const timeout = integer(seconds, 'VisibilityTimeout', 0, 43_200);
    if (timeout === undefined) throw new SqsError('MissingParameter', 'MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
    if (!this.core.findDeadLetter(id)) throw invalidHandle(receiptHandle as string);
    const state = this.visibility.get(id);
    const now = this.clock.now();
    if (!state || state.invisibleUntil <= now) throw new SqsError('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 'The message referred to is not in flight.');
    state.invisibleUntil = now + timeout * 1000;
  }

  attributes(kind: QueueKind, names: readonly string[]): Record<string, string> {
    const now = this.clock.now();
    const letters = this.letters(kind);
    const visible = letters.filter((l) => this.visible(l, now)).length;
    const created = String(Math.floor(this.stack.createdAt / 1000));
    const all: Record<string, string> = {
      QueueArn: this.stack.queueArn(kind),
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(letters.length - visible),
      ApproximateNumberOfMessagesDelayed: '0',
      CreatedTimestamp: created,
      LastModifiedTimestamp: created,
      VisibilityTimeout: String(DEFAULT_VISIBILITY_TIMEOUT),
      MaximumMessageSize: '262144',
      MessageRetentionPeriod: '1209600',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
    };
    if (names.includes('All')) return all;
    const out: Record<string, string> = {};
    for (const name of names) {
      if (!(name in all)) throw new SqsError('InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${name}.`);
      out[name] = all[name] as string;
    }
    return out;
  }

  /** A batch of up to ten entries; each succeeds or fails on its own, as SQS reports them. */
  batch<E extends { Id?: string }>(entries: readonly E[], run: (entry: E) => void): { Successful: { Id: string }[]; Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] } {
    if (!entries.length) throw new SqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one entry in the request.');
    if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
    const ids = entries.map((e) => e.Id ?? '');
    if (new Set(ids).size !== ids.length) throw new SqsError('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
    const out = { Successful: [] as { Id: string }[], Failed: [] as { Id: string; SenderFault: boolean; Code: string; Message: string }[] };
    for (const entry of entries) {
      try {
        run(entry);
        out.Successful.push({ Id: entry.Id ?? '' });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        out.Failed.push({ Id: entry.Id ?? '', SenderFault: true, Code: error.queryCode, Message: error.message });
      }
    }
    return out;
  }
}
