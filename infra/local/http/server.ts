import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { InvalidEventPatternError, matchesEventPattern, validateEventPattern } from '../../../events/pattern/index.ts';
import type { Logger } from '../../../handlers/ports.ts';
import { ApiError, type ApiRequest, type ApiResponse } from '../api/local-api.ts';
import { QueryParams } from '../aws/protocols/aws-query.ts';
import { cloudFormation, CLOUDFORMATION_VERSION } from '../aws/cloudformation/describe-stacks.ts';
import { cloudWatch, CLOUDWATCH_TARGET, CloudWatchError } from '../aws/cloudwatch/get-metric-data.ts';
import { ConnectError, type ConnectIdentity, type ConnectService } from '../aws/connect/connect-service.ts';
import { ARCHIVE_NAME, type EventBridgeCore, type PutEventsEntry } from '../aws/eventbridge/event-bridge-core.ts';
import { FaultError, type FaultBook } from '../aws/faults/fault-book.ts';
import { INVOKE_PATH, type LambdaFunctions } from '../aws/lambda/invoke.ts';
import { SchedulerError, type SchedulerService } from '../aws/scheduler/scheduler-service.ts';
import { isSqsTarget, SqsError, sqsJson, sqsJsonError, sqsQuery, type DeadLetterQueues } from '../aws/sqs/dead-letter-queues.ts';
import type { LocalStack } from '../aws/cloudformation/local-stack.ts';

/**
 * One port, every face: EventBridge's AWS JSON 1.1 protocol (POST /, X-Amz-Target: AWSEvents.*),
 * DynamoDB's JSON 1.0 protocol (X-Amz-Target: DynamoDB_20120810.*, passed through to the embedded
 * dynalite), EventBridge Scheduler's and Amazon Connect's REST operations that our handlers call;
 * and what an operator's tools call on a deployment: CloudFormation's DescribeStacks (awsQuery),
 * SQS on the dead-letter queues (AWS JSON 1.0, X-Amz-Target: AmazonSQS.*, and the query protocol),
 * Lambda's Invoke (REST), Connect's describe operations and CloudWatch's GetMetricData (the CLI's
 * `doctor`), and the HTTP alert intake (POST /alerts); and the local API under /api.
 * Injected faults answer on the wire, as the AWS service would. Signatures are not checked; any
 * credentials work.
 */

class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface ServerParts {
  emulator: EventBridgeCore;
  scheduler: SchedulerService;
  connect: ConnectService;
  faults: FaultBook;
  /** Where DynamoDB requests go (dynalite). */
  dynamoEndpoint: string;
  api: (req: ApiRequest) => Promise<ApiResponse>;
  /** The faces an operator's tools use; they know the port's URL, so they come once it listens. */
  operator: () => OperatorFaces;
  log: Logger;
}

export interface OperatorFaces {
  stack: LocalStack;
  connect: ConnectIdentity;
  sqs: DeadLetterQueues;
  lambda: LambdaFunctions;
}

/** The intake's event source on AWS (infra/aws/constructs/http-intake.ts, not imported: it pulls in the CDK). */
const HTTP_ALERT_SOURCE = 'yobidashi.http';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

function sendAwsError(res: ServerResponse, error: { code: string; message: string; status: number }, json11: boolean): void {
  const body = json11 ? { __type: error.code, message: error.message } : { Message: error.message, message: error.message };
  send(res, error.status, body, json11 ? 'application/x-amz-json-1.1' : 'application/json', { 'x-amzn-errortype': error.code });
}

