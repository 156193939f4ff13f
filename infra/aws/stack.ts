import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { HandlerName } from '../../events/routes.ts';
import { YobidashiBus } from './constructs/event-bus.ts';
import { HandlerFunctions } from './constructs/functions.ts';
import { HttpIntake } from './constructs/http-intake.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { RoutingRules } from './constructs/routes.ts';
import { CheckScheduling } from './constructs/scheduling.ts';
import { SweepSchedule } from './constructs/sweep.ts';
import { YobidashiTable } from './constructs/table.ts';
import { Telephony } from './constructs/telephony.ts';

export interface YobidashiStackProps extends StackProps {
  /** An existing Amazon Connect instance in this account and region. */
  connectInstanceArn: string;
  /** A claimed number to call from, or a queue whose outbound caller ID is used. */
  sourcePhoneNumber?: string;
  queueId?: string;
  archiveRetentionDays?: number;
  logRetentionDays?: logs.RetentionDays;
  removalPolicy?: RemovalPolicy;
  /** Reserved concurrency of place-call: Connect starts ~2 calls/s. 0 to leave it unreserved. */
  placeCallConcurrency?: number;
  alarmTopicArn?: string;
}

export class YobidashiStack extends Stack {
  readonly functions: HandlerFunctions;
  readonly telephony: Telephony;

  constructor(scope: Construct, id: string, props: YobidashiStackProps) {
    super(scope, id, props);
    if (!props.sourcePhoneNumber && !props.queueId) throw new Error('give a sourcePhoneNumber or a queueId for outbound calls');
    const logRetention = props.logRetentionDays ?? logs.RetentionDays.ONE_MONTH;

    const queue = (id: string) => new sqs.Queue(this, id, { retentionPeriod: Duration.days(14), enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
    // Rule targets that could not be handed their event; schedules that could not put theirs on
    // the bus; bus handlers that threw on every Lambda retry (their on-failure destination).
    const deadLetters = queue('DeadLetters');
    const checkDeadLetters = queue('CheckDeadLetters');
    const handlerFailures = queue('HandlerFailures');

    const { bus } = new YobidashiBus(this, 'Events', {
      archiveRetention: Duration.days(props.archiveRetentionDays ?? 365),
      logRetention,
      deadLetters,
    });
    const { table } = new YobidashiTable(this, 'Store', { removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN });
    const scheduling = new CheckScheduling(this, 'Checks', { bus, deadLetters: checkDeadLetters });
    this.functions = new HandlerFunctions(this, 'Handlers', {
      table,
      bus,
      logRetention,
      scheduleGroupName: scheduling.groupName,
      schedulerRole: scheduling.role,
      schedulerDeadLetterArn: checkDeadLetters.queueArn,
      placeCallConcurrency: props.placeCallConcurrency ?? 2,
      handlerFailures,
    });
    // The sweep redrives what a handler failed and what a rule could not hand to a handler.
    this.functions.grantRedrive([handlerFailures, deadLetters]);
    new SweepSchedule(this, 'Sweep', { bus, role: scheduling.role, deadLetters: checkDeadLetters });
    const fns = this.functions.functions;
    this.telephony = new Telephony(this, 'Connect', { instanceArn: props.connectInstanceArn, flowResult: fns['flow-result'] });
    this.functions.grantTelephony({
      instanceArn: props.connectInstanceArn,
      instanceId: this.telephony.instanceId,
      contactFlowArn: this.telephony.flow.attrContactFlowArn,
      contactFlowId: this.telephony.contactFlowId,
      ...(props.sourcePhoneNumber ? { sourcePhoneNumber: props.sourcePhoneNumber } : {}),
      ...(props.queueId ? { queueId: props.queueId } : {}),
    });
    const { 'flow-result': _invokedByConnect, ...busHandlers } = fns;
    new RoutingRules(this, 'Routes', { bus, handlers: busHandlers satisfies Record<HandlerName, unknown>, deadLetters });
    const intake = new HttpIntake(this, 'HttpIntake', { bus, logRetention });
    new Monitoring(this, 'Alarms', {
      deadLetterQueues: {
        events: { queue: deadLetters, meaning: 'a rule could not hand events to their target; the sweep redrives those younger than a day to their function, older ones (and non-function targets) wait here for you' },
        checks: { queue: checkDeadLetters, meaning: 'EventBridge Scheduler could not put call checks or the sweep on the bus; inspect the queue (the sweep repairs open incidents that lost their check)' },
        handlers: { queue: handlerFailures, meaning: 'a handler failed every Lambda retry; the sweep redrives events younger than a day, older ones wait here for you' },
      },
      functions: { ...fns, authorizer: intake.authorizerFunction },
      ...(props.alarmTopicArn ? { alarmTopicArn: props.alarmTopicArn } : {}),
    });

    if (/0{8}-0{4}-0{4}-0{4}-0{12}/.test(props.connectInstanceArn)) {
      Annotations.of(this).addWarningV2('yobidashi:placeholder-connect', 'connectInstanceArn is the placeholder from cdk.json: pass -c connectInstanceArn=... before deploying');
    }
    new CfnOutput(this, 'BusName', { value: bus.eventBusName });
    new CfnOutput(this, 'AlertUrl', { value: `${intake.api.apiEndpoint}/alerts`, description: 'POST alerts here with header x-yobidashi-token' });
    new CfnOutput(this, 'TokenSecret', { value: intake.token.secretArn, description: 'aws secretsmanager get-secret-value --secret-id <this>' });
    new CfnOutput(this, 'ContactFlowArn', { value: this.telephony.flow.attrContactFlowArn });
    new CfnOutput(this, 'TableName', { value: table.tableName });
  }
}
