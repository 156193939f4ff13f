import type { Context } from 'aws-lambda';
import type { FunctionName } from '../../../handlers/needs.ts';
import type { DepsFor } from '../../../handlers/needs.ts';
import type { Logger, Metrics } from '../../../handlers/ports.ts';
import { EmfMetrics } from '../adapters/metrics.ts';
import { createPowertoolsLogger, powertoolsLogger, SERVICE_NAME } from '../adapters/powertools-logger.ts';
import { depsFor, type PortBuilders } from './deps.ts';
import type { Env } from './ports/env.ts';

/**
 * What every Lambda function shares, in one place: the Powertools logger, made once per execution
 * environment, and what happens around each invocation. Entries (infra/aws/functions/entries/) are
 * one line each on top of this.
 *
 * Ports are built at init, outside the handler, as AWS recommends: Lambda runs init with the full
 * CPU burst, SDK clients are reused across invocations, and a missing variable fails the init with
 * its name (an INIT error in the function's log) rather than the first alert.
 */
export interface EntryRuntime {
  env: Env;
  log: Logger;
  /** Written as EMF when each invocation ends (infra/aws/adapters/metrics.ts). */
  metrics: Metrics;
}

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * The id that follows one alert across functions: a bus event's `id` (onEvent's correlation_id),
 * or the contact for a contact-flow invocation (flow-result's). Powertools' own correlation id key,
 * `correlation_id`, so every line of the invocation carries it, Powertools' own lines included.
 */
function correlationIdOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const { id, Details } = event as { id?: unknown; Details?: { ContactData?: { ContactId?: unknown } } };
  if (typeof id === 'string') return id;
  const contactId = Details?.ContactData?.ContactId;
  return typeof contactId === 'string' ? contactId : undefined;
}

export function lambdaEntry<E, R>(name: FunctionName, build: (runtime: EntryRuntime) => (event: E) => Promise<R>, env: Env = process.env): LambdaHandler<E, R> {
  const powertools = createPowertoolsLogger({ persistentKeys: { function: name }, env });
  // The service dimension tells this stack's metrics from another's in the account (the stack sets
  // POWERTOOLS_SERVICE_NAME to its name prefix: infra/aws/constructs/monitoring.ts).
  const metrics = new EmfMetrics({ service: env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME });
  const handle = build({ env, log: powertoolsLogger(powertools), metrics });
  return async (event, context) => {
    // Request id, cold start, function name and memory on every line (injectLambdaContext's work);
    // the last invocation's correlation id goes with resetKeys.
    powertools.resetKeys();
    powertools.addContext(context);
    const correlationId = correlationIdOf(event);
    if (correlationId) powertools.setCorrelationId(correlationId);
    try {
      return await handle(event);
    } finally {
      // What this invocation counted, also when it failed: each point is for a publish that went through.
      metrics.flush();
    }
  };
}

/**
 * A handler's function: its declared ports from their builders, then the handler factory, e.g.
 * `export const handler = handlerEntry('place-call', { store, telephony, scheduler, bus }, placeCallHandler);`
 */
export function handlerEntry<N extends FunctionName, R>(
  name: N,
  ports: PortBuilders<N>,
  factory: (deps: DepsFor<N>) => (event: unknown) => Promise<R>,
  env: Env = process.env,
): LambdaHandler<unknown, R> {
  return lambdaEntry(name, ({ env: e, log, metrics }) => factory(depsFor(name, ports, e, log, metrics)), env);
}
