import { createHash } from 'node:crypto';
import { envelopeSchema, type Envelope } from '../../events/envelope.ts';
import { metricsOf, metricsOfDelivery, metricsOfForeign } from '../../events/metrics.ts';
import { describeFailure, isPermanent } from './errors.ts';
import type { Bus, Clock, FailedDeliveries, Logger, Metrics, Notifier, Scheduler, Store, Telephony } from '../ports.ts';

export interface Settings {
  /** A call still up this long after placement is hung up and counted as a timeout. */
  callLimitMs: number;
  /** The safety-net check interval (EventBridge Scheduler fires within a minute of it). */
  checkIntervalMs: number;
  /** An open incident unchanged this long has lost its check chain: the sweep repairs it. */
  staleAfterMs: number;
  /** The sweep redrives failed deliveries younger than this; older ones wait for a person. */
  redriveMaxAgeMs: number;
  /**
   * How a reader runs the CLI against this deployment, for the commands notifications print:
   * `npx yobidashi --stack Yobidashi` on AWS (env YOBIDASHI_CLI, set by the stack); absent: the
   * local runtime's `npx yobidashi`.
   */
  cli?: string;
}

export const DEFAULT_SETTINGS: Settings = { callLimitMs: 240_000, checkIntervalMs: 30_000, staleAfterMs: 10 * 60_000, redriveMaxAgeMs: 24 * 3_600_000 };

export interface Deps {
  store: Store;
  bus: Bus;
  scheduler: Scheduler;
  telephony: Telephony;
  failures: FailedDeliveries;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  /** Counts (events/metrics.ts); the bus handlers get should be `countingBus(bus, metrics)`. */
  metrics: Metrics;
  settings: Settings;
}

/**
 * A bus that counts what it published (events/metrics.ts `metricsOf`), once the publish succeeded:
 * a publish that fails is retried by the handler's platform and counted when it goes through. Both
 * the Lambda wiring and the local runtime give handlers this bus, so handlers count nothing
 * themselves and the two count alike. Counting never fails the publish.
 */
export function countingBus(bus: Bus, metrics: Metrics, log?: Logger): Bus {
  return {
    async publish(events) {
      await bus.publish(events);
      try {
        metrics.record(events.flatMap((event) => ('source' in event ? metricsOfForeign(event) : metricsOf(event))));
      } catch (error) {
        log?.warn('could not count published events', { error });
      }
    },
  };
}

export type EventHandler = (event: unknown) => Promise<void>;

/**
 * A port narrowed to the methods a helper calls. Helpers take intersections of these (plus the
 * non-AWS parts of Deps they read), so a handler that uses a helper must have declared everything
 * the helper reaches (handlers/needs.ts).
 */
export type StoreUses<K extends keyof Store> = { store: Pick<Store, K> };
export type BusUses<K extends keyof Bus> = { bus: Pick<Bus, K> };
export type SchedulerUses<K extends keyof Scheduler> = { scheduler: Pick<Scheduler, K> };
export type TelephonyUses<K extends keyof Telephony> = { telephony: Pick<Telephony, K> };
export type FailuresUses<K extends keyof FailedDeliveries> = { failures: Pick<FailedDeliveries, K> };
export type NotifierUses<K extends keyof Notifier> = { notifier: Pick<Notifier, K> };

/**
 * Wraps a reaction to one bus event: validates the envelope, gives the handler a logger whose
 * correlation id is the event id (one alert's journey can be followed across handlers), and splits
 * failures: a permanent one is recorded as a rejection with its reason and the event is consumed
 * (retrying cannot help); anything else is thrown for the platform to retry.
 */
export function onEvent(
  name: string,
  deps: StoreUses<'recordRejection'> & Pick<Deps, 'log' | 'clock' | 'metrics'>,
  react: (envelope: Envelope, log: Logger) => Promise<void>,
): EventHandler {
  return async (event) => {
    const parsed = envelopeSchema.safeParse(event);
    const id = parsed.success ? parsed.data.id : undefined;
    const log = deps.log.child({ handler: name, correlation_id: id, detail_type: parsed.success ? parsed.data['detail-type'] : undefined });
    try {
      if (!parsed.success) throw parsed.error;
      await react(parsed.data, log);
      // What no own event says (the alerts an AlertReceived carried), counted once it was handled.
      deps.metrics.record(metricsOfDelivery(parsed.data));
    } catch (error) {
      if (!isPermanent(error)) {
        log.error('handler failed; the event will be retried', { error });
        throw error;
      }
      const { reason, issues } = describeFailure(error);
      log.error('handler cannot process this event; recorded, not retried', { reason, issues });
      await deps.store.recordRejection({
        rejectionId: `${name}:${id ?? createHash('sha256').update(JSON.stringify(event) ?? '').digest('hex').slice(0, 16)}`,
        at: deps.clock.now(),
        source: `handler:${name}`,
        sourceEventId: id ?? '(none)',
        reason: `${name}: ${reason}`,
        issues,
        input: (JSON.stringify(event) ?? String(event)).slice(0, 2048),
      });
    }
  };
}
