import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ConnectClient, DescribeContactFlowCommand, DescribeInstanceCommand, ListPhoneNumbersV2Command } from '@aws-sdk/client-connect';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HANDLER_NAMES } from '../../events/routes.ts';
import { readFailedDelivery } from '../../infra/aws/adapters/failed-deliveries.ts';
import { STACK_OUTPUTS } from '../../infra/aws/outputs.ts';
import { md5OfMessageAttributes } from '../../infra/local/aws/sqs/dead-letter-queues.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';

/**
 * The local runtime answering as AWS for what an operator's tools call on a deployment: the AWS
 * SDK v3 clients (CloudFormation, SQS, Lambda, DynamoDB) and the real AWS CLI (Debian's awscli,
 * v2.9: SQS over the query protocol) against its port. The runtime runs on virtual time (the
 * harness), so Lambda's retries and the queues' visibility timeouts are fast-forwarded, not waited for.
 */

const AKI = '+819011110001';
const alert = { systemname: 'XYZ', host: 'server1', service: 'CPU' };
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let h: Harness;
afterEach(async () => {
  await h?.close();
});
afterAll(closeDynalite);

async function start(): Promise<Harness> {
  // The sweep's automatic redrive off: the dead letters stay for the test to read.
  h = await Harness.start({ settings: { redriveMaxAgeMs: 0 } });
  await h.roster({ system: 'XYZ', rounds: 1, responders: [{ name: 'Aki', phone: AKI, language: 'en-US', timezone: 'Asia/Tokyo' }] });
  h.phone(AKI, { answer: true, digits: '1' });
  return h;
}

const clients = (url: string) => {
  const config = { endpoint: url, region: 'us-east-1', credentials };
  return {
    cfn: new CloudFormationClient(config),
    sqs: new SQSClient(config),
    lambda: new LambdaClient(config),
    dynamo: new DynamoDBClient(config),
    connect: new ConnectClient(config),
    cloudWatch: new CloudWatchClient(config),
  };
};

async function outputsOf(url: string): Promise<Record<string, string>> {
  const { Stacks } = await clients(url).cfn.send(new DescribeStacksCommand({ StackName: 'Yobidashi' }));
  return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${h.rt.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** A handler dead letter: place-call throws on its first invocation and both of Lambda's retries. */
async function handlerDeadLetter(): Promise<void> {
  expect((await api('PUT', '/api/faults', { target: 'handler:place-call', error: 'ServiceUnavailableException', times: 3 })).status).toBe(201);
  await h.sendAlert(alert);
  await h.advance(200_000); // tried at 0, 60 s and 180 s
  expect(h.cloud.deadLetters.map((l) => [l.route, l.stage, l.attempts])).toEqual([['place-call', 'function', 3]]);
}

const depth = async (sqs: SQSClient, url: string) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes;
const receive = async (sqs: SQSClient, url: string, visibilityTimeout?: number): Promise<Message[]> =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        ...(visibilityTimeout === undefined ? {} : { VisibilityTimeout: visibilityTimeout }),
      }),
    )
  ).Messages ?? [];

