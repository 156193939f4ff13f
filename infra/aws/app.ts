import { App, Aspects, RemovalPolicy } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { applyNagSuppressions } from './nag.ts';
import { YobidashiStack } from './stack.ts';

/**
 * `npx cdk synth` / `npx cdk deploy -c connectInstanceArn=... -c sourcePhoneNumber=+81...`
 * Context (cdk.json holds placeholders so synth works offline from a clean clone):
 *   connectInstanceArn, sourcePhoneNumber | queueId, archiveRetentionDays, logRetentionDays,
 *   removalPolicy (retain | destroy), placeCallConcurrency, alarmTopicArn
 */
export function buildApp(app = new App()): { app: App; stack: YobidashiStack } {
  const ctx = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const connectInstanceArn = ctx('connectInstanceArn');
  if (!connectInstanceArn) throw new Error('context connectInstanceArn is required (cdk.json or -c connectInstanceArn=arn:aws:connect:...:instance/...)');
  const stack = new YobidashiStack(app, ctx('stackName') ?? 'Yobidashi', {
    connectInstanceArn,
    ...(ctx('sourcePhoneNumber') ? { sourcePhoneNumber: ctx('sourcePhoneNumber') } : {}),
    ...(ctx('queueId') ? { queueId: ctx('queueId') } : {}),
    ...(ctx('archiveRetentionDays') ? { archiveRetentionDays: Number(ctx('archiveRetentionDays')) } : {}),
    ...(ctx('logRetentionDays') ? { logRetentionDays: Number(ctx('logRetentionDays')) } : {}),
    ...(ctx('placeCallConcurrency') !== undefined ? { placeCallConcurrency: Number(ctx('placeCallConcurrency')) } : {}),
    ...(ctx('alarmTopicArn') ? { alarmTopicArn: ctx('alarmTopicArn') } : {}),
    removalPolicy: ctx('removalPolicy') === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  applyNagSuppressions(stack);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}

if (process.argv[1]?.endsWith('app.ts')) buildApp().app.synth();
