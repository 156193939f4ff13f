import { afterAll, describe, expect, it } from 'vitest';
import { CONNECT_LIMITS } from '../../infra/local/aws/connect/connect-service.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';
import { runStorm } from './storm.ts';

/**
 * An alert storm through the whole local cloud: 1,000 alerts over 100 dedup keys, ten to a
 * PutEvents call, all at once, for one roster. Every incident waits for its responder's line and
 * is told in a merged call: a handful of calls, never two at once on one phone, every incident
 * acknowledged, nothing in a dead letter, Connect's quotas never exceeded.
 * (`npm run bench` runs it ten times larger.)
 */

afterAll(closeDynalite);

describe('an alert storm', () => {
  it('1,000 alerts over 100 keys: every incident acknowledged, far fewer calls than incidents, one call at a time per phone, zero dead letters, quotas kept', async () => {
    const h = await Harness.start();
    const result = await runStorm(h, { alerts: 1_000, keys: 100 });

    const incidents = await h.incidents();
    expect(incidents).toHaveLength(100);
    expect(incidents.filter((i) => i.status !== 'acknowledged')).toEqual([]);
    // Merged calls: a handful of calls answer for a hundred incidents, and no phone ever rang twice at once.
    expect(result.calls).toBeLessThan(10);
    expect(result.maxCovered).toBeGreaterThan(10);
    expect(result.maxCallsPerPhone).toBe(1);
    // Every incident was named in exactly one call that it heard the end of.
    const covered = new Map<string, number>();
    for (const call of h.phones.calls) for (const pair of (call.attributes.covers ?? '').split(',')) covered.set(pair.split(':')[0] ?? '', (covered.get(pair.split(':')[0] ?? '') ?? 0) + 1);
    expect([...covered.keys()].sort()).toEqual(incidents.map((i) => i.incidentId).sort());
    expect(h.deadLetters()).toEqual([]);
    // Every alert is on record: 100 opened their incident, 900 joined one.
    expect(result.alertsRecorded).toBe(1_000);
    expect(result.maxConcurrentCalls).toBeLessThanOrEqual(CONNECT_LIMITS.concurrentCalls);
    expect(result.maxStartsInOneSecond).toBeLessThanOrEqual(CONNECT_LIMITS.burst + CONNECT_LIMITS.startsPerSecond);
    expect(result.firstCalledAfterMs).toBeLessThan(1_000);
    expect(result.allCalledAfterMs).toBeLessThan(10 * 60_000);
    h.expectCalls(h.phones.calls.map((c) => c.destination));
    await h.assertNoUnexpectedCalls();
  }, 120_000);
});
