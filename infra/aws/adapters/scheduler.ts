import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClientConfig,
} from '@aws-sdk/client-scheduler';
import { SCHEDULER_TARGET_RETRY } from '../../../events/delivery.ts';
import { OWN_SOURCE } from '../../../events/envelope.ts';
import type { OwnEvent } from '../../../events/catalog.ts';
import type { Scheduler } from '../../../handlers/ports.ts';

export interface SchedulerTarget {
  groupName: string;
  /** The bus the schedule puts its event on. */
  busArn: string;
  /** The role EventBridge Scheduler assumes to call PutEvents on that bus. */
  roleArn: string;
  deadLetterArn?: string;
}

/** `at(...)` takes whole seconds in the given zone; we always use UTC. */
export function atExpression(atMs: number): string {
  return `at(${new Date(Math.ceil(atMs / 1000) * 1000).toISOString().slice(0, 19)})`;
}

/**
 * One-time EventBridge Scheduler schedules that put an own event on the bus, deleted after they
 * fire. The name is the idempotency key: creating an existing name is a no-op.
 */
export class EventBridgeScheduler implements Scheduler {
  constructor(
    private readonly target: SchedulerTarget,
    private readonly client: SchedulerClient = new SchedulerClient({}),
  ) {}

  static fromConfig(target: SchedulerTarget, config: SchedulerClientConfig): EventBridgeScheduler {
    return new EventBridgeScheduler(target, new SchedulerClient(config));
  }

  private definition(name: string, atMs: number, event: OwnEvent, after: 'DELETE' | 'NONE'): CreateScheduleCommandInput {
    return {
      Name: name,
      GroupName: this.target.groupName,
      ScheduleExpression: atExpression(atMs),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: after,
      Target: {
        Arn: this.target.busArn,
        RoleArn: this.target.roleArn,
        Input: JSON.stringify(event.detail),
        EventBridgeParameters: { Source: OWN_SOURCE, DetailType: event.detailType },
        RetryPolicy: { MaximumRetryAttempts: SCHEDULER_TARGET_RETRY.maximumRetryAttempts, MaximumEventAgeInSeconds: SCHEDULER_TARGET_RETRY.maximumEventAgeSeconds },
        ...(this.target.deadLetterArn ? { DeadLetterConfig: { Arn: this.target.deadLetterArn } } : {}),
      },
    };
  }

  async scheduleOnce(name: string, atMs: number, event: OwnEvent): Promise<void> {
    try {
      await this.client.send(new CreateScheduleCommand(this.definition(name, atMs, event, 'DELETE')));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  /**
   * UpdateSchedule (a full replacement), else CreateSchedule when there is none yet; if another
   * writer created it between the two, UpdateSchedule again. Kept after it fires (NONE), so the
   * next move is one UpdateSchedule.
   */
  async reschedule(name: string, atMs: number, event: OwnEvent): Promise<void> {
    const input = this.definition(name, atMs, event, 'NONE');
    for (let race = 0; race < 3; race++) {
      try {
        await this.client.send(new UpdateScheduleCommand(input));
        return;
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      try {
        await this.client.send(new CreateScheduleCommand(input));
        return;
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
      }
    }
    throw new Error(`schedule ${name}: created and deleted by others three times over; giving up for a retry`);
  }

  async cancel(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.target.groupName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