describe('CloudFormation: DescribeStacks', () => {
  it('answers for Yobidashi (by name, by id, or unnamed) with exactly the stack output keys, valued for the local resources', async () => {
    await start();
    const { cfn } = clients(h.rt.url);
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'Yobidashi' }));
    expect(Stacks).toHaveLength(1);
    const stack = Stacks![0] as Stack;
    expect(stack).toMatchObject({ StackName: 'Yobidashi', StackStatus: 'CREATE_COMPLETE', StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/Yobidashi\/[0-9a-f-]{36}$/) });
    expect(stack.CreationTime).toBeInstanceOf(Date);
    const byId = await cfn.send(new DescribeStacksCommand({ StackName: stack.StackId }));
    expect(byId.Stacks?.[0]?.StackName).toBe('Yobidashi');
    expect((await cfn.send(new DescribeStacksCommand({}))).Stacks?.map((s) => s.StackName)).toEqual(['Yobidashi']);

    // Every output a deployment declares; QueueId is the one a deployment calling from a claimed number has not.
    const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(Object.keys(outputs).sort()).toEqual(Object.values(STACK_OUTPUTS).filter((k) => k !== STACK_OUTPUTS.queueId).sort());
    const { stack: local } = h.rt;
    expect(outputs).toEqual({
      BusName: 'yobidashi',
      BusArn: 'arn:aws:events:us-east-1:000000000000:event-bus/yobidashi',
      ArchiveArn: 'arn:aws:events:us-east-1:000000000000:archive/yobidashi-archive',
      TableName: local.options.tableName,
      AlertUrl: `${h.rt.url}/alerts`,
      HeartbeatUrl: `${h.rt.url}/heartbeats`,
      TokenSecret: expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:/),
      ConnectInstanceArn: 'arn:aws:connect:us-east-1:000000000000:instance/local',
      ContactFlowArn: 'arn:aws:connect:us-east-1:000000000000:instance/local/contact-flow/yobidashi-call',
      SourcePhoneNumber: '+815000000000',
      RuleDeadLetterQueueUrl: `${h.rt.url}/000000000000/yobidashi-rule-dead-letters`,
      HandlerFailureQueueUrl: `${h.rt.url}/000000000000/yobidashi-handler-failures`,
      CheckDeadLetterQueueUrl: `${h.rt.url}/000000000000/yobidashi-check-dead-letters`,
      HandlerFunctions: expect.any(String),
      SenderPolicyArn: expect.stringMatching(/^arn:aws:iam::000000000000:policy\//),
      OperatorPolicyArn: expect.stringMatching(/^arn:aws:iam::000000000000:policy\//),
      NotificationTopicArn: 'arn:aws:sns:us-east-1:000000000000:yobidashi-notifications',
    });
    expect(JSON.parse(outputs.HandlerFunctions as string)).toEqual(Object.fromEntries(HANDLER_NAMES.map((n) => [n, `yobidashi-local-${n}`])));

    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'Nope' }))).rejects.toMatchObject({ name: 'ValidationError', message: 'Stack with id Nope does not exist', $metadata: { httpStatusCode: 400 } });
  });

  it('the alert intake at AlertUrl takes an alert as the HTTP API does (a token header is required, any value)', async () => {
    await start();
    const url = (await outputsOf(h.rt.url)).AlertUrl as string;
    expect((await fetch(url, { method: 'POST', body: JSON.stringify(alert) })).status).toBe(401);
    const res = await fetch(url, { method: 'POST', headers: { 'x-yobidashi-token': 'anything' }, body: JSON.stringify(alert) });
    expect(await res.json()).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    await h.drain();
    expect(h.published('AlertReceived').map((e) => e.source)).toEqual(['yobidashi.http']);
    h.expectCalls([AKI]);
  });
});

