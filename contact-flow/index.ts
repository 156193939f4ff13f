import generated from './generated/yobidashi-call.json' with { type: 'json' };
import type { RawFlow } from './flow-language.ts';

/** The checked-in flow JSON: what CDK deploys and what the local Connect simulator runs. */
export const CALL_FLOW: RawFlow = generated as RawFlow;

export { buildFlow, renderFlow, FLOW_RESULT_ARN } from './flow.ts';
export { CalleeActionError, ContactRun, runContact, UnsupportedActionError, RING_TIMEOUT_MS } from './interpreter.ts';
export type { Callee, ContactOptions, ContactResult, KeyPress, LambdaInvoker, Speech, ContactFlowEventPayload } from './interpreter.ts';
export { validateFlow, assertValidFlow } from './validate.ts';
export { xmlEscape } from './ssml.ts';
export { attributeProblems, attributesSize, CALL_ATTRIBUTES, CONNECT_ATTRIBUTES_MAX_BYTES } from './attributes.ts';
