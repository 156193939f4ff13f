import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from '../../handlers/ports.ts';
import type { Timers } from './connect-simulator.ts';
import type { PutEventsEntry, PutEventsResultEntry } from './event-bridge.ts';

/**
 * EventBridge Scheduler's one-time schedules, for one machine: the REST operations the handlers
 * use (CreateSchedule, GetSchedule, DeleteSchedule), `at(...)` expressions in UTC, EventBridge
 * PutEvents targets, ActionAfterCompletion DELETE. Schedules are written to disk on every change
 * and re-armed on start, so a pending check survives a restart (one overdue fires at once).
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
  atMs: number;
  fired?: boolean;
}

export class SchedulerError extends Error {
  constructor(
    readonly code: 'ConflictException' | 'ResourceNotFoundException' | 'ValidationException',
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;

export class LocalScheduler {
  private readonly schedules = new Map<string, StoredSchedule>();

  constructor(
    private readonly timers: Timers,
    private readonly putEvents: (entries: PutEventsEntry[]) => Promise<PutEventsResultEntry[]>,
    private readonly log: Logger,
    private readonly file?: string,
    private readonly region = 'us-east-1',
    private readonly account = '000000000000',
  ) {
    if (file && existsSync(file)) {
      for (const schedule of JSON.parse(readFileSync(file, 'utf8')) as StoredSchedule[]) {
        this.schedules.set(this.key(schedule.GroupName, schedule.Name), schedule);
        if (!schedule.fired && schedule.State === 'ENABLED') this.arm(schedule);
      }
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

  create(name: string, body: Omit<StoredSchedule, 'Name' | 'CreationDate' | 'atMs' | 'State'> & { State?: 'ENABLED' | 'DISABLED' }): string {
    const group = body.GroupName || 'default';
    if (this.schedules.has(this.key(group, name))) throw new SchedulerError('ConflictException', `Schedule ${name} already exists.`, 409);
    const match = AT.exec(body.ScheduleExpression ?? '');
    if (!match) throw new SchedulerError('ValidationException', 'Only one-time at(yyyy-mm-ddThh:mm:ss) schedules are supported locally.', 400);
    if (body.ScheduleExpressionTimezone && body.ScheduleExpressionTimezone !== 'UTC') throw new SchedulerError('ValidationException', 'Only ScheduleExpressionTimezone UTC is supported locally.', 400);
    if (!body.Target?.Arn?.includes(':event-bus/')) throw new SchedulerError('ValidationException', 'Target.Arn must be an EventBridge event bus.', 400);
    const schedule: StoredSchedule = { ...body, Name: name, GroupName: group, State: body.State ?? 'ENABLED', CreationDate: this.timers.now() / 1000, atMs: Date.parse(`${match[1]}Z`) };
    this.schedules.set(this.key(group, name), schedule);
    this.save();
    if (schedule.State === 'ENABLED') this.arm(schedule);
    return this.arn(group, name);
  }

  get(group: string, name: string): StoredSchedule {
    const schedule = this.schedules.get(this.key(group, name));
    if (!schedule) throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return schedule;
  }

  delete(group: string, name: string): void {
    if (!this.schedules.delete(this.key(group, name))) throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    this.save();
  }

  private arm(schedule: StoredSchedule): void {
    this.timers.at(schedule.atMs, async () => {
      const current = this.schedules.get(this.key(schedule.GroupName, schedule.Name));
      if (current !== schedule || schedule.fired) return; // deleted or replaced meanwhile
      const params = schedule.Target.EventBridgeParameters;
      const [result] = await this.putEvents([
        { EventBusName: schedule.Target.Arn, Source: params?.Source ?? 'aws.scheduler', DetailType: params?.DetailType ?? 'Scheduled Event', Detail: schedule.Target.Input ?? '{}' },
      ]);
      if (result && 'ErrorCode' in result) this.log.error('schedule target rejected its event', { schedule: schedule.Name, error: result.ErrorCode });
      schedule.fired = true;
      if (schedule.ActionAfterCompletion === 'DELETE') this.schedules.delete(this.key(schedule.GroupName, schedule.Name));
      this.save();
    });
  }

  private save(): void {
    if (this.file) writeFileSync(this.file, JSON.stringify(this.list(), null, 1));
  }
}