describe('SQS and Lambda: the dead letters, and redriving them as the AWS back end does', () => {
  it("a handler's dead letter is Lambda's on-failure record in the handler-failure queue; redriven through Lambda Invoke and deleted, it is gone for good", async () => {
    await start();
    await handlerDeadLetter();
    h.expectCalls([AKI]); // the safety-net check placed the call meanwhile
    const { sqs, lambda } = clients(h.rt.url);
    const outputs = await outputsOf(h.rt.url);
    const queue = outputs.HandlerFailureQueueUrl as string;
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toEqual([outputs.RuleDeadLetterQueueUrl, queue, outputs.CheckDeadLetterQueueUrl]);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'yobidashi-handler-failures' }))).QueueUrl).toBe(queue);
    expect(await depth(sqs, queue)).toEqual({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' });
    expect(await depth(sqs, outputs.RuleDeadLetterQueueUrl as string)).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });

    const [letter] = h.cloud.deadLetters;
    const [message, ...more] = await receive(sqs, queue, 60);
    expect(more).toEqual([]);
    expect(JSON.parse(message!.Body!)).toEqual({
      version: '1.0',
      timestamp: letter!.failedAt,
      requestContext: { requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:yobidashi-local-place-call:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: letter!.envelope,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'ServiceUnavailableException', errorMessage: expect.stringContaining('handler:place-call') },
    });
    expect(message!.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SentTimestamp: String(Date.parse(letter!.failedAt)) });
    expect(message!.MessageId).toBe(letter!.id); // one id, in the local API and on SQS
    expect(message!.MessageAttributes).toBeUndefined(); // Lambda's destination records carry none
    // What the sweep and the CLI's AWS back end read from it: the function and the original event.
    expect(readFailedDelivery(message!)).toMatchObject({ functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:yobidashi-local-place-call', event: letter!.envelope });

    // Visibility, on the runtime's clock.
    expect(await receive(sqs, queue)).toEqual([]);
    expect(await depth(sqs, queue)).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    await h.advance(59_000);
    expect(await receive(sqs, queue)).toEqual([]);
    await h.advance(2_000);
    const [again] = await receive(sqs, queue, 600);
    expect(again).toMatchObject({ MessageId: message!.MessageId, Attributes: { ApproximateReceiveCount: '2' } });
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue, ReceiptHandle: again!.ReceiptHandle, VisibilityTimeout: 0 }));
    const [third] = await receive(sqs, queue, 600);
    expect(third?.MessageId).toBe(message!.MessageId);

    // Redrive, as the AWS back end does it: invoke the function asynchronously with the event, then delete.
    // The function fails again three times: the invocation went through Lambda's retries to the on-failure destination.
    const failed = readFailedDelivery(third!)!;
    h.rt.faults.add({ target: 'handler:place-call', error: 'ServiceUnavailableException', times: 3 });
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: failed.functionArn, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(failed.event)) }));
    expect(invoked.StatusCode).toBe(202);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: third!.ReceiptHandle }));
    expect(h.cloud.deadLetters).toEqual([]);
    expect((await api('GET', '/api/dead-letters')).body).toEqual([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: third!.ReceiptHandle })); // already gone: still fine
    await h.advance(200_000);
    expect(h.cloud.deadLetters.map((l) => [l.route, l.attempts, l.envelope.id])).toEqual([['place-call', 3, letter!.envelope.id]]);

    // Once more, and now it succeeds: nothing left, and Aki was phoned exactly once (the handlers are idempotent).
    const [fourth] = await receive(sqs, queue, 60);
    const redriven = await lambda.send(new InvokeCommand({ FunctionName: 'yobidashi-local-place-call', InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(readFailedDelivery(fourth!)!.event)) }));
    expect(redriven.StatusCode).toBe(202);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: fourth!.ReceiptHandle }));
    await h.settle();
    expect(h.cloud.deadLetters).toEqual([]);
    expect(await depth(sqs, queue)).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    h.expectCalls([]);
    expect((await h.onlyIncident()).status).toBe('acknowledged');

    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: 'not-a-handle' }))).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: `${h.rt.url}/000000000000/no-such-queue` }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 11 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('Lambda Invoke: RequestResponse runs the function now and reports its error; unknown functions are not found', async () => {
    await start();
    const { lambda } = clients(h.rt.url);
    const event = await h.sendAlert(alert);
    const sync = await lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:yobidashi-local-timeline:$LATEST', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
    expect(sync).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(sync.FunctionError).toBeUndefined();
    h.rt.faults.add({ target: 'handler:timeline', error: 'InternalError', times: 1 });
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'yobidashi-local-timeline', InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
    expect(failed).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(JSON.parse(new TextDecoder().decode(failed.Payload))).toMatchObject({ errorType: 'InternalError' });
    expect((await lambda.send(new InvokeCommand({ FunctionName: 'yobidashi-local-timeline', InvocationType: 'DryRun' }))).StatusCode).toBe(204);
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'yobidashi-local-nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'yobidashi-local-timeline:7' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(h.cloud.deadLetters).toEqual([]);
  });

  it('an event EventBridge could not hand to its function is in the rule queue as EventBridge puts it; the sweep redrives it over SQS and Lambda', async () => {
    await start();
    h.rt.faults.add({ target: 'lambda:Invoke', error: 'TooManyRequestsException', forSeconds: 3 * 3600 });
    const event = await h.sendAlert(alert);
    await h.advance(2.5 * 3_600_000); // EventBridge gives up after two hours
    const { sqs } = clients(h.rt.url);
    const queue = (await outputsOf(h.rt.url)).RuleDeadLetterQueueUrl as string;
    const messages = await receive(sqs, queue, 0);
    const mine = messages.find((m) => JSON.parse(m.Body!).id === event.id);
    expect(JSON.parse(mine!.Body!)).toEqual(event);
    const strings = Object.fromEntries(Object.entries(mine!.MessageAttributes ?? {}).map(([k, v]) => [k, [v.DataType, v.StringValue]]));
    expect(strings).toEqual({
      RULE_ARN: ['String', 'arn:aws:events:us-east-1:000000000000:rule/yobidashi/alert-received'],
      TARGET_ARN: ['String', 'arn:aws:lambda:us-east-1:000000000000:function:yobidashi-local-alert-received'],
      ERROR_CODE: ['String', 'TooManyRequestsException'],
      ERROR_MESSAGE: ['String', expect.stringContaining('lambda:Invoke')],
      EXHAUSTED_RETRY_CONDITION: ['String', 'MaximumEventAgeInSeconds'],
      RETRY_ATTEMPTS: ['String', expect.stringMatching(/^\d+$/)],
    });
    expect(mine!.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(mine!.MessageAttributes as Record<string, { DataType: string; StringValue: string }>));
    expect(readFailedDelivery(mine!)).toMatchObject({ functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:yobidashi-local-alert-received', event });
    h.expectCalls([]);

    // The fault clears; the sweep's own code (the AWS adapter) reads the queues over SQS and invokes over Lambda.
    h.rt.faults.clear();
    const result = await h.deps.failures.redrive({ now: h.rt.clock.now(), maxAgeMs: 24 * 3_600_000, limit: 100 });
    expect(result.redriven).toBeGreaterThanOrEqual(1);
    await h.drain();
    h.expectCalls([AKI]);
    expect(h.cloud.deadLetters.filter((l) => l.stage === 'handoff')).toEqual([]);
  });

  it('a schedule that could not put its check on the bus is in the check queue, as the Scheduler puts it, and stays there for a person', async () => {
    await start();
    h.phone(AKI, { answer: false });
    await h.sendAlert(alert);
    h.expectCalls([AKI]);
    h.rt.faults.add({ target: 'events:PutEvents', error: 'InternalException', forSeconds: 2 * 3600 });
    await h.advance(90 * 60_000); // the Scheduler retries for an hour
    const letters = h.cloud.deadLetters.filter((l) => l.stage === 'schedule' && l.envelope['detail-type'] === 'CallCheckDue');
    expect(letters.length).toBeGreaterThanOrEqual(1);
    const { sqs } = clients(h.rt.url);
    const queue = (await outputsOf(h.rt.url)).CheckDeadLetterQueueUrl as string;
    const messages = await receive(sqs, queue, 0);
    const check = messages.find((m) => m.MessageId === letters[0]!.id); // one id, in the local API and on SQS
    expect(JSON.parse(check!.Body!)).toEqual(letters[0]!.envelope.detail);
    expect(check!.Body).toBe(letters[0]!.schedule!.input);
    const attributes = Object.fromEntries(Object.entries(check!.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    expect(attributes).toEqual({
      ERROR_CODE: 'InternalException',
      ERROR_MESSAGE: expect.stringContaining('events:PutEvents'),
      EXECUTION_ID: expect.any(String),
      EXHAUSTED_RETRY_CONDITION: expect.stringMatching(/^(MaximumRetryAttempts|MaximumEventAgeInSeconds)$/),
      RETRY_ATTEMPTS: expect.stringMatching(/^\d+$/),
      SCHEDULE_ARN: expect.stringMatching(/^arn:aws:scheduler:us-east-1:000000000000:schedule\/yobidashi\/chk-/),
      TARGET_ARN: 'arn:aws:events:us-east-1:000000000000:event-bus/yobidashi',
    });
    // The local API lists the same letter (one store).
    const listed = (await api('GET', '/api/dead-letters')).body as { id: string; stage: string }[];
    expect(listed.filter((l) => l.stage === 'schedule').map((l) => l.id)).toContain(letters[0]!.id);
  });

  it("Connect and CloudWatch answer what an operator's doctor asks: the instance, its flow and number; the functions' Errors", async () => {
    await start();
    const { connect, cloudWatch } = clients(h.rt.url);
    const outputs = await outputsOf(h.rt.url);
    const { Instance } = await connect.send(new DescribeInstanceCommand({ InstanceId: 'local' }));
    expect(Instance).toMatchObject({ Id: 'local', Arn: outputs.ConnectInstanceArn, InstanceStatus: 'ACTIVE', OutboundCallsEnabled: true });
    const { ContactFlow } = await connect.send(new DescribeContactFlowCommand({ InstanceId: 'local', ContactFlowId: 'yobidashi-call' }));
    expect(ContactFlow).toMatchObject({ Arn: outputs.ContactFlowArn, State: 'ACTIVE', Status: 'PUBLISHED', Type: 'CONTACT_FLOW' });
    expect(JSON.parse(ContactFlow!.Content!)).toHaveProperty('Actions');
    const { ListPhoneNumbersSummaryList } = await connect.send(new ListPhoneNumbersV2Command({ TargetArn: outputs.ConnectInstanceArn, PhoneNumberPrefix: '+815' }));
    expect(ListPhoneNumbersSummaryList?.map((p) => p.PhoneNumber)).toEqual([outputs.SourcePhoneNumber]);
    await expect(connect.send(new DescribeInstanceCommand({ InstanceId: 'elsewhere' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    await handlerDeadLetter();
    const now = h.rt.clock.now();
    const { MetricDataResults } = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 3_600_000),
        EndTime: new Date(now + 1000),
        MetricDataQueries: ['place-call', 'timeline'].map((handler) => ({
          Id: handler.replace('-', '_'),
          MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: `yobidashi-local-${handler}` }] }, Period: 86_400, Stat: 'Sum' },
        })),
      }),
    );
    expect(MetricDataResults?.map((r) => [r.Id, r.Values, r.StatusCode])).toEqual([
      ['place_call', [3], 'Complete'], // the first invocation and Lambda's two retries
      ['timeline', [], 'Complete'],
    ]);
  });

  it('DynamoDB answers the SDK on the same port, for the table the stack names', async () => {
    await start();
    const { dynamo } = clients(h.rt.url);
    const { Count } = await dynamo.send(new ScanCommand({ TableName: (await outputsOf(h.rt.url)).TableName }));
    expect(Count).toBeGreaterThan(0); // the roster at least
  });
});

