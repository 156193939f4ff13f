import type { MiddlewareHandler } from 'hono';
import { cloudWatchJson } from '../aws/cloudwatch/get-metric-data.ts';
import { dynamoDbJson } from '../aws/dynamodb/dynamodb-pass-through.ts';
import { eventBridgeJson } from '../aws/eventbridge/event-bridge-api.ts';
import { AwsError } from '../aws/protocols/aws-error.ts';
import { jsonAnswer, jsonError, parseJsonInput, type JsonAnswer, type JsonService } from '../aws/protocols/aws-json.ts';
import { sqsJson } from '../aws/sqs/sqs-api.ts';
import type { LocalParts } from './server.ts';

/**
 * The AWS JSON protocols' route table: `POST` with `X-Amz-Target: <Service>.<Operation>`, by the
 * service before the dot, then the operation after it (each service's own table of operations).
 * A request whose target names none of these services is not for this table.
 */
export function awsJsonRoutes(parts: LocalParts): Readonly<Record<string, JsonService>> {
  return {
    /** EventBridge, AWS JSON 1.1: the bus, its rules, archive and replays (aws/eventbridge/). */
    AWSEvents: eventBridgeJson(parts.emulator),
    /** DynamoDB, AWS JSON 1.0: passed through to dynalite, faults first (aws/dynamodb/). */
    DynamoDB_20120810: dynamoDbJson(parts.faults, parts.dynamoEndpoint),
    /** SQS, AWS JSON 1.0: the stack's dead-letter queues (aws/sqs/). */
    AmazonSQS: sqsJson(parts.queues),
    /** CloudWatch, AWS JSON 1.0: GetMetricData for the handlers' Errors (aws/cloudwatch/). */
    GraniteServiceVersion20100801: cloudWatchJson(parts.emulator, parts.stack),
  };
}

const answer = (a: JsonAnswer) => new Response(a.body, { status: a.status, headers: a.headers });

/** Dispatches on X-Amz-Target; passes any other request on. */
export function awsJson(table: Readonly<Record<string, JsonService>>): MiddlewareHandler {
  return async (c, next) => {
    const target = c.req.header('x-amz-target') ?? '';
    const dot = target.indexOf('.');
    const name = target.slice(0, dot);
    if (c.req.method !== 'POST' || dot < 1 || !Object.hasOwn(table, name)) return next();
    const service = table[name] as JsonService;
    const operation = target.slice(dot + 1);
    try {
      if (service.forward) return await service.forward(operation, c.req.raw);
      const run = Object.hasOwn(service.operations, operation) ? service.operations[operation] : undefined;
      if (!run) throw service.unknownOperation(operation);
      return answer(jsonAnswer(service, await run(parseJsonInput(await c.req.text()))));
    } catch (error) {
      if (error instanceof AwsError) return answer(jsonError(service, error));
      throw error;
    }
  };
}
