import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { functionCode } from './functions.ts';

export const HTTP_ALERT_SOURCE = 'yobidashi.http';
export const ALERT_DETAIL_TYPE = 'AlertReceived';
/** events/heartbeats.ts HEARTBEAT_DETAIL_TYPE (not imported: this file is CDK-side only, that one is the contract). */
export const HEARTBEAT_DETAIL_TYPE = 'Heartbeat';

/**
 * API Gateway's EventBridge-PutEvents integration, as aws-apigatewayv2-integrations'
 * HttpEventBridgeIntegration builds it, but with a role that may put only what this route puts:
 * AlertReceived (or Heartbeat) from `yobidashi.http`, on this bus. (The library's role may put anything on the bus.)
 * PutEvents carries several entries, so its condition keys are multivalued: `ForAllValues` checks
 * every entry, and `Null: false` refuses a request in which the key is missing altogether.
 */
class AlertIntakeIntegration extends apigwv2.HttpRouteIntegration {
  constructor(
    private readonly bus: events.IEventBus,
    private readonly detailType: typeof ALERT_DETAIL_TYPE | typeof HEARTBEAT_DETAIL_TYPE = ALERT_DETAIL_TYPE,
  ) {
    super(detailType === ALERT_DETAIL_TYPE ? 'PutAlert' : 'PutHeartbeat');
  }

  override bind(options: apigwv2.HttpRouteIntegrationBindOptions): apigwv2.HttpRouteIntegrationConfig {
    const role = new iam.Role(options.scope, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: `yobidashi HTTP intake: puts ${this.detailType} from ${HTTP_ALERT_SOURCE} on the ${this.bus.eventBusName} bus, nothing else`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: `Put${this.detailType}AsHttpIntake`,
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: {
          'ForAllValues:StringEquals': { 'events:detail-type': [this.detailType], 'events:source': [HTTP_ALERT_SOURCE] },
          Null: { 'events:detail-type': 'false', 'events:source': 'false' },
        },
      }),
    );
    return {
      type: apigwv2.HttpIntegrationType.AWS_PROXY,
      subtype: apigwv2.HttpIntegrationSubtype.EVENTBRIDGE_PUT_EVENTS,
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_1_0,
      connectionType: apigwv2.HttpConnectionType.INTERNET,
      credentials: apigwv2.IntegrationCredentials.fromRole(role),
      parameterMapping: new apigwv2.ParameterMapping()
        .custom('EventBusName', this.bus.eventBusName)
        .custom('Source', HTTP_ALERT_SOURCE)
        .custom('DetailType', this.detailType)
        .custom('Detail', '$request.body'),
    };
  }
}

/**
 * `POST /alerts` for monitoring tools that cannot sign AWS requests: the request body becomes the
 * detail of an AlertReceived event on the bus (and `POST /heartbeats`, of a Heartbeat) (API Gateway's EventBridge-PutEvents integration, no
 * code in between), behind a Lambda authorizer checking the `x-yobidashi-token` header against a
 * generated secret.
 */
export class HttpIntake extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly token: secrets.Secret;
  readonly authorizerFunction: lambda.Function;

  constructor(scope: Construct, id: string, props: { bus: events.IEventBus; logRetention: logs.RetentionDays }) {
    super(scope, id);
    this.token = new secrets.Secret(this, 'Token', {
      description: 'Shared token monitoring tools send as x-yobidashi-token',
      generateSecretString: { excludePunctuation: true, passwordLength: 40 },
    });
    const logGroup = new logs.LogGroup(this, 'AuthorizerLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'AuthorizerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'yobidashi HTTP intake authorizer' });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] /* the group's ARN ends in :* and so covers its streams */ }));
    this.token.grantRead(role);
    // Bundled as the handlers are (infra/aws/functions/bundling.ts): minified ESM, the SDK's unused
    // shapes dropped; it answers API Gateway before an alert is accepted, so its cold start counts.
    this.authorizerFunction = new lambda.Function(this, 'Authorizer', {
      code: functionCode(fileURLToPath(new URL('../functions/authorizer.ts', import.meta.url))),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(5),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { TOKEN_SECRET_ARN: this.token.secretArn, NODE_OPTIONS: '--enable-source-maps' },
    });
    const authorizer = new HttpLambdaAuthorizer('TokenAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.x-yobidashi-token'],
      resultsCacheTtl: Duration.minutes(5),
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'yobidashi alert intake for tools that cannot sign AWS requests',
      createDefaultStage: false,
    });
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 20, burstLimit: 40 },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs) },
    });
    this.api.addRoutes({
      path: '/alerts',
      methods: [apigwv2.HttpMethod.POST],
      authorizer,
      integration: new AlertIntakeIntegration(props.bus),
    });
    // Heartbeats (docs/heartbeats.md) at a path of their own: the body becomes a Heartbeat's detail
    // with no code in between, so the shape cannot choose the detail-type at one path.
    this.api.addRoutes({
      path: '/heartbeats',
      methods: [apigwv2.HttpMethod.POST],
      authorizer,
      integration: new AlertIntakeIntegration(props.bus, HEARTBEAT_DETAIL_TYPE),
    });
  }
}
