import type { Deps } from '../../../handlers/lib/deps.ts';
import { DEFAULT_SETTINGS } from '../../../handlers/lib/deps.ts';
import { jsonLogger, type LogLevel } from '../../../handlers/lib/logger.ts';
import type { Bus, FailedDeliveries, Telephony, Scheduler } from '../../../handlers/ports.ts';
import { createDocumentClient, ElectroStore } from '../../store/repository.ts';
import { ConnectTelephony } from '../adapters/connect.ts';
import { EventBridgeBus } from '../adapters/event-bus.ts';
import { SqsFailedDeliveries } from '../adapters/failed-deliveries.ts';
import { EventBridgeScheduler } from '../adapters/scheduler.ts';

/**
 * Builds a handler's ports from its Lambda environment. The CDK stack sets only the variables a
 * function needs; a port whose settings are absent fails loudly if a handler ever reaches for it.
 * Endpoints follow the SDK's own AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local
 * runtime points the same code at its own services.
 */
function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function unconfigured<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get: () => () => Promise.reject(new Error(`${port} is not configured for this function`)),
  });
}

/** FAILURE_QUEUE_URLS: the queues the sweep redrives from, comma-separated (only the sweep has it). */
function failedDeliveriesFromEnv(env: NodeJS.ProcessEnv): FailedDeliveries {
  const queueUrls = (env.FAILURE_QUEUE_URLS ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  return queueUrls.length ? new SqsFailedDeliveries(queueUrls) : unconfigured<FailedDeliveries>('failed deliveries');
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): Deps {
  const telephony: Telephony = env.CONNECT_INSTANCE_ID
    ? new ConnectTelephony({
        instanceId: env.CONNECT_INSTANCE_ID,
        contactFlowId: required(env, 'CONTACT_FLOW_ID'),
        ...(env.SOURCE_PHONE_NUMBER ? { sourcePhoneNumber: env.SOURCE_PHONE_NUMBER } : {}),
        ...(env.QUEUE_ID ? { queueId: env.QUEUE_ID } : {}),
      })
    : unconfigured<Telephony>('telephony');
  const scheduler: Scheduler = env.SCHEDULE_GROUP
    ? new EventBridgeScheduler({
        groupName: env.SCHEDULE_GROUP,
        busArn: required(env, 'BUS_ARN'),
        roleArn: required(env, 'SCHEDULER_ROLE_ARN'),
        ...(env.SCHEDULER_DLQ_ARN ? { deadLetterArn: env.SCHEDULER_DLQ_ARN } : {}),
      })
    : unconfigured<Scheduler>('scheduler');
  return {
    store: new ElectroStore(createDocumentClient(), required(env, 'TABLE_NAME')),
    // The stack's own bus (its name derives from the stack name: infra/aws/names.ts), never a default.
    bus: env.BUS_NAME ? new EventBridgeBus(env.BUS_NAME) : unconfigured<Bus>('bus'),
    scheduler,
    telephony,
    failures: failedDeliveriesFromEnv(env),
    clock: { now: () => Date.now() },
    log: jsonLogger({ level: (env.LOG_LEVEL as LogLevel | undefined) ?? 'info', fields: { service: 'yobidashi' } }),
    settings: {
      callLimitMs: Number(env.CALL_LIMIT_SECONDS ?? DEFAULT_SETTINGS.callLimitMs / 1000) * 1000,
      checkIntervalMs: Number(env.CHECK_INTERVAL_SECONDS ?? DEFAULT_SETTINGS.checkIntervalMs / 1000) * 1000,
      staleAfterMs: DEFAULT_SETTINGS.staleAfterMs,
      redriveMaxAgeMs: DEFAULT_SETTINGS.redriveMaxAgeMs,
    },
  };
}
