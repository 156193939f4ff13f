import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { nextOccurrence, parseScheduleExpression, type ScheduleExpression } from '../../../../domain/schedule-expression.ts';
import { SCHEDULER_TARGET_RETRY, ruleTargetRetryDelayMs } from '../../../../events/delivery.ts';
import { BUS_NAME } from '../../../../events/envelope.ts';
import type { Logger } from '../../../../handlers/ports.ts';
import type { Timers } from '../../clock/timers.ts';
import { appendJournal, readJournal, reportSkipped, rewriteJournal } from '../../persistence/data-files.ts';
import type { PutEventsEntry, PutEventsResultEntry } from '../eventbridge/event-bridge-core.ts';
import type { FaultBook } from '../faults/fault-book.ts';
import { AwsError } from '../protocols/aws-error.ts';
import {
  AWS_DEFAULT_RETRY_POLICY,
  checkDefinition,
  checkListQuery,
  checkName,
  validationError,
  type CheckedDefinition,
  type ScheduleDefinition,
  type ScheduleTarget,
} from './schedule-input.ts';

/**
 * EventBridge Scheduler for one machine, as its API reference and user guide describe it:
 *
 * - **Operations** (REST, what `@aws-sdk/client-scheduler` sends): CreateSchedule
 *   (`POST /schedules/{Name}`), GetSchedule (`GET`), UpdateSchedule (`PUT`, a full replacement:
 *   what the request leaves out takes its default), DeleteSchedule (`DELETE`, `?groupName`),
 *   ListSchedules (`GET /schedules?ScheduleGroup&NamePrefix&State&NextToken&MaxResults`). Their
 *   checks and AWS's errors are in schedule-input.ts; ConflictException for a name already taken
 *   (a retried CreateSchedule with the same ClientToken succeeds instead, as an idempotent create
 *   does), ResourceNotFoundException for a schedule or group that does not exist. The groups are
 *   `default` and `yobidashi` (the stack's); there is no CreateScheduleGroup.
 * - **Schedules**: `at(...)`, `rate(...)` and `cron(...)` in any IANA time zone (default UTC),
 *   evaluated by domain/schedule-expression.ts (daylight saving as Scheduler documents it);
 *   StartDate/EndDate for recurring ones (a rate schedule counts from its StartDate, or starts at
 *   once without one; occurrences at or after EndDate do not run); State; ActionAfterCompletion
 *   (DELETE removes a one-time schedule once it fired, a recurring one once its last occurrence did).
 * - **Flexible time windows**: an occurrence fires within `[occurrence, occurrence + window)`, at
 *   `occurrence + ⌊u · window⌋` whole seconds, where `u ∈ [0, 1)` comes from SHA-256 of
 *   `group/name@occurrence` (`flexibleOffsetMs`): deterministic, the same after a restart,
 *   different from schedule to schedule and occurrence to occurrence.
 * - **Timing**: on time, to the millisecond (AWS fires within the minute, later in a window):
 *   callers must not rely on either. A one-time schedule whose time has passed when it is created,
 *   enabled or found at start fires at once; an occurrence fires at most once.
 * - **The target**: PutEvents on this runtime's bus with the schedule's Source, DetailType and
 *   Input, retried with backoff per its RetryPolicy (AWS's defaults when the request names none),
 *   then handed to `onDeadLetter` (the stack's check dead-letter queue: every schedule's, whether or
 *   not it names a DeadLetterConfig).
 * - **Persistence**: every change is a line of the journal `schedules.jsonl` (data-files.ts:
 *   checksummed JSON, so no client value can break a line), compacted at start. A torn or damaged
 *   line, or one that is not a schedule this service could have written, is skipped and reported
 *   (file and line), the rest recovered. At start each enabled schedule is re-armed: a one-time one
 *   at its time (at once if overdue), a recurring one at its next occurrence — occurrences missed
 *   while the runtime was stopped are not made up (one whose flexible window is still open runs).
 */

