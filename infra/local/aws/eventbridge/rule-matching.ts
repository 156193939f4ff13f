import { compileEventPattern, type EventPattern } from '../../../../events/pattern/index.ts';
import type { Envelope } from '../../../../events/envelope.ts';

/** Compiles a list of rules once; returns the ones an event matches (EventBridge rule semantics). */
export function ruleMatcher<R extends { eventPattern: EventPattern }>(rules: readonly R[]): (event: Envelope) => R[] {
  const compiled = rules.map((rule) => ({ rule, matches: compileEventPattern(rule.eventPattern) }));
  return (event) => compiled.filter(({ matches }) => matches(event as Record<string, unknown>)).map(({ rule }) => rule);
}

export interface EnvelopeFields {
  id: string;
  source: string;
  detailType: string;
  detail: unknown;
  time: string;
  account: string;
  region: string;
  resources?: string[];
}

/** The envelope EventBridge wraps around a put entry. */
export function stampEnvelope(fields: EnvelopeFields): Envelope {
  return {
    version: '0',
    id: fields.id,
    'detail-type': fields.detailType,
    source: fields.source,
    account: fields.account,
    time: fields.time,
    region: fields.region,
    resources: fields.resources ?? [],
    detail: fields.detail,
  };
}
