import { randomUUID } from 'node:crypto';
import type { EventBridgeCore } from '../eventbridge/event-bridge-core.ts';
import type { FaultBook } from '../faults/fault-book.ts';
import type { LocalStack } from '../cloudformation/local-stack.ts';

/**
 * AWS Lambda's Invoke (REST: `POST /2015-03-31/functions/{FunctionName}/invocations`) for the bus
 * handlers, under the function names the stack's HandlerFunctions output gives
 * (`yobidashi-local-<handler>`), their ARNs, or either qualified with `$LATEST`:
 *
 * - `X-Amz-Invocation-Type: Event`: 202 at once; the event goes to the handler through the
 *   EventBridge core as an accepted asynchronous invocation, with Lambda's retries and its
 *   on-failure destination (the handler-failure queue), exactly as after a rule's handoff. This is
 *   the redrive path of the sweep and of `yobidashi --stack … dead-letters redrive`.
 * - `RequestResponse` (the default): the handler runs now, once; 200 with its result, or 200 with
 *   `X-Amz-Function-Error: Unhandled` and `{"errorType","errorMessage"}` when it throws.
 * - `DryRun`: 204.
 *
 * An unknown function is a 404 ResourceNotFoundException; a `lambda:Invoke` fault answers with its
 * error (e.g. TooManyRequestsException, 429), as Lambda's API would.
 */

/** Lambda's payload limits: 1 MB for asynchronous invocations, 6 MB for synchronous ones. */
const MAX_EVENT_BYTES = 1024 * 1024;
const MAX_SYNC_BYTES = 6 * 1024 * 1024;

export interface LambdaAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function lambdaError(status: number, code: string, message: string, requestId: string): LambdaAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
    body: JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message, Message: message }),
  };
}

export class LambdaFunctions {
  constructor(
    private readonly core: EventBridgeCore,
    private readonly stack: LocalStack,
    private readonly faults: FaultBook,
  ) {}

  async invoke(request: { functionName: string; qualifier?: string | undefined; invocationType?: string | undefined; payload: string }): Promise<LambdaAnswer> {
    const requestId = randomUUID();
    const handler = this.stack.handlerOf(request.functionName, request.qualifier);
    if (!handler) {
      const arn = request.functionName.startsWith('arn:') ? request.functionName : `arn:aws:lambda:${this.stack.options.region}:${this.stack.options.account}:function:${request.functionName}`;
      return lambdaError(404, 'ResourceNotFoundException', `Function not found: ${arn}${request.qualifier ? `:${request.qualifier}` : ''}`, requestId);
    }
    const type = request.invocationType ?? 'RequestResponse';
    if (!['Event', 'RequestResponse', 'DryRun'].includes(type)) return lambdaError(400, 'InvalidParameterValueException', `Unsupported invocation type: ${type}`, requestId);
    const fault = this.faults.take('lambda:Invoke', 'rest');
    if (fault) return lambdaError(fault.status, fault.code, fault.message, requestId);
    const bytes = Buffer.byteLength(request.payload);
    const limit = type === 'Event' ? MAX_EVENT_BYTES : MAX_SYNC_BYTES;
    if (bytes > limit) return lambdaError(413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, requestId);
    let payload: unknown;
    try {
      payload = request.payload.trim() ? JSON.parse(request.payload) : {};
    } catch (error) {
      return lambdaError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`, requestId);
    }
    const headers = { 'x-amzn-requestid': requestId };
    if (type === 'DryRun') return { status: 204, headers, body: '' };
    if (type === 'Event') {
      this.core.acceptInvocation(handler, payload, requestId);
      return { status: 202, headers, body: '' };
    }
    const ran = { ...headers, 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
    try {
      await this.core.invokeNow(handler, payload);
      return { status: 200, headers: ran, body: 'null' }; // the handlers return nothing
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      return { status: 200, headers: { ...ran, 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: [] }) };
    }
  }
}
