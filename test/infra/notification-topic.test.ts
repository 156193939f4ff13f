import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exhaustedNotification } from '../../domain/notification.ts';
import { silentLogger } from '../../handlers/lib/logger.ts';
import { SnsNotifier } from '../../infra/aws/adapters/notifier.ts';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';

/**
 * The local SNS face, through the AWS SDK's own SNS client (the notifier's adapter): Publish is
 * checked as SNS checks it, ListTopics finds the topic, the stack outputs it, and what was published
 * survives a restart (the data dir's journal).
 */

let rt: Runtime;
let dataDir: string;
let sns: SNSClient;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'yobidashi-sns-'));
  rt = await startRuntime({ dataDir, port: 0, log: silentLogger });
  sns = new SNSClient({ endpoint: rt.url, region: 'us-east-1', credentials, maxAttempts: 1 });
});
afterAll(async () => {
  await rt.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const sample = (at: number) =>
  exhaustedNotification({
    incident: { incidentId: 'abc-1', system: '決済', host: 'db1', service: 'MySQL', openedAt: at - 600_000, alert: { message: 'replication stopped' }, timeZone: 'Asia/Tokyo' },
    calls: [{ attempt: 1, responder: 'Aki', placedAt: at - 500_000, outcome: 'no-answer' }],
    exhausted: { callsPlaced: 1, reason: 'rounds-used-up', roster: '決済' },
    look: { cli: 'npx yobidashi' },
    at,
  });

async function refusal(input: Partial<ConstructorParameters<typeof PublishCommand>[0]>): Promise<string> {
  try {
    await sns.send(new PublishCommand({ TopicArn: rt.topic.arn, Message: 'hello', ...input }));
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'accepted';
}

describe('the local SNS topic', () => {
  it('takes the adapter’s structured Publish: a Japanese system falls back to an ASCII subject, every part kept', async () => {
    const { messageId } = await SnsNotifier.fromConfig(rt.topic.arn, { endpoint: rt.url, region: 'us-east-1', credentials }).notify(sample(rt.clock.now()));
    const [n] = rt.topic.list(1);
    expect(n).toMatchObject({ messageId, subject: 'yobidashi: nobody answered - incident abc-1', attributes: { kind: 'incident-exhausted', system: '決済', incidentId: 'abc-1' } });
    expect(n?.message).toContain('Nobody answered: 決済 db1 MySQL');
    expect(Object.keys(n?.messages ?? {}).sort()).toEqual(['default', 'email', 'https', 'lambda', 'sms', 'sqs']);
  });

  it('refuses what SNS refuses', async () => {
    expect(await refusal({ Subject: 'x'.repeat(100) })).toBe('InvalidParameterException: Invalid parameter: Subject');
    expect(await refusal({ Subject: '決済' })).toBe('InvalidParameterException: Invalid parameter: Subject');
    expect(await refusal({ Subject: 'two\nlines' })).toBe('InvalidParameterException: Invalid parameter: Subject');
    expect(await refusal({ MessageStructure: 'json', Message: '{"email":"hi"}' })).toBe('InvalidParameterException: Invalid parameter: Message Structure - No default entry in JSON message body');
    expect(await refusal({ MessageStructure: 'json', Message: 'not json' })).toBe('InvalidParameterException: Invalid parameter: Message Structure - JSON message body failed to parse');
    expect(await refusal({ TopicArn: rt.topic.arn.replace('yobidashi-notifications', 'another') })).toBe('NotFoundException: Topic does not exist');
    expect(await refusal({ MessageAttributes: { kind: { DataType: 'String', StringValue: '' } } })).toMatch(/^InvalidParameterException: .*non-empty/);
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'x' }]));
    expect(await refusal({ MessageAttributes: eleven })).toMatch(/^InvalidParameterException: .*Too many message attributes/);
    expect(await refusal({ Message: 'x'.repeat(262_145) })).toBe('InvalidParameterException: Invalid parameter: Message too long');
    expect(await refusal({})).toBe('accepted');
  });

  it('ListTopics finds it, and the stack outputs it', async () => {
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    expect(Topics).toEqual([{ TopicArn: rt.topic.arn }]);
    expect(rt.stack.outputs().find((o) => o.OutputKey === 'NotificationTopicArn')?.OutputValue).toBe(rt.topic.arn);
  });

  it('GET /api/notifications lists them newest first and pages; a restart keeps them', async () => {
    const before = rt.topic.list().map((n) => n.messageId);
    expect(before.length).toBeGreaterThanOrEqual(2);
    const first = await fetch(`${rt.url}/api/notifications?limit=1`);
    expect(((await first.json()) as { messageId: string }[]).map((n) => n.messageId)).toEqual([before[0]]);
    const token = first.headers.get('x-next-token');
    expect(token).toBeTruthy();
    const second = (await (await fetch(`${rt.url}/api/notifications?limit=1&nextToken=${token}`)).json()) as { messageId: string }[];
    expect(second.map((n) => n.messageId)).toEqual([before[1]]);

    await rt.stop();
    rt = await startRuntime({ dataDir, port: 0, log: silentLogger });
    expect(rt.topic.list().map((n) => n.messageId)).toEqual(before);
  });
});
