import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SCHEDULER_TARGET_RETRY, ruleTargetRetryDelayMs } from '../../../../events/delivery.ts';
import type { Logger } from '../../../../handlers/ports.ts';
import type { PutEventsEntry, PutEventsResultEntry } from '../eventbridge/event-bridge-core.ts';
import type { FaultBook } from '../faults/fault-book.ts';
import { AwsError } from '../protocols/aws-error.ts';
import type { Timers } from '../../clock/timers.ts';

/**
 * EventBridge Scheduler for one machine: the REST operations the handlers use (CreateSchedule,
 * GetSchedule, DeleteSchedule), one-time `at(...)` schedules in UTC and recurring `rate(...)`
 * ones, EventBridge PutEvents targets, ActionAfterCompletion DELETE, and the target retry policy
 * (events/delivery.ts): a target that fails is retried with backoff, then dead-lettered. Every
 * change is appended to a journal on disk (compacted at start) and schedules are re-armed on start,
 * so a pending check survives a restart (one overdue fires at once). Unlike AWS, which fires within a minute of the time, it fires on
 * time: the handlers must not rely on either.
 */

export interface StoredSchedule {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  ActionAfterCompletion?: 'DELETE' | 'NONE';
  State: 'ENABLED' | 'DISABLED';
  Target: { Arn: string; RoleArn: string; Input?: string; EventBridgeParameters?: { DetailType: string; Source: string } };
  CreationDate: number;
  /** Next time it fires. */
  atMs: number;
  /** rate(...) schedules: the period. */
  everyMs?: number;
  fired?: boolean;
}

/** What happened to schedules, newest last (bounded): tests and the console read it. */
export interface ScheduleRecord {
  name: string;
  group: string;
  atMs: number;
  event: 'created' | 'fired' | 'deleted' | 'failed';
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

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const HISTORY_LIMIT = 50_000;

export interface SchedulerServiceOptions {
  timers: Timers;
  putEvents: (entries: PutEventsEntry[]) => Promise<PutEventsResultEntry[]>;
  log: Logger;
  faults?: FaultBook;
  /** The journal (`schedules.jsonl`). */
  file?: string;
  region?: string;
  account?: string;
  /** A target that failed every retry (AWS: the schedule's dead-letter queue). */
  onDeadLetter?: (schedule: StoredSchedule, failure: ScheduleFailure) => void;
}

export class SchedulerService {
  private readonly schedules = new Map<string, StoredSchedule>();
  readonly history: ScheduleRecord[] = [];
  private readonly region: string;
  private readonly account: string;

