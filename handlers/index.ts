import type { HandlerName } from '../events/routes.ts';
import { alertReceivedHandler } from './alert-received.ts';
import { applySilenceHandler } from './apply-silence.ts';
import { callCheckHandler } from './call-check.ts';
import { cloudWatchAlarmHandler } from './cloudwatch-alarm.ts';
import { contactEventHandler } from './contact-event.ts';
import { escalateHandler } from './escalate.ts';
import type { Deps, EventHandler } from './lib/deps.ts';
import { placeCallHandler } from './place-call.ts';
import { recordSilenceHandler } from './record-silence.ts';
import { stopCallHandler } from './stop-call.ts';
import { sweepHandler } from './sweep.ts';
import { timelineHandler } from './timeline.ts';

export { flowResultHandler } from './flow-result.ts';
export type { Deps, EventHandler } from './lib/deps.ts';
export { DEFAULT_SETTINGS } from './lib/deps.ts';

/** Every bus handler by the name the routing table uses. */
export const busHandlers: Record<HandlerName, (deps: Deps) => EventHandler> = {
  'alert-received': alertReceivedHandler,
  'cloudwatch-alarm': cloudWatchAlarmHandler,
  'place-call': placeCallHandler,
  'call-check': callCheckHandler,
  escalate: escalateHandler,
  'record-silence': recordSilenceHandler,
  'stop-call': stopCallHandler,
  'apply-silence': applySilenceHandler,
  'contact-event': contactEventHandler,
  sweep: sweepHandler,
  timeline: timelineHandler,
};
