import { performance } from 'node:perf_hooks';
import type { PutEventsEntry } from '../../infra/local/aws/eventbridge/event-bridge-core.ts';
import type { Harness } from '../harness/harness.ts';

export const STORM_PHONES = ['+819011110001', '+819011110002', '+819011110003'];

export interface StormResult {
  alerts: number;
  keys: number;
  /** Real milliseconds from the first PutEvents until the last was answered (the bus accepting, in process). */
  acceptRealMs: number;
  /** Real milliseconds from the first PutEvents until every alert was handled. */
  ingestRealMs: number;
  alertsPerSecond: number;
  /** Simulated time from the storm until the first and the last incident's phone rang. */
  firstCalledAfterMs: number;
  allCalledAfterMs: number;
  /** Simulated time until the system had nothing left to do. */
  settledAfterMs: number;
  settleRealMs: number;
  calls: number;
  deferrals: number;
  maxConcurrentCalls: number;
  maxStartsInOneSecond: number;
  /** The most calls any one phone had up at once (one call at a time per phone: 1). */
  maxCallsPerPhone: number;
  /** Incidents a call covered: the largest merged call. */
  maxCovered: number;
  alertsRecorded: number;
}

/**
 * The storm shared by the test and the benchmark: `alerts` flat alerts over `keys` dedup keys of
 * one system, `batch` to a PutEvents call, all at the same instant; three responders who answer
 * after 5 s and press 1. Returns what was measured; the caller asserts.
 */
export async function runStorm(h: Harness, options: { alerts: number; keys: number; batch?: number }): Promise<StormResult> {
  const { alerts, keys } = options;
  const batch = options.batch ?? 10;
  await h.roster({ system: 'STORM', rounds: 3, responders: STORM_PHONES.map((phone, i) => ({ name: `r${i + 1}`, phone, language: 'en-US', timezone: 'UTC' })) });
  for (const phone of STORM_PHONES) h.phone(phone, { answer: true, afterSeconds: 5, digits: '1' });
  const t0 = h.time.now();

  const started = performance.now();
  for (let i = 0; i < alerts; i += batch) {
    const entries: PutEventsEntry[] = [];
    for (let j = i; j < Math.min(i + batch, alerts); j++) {
      const detail = { systemname: 'STORM', host: `host-${String(j % keys).padStart(4, '0')}`, service: 'CPU', message: `sample ${j}` };
      entries.push({ EventBusName: 'yobidashi', Source: 'storm', DetailType: 'AlertReceived', Detail: JSON.stringify(detail) });
    }
    const results = await h.cloud.putEvents(entries);
    const refused = results.filter((r) => 'ErrorCode' in r);
    if (refused.length) throw new Error(`PutEvents refused ${refused.length} entries: ${JSON.stringify(refused[0])}`);
  }
  // On virtual time nothing runs until the clock is told to move: this much was the bus accepting.
  const acceptRealMs = performance.now() - started;
  await h.drain(); // every AlertReceived (and what it set off at this instant) has run
  const ingestRealMs = performance.now() - started;

  const settleStarted = performance.now();
  await h.settle();
  const settleRealMs = performance.now() - settleStarted;

  const calls = h.phones.calls;
  const firstCallOf = new Map<string, number>();
  for (const call of calls) {
    const id = call.attributes.incidentId ?? '';
    if (!firstCallOf.has(id)) firstCallOf.set(id, call.placedAt);
  }
  const firstCalls = [...firstCallOf.values()];
  const marks = calls.flatMap((call) => {
    const ended = h.phones.status(call).endedAt ?? Number.POSITIVE_INFINITY;
    return [
      { at: call.placedAt, delta: 1 },
      { at: ended, delta: -1 },
    ];
  });
  marks.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let concurrent = 0;
  let maxConcurrentCalls = 0;
  for (const mark of marks) maxConcurrentCalls = Math.max(maxConcurrentCalls, (concurrent += mark.delta));
  const starts = calls.map((c) => c.placedAt).sort((a, b) => a - b);
  let maxStartsInOneSecond = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while ((starts[j] as number) <= (starts[i] as number) - 1000) j++;
    maxStartsInOneSecond = Math.max(maxStartsInOneSecond, i - j + 1);
  }
  let maxCallsPerPhone = 0;
  for (const phone of new Set(calls.map((c) => c.destination))) {
    const own = calls.filter((c) => c.destination === phone).map((c) => [c.placedAt, h.phones.status(c).endedAt ?? Number.POSITIVE_INFINITY] as const);
    for (const [start] of own) maxCallsPerPhone = Math.max(maxCallsPerPhone, own.filter(([s, e]) => s <= start && start < e).length);
  }
  const maxCovered = Math.max(0, ...calls.map((c) => Number(c.attributes.count ?? '1')));
  let alertsRecorded = 0;
  for (const incident of await h.incidents()) alertsRecorded += (await h.store.timeline(incident.incidentId)).alerts.length;

  return {
    alerts,
    keys,
    acceptRealMs,
    ingestRealMs,
    alertsPerSecond: Math.round((alerts / ingestRealMs) * 1000),
    firstCalledAfterMs: Math.min(...firstCalls) - t0,
    allCalledAfterMs: Math.max(...firstCalls) - t0,
    settledAfterMs: h.time.now() - t0,
    settleRealMs,
    calls: calls.length,
    deferrals: h.published('CallDeferred').length,
    maxConcurrentCalls,
    maxStartsInOneSecond,
    maxCallsPerPhone,
    maxCovered,
    alertsRecorded,
  };
}
