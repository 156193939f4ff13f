import { isScheduleTimeZone, parseScheduleExpression, ScheduleExpressionError, type ScheduleExpression } from '../../../../domain/schedule-expression.ts';
import { AwsError } from '../protocols/aws-error.ts';

/**
 * What CreateSchedule, UpdateSchedule and ListSchedules accept, checked as EventBridge Scheduler
 * checks it (the service's Smithy model, `scheduler-2021-06-30`), with its kinds of answer:
 *
 * - a member of the wrong JSON type is a SerializationException naming it (`Target.RoleArn:
 *   expected a string`), as AWS's deserializer answers before any check;
 * - a member that breaks its constraint (length, pattern, range, enum, required) is a
 *   ValidationException in AWS's words for every such member at once: `1 validation error
 *   detected: Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular
 *   expression pattern: ^[0-9a-zA-Z-_.]+$`;
 * - then what the model cannot say: the expression (domain/schedule-expression.ts, its
 *   ScheduleExpressionError message), the time zone, a FLEXIBLE window without its width, the
 *   dates of a recurring schedule, and the target.
 *
 * The target, locally: an event bus of this runtime (`yobidashi` or `default`) with
 * EventBridgeParameters, as the handlers and the sweep use it; any other ARN, or another kind of
 * target's parameters, is a ValidationException naming the field (AWS would take any ARN as a
 * universal target; here nothing could receive it).
 */

export type ScheduleState = 'ENABLED' | 'DISABLED';
export type FlexibleTimeWindowMode = 'OFF' | 'FLEXIBLE';

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  EventBridgeParameters: { DetailType: string; Source: string };
  RetryPolicy: { MaximumEventAgeInSeconds: number; MaximumRetryAttempts: number };
  DeadLetterConfig?: { Arn: string };
}

/** A schedule as CreateSchedule/UpdateSchedule define it, checked and with AWS's defaults filled in. */
export interface ScheduleDefinition {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  /** Epoch seconds, as the REST API carries timestamps. */
  StartDate?: number;
  EndDate?: number;
  Description?: string;
  State: ScheduleState;
  KmsKeyArn?: string;
  FlexibleTimeWindow: { Mode: FlexibleTimeWindowMode; MaximumWindowInMinutes?: number };
  ActionAfterCompletion: 'NONE' | 'DELETE';
  Target: ScheduleTarget;
}

export interface ListSchedulesQuery {
  GroupName?: string;
  NamePrefix?: string;
  State?: ScheduleState;
  NextToken?: string;
  MaxResults: number;
}

/** AWS's retry policy for a target that names none (the API reference's defaults). */
export const AWS_DEFAULT_RETRY_POLICY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 } as const;
/** How long ago a recurring schedule's StartDate may be. */
export const START_DATE_GRACE_MS = 5 * 60_000;
/** ListSchedules' page when MaxResults is not given (AWS does not document its default). */
export const DEFAULT_MAX_RESULTS = 100;

const NAME = /^[0-9a-zA-Z-_.]+$/;
const ROLE_ARN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SQS_ARN = /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/;
const KMS_ARN = /^arn:aws(-[a-z]+)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[0-9a-zA-Z-_]*$/;
const CLIENT_TOKEN = /^[a-zA-Z0-9-_]+$/;
// The model's Source pattern, matched whole (Smithy patterns are Java's `matches`): not `aws.…`.
const SOURCE = /^(?:(?=[/.\-_A-Za-z0-9]+)(?!aws\.).*|\$(\.[\w_-]+(\[(\d+|\*)\])*)*)$/;
const PATTERN_TEXT = { name: '^[0-9a-zA-Z-_.]+$', role: '^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$', sqs: '^arn:aws(-[a-z]+)?:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+$', kms: '^arn:aws(-[a-z]+)?:kms:[a-z0-9\\-]+:\\d{12}:(key|alias)\\/[0-9a-zA-Z-_]*$', token: '^[a-zA-Z0-9-_]+$', source: '^(?=[/\\.\\-_A-Za-z0-9]+)((?!aws\\.).*)|(\\$(\\.[\\w_-]+(\\[(\\d+|\\*)\\])*)*)$' } as const;

