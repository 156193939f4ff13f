import { envelopeSchema, type Envelope } from '../../events/envelope.ts';
import type { Bus, Clock, Logger, Scheduler, Store, Telephony } from '../ports.ts';

export interface Settings {
  /** A call still up this long after placement is hung up and counted as a timeout. */
  callLimitMs: number;
  /** The safety-net check interval (EventBridge Scheduler fires within a minute of it). */
  checkIntervalMs: number;
}

export const DEFAULT_SETTINGS: Settings = { callLimitMs: 240_000, checkIntervalMs: 30_000 };

export interface Deps {
  store: Store;
  bus: Bus;
  scheduler: Scheduler;
  telephony: Telephony;
  clock: Clock;
  log: Logger;
  settings: Settings;
}

export type EventHandler = (event: unknown) => Promise<void>;

/**
 * Wraps a reaction to one bus event: validates the envelope and gives the handler a logger whose
 * correlation id is the event id, so one alert's journey can be followed across handlers.
 */
export function onEvent(
  name: string,
  deps: Deps,
  react: (envelope: Envelope, log: Logger) => Promise<void>,
): EventHandler {
  return async (event) => {
    const envelope = envelopeSchema.parse(event);
    const log = deps.log.child({ handler: name, correlation_id: envelope.id, detail_type: envelope['detail-type'] });
    try {
      await react(envelope, log);
    } catch (error) {
      log.error('handler failed; the event will be retried', { error });
      throw error;
    }
  };
}
