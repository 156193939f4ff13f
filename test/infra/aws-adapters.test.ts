import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ownEvent, SCHEMA_VERSION } from '../../events/catalog.ts';
import { ConnectTelephony } from '../../infra/aws/adapters/connect.ts';
import { EventBridgeBus, PutEventsFailedError } from '../../infra/aws/adapters/event-bus.ts';
import { RedriveFailedError, SqsFailedDeliveries, unqualifiedFunctionArn } from '../../infra/aws/adapters/failed-deliveries.ts';
import { atExpression, EventBridgeScheduler } from '../../infra/aws/adapters/scheduler.ts';
import { failures } from '../../infra/aws/functions/ports/failures.ts';
import { CallRejectedError } from '../../handlers/ports.ts';

/**
 * The AWS adapters with the real SDK v3 clients, against a loopback server that answers like the
 * services' wire protocols: what matters here is what goes over the wire and how answers are read.
 */
interface Seen {
  method: string;
  url: string;
  target: string | undefined;
  headers: IncomingHttpHeaders;
  body: unknown;
}

type Reply = (seen: Seen) => { status?: number; headers?: Record<string, string>; body: unknown };

let server: Server;
let endpoint: string;
let seen: Seen[] = [];
let reply: Reply = () => ({ body: {} });

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', target: req.headers['x-amz-target'] as string | undefined, headers: req.headers, body: text ? JSON.parse(text) : undefined };
    seen.push(entry);
    const answer = reply(entry);
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  seen = [];
  reply = () => ({ body: {} });
});

const config = () => ({ endpoint, region: 'ap-northeast-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' }, maxAttempts: 1 });

const escalated = ownEvent('Escalated', {
  schemaVersion: SCHEMA_VERSION,
  incidentId: 'inc-1',
  attempt: 1,
  round: 1,
  responder: { index: 0, name: 'Aki', language: 'ja-JP' },
  because: 'opened',
  at: '2026-11-24T01:00:00.000Z',
});

describe('EventBridge bus adapter', () => {
  it('puts own events on the named bus with source yobidashi, ten per call', async () => {
    reply = ({ body }) => ({ body: { FailedEntryCount: 0, Entries: (body as { Entries: unknown[] }).Entries.map((_, i) => ({ EventId: `e${i}` })) } });
    const bus = EventBridgeBus.fromConfig('yobidashi', config());
    await bus.publish(Array.from({ length: 12 }, () => escalated));
    expect(seen.map((s) => [s.target, (s.body as { Entries: unknown[] }).Entries.length])).toEqual([
      ['AWSEvents.PutEvents', 10],
      ['AWSEvents.PutEvents', 2],
    ]);
    expect((seen[0]?.body as { Entries: Record<string, string>[] }).Entries[0]).toEqual({
      EventBusName: 'yobidashi',
      Source: 'yobidashi',
      DetailType: 'Escalated',
      Detail: JSON.stringify(escalated.detail),
    });
  });

  it('fails when any entry is rejected, so the handler is retried', async () => {
    reply = () => ({ body: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] } });
    const bus = EventBridgeBus.fromConfig('yobidashi', config());
    await expect(bus.publish([escalated])).rejects.toBeInstanceOf(PutEventsFailedError);
  });
});