/** Target members for other kinds of target: not something a local event bus target can take. */
const OTHER_TARGET_PARAMETERS = ['EcsParameters', 'KinesisParameters', 'SageMakerPipelineParameters', 'SqsParameters', 'EventBridgePutEventsV2Parameters', 'EventBridgePutRawEventsParameters', 'HttpParameters'] as const;

export function validationError(message: string): AwsError {
  return new AwsError('ValidationException', message, 400);
}

/** AWS's rendering of a value in a constraint message. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.length > 256 ? `${text.slice(0, 256)}…` : text}'`;
}

/** A member in the request's own spelling (`target.roleArn` is `Target.RoleArn`). */
function wire(path: string): string {
  return path.split('.').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('.');
}

/**
 * Collects every constraint a request breaks, then answers them together as AWS does. A member of
 * the wrong JSON type is answered at once, as AWS's deserializer does: SerializationException.
 */
class Constraints {
  readonly broken: string[] = [];

  wrongType(path: string, expected: string): never {
    throw new AwsError('SerializationException', `${wire(path)}: expected ${expected}`);
  }

  fail(path: string, value: unknown, why: string): void {
    this.broken.push(`Value ${shown(value)} at '${path}' failed to satisfy constraint: ${why}`);
  }

  /** A string member; undefined when absent (or broken). */
  string(path: string, value: unknown, rule: { required?: boolean; min?: number; max?: number; pattern?: RegExp; patternText?: string; values?: readonly string[] } = {}): string | undefined {
    if (value === undefined || value === null) {
      if (rule.required) this.fail(path, null, 'Member must not be null');
      return undefined;
    }
    if (typeof value !== 'string') this.wrongType(path, 'a string');
    const before = this.broken.length;
    if (rule.values && !rule.values.includes(value)) this.fail(path, value, `Member must satisfy enum value set: [${rule.values.join(', ')}]`);
    if (rule.min !== undefined && value.length < rule.min) this.fail(path, value, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && value.length > rule.max) this.fail(path, value, `Member must have length less than or equal to ${rule.max}`);
    if (rule.pattern && !rule.pattern.test(value)) this.fail(path, value, `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`);
    return this.broken.length === before ? value : undefined;
  }

