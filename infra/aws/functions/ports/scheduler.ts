import type { Scheduler } from '../../../../handlers/ports.ts';
import { EventBridgeScheduler } from '../../adapters/scheduler.ts';
import { required, unconfigured, type Env } from './env.ts';

/** SCHEDULE_GROUP, BUS_ARN, SCHEDULER_ROLE_ARN, SCHEDULER_DLQ_ARN (optional): the check schedules. */
export const scheduler = (env: Env): Scheduler =>
  env.SCHEDULE_GROUP
    ? new EventBridgeScheduler({
        groupName: env.SCHEDULE_GROUP,
        busArn: required(env, 'BUS_ARN'),
        roleArn: required(env, 'SCHEDULER_ROLE_ARN'),
        ...(env.SCHEDULER_DLQ_ARN ? { deadLetterArn: env.SCHEDULER_DLQ_ARN } : {}),
      })
    : unconfigured<Scheduler>('scheduler');
