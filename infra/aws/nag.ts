import { NagSuppressions } from 'cdk-nag';
import type { YobidashiStack } from './stack.ts';

/**
 * The cdk-nag AwsSolutions findings we accept, each with its reason. Anything not listed here fails
 * the synth (the test in test/infra/cdk.test.ts checks there is no unsuppressed error).
 */
export function applyNagSuppressions(stack: YobidashiStack): void {
  const checks = stack.names.checkGroup;
  NagSuppressions.addStackSuppressions(stack, [
    {
      id: 'AwsSolutions-L1',
      reason: 'The design card fixes the Lambda runtime at nodejs22.x (what the handlers are tested on); move deliberately, not by lint.',
    },
    {
      id: 'AwsSolutions-SQS3',
      reason:
        'These queues are where failed deliveries end: the dead-letter queues of rule and schedule targets and the on-failure destination of the bus handlers; a DLQ of a DLQ would only move the problem. Their depth is alarmed.',
    },
    {
      id: 'AwsSolutions-SMG4',
      reason: 'The HTTP intake token is a shared secret configured in monitoring tools; rotating it needs those tools updated, so it is rotated by the operator (README).',
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: `Connect contact ids and Scheduler schedule names are created at run time, so IAM can only scope them by prefix: instance/<id>/contact/* and schedule/${checks}/*. The only other wildcard a function gets is connect:StartOutboundVoiceContact on * (place-call and call-check: the action has no resource type), suppressed beside that grant.`,
      appliesTo: [{ regex: '/^Resource::arn:.*:instance\\/.*\\/contact\\/\\*$/' }, { regex: `/^Resource::arn:.*:schedule\\/${checks.replace(/[.-]/g, '\\$&')}\\/\\*$/` }],
    },
  ]);
  // The operator policy: exactly infra/cli/needs.ts, where AWS offers nothing narrower.
  NagSuppressions.addResourceSuppressions(stack.access.operator, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'The operator policy grants what infra/cli/needs.ts lists. Resource * only for the actions that entry marks *, which AWS authorizes on no narrower resource (events:ListRules, events:TestEventPattern, cloudwatch:GetMetricData, connect:ListPhoneNumbersV2); replay/* for events:DescribeReplay, since replays are named when an operator starts one; phone-number/* because the stack knows the source number, not the id in its ARN.',
      appliesTo: ['Resource::*', { regex: '/^Resource::arn:<AWS::Partition>:events:[^:]+:[0-9]+:replay\\/\\*$/' }, { regex: '/^Resource::arn:<AWS::Partition>:connect:[^:]+:[0-9]+:phone-number\\/\\*$/' }],
    },
  ]);
}
