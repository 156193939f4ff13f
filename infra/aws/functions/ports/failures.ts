import type { FailedDeliveries } from '../../../../handlers/ports.ts';
import { SqsFailedDeliveries } from '../../adapters/failed-deliveries.ts';
import { unconfigured, type Env } from './env.ts';

/** FAILURE_QUEUE_URLS: the queues the sweep redrives from, comma-separated (only the sweep has it). */
export const failures = (env: Env): FailedDeliveries => {
  const queueUrls = (env.FAILURE_QUEUE_URLS ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  return queueUrls.length ? new SqsFailedDeliveries(queueUrls) : unconfigured<FailedDeliveries>('failed deliveries');
};