async function eventBridge(parts: ServerParts, operation: string, input: Record<string, unknown>): Promise<unknown> {
  const { emulator } = parts;
  switch (operation) {
    case 'PutEvents': {
      const entries = (input.Entries ?? []) as PutEventsEntry[];
      if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) throw new AwsError('ValidationException', 'Entries must hold 1 to 10 entries.');
      const results = await emulator.putEvents(entries);
      return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
    }
    case 'TestEventPattern': {
      let pattern: unknown;
      let event: unknown;
      try {
        pattern = JSON.parse(String(input.EventPattern));
        validateEventPattern(pattern);
      } catch (error) {
        throw new AwsError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${error instanceof InvalidEventPatternError ? error.message : 'not JSON'}`);
      }
      try {
        event = JSON.parse(String(input.Event));
      } catch {
        throw new AwsError('ValidationException', 'Event is not valid JSON.');
      }
      if (event === null || typeof event !== 'object') throw new AwsError('ValidationException', 'Event must be a JSON object.');
      return { Result: matchesEventPattern(pattern, event as Record<string, unknown>) };
    }
    case 'ListRules':
      return { Rules: emulator.rules(input.EventBusName as string | undefined, input.NamePrefix as string | undefined) };
    case 'ListArchives': {
      const size = emulator.archive.reduce((sum, e) => sum + JSON.stringify(e).length, 0);
      return {
        Archives: [
          {
            ArchiveName: ARCHIVE_NAME,
            EventSourceArn: emulator.busArn('yobidashi'),
            State: 'ENABLED',
            RetentionDays: 0,
            SizeBytes: size,
            EventCount: emulator.archive.length,
            CreationTime: emulator.archive[0] ? Date.parse(emulator.archive[0].time) / 1000 : 0,
          },
        ],
      };
    }
    case 'StartReplay': {
      const destination = (input.Destination ?? {}) as { Arn?: string };
      if (destination.Arn && destination.Arn !== emulator.busArn('yobidashi')) throw new AwsError('ValidationException', `Replays can only go to ${emulator.busArn('yobidashi')}.`);
      try {
        const replay = emulator.startReplay({
          ReplayName: String(input.ReplayName),
          EventSourceArn: String(input.EventSourceArn),
          EventStartTime: Number(input.EventStartTime),
          EventEndTime: Number(input.EventEndTime),
        });
        return { ReplayArn: replay.ReplayArn, State: replay.State, ReplayStartTime: replay.ReplayStartTime };
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'ValidationException';
        throw new AwsError(code, (error as Error).message);
      }
    }
    case 'DescribeReplay': {
      const replay = emulator.replays.get(String(input.ReplayName));
      if (!replay) throw new AwsError('ResourceNotFoundException', `Replay ${String(input.ReplayName)} does not exist.`);
      const { eventsReplayed: _count, ...shape } = replay;
      return { ...shape, Destination: { Arn: emulator.busArn('yobidashi') } };
    }
    case 'ListReplays':
      return { Replays: [...emulator.replays.values()].map(({ eventsReplayed: _c, ...r }) => r) };
    default:
      throw new AwsError('UnknownOperationException', `Operation ${operation} is not supported by the local EventBridge.`);
  }
}

const DYNAMODB_TARGET = 'DynamoDB_20120810.';

/** DynamoDB on the one port: a fault answers as DynamoDB would; otherwise the request goes to dynalite unchanged. */
async function dynamoDb(parts: ServerParts, req: IncomingMessage, res: ServerResponse, operation: string, body: string): Promise<void> {
  const fault = parts.faults.take(`dynamodb:${operation}`, 'json');
  if (fault) {
    return send(res, fault.status, { __type: `com.amazonaws.dynamodb.v20120810#${fault.code}`, message: fault.message }, 'application/x-amz-json-1.0');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = value;
  }
  const answer = await fetch(parts.dynamoEndpoint, { method: 'POST', headers, body });
  const text = await answer.text();
  const out: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'date'].includes(name)) out[name] = value;
  });
  res.writeHead(answer.status, out);
  res.end(text);
}

