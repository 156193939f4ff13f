import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { maskPhone } from '../../../domain/roster.ts';
import type { Logger } from '../../../handlers/ports.ts';

/**
 * The Logger port on Lambda, through Powertools for AWS Lambda (TypeScript). The local runtime
 * keeps jsonLogger (handlers/lib/logger.ts); both write one JSON object per line with the same
 * `level`, `message`, `timestamp`, `service` and `correlation_id` keys, so Logs Insights queries
 * work on either.
 *
 * One Powertools instance per function, made at init: the entry wrapper
 * (infra/aws/functions/lambda-entry.ts) gives it each invocation's context (request id, cold start,
 * function name, memory) and the event's correlation id. A child of the port is not a Powertools
 * child: Powertools' createChild makes a new instance whose first addContext reports
 * `cold_start: true` again, so a per-event child would claim a cold start on every warm
 * invocation. The port's child instead carries its fields and passes them with each line to the
 * one instance, which adds the invocation's context.
 *
 * Callers mask phone numbers (domain/roster.ts maskPhone); as a second line of defence, any
 * E.164-looking number left in a line (an SDK error message quoting the destination, say) is masked
 * the same way before the line is written.
 */
export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT';

export const SERVICE_NAME = 'yobidashi';

const E164 = /\+[1-9]\d{6,14}(?!\d)/g;

/** JSON.stringify replacer: masks numbers in every string, nested ones and formatted errors included. */
export function maskPhoneNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.includes('+') ? value.replace(E164, maskPhone) : value;
}

export interface PowertoolsLoggerOptions {
  /** Unset: POWERTOOLS_LOG_LEVEL, then LOG_LEVEL, then INFO (Lambda's AWS_LAMBDA_LOG_LEVEL can only raise it). */
  logLevel?: PowertoolsLogLevel;
  /** Keys on every line (e.g. the function's name). */
  persistentKeys?: Record<string, unknown>;
  env?: Readonly<Record<string, string | undefined>>;
}

const LEVELS: readonly string[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] satisfies PowertoolsLogLevel[];

/**
 * The level from the environment, in either case: Powertools reads the same variables but only
 * upper case, and LOG_LEVEL=info (jsonLogger's spelling) would silently mean its default.
 */
export function logLevelFromEnv(env: Readonly<Record<string, string | undefined>>): PowertoolsLogLevel | undefined {
  const value = (env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL)?.trim().toUpperCase();
  return value && LEVELS.includes(value) ? (value as PowertoolsLogLevel) : undefined;
}

export function createPowertoolsLogger(options: PowertoolsLoggerOptions = {}): PowertoolsLogger {
  const logLevel = options.logLevel ?? logLevelFromEnv(options.env ?? process.env);
  return new PowertoolsLogger({
    serviceName: SERVICE_NAME,
    jsonReplacerFn: maskPhoneNumbers,
    ...(logLevel ? { logLevel } : {}),
    ...(options.persistentKeys ? { persistentKeys: options.persistentKeys } : {}),
  });
}

/** The port over one Powertools instance; `fields` ride along on every line of this logger and its children. */
export function powertoolsLogger(powertools: PowertoolsLogger, fields: Readonly<Record<string, unknown>> = {}): Logger {
  // An undefined field is left out rather than passed: it would blank a key Powertools already
  // holds (onEvent's child has correlation_id undefined for an event without an id).
  const line = (extra: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries({ ...fields, ...extra }).filter(([, v]) => v !== undefined));
  return {
    debug: (message, extra) => powertools.debug(message, line(extra)),
    info: (message, extra) => powertools.info(message, line(extra)),
    warn: (message, extra) => powertools.warn(message, line(extra)),
    error: (message, extra) => powertools.error(message, line(extra)),
    child: (more) => powertoolsLogger(powertools, { ...fields, ...more }),
  };
}