  /** A whole-number member within its range. */
  integer(path: string, value: unknown, rule: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    if (value === undefined || value === null) {
      if (rule.required) this.fail(path, null, 'Member must not be null');
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) this.wrongType(path, 'an integer');
    const before = this.broken.length;
    if (rule.min !== undefined && value < rule.min) this.fail(path, value, `Member must have value greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && value > rule.max) this.fail(path, value, `Member must have value less than or equal to ${rule.max}`);
    return this.broken.length === before ? value : undefined;
  }

  /** A timestamp member: epoch seconds, as the REST protocol sends it. */
  timestamp(path: string, value: unknown): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 253_402_300_799) this.wrongType(path, 'a timestamp (epoch seconds, up to the year 9999)');
    return value;
  }

  /** A structure member: a JSON object. */
  object(path: string, value: unknown, required = false): Record<string, unknown> | undefined {
    if (value === undefined || value === null) {
      if (required) this.fail(path, null, 'Member must not be null');
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) this.wrongType(path, 'a structure (a JSON object)');
    return value as Record<string, unknown>;
  }

  /** Throws the ValidationException, if anything was broken. */
  check(): void {
    const n = this.broken.length;
    if (n > 0) throw validationError(`${n} validation error${n === 1 ? '' : 's'} detected: ${this.broken.join('; ')}`);
  }
}

export function checkName(path: string, value: unknown, required = true): string | undefined {
  const c = new Constraints();
  const name = c.string(path, value, { required, min: 1, max: 64, pattern: NAME, patternText: PATTERN_TEXT.name });
  c.check();
  return name;
}

/** Where the local runtime's schedules may put their events. */
export interface TargetRules {
  /** The event bus ARNs a target may name. */
  busArns: readonly string[];
}

export interface DefinitionOptions extends TargetRules {
  nowMs: number;
  /** The retry policy a target without one gets (AWS's defaults on the wire). */
  defaultRetryPolicy: ScheduleTarget['RetryPolicy'];
}

export interface CheckedDefinition {
  definition: ScheduleDefinition;
  expression: ScheduleExpression;
  clientToken?: string;
}

/**
 * A CreateSchedule or UpdateSchedule request (the name from the path, the rest from the body),
 * checked: the schedule it defines, or the ValidationException AWS would answer.
 */
export function checkDefinition(name: unknown, body: Record<string, unknown>, options: DefinitionOptions): CheckedDefinition {
  const c = new Constraints();
  const Name = c.string('name', name, { required: true, min: 1, max: 64, pattern: NAME, patternText: PATTERN_TEXT.name });
  const GroupName = c.string('groupName', body.GroupName, { min: 1, max: 64, pattern: NAME, patternText: PATTERN_TEXT.name });
  const ScheduleExpression = c.string('scheduleExpression', body.ScheduleExpression, { required: true, min: 1, max: 256 });
  const ScheduleExpressionTimezone = c.string('scheduleExpressionTimezone', body.ScheduleExpressionTimezone, { min: 1, max: 50 });
  const StartDate = c.timestamp('startDate', body.StartDate);
  const EndDate = c.timestamp('endDate', body.EndDate);
  const Description = c.string('description', body.Description, { min: 0, max: 512 });
  const State = c.string('state', body.State, { values: ['ENABLED', 'DISABLED'] }) as ScheduleState | undefined;
  const KmsKeyArn = c.string('kmsKeyArn', body.KmsKeyArn, { min: 1, max: 2048, pattern: KMS_ARN, patternText: PATTERN_TEXT.kms });
  const ClientToken = c.string('clientToken', body.ClientToken, { min: 1, max: 64, pattern: CLIENT_TOKEN, patternText: PATTERN_TEXT.token });
  const ActionAfterCompletion = c.string('actionAfterCompletion', body.ActionAfterCompletion, { values: ['NONE', 'DELETE'] }) as 'NONE' | 'DELETE' | undefined;
  const window = c.object('flexibleTimeWindow', body.FlexibleTimeWindow, true);
  const Mode = window ? (c.string('flexibleTimeWindow.mode', window.Mode, { required: true, values: ['OFF', 'FLEXIBLE'] }) as FlexibleTimeWindowMode | undefined) : undefined;
  const MaximumWindowInMinutes = window ? c.integer('flexibleTimeWindow.maximumWindowInMinutes', window.MaximumWindowInMinutes, { min: 1, max: 1440 }) : undefined;
  const target = c.object('target', body.Target, true);
  let Target: ScheduleTarget | undefined;
  if (target) {
    const Arn = c.string('target.arn', target.Arn, { required: true, min: 1, max: 1600 });
    const RoleArn = c.string('target.roleArn', target.RoleArn, { required: true, min: 1, max: 1600, pattern: ROLE_ARN, patternText: PATTERN_TEXT.role });
    const Input = c.string('target.input', target.Input, { min: 1 });
    const dlq = c.object('target.deadLetterConfig', target.DeadLetterConfig);
    const deadLetterArn = dlq ? c.string('target.deadLetterConfig.arn', dlq.Arn, { min: 1, max: 1600, pattern: SQS_ARN, patternText: PATTERN_TEXT.sqs }) : undefined;
    const retry = c.object('target.retryPolicy', target.RetryPolicy);
    const MaximumEventAgeInSeconds = retry ? c.integer('target.retryPolicy.maximumEventAgeInSeconds', retry.MaximumEventAgeInSeconds, { min: 60, max: 86_400 }) : undefined;
    const MaximumRetryAttempts = retry ? c.integer('target.retryPolicy.maximumRetryAttempts', retry.MaximumRetryAttempts, { min: 0, max: 185 }) : undefined;
    const params = c.object('target.eventBridgeParameters', target.EventBridgeParameters);
    const DetailType = params ? c.string('target.eventBridgeParameters.detailType', params.DetailType, { required: true, min: 1, max: 128 }) : undefined;
    const Source = params ? c.string('target.eventBridgeParameters.source', params.Source, { required: true, min: 1, max: 256, pattern: SOURCE, patternText: PATTERN_TEXT.source }) : undefined;
    c.check();
    // What is left is local: the target must be one of this runtime's buses, put to with EventBridgeParameters.
    if (!options.busArns.includes(Arn as string)) {
      throw validationError(`Invalid Target.Arn ${Arn}: locally, a schedule's target is an event bus of this runtime (${options.busArns.join(', ')}).`);
    }
    const other = OTHER_TARGET_PARAMETERS.find((member) => target[member] !== undefined && target[member] !== null);
    if (other) throw validationError(`Target.${other} is not valid for an EventBridge event bus target; give Target.EventBridgeParameters.`);
    if (!params) throw validationError('Target.EventBridgeParameters is required for an EventBridge event bus target (DetailType and Source).');
    Target = {
      Arn: Arn as string,
      RoleArn: RoleArn as string,
      ...(Input !== undefined ? { Input } : {}),
      EventBridgeParameters: { DetailType: DetailType as string, Source: Source as string },
      RetryPolicy: {
        MaximumEventAgeInSeconds: MaximumEventAgeInSeconds ?? options.defaultRetryPolicy.MaximumEventAgeInSeconds,
        MaximumRetryAttempts: MaximumRetryAttempts ?? options.defaultRetryPolicy.MaximumRetryAttempts,
      },
      ...(deadLetterArn !== undefined ? { DeadLetterConfig: { Arn: deadLetterArn } } : {}),
    };
  }
  c.check();

