import { afterAll, bench, describe } from 'vitest';
import { CALL_FLOW, runContact } from '../../contact-flow/index.ts';
import { finishCall, openIncident } from '../../domain/incident.ts';
import { rosterSchema } from '../../domain/roster.ts';
import { parseAlertReceived } from '../../events/alerts.ts';
import { compileEventPattern } from '../../events/pattern/index.ts';
import { ROUTES } from '../../events/routes.ts';
import { flowResultHandler } from '../../handlers/index.ts';
import { closeDynalite, Harness, T0 } from '../harness/harness.ts';
import { runStorm } from '../scenarios/storm.ts';

/**
 * `npm run bench`: how fast the parts are, printed as figures (never asserted in tests).
 * - routing one event against every rule of the routing table
 * - one escalation decision
 * - one whole call through the contact-flow interpreter
 * - the flow-result handler answering the flow (real store on dynalite) — it must stay far below
 *   the flow's 8 s Lambda limit
 * - the article's nine-call scenario end to end on the harness (the local runtime on virtual time)
 * - an alert storm, 10,000 alerts over 1,000 keys (the test runs a tenth of it): alerts/s ingested,
 *   the calls it took (merged calls, one at a time per phone) and the simulated time until every
 *   incident has been called
 */

const roster = rosterSchema.parse({
  system: 'XYZ',
  responders: ['a', 'b', 'c'].map((name, i) => ({ name, phone: `+81901111000${i}` })),
});
const [alert] = parseAlertReceived({ alertinfo: [{ host: 'server1', service: 'CPU', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }] }).alerts;
const opened = openIncident({ incidentId: 'inc', alert: alert!, alertId: 'a:0', now: T0 }, roster).incident;
const matchers = ROUTES.map((r) => compileEventPattern(r.eventPattern));
const envelope = {
  version: '0', id: 'e', 'detail-type': 'Escalated', source: 'yobidashi', account: '1', time: '2026-11-24T01:00:00Z', region: 'us-east-1', resources: [],
  detail: { schemaVersion: 1, incidentId: 'inc', attempt: 1 },
};

afterAll(closeDynalite);

describe('pure parts', () => {
  bench('route one event through the routing table', () => {
    for (const matches of matchers) matches(envelope);
  });
  bench('one escalation decision (no answer → next responder)', () => {
    finishCall(opened, { attempt: 1, outcome: 'no-answer' }, T0 + 60_000);
  });
  bench('one call through the contact-flow interpreter (press 1)', async () => {
    await runContact(CALL_FLOW, {
      contactId: 'c',
      attributes: { language: 'en-US', messageSsml: 'An alert.', incidentId: 'inc', attempt: '1' },
      callee: { kind: 'answer', presses: [{ keys: '1', atSeconds: 2 }] },
      invokeLambda: async () => ({ status: 'recorded', outcome: 'acknowledged' }),
      startMs: T0,
    });
  });
});

describe('with the store (dynalite)', async () => {
  const h = await Harness.start();
  const handler = flowResultHandler(h.deps);
  let attempt = 0;
  bench(
    'flow-result handler: record a keypad result and publish CallEnded',
    async () => {
      attempt++;
      await h.store.createContact({ incidentId: 'inc-b', attempt, contactId: `c-${attempt}`, responderIndex: 0, responderName: 'a', destination: '+81*', placedAt: T0, check_flag: false });
      await handler({ Details: { ContactData: { ContactId: `c-${attempt}`, Attributes: {} }, Parameters: { choice: '1', hours: '0', incidentId: 'inc-b', attempt: String(attempt) } } });
    },
    { iterations: 200 },
  );
  bench(
    "the article's nine-call scenario, end to end on virtual time",
    async () => {
      const run = await Harness.start();
      await run.roster({ system: 'XYZ', responders: roster.responders });
      await run.sendAlert({ alertinfo: [{ host: 'server1', service: 'CPU', systemname: 'XYZ' }] });
      await run.settle();
      if (run.phones.calls.length !== 9) throw new Error(`expected 9 calls, got ${run.phones.calls.length}`);
    },
    { iterations: 10, time: 0 },
  );
});

describe('alert storm', () => {
  bench(
    '10,000 alerts over 1,000 keys through the local cloud (virtual time)',
    async () => {
      const h = await Harness.start();
      const r = await runStorm(h, { alerts: 10_000, keys: 1_000 });
      const incidents = await h.incidents();
      const acknowledged = incidents.filter((i) => i.status === 'acknowledged').length;
      const lines = [
        `storm: ${r.alerts} alerts over ${r.keys} keys, ${incidents.length} incidents, ${acknowledged} acknowledged, ${r.calls} calls, ${h.cloud.deadLetters.length} dead letters`,
        `  ingested: ${r.alertsPerSecond} alerts/s (${(r.ingestRealMs / 1000).toFixed(1)} s real for every AlertReceived and what it set off)`,
        // docs/performance.md: accepted by the bus (in process, before any handler runs) and incidents opened while ingesting.
        `  accepted: ${Math.round((r.alerts / r.acceptRealMs) * 1000)} alerts/s (${(r.acceptRealMs / 1000).toFixed(1)} s real); opened: ${((incidents.length / r.ingestRealMs) * 1000).toFixed(1)} incidents/s`,
        `  every incident called after ${(r.allCalledAfterMs / 1000).toFixed(0)} s simulated (first after ${(r.firstCalledAfterMs / 1000).toFixed(1)} s); all settled after ${(r.settledAfterMs / 1000).toFixed(0)} s simulated, ${(r.settleRealMs / 1000).toFixed(1)} s real`,
        `  calls: largest merged call ${r.maxCovered} incidents; at most ${r.maxCallsPerPhone} call at once per phone; ${r.deferrals} waits recorded (a responder's line or Connect's quota)`,
        `  Connect: peak ${r.maxConcurrentCalls} concurrent calls, peak ${r.maxStartsInOneSecond} starts in one second`,
      ];
      console.log(lines.join('\n'));
      await h.close();
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