export function createLocalServer(parts: ServerParts): Server {
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      const target = req.headers['x-amz-target'];
      const text = await readBody(req);
      const json = (): Record<string, unknown> => {
        if (!text) return {};
        try {
          return JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw new ApiError(400, '(body): not valid JSON');
        }
      };
      try {
        if (req.method === 'POST' && path === '/' && typeof target === 'string' && target.startsWith(DYNAMODB_TARGET)) {
          return await dynamoDb(parts, req, res, target.slice(DYNAMODB_TARGET.length), text);
        }
        if (req.method === 'POST' && path === '/' && typeof target === 'string' && target.startsWith('AWSEvents.')) {
          try {
            return send(res, 200, await eventBridge(parts, target.slice('AWSEvents.'.length), json()), 'application/x-amz-json-1.1');
          } catch (error) {
            if (error instanceof AwsError || error instanceof FaultError) return sendAwsError(res, error, true);
            throw error;
          }
        }
        if (req.method === 'POST' && typeof target === 'string' && target.startsWith(CLOUDWATCH_TARGET)) {
          try {
            const { stack } = parts.operator();
            return send(res, 200, cloudWatch(parts.emulator, stack, target, json()), 'application/x-amz-json-1.0');
          } catch (error) {
            if (!(error instanceof CloudWatchError)) throw error;
            return send(res, 400, { __type: `com.amazonaws.cloudwatch#${error.code}`, message: error.message }, 'application/x-amz-json-1.0', { 'x-amzn-query-error': `${error.code};Sender` });
          }
        }
        if (req.method === 'POST' && isSqsTarget(target)) {
          try {
            return send(res, 200, sqsJson(parts.operator().sqs, target, json()), 'application/x-amz-json-1.0');
          } catch (error) {
            if (!(error instanceof SqsError)) throw error;
            const answer = sqsJsonError(error);
            return send(res, answer.status, answer.body, 'application/x-amz-json-1.0', answer.headers);
          }
        }
        const params = req.method === 'POST' && /^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '') && !path.startsWith('/api') ? new QueryParams(text) : undefined;
        if (params?.get('Action')) {
          // awsQuery: CloudFormation (Version 2010-05-15) or SQS (2012-11-05), told apart by the version.
          const requestId = randomUUID();
          const answer = params.get('Version') === CLOUDFORMATION_VERSION ? cloudFormation(parts.operator().stack, params, requestId) : sqsQuery(parts.operator().sqs, params, path, requestId);
          res.writeHead(answer.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
          return res.end(answer.body);
        }
        const invoke = INVOKE_PATH.exec(path);
        if (req.method === 'POST' && invoke) {
          const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
          const answer = await parts.operator().lambda.invoke({
            functionName: decodeURIComponent(invoke[1] as string),
            qualifier: url.searchParams.get('Qualifier') ?? undefined,
            invocationType: header('x-amz-invocation-type'),
            payload: text,
          });
          res.writeHead(answer.status, answer.headers);
          return res.end(answer.body);
        }
        if (path === '/alerts' && req.method === 'POST') {
          // The HTTP intake (AlertUrl): the body becomes an AlertReceived event, as API Gateway's
          // PutEvents integration does on AWS. Locally any x-yobidashi-token is accepted.
          if (!req.headers['x-yobidashi-token']) return send(res, 401, { message: 'Unauthorized' });
          try {
            const results = await parts.emulator.putEvents([{ EventBusName: 'yobidashi', Source: HTTP_ALERT_SOURCE, DetailType: 'AlertReceived', Detail: text }]);
            return send(res, 200, { Entries: results, FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length });
          } catch (error) {
            if (error instanceof FaultError) return send(res, error.status, { message: error.message });
            throw error;
          }
        }
        const schedule = /^\/schedules\/([^/]+)$/.exec(path);
        if (schedule) {
          const name = decodeURIComponent(schedule[1] as string);
          const group = url.searchParams.get('groupName') ?? 'default';
          try {
            if (req.method === 'POST') return send(res, 200, { ScheduleArn: parts.scheduler.create(name, json() as never) });
            if (req.method === 'GET') {
              const { atMs: _at, fired: _fired, ...found } = parts.scheduler.get(group, name);
              return send(res, 200, { ...found, Arn: parts.scheduler.arn(found.GroupName, found.Name) });
            }
            if (req.method === 'DELETE') {
              parts.scheduler.delete(group, name);
              return send(res, 200, {});
            }
          } catch (error) {
            if (error instanceof SchedulerError || error instanceof FaultError) return sendAwsError(res, { code: error.code, message: error.message, status: error.status }, false);
            throw error;
          }
        }
        const contact = /^\/contacts\/([^/]+)\/([^/]+)$/.exec(path);
        const instance = /^\/instance\/([^/]+)(?:\/attribute\/([^/]+))?$/.exec(path);
        const flow = /^\/contact-flows\/([^/]+)\/([^/]+)$/.exec(path);
        const queue = /^\/queues\/([^/]+)\/([^/]+)$/.exec(path);
        if (path === '/contact/outbound-voice' || path === '/contact/stop' || path === '/phone-number/list' || contact || instance || flow || queue) {
          const d = (s?: string) => decodeURIComponent(s ?? '');
          try {
            if (req.method === 'PUT' && path === '/contact/outbound-voice') return send(res, 200, await parts.connect.startOutboundVoiceContact(json()));
            if (req.method === 'POST' && path === '/contact/stop') return send(res, 200, await parts.connect.stopContact(json()));
            if (req.method === 'GET' && contact) return send(res, 200, await parts.connect.describeContact(decodeURIComponent(contact[2] as string)));
            // What an operator's `doctor` asks Connect about the instance, its flow and its number.
            const identity = parts.operator().connect;
            if (req.method === 'GET' && instance?.[2]) return send(res, 200, parts.connect.describeInstanceAttribute(d(instance[1]), d(instance[2]), identity));
            if (req.method === 'GET' && instance) return send(res, 200, parts.connect.describeInstance(d(instance[1]), identity));
            if (req.method === 'GET' && flow) return send(res, 200, parts.connect.describeContactFlow(d(flow[1]), d(flow[2]), identity));
            if (req.method === 'GET' && queue) return send(res, 200, parts.connect.describeQueue(d(queue[1]), d(queue[2]), identity));
            if (req.method === 'POST' && path === '/phone-number/list') return send(res, 200, parts.connect.listPhoneNumbers(json(), identity));
          } catch (error) {
            if (error instanceof ConnectError) return sendAwsError(res, { code: error.code, message: error.message, status: error.status }, false);
            throw error;
          }
        }
        if (path.startsWith('/api/') || path === '/api') {
          const response = await parts.api({ method: req.method ?? 'GET', path, query: url.searchParams, body: req.method === 'GET' || req.method === 'DELETE' ? undefined : json() });
          return send(res, response.status, response.body);
        }
        return send(res, 404, { message: `nothing here: ${req.method} ${path}` });
      } catch (error) {
        if (error instanceof ApiError) return send(res, error.status, { message: error.message });
        parts.log.error('request failed', { path, error });
        return send(res, 500, { message: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
}