describe('EventBridge Scheduler adapter', () => {
  const target = { groupName: 'yobidashi', busArn: 'arn:aws:events:ap-northeast-1:1:event-bus/yobidashi', roleArn: 'arn:aws:iam::1:role/sched' };

  it('creates a one-time schedule that deletes itself and puts the event on the bus', async () => {
    reply = () => ({ body: { ScheduleArn: 'arn:sched' } });
    const scheduler = EventBridgeScheduler.fromConfig(target, config());
    await scheduler.scheduleOnce('chk-inc-1-1-1', Date.parse('2026-11-24T01:00:30.200Z'), escalated);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.url).toBe('/schedules/chk-inc-1-1-1');
    expect(seen[0]?.body).toMatchObject({
      GroupName: 'yobidashi',
      ScheduleExpression: 'at(2026-11-24T01:00:31)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: target.busArn,
        RoleArn: target.roleArn,
        Input: JSON.stringify(escalated.detail),
        EventBridgeParameters: { Source: 'yobidashi', DetailType: 'Escalated' },
      },
    });
  });

  it('dead-letters the schedule target when a queue is given', async () => {
    reply = () => ({ body: { ScheduleArn: 'arn:sched' } });
    await EventBridgeScheduler.fromConfig({ ...target, deadLetterArn: 'arn:aws:sqs:ap-northeast-1:1:checks-dlq' }, config()).scheduleOnce('n', 0, escalated);
    expect(seen[0]?.body).toMatchObject({ Target: { DeadLetterConfig: { Arn: 'arn:aws:sqs:ap-northeast-1:1:checks-dlq' }, RetryPolicy: { MaximumRetryAttempts: 10 } } });
  });

  it('treats an existing schedule of that name as done', async () => {
    reply = () => ({ status: 409, headers: { 'x-amzn-errortype': 'ConflictException' }, body: { message: 'exists' } });
    await expect(EventBridgeScheduler.fromConfig(target, config()).scheduleOnce('n', 0, escalated)).resolves.toBeUndefined();
  });

  const notFound = { status: 404, headers: { 'x-amzn-errortype': 'ResourceNotFoundException' }, body: { message: 'Schedule n does not exist.' } };
  const conflict = { status: 409, headers: { 'x-amzn-errortype': 'ConflictException' }, body: { message: 'exists' } };

  it('reschedule moves an existing schedule with one UpdateSchedule, kept after it fires (NONE)', async () => {
    reply = () => ({ body: { ScheduleArn: 'arn:sched' } });
    await EventBridgeScheduler.fromConfig(target, config()).reschedule('hb-XYZ-nagios-0123456789abcdef', Date.parse('2026-11-24T01:01:30Z'), escalated);
    expect(seen.map((s) => [s.method, s.url])).toEqual([['PUT', '/schedules/hb-XYZ-nagios-0123456789abcdef']]);
    expect(seen[0]?.body).toMatchObject({ GroupName: 'yobidashi', ScheduleExpression: 'at(2026-11-24T01:01:30)', ActionAfterCompletion: 'NONE', Target: { Input: JSON.stringify(escalated.detail) } });
  });

  it('reschedule creates the schedule when there is none, and updates it when another writer created it meanwhile', async () => {
    reply = ({ method }) => (method === 'PUT' ? notFound : { body: { ScheduleArn: 'arn:sched' } });
    await EventBridgeScheduler.fromConfig(target, config()).reschedule('n', 0, escalated);
    expect(seen.map((s) => s.method)).toEqual(['PUT', 'POST']);
    expect(seen[1]?.body).toMatchObject({ ActionAfterCompletion: 'NONE' });

    seen = [];
    let puts = 0;
    reply = ({ method }) => (method === 'PUT' ? (++puts === 1 ? notFound : { body: { ScheduleArn: 'arn:sched' } }) : conflict);
    await EventBridgeScheduler.fromConfig(target, config()).reschedule('n', 0, escalated);
    expect(seen.map((s) => s.method)).toEqual(['PUT', 'POST', 'PUT']);

    // Any other refusal is the caller's to retry.
    seen = [];
    reply = () => ({ status: 400, headers: { 'x-amzn-errortype': 'ValidationException' }, body: { message: 'bad' } });
    await expect(EventBridgeScheduler.fromConfig(target, config()).reschedule('n', 0, escalated)).rejects.toThrow('bad');
    expect(seen.map((s) => s.method)).toEqual(['PUT']);
  });

  it('rounds up to whole seconds', () => {
    expect(atExpression(Date.parse('2026-01-01T00:00:00.000Z'))).toBe('at(2026-01-01T00:00:00)');
    expect(atExpression(Date.parse('2026-01-01T00:00:00.001Z'))).toBe('at(2026-01-01T00:00:01)');
  });
});

