import { readFile } from 'node:fs/promises';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_FLOW_PATH } from '../../contact-flow/generate.ts';
import { DEFAULT_BUS_FORWARDS, ROUTES } from '../../events/routes.ts';
import { buildApp } from '../../infra/aws/app.ts';
import type { YobidashiStack } from '../../infra/aws/stack.ts';

/** The CDK app as CloudFormation, checked with aws-cdk-lib/assertions. */

type Resource = { Type: string; Properties: Record<string, unknown> };
let template: Template;
let resources: Record<string, Resource>;
let stack: YobidashiStack;

beforeAll(async () => {
  const cdkJson = JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
  // Skip esbuild bundling here (`npx cdk synth` in CI does the real thing).
  const built = buildApp(new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } }));
  stack = built.stack;
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
    for (const name of ['place-call', 'call-check']) {
      const fn = functionNamed(name);
      expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.SCHEDULER_DLQ_ARN, name).toBeDefined();
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

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
function statementsOfRole(roleId: string): Statement[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (statements: Statement[]) => [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();

describe('IAM', () => {
  it('no statement allows every action, and no statement names every resource', () => {
    const star: string[] = [];
    for (const [id, policy] of [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::Role')]) {
      const docs = [policy.Properties.PolicyDocument, ...((policy.Properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument)].filter(Boolean) as { Statement: Statement[] }[];
      for (const statement of docs.flatMap((d) => d.Statement)) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        if (actions.some((a) => a === '*' || a.endsWith(':*'))) star.push(`${id}: Action ${actions.join()}`);
        const resourceList = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        // AWS requires Resource "*" for a few actions (none of which yobidashi uses today).
        if (resourceList.includes('*')) star.push(`${id}: Resource * for ${actions.join()}`);
      }
    }
    expect(star).toEqual([]);
  });

  it("each function's role grants only what its handler calls", () => {
    const data = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const expected: Record<string, string[]> = {
      'alert-received': [...data, 'events:PutEvents'],
      'cloudwatch-alarm': ['events:PutEvents'],
      'place-call': ['connect:StartOutboundVoiceContact', 'dynamodb:GetItem', 'dynamodb:PutItem', 'events:PutEvents', 'iam:PassRole', 'scheduler:CreateSchedule'],
      'call-check': ['connect:DescribeContact', 'connect:StopContact', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'events:PutEvents', 'iam:PassRole', 'scheduler:CreateSchedule'],
      escalate: ['dynamodb:GetItem', 'dynamodb:PutItem', 'events:PutEvents'],
      'record-silence': ['dynamodb:PutItem'],
      'stop-call': ['connect:StopContact'],
      'contact-event': ['connect:DescribeContact', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'events:PutEvents'],
      timeline: ['dynamodb:PutItem'],
      'flow-result': ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'events:PutEvents'],
    };
    for (const [name, actions] of Object.entries(expected)) {
      const roleId = (functionNamed(name).Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(actionsOf(statementsOfRole(roleId)), name).toEqual([...actions, ...logs].sort());
    }
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
    expect(fns).toHaveLength(11);
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
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
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

  it('alarms on dead letters and on handler errors', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.MetricName);
    expect(alarms.filter((m) => m === 'ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(alarms.filter((m) => m === 'Errors')).toHaveLength(11);
  });
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
