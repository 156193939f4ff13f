import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { HANDLER_NAMES, type HandlerName } from '../../events/routes.ts';
import { AccessPolicies } from './constructs/access.ts';
import { YobidashiBus } from './constructs/event-bus.ts';
import { HandlerFunctions } from './constructs/functions.ts';
import { HttpIntake } from './constructs/http-intake.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Notifications } from './constructs/notifications.ts';
import { RoutingRules } from './constructs/routes.ts';
import { CheckScheduling } from './constructs/scheduling.ts';
import { SweepSchedule } from './constructs/sweep.ts';
import { YobidashiTable } from './constructs/table.ts';
import { Telephony } from './constructs/telephony.ts';
import { physicalNames, type PhysicalNames } from './names.ts';
import { STACK_OUTPUTS } from './outputs.ts';

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
  /** An existing SNS topic for notifications (nobody answered, calls that cannot be placed, dead letters); absent: the stack makes one. */
  notifyTopicArn?: string;
  /** An email address to subscribe to the notification topic. */
  notifyEmail?: string;
}

export class YobidashiStack extends Stack {
  /** The physical names of this stack's account-wide resources (infra/aws/names.ts). */
  readonly names: PhysicalNames;
  readonly functions: HandlerFunctions;
  readonly telephony: Telephony;
  /** Where notifications go: the notifyTopicArn topic or the stack's own (its ARN is an output). */
  readonly notifications: Notifications;
  /** SenderPolicy and OperatorPolicy (their ARNs are outputs). */
  readonly access: AccessPolicies;