export interface StoredSchedule extends ScheduleDefinition {
  /** Epoch seconds. */
  CreationDate: number;
  LastModificationDate: number;
  /** The ClientToken of the request that created it: a retried CreateSchedule with it succeeds. */
  ClientToken?: string;
  /** Rate schedules: the instant occurrences count from (StartDate, or when it was created or re-timed). */
  anchorMs?: number;
  /** The occurrence waiting to fire (none when disabled or done). */
  occurrenceMs?: number;
  /** When that occurrence fires: the occurrence, plus its offset in a flexible window. */
  atMs?: number;
  /** The last occurrence that fired. */
  lastOccurrenceMs?: number;
  /** Done: a one-time schedule that fired, or a recurring one with no occurrence left. */
  fired?: boolean;
}

/** The body of a CreateSchedule or UpdateSchedule request, as the SDK sends it. */
export interface ScheduleRequest {
  GroupName?: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  StartDate?: number;
  EndDate?: number;
  Description?: string;
  State?: 'ENABLED' | 'DISABLED';
  KmsKeyArn?: string;
  FlexibleTimeWindow?: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  ActionAfterCompletion?: 'NONE' | 'DELETE';
  ClientToken?: string;
  Target: Omit<ScheduleTarget, 'RetryPolicy' | 'EventBridgeParameters'> & { RetryPolicy?: Partial<ScheduleTarget['RetryPolicy']>; EventBridgeParameters?: ScheduleTarget['EventBridgeParameters'] };
}

/** GetSchedule's answer. */
export type GetScheduleOutput = ScheduleDefinition & { Arn: string; CreationDate: number; LastModificationDate: number };

export interface ScheduleSummary {
  Arn: string;
  Name: string;
  GroupName: string;
  State: 'ENABLED' | 'DISABLED';
  CreationDate: number;
  LastModificationDate: number;
  Target: { Arn: string };
}

/** What happened to schedules, newest last (bounded): tests and the console read it. */
export interface ScheduleRecord {
  name: string;
  group: string;
  atMs: number;
  event: 'created' | 'updated' | 'fired' | 'deleted' | 'failed';
  detailType?: string;
  input?: string;
}

export class SchedulerError extends AwsError {
  constructor(code: 'ConflictException' | 'ResourceNotFoundException' | 'ValidationException', message: string, status: number) {
    super(code, message, status);
  }
}

/** Why a schedule's target was given up on. */
export interface ScheduleFailure {
  error: string;
  /** Attempts made (the first and its retries). */
  attempts: number;
  condition: 'RetriesExhausted' | 'EventAgeExceeded';
  /** When the schedule fired. */
  scheduledAt: number;
}

type JournalEntry = { op: 'put'; schedule: StoredSchedule } | { op: 'del'; key: string };

const HISTORY_LIMIT = 50_000;
/** The stack's groups: `default`, which every account has, and the one the CDK stack creates. */
export const SCHEDULE_GROUPS = ['default', 'yobidashi'] as const;

export interface SchedulerServiceOptions {
  timers: Timers;
  putEvents: (entries: PutEventsEntry[]) => Promise<PutEventsResultEntry[]>;
  log: Logger;
  faults?: FaultBook;
  /** The journal (`schedules.jsonl`). */
  file?: string;
  region?: string;
  account?: string;
  /** The schedule groups that exist (default: SCHEDULE_GROUPS). */
  groups?: readonly string[];
  /** The event buses a target may name (default: this account's `yobidashi` and `default` buses). */
  busArns?: readonly string[];
  /** A target that failed every retry (AWS: the schedule's dead-letter queue). */
  onDeadLetter?: (schedule: StoredSchedule, failure: ScheduleFailure) => void;
}

/**
 * Where in its flexible window an occurrence fires: `⌊u · window⌋` whole seconds after it, `u` in
 * [0, 1) from SHA-256 of `group/name@occurrence`. Always less than the window; 0 without one.
 */
export function flexibleOffsetMs(group: string, name: string, occurrenceMs: number, windowMinutes: number | undefined): number {
  if (!windowMinutes) return 0;
  const digest = createHash('sha256').update(`${group}/${name}@${occurrenceMs}`).digest();
  const u = digest.readUIntBE(0, 6) / 2 ** 48;
  return Math.floor(u * windowMinutes * 60) * 1000;
}

