/**
 * Errors of the event-pattern module. Each carries the message EventBridge itself would answer
 * (`awsMessage`) next to a readable one that names the offending field (`message`).
 */

/** AWS's prefix for every refused pattern (InvalidEventPatternException on PutRule, TestEventPattern, ...). */
export const AWS_INVALID_PATTERN_PREFIX = 'Event pattern is not valid. Reason: ';

/**
 * Thrown when an event pattern is not one EventBridge would accept. The message always starts with
 * the path of the offending field (`detail.status: ...`, or `pattern: ...` for the pattern itself).
 */
export class InvalidEventPatternError extends Error {
  /** Dotted path of the offending field, e.g. `detail.$or[1].state`; `pattern` for the root. */
  readonly path: string;
  /** Why, without the path. */
  readonly reason: string;
  /**
   * EventBridge's wording: `Event pattern is not valid. Reason: ...`. The reason keeps the path
   * where EventBridge, too, points into the pattern; the wildcard-complexity refusal is AWS's text
   * verbatim (AWS judges the whole rule there, so it names no position).
   */
  readonly awsMessage: string;

  constructor(reason: string, path = 'pattern', options: { located?: boolean } = {}) {
    super(`${path}: ${reason}`);
    this.name = 'InvalidEventPatternError';
    this.path = path;
    this.reason = reason;
    const located = options.located ?? true;
    this.awsMessage = AWS_INVALID_PATTERN_PREFIX + (located && path !== 'pattern' ? `${path}: ${reason}` : reason);
  }
}

/** Builds the error with the `path: reason` message format used throughout. */
export function invalid(path: string, reason: string, options: { located?: boolean } = {}): InvalidEventPatternError {
  return new InvalidEventPatternError(reason, path, options);
}

/** AWS's message for an event that TestEventPattern refuses (ValidationException). */
export const AWS_INVALID_EVENT_MESSAGE = 'Parameter Event is not valid.';

/**
 * Thrown by testEventPattern when the event is not one TestEventPattern accepts: not JSON, not a
 * JSON object, or without one of the fields EventBridge requires there (`id`, `account`, `source`,
 * `time`, `region`, `detail-type`). `message` is AWS's, word for word; `detail` says which rule failed.
 */
export class InvalidEventError extends Error {
  readonly detail: string;
  readonly awsMessage = AWS_INVALID_EVENT_MESSAGE;

  constructor(detail: string) {
    super(AWS_INVALID_EVENT_MESSAGE);
    this.name = 'InvalidEventError';
    this.detail = detail;
  }
}

/** How EventBridge's API answers one of these errors on the wire. */
export interface AwsErrorAnswer {
  /** `__type` / `x-amzn-errortype`. */
  readonly code: 'InvalidEventPatternException' | 'ValidationException';
  readonly message: string;
  /** HTTP status: 400 for both. */
  readonly status: 400;
}

/** The AWS answer for an error of this module, or undefined for any other error (a bug: answer 500). */
export function toAwsError(error: unknown): AwsErrorAnswer | undefined {
  if (error instanceof InvalidEventPatternError) return { code: 'InvalidEventPatternException', message: error.awsMessage, status: 400 };
  if (error instanceof InvalidEventError) return { code: 'ValidationException', message: error.awsMessage, status: 400 };
  return undefined;
}
