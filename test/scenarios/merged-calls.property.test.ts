import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isTerminal } from '../../domain/incident.ts';
import type { PhoneBehaviour } from '../../infra/local/aws/connect/connect-simulator.ts';
import { closeDynalite, Harness } from '../harness/harness.ts';

/**
 * Merged calls under hostile delivery: several incidents for the same three people, arriving at
 * random moments, some resolved while they call, random phone behaviour, every event delivered up
 * to twice in shuffled order, random rests between calls. Whatever happens: never two live calls to
 * one phone, never a call when every incident it names is closed, every incident ends terminal,
 * no incident makes more attempts than roster × rounds, and nothing is dead-lettered.
 */
const PHONES = ['+819011110001', '+819011110002', '+819011110003'];
const ROUNDS = 2;
const behaviour = fc.constantFrom<PhoneBehaviour>(
  { answer: false },
  { busy: true },
  { answer: true, digits: '1' },
  { answer: true, digits: '3' },
  { answer: true, digits: '92#' },
  { answer: true, digits: '' },
  { answer: true, afterSeconds: 20, digits: '1' },
  { answer: true, hangUpAfterSeconds: 2 },
);
const arrival = fc.record({ atSeconds: fc.integer({ min: 0, max: 120 }), resolveAfterSeconds: fc.option(fc.integer({ min: 5, max: 200 }), { nil: undefined }) });

afterAll(closeDynalite);

describe('merged calls under hostile delivery', () => {
  it('keep every invariant', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(behaviour, { minLength: 3, maxLength: 3 }),
        fc.array(arrival, { minLength: 2, maxLength: 5 }),
        fc.constantFrom(0, 30, 60),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (phones, arrivals, gap, duplicates, seed) => {
          const h = await Harness.start();
          await h.roster({ system: 'XYZ', rounds: ROUNDS, minCallGapSeconds: gap, responders: PHONES.map((phone, i) => ({ name: `r${i}`, phone, language: 'en-US' })) });
          phones.forEach((b, i) => h.phone(PHONES[i]!, b));
          let state = seed;
          h.time.shuffle = () => (state = (state * 16807) % 2147483647) / 2147483647;
          h.cloud.duplicates = duplicates;

          const violations: string[] = [];
          const start = h.phones.startCall.bind(h.phones);
          h.phones.startCall = async (request) => {
            const known = h.phones.contactFor(request.clientToken);
            if (!known) {
              const live = h.phones.calls.filter((c) => c.destination === request.destination && h.phones.status(c).endedAt === undefined);
              if (live.length > 0) violations.push(`second live call to ${request.destination}`);
              const named = (request.attributes.covers ?? '').split(',').map((pair) => pair.split(':')[0] ?? '');
              const incidents = await Promise.all(named.map((id) => h.store.getIncident(id)));
              if (incidents.every((i) => i === undefined || isTerminal(i.status))) violations.push(`call to ${request.destination} for closed incidents only`);
            }
            return start(request);
          };

          const events = arrivals
            .flatMap((a, i) => {
              const host = `web${i}`;
              const fire = { at: a.atSeconds * 1000, detail: { systemname: 'XYZ', host, service: 'CPU' } };
              return a.resolveAfterSeconds === undefined ? [fire] : [fire, { at: (a.atSeconds + a.resolveAfterSeconds) * 1000, detail: { ...fire.detail, status: 'resolved' } }];
            })
            .sort((a, b) => a.at - b.at);
          const began = h.time.now();
          for (const event of events) {
            await h.time.advanceTo(began + event.at);
            await h.sendAlert(event.detail);
          }
          for (let step = 0; step < 300 && h.time.pending() > 0; step++) {
            await h.advance(10_000);
            if (h.cloud.pending() === 0) violations.push(...(await h.invariantViolations()));
          }
          await h.settle();

          expect(violations).toEqual([]);
          const incidents = await h.incidents();
          expect(incidents.length).toBeGreaterThan(0);
          for (const incident of incidents) {
            expect(isTerminal(incident.status), `${incident.host} is ${incident.status}`).toBe(true);
            expect(incident.attempt).toBeLessThanOrEqual(PHONES.length * ROUNDS);
          }
          expect(h.deadLetters()).toEqual([]);
          await h.close();
        },
      ),
      { numRuns: 15 },
    );
  }, 300_000);
});
