import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { FailedDeliveries } from '../../../handlers/ports.ts';

/**
 * The sweep's redrive on AWS: reads the queues where failed deliveries end up and hands each one
 * that is still recent back to its function, as an asynchronous invoke of the original event.
 *
 * Two kinds of message, as AWS documents them:
 * - Lambda's on-failure destination record ("Capturing records of Lambda asynchronous
 *   invocations", docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html):
 *   `{"version","timestamp","requestContext":{"requestId","functionArn","condition",
 *   "approximateInvokeCount"},"requestPayload":<the event>,"responseContext","responsePayload"}`.
 *   `functionArn` carries the qualifier the event ran on (e.g. `...:function:name:$LATEST`);
 *   `requestPayload` is absent when the record was too large to carry it.
 * - An EventBridge rule target's dead letter ("Using dead-letter queues to process undelivered
 *   events", docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html): the body is the event
 *   itself; the message attributes RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
 *   EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS say where it was going and why it did not.
 *
 * Age is the event's own `time`, not the failure's: a redriven event that fails again comes back
 * with its original time, so nothing circulates for longer than `maxAgeMs`. What is too old, not
 * readable, or not for a Lambda function is left in its queue and made visible again at once, so
 * the queue's depth alarm stays on until a person deals with it. Handlers are idempotent, so an
 * event invoked and then not deleted (a crash in between) is only delivered twice.
 */

/** A failed delivery as read from a queue: the function it was for and the event it carried. */
export interface FailedDelivery {
  /** Unqualified function ARN: the redrive goes to what is deployed now. */
  functionArn: string;
  event: Record<string, unknown>;
  /** The event's `time` in epoch ms; NaN when it has none. */
  eventTime: number;
}

const eventSchema = z.record(z.string(), z.unknown());
const lambdaRecordSchema = z.object({
  requestContext: z.object({ functionArn: z.string() }),
  requestPayload: eventSchema,
});

const FUNCTION_ARN = /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+)(?::[^:]+)?$/;

/** The function's unqualified ARN, or undefined when the ARN is not a Lambda function's. */
export function unqualifiedFunctionArn(arn: string | undefined): string | undefined {
  return arn === undefined ? undefined : FUNCTION_ARN.exec(arn)?.[1];
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function delivery(functionArn: string | undefined, event: Record<string, unknown>): FailedDelivery | undefined {
  const unqualified = unqualifiedFunctionArn(functionArn);
  if (!unqualified) return undefined;
  return { functionArn: unqualified, event, eventTime: typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN };
}

/** Reads either kind of message; undefined when it is neither, or not for a Lambda function. */
export function readFailedDelivery(message: Message): FailedDelivery | undefined {
  const body = parseJson(message.Body);
  const targetArn = message.MessageAttributes?.TARGET_ARN?.StringValue;
  if (targetArn !== undefined) {
    const event = eventSchema.safeParse(body);
    return event.success ? delivery(targetArn, event.data) : undefined;
  }
  const record = lambdaRecordSchema.safeParse(body);
  return record.success ? delivery(record.data.requestContext.functionArn, record.data.requestPayload) : undefined;
}

/** An invoke failed: the sweep fails too (and is retried); that message and the rest stay queued. */
export class RedriveFailedError extends Error {
  constructor(
    readonly functionArn: string,
    options: { cause: unknown },
  ) {
    super(`redriving an event to ${functionArn} failed; it stays queued`, options);
    this.name = 'RedriveFailedError';
  }
}

export interface RedriveOptions {
  /** How long a received message stays hidden from other readers while one sweep runs (s). */
  visibilityTimeoutSeconds?: number;
  /** At most this many messages are looked at per sweep, however many are left behind. */
  scanLimit?: number;
}

interface Tally {
  redriven: number;
  kept: number;
}

/** Settles a promise into "no error" or the error it failed with, so both of two steps can run. */
async function outcomeOf(work: Promise<void>): Promise<{ error: unknown } | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return { error };
  }
}

/** SQS allows at most ten entries per batch request and ten messages per receive. */
const BATCH = 10;

export class SqsFailedDeliveries implements FailedDeliveries {
  private readonly visibilityTimeoutSeconds: number;
  private readonly scanLimit: number;

  constructor(
    private readonly queueUrls: readonly string[],
    private readonly sqs: SQSClient = new SQSClient({}),
    private readonly lambda: LambdaClient = new LambdaClient({}),
    options: RedriveOptions = {},
  ) {
    // Longer than a sweep can run (its function times out at 30 s), so one sweep never reads the
    // same message twice; released explicitly at the end anyway.
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 120;
    this.scanLimit = options.scanLimit ?? 1000;
  }