// -------------------------------------------------------------------------------------------------
// The real AWS CLI: Debian's awscli (v2.9), which .ci/run installs. Explicitly /usr/bin/aws: an
// older v1 `aws` may come earlier on PATH. Without it (a developer machine), skipped outside CI.

const AWS_CLI = '/usr/bin/aws';
const run = promisify(execFile);

async function aws(url: string, ...args: string[]): Promise<{ code: number; json: unknown; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'yobidashi-awscli-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  try {
    const { stdout, stderr } = await run(AWS_CLI, [...args, '--endpoint-url', url, '--output', 'json'], { env, cwd: home, timeout: 30_000 });
    return { code: 0, json: stdout.trim() ? (JSON.parse(stdout) as unknown) : undefined, stderr };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, json: undefined, stderr: e.stderr ?? String(error) };
  }
}

describe.skipIf(!existsSync(AWS_CLI) && !process.env.CI)('the AWS CLI (v2, Debian) against the port', () => {
  it('describe-stacks, sqs get-queue-attributes / receive-message / delete-message, lambda invoke --invocation-type Event, dynamodb scan', { timeout: 120_000 }, async () => {
    await start();
    await handlerDeadLetter();
    const url = h.rt.url;

    const described = (await aws(url, 'cloudformation', 'describe-stacks', '--stack-name', 'Yobidashi')).json as { Stacks: { StackStatus: string; Outputs: { OutputKey: string; OutputValue: string }[] }[] };
    expect(described.Stacks[0]?.StackStatus).toBe('CREATE_COMPLETE');
    const outputs = Object.fromEntries(described.Stacks[0]!.Outputs.map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs).toEqual(await outputsOf(url));
    const missing = await aws(url, 'cloudformation', 'describe-stacks', '--stack-name', 'Nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/\(ValidationError\).*Stack with id Nope does not exist/);

    const queue = outputs.HandlerFailureQueueUrl as string;
    const attributes = (await aws(url, 'sqs', 'get-queue-attributes', '--queue-url', queue, '--attribute-names', 'All')).json as { Attributes: Record<string, string> };
    expect(attributes.Attributes).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0', QueueArn: 'arn:aws:sqs:us-east-1:000000000000:yobidashi-handler-failures' });

    const received = (await aws(url, 'sqs', 'receive-message', '--queue-url', queue, '--max-number-of-messages', '10', '--attribute-names', 'All', '--message-attribute-names', 'All', '--visibility-timeout', '300'))
      .json as { Messages: Message[] };
    expect(received.Messages).toHaveLength(1);
    const [message] = received.Messages;
    const record = JSON.parse(message!.Body!) as { requestContext: { functionArn: string; condition: string; approximateInvokeCount: number }; requestPayload: { id: string } };
    expect(record.requestContext).toMatchObject({ functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:yobidashi-local-place-call:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    expect(record.requestPayload.id).toBe(h.cloud.deadLetters[0]!.envelope.id);
    expect(message!.Attributes?.ApproximateReceiveCount).toBe('1');
    const hidden = (await aws(url, 'sqs', 'get-queue-attributes', '--queue-url', queue, '--attribute-names', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible')).json;
    expect(hidden).toEqual({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' } });

    // The redrive by hand: invoke the function with the original event, asynchronously, then delete the message.
    const dir = mkdtempSync(join(tmpdir(), 'yobidashi-invoke-'));
    writeFileSync(join(dir, 'event.json'), JSON.stringify(record.requestPayload));
    h.rt.faults.add({ target: 'handler:place-call', error: 'ServiceUnavailableException', times: 1 });
    const invoked = await aws(url, 'lambda', 'invoke', '--function-name', 'yobidashi-local-place-call', '--invocation-type', 'Event', '--cli-binary-format', 'raw-in-base64-out', '--payload', `file://${join(dir, 'event.json')}`, join(dir, 'out.json'));
    expect(invoked).toMatchObject({ code: 0, json: { StatusCode: 202 } });
    expect((await aws(url, 'sqs', 'delete-message', '--queue-url', queue, '--receipt-handle', message!.ReceiptHandle!)).code).toBe(0);
    expect(h.cloud.deadLetters).toEqual([]);
    await h.drain();
    expect(h.rt.faults.list()).toEqual([]); // the invocation reached place-call (and failed once: Lambda retries it a minute later)
    await h.settle();
    expect(h.cloud.deadLetters).toEqual([]);

    const scanned = (await aws(url, 'dynamodb', 'scan', '--table-name', outputs.TableName as string)).json as { Count: number };
    expect(scanned.Count).toBeGreaterThan(0);
  });

  it('sqs receive-message shows the rule queue\'s message attributes as EventBridge sets them', { timeout: 60_000 }, async () => {
    await start();
    h.rt.faults.add({ target: 'lambda:Invoke', error: 'TooManyRequestsException', forSeconds: 3 * 3600 });
    const event = await h.sendAlert(alert);
    await h.advance(2.5 * 3_600_000);
    const queue = (await outputsOf(h.rt.url)).RuleDeadLetterQueueUrl as string;
    const received = (await aws(h.rt.url, 'sqs', 'receive-message', '--queue-url', queue, '--max-number-of-messages', '10', '--message-attribute-names', 'All', '--visibility-timeout', '0')).json as { Messages: Message[] };
    const mine = received.Messages.find((m) => JSON.parse(m.Body!).id === event.id);
    expect(mine?.MessageAttributes).toMatchObject({
      RULE_ARN: { StringValue: 'arn:aws:events:us-east-1:000000000000:rule/yobidashi/alert-received', DataType: 'String' },
      TARGET_ARN: { StringValue: 'arn:aws:lambda:us-east-1:000000000000:function:yobidashi-local-alert-received', DataType: 'String' },
      ERROR_CODE: { StringValue: 'TooManyRequestsException', DataType: 'String' },
    });
    expect(mine?.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(mine!.MessageAttributes as Record<string, { DataType: string; StringValue: string }>));
  });
});
