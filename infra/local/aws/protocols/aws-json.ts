import { AwsError } from './aws-error.ts';

/**
 * The AWS JSON protocols (1.0 and 1.1): `POST` with `X-Amz-Target: <Service>.<Operation>` and the
 * input as a JSON object; the answer is JSON, an error `{"__type", "message"}`. A service that
 * speaks them describes itself as a `JsonService`: its operations by name, and how it names its
 * errors. The route table that dispatches to them is infra/local/http/aws-json-routes.ts.
 */

export type JsonInput = Record<string, unknown>;

export interface JsonService {
  protocol: '1.0' | '1.1';
  /** What `__type` is prefixed with (`com.amazonaws.sqs#`); none for EventBridge. */
  errorNamespace?: string;
  /** Say the error code in `x-amzn-errortype` too (EventBridge). */
  errorTypeHeader?: boolean;
  /** awsQueryCompatible services (SQS, CloudWatch) also say the query protocol's code, in `x-amzn-query-error`. */
  queryCompatible?: boolean;
  /** The operations, by the name after the dot in X-Amz-Target. */
  operations: Readonly<Record<string, (input: JsonInput) => unknown>>;
  /** What an operation not in the table gets. */
  unknownOperation: (operation: string) => AwsError;
  /** Instead of the operations: the request goes elsewhere as it is (DynamoDB, to dynalite). */
  forward?: (operation: string, request: Request) => Promise<Response>;
}

export interface JsonAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const jsonContentType = (service: Pick<JsonService, 'protocol'>) => `application/x-amz-json-${service.protocol}`;

/** The request's input: a JSON object (an empty body is `{}`), or AWS's SerializationException. */
export function parseJsonInput(text: string): JsonInput {
  if (!text.trim()) return {};
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new AwsError('SerializationException', 'The request body must be a JSON object.');
  return input as JsonInput;
}

export function jsonAnswer(service: JsonService, result: unknown): JsonAnswer {
  return { status: 200, headers: { 'content-type': jsonContentType(service) }, body: JSON.stringify(result ?? {}) };
}

export function jsonError(service: JsonService, error: AwsError): JsonAnswer {
  const headers: Record<string, string> = { 'content-type': jsonContentType(service) };
  if (service.errorTypeHeader) headers['x-amzn-errortype'] = error.code;
  if (service.queryCompatible) headers['x-amzn-query-error'] = `${error.queryCode};Sender`;
  return { status: error.status, headers, body: JSON.stringify({ __type: `${service.errorNamespace ?? ''}${error.code}`, message: error.message }) };
}
