import { countingBus, DEFAULT_SETTINGS, type Settings } from '../../../handlers/lib/deps.ts';
import { PORT_NAMES, type DepsFor, type FunctionName, type HANDLER_NEEDS, type PortName } from '../../../handlers/needs.ts';
import type { Bus, FailedDeliveries, Logger, Metrics, Notifier, Scheduler, Store, Telephony } from '../../../handlers/ports.ts';
import { EmfMetrics } from '../adapters/metrics.ts';
import { SERVICE_NAME } from '../adapters/powertools-logger.ts';
import { unconfigured, type Env } from './ports/env.ts';

/** Each port's full interface: what its builder (infra/aws/functions/ports/<port>.ts) makes. */
export interface PortTypes {
  store: Store;
  telephony: Telephony;
  scheduler: Scheduler;
  bus: Bus;
  failures: FailedDeliveries;
  notifier: Notifier;
}

type Declares<N extends FunctionName, P extends PortName> = (typeof HANDLER_NEEDS)[N][P] extends readonly [] ? false : true;

/**
 * The builders a function's entry must pass: one for each port its handler declares in
 * handlers/needs.ts, and no other (an object literal with an extra port does not typecheck). The
 * entry imports each builder from its own module, so a function that never calls Connect never
 * bundles `@aws-sdk/client-connect`.
 */
export type PortBuilders<N extends FunctionName> = {
  [P in PortName as Declares<N, P> extends true ? P : never]: (env: Env) => PortTypes[P];
};

/** CALL_LIMIT_SECONDS, CHECK_INTERVAL_SECONDS: the stack's settings; the rest are fixed. */
export function settingsFromEnv(env: Env): Settings {
  return {
    callLimitMs: Number(env.CALL_LIMIT_SECONDS ?? DEFAULT_SETTINGS.callLimitMs / 1000) * 1000,
    checkIntervalMs: Number(env.CHECK_INTERVAL_SECONDS ?? DEFAULT_SETTINGS.checkIntervalMs / 1000) * 1000,
    staleAfterMs: DEFAULT_SETTINGS.staleAfterMs,
    redriveMaxAgeMs: DEFAULT_SETTINGS.redriveMaxAgeMs,
    // How notifications say to run the CLI against this stack (`npx yobidashi --stack NAME`).
    ...(env.YOBIDASHI_CLI ? { cli: env.YOBIDASHI_CLI } : {}),
  };
}

/**
 * One function's ports from its environment: the declared ones from their builders, the others a
 * stand-in that rejects (handlers/needs.ts keeps the handler from reaching them; this keeps a cast
 * from doing so silently).
 */
export function depsFor<N extends FunctionName>(
  name: N,
  builders: PortBuilders<N>,
  env: Env,
  log: Logger,
  // lambdaEntry passes its own and flushes it after each invocation; a caller that passes none
  // gets the same adapter, whose points it must flush itself.
  metrics: Metrics = new EmfMetrics({ service: env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME }),
): DepsFor<N> {
  const given = builders as Partial<{ [P in PortName]: (env: Env) => PortTypes[P] }>;
  const port = <P extends PortName>(p: P): PortTypes[P] => given[p]?.(env) ?? unconfigured<PortTypes[P]>(`${p} (${name})`);
  const ports = Object.fromEntries(PORT_NAMES.map((p) => [p, port(p)])) as { [P in PortName]: PortTypes[P] };
  // The bus counts what it published (events/metrics.ts), as the local runtime's does.
  return { ...ports, bus: countingBus(ports.bus, metrics, log), clock: { now: () => Date.now() }, log, metrics, settings: settingsFromEnv(env) };
}
