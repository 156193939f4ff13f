import { AwsError } from '../protocols/aws-error.ts';
import { el, type QueryService } from '../protocols/aws-query.ts';
import type { LocalStack } from './local-stack.ts';

/**
 * CloudFormation, for one stack: `DescribeStacks` (awsQuery: form-encoded POST, XML answer, as the
 * AWS SDK v3 client and the AWS CLI send it) for the local stack, by name (`Yobidashi`) or by id,
 * with the outputs a deployment declares (local-stack.ts). Any other stack does not exist, as AWS says
 * it: a ValidationError, "Stack with id X does not exist".
 */

export const CLOUDFORMATION_VERSION = '2010-05-15';
const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

function stackXml(stack: LocalStack): string {
  return el('member', [
    el('StackId', stack.id),
    el('StackName', stack.name),
    el('Description', 'yobidashi, running locally (npm start)'),
    el('CreationTime', new Date(stack.createdAt).toISOString()),
    el('StackStatus', 'CREATE_COMPLETE'),
    el('DisableRollback', false),
    el('EnableTerminationProtection', false),
    el('DriftInformation', [el('StackDriftStatus', 'NOT_CHECKED')]),
    el(
      'Outputs',
      stack.outputs().map((o) => el('member', [el('OutputKey', o.OutputKey), el('OutputValue', o.OutputValue), el('Description', o.Description)])),
    ),
  ]);
}

/** CloudFormation on the query protocol: DescribeStacks only. */
export function cloudFormationQuery(stack: LocalStack): QueryService {
  return {
    namespace: NAMESPACE,
    actions: {
      DescribeStacks: (params) => {
        const name = params.get('StackName');
        if (name !== undefined && name !== stack.name && name !== stack.id) throw new AwsError('ValidationError', `Stack with id ${name} does not exist`);
        return [el('Stacks', [stackXml(stack)])];
      },
    },
    unknownAction: (action) => new AwsError('InvalidAction', `The action ${action || '(none)'} is not valid for this web service (locally: DescribeStacks only).`),
  };
}
