import { Hono, type Context } from 'hono';
import { acceptAlert } from '../aws/apigateway/alert-intake.ts';
import { AwsError } from '../aws/protocols/aws-error.ts';
import { parseJsonInput } from '../aws/protocols/aws-json.ts';
import type { LocalParts } from './server.ts';

/**
 * The REST faces' route table, by method and path: EventBridge Scheduler and Amazon Connect (what
 * the handlers' SDK clients call), Connect's describe operations and Lambda's Invoke (what an
 * operator's tools call), and the HTTP alert intake. Errors answer as AWS's REST APIs do
 * (`restError`): the status, `x-amzn-errortype` and `{"Message"}`.
 */

/** The input of a REST operation: a JSON object (AWS's SerializationException otherwise). */
const input = async <T = Record<string, unknown>>(c: Context) => parseJsonInput(await c.req.text()) as T;

export function restError(error: AwsError): Response {
  return Response.json({ Message: error.message, message: error.message }, { status: error.status, headers: { 'x-amzn-errortype': error.code } });
}

export function restRoutes(parts: LocalParts): Hono {
  const { scheduler, connect, lambda, emulator } = parts;
  const identity = parts.stack.connectIdentity();
  const rest = new Hono();

  // EventBridge Scheduler (aws/scheduler/): the schedule operations, at the paths and with the
  // query names @aws-sdk/client-scheduler uses (ListSchedules' group is `ScheduleGroup`)
  rest.post('/schedules/:name', async (c) => c.json({ ScheduleArn: scheduler.createSchedule(c.req.param('name'), await input(c)) }));
  rest.put('/schedules/:name', async (c) => c.json({ ScheduleArn: scheduler.updateSchedule(c.req.param('name'), await input(c)) }));
  rest.get('/schedules/:name', (c) => c.json(scheduler.getSchedule(c.req.param('name'), c.req.query('groupName'))));
  rest.delete('/schedules/:name', (c) => {
    scheduler.deleteSchedule(c.req.param('name'), c.req.query('groupName'));
    return c.json({});
  });
  rest.get('/schedules', (c) => c.json(scheduler.listSchedules(c.req.query())));

  // Amazon Connect (aws/connect/): the calls the handlers place, stop and describe
  rest.put('/contact/outbound-voice', async (c) => c.json(await connect.startOutboundVoiceContact(await input(c))));
  rest.post('/contact/stop', async (c) => c.json(await connect.stopContact(await input(c))));
  rest.get('/contacts/:instance/:contact', async (c) => c.json(await connect.describeContact(c.req.param('contact'))));
  // ... and what an operator's `doctor` asks about the instance, its flow, its number and queue
  rest.get('/instance/:instance', (c) => c.json(connect.describeInstance(c.req.param('instance'), identity)));
  rest.get('/instance/:instance/attribute/:type', (c) => c.json(connect.describeInstanceAttribute(c.req.param('instance'), c.req.param('type'), identity)));
  rest.get('/contact-flows/:instance/:flow', (c) => c.json(connect.describeContactFlow(c.req.param('instance'), c.req.param('flow'), identity)));
  rest.post('/phone-number/list', async (c) => c.json(connect.listPhoneNumbers(await input(c), identity)));
  rest.get('/queues/:instance/:queue', (c) => c.json(connect.describeQueue(c.req.param('instance'), c.req.param('queue'), identity)));

  // AWS Lambda (aws/lambda/): Invoke of the bus handlers
  rest.post('/2015-03-31/functions/:name/invocations', async (c) => {
    const answer = await lambda.invoke({
      functionName: c.req.param('name'),
      qualifier: c.req.query('Qualifier'),
      invocationType: c.req.header('x-amz-invocation-type'),
      payload: await c.req.text(),
    });
    return new Response(answer.body || null, { status: answer.status, headers: answer.headers });
  });

  // API Gateway's PutEvents integration (aws/apigateway/): the stack's AlertUrl
  // ... and its HeartbeatUrl, `POST /heartbeats` (a Heartbeat from yobidashi.http).
  for (const [path, detailType] of [['/alerts', 'AlertReceived'], ['/heartbeats', 'Heartbeat']] as const) {
    rest.post(path, async (c) => {
      try {
        const answer = await acceptAlert(emulator, c.req.header('x-yobidashi-token'), await c.req.text(), detailType);
        return c.json(answer.body, answer.status);
      } catch (error) {
        // API Gateway answers a failed integration with `{"message"}`.
        if (error instanceof AwsError) return c.json({ message: error.message }, error.status as 400);
        throw error;
      }
    });
  }

  return rest;
}