  constructor(scope: Construct, id: string, props: YobidashiStackProps) {
    super(scope, id, props);
    if (!props.sourcePhoneNumber && !props.queueId) throw new Error('give a sourcePhoneNumber or a queueId for outbound calls');
    this.names = physicalNames(this.stackName);
    const names = this.names;
    const logRetention = props.logRetentionDays ?? logs.RetentionDays.ONE_MONTH;

    const queue = (id: string) => new sqs.Queue(this, id, { retentionPeriod: Duration.days(14), enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
    // Rule targets that could not be handed their event; schedules that could not put theirs on
    // the bus; bus handlers that threw on every Lambda retry (their on-failure destination).
    const deadLetters = queue('DeadLetters');
    const checkDeadLetters = queue('CheckDeadLetters');
    const handlerFailures = queue('HandlerFailures');

    const eventBus = new YobidashiBus(this, 'Events', {
      names,
      archiveRetention: Duration.days(props.archiveRetentionDays ?? 365),
      logRetention,
      deadLetters,
    });
    const { bus } = eventBus;
    const { table } = new YobidashiTable(this, 'Store', { removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN });
    const scheduling = new CheckScheduling(this, 'Checks', { names, bus, deadLetters: checkDeadLetters });
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
    this.notifications = new Notifications(this, 'Notifications', {
      ...(props.notifyTopicArn ? { topicArn: props.notifyTopicArn } : {}),
      ...(props.notifyEmail ? { email: props.notifyEmail } : {}),
    });
    this.functions.grantNotifications(this.notifications.topic.topicArn, `npx yobidashi --stack ${this.stackName}`);
    new SweepSchedule(this, 'Sweep', { names, bus, role: scheduling.role, deadLetters: checkDeadLetters });
    const fns = this.functions.functions;
    this.telephony = new Telephony(this, 'Connect', { instanceArn: props.connectInstanceArn, flowName: names.contactFlow, flowResult: fns['flow-result'] });
    this.functions.grantTelephony({
      instanceArn: props.connectInstanceArn,
      instanceId: this.telephony.instanceId,
      contactFlowArn: this.telephony.flow.attrContactFlowArn,
      contactFlowId: this.telephony.contactFlowId,
      ...(props.sourcePhoneNumber ? { sourcePhoneNumber: props.sourcePhoneNumber } : {}),
      ...(props.queueId ? { queueId: props.queueId } : {}),
    });
    const { 'flow-result': _invokedByConnect, ...busHandlers } = fns;
    const routing = new RoutingRules(this, 'Routes', { names, bus, handlers: busHandlers satisfies Record<HandlerName, unknown>, deadLetters });
    const intake = new HttpIntake(this, 'HttpIntake', { bus, logRetention });
    const monitoring = new Monitoring(this, 'Alarms', {
      names,
      // Every function writes the metric catalog's points (EMF); the dashboard reads them by the stack's service.
      emitters: Object.values(fns),
      connect: { instanceId: this.telephony.instanceId, contactFlowName: names.contactFlow },
      deadLetterQueues: {
        events: { queue: deadLetters, meaning: 'a rule could not hand events to their target; the sweep redrives those younger than a day to their function, older ones (and non-function targets) wait here for you' },
        checks: { queue: checkDeadLetters, meaning: 'EventBridge Scheduler could not put call checks or the sweep on the bus; inspect the queue (the sweep repairs open incidents that lost their check)' },
        handlers: { queue: handlerFailures, meaning: 'a handler failed every Lambda retry; the sweep redrives events younger than a day, older ones wait here for you' },
      },
      functions: { ...fns, authorizer: intake.authorizerFunction },
      ...(props.alarmTopicArn ? { alarmTopicArn: props.alarmTopicArn } : {}),
    });

    // Dead letters appear → the notification topic (the alarm's ALARM transition: once per episode,
    // not per message). Not the other alarms: an exhausted incident is told by the notify handler in
    // words, and a handler error is retried (alarmTopicArn, if given, still gets every alarm).
    if (props.alarmTopicArn !== props.notifyTopicArn || props.notifyTopicArn === undefined) {
      for (const queue of ['events', 'checks', 'handlers']) {
        const alarm = monitoring.node.tryFindChild(`${queue}-depth`);
        if (!(alarm instanceof cloudwatch.Alarm)) throw new Error(`the ${queue} dead-letter alarm is not where the stack looks for it (Monitoring's ${queue}-depth)`);
        alarm.addAlarmAction(new actions.SnsAction(this.notifications.topic));
      }
    }

    if (/0{8}-0{4}-0{4}-0{4}-0{12}/.test(props.connectInstanceArn)) {
      Annotations.of(this).addWarningV2('yobidashi:placeholder-connect', 'connectInstanceArn is the placeholder from cdk.json: pass -c connectInstanceArn=... before deploying');
    }
    this.access = new AccessPolicies(this, 'Access', {
      table,
      bus,
      archive: eventBus.archive,
      rules: [eventBus.catchAll, ...routing.onBus],
      queues: { rule: deadLetters, handler: handlerFailures, check: checkDeadLetters },
      functions: HANDLER_NAMES.map((name) => fns[name]),
      connect: { instanceArn: props.connectInstanceArn, contactFlowArn: this.telephony.flow.attrContactFlowArn, ...(props.queueId ? { queueId: props.queueId } : {}) },
    });

    // Exactly the keys of infra/aws/outputs.ts: how the CLI finds this deployment.
    const output = (key: (typeof STACK_OUTPUTS)[keyof typeof STACK_OUTPUTS], value: string, description?: string) =>
      new CfnOutput(this, key, { value, ...(description ? { description } : {}) });
    output(STACK_OUTPUTS.busName, bus.eventBusName);
    output(STACK_OUTPUTS.busArn, bus.eventBusArn);
    output(STACK_OUTPUTS.archiveArn, eventBus.archive.archiveArn, 'aws events start-replay --event-source-arn <this>');
    output(STACK_OUTPUTS.tableName, table.tableName);
    output(STACK_OUTPUTS.alertUrl, `${intake.api.apiEndpoint}/alerts`, 'POST alerts here with header x-yobidashi-token');
    output(STACK_OUTPUTS.heartbeatUrl, `${intake.api.apiEndpoint}/heartbeats`, 'POST heartbeats here with header x-yobidashi-token');
    output(STACK_OUTPUTS.tokenSecret, intake.token.secretArn, 'aws secretsmanager get-secret-value --secret-id <this>');
    output(STACK_OUTPUTS.connectInstanceArn, props.connectInstanceArn);
    output(STACK_OUTPUTS.contactFlowArn, this.telephony.flow.attrContactFlowArn);
    if (props.sourcePhoneNumber) output(STACK_OUTPUTS.sourcePhoneNumber, props.sourcePhoneNumber);
    if (props.queueId) output(STACK_OUTPUTS.queueId, props.queueId);
    output(STACK_OUTPUTS.ruleDeadLetterQueueUrl, deadLetters.queueUrl, 'events EventBridge could not hand to their target');
    output(STACK_OUTPUTS.handlerFailureQueueUrl, handlerFailures.queueUrl, 'bus handlers that failed every Lambda retry');
    output(STACK_OUTPUTS.checkDeadLetterQueueUrl, checkDeadLetters.queueUrl, 'call checks and sweeps EventBridge Scheduler could not put on the bus');
    output(
      STACK_OUTPUTS.handlerFunctions,
      this.toJsonString(Object.fromEntries(HANDLER_NAMES.map((name) => [name, fns[name].functionName]))),
      'JSON: route handler name to Lambda function name',
    );
    output(STACK_OUTPUTS.senderPolicyArn, this.access.sender.managedPolicyArn, 'attach to monitoring tools: PutEvents of AlertReceived only');
    output(STACK_OUTPUTS.operatorPolicyArn, this.access.operator.managedPolicyArn, 'attach to operators: what every yobidashi --stack verb calls');
    output(STACK_OUTPUTS.notificationTopicArn, this.notifications.topic.topicArn, 'notifications (nobody answered, calls that cannot be placed, dead letters): subscribe email, SMS or AWS Chatbot');
  }
}

