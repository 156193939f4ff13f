import { readFile } from 'node:fs/promises';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../events/routes.ts';
import { buildApp, notifyTopicArn } from '../../infra/aws/app.ts';
import type { YobidashiStack } from '../../infra/aws/stack.ts';

/** Nobody answered → someone hears, on AWS: the topic (own or notifyTopicArn), the notify function, its grant, its rule. */

type Resource = { Type: string; Properties: Record<string, unknown> };
const OPERATOR_TOPIC = 'arn:aws:sns:ap-northeast-1:111111111111:oncall-failures';

async function synth(extraContext: Record<string, unknown> = {}): Promise<YobidashiStack> {
  const context = (JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;
  return buildApp(new App({ context: { ...context, ...extraContext, 'aws:cdk:bundling-stacks': [] } })).stack;
}

const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const notifyFunction = (resources: Record<string, Resource>) => ofType(resources, 'AWS::Lambda::Function').find(([, f]) => f.Properties.Description === 'yobidashi notify')!;

/** Every statement of a role's policies that allows an sns:* action. */
function snsStatements(resources: Record<string, Resource>, roleId: string) {
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown; Effect: string }[] }).Statement)
    .filter((s) => [s.Action].flat().some((a) => a.startsWith('sns:')));
}
const roleOf = (fn: Resource) => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

describe('without notifyTopicArn: a topic of the stack’s own', () => {
  let stack: YobidashiStack;
  let resources: Record<string, Resource>;
  beforeAll(async () => {
    stack = await synth();
    resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  }, 60_000);

  it('creates one TLS-only topic CloudWatch alarms of this account may publish to, and outputs its ARN', () => {
    const topics = ofType(resources, 'AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    const [topicId, topic] = topics[0]!;
    expect(topic.Properties).toMatchObject({ DisplayName: 'yobidashi' });
    const policy = ofType(resources, 'AWS::SNS::TopicPolicy')[0]![1].Properties as { Topics: unknown[]; PolicyDocument: { Statement: Record<string, unknown>[] } };
    expect(policy.Topics).toEqual([{ Ref: topicId }]);
    expect(policy.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Sid: 'CloudWatchAlarmsOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${stack.region}:${stack.account}:alarm:*`]] } } },
        }),
      ]),
    );
    expect(Template.fromStack(stack).toJSON().Outputs.NotificationTopicArn.Value).toEqual({ Ref: topicId });
  });

  it('gives the notify function the topic and sns:Publish on that topic only, and no other function any sns: action', () => {
    const topicId = ofType(resources, 'AWS::SNS::Topic')[0]![0];
    const [, fn] = notifyFunction(resources);
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({ NOTIFY_TOPIC_ARN: { Ref: topicId }, YOBIDASHI_CLI: `npx yobidashi --stack ${stack.stackName}` });
    expect(snsStatements(resources, roleOf(fn))).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } }]);
    for (const [id, other] of ofType(resources, 'AWS::Lambda::Function')) {
      if (other === fn || other.Properties.Role === undefined) continue;
      expect(snsStatements(resources, roleOf(other)), id).toEqual([]);
    }
  });

  it('routes IncidentExhausted, RosterExhausted and a call refused five times to notify, never a replay', () => {
    const route = ROUTES.find((r) => r.name === 'notify')!;
    const [fnId] = notifyFunction(resources);
    const rules = ofType(resources, 'AWS::Events::Rule').filter(([, r]) => r.Properties.Name === 'yobidashi-notify');
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties).toMatchObject({ EventPattern: route.eventPattern, Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })] });
    expect(route.eventPattern).toMatchObject({ 'replay-name': [{ exists: false }] });
    expect(JSON.stringify(route.eventPattern)).toContain('IncidentExhausted');
  });

  it('the dead-letter alarms publish to the topic', () => {
    const topicId = ofType(resources, 'AWS::SNS::Topic')[0]![0];
    const depth = ofType(resources, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(depth).toHaveLength(3);
    for (const [, alarm] of depth) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('is nag-clean (its one accepted finding, no KMS key, is suppressed with its reason)', () => {
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-SNS.*'))).toEqual([]);
  });
});

describe('with notifyTopicArn: the operator’s topic, and nothing made', () => {
  it('publishes there, alarms dead letters there, and makes no topic; notifyEmail subscribes an address', async () => {
    const stack = await synth({ notifyTopicArn: OPERATOR_TOPIC, notifyEmail: 'oncall@example.com' });
    const template = Template.fromStack(stack);
    const resources = template.toJSON().Resources as Record<string, Resource>;
    expect(ofType(resources, 'AWS::SNS::Topic')).toEqual([]);
    const [, fn] = notifyFunction(resources);
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.NOTIFY_TOPIC_ARN).toBe(OPERATOR_TOPIC);
    expect(snsStatements(resources, roleOf(fn))).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: OPERATOR_TOPIC }]);
    for (const [, alarm] of ofType(resources, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')) {
      expect(alarm.Properties.AlarmActions).toEqual([OPERATOR_TOPIC]);
    }
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: OPERATOR_TOPIC });
    expect(template.toJSON().Outputs.NotificationTopicArn.Value).toBe(OPERATOR_TOPIC);
  }, 60_000);

  it('the same topic for alarms and notifications: each dead-letter alarm names it once', async () => {
    const resources = Template.fromStack(await synth({ notifyTopicArn: OPERATOR_TOPIC, alarmTopicArn: OPERATOR_TOPIC })).toJSON().Resources as Record<string, Resource>;
    for (const [, alarm] of ofType(resources, 'AWS::CloudWatch::Alarm')) expect(alarm.Properties.AlarmActions).toEqual([OPERATOR_TOPIC]);
  }, 60_000);

  it('refuses what is not a standard SNS topic ARN', () => {
    expect(notifyTopicArn(OPERATOR_TOPIC)).toBe(OPERATOR_TOPIC);
    expect(() => notifyTopicArn('oncall-failures')).toThrow(/is not an SNS topic ARN/);
    expect(() => notifyTopicArn('arn:aws:sqs:ap-northeast-1:111111111111:oncall')).toThrow(/is not an SNS topic ARN/);
    expect(() => notifyTopicArn(`${OPERATOR_TOPIC}.fifo`)).toThrow(/FIFO topic/);
  });
});
