import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ConnectClient, DescribeContactFlowCommand, DescribeInstanceCommand, DescribeQueueCommand, ListPhoneNumbersV2Command } from '@aws-sdk/client-connect';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { Roster } from '../../domain/roster.ts';
import type { ContactRecord } from '../../handlers/ports.ts';
import { readFailedDelivery } from '../aws/adapters/failed-deliveries.ts';
import { OPTIONAL_OUTPUTS, STACK_OUTPUTS, type StackOutputKey } from '../aws/outputs.ts';
import { createDocumentClient, ElectroStore } from '../store/repository.ts';
import { CliError, type Backend, type Check, type EventBridgeTarget } from './backend.ts';
import { putEvent } from './events.ts';
import { changeMonitor, monitorChanged, monitorRowOf, type MonitorChange, type MonitorRow } from './monitors.ts';
import type { Monitor } from '../../domain/heartbeat.ts';
import { callRow, incidentDetail, incidentSummary, newSilence, silenceAdded, silenceView, type CallRow, type DeadLetterRow, type IncidentDetail, type IncidentSummary, type NotificationRow, type SilenceInput, type SilenceRow } from './views.ts';

/**
 * A deployed stack, found by name: every name comes from its CloudFormation outputs
 * (infra/aws/outputs.ts), never typed by hand. Credentials and region come from `--profile` and
 * `--region`, else the SDK's standard chain; `AWS_ENDPOINT_URL` points every client elsewhere (the
 * local runtime answers as AWS, which is how this back end is tested). Every call made here is
 * listed in infra/cli/needs.ts, from which the stack's operator policy is built.
 */

export interface AwsOptions {
  region?: string | undefined;
  profile?: string | undefined;
}

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'NotAuthorized']);

/** An AWS call, with a refusal turned into a message that names the action and what to do. */
async function aws<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (DENIED.has(name) || /not authorized|AccessDenied/i.test((error as Error).message ?? '')) {
      throw new CliError(`not allowed to ${action}: ${(error as Error).message}\n(attach the stack's operator policy, output ${STACK_OUTPUTS.operatorPolicyArn}, to your identity)`);
    }
    throw error;
  }
}

/** A Scheduler dead letter names its schedule: checks are `chk-…`, the sweep's ends in `-sweep`. */
function scheduleRoute(scheduleArn: string | undefined): string {
  const name = scheduleArn?.split('/').pop() ?? '';
  if (name.startsWith('chk-')) return 'call-check';
  if (name.endsWith('sweep')) return 'sweep';
  return '(schedule)';
}

export class AwsBackend implements Backend {
  readonly kind = 'aws';
  private readonly store: ElectroStore;
  private readonly eventBridge: EventBridgeClient;
  private readonly sqs: SQSClient;
  private readonly lambda: LambdaClient;
  private readonly functions: Record<string, string>;

  private constructor(
    readonly where: string,
    private readonly stack: Stack,
    private readonly outputs: Record<string, string>,
    private readonly config: { region?: string; profile?: string },
  ) {
    this.store = new ElectroStore(createDocumentClient(config), this.output(STACK_OUTPUTS.tableName));
    this.eventBridge = new EventBridgeClient(config);
    this.sqs = new SQSClient(config);
    this.lambda = new LambdaClient(config);
    this.functions = JSON.parse(this.output(STACK_OUTPUTS.handlerFunctions)) as Record<string, string>;
  }