export class SchedulerService {
  private readonly schedules = new Map<string, StoredSchedule>();
  /** The timer each schedule is armed with: a timer whose token is no longer here does nothing. */
  private readonly armed = new Map<string, number>();
  private tokens = 0;
  readonly history: ScheduleRecord[] = [];
  /** What the journal held that could not be read at start (file and line each), also logged. */
  readonly journalSkipped: string[] = [];
  private readonly region: string;
  private readonly account: string;
  private readonly groups: readonly string[];
  private readonly busArns: readonly string[];

  constructor(private readonly options: SchedulerServiceOptions) {
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '000000000000';
    this.groups = options.groups ?? SCHEDULE_GROUPS;
    this.busArns = options.busArns ?? [BUS_NAME, 'default'].map((bus) => `arn:aws:events:${this.region}:${this.account}:event-bus/${bus}`);
    if (options.file && existsSync(options.file)) this.load(options.file);
  }

  private load(file: string): void {
    const { records, skipped } = readJournal<JournalEntry>(file, (value): value is JournalEntry => this.revive(value) !== undefined);
    for (const record of records) {
      const entry = this.revive(record) as JournalEntry;
      if (entry.op === 'put') this.schedules.set(this.key(entry.schedule.GroupName, entry.schedule.Name), entry.schedule);
      else this.schedules.delete(entry.key);
    }
    this.journalSkipped.push(...skipped);
    reportSkipped(this.options.log, file, skipped);
    const now = this.options.timers.now();
    for (const schedule of this.schedules.values()) this.resume(schedule, now);
    rewriteJournal(file, this.list().map((schedule) => ({ op: 'put', schedule }) satisfies JournalEntry));
  }

