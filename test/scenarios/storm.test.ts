import { afterAll, describe, expect, it } from 'vitest';
import { CONNECT_LIMITS } from '../../infra/local/connect-service.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';
import { runStorm, STORM_PHONES } from './storm.ts';

/**
 * An alert storm through the whole local cloud: 1,000 alerts over 100 dedup keys, ten to a
 * PutEvents call, all at once. Connect takes 2 starts a second (burst 5) and 10 calls at a time,
 * so most placements are turned away at first. Every incident must still be called exactly once
 * and acknowledged, nothing may end in a dead letter, and the quotas are never exceeded.
 * (`npm run bench` runs it ten times larger.)
 */

afterAll(closeDynalite);

describe('an alert storm', () => {
  it('1,000 alerts over 100 keys: every incident called once and acknowledged, zero dead letters, quotas kept', async () => {
    const h = await Harness.start();
    const result = await runStorm(h, { alerts: 1_000, keys: 100 });

    const incidents = await h.incidents();
    expect(incidents).toHaveLength(100);
    expect(incidents.filter((i) => i.status !== 'acknowledged')).toEqual([]);
    expect(incidents.every((i) => i.attempt === 1)).toBe(true);
    // One call per incident: no incident was ever phoned twice.
    const perIncident = new Map<string, number>();
    for (const call of h.phones.calls) perIncident.set(call.attributes.incidentId ?? '', (perIncident.get(call.attributes.incidentId ?? '') ?? 0) + 1);
    expect(perIncident.size).toBe(100);
    expect([...perIncident.values()].every((n) => n === 1)).toBe(true);
    expect(h.deadLetters()).toEqual([]);
    // Every alert is on record: 100 opened their incident, 900 joined one.
    expect(result.alertsRecorded).toBe(1_000);

    // The storm really met Connect's quotas (so the test can fail), and they held, measured from the calls themselves.
    expect(h.published('CallDeferred').length).toBeGreaterThan(50);
    expect(result.maxConcurrentCalls).toBeLessThanOrEqual(CONNECT_LIMITS.concurrentCalls);
    expect(result.maxStartsInOneSecond).toBeLessThanOrEqual(CONNECT_LIMITS.burst + CONNECT_LIMITS.startsPerSecond);
    expect(h.rt.connect.peaks.concurrentCalls).toBe(result.maxConcurrentCalls);
    // Ten at a time, ~10 s each: a hundred calls need at least ~100 s; backoff may add a few minutes, not more.
    expect(result.allCalledAfterMs).toBeGreaterThan(60_000);
    expect(result.allCalledAfterMs).toBeLessThan(15 * 60_000);
    expect(result.firstCalledAfterMs).toBeLessThan(1_000);
    h.expectCalls(Array.from({ length: 100 }, () => STORM_PHONES[0] as string)); // everyone's first responder, once per incident
    await h.assertNoUnexpectedCalls();
  }, 120_000);
});
