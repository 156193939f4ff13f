import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { PhoneBehaviour } from '../../infra/local/aws/connect/connect-simulator.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';

/**
 * The real handlers, store and contact flow under hostile delivery: every event delivered up to
 * three times, in shuffled order, with random phone behaviour, and sometimes every call's first
 * announcement lost. Whatever happens, nobody is called
 * twice at once, nobody is called after the incident was acknowledged or silenced, the order is
 * the roster's, the incident ends, and while it is open it always has a live call or a pending
 * check.
 */
const PHONES = ['+819011110001', '+819011110002', '+819011110003'];
const behaviour = fc.constantFrom<PhoneBehaviour>(
  { answer: false },
  { busy: true },
  { invalid: true },
  { answer: true, digits: '1' },
  { answer: true, digits: '3' },
  { answer: true, digits: '912#' },
  { answer: true, digits: '' },
  { answer: true, hangUpAfterSeconds: 2 },
);

afterAll(closeDynalite);

describe('hostile delivery through the real handlers', () => {
  it('keeps every invariant', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(behaviour, { minLength: 3, maxLength: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.boolean(), async (phones, duplicates, seed, loseAnnouncements) => {
        const h = await Harness.start();
        await h.roster({ system: 'XYZ', rounds: 2, responders: PHONES.map((phone, i) => ({ name: `r${i}`, phone })) });
        phones.forEach((b, i) => h.phone(PHONES[i]!, b));
        let state = seed;
        h.time.shuffle = () => ((state = (state * 16807) % 2147483647) / 2147483647);
        h.cloud.duplicates = duplicates;
        const violations: string[] = [];
        if (loseAnnouncements) {
          // The first announcement of every call (Escalated) is lost on the way to the bus.
          const publish = h.deps.bus.publish.bind(h.deps.bus);
          const announced = new Set<number>();
          h.deps.bus.publish = async (events) =>
            publish(
              events.filter((e) => {
                if (e.detailType !== 'Escalated') return true;
                const attempt = (e.detail as { attempt: number }).attempt;
                if (announced.has(attempt)) return true;
                announced.add(attempt);
                return false;
              }),
            );
        }
        const start = h.phones.startCall.bind(h.phones);
        h.phones.startCall = async (request) => {
          const existing = h.phones.calls.find((c) => `${c.attributes.incidentId}:${c.attributes.attempt}` === request.clientToken);
          const incident = (await h.incidents())[0];
          // Active = placed and its outcome not yet known. (A skipped call may still be saying
          // "calling the next person" while the next one rings: its outcome is already recorded.)
          const contacts = incident ? (await h.store.timeline(incident.incidentId)).contacts : [];
          const undecided = contacts.filter((c) => c.outcome === undefined);
          if (!existing && undecided.length > 0) violations.push(`call to ${request.destination} while attempt ${undecided[0]!.attempt} was undecided`);
          if (incident && incident.status !== 'open') violations.push(`call placed while the incident was ${incident.status}`);
          return start(request);
        };
        await h.sendAlert({ alertinfo: [{ host: 'server1', service: 'CPU', systemname: 'XYZ' }] });
        // Step through it, checking the invariant whenever nothing is being delivered.
        for (let step = 0; step < 200 && h.time.pending() > 0; step++) {
          await h.advance(10_000);
          if (h.cloud.pending() === 0) violations.push(...(await h.invariantViolations()));
        }
        await h.settle();
        const incident = await h.onlyIncident();
        const called = h.phones.calls.map((c) => PHONES.indexOf(c.destination));
        expect(violations).toEqual([]);
        expect(called).toEqual(called.map((_, i) => i % 3)); // 1,2,3,1,2,3
        expect(called.length).toBeLessThanOrEqual(6);
        // (A duplicated delivery republishes its change, so only single delivery loses the first call's announcement for good.)
        if (loseAnnouncements && duplicates === 1) expect(h.published('Escalated').filter((e) => (e.detail as { attempt: number }).attempt === 1)).toEqual([]);
        expect(['acknowledged', 'silenced', 'exhausted']).toContain(incident.status);
        const stopper = phones.findIndex((b) => 'digits' in b && (b.digits === '1' || b.digits === '912#'));
        if (stopper === -1) expect(called).toHaveLength(6);
        else expect(called).toHaveLength(stopper + 1);
        expect(h.deadLetters()).toEqual([]);
      }),
      { numRuns: 20 },
    );
  }, 120_000);
});