  static fromConfig(queueUrls: readonly string[], sqs: SQSClientConfig, lambda: LambdaClientConfig, options?: RedriveOptions): SqsFailedDeliveries {
    return new SqsFailedDeliveries(queueUrls, new SQSClient(sqs), new LambdaClient(lambda), options);
  }

  async redrive(options: { now: number; maxAgeMs: number; limit: number }): Promise<{ redriven: number; kept: number }> {
    const tally: Tally = { redriven: 0, kept: 0 };
    let scanned = 0;
    for (const queueUrl of this.queueUrls) {
      if (tally.redriven >= options.limit || scanned >= this.scanLimit) break;
      scanned += await this.drain(queueUrl, options, tally, this.scanLimit - scanned);
    }
    return tally;
  }

  /**
   * Reads one queue until it is empty, the limit is reached or the scan budget is spent. Whatever
   * was received and not redriven is made visible again before returning, also when an invoke
   * failed. Returns how many messages it looked at.
   */
  private async drain(queueUrl: string, options: { now: number; maxAgeMs: number; limit: number }, tally: Tally, budget: number): Promise<number> {
    const held: Message[] = [];
    let scanned = 0;
    const read = async (): Promise<void> => {
      while (tally.redriven < options.limit && scanned < budget) {
        const messages = await this.receive(queueUrl);
        if (!messages.length) return;
        scanned += messages.length;
        await this.settleAll(queueUrl, messages, options, tally, held);
      }
    };
    const failure = await outcomeOf(read());
    const releaseFailure = await outcomeOf(this.release(queueUrl, held));
    // A release that fails only delays visibility until the receive's timeout ends; the first
    // failure is the one worth reporting.
    if (failure) throw failure.error;
    if (releaseFailure) throw releaseFailure.error;
    return scanned;
  }

  /** Settles a received batch in order; what it does not redrive goes to `held`, to be released. */
  private async settleAll(queueUrl: string, messages: readonly Message[], options: { now: number; maxAgeMs: number; limit: number }, tally: Tally, held: Message[]): Promise<void> {
    for (const [i, message] of messages.entries()) {
      if (tally.redriven >= options.limit) {
        held.push(...messages.slice(i));
        return;
      }
      let outcome: 'redriven' | 'kept';
      try {
        outcome = await this.settle(queueUrl, message, options);
      } catch (error) {
        held.push(...messages.slice(i));
        throw error;
      }
      if (outcome === 'redriven') tally.redriven += 1;
      else {
        tally.kept += 1;
        held.push(message);
      }
    }
  }

  /** Invoke, then delete: a crash in between delivers the event twice, never not at all. */
  private async settle(queueUrl: string, message: Message, options: { now: number; maxAgeMs: number }): Promise<'redriven' | 'kept'> {
    const failed = readFailedDelivery(message);
    if (!failed || !(options.now - failed.eventTime < options.maxAgeMs)) return 'kept';
    try {
      await this.invoke(failed);
    } catch (error) {
      throw new RedriveFailedError(failed.functionArn, { cause: error });
    }
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    return 'redriven';
  }

  private async receive(queueUrl: string): Promise<Message[]> {
    const { Messages } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: BATCH,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: this.visibilityTimeoutSeconds,
        // Long polling (1 s, the minimum): a short poll samples only some of the queue's servers
        // and can answer "empty" while a few messages wait ("Setting-up long polling in Amazon
        // SQS", false empty responses).
        WaitTimeSeconds: 1,
      }),
    );
    return Messages ?? [];
  }

  /** Asynchronous, like the rule's own invoke: the function gets Lambda's retries and destination again. */
  private async invoke(failed: FailedDelivery): Promise<void> {
    await this.lambda.send(
      new InvokeCommand({ FunctionName: failed.functionArn, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(failed.event)) }),
    );
  }

  /** Visible again now rather than after the receive's timeout, so the depth alarm never dips. */
  private async release(queueUrl: string, messages: readonly Message[]): Promise<void> {
    for (let start = 0; start < messages.length; start += BATCH) {
      const batch = messages.slice(start, start + BATCH);
      const { Failed } = await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
      if (Failed?.length) throw new Error(`could not make ${Failed.length} message(s) visible again: ${Failed.map((f) => `${f.Code} ${f.Message ?? ''}`).join('; ')}`);
    }
  }
}