  constructor(private readonly options: SchedulerServiceOptions) {
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '000000000000';
    if (options.file && existsSync(options.file)) {
      for (const line of readFileSync(options.file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const entry = JSON.parse(line) as JournalEntry;
        if (entry.op === 'put') this.schedules.set(this.key(entry.schedule.GroupName, entry.schedule.Name), entry.schedule);
        else this.schedules.delete(entry.key);
      }
      writeFileSync(options.file, this.list().map((schedule) => `${JSON.stringify({ op: 'put', schedule } satisfies JournalEntry)}\n`).join(''));
      for (const schedule of this.schedules.values()) if (!schedule.fired && schedule.State === 'ENABLED') this.arm(schedule);
    }
  }

  private key(group: string, name: string): string {
    return `${group}/${name}`;
  }

  arn(group: string, name: string): string {
    return `arn:aws:scheduler:${this.region}:${this.account}:schedule/${group}/${name}`;
  }

  list(): StoredSchedule[] {
    return [...this.schedules.values()];
  }

  private fault(operation: string): void {
    const fault = this.options.faults?.take(`scheduler:${operation}`, 'rest');
    if (fault) throw fault;
  }

  create(name: string, body: Omit<StoredSchedule, 'Name' | 'CreationDate' | 'atMs' | 'State' | 'everyMs'> & { State?: 'ENABLED' | 'DISABLED' }): string {
    this.fault('CreateSchedule');
    const group = body.GroupName || 'default';
    if (this.schedules.has(this.key(group, name))) throw new SchedulerError('ConflictException', `Schedule ${name} already exists.`, 409);
    const now = this.options.timers.now();
    const at = AT.exec(body.ScheduleExpression ?? '');
    const rate = RATE.exec(body.ScheduleExpression ?? '');
    if (!at && !rate) throw new SchedulerError('ValidationException', 'Supported locally: at(yyyy-mm-ddThh:mm:ss) and rate(N minutes|hours|days).', 400);
    if (body.ScheduleExpressionTimezone && body.ScheduleExpressionTimezone !== 'UTC') throw new SchedulerError('ValidationException', 'Only ScheduleExpressionTimezone UTC is supported locally.', 400);
    if (!body.Target?.Arn?.includes(':event-bus/')) throw new SchedulerError('ValidationException', 'Target.Arn must be an EventBridge event bus.', 400);
    const everyMs = rate ? Number(rate[1]) * UNIT_MS[(rate[2] as string).replace(/s$/, '') as keyof typeof UNIT_MS] : undefined;
    if (everyMs !== undefined && everyMs < 60_000) throw new SchedulerError('ValidationException', 'rate(...) must be at least one minute.', 400);
    const schedule: StoredSchedule = {
      ...body,
      Name: name,
      GroupName: group,
      State: body.State ?? 'ENABLED',
      CreationDate: now / 1000,
      atMs: at ? Date.parse(`${at[1]}Z`) : now + (everyMs as number),
      ...(everyMs !== undefined ? { everyMs } : {}),
    };
    this.schedules.set(this.key(group, name), schedule);
    this.record(schedule, 'created');
    this.save({ op: 'put', schedule });
    if (schedule.State === 'ENABLED') this.arm(schedule);
    return this.arn(group, name);
  }

  get(group: string, name: string): StoredSchedule {
    this.fault('GetSchedule');
    const schedule = this.schedules.get(this.key(group, name));
    if (!schedule) throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return schedule;
  }

  delete(group: string, name: string): void {
    this.fault('DeleteSchedule');
    const schedule = this.schedules.get(this.key(group, name));
    if (!schedule || !this.schedules.delete(this.key(group, name))) throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    this.record(schedule, 'deleted');
    this.save({ op: 'del', key: this.key(group, name) });
  }

  private arm(schedule: StoredSchedule): void {
    this.options.timers.at(schedule.atMs, () => this.fire(schedule), { background: schedule.everyMs !== undefined });
  }

  private async fire(schedule: StoredSchedule): Promise<void> {
    const current = this.schedules.get(this.key(schedule.GroupName, schedule.Name));
    if (current !== schedule || schedule.fired) return; // deleted or replaced meanwhile
    const scheduledAt = schedule.atMs;
    const key = this.key(schedule.GroupName, schedule.Name);
    if (schedule.everyMs !== undefined) {
      // Missed periods (the runtime was stopped) are not made up: the next one is a period from now.
      schedule.atMs = Math.max(schedule.atMs + schedule.everyMs, this.options.timers.now() + 1);
      this.arm(schedule);
      this.save({ op: 'put', schedule });
    } else {
      schedule.fired = true;
      if (schedule.ActionAfterCompletion === 'DELETE') {
        this.schedules.delete(key);
        this.save({ op: 'del', key });
      } else this.save({ op: 'put', schedule });
    }
    this.record(schedule, 'fired', scheduledAt);
    await this.deliver(schedule, 1, this.options.timers.now(), scheduledAt);
  }

  /** PutEvents to the target bus; retried with backoff per the target's retry policy, then dead-lettered. */
  private async deliver(schedule: StoredSchedule, attempt: number, firstTriedAt: number, scheduledAt: number): Promise<void> {
    const params = schedule.Target.EventBridgeParameters;
    let error: string | undefined;
    try {
      const [result] = await this.options.putEvents([
        { EventBusName: schedule.Target.Arn, Source: params?.Source ?? 'aws.scheduler', DetailType: params?.DetailType ?? 'Scheduled Event', Detail: schedule.Target.Input ?? '{}' },
      ]);
      if (result && 'ErrorCode' in result) error = `${result.ErrorCode}: ${result.ErrorMessage}`;
    } catch (thrown) {
      error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    }
    if (error === undefined) return;
    const now = this.options.timers.now();
    const exhausted = attempt > SCHEDULER_TARGET_RETRY.maximumRetryAttempts;
    if (exhausted || now - firstTriedAt >= SCHEDULER_TARGET_RETRY.maximumEventAgeSeconds * 1000) {
      this.record(schedule, 'failed');
      this.options.log.error('schedule target failed every retry; dead-lettered', { schedule: schedule.Name, error });
      this.options.onDeadLetter?.(schedule, { error, attempts: attempt, condition: exhausted ? 'RetriesExhausted' : 'EventAgeExceeded', scheduledAt });
      return;
    }
    const delay = ruleTargetRetryDelayMs(attempt, Math.random());
    this.options.log.warn('schedule target failed; retrying', { schedule: schedule.Name, attempt, delayMs: delay, error });
    this.options.timers.at(now + delay, () => this.deliver(schedule, attempt + 1, firstTriedAt, scheduledAt));
  }

  private record(schedule: StoredSchedule, event: ScheduleRecord['event'], atMs = schedule.atMs): void {
    const params = schedule.Target.EventBridgeParameters;
    this.history.push({ name: schedule.Name, group: schedule.GroupName, atMs, event, ...(params ? { detailType: params.DetailType } : {}), ...(schedule.Target.Input ? { input: schedule.Target.Input } : {}) });
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
  }

  private save(entry: JournalEntry): void {
    if (this.options.file) appendFileSync(this.options.file, `${JSON.stringify(entry)}\n`);
  }
}
