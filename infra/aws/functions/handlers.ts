import { busHandlers, flowResultHandler } from '../../../handlers/index.ts';
import type { HandlerName } from '../../../events/routes.ts';
import { depsFromEnv } from './wiring.ts';

/**
 * Lambda entry points, one export per function; the CDK stack bundles this file once per handler
 * with `handler: <name>`. Ports are built on first use so cold starts that fail configuration fail
 * on the first event with a clear message rather than at import.
 */
let deps: ReturnType<typeof depsFromEnv> | undefined;
const lazyDeps = () => (deps ??= depsFromEnv());

function bus(name: HandlerName) {
  let handler: ((event: unknown) => Promise<void>) | undefined;
  return (event: unknown) => (handler ??= busHandlers[name](lazyDeps()))(event);
}

export const alertReceived = bus('alert-received');
export const cloudwatchAlarm = bus('cloudwatch-alarm');
export const placeCall = bus('place-call');
export const callCheck = bus('call-check');
export const escalate = bus('escalate');
export const recordSilence = bus('record-silence');
export const stopCall = bus('stop-call');
export const applySilence = bus('apply-silence');
export const contactEvent = bus('contact-event');
export const sweep = bus('sweep');
export const timeline = bus('timeline');

let flow: ReturnType<typeof flowResultHandler> | undefined;
export const flowResult = (event: unknown) => (flow ??= flowResultHandler(lazyDeps()))(event);
