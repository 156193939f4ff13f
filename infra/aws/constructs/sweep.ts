import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SCHEDULER_TARGET_RETRY, SWEEP_SCHEDULE } from '../../../events/delivery.ts';
import { OWN_SOURCE } from '../../../events/envelope.ts';
import { SCHEMA_VERSION } from '../../../events/catalog.ts';
import type { PhysicalNames } from '../names.ts';

export interface SweepScheduleProps {
  names: PhysicalNames;
  bus: events.IEventBus;
  /** The role EventBridge Scheduler assumes to put events on the bus and to dead-letter them. */
  role: iam.IRole;
  deadLetters: sqs.IQueue;
}

/**
 * The recurring SweepDue (events/delivery.ts SWEEP_SCHEDULE; its name from the stack's names) that drives the sweep handler: it
 * repairs open incidents that lost their check and redrives recent failed deliveries. A group of
 * its own, so the handlers' right to create schedules in the check group never reaches it.
 */
export class SweepSchedule extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  readonly schedule: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: SweepScheduleProps) {
    super(scope, id);
    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: props.names.recurringGroup });
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      name: props.names.sweepSchedule,
      groupName: this.group.ref,
      description: 'yobidashi sweep: repair open incidents without a check, redrive recent failed deliveries',
      scheduleExpression: SWEEP_SCHEDULE.expression,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.bus.eventBusArn,
        roleArn: props.role.roleArn,
        input: JSON.stringify({ schemaVersion: SCHEMA_VERSION }),
        eventBridgeParameters: { source: OWN_SOURCE, detailType: SWEEP_SCHEDULE.detailType },
        retryPolicy: { maximumRetryAttempts: SCHEDULER_TARGET_RETRY.maximumRetryAttempts, maximumEventAgeInSeconds: SCHEDULER_TARGET_RETRY.maximumEventAgeSeconds },
        deadLetterConfig: { arn: props.deadLetters.queueArn },
      },
    });
  }
}
