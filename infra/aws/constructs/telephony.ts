import { Fn, Stack } from 'aws-cdk-lib';
import * as connect from 'aws-cdk-lib/aws-connect';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { renderFlow } from '../../../contact-flow/flow.ts';

export interface TelephonyProps {
  /** An existing Amazon Connect instance (context `connectInstanceArn`). */
  instanceArn: string;
  /** The contact flow's name (unique per instance, which two stacks may share). */
  flowName: string;
  flowResult: lambda.IFunction;
}

/**
 * Amazon Connect: the generated contact flow (the same JSON the local simulator runs) with the
 * flow-result function's ARN substituted, that function associated with the instance, and the
 * permission for Connect to invoke it.
 */
export class Telephony extends Construct {
  readonly flow: connect.CfnContactFlow;
  readonly flowResultAssociation: connect.CfnIntegrationAssociation;
  readonly instanceId: string;
  readonly contactFlowId: string;

  constructor(scope: Construct, id: string, props: TelephonyProps) {
    super(scope, id);
    this.instanceId = props.instanceArn.split('/').at(-1) ?? props.instanceArn;
    this.flow = new connect.CfnContactFlow(this, 'Flow', {
      instanceArn: props.instanceArn,
      name: props.flowName,
      type: 'CONTACT_FLOW',
      description: 'yobidashi: speaks the alert, reads 1 / 3 / 9‥# (generated from contact-flow/flow.ts)',
      content: Fn.sub(renderFlow(), { FlowResultFunctionArn: props.flowResult.functionArn }),
    });
    this.contactFlowId = Fn.select(3, Fn.split('/', this.flow.attrContactFlowArn));
    this.flowResultAssociation = new connect.CfnIntegrationAssociation(this, 'FlowResultAssociation', {
      instanceId: props.instanceArn,
      integrationType: 'LAMBDA_FUNCTION',
      integrationArn: props.flowResult.functionArn,
    });
    // The flow invokes the function, so it is created after the function is associated with the
    // instance (and deleted before the association is).
    this.flow.addResourceDependency(this.flowResultAssociation, 'the flow invokes the function associated here');
    props.flowResult.addPermission('InvokedByConnect', {
      principal: new iam.ServicePrincipal('connect.amazonaws.com'),
      sourceArn: props.instanceArn,
      sourceAccount: Stack.of(this).account,
    });
  }
}