  /**
   * A journal record, if it is one this service wrote: a deletion, or a schedule whose definition
   * passes today's checks (its dates aside) and whose state is numbers where numbers belong. A
   * schedule written before these checks (no FlexibleTimeWindow, `everyMs`) is read as one with
   * the window off and the stack's retry policy.
   */
  private revive(value: unknown): JournalEntry | undefined {
    if (value === null || typeof value !== 'object') return undefined;
    const entry = value as Record<string, unknown>;
    if (entry.op === 'del') return typeof entry.key === 'string' && /^[0-9a-zA-Z-_.]{1,64}\/[0-9a-zA-Z-_.]{1,64}$/.test(entry.key) ? { op: 'del', key: entry.key } : undefined;
    if (entry.op !== 'put' || entry.schedule === null || typeof entry.schedule !== 'object') return undefined;
    const stored = entry.schedule as Record<string, unknown>;
    const legacy = stored.FlexibleTimeWindow === undefined;
    const target = (stored.Target ?? {}) as Record<string, unknown>;
    const body = {
      ...stored,
      ...(legacy ? { FlexibleTimeWindow: { Mode: 'OFF' } } : {}),
      // Dates are checked against the clock only when a request sets them.
      StartDate: undefined,
      EndDate: undefined,
      Target: { ...target, RetryPolicy: target.RetryPolicy ?? { MaximumRetryAttempts: SCHEDULER_TARGET_RETRY.maximumRetryAttempts, MaximumEventAgeInSeconds: SCHEDULER_TARGET_RETRY.maximumEventAgeSeconds } },
    };
    let checked: CheckedDefinition;
    try {
      checked = checkDefinition(stored.Name, body, { nowMs: 0, busArns: this.busArns, defaultRetryPolicy: AWS_DEFAULT_RETRY_POLICY });
    } catch {
      return undefined;
    }
    const number = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));
    const times = ['StartDate', 'EndDate', 'CreationDate', 'LastModificationDate', 'anchorMs', 'occurrenceMs', 'atMs', 'lastOccurrenceMs', 'everyMs'];
    if (!times.every((field) => number(stored[field])) || typeof stored.CreationDate !== 'number') return undefined;
    if (!(stored.fired === undefined || typeof stored.fired === 'boolean') || !(stored.ClientToken === undefined || typeof stored.ClientToken === 'string')) return undefined;
    const at = stored.atMs as number | undefined;
    const schedule: StoredSchedule = {
      ...checked.definition,
      ...(stored.StartDate !== undefined ? { StartDate: stored.StartDate as number } : {}),
      ...(stored.EndDate !== undefined ? { EndDate: stored.EndDate as number } : {}),
      CreationDate: stored.CreationDate,
      LastModificationDate: (stored.LastModificationDate as number | undefined) ?? stored.CreationDate,
      ...(stored.ClientToken !== undefined ? { ClientToken: stored.ClientToken as string } : {}),
      // An older journal's rate schedule ran on a grid through its next time.
      ...(stored.anchorMs !== undefined ? { anchorMs: stored.anchorMs as number } : legacy && at !== undefined && checked.expression.kind === 'rate' ? { anchorMs: at } : {}),
      ...(stored.occurrenceMs !== undefined ? { occurrenceMs: stored.occurrenceMs as number } : legacy && at !== undefined && !stored.fired ? { occurrenceMs: at } : {}),
      ...(at !== undefined && !(legacy && stored.fired) ? { atMs: at } : {}),
      ...(stored.lastOccurrenceMs !== undefined ? { lastOccurrenceMs: stored.lastOccurrenceMs as number } : {}),
      ...(stored.fired ? { fired: true } : {}),
    };
    return { op: 'put', schedule };
  }

  private key(group: string, name: string): string {
    return `${group}/${name}`;
  }

  arn(group: string, name: string): string {
    return `arn:aws:scheduler:${this.region}:${this.account}:schedule/${group}/${name}`;
  }

  /** Every schedule, in no particular order (the harness and the runtime read it). */
  list(): StoredSchedule[] {
    return [...this.schedules.values()];
  }

  private fault(operation: string): void {
    const fault = this.options.faults?.take(`scheduler:${operation}`, 'rest');
    if (fault) throw fault;
  }

  private group(name: string | undefined): string {
    const group = checkName('groupName', name, false) ?? 'default';
    if (!this.groups.includes(group)) throw new SchedulerError('ResourceNotFoundException', `Schedule group ${group} does not exist.`, 404);
    return group;
  }

  private found(group: string, name: string): StoredSchedule {
    const schedule = this.schedules.get(this.key(group, name));
    if (!schedule) throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return schedule;
  }

  private check(name: unknown, body: unknown, defaultRetryPolicy: ScheduleTarget['RetryPolicy']): CheckedDefinition {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AwsError('SerializationException', 'The request body must be a JSON object.');
    return checkDefinition(name, body as Record<string, unknown>, { nowMs: this.options.timers.now(), busArns: this.busArns, defaultRetryPolicy });
  }

  /** CreateSchedule, as it arrives on the wire. */
  createSchedule(name: string, body: unknown): string {
    this.fault('CreateSchedule');
    return this.add(this.check(name, body, AWS_DEFAULT_RETRY_POLICY));
  }

  /**
   * The runtime's own schedules (the sweep), created in process as the CDK stack deploys them: a
   * window left out is OFF and a retry policy left out is the stack's (events/delivery.ts), where
   * the wire requires the one and defaults the other to AWS's. Otherwise CreateSchedule itself.
   */
  create(name: string, body: Omit<ScheduleRequest, 'ScheduleExpression' | 'Target'> & { ScheduleExpression: string; Target: ScheduleRequest['Target'] }): string {
    this.fault('CreateSchedule');
    const stack = { MaximumRetryAttempts: SCHEDULER_TARGET_RETRY.maximumRetryAttempts, MaximumEventAgeInSeconds: SCHEDULER_TARGET_RETRY.maximumEventAgeSeconds };
    return this.add(this.check(name, { FlexibleTimeWindow: { Mode: 'OFF' }, ...body }, stack));
  }

  private add({ definition, expression, clientToken }: CheckedDefinition): string {
    const group = this.group(definition.GroupName);
    const key = this.key(group, definition.Name);
    const existing = this.schedules.get(key);
    if (existing) {
      // A retry of the request that created it (the SDK resends its ClientToken) is that request's success.
      if (clientToken !== undefined && existing.ClientToken === clientToken) return this.arn(group, definition.Name);
      throw new SchedulerError('ConflictException', `Schedule ${definition.Name} already exists.`, 409);
    }
    const now = this.options.timers.now();
    const schedule: StoredSchedule = {
      ...definition,
      CreationDate: now / 1000,
      LastModificationDate: now / 1000,
      ...(clientToken !== undefined ? { ClientToken: clientToken } : {}),
      ...(expression.kind === 'rate' ? { anchorMs: definition.StartDate !== undefined ? definition.StartDate * 1000 : now } : {}),
    };
    this.schedules.set(key, schedule);
    this.plan(schedule, expression, now);
    this.record(schedule, 'created');
    this.save({ op: 'put', schedule });
    this.arm(schedule);
    return this.arn(group, definition.Name);
  }

  /** UpdateSchedule: the request replaces the schedule whole (what it leaves out takes its default). */
  updateSchedule(name: string, body: unknown): string {
    this.fault('UpdateSchedule');
    const { definition, expression } = this.check(name, body, AWS_DEFAULT_RETRY_POLICY);
    const group = this.group(definition.GroupName);
    const key = this.key(group, definition.Name);
    const old = this.found(group, definition.Name);
    const now = this.options.timers.now();
    // A rate schedule keeps counting from where it did unless its expression or StartDate changed.
    const retimed = old.ScheduleExpression !== definition.ScheduleExpression || old.StartDate !== definition.StartDate;
    const schedule: StoredSchedule = {
      ...definition,
      CreationDate: old.CreationDate,
      LastModificationDate: now / 1000,
      ...(old.ClientToken !== undefined ? { ClientToken: old.ClientToken } : {}),
      ...(expression.kind === 'rate' ? { anchorMs: !retimed && old.anchorMs !== undefined ? old.anchorMs : definition.StartDate !== undefined ? definition.StartDate * 1000 : now } : {}),
      ...(old.lastOccurrenceMs !== undefined ? { lastOccurrenceMs: old.lastOccurrenceMs } : {}),
    };
    this.armed.delete(key);
    this.schedules.set(key, schedule);
    this.plan(schedule, expression, now);
    this.record(schedule, 'updated');
    this.save({ op: 'put', schedule });
    this.arm(schedule);
    return this.arn(group, definition.Name);
  }

  /** GetSchedule. */
  getSchedule(name: string, groupName?: string): GetScheduleOutput {
    this.fault('GetSchedule');
    checkName('name', name);
    const schedule = this.found(this.group(groupName), name);
    return this.describe(schedule);
  }

  /** The stored schedule (in process: tests, the harness). */
  get(group: string, name: string): StoredSchedule {
    return this.found(group, name);
  }

  /** DeleteSchedule. */
  deleteSchedule(name: string, groupName?: string): void {
    this.fault('DeleteSchedule');
    checkName('name', name);
    this.remove(this.found(this.group(groupName), name));
  }

  /** DeleteSchedule, in process. */
  delete(group: string, name: string): void {
    this.deleteSchedule(name, group);
  }

  /**
   * ListSchedules, from the query string the SDK sends: by group, then name; filtered by
   * ScheduleGroup, NamePrefix and State; MaxResults a page (1–100, default 100). The NextToken is
   * the last key of the page, so schedules created or deleted between pages are neither skipped nor
   * repeated (a new one is listed if it sorts after the page).
   */
  listSchedules(query: Record<string, string | undefined>): { Schedules: ScheduleSummary[]; NextToken?: string } {
    this.fault('ListSchedules');
    const q = checkListQuery(query);
    if (q.GroupName !== undefined) this.group(q.GroupName);
    let after: string | undefined;
    if (q.NextToken !== undefined) {
      after = Buffer.from(q.NextToken, 'base64url').toString('utf8');
      if (!/^[0-9a-zA-Z-_.]{1,64}\/[0-9a-zA-Z-_.]{1,64}$/.test(after) || Buffer.from(after).toString('base64url') !== q.NextToken) throw validationError('Invalid NextToken.');
    }
    const matching = this.list()
      .filter((s) => (q.GroupName === undefined || s.GroupName === q.GroupName) && (q.NamePrefix === undefined || s.Name.startsWith(q.NamePrefix)) && (q.State === undefined || s.State === q.State))
      .map((s) => ({ key: this.key(s.GroupName, s.Name), s }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .filter(({ key }) => after === undefined || key > after);
    const page = matching.slice(0, q.MaxResults);
    const last = page.at(-1);
    return {
      Schedules: page.map(({ s }) => ({ Arn: this.arn(s.GroupName, s.Name), Name: s.Name, GroupName: s.GroupName, State: s.State, CreationDate: s.CreationDate, LastModificationDate: s.LastModificationDate, Target: { Arn: s.Target.Arn } })),
      ...(matching.length > page.length && last ? { NextToken: Buffer.from(last.key).toString('base64url') } : {}),
    };
  }

  private describe(schedule: StoredSchedule): GetScheduleOutput {
    const { ClientToken: _token, anchorMs: _anchor, occurrenceMs: _occurrence, atMs: _at, lastOccurrenceMs: _last, fired: _fired, ...definition } = schedule;
    return { Arn: this.arn(schedule.GroupName, schedule.Name), ...definition };
  }

  private remove(schedule: StoredSchedule): void {
    const key = this.key(schedule.GroupName, schedule.Name);
    this.schedules.delete(key);
    this.armed.delete(key);
    this.record(schedule, 'deleted');
    this.save({ op: 'del', key });
  }

  private windowMs(schedule: StoredSchedule): number {
    return schedule.FlexibleTimeWindow.Mode === 'FLEXIBLE' ? (schedule.FlexibleTimeWindow.MaximumWindowInMinutes ?? 0) * 60_000 : 0;
  }

  /**
   * Sets the schedule's pending occurrence: the first one after `afterMs` (by default the last that
   * fired) and not before `notBeforeMs`, within StartDate and EndDate; or marks it done. A new or
   * updated schedule starts from now; after a firing or a restart an occurrence whose window is
   * still open counts. A one-time schedule's single occurrence is pending until it fires, however late.
   */
  private plan(schedule: StoredSchedule, expression: ScheduleExpression, notBeforeMs: number, afterMs = schedule.lastOccurrenceMs): void {
    delete schedule.occurrenceMs;
    delete schedule.atMs;
    let occurrence: number | undefined;
    if (expression.kind === 'at') {
      occurrence = nextOccurrence(expression, Number.MIN_SAFE_INTEGER, schedule.ScheduleExpressionTimezone);
      if (occurrence !== undefined && occurrence === schedule.lastOccurrenceMs) occurrence = undefined; // it fired already
    } else {
      const from = Math.max(afterMs ?? Number.MIN_SAFE_INTEGER, notBeforeMs - 1, schedule.StartDate !== undefined ? schedule.StartDate * 1000 - 1 : Number.MIN_SAFE_INTEGER);
      occurrence = nextOccurrence(expression, from, schedule.ScheduleExpressionTimezone, schedule.anchorMs);
      if (occurrence !== undefined && schedule.EndDate !== undefined && occurrence >= schedule.EndDate * 1000) occurrence = undefined;
    }
    if (occurrence === undefined) {
      schedule.fired = true;
      return;
    }
    delete schedule.fired;
    schedule.occurrenceMs = occurrence;
    schedule.atMs = occurrence + flexibleOffsetMs(schedule.GroupName, schedule.Name, occurrence, schedule.FlexibleTimeWindow.Mode === 'FLEXIBLE' ? schedule.FlexibleTimeWindow.MaximumWindowInMinutes : undefined);
  }

  /** At start: what the journal says is pending, or the next occurrence if a recurring one's time went by. */
  private resume(schedule: StoredSchedule, nowMs: number): void {
    if (schedule.fired) return;
    const expression = parseScheduleExpression(schedule.ScheduleExpression);
    const stale = expression.kind !== 'at' && (schedule.atMs === undefined || schedule.atMs < nowMs);
    if (schedule.occurrenceMs === undefined || stale) this.plan(schedule, expression, nowMs - this.windowMs(schedule));
    this.arm(schedule);
  }

  private arm(schedule: StoredSchedule): void {
    if (schedule.State !== 'ENABLED' || schedule.fired || schedule.atMs === undefined) return;
    const key = this.key(schedule.GroupName, schedule.Name);
    const token = ++this.tokens;
    this.armed.set(key, token);
    const recurring = !schedule.ScheduleExpression.startsWith('at(');
    this.options.timers.at(schedule.atMs, () => this.fire(key, token), { background: recurring });
  }

  private async fire(key: string, token: number): Promise<void> {
    const schedule = this.schedules.get(key);
    if (!schedule || this.armed.get(key) !== token || schedule.occurrenceMs === undefined || schedule.atMs === undefined) return; // deleted, replaced or disabled meanwhile
    this.armed.delete(key);
    const scheduledAt = schedule.atMs;
    const occurrence = schedule.occurrenceMs;
    const now = this.options.timers.now();
    schedule.lastOccurrenceMs = occurrence;
    this.plan(schedule, parseScheduleExpression(schedule.ScheduleExpression), now - this.windowMs(schedule), occurrence);
    this.record(schedule, 'fired', scheduledAt);
    if (schedule.fired && schedule.ActionAfterCompletion === 'DELETE') this.remove(schedule);
    else {
      this.save({ op: 'put', schedule });
      this.arm(schedule);
    }
    await this.deliver({ ...schedule }, 1, now, scheduledAt);
  }

  /** PutEvents to the target bus; retried with backoff per the target's retry policy, then dead-lettered. */
  private async deliver(schedule: StoredSchedule, attempt: number, firstTriedAt: number, scheduledAt: number): Promise<void> {
    const { Target } = schedule;
    let error: string | undefined;
    try {
      const [result] = await this.options.putEvents([
        { EventBusName: Target.Arn, Source: Target.EventBridgeParameters.Source, DetailType: Target.EventBridgeParameters.DetailType, Detail: Target.Input ?? '{}' },
      ]);
      if (result && 'ErrorCode' in result) error = `${result.ErrorCode}: ${result.ErrorMessage}`;
    } catch (thrown) {
      error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    }
    if (error === undefined) return;
    const now = this.options.timers.now();
    const exhausted = attempt > Target.RetryPolicy.MaximumRetryAttempts;
    if (exhausted || now - firstTriedAt >= Target.RetryPolicy.MaximumEventAgeInSeconds * 1000) {
      this.record(schedule, 'failed');
      this.options.log.error('schedule target failed every retry; dead-lettered', { schedule: schedule.Name, error });
      this.options.onDeadLetter?.(schedule, { error, attempts: attempt, condition: exhausted ? 'RetriesExhausted' : 'EventAgeExceeded', scheduledAt });
      return;
    }
    const delay = ruleTargetRetryDelayMs(attempt, Math.random());
    this.options.log.warn('schedule target failed; retrying', { schedule: schedule.Name, attempt, delayMs: delay, error });
    this.options.timers.at(now + delay, () => this.deliver(schedule, attempt + 1, firstTriedAt, scheduledAt));
  }

  private record(schedule: StoredSchedule, event: ScheduleRecord['event'], atMs = schedule.atMs ?? this.options.timers.now()): void {
    const params = schedule.Target.EventBridgeParameters;
    this.history.push({ name: schedule.Name, group: schedule.GroupName, atMs, event, detailType: params.DetailType, ...(schedule.Target.Input ? { input: schedule.Target.Input } : {}) });
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
  }

  private save(entry: JournalEntry): void {
    appendJournal(this.options.file, entry);
  }
}
