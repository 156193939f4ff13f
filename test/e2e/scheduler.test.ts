import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  paginateListSchedules,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDynalite, Harness, T0 } from '../harness/harness.ts';

/**
 * EventBridge Scheduler over the wire, as a user's code calls it: the real
 * `@aws-sdk/client-scheduler` against the local runtime's port (REST paths, query names,
 * timestamps, error types as the SDK parses them), on virtual time for what fires when.
 */

const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/yobidashi';
const DEFAULT_BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/default';
const ROLE = 'arn:aws:iam::000000000000:role/yobidashi-scheduler';

let h: Harness;
let client: SchedulerClient;
beforeAll(async () => {
  h = await Harness.start();
  client = new SchedulerClient({ endpoint: h.rt.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});
afterAll(closeDynalite);

function input(name: string, more: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput {
  return {
    Name: name,
    GroupName: 'yobidashi',
    ScheduleExpression: 'rate(1 hour)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: BUS, RoleArn: ROLE, Input: '{"hello":"world"}', EventBridgeParameters: { Source: 'test.scheduler', DetailType: 'SchedulerTest' } },
    ...more,
  };
}

/** What the SDK throws for a request, as `name: message`. */
async function refusal(send: Promise<unknown>): Promise<string> {
  try {
    await send;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  throw new Error('the request succeeded');
}

describe('EventBridge Scheduler through @aws-sdk/client-scheduler', () => {
  it('CreateSchedule and GetSchedule: what was given, with AWS defaults for what was not', async () => {
    const start = new Date(T0 + 3_600_000);
    const end = new Date(T0 + 30 * 86_400_000);
    const created = await client.send(
      new CreateScheduleCommand(
        input('nightly-report', {
          ScheduleExpression: 'cron(0 2 ? * MON-FRI *)',
          ScheduleExpressionTimezone: 'Asia/Tokyo',
          StartDate: start,
          EndDate: end,
          Description: 'weekday report, 02:00 Tokyo',
          FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 30 },
        }),
      ),
    );
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/yobidashi/nightly-report');
    const got = await client.send(new GetScheduleCommand({ Name: 'nightly-report', GroupName: 'yobidashi' }));
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'nightly-report',
      GroupName: 'yobidashi',
      ScheduleExpression: 'cron(0 2 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Asia/Tokyo',
      StartDate: start,
      EndDate: end,
      Description: 'weekday report, 02:00 Tokyo',
      State: 'ENABLED',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 30 },
      CreationDate: new Date(T0),
      LastModificationDate: new Date(T0),
      Target: { Arn: BUS, RoleArn: ROLE, Input: '{"hello":"world"}', EventBridgeParameters: { Source: 'test.scheduler', DetailType: 'SchedulerTest' }, RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } },
    });
    // Without a group: the default group, UTC.
    await client.send(new CreateScheduleCommand({ ...input('in-default'), GroupName: undefined }));
    expect(await client.send(new GetScheduleCommand({ Name: 'in-default' }))).toMatchObject({ GroupName: 'default', ScheduleExpressionTimezone: 'UTC' });
  });

  it('schedules fire onto the bus on the runtime clock: rate at once and every period, at() in its zone, DISABLED never', async () => {
    const from = h.time.now();
    const put = (name: string, more: Partial<CreateScheduleCommandInput>, detailType: string) =>
      client.send(new CreateScheduleCommand(input(name, { ...more, Target: { Arn: BUS, RoleArn: ROLE, Input: `{"from":"${name}"}`, EventBridgeParameters: { Source: 'test.scheduler', DetailType: detailType } } })));
    await put('every-20', { ScheduleExpression: 'rate(20 minutes)' }, 'EveryTwenty');
    await put('once-tokyo', { ScheduleExpression: 'at(2026-11-24T10:45:00)', ScheduleExpressionTimezone: 'Asia/Tokyo', ActionAfterCompletion: 'DELETE' }, 'OnceTokyo');
    await put('off', { ScheduleExpression: 'rate(1 minute)', State: 'DISABLED' }, 'Off');
    await h.advance(60 * 60_000);
    const at = (detailType: string) => h.published(detailType).map((e) => (Date.parse(e.time) - from) / 60_000);
    expect(at('EveryTwenty')).toEqual([0, 20, 40, 60]);
    expect(at('OnceTokyo')).toEqual([45]); // 10:45 JST is 01:45Z, 45 minutes after T0
    expect(at('Off')).toEqual([]);
    expect(h.published('EveryTwenty')[0]).toMatchObject({ source: 'test.scheduler', detail: { from: 'every-20' } });
    expect(await refusal(client.send(new GetScheduleCommand({ Name: 'once-tokyo', GroupName: 'yobidashi' })))).toBe('ResourceNotFoundException: Schedule once-tokyo does not exist.');
    await client.send(new DeleteScheduleCommand({ Name: 'every-20', GroupName: 'yobidashi' }));
    await h.advance(60 * 60_000);
    expect(at('EveryTwenty')).toHaveLength(4);
  });

  it('UpdateSchedule replaces the schedule whole, as AWS documents it', async () => {
    await client.send(new CreateScheduleCommand(input('to-update', { Description: 'before', State: 'DISABLED', ActionAfterCompletion: 'DELETE', ScheduleExpressionTimezone: 'Europe/Paris' })));
    const updated = await client.send(new UpdateScheduleCommand({ Name: 'to-update', GroupName: 'yobidashi', ScheduleExpression: 'rate(2 hours)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: DEFAULT_BUS, RoleArn: ROLE, EventBridgeParameters: { Source: 'test.scheduler', DetailType: 'Updated' } } }));
    expect(updated.ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/yobidashi/to-update');
    const got = await client.send(new GetScheduleCommand({ Name: 'to-update', GroupName: 'yobidashi' }));
    expect(got).toMatchObject({ ScheduleExpression: 'rate(2 hours)', ScheduleExpressionTimezone: 'UTC', State: 'ENABLED', ActionAfterCompletion: 'NONE', Target: { Arn: DEFAULT_BUS } });
    expect(got.Description).toBeUndefined();
    expect(got.Target?.Input).toBeUndefined();
    expect(await refusal(client.send(new UpdateScheduleCommand({ ...input('never-created') })))).toBe('ResourceNotFoundException: Schedule never-created does not exist.');
  });

  it('ListSchedules filters by group, name prefix and state, and pages with NextToken and MaxResults', async () => {
    for (const n of [1, 2, 3, 4, 5]) await client.send(new CreateScheduleCommand(input(`list-${n}`, { State: n % 2 ? 'ENABLED' : 'DISABLED' })));
    await client.send(new CreateScheduleCommand({ ...input('list-other-group'), GroupName: 'default' }));
    const first = await client.send(new ListSchedulesCommand({ GroupName: 'yobidashi', NamePrefix: 'list-', MaxResults: 2 }));
    expect(first.Schedules?.map((s) => s.Name)).toEqual(['list-1', 'list-2']);
    expect(first.Schedules?.[0]).toEqual({
      Arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/yobidashi/list-1',
      Name: 'list-1',
      GroupName: 'yobidashi',
      State: 'ENABLED',
      CreationDate: new Date(h.time.now()),
      LastModificationDate: new Date(h.time.now()),
      Target: { Arn: BUS },
    });
    expect(first.NextToken).toBeTruthy();
    const names: string[] = [];
    for await (const page of paginateListSchedules({ client, pageSize: 2 }, { GroupName: 'yobidashi', NamePrefix: 'list-' })) names.push(...(page.Schedules ?? []).map((s) => s.Name as string));
    expect(names).toEqual(['list-1', 'list-2', 'list-3', 'list-4', 'list-5']);
    const disabled = await client.send(new ListSchedulesCommand({ NamePrefix: 'list-', State: 'DISABLED' }));
    expect(disabled.Schedules?.map((s) => s.Name)).toEqual(['list-2', 'list-4']);
    expect(disabled.NextToken).toBeUndefined();
    const everywhere = await client.send(new ListSchedulesCommand({ NamePrefix: 'list-' }));
    expect(everywhere.Schedules?.map((s) => `${s.GroupName}/${s.Name}`)).toEqual(['default/list-other-group', 'yobidashi/list-1', 'yobidashi/list-2', 'yobidashi/list-3', 'yobidashi/list-4', 'yobidashi/list-5']);
    // The runtime's own sweep is a schedule like any other.
    expect((await client.send(new ListSchedulesCommand({ NamePrefix: 'yobidashi-sweep' }))).Schedules?.map((s) => s.Name)).toEqual(['yobidashi-sweep']);
    expect(await refusal(client.send(new ListSchedulesCommand({ MaxResults: 101 })))).toMatch(/^ValidationException: 1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100/);
    expect(await refusal(client.send(new ListSchedulesCommand({ NextToken: 'not-a-token' })))).toBe('ValidationException: Invalid NextToken.');
    expect(await refusal(client.send(new ListSchedulesCommand({ GroupName: 'nope' })))).toBe('ResourceNotFoundException: Schedule group nope does not exist.');
  });

  it('a name already taken is a ConflictException; the same request retried with its ClientToken succeeds', async () => {
    await client.send(new CreateScheduleCommand(input('taken', { ClientToken: 'token-1' })));
    const retried = await client.send(new CreateScheduleCommand(input('taken', { ClientToken: 'token-1' })));
    expect(retried.ScheduleArn).toMatch(/schedule\/yobidashi\/taken$/);
    const error = await client.send(new CreateScheduleCommand(input('taken'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as Error).message).toBe('Schedule taken already exists.');
    expect((error as ConflictException).$metadata.httpStatusCode).toBe(409);
  });

  it('a missing schedule or group is a ResourceNotFoundException', async () => {
    const error = await client.send(new GetScheduleCommand({ Name: 'ghost', GroupName: 'yobidashi' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect(await refusal(client.send(new DeleteScheduleCommand({ Name: 'ghost', GroupName: 'yobidashi' })))).toBe('ResourceNotFoundException: Schedule ghost does not exist.');
    expect(await refusal(client.send(new CreateScheduleCommand(input('lost', { GroupName: 'no-such-group' }))))).toBe('ResourceNotFoundException: Schedule group no-such-group does not exist.');
  });

  it('answers a bad request with AWS ValidationException, naming the field', async () => {
    const target = input('x').Target as NonNullable<CreateScheduleCommandInput['Target']>;
    const now = h.time.now();
    const cases: [string, Partial<CreateScheduleCommandInput> & { Name?: string }, string | RegExp][] = [
      ['a bad expression', { ScheduleExpression: 'rate(5 minute)' }, 'Invalid Schedule Expression rate(5 minute): use the plural: rate(5 minutes)'],
      ['a bad cron', { ScheduleExpression: 'cron(0 0 * * * *)' }, /^Invalid Schedule Expression cron\(0 0 \* \* \* \*\): one of day-of-month and day-of-week must be \?/],
      ['not an expression', { ScheduleExpression: 'every day' }, /^Invalid Schedule Expression every day: expected at\(...\), rate\(...\) or cron\(...\)/],
      ['a bad time zone', { ScheduleExpressionTimezone: 'Mars/Olympus_Mons' }, /^Invalid ScheduleExpressionTimezone Mars\/Olympus_Mons/],
      ['a time zone in the wrong case', { ScheduleExpressionTimezone: 'asia/tokyo' }, /^Invalid ScheduleExpressionTimezone asia\/tokyo/],
      ['no FlexibleTimeWindow', { FlexibleTimeWindow: undefined }, "1 validation error detected: Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null"],
      ['a bad window mode', { FlexibleTimeWindow: { Mode: 'SOMETIMES' as 'OFF' } }, "1 validation error detected: Value 'SOMETIMES' at 'flexibleTimeWindow.mode' failed to satisfy constraint: Member must satisfy enum value set: [OFF, FLEXIBLE]"],
      ['a window of 0', { FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 0 } }, "1 validation error detected: Value '0' at 'flexibleTimeWindow.maximumWindowInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 1"],
      ['a window over a day', { FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1441 } }, "1 validation error detected: Value '1441' at 'flexibleTimeWindow.maximumWindowInMinutes' failed to satisfy constraint: Member must have value less than or equal to 1440"],
      ['FLEXIBLE without its width', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }, 'FlexibleTimeWindow.MaximumWindowInMinutes is required when FlexibleTimeWindow.Mode is FLEXIBLE.'],
      ['a name with a space', { Name: 'bad name' }, "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$"],
      ['a name over 64', { Name: 'n'.repeat(65) }, `1 validation error detected: Value '${'n'.repeat(65)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64`],
      ['a bad group name', { GroupName: 'my group' }, /^1 validation error detected: Value 'my group' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern/],
      ['a bad State', { State: 'PAUSED' as 'ENABLED' }, "1 validation error detected: Value 'PAUSED' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]"],
      ['a bad ActionAfterCompletion', { ActionAfterCompletion: 'ARCHIVE' as 'NONE' }, /at 'actionAfterCompletion' failed to satisfy constraint: Member must satisfy enum value set: \[NONE, DELETE\]/],
      ['two broken members', { Name: 'two errors!', FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 2000 } }, /^2 validation errors detected: Value 'two errors!' at 'name' .*; Value '2000' at 'flexibleTimeWindow.maximumWindowInMinutes'/],
      ['a Lambda target', { Target: { ...target, Arn: 'arn:aws:lambda:us-east-1:000000000000:function:mine' } }, /^Invalid Target\.Arn arn:aws:lambda:us-east-1:000000000000:function:mine: locally, a schedule's target is an event bus of this runtime \(arn:aws:events:us-east-1:000000000000:event-bus\/yobidashi, arn:aws:events:us-east-1:000000000000:event-bus\/default\)\.$/],
      ['another bus', { Target: { ...target, Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/theirs' } }, /^Invalid Target\.Arn .*event-bus\/theirs/],
      ['no EventBridgeParameters', { Target: { ...target, EventBridgeParameters: undefined } }, 'Target.EventBridgeParameters is required for an EventBridge event bus target (DetailType and Source).'],
      ['another kind of target', { Target: { ...target, SqsParameters: { MessageGroupId: 'g' } } }, 'Target.SqsParameters is not valid for an EventBridge event bus target; give Target.EventBridgeParameters.'],
      ['a bad role', { Target: { ...target, RoleArn: 'arn:aws:iam::000000000000:user/me' } }, /^1 validation error detected: Value 'arn:aws:iam::000000000000:user\/me' at 'target.roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern/],
      ['no role', { Target: { ...target, RoleArn: undefined } }, "1 validation error detected: Value null at 'target.roleArn' failed to satisfy constraint: Member must not be null"],
      ['an aws.* source', { Target: { ...target, EventBridgeParameters: { Source: 'aws.scheduler', DetailType: 'x' } } }, /at 'target.eventBridgeParameters.source' failed to satisfy constraint: Member must satisfy regular expression pattern/],
      ['a long DetailType', { Target: { ...target, EventBridgeParameters: { Source: 's', DetailType: 'd'.repeat(129) } } }, /at 'target.eventBridgeParameters.detailType' failed to satisfy constraint: Member must have length less than or equal to 128/],
      ['a retry policy out of range', { Target: { ...target, RetryPolicy: { MaximumRetryAttempts: 186, MaximumEventAgeInSeconds: 30 } } }, /^2 validation errors detected: Value '30' at 'target.retryPolicy.maximumEventAgeInSeconds' .* greater than or equal to 60; Value '186' at 'target.retryPolicy.maximumRetryAttempts' .* less than or equal to 185$/],
      ['a dead-letter queue that is not a queue', { Target: { ...target, DeadLetterConfig: { Arn: 'arn:aws:sns:us-east-1:000000000000:topic' } } }, /at 'target.deadLetterConfig.arn' failed to satisfy constraint: Member must satisfy regular expression pattern/],
      ['an empty Input', { Target: { ...target, Input: '' } }, /at 'target.input' failed to satisfy constraint: Member must have length greater than or equal to 1/],
      ['a StartDate long gone', { StartDate: new Date(now - 10 * 60_000) }, 'The StartDate you specify cannot be earlier than 5 minutes ago.'],
      ['an EndDate before the StartDate', { StartDate: new Date(now + 3_600_000), EndDate: new Date(now + 60_000) }, 'The EndDate you specify must be after the StartDate.'],
    ];
    for (const [what, change, message] of cases) {
      const request = { ...input(change.Name ?? `invalid-${cases.findIndex((c) => c[0] === what)}`), ...change } as CreateScheduleCommandInput;
      const error = await client.send(new CreateScheduleCommand(request)).catch((e: unknown) => e);
      expect(error, what).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).$metadata.httpStatusCode, what).toBe(400);
      if (typeof message === 'string') expect((error as Error).message, what).toBe(message);
      else expect((error as Error).message, what).toMatch(message);
      // UpdateSchedule checks the same way.
      const updateError = await client.send(new UpdateScheduleCommand(request)).catch((e: unknown) => e);
      expect(updateError, `${what} (update)`).toBeInstanceOf(ValidationException);
    }
    // A one-time schedule's dates are ignored, as AWS ignores them; nothing above was created.
    await client.send(new CreateScheduleCommand(input('once-with-old-dates', { ScheduleExpression: 'at(2026-12-01T00:00:00)', StartDate: new Date(now - 86_400_000) })));
    expect((await client.send(new ListSchedulesCommand({ NamePrefix: 'invalid-' }))).Schedules).toEqual([]);
  });

  it('a body that is not a JSON object, or a member of the wrong type, is a SerializationException naming it', async () => {
    for (const body of ['{"ScheduleExpression":', '[]', '"text"']) {
      const res = await fetch(`${h.rt.url}/schedules/raw`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
    }
    for (const [body, message] of [
      [{ ScheduleExpression: 5 }, 'ScheduleExpression: expected a string'],
      [{ ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: 'OFF' }, 'FlexibleTimeWindow: expected a structure (a JSON object)'],
      [{ ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1.5 } }, 'FlexibleTimeWindow.MaximumWindowInMinutes: expected an integer'],
      [{ ScheduleExpression: 'rate(1 hour)', StartDate: '2026-12-01' }, 'StartDate: expected a timestamp (epoch seconds, up to the year 9999)'],
      [{ ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: BUS, RoleArn: ['x'] } }, 'Target.RoleArn: expected a string'],
    ] as const) {
      const res = await fetch(`${h.rt.url}/schedules/raw`, { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
      expect(((await res.json()) as { Message: string }).Message).toBe(message);
    }
    expect((await client.send(new ListSchedulesCommand({ NamePrefix: 'raw' }))).Schedules).toEqual([]);
  });
});
