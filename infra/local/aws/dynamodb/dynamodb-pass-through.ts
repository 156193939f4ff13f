import type { FaultBook } from '../faults/fault-book.ts';
import { AwsError } from '../protocols/aws-error.ts';
import type { JsonService } from '../protocols/aws-json.ts';

/**
 * DynamoDB on the one port (AWS JSON 1.0, `X-Amz-Target: DynamoDB_20120810.<Op>`): a `dynamodb:*`
 * fault answers as DynamoDB would; otherwise the request goes to the embedded dynalite unchanged,
 * and its answer comes back unchanged.
 */

const HOP_BY_HOP_REQUEST = ['host', 'connection', 'content-length', 'transfer-encoding'];
const HOP_BY_HOP_RESPONSE = ['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'date'];

export function dynamoDbJson(faults: FaultBook, endpoint: string): JsonService {
  const service: JsonService = {
    protocol: '1.0',
    errorNamespace: 'com.amazonaws.dynamodb.v20120810#',
    operations: {},
    unknownOperation: (operation) => new AwsError('UnknownOperationException', `${operation} is not a DynamoDB operation.`),
    forward: async (operation, request) => {
      const fault = faults.take(`dynamodb:${operation}`, 'json');
      if (fault) throw fault;
      const headers = new Headers();
      request.headers.forEach((value, name) => {
        if (!HOP_BY_HOP_REQUEST.includes(name)) headers.set(name, value);
      });
      const answer = await fetch(endpoint, { method: 'POST', headers, body: await request.text() });
      const out = new Headers();
      answer.headers.forEach((value, name) => {
        if (!HOP_BY_HOP_RESPONSE.includes(name)) out.set(name, value);
      });
      return new Response(await answer.text(), { status: answer.status, headers: out });
    },
  };
  return service;
}
