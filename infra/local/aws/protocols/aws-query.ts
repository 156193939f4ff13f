/**
 * AWS's query protocol (awsQuery), as CloudFormation speaks it and as SQS spoke it before AWS JSON
 * 1.0 (AWS CLI 2.9, Debian's awscli, still sends it): a form-encoded POST with `Action` and
 * `Version`, lists flattened as `Name.1`, `Name.2`, structures in lists as `Name.1.Field`, and an
 * XML answer `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result><ResponseMetadata>…`.
 * Errors: `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>`.
 * A service that speaks it describes itself as a `QueryService`: its actions by name; the route
 * table that dispatches to them (by `Version`, then `Action`) is infra/local/http/aws-query-routes.ts.
 */

import { AwsError } from './aws-error.ts';

export class QueryParams {
  private readonly params: URLSearchParams;

  constructor(body: string) {
    this.params = new URLSearchParams(body);
  }

  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** `Name.1`, `Name.2`, … in order (also `Name.member.N`, which some actions use). */
  list(name: string): string[] {
    const out: string[] = [];
    for (const prefix of [`${name}.`, `${name}.member.`]) {
      for (let i = 1; ; i++) {
        const value = this.params.get(`${prefix}${i}`);
        if (value === null) break;
        out.push(value);
      }
      if (out.length) break;
    }
    return out;
  }

  /** `Name.1.Field`, `Name.2.Field`, … as records, in order. */
  entries(name: string): Record<string, string>[] {
    const out: Record<string, string>[] = [];
    for (let i = 1; ; i++) {
      const prefix = `${name}.${i}.`;
      const entry: Record<string, string> = {};
      for (const [key, value] of this.params) if (key.startsWith(prefix)) entry[key.slice(prefix.length)] = value;
      if (!Object.keys(entry).length) break;
      out.push(entry);
    }
    return out;
  }
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"\r]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;', '\r': '&#xD;' })[c] as string);
}

/** An element; `content` is escaped text, or already-built XML when given as an array of elements. */
export function el(name: string, content: string | number | boolean | string[] | undefined): string {
  if (content === undefined) return '';
  const inner = Array.isArray(content) ? content.join('') : escapeXml(String(content));
  return `<${name}>${inner}</${name}>`;
}

export function queryResponse(action: string, namespace: string, result: string[] | undefined, requestId: string): string {
  const body = result === undefined ? '' : el(`${action}Result`, result);
  return `<?xml version="1.0"?>\n<${action}Response xmlns="${namespace}">${body}${el('ResponseMetadata', [el('RequestId', requestId)])}</${action}Response>`;
}

export function queryError(namespace: string, code: string, message: string, requestId: string, type: 'Sender' | 'Receiver' = 'Sender'): string {
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="${namespace}">${el('Error', [el('Type', type), el('Code', code), el('Message', message), '<Detail/>'])}${el('RequestId', requestId)}</ErrorResponse>`;
}

export interface QueryContext {
  /** The request's path (SQS takes a queue URL's path as the queue). */
  path: string;
}

export interface QueryService {
  /** The XML namespace of its answers, e.g. `http://queue.amazonaws.com/doc/2012-11-05/`. */
  namespace: string;
  /** The actions: each returns the elements of its `<{Action}Result>`, or nothing for an empty answer. */
  actions: Readonly<Record<string, (params: QueryParams, context: QueryContext) => string[] | undefined>>;
  /** What an action not in the table gets. */
  unknownAction: (action: string) => AwsError;
}

/** Runs an action; an AwsError becomes the protocol's `<ErrorResponse>` with the error's query code. */
export function queryAnswer(service: QueryService, params: QueryParams, context: QueryContext, requestId: string): { status: number; body: string } {
  const action = params.get('Action') ?? '';
  try {
    const run = Object.hasOwn(service.actions, action) ? service.actions[action] : undefined;
    if (!run) throw service.unknownAction(action);
    return { status: 200, body: queryResponse(action, service.namespace, run(params, context), requestId) };
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    return { status: error.status, body: queryError(service.namespace, error.queryCode, error.message, requestId) };
  }
}
