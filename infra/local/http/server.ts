import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../../handlers/ports.ts';
import { localApi, type ApiDeps } from '../api/local-api.ts';
import { consoleApi } from '../api/console-api.ts';
import { metricsApi, type MetricsDeps } from '../api/metrics-api.ts';
import { notificationsApi, type NotificationsDeps } from '../api/notifications-api.ts';
import { softphoneApi, type SoftphoneDeps } from '../api/softphone-api.ts';
import type { LocalStack } from '../aws/cloudformation/local-stack.ts';
import type { ConnectService } from '../aws/connect/connect-service.ts';
import type { FaultBook } from '../aws/faults/fault-book.ts';
import type { LambdaFunctions } from '../aws/lambda/invoke.ts';
import { AwsError } from '../aws/protocols/aws-error.ts';
import type { SchedulerService } from '../aws/scheduler/scheduler-service.ts';
import type { DeadLetterQueues } from '../aws/sqs/dead-letter-queues.ts';
import { awsJson, awsJsonRoutes } from './aws-json-routes.ts';
import { awsQuery, awsQueryRoutes } from './aws-query-routes.ts';
import { consoleStatic } from './console-static.ts';
import { ApiError, strictPathParams } from './request-validation.ts';
import { restError, restRoutes } from './rest-routes.ts';

/**
 * One port, every face, on Hono: four route tables, one per protocol, tried in this order —
 *
 *   1. AWS JSON 1.0/1.1 by X-Amz-Target (aws-json-routes.ts): EventBridge, DynamoDB, SQS, CloudWatch;
 *   2. awsQuery by Version and Action (aws-query-routes.ts): CloudFormation, SQS (AWS CLI 2.9);
 *   3. the REST faces by method and path (rest-routes.ts): Scheduler, Connect, Lambda, the alert intake;
 *   4. the local API under /api (../api/local-api.ts);
 *   5. the console's static files on GET/HEAD of any other path (console-static.ts, docs/console.md).
 *
 * Injected faults answer on the wire, as the AWS service would. Signatures are not checked; any
 * credentials work. A hostile request (a target that is not a URL, a client gone mid-body, a
 * malformed %-escape) gets a 4xx or a closed connection, never the process.
 */

export interface LocalParts extends ApiDeps, SoftphoneDeps, MetricsDeps, NotificationsDeps {
  scheduler: SchedulerService;
  connect: ConnectService;
  faults: FaultBook;
  /** Where DynamoDB requests go (dynalite). */
  dynamoEndpoint: string;
  /** The runtime as a deployed stack: its outputs, queue URLs and function names. */
  stack: LocalStack;
  queues: DeadLetterQueues;
  lambda: LambdaFunctions;
  log: Logger;
}

export function localApp(parts: LocalParts): Hono {
  const app = new Hono({ strict: false });
  app.use(strictPathParams);
  app.use(awsJson(awsJsonRoutes(parts)));
  app.use(awsQuery(awsQueryRoutes(parts)));
  app.route('/', restRoutes(parts));
  app.route('/api', localApi(parts));
  app.route('/api', consoleApi(parts));
  app.route('/api', softphoneApi(parts));
  app.route('/api', metricsApi(parts));
  app.route('/api', notificationsApi(parts));
  app.use(consoleStatic());
  app.notFound((c) => {
    const api = c.req.path === '/api' || c.req.path.startsWith('/api/');
    return c.json({ message: `${api ? 'no such API' : 'nothing here'}: ${c.req.method} ${c.req.path}` }, 404);
  });
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json({ message: error.message }, error.status);
    if (error instanceof AwsError) return restError(error);
    if (error instanceof HTTPException) return c.json({ message: error.message }, error.status);
    // The client went away mid-request: nobody is left to answer.
    if (c.req.raw.signal.aborted) return c.body(null, 400);
    parts.log.error('request failed', { path: c.req.path, error });
    return c.json({ message: error instanceof Error ? error.message : String(error) }, 500);
  });
  return app;
}

export interface LocalPort {
  server: Server;
  url: string;
  port: number;
  /** Answers with this app from now on (until then: 503). */
  serve(app: Hono): void;
  close(): Promise<void>;
}

/**
 * Listens first (the stack's outputs and the handlers' SDK clients need the port's URL), answers
 * once the app is wired. Malformed HTTP (a bad request line, a client that resets) is answered
 * with 400 or the socket is dropped; Node's parser errors never reach the process.
 */
export async function openPort(options: { port: number; host: string; log: Logger }): Promise<LocalPort> {
  let app: Hono | undefined;
  const server = createAdaptorServer({
    fetch: (request: Request) => (app ? app.fetch(request) : new Response('{"message":"starting"}', { status: 503 })),
    hostname: options.host,
  }) as Server;
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    options.log.debug('bad request from a client', { code: error.code });
    if (error.code !== 'ECONNRESET' && socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host}:${port}`,
    port,
    serve(wired) {
      app = wired;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