  static async open(stackName: string, options: AwsOptions = {}): Promise<AwsBackend> {
    const config = { ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}) };
    const cloudFormation = new CloudFormationClient(config);
    let stack: Stack | undefined;
    try {
      stack = (await aws('cloudformation:DescribeStacks', () => cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })))).Stacks?.[0];
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (/does not exist/i.test((error as Error).message)) throw new CliError(`no stack ${stackName} in this account and region (${(error as Error).message})`);
      throw error;
    }
    if (!stack) throw new CliError(`no stack ${stackName}`);
    const outputs = Object.fromEntries((stack.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [])));
    const missing = Object.values(STACK_OUTPUTS).filter((key) => !(key in outputs) && !OPTIONAL_OUTPUTS.includes(key));
    if (missing.length) throw new CliError(`stack ${stackName} lacks the outputs ${missing.join(', ')}: is it a yobidashi stack, deployed by this version?`);
    return new AwsBackend(stackName, stack, outputs, config);
  }

  private output(key: StackOutputKey): string {
    const value = this.outputs[key];
    if (value === undefined) throw new CliError(`stack ${this.where} has no output ${key}`);
    return value;
  }

  events(): EventBridgeTarget {
    return { client: this.eventBridge, busName: this.output(STACK_OUTPUTS.busName), busArn: this.output(STACK_OUTPUTS.busArn), archiveArn: this.output(STACK_OUTPUTS.archiveArn) };
  }

  async putRosters(rosters: readonly Roster[]): Promise<void> {
    for (const roster of rosters) await aws('dynamodb:PutItem', () => this.store.putRoster(roster));
  }

  listRosters(): Promise<Roster[]> {
    return aws('dynamodb:Query', () => this.store.listRosters());
  }

  async incidents(limit: number): Promise<IncidentSummary[]> {
    return (await aws('dynamodb:Query', () => this.store.listIncidents(limit))).map(incidentSummary);
  }

  async incident(id: string): Promise<IncidentDetail> {
    const timeline = await aws('dynamodb:Query', () => this.store.timeline(id));
    const { incident } = timeline;
    if (!incident) throw new CliError(`404: incident ${id} not found`);
    return incidentDetail({ ...timeline, incident });
  }

  /** What the notify function sent (the table's records; the dead-letter alarms publish from CloudWatch, not through it). */
  async notifications(limit: number): Promise<NotificationRow[]> {
    const records = await aws('dynamodb:Query', () => this.store.listNotifications(limit));
    return records.map((r) => ({ at: new Date(r.sentAt ?? r.claimedAt).toISOString(), kind: r.kind, subject: r.subject, incidentId: r.incidentId, system: r.system, state: r.state, messageId: r.messageId }));
  }

  /** The call history: every recorded call of the most recent incidents, in start order. */
  async calls(): Promise<CallRow[]> {
    const incidents = await aws('dynamodb:Query', () => this.store.listIncidents(100));
    const contacts: ContactRecord[] = [];
    for (const incident of incidents) contacts.push(...(await aws('dynamodb:Query', () => this.store.timeline(incident.incidentId))).contacts);
    return contacts.sort((a, b) => a.placedAt - b.placedAt).map(callRow);
  }

  async addSilence(input: SilenceInput): Promise<SilenceRow> {
    const now = Date.now();
    const silence = newSilence(input, now, `sil-${randomUUID().slice(0, 8)}`);
    if ('problem' in silence) throw new CliError(silence.problem);
    await aws('dynamodb:PutItem', () => this.store.putSilence(silence));
    // Announced, so the open incidents it covers stop calling at once (apply-silence).
    await aws('events:PutEvents', () => putEvent(this.events(), 'yobidashi', 'SilenceAdded', silenceAdded(silence)));
    return silenceView(silence, now);
  }

  async listSilences(): Promise<SilenceRow[]> {
    const now = Date.now();
    return (await aws('dynamodb:Query', () => this.store.listAllSilences())).map((s) => silenceView(s, now));
  }

  async removeSilence(id: string): Promise<void> {
    const found = (await aws('dynamodb:Query', () => this.store.listAllSilences())).find((s) => s.silenceId === id);
    if (!found || !(await aws('dynamodb:DeleteItem', () => this.store.deleteSilence(found.scope.system, found.silenceId)))) throw new CliError(`404: silence ${id} not found`);
  }

  // ---------------------------------------------------------------------------------------------
  // Heartbeat monitors: read and changed in the table, the change announced (HeartbeatChanged) for
  // the heartbeat function to move or delete the schedule; operators never call the Scheduler.

  async heartbeats(): Promise<MonitorRow[]> {
    const monitors = await aws('dynamodb:Query', () => this.store.listMonitors());
    return aws('dynamodb:GetItem', () => Promise.all(monitors.map((m) => monitorRowOf(this.store, m))));
  }

  async changeHeartbeat(system: string, name: string, change: MonitorChange): Promise<MonitorRow | undefined> {
    const now = Date.now();
    const result = await aws(change === 'removed' ? 'dynamodb:DeleteItem' : 'dynamodb:PutItem', () => changeMonitor(this.store, system, name, change, now, 'cli'));
    if (!result) throw new CliError(`404: no heartbeat monitor ${name} of system ${system}`);
    await aws('events:PutEvents', () => putEvent(this.events(), 'yobidashi', 'HeartbeatChanged', monitorChanged(system, name, change, 'cli', now)));
    return result.monitor ? aws('dynamodb:GetItem', () => monitorRowOf(this.store, result.monitor as Monitor)) : undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Dead letters: the rule targets' queue and the handlers' on-failure queue

  private queues(): { stage: DeadLetterRow['stage']; url: string }[] {
    return [
      { stage: 'handoff', url: this.output(STACK_OUTPUTS.ruleDeadLetterQueueUrl) },
      { stage: 'function', url: this.output(STACK_OUTPUTS.handlerFailureQueueUrl) },
      { stage: 'schedule', url: this.output(STACK_OUTPUTS.checkDeadLetterQueueUrl) },
    ];
  }

  /** Receives every message of a queue (hidden meanwhile); the caller releases what it keeps. */
  private async receiveAll(url: string): Promise<Message[]> {
    const messages: Message[] = [];
    for (let i = 0; i < 100; i++) {
      const { Messages } = await aws('sqs:ReceiveMessage', () =>
        this.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] })),
      );
      if (!Messages?.length) break;
      messages.push(...Messages);
    }
    return messages;
  }

  private async release(url: string, messages: readonly Message[]): Promise<void> {
    for (const m of messages) {
      if (m.ReceiptHandle) await aws('sqs:ChangeMessageVisibility', () => this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })));
    }
  }

  private routeOf(functionArn: string | undefined): string {
    const name = functionArn?.split(':function:')[1]?.split(':')[0];
    return Object.entries(this.functions).find(([, fn]) => fn === name || functionArn?.endsWith(`:function:${fn}`))?.[0] ?? name ?? '(unknown)';
  }

  private row(stage: DeadLetterRow['stage'], message: Message): DeadLetterRow {
    const failed = readFailedDelivery(message);
    const event = failed?.event ?? {};
    const body = (() => {
      try {
        return JSON.parse(message.Body ?? '{}') as { timestamp?: string; requestContext?: { approximateInvokeCount?: number }; responsePayload?: { errorType?: string; errorMessage?: string } };
      } catch {
        return {};
      }
    })();
    const attrs = message.MessageAttributes ?? {};
    const error =
      stage === 'function'
        ? `${body.responsePayload?.errorType ?? 'Error'}: ${body.responsePayload?.errorMessage ?? ''}`
        : `${attrs.ERROR_CODE?.StringValue ?? ''}: ${attrs.ERROR_MESSAGE?.StringValue ?? ''}`;
    const sent = message.Attributes?.SentTimestamp;
    return {
      id: message.MessageId ?? '',
      route: stage === 'schedule' ? scheduleRoute(attrs.SCHEDULE_ARN?.StringValue) : this.routeOf(failed?.functionArn),
      detailType: String(event['detail-type'] ?? (stage === 'schedule' ? (scheduleRoute(attrs.SCHEDULE_ARN?.StringValue) === 'sweep' ? 'SweepDue' : 'CallCheckDue') : '')),
      eventId: String(event.id ?? ''),
      stage,
      error,
      failedAt: body.timestamp ?? (sent ? new Date(Number(sent)).toISOString() : undefined),
      attempts: body.requestContext?.approximateInvokeCount ?? (attrs.RETRY_ATTEMPTS?.StringValue ? Number(attrs.RETRY_ATTEMPTS.StringValue) : undefined),
    };
  }

  async deadLetters(): Promise<DeadLetterRow[]> {
    const rows: DeadLetterRow[] = [];
    for (const queue of this.queues()) {
      const messages = await this.receiveAll(queue.url);
      rows.push(...messages.map((m) => this.row(queue.stage, m)));
      await this.release(queue.url, messages);
    }
    return rows;
  }

  /** Invoke the function the event was for (asynchronously, so Lambda's retries apply), then delete: at least once, never lost. */
  async redrive(id?: string): Promise<string[]> {
    const redriven: string[] = [];
    for (const queue of this.queues()) {
      const messages = await this.receiveAll(queue.url);
      const keep: Message[] = [];
      for (const message of messages) {
        const failed = readFailedDelivery(message);
        if ((id !== undefined && message.MessageId !== id) || !failed) {
          keep.push(message);
          continue;
        }
        await aws('lambda:InvokeFunction', () => this.lambda.send(new InvokeCommand({ FunctionName: failed.functionArn, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(failed.event)) })));
        await aws('sqs:DeleteMessage', () => this.sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle })));
        redriven.push(message.MessageId ?? '');
      }
      await this.release(queue.url, keep);
    }
    if (id !== undefined && redriven.length === 0) throw new CliError(`404: no dead letter ${id}`);
    return redriven;
  }

  // ---------------------------------------------------------------------------------------------
  // doctor

  async doctor(): Promise<Check[]> {
    const checks: Check[] = [];
    const status = this.stack.StackStatus ?? 'UNKNOWN';
    checks.push({ check: 'the stack is deployed', status: /_COMPLETE$/.test(status) && !/ROLLBACK|DELETE/.test(status) ? 'ok' : 'fail', detail: `${this.where}: ${status}` });
    checks.push(...(await this.connectChecks()));
    for (const [name, key] of [
      ['rule dead letters', STACK_OUTPUTS.ruleDeadLetterQueueUrl],
      ['handler failures', STACK_OUTPUTS.handlerFailureQueueUrl],
      ['check dead letters', STACK_OUTPUTS.checkDeadLetterQueueUrl],
    ] as const) {
      const { Attributes } = await aws('sqs:GetQueueAttributes', () => this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.output(key), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })));
      const waiting = Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
      checks.push({ check: `${name} queue is empty`, status: waiting === 0 ? 'ok' : 'fail', detail: waiting === 0 ? 'empty' : `${waiting} message(s): yobidashi --stack ${this.where} dead-letters list` });
    }
    checks.push(await this.handlerErrors());
    return checks;
  }

  private async connectChecks(): Promise<Check[]> {
    const connect = new ConnectClient(this.config);
    const instanceArn = this.output(STACK_OUTPUTS.connectInstanceArn);
    const instanceId = instanceArn.split('/').pop() ?? '';
    const flowId = this.output(STACK_OUTPUTS.contactFlowArn).split('/').pop() ?? '';
    const checks: Check[] = [];
    const { Instance } = await aws('connect:DescribeInstance', () => connect.send(new DescribeInstanceCommand({ InstanceId: instanceId })));
    checks.push({
      check: 'the Connect instance is active with outbound calling',
      status: Instance?.InstanceStatus === 'ACTIVE' && Instance.OutboundCallsEnabled === true ? 'ok' : 'fail',
      detail: `${instanceId}: ${Instance?.InstanceStatus ?? 'unknown'}, outbound calls ${Instance?.OutboundCallsEnabled ? 'enabled' : 'disabled'}`,
    });
    const { ContactFlow } = await aws('connect:DescribeContactFlow', () => connect.send(new DescribeContactFlowCommand({ InstanceId: instanceId, ContactFlowId: flowId })));
    checks.push({
      check: 'the contact flow exists and is published',
      status: ContactFlow?.State === 'ACTIVE' && (ContactFlow.Status === undefined || ContactFlow.Status === 'PUBLISHED') ? 'ok' : 'fail',
      detail: `${ContactFlow?.Name ?? flowId}: ${ContactFlow?.State ?? 'missing'}${ContactFlow?.Status ? `, ${ContactFlow.Status}` : ''}`,
    });
    const number = this.outputs[STACK_OUTPUTS.sourcePhoneNumber];
    const queueId = this.outputs[STACK_OUTPUTS.queueId];
    if (number) {
      const { ListPhoneNumbersSummaryList } = await aws('connect:ListPhoneNumbersV2', () => connect.send(new ListPhoneNumbersV2Command({ TargetArn: instanceArn, PhoneNumberPrefix: number })));
      const claimed = (ListPhoneNumbersSummaryList ?? []).some((p) => p.PhoneNumber === number);
      checks.push({ check: 'the source number is claimed by the instance', status: claimed ? 'ok' : 'fail', detail: claimed ? 'claimed' : `${number.slice(0, 4)}… not found on the instance` });
    } else if (queueId) {
      const { Queue } = await aws('connect:DescribeQueue', () => connect.send(new DescribeQueueCommand({ InstanceId: instanceId, QueueId: queueId })));
      checks.push({ check: 'the queue with the outbound caller ID exists', status: Queue?.OutboundCallerConfig?.OutboundCallerIdNumberId ? 'ok' : 'fail', detail: Queue?.Name ?? queueId });
    }
    return checks;
  }

  private async handlerErrors(): Promise<Check> {
    const cloudWatch = new CloudWatchClient(this.config);
    // The last 24 h, and anything stamped ahead of this machine's clock (skew; a local runtime's
    // scaled clock runs ahead of the wall clock).
    const now = Date.now();
    const start = new Date(now - 24 * 3_600_000);
    const end = new Date(now + 24 * 3_600_000);
    const entries = Object.entries(this.functions);
    const { MetricDataResults } = await aws('cloudwatch:GetMetricData', () =>
      cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          MetricDataQueries: entries.map(([, fn], i) => ({
            Id: `e${i}`,
            MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: fn }] }, Period: 86_400, Stat: 'Sum' },
          })),
        }),
      ),
    );
    const failing = entries.flatMap(([route], i) => {
      const sum = (MetricDataResults ?? []).find((r) => r.Id === `e${i}`)?.Values?.reduce((a, b) => a + b, 0) ?? 0;
      return sum > 0 ? [`${route}: ${sum}`] : [];
    });
    return failing.length === 0
      ? { check: 'no handler errors in the last 24 h', status: 'ok', detail: `${entries.length} functions` }
      : { check: 'no handler errors in the last 24 h', status: 'warn', detail: `${failing.join(', ')} (retried; see the logs)` };
  }
}
