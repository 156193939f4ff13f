import { Annotations, App, Aspects, RemovalPolicy } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_STACK_NAME } from './names.ts';
import { applyNagSuppressions } from './nag.ts';
import { YobidashiStack } from './stack.ts';

/** What an Amazon Connect instance ARN says about where the stack must go. */
export interface ConnectInstance {
  partition: string;
  region: string;
  account: string;
  instanceId: string;
}

const INSTANCE_ARN = /^arn:(aws[a-z-]*):connect:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):instance\/([A-Za-z0-9-]+)$/;

export function parseConnectInstanceArn(arn: string): ConnectInstance {
  const m = INSTANCE_ARN.exec(arn);
  if (!m) throw new Error(`connectInstanceArn "${arn}" is not an Amazon Connect instance ARN (arn:aws:connect:REGION:ACCOUNT:instance/ID)`);
  const [, partition = '', region = '', account = '', instanceId = ''] = m;
  return { partition, region, account, instanceId };
}

/**
 * Where the stack goes: the region and account of the Connect instance, since the contact flow,
 * the integration association and the calls all live there. An explicit `-c region=` or
 * `-c account=` that disagrees is an error; CDK_DEFAULT_REGION / CDK_DEFAULT_ACCOUNT (the CLI's
 * profile) are ignored in favour of the ARN, with a note when they differ. Deploying with
 * credentials for another account then fails in the CDK CLI, before anything is created.
 */
export function stackEnvironment(connectInstanceArn: string, explicit: { region?: string; account?: string }): { env: { region: string; account: string }; notes: string[] } {
  const instance = parseConnectInstanceArn(connectInstanceArn);
  for (const key of ['region', 'account'] as const) {
    const given = explicit[key];
    if (given !== undefined && given !== instance[key]) {
      throw new Error(
        `context ${key}=${given} disagrees with connectInstanceArn, whose ${key} is ${instance[key]} (${connectInstanceArn}): the stack is deployed where its Connect instance is. Drop -c ${key}, or pass an instance in ${given}.`,
      );
    }
  }
  const notes: string[] = [];
  const defaults = { region: process.env.CDK_DEFAULT_REGION, account: process.env.CDK_DEFAULT_ACCOUNT };
  for (const key of ['region', 'account'] as const) {
    const fromProfile = defaults[key];
    if (fromProfile && fromProfile !== instance[key]) {
      notes.push(`CDK_DEFAULT_${key.toUpperCase()}=${fromProfile} (the CDK CLI's default environment, from your AWS configuration) is ignored: the stack goes to ${key} ${instance[key]}, the ${key} of connectInstanceArn`);
    }
  }
  return { env: { region: instance.region, account: instance.account }, notes };
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;

/** Context notifyTopicArn, checked: a typo would otherwise surface as a notify function failing at 3 a.m. */
export function notifyTopicArn(arn: string): string {
  if (!TOPIC_ARN.test(arn)) throw new Error(`notifyTopicArn "${arn}" is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)`);
  if (arn.endsWith('.fifo')) throw new Error(`notifyTopicArn "${arn}" is a FIFO topic: it cannot deliver to email, SMS or AWS Chatbot; give a standard topic`);
  return arn;
}

/**
 * `npx cdk synth` / `npx cdk deploy -c connectInstanceArn=... -c sourcePhoneNumber=+81...`
 * Context (cdk.json holds placeholders so synth works offline from a clean clone):
 *   connectInstanceArn (decides region and account), sourcePhoneNumber | queueId,
 *   archiveRetentionDays, logRetentionDays, removalPolicy (retain | destroy), placeCallConcurrency,
 *   alarmTopicArn, notifyTopicArn (an existing SNS topic for notifications; absent: the stack makes
 *   one, output NotificationTopicArn), notifyEmail (subscribed to that topic), stackName (Yobidashi; names the stack's resources, infra/aws/names.ts),
 *   region / account (optional; must agree with connectInstanceArn)
 */
export function buildApp(app = new App()): { app: App; stack: YobidashiStack } {
  const ctx = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const connectInstanceArn = ctx('connectInstanceArn');
  if (!connectInstanceArn) throw new Error('context connectInstanceArn is required (cdk.json or -c connectInstanceArn=arn:aws:connect:...:instance/...)');
  const { env, notes } = stackEnvironment(connectInstanceArn, {
    ...(ctx('region') ? { region: ctx('region') } : {}),
    ...(ctx('account') ? { account: ctx('account') } : {}),
  });
  const stack = new YobidashiStack(app, ctx('stackName') ?? DEFAULT_STACK_NAME, {
    connectInstanceArn,
    ...(ctx('sourcePhoneNumber') ? { sourcePhoneNumber: ctx('sourcePhoneNumber') } : {}),
    ...(ctx('queueId') ? { queueId: ctx('queueId') } : {}),
    ...(ctx('archiveRetentionDays') ? { archiveRetentionDays: Number(ctx('archiveRetentionDays')) } : {}),
    ...(ctx('logRetentionDays') ? { logRetentionDays: Number(ctx('logRetentionDays')) } : {}),
    ...(ctx('placeCallConcurrency') !== undefined ? { placeCallConcurrency: Number(ctx('placeCallConcurrency')) } : {}),
    ...(ctx('alarmTopicArn') ? { alarmTopicArn: ctx('alarmTopicArn') } : {}),
    ...(ctx('notifyTopicArn') ? { notifyTopicArn: notifyTopicArn(ctx('notifyTopicArn') as string) } : {}),
    ...(ctx('notifyEmail') ? { notifyEmail: ctx('notifyEmail') } : {}),
    removalPolicy: ctx('removalPolicy') === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    env,
  });
  for (const note of notes) Annotations.of(stack).addInfo(note);
  applyNagSuppressions(stack);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}

if (process.argv[1]?.endsWith('app.ts')) buildApp().app.synth();
