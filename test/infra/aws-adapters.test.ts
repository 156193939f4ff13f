import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ownEvent, SCHEMA_VERSION } from '../../events/catalog.ts';
import { ConnectTelephony } from '../../infra/aws/adapters/connect.ts';
import { EventBridgeBus, PutEventsFailedError } from '../../infra/aws/adapters/event-bus.ts';
import { atExpression, EventBridgeScheduler } from '../../infra/aws/adapters/scheduler.ts';
import { CallRejectedError } from '../../handlers/ports.ts';

/**
 * The AWS adapters with the real SDK v3 clients, against a loopback server that answers like the
 * services' wire protocols: what matters here is what goes over the wire and how answers are read.
 */
interface Seen {
  method: string;
  url: string;
  target: string | undefined;
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
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', target: req.headers['x-amz-target'] as string | undefined, body: text ? JSON.parse(text) : undefined };
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
