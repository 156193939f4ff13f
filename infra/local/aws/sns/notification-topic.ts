import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '../../../../handlers/ports.ts';
import { appendJournal, readJournal, reportSkipped } from '../../persistence/data-files.ts';
import { AwsError } from '../protocols/aws-error.ts';

/**
 * The stack's notification topic, locally: what SNS would deliver to its subscribers, kept in the
 * data dir (`notifications.jsonl`, a journal like the others: a restart keeps them), listed by
 * `GET /api/notifications` newest first, and handed to listeners (the runtime prints each one on
 * its console output). Publish is checked as SNS checks it (the subject's rules, a structured
 * message's `default`, the attributes), so a publisher that works here works there.
 */

export const TOPIC_NAME = 'yobidashi-notifications';
/** SNS's message limit: 256 KiB. */
export const MAX_MESSAGE_BYTES = 262_144;
export const MAX_ATTRIBUTES = 10;
/** The newest kept in memory for the API; the journal keeps everything. */
const KEPT = 10_000;

export interface PublishRequest {
  topicArn?: string;
  message?: string;
  subject?: string;
  messageStructure?: string;
  attributes: { name: string; dataType?: string; value?: string }[];
}

export interface PublishedNotification {
  messageId: string;
  topicArn: string;
  publishedAt: string;
  subject?: string;
  /** What an email (or any protocol without its own part) gets. */
  message: string;
  /** A structured message's parts by protocol (`email`, `sms`, `https`, `sqs`, …); absent for a plain one. */
  messages?: Record<string, string>;
  attributes: Record<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPublished = (v: unknown): v is PublishedNotification =>
  isObject(v) && typeof v.messageId === 'string' && typeof v.message === 'string' && typeof v.publishedAt === 'string' && isObject(v.attributes);

export class SnsError extends AwsError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, status, code);
  }
}

const invalid = (what: string) => new SnsError('InvalidParameter', `Invalid parameter: ${what}`);

export class NotificationTopic {
  readonly arn: string;
  private readonly published: PublishedNotification[] = [];
  private readonly listeners: ((notification: PublishedNotification) => void)[] = [];

  constructor(private readonly options: { clock: Clock; region: string; account: string; file?: string; log?: Logger }) {
    this.arn = `arn:aws:sns:${options.region}:${options.account}:${TOPIC_NAME}`;
    if (options.file) {
      const { records, skipped } = readJournal(options.file, isPublished);
      reportSkipped(options.log, options.file, skipped);
      this.published.push(...records.slice(-KEPT));
    }
  }

  onPublish(listener: (notification: PublishedNotification) => void): void {
    this.listeners.push(listener);
  }

  /** Newest first. */
  list(limit = KEPT): PublishedNotification[] {
    return this.published.slice(-limit).reverse();
  }

  get size(): number {
    return this.published.length;
  }

  publish(request: PublishRequest): PublishedNotification {
    if (request.topicArn === undefined) throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
    if (request.topicArn !== this.arn) throw new SnsError('NotFound', 'Topic does not exist', 404);
    const message = request.message;
    if (message === undefined || message === '') throw invalid('Message Reason: Empty message');
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw invalid('Message too long');
    const { subject } = request;
    if (subject !== undefined && (subject.length === 0 || subject.length >= 100 || !/^[\x20-\x7e]+$/.test(subject))) {
      throw invalid('Subject');
    }
    let parts: Record<string, string> | undefined;
    if (request.messageStructure !== undefined) {
      if (request.messageStructure !== 'json') throw invalid('MessageStructure');
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        throw invalid('Message Structure - JSON message body failed to parse');
      }
      if (!isObject(parsed) || typeof parsed.default !== 'string') throw invalid('Message Structure - No default entry in JSON message body');
      parts = {};
      for (const [protocol, text] of Object.entries(parsed)) {
        if (typeof text !== 'string') throw invalid(`Message Structure - the ${protocol} entry is not a string`);
        parts[protocol] = text;
      }
    }
    if (request.attributes.length > MAX_ATTRIBUTES) throw invalid(`Too many message attributes (at most ${MAX_ATTRIBUTES})`);
    const attributes: Record<string, string> = {};
    for (const { name, dataType, value } of request.attributes) {
      if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) throw invalid(`Message attribute name ${name}`);
      if (dataType !== 'String' && dataType !== 'Number') throw invalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
      if (value === undefined || value === '') throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
      attributes[name] = value;
    }
    const notification: PublishedNotification = {
      messageId: randomUUID(),
      topicArn: this.arn,
      publishedAt: new Date(this.options.clock.now()).toISOString(),
      ...(subject !== undefined ? { subject } : {}),
      message: parts ? (parts.email ?? parts.default ?? message) : message,
      ...(parts ? { messages: parts } : {}),
      attributes,
    };
    appendJournal(this.options.file, notification);
    this.published.push(notification);
    if (this.published.length > KEPT) this.published.shift();
    for (const listener of this.listeners) {
      try {
        listener(notification);
      } catch (error) {
        this.options.log?.warn('a notification listener failed', { error });
      }
    }
    return notification;
  }
}