describe('Amazon Connect adapter', () => {
  const target = { instanceId: 'inst-1', contactFlowId: 'flow-1', sourcePhoneNumber: '+81300000000' };

  it('starts an outbound call with the client token and attributes', async () => {
    reply = () => ({ body: { ContactId: 'c-1' } });
    const connect = ConnectTelephony.fromConfig(target, config());
    const result = await connect.startCall({ clientToken: 'inc-1:1', destination: '+819011110001', attributes: { language: 'ja-JP' } });
    expect(result).toEqual({ contactId: 'c-1' });
    expect(seen[0]).toMatchObject({
      method: 'PUT',
      url: '/contact/outbound-voice',
      body: { InstanceId: 'inst-1', ContactFlowId: 'flow-1', DestinationPhoneNumber: '+819011110001', SourcePhoneNumber: '+81300000000', ClientToken: 'inc-1:1', Attributes: { language: 'ja-JP' } },
    });
  });

  it('turns a refused destination into CallRejectedError, and passes throttling through', async () => {
    const connect = ConnectTelephony.fromConfig(target, config());
    reply = () => ({ status: 403, headers: { 'x-amzn-errortype': 'DestinationNotAllowedException' }, body: { Message: 'no' } });
    await expect(connect.startCall({ clientToken: 't', destination: '+1', attributes: {} })).rejects.toBeInstanceOf(CallRejectedError);
    reply = () => ({ status: 429, headers: { 'x-amzn-errortype': 'LimitExceededException' }, body: { Message: 'slow down' } });
    const error = await connect.startCall({ clientToken: 't', destination: '+1', attributes: {} }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(CallRejectedError);
    expect((error as Error).name).toBe('LimitExceededException');
  });

  it('reads the end of a call from DescribeContact', async () => {
    const connect = ConnectTelephony.fromConfig(target, config());
    reply = () => ({ body: { Contact: { Id: 'c-1', ConnectedToSystemTimestamp: 1_795_000_000, DisconnectTimestamp: 1_795_000_060, DisconnectReason: 'CUSTOMER_DISCONNECT' } } });
    expect(await connect.describeCall('c-1')).toEqual({ state: 'ended', connected: true, endedAt: 1_795_000_060_000, disconnectReason: 'CUSTOMER_DISCONNECT' });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/contacts/inst-1/c-1' });
    reply = () => ({ body: { Contact: { Id: 'c-1' } } });
    expect(await connect.describeCall('c-1')).toEqual({ state: 'active', connected: false });
  });

  it('stopping a call that already ended is not an error', async () => {
    const connect = ConnectTelephony.fromConfig(target, config());
    reply = () => ({ status: 404, headers: { 'x-amzn-errortype': 'ContactNotFoundException' }, body: { Message: 'gone' } });
    await expect(connect.stopCall('c-1')).resolves.toBeUndefined();
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/contact/stop', body: { ContactId: 'c-1', InstanceId: 'inst-1' } });
  });
});

describe('failed deliveries adapter (SQS + Lambda)', () => {
  const account = '111111111111';
  const fn = (name: string) => `arn:aws:lambda:ap-northeast-1:${account}:function:${name}`;
  const failuresUrl = () => `${endpoint}/${account}/handler-failures`;
  const dlqUrl = () => `${endpoint}/${account}/dead-letters`;
  const now = Date.parse('2026-11-24T12:00:00.000Z');
  const hour = 3_600_000;
  const envelope = (id: string, ageMs: number) => ({
    version: '0',
    id,
    'detail-type': 'Escalated',
    source: 'yobidashi',
    account,
    time: new Date(now - ageMs).toISOString(),
    region: 'ap-northeast-1',
    resources: [],
    detail: escalated.detail,
  });
  /** What Lambda's on-failure destination puts in the queue (the function ARN carries its qualifier). */
  const lambdaRecord = (target: string, event: unknown) =>
    JSON.stringify({
      version: '1.0',
      timestamp: new Date(now).toISOString(),
      requestContext: { requestId: 'r-1', functionArn: `${target}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'boom' },
    });
  /** What an EventBridge rule puts in its dead-letter queue: the event itself, and why, as attributes. */
  const ruleDeadLetter = (target: string, event: unknown) => ({
    body: JSON.stringify(event),
    attributes: {
      RULE_ARN: `arn:aws:events:ap-northeast-1:${account}:rule/yobidashi/yobidashi-place-call`,
      TARGET_ARN: target,
      ERROR_CODE: 'SDK_CLIENT_ERROR',
      ERROR_MESSAGE: 'Rate exceeded',
    },
  });

  /**
   * A queue as SQS keeps it: received messages are hidden for the visibility timeout the receive
   * asked for, deleted ones are gone, ChangeMessageVisibility 0 shows them again.
   */
  interface Stored {
    id: string;
    body: string;
    attributes?: Record<string, string>;
    visible: boolean;
    handle?: string;
  }
  let queues: Record<string, Stored[]>;
  let invokeFails: (functionName: string) => boolean;
  let handles = 0;

  const put = (queueUrl: string, ...messages: (string | { body: string; attributes?: Record<string, string> })[]) => {
    const queue = (queues[new URL(queueUrl).pathname] ??= []);
    for (const message of messages) {
      const { body, attributes } = typeof message === 'string' ? { body: message, attributes: undefined } : message;
      queue.push({ id: `m${queue.length + 1}`, body, visible: true, ...(attributes ? { attributes } : {}) });
    }
  };
  const queueAt = (queueUrl: unknown) => queues[new URL(String(queueUrl)).pathname] ?? [];
  const byHandle = (queueUrl: unknown, handle: unknown) => queueAt(queueUrl).find((m) => m.handle === handle);

  function sqsReply(action: string, body: Record<string, unknown>): { status?: number; body: unknown } {
    if (action === 'ReceiveMessage') {
      const visible = queueAt(body.QueueUrl).filter((m) => m.visible).slice(0, Number(body.MaxNumberOfMessages ?? 1));
      return {
        body: {
          Messages: visible.map((m) => {
            m.visible = false;
            m.handle = `h${++handles}`;
            return {
              MessageId: m.id,
              ReceiptHandle: m.handle,
              Body: m.body,
              MD5OfBody: createHash('md5').update(m.body).digest('hex'),
              ...(m.attributes ? { MessageAttributes: Object.fromEntries(Object.entries(m.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) } : {}),
            };
          }),
        },
      };
    }
    if (action === 'DeleteMessage') {
      const queue = queueAt(body.QueueUrl);
      queue.splice(queue.findIndex((m) => m.handle === body.ReceiptHandle), 1);
      return { body: {} };
    }
    if (action === 'ChangeMessageVisibilityBatch') {
      const entries = body.Entries as { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[];
      for (const entry of entries) {
        const message = byHandle(body.QueueUrl, entry.ReceiptHandle);
        if (message && entry.VisibilityTimeout === 0) message.visible = true;
      }
      return { body: { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] } };
    }
    return { status: 400, body: { __type: 'com.amazon.coral.service#UnknownOperationException', message: action } };
  }

  beforeEach(() => {
    queues = {};
    handles = 0;
    invokeFails = () => false;
    reply = (request) => {
      if (request.target?.startsWith('AmazonSQS.')) return sqsReply(request.target.slice('AmazonSQS.'.length), request.body as Record<string, unknown>);
      const invoked = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url);
      if (invoked) {
        if (invokeFails(decodeURIComponent(invoked[1]!))) return { status: 429, headers: { 'x-amzn-errortype': 'TooManyRequestsException' }, body: { message: 'Rate exceeded' } };
        return { status: 202, body: {} };
      }
      return { status: 404, body: {} };
    };
  });

  const adapter = (urls = [failuresUrl(), dlqUrl()]) => SqsFailedDeliveries.fromConfig(urls, config(), config());
  const invokes = () =>
    seen
      .filter((s) => s.url.startsWith('/2015-03-31/functions/'))
      .map((s) => ({ function: decodeURIComponent(s.url.split('/')[3]!), type: s.headers['x-amz-invocation-type'], payload: s.body }));
  const calls = (action: string) => seen.filter((s) => s.target === `AmazonSQS.${action}`);
  const left = (queueUrl: string) => queueAt(queueUrl).map((m) => ({ id: m.id, visible: m.visible }));

  it('hands a Lambda failure record back to its function: async invoke of the original event, then delete', async () => {
    const event = envelope('ev-1', hour);
    put(failuresUrl(), lambdaRecord(fn('place-call'), event));
    expect(await adapter().redrive({ now, maxAgeMs: 24 * hour, limit: 100 })).toEqual({ redriven: 1, kept: 0 });
    expect(invokes()).toEqual([{ function: fn('place-call'), type: 'Event', payload: event }]);
    expect(left(failuresUrl())).toEqual([]);
    const invokeAt = seen.findIndex((s) => s.url.includes('/invocations'));
    const deleteAt = seen.findIndex((s) => s.target === 'AmazonSQS.DeleteMessage');
    expect(invokeAt).toBeLessThan(deleteAt);
    expect(calls('ReceiveMessage')[0]?.body).toMatchObject({ QueueUrl: failuresUrl(), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 });
  });

  it('hands a rule dead letter to the TARGET_ARN function', async () => {
    const event = envelope('ev-2', 3 * hour);
    put(dlqUrl(), ruleDeadLetter(fn('escalate'), event));
    expect(await adapter().redrive({ now, maxAgeMs: 24 * hour, limit: 100 })).toEqual({ redriven: 1, kept: 0 });
    expect(invokes()).toEqual([{ function: fn('escalate'), type: 'Event', payload: event }]);
    expect(left(dlqUrl())).toEqual([]);
  });

  it('leaves what is a day old or more, unreadable, or not for a function in the queue, visible again at once', async () => {
    put(
      failuresUrl(),
      lambdaRecord(fn('place-call'), envelope('old', 24 * hour)),
      lambdaRecord(fn('place-call'), envelope('young', 23 * hour)),
      'not json',
      JSON.stringify({ requestContext: { functionArn: fn('place-call') } }), // record too large to carry its payload
    );
    put(dlqUrl(), ruleDeadLetter(`arn:aws:logs:ap-northeast-1:${account}:log-group:/aws/events/yobidashi`, envelope('log', hour)));
    expect(await adapter().redrive({ now, maxAgeMs: 24 * hour, limit: 100 })).toEqual({ redriven: 1, kept: 4 });
    expect(invokes().map((i) => (i.payload as { id: string }).id)).toEqual(['young']);
    expect(left(failuresUrl())).toEqual([
      { id: 'm1', visible: true },
      { id: 'm3', visible: true },
      { id: 'm4', visible: true },
    ]);
    expect(left(dlqUrl())).toEqual([{ id: 'm1', visible: true }]);
    expect(calls('DeleteMessage')).toHaveLength(1);
  });

  it('redrives at most `limit`, across receives and queues; the rest stays, visible', async () => {
    put(failuresUrl(), ...Array.from({ length: 13 }, (_, i) => lambdaRecord(fn('call-check'), envelope(`f${i}`, hour))));
    put(dlqUrl(), ...Array.from({ length: 3 }, (_, i) => ruleDeadLetter(fn('timeline'), envelope(`d${i}`, hour))));
    expect(await adapter().redrive({ now, maxAgeMs: 24 * hour, limit: 15 })).toEqual({ redriven: 15, kept: 0 });
    expect(invokes().filter((i) => i.function === fn('call-check'))).toHaveLength(13);
    expect(invokes().filter((i) => i.function === fn('timeline'))).toHaveLength(2);
    expect(left(failuresUrl())).toEqual([]);
    expect(left(dlqUrl())).toEqual([{ id: 'm3', visible: true }]);
  });

  it('deletes nothing whose invoke failed, and fails the sweep so it is tried again', async () => {
    put(failuresUrl(), lambdaRecord(fn('escalate'), envelope('a', hour)), lambdaRecord(fn('place-call'), envelope('b', hour)), lambdaRecord(fn('escalate'), envelope('c', hour)));
    invokeFails = (name) => name.endsWith(':place-call');
    const error = await adapter().redrive({ now, maxAgeMs: 24 * hour, limit: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedriveFailedError);
    expect((error as RedriveFailedError).functionArn).toBe(fn('place-call'));
    // a went through; b failed and stays, and so does c, which was not tried: both visible again.
    expect(invokes().map((i) => (i.payload as { id: string }).id)).toEqual(['a', 'b']);
    expect(calls('DeleteMessage')).toHaveLength(1);
    expect(left(failuresUrl())).toEqual([
      { id: 'm2', visible: true },
      { id: 'm3', visible: true },
    ]);
    // The rule DLQ was not touched after the failure.
    expect(calls('ReceiveMessage').every((c) => (c.body as { QueueUrl: string }).QueueUrl === failuresUrl())).toBe(true);
  });

  it('an empty queue costs one receive', async () => {
    expect(await adapter().redrive({ now, maxAgeMs: 24 * hour, limit: 100 })).toEqual({ redriven: 0, kept: 0 });
    expect(calls('ReceiveMessage').map((c) => (c.body as { QueueUrl: string }).QueueUrl)).toEqual([failuresUrl(), dlqUrl()]);
    expect(calls('ChangeMessageVisibilityBatch')).toEqual([]);
  });

  it('strips the qualifier from function ARNs and refuses anything that is not a function', () => {
    expect(unqualifiedFunctionArn(`${fn('sweep')}:$LATEST`)).toBe(fn('sweep'));
    expect(unqualifiedFunctionArn(`${fn('sweep')}:7`)).toBe(fn('sweep'));
    expect(unqualifiedFunctionArn(fn('sweep'))).toBe(fn('sweep'));
    expect(unqualifiedFunctionArn(`arn:aws:events:ap-northeast-1:${account}:event-bus/yobidashi`)).toBeUndefined();
    expect(unqualifiedFunctionArn(undefined)).toBeUndefined();
  });

  it('is what a function gets when FAILURE_QUEUE_URLS is set, and nothing works without it', async () => {
    expect(failures({ TABLE_NAME: 't', FAILURE_QUEUE_URLS: `${failuresUrl()},${dlqUrl()}` })).toBeInstanceOf(SqsFailedDeliveries);
    const unset = failures({ TABLE_NAME: 't' });
    expect(unset).not.toBeInstanceOf(SqsFailedDeliveries);
    await expect(unset.redrive({ now, maxAgeMs: hour, limit: 1 })).rejects.toThrow(/not configured/);
  });
});
