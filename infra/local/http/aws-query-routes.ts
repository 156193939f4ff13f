import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { CLOUDFORMATION_VERSION, cloudFormationQuery } from '../aws/cloudformation/describe-stacks.ts';
import { queryAnswer, QueryParams, queryError, type QueryService } from '../aws/protocols/aws-query.ts';
import { SNS_VERSION, snsQuery } from '../aws/sns/sns-api.ts';
import { SQS_VERSION, sqsQuery } from '../aws/sqs/sqs-api.ts';
import type { LocalParts } from './server.ts';

/**
 * The query protocol's route table (awsQuery: a form-encoded `POST` with `Action` and `Version`,
 * an XML answer): by the API's `Version`, then the `Action` (each service's own table of actions).
 * A form without an Action is not for this table.
 */
export function awsQueryRoutes(parts: LocalParts): Readonly<Record<string, QueryService>> {
  return {
    /** CloudFormation: DescribeStacks of the local stack (aws/cloudformation/). */
    [CLOUDFORMATION_VERSION]: cloudFormationQuery(parts.stack),
    /** SQS as AWS CLI 2.9 speaks it: the dead-letter queues (aws/sqs/). */
    [SQS_VERSION]: sqsQuery(parts.queues),
    /** SNS: Publish to the notification topic (aws/sns/), as the notify handler's SNS adapter sends it. */
    [SNS_VERSION]: snsQuery(parts.topic),
  };
}

const FORM = /^application\/x-www-form-urlencoded\b/i;

/** Dispatches a form's Action; passes any other request on (and /api is never awsQuery). */
export function awsQuery(table: Readonly<Record<string, QueryService>>): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'POST' || !FORM.test(c.req.header('content-type') ?? '') || c.req.path === '/api' || c.req.path.startsWith('/api/')) return next();
    // Read as text (Hono keeps it for whoever reads the body next, should this not be awsQuery).
    const params = new QueryParams(await c.req.text());
    if (!params.get('Action')) return next();
    const requestId = randomUUID();
    const version = params.get('Version') ?? '';
    const service = Object.hasOwn(table, version) ? table[version] : undefined;
    const answer = service
      ? queryAnswer(service, params, { path: c.req.path }, requestId)
      : { status: 400, body: queryError('http://webservices.amazon.com/AWSFault/2005-15-09', 'NoSuchVersion', `The requested version (${version || 'none'}) of this service does not exist.`, requestId) };
    return c.body(answer.body, answer.status as 200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  };
}
