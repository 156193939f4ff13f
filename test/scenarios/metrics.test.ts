import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../events/metrics.ts';
import { ACK_BUCKETS_SECONDS, prometheusName } from '../../infra/local/metrics.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';
import { AKI, BEN, xyzRoster } from './people.ts';

/**
 * `GET /api/metrics` counts a night correctly: the Prometheus text the runtime serves, parsed, holds
 * exactly what happened — checked against hard numbers and against the archive (the exact record).
 */

let h: Harness;

beforeEach(async () => {
  h = await Harness.start();
});

afterAll(closeDynalite);

/** A Prometheus text exposition (0.0.4), parsed strictly: every sample's family has HELP and TYPE before it. */
function parseExposition(text: string): { samples: Map<string, number>; types: Map<string, string> } {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  const helped = new Set<string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    if (help) {
      helped.add(help[1]!);
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      expect(types.has(type[1]!), `TYPE ${type[1]} twice`).toBe(false);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|\+Inf|NaN)$/.exec(line);
    expect(sample, `not a sample line: ${line}`).not.toBeNull();
    const [, name, labels = '', value] = sample!;
    const family = types.has(name!) ? name! : name!.replace(/_(bucket|sum|count)$/, '');
    expect(types.has(family), `${name} has no TYPE`).toBe(true);
    expect(helped.has(family), `${name} has no HELP`).toBe(true);
    const sorted = labels ? `{${labels.slice(1, -1).split(/,(?=[a-zA-Z_])/).sort().join(',')}}` : '';
    expect(samples.has(`${name}${sorted}`), `${name}${sorted} twice`).toBe(false);
    samples.set(`${name}${sorted}`, Number(value));
  }
  return { samples, types };
}