  if (Mode === 'FLEXIBLE' && MaximumWindowInMinutes === undefined) {
    throw validationError('FlexibleTimeWindow.MaximumWindowInMinutes is required when FlexibleTimeWindow.Mode is FLEXIBLE.');
  }
  let expression: ScheduleExpression;
  try {
    expression = parseScheduleExpression(ScheduleExpression as string);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw validationError(error.message);
    throw error;
  }
  const zone = ScheduleExpressionTimezone ?? 'UTC';
  if (!isScheduleTimeZone(zone)) throw validationError(`Invalid ScheduleExpressionTimezone ${zone}: not a time zone of the IANA tz database (for example UTC, Asia/Tokyo, America/New_York).`);
  // EventBridge Scheduler ignores StartDate and EndDate for one-time schedules.
  if (expression.kind !== 'at') {
    if (StartDate !== undefined && StartDate * 1000 < options.nowMs - START_DATE_GRACE_MS) throw validationError('The StartDate you specify cannot be earlier than 5 minutes ago.');
    if (StartDate !== undefined && EndDate !== undefined && EndDate <= StartDate) throw validationError('The EndDate you specify must be after the StartDate.');
  }
  const definition: ScheduleDefinition = {
    Name: Name as string,
    GroupName: GroupName ?? 'default',
    ScheduleExpression: expression.text,
    ScheduleExpressionTimezone: zone,
    ...(StartDate !== undefined ? { StartDate } : {}),
    ...(EndDate !== undefined ? { EndDate } : {}),
    ...(Description !== undefined ? { Description } : {}),
    State: State ?? 'ENABLED',
    ...(KmsKeyArn !== undefined ? { KmsKeyArn } : {}),
    FlexibleTimeWindow: { Mode: Mode as FlexibleTimeWindowMode, ...(MaximumWindowInMinutes !== undefined ? { MaximumWindowInMinutes } : {}) },
    ActionAfterCompletion: ActionAfterCompletion ?? 'NONE',
    Target: Target as ScheduleTarget,
  };
  return { definition, expression, ...(ClientToken !== undefined ? { clientToken: ClientToken } : {}) };
}

/** ListSchedules' query string (`ScheduleGroup`, `NamePrefix`, `State`, `NextToken`, `MaxResults`). */
export function checkListQuery(query: Record<string, string | undefined>): ListSchedulesQuery {
  const c = new Constraints();
  const GroupName = c.string('groupName', query.ScheduleGroup, { min: 1, max: 64, pattern: NAME, patternText: PATTERN_TEXT.name });
  const NamePrefix = c.string('namePrefix', query.NamePrefix, { min: 1, max: 64, pattern: NAME, patternText: PATTERN_TEXT.name });
  const State = c.string('state', query.State, { values: ['ENABLED', 'DISABLED'] }) as ScheduleState | undefined;
  const NextToken = c.string('nextToken', query.NextToken, { min: 1, max: 2048 });
  const max = query.MaxResults;
  const MaxResults = max === undefined ? undefined : c.integer('maxResults', /^-?\d{1,9}$/.test(max) ? Number(max) : Number.NaN, { min: 1, max: 100 });
  c.check();
  return { ...(GroupName ? { GroupName } : {}), ...(NamePrefix ? { NamePrefix } : {}), ...(State ? { State } : {}), ...(NextToken ? { NextToken } : {}), MaxResults: MaxResults ?? DEFAULT_MAX_RESULTS };
}
