import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { PhysicalNames } from '../names.ts';

/**
 * The group the one-time call checks live in, and the role EventBridge Scheduler assumes to put
 * them on the bus (and to dead-letter them). Handlers may create schedules only in this group and
 * pass only this role.
 */
export class CheckScheduling extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  readonly groupName: string;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: { names: PhysicalNames; bus: events.IEventBus; deadLetters: sqs.IQueue }) {
    super(scope, id);
    this.groupName = props.names.checkGroup;
    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: this.groupName });
    const account = Stack.of(this).account;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': account } } }),
      description: `EventBridge Scheduler puts yobidashi call checks and the sweep on the ${props.names.bus} bus`,
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetters.queueArn] }));
  }
}
