import type { HandlerName } from '../events/routes.ts';
import { alertReceivedHandler } from './alert-received.ts';
import { applyOutcomeHandler } from './apply-outcome.ts';
import { applySilenceHandler } from './apply-silence.ts';
import { callCheckHandler } from './call-check.ts';
import { cloudWatchAlarmHandler } from './cloudwatch-alarm.ts';
import { contactEventHandler } from './contact-event.ts';
import type { EventHandler } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';
import { heartbeatHandler } from './heartbeat.ts';
import { notifyHandler } from './notify.ts';
import { placeCallHandler } from './place-call.ts';
import { recordSilenceHandler } from './record-silence.ts';
import { repageHandler } from './repage.ts';
import { stopCallHandler } from './stop-call.ts';
import { sweepHandler } from './sweep.ts';
import { timelineHandler } from './timeline.ts';

export { flowResultHandler } from './flow-result.ts';
export type { Deps, EventHandler } from './lib/deps.ts';
export { DEFAULT_SETTINGS } from './lib/deps.ts';
export { HANDLER_NEEDS, type DepsFor, type FunctionName } from './needs.ts';

/**
 * Every bus handler by the name the routing table uses, each taking only the ports it declared
 * (handlers/needs.ts). A full Deps is assignable to every one of them.
 */
export const busHandlers: { [N in HandlerName]: (deps: DepsFor<N>) => EventHandler } = {
  'alert-received': alertReceivedHandler,
  'cloudwatch-alarm': cloudWatchAlarmHandler,
  'place-call': placeCallHandler,
  'call-check': callCheckHandler,
  escalate: applyOutcomeHandler,
  'record-silence': recordSilenceHandler,
  'stop-call': stopCallHandler,
  'apply-silence': applySilenceHandler,
  'contact-event': contactEventHandler,
  sweep: sweepHandler,
  timeline: timelineHandler,
  notify: notifyHandler,
  heartbeat: heartbeatHandler,
  repage: repageHandler,
};