async function scrape(): Promise<{ samples: Map<string, number>; types: Map<string, string> }> {
  const response = await fetch(`${h.rt.url}/api/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

/**
 * What the notify handler published on the notification topic (GET /api/notifications, without the
 * dead-letter alarm's, which on AWS CloudWatch sends itself): the counter must say as many.
 */
async function notificationsPublished(): Promise<Record<string, number>> {
  const response = await fetch(`${h.rt.url}/api/notifications?limit=1000`);
  expect(response.status).toBe(200);
  const n = ((await response.json()) as { kind?: string }[]).filter((x) => x.kind !== 'dead-letters').length;
  return n ? { 'yobidashi_notifications_sent_total': n } : {};
}

/** The counters that are not zero, by `name{labels}`; histograms apart. */
function nonZeroCounters(scraped: { samples: Map<string, number>; types: Map<string, string> }): Record<string, number> {
  return Object.fromEntries([...scraped.samples].filter(([key, value]) => value !== 0 && scraped.types.get(key.replace(/\{.*$/, '')) === 'counter'));
}

describe('GET /api/metrics', () => {
  it('before anything happened: every metric of the catalog is described, counters without labels read 0', async () => {
    const scraped = await scrape();
    for (const name of METRIC_NAMES) expect(scraped.types.has(prometheusName(name)), name).toBe(true);
    expect(scraped.types.get('yobidashi_time_to_acknowledge_seconds')).toBe('histogram');
    expect(scraped.samples.get('yobidashi_incidents_exhausted_total')).toBe(0);
    expect(scraped.samples.get('yobidashi_alerts_received_total')).toBe(0);
    expect(nonZeroCounters(scraped)).toEqual({});
  });

  it('a night: acknowledged by the second responder after the first rang out (under Connect throttling), one suppressed by a silence, one rejected after its delivery was dead-lettered', async () => {
    await h.roster(xyzRoster({ people: 2 }));
    h.phone(AKI, { answer: false }); // rings out at 60 s
    h.phone(BEN, { answer: true, afterSeconds: 5, digits: '1' });

    // 1. Connect turns the first three placements away: the call is deferred three times (with backoff), then placed.
    h.rt.faults.add({ target: 'connect:StartOutboundVoiceContact', error: 'ThrottlingException', times: 3 });
    await h.sendAlert({ systemname: 'XYZ', host: 'server1', service: 'CPU' });
    await h.settle();
    h.expectCalls([AKI, BEN]);
    const incident = await h.onlyIncident();
    expect(incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Ben' });
    const secondsToAcknowledge = ((incident.closedAt as number) - incident.openedAt) / 1000;

    // 2. A silence on server2, then an alert for it: suppressed, nobody called.
    const silence = await fetch(`${h.rt.url}/api/silences`, { method: 'POST', body: JSON.stringify({ system: 'XYZ', host: 'server2', hours: 2 }) });
    expect(silence.status).toBe(201);
    await h.drain();
    await h.sendAlert({ systemname: 'XYZ', host: 'server2', service: 'Disk' });

    // 3. alert-received fails three invocations in a row: the delivery is a dead letter; the sweep
    //    redrives it, and the alert (it names no system) is rejected.
    h.rt.faults.add({ target: 'handler:alert-received', error: 'InternalError', times: 3 });
    await h.sendAlert({ host: 'server3', service: 'Memory' });
    await h.advance(200_000);
    expect(h.cloud.deadLetters.map((d) => d.handler)).toEqual(['alert-received']);
    await h.settle();
    expect(h.cloud.deadLetters).toEqual([]);
    h.expectCalls([]);

    const scraped = await scrape();
    expect(nonZeroCounters(scraped)).toEqual({
      'yobidashi_alerts_received_total': 3,
      'yobidashi_alerts_rejected_total': 1,
      'yobidashi_incidents_opened_total{system="XYZ"}': 1,
      'yobidashi_incidents_suppressed_total{system="XYZ"}': 1,
      'yobidashi_incidents_acknowledged_total{system="XYZ"}': 1,
      'yobidashi_calls_placed_total': 2,
      'yobidashi_calls_ended_total{outcome="no-answer"}': 1,
      'yobidashi_calls_ended_total{outcome="acknowledged"}': 1,
      'yobidashi_placements_deferred_total{reason="ThrottlingException"}': 3,
      'yobidashi_dead_letters_total{handler="alert-received"}': 1,
      // Whatever the notify handler told, counted once per notification published.
      ...(await notificationsPublished()),
    });
    // Time to acknowledge: one observation, the incident's own, in the buckets it falls in.
    const tta = 'yobidashi_time_to_acknowledge_seconds';
    expect(scraped.samples.get(`${tta}_count{system="XYZ"}`)).toBe(1);
    expect(scraped.samples.get(`${tta}_sum{system="XYZ"}`)).toBeCloseTo(secondsToAcknowledge, 3);
    expect(secondsToAcknowledge).toBeGreaterThan(60); // Aki rang out first
    for (const le of ACK_BUCKETS_SECONDS) expect(scraped.samples.get(`${tta}_bucket{le="${le}",system="XYZ"}`), `le=${le}`).toBe(secondsToAcknowledge <= le ? 1 : 0);
    expect(scraped.samples.get(`${tta}_bucket{le="+Inf",system="XYZ"}`)).toBe(1);

    // The archive is the exact record; here nothing was delivered twice, so the counts equal it.
    expect(h.published('CallPlaced')).toHaveLength(2);
    expect(h.published('CallEnded')).toHaveLength(2);
    expect(h.published('CallDeferred')).toHaveLength(3);
    expect(h.published('AlertRejected')).toHaveLength(1);

    // The console's view of the same registry.
    const json = (await (await fetch(`${h.rt.url}/api/metrics?format=json`)).json()) as { metrics: { name: string; series: { labels: Record<string, string>; value: number }[] }[] };
    expect(json.metrics.map((m) => m.name)).toEqual(METRIC_NAMES);
    expect(json.metrics.find((m) => m.name === 'CallsEnded')?.series).toEqual([
      { labels: { outcome: 'acknowledged' }, value: 1, count: 1 },
      { labels: { outcome: 'no-answer' }, value: 1, count: 1 },
    ]);
    expect((await fetch(`${h.rt.url}/api/metrics?format=xml`)).status).toBe(400);
  });

  it('nobody answered: the incident is exhausted, every call counted no-answer', async () => {
    await h.roster(xyzRoster({ people: 2, rounds: 2 }));
    h.phone(AKI, { answer: false });
    h.phone(BEN, { answer: false });
    await h.sendAlert({ systemname: 'XYZ', host: 'server1', service: 'CPU' });
    await h.settle();
    h.expectCalls([AKI, BEN, AKI, BEN]);
    expect((await h.onlyIncident()).status).toBe('exhausted');
    expect(nonZeroCounters(await scrape())).toEqual({
      'yobidashi_alerts_received_total': 1,
      'yobidashi_incidents_opened_total{system="XYZ"}': 1,
      'yobidashi_incidents_exhausted_total': 1,
      'yobidashi_calls_placed_total': 4,
      'yobidashi_calls_ended_total{outcome="no-answer"}': 4,
      // The notify handler told the notification target, once.
      'yobidashi_notifications_sent_total': 1,
    });
    expect(await notificationsPublished()).toEqual({ 'yobidashi_notifications_sent_total': 1 });
  });

  it("two incidents for one responder at once: the second waits for the line (paced), and is told after Aki's call and rest", async () => {
    await h.roster(xyzRoster({ people: 2, minCallGapSeconds: 60 }));
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    await h.put({ source: 'nagios', detailType: 'AlertReceived', detail: { alertinfo: [
      { systemname: 'XYZ', host: 'server1', service: 'CPU' },
      { systemname: 'XYZ', host: 'server2', service: 'CPU' },
    ] } });
    await h.settle();
    h.expectCalls([AKI, AKI]);
    // The archive says why server2's call waited: Aki was on server1's call, then resting after it.
    expect(h.published('CallDeferred').map((e) => (e.detail as { reason: string }).reason)).toEqual(['RESPONDER_ON_CALL', 'RESPONDER_RESTING']);
    expect(nonZeroCounters(await scrape())).toEqual({
      'yobidashi_alerts_received_total': 2,
      'yobidashi_incidents_opened_total{system="XYZ"}': 2,
      'yobidashi_incidents_acknowledged_total{system="XYZ"}': 2,
      'yobidashi_calls_placed_total': 2,
      'yobidashi_calls_ended_total{outcome="acknowledged"}': 2,
      'yobidashi_placements_paced_total{reason="RESPONDER_ON_CALL"}': 1,
      'yobidashi_placements_paced_total{reason="RESPONDER_RESTING"}': 1,
    });
  });
});
