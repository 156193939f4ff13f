import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finishCall, handoverTarget, openIncident, rostersCalled, silenceScopeOf, type HandoverLookup, type Incident } from '../../domain/incident.ts';
import { MAX_ROSTERS_PER_INCIDENT, rosterProblems, rosterSchema, type Roster } from '../../domain/roster.ts';
import { alert, roster, T0 } from './fixtures.ts';

/** onExhausted: when a roster's rounds run out, escalation goes on with another roster; every chain ends. */

const team = (onExhausted?: string): Roster => roster(['Aki', 'Ben'], { rounds: 1, groupBy: ['system', 'host'], ...(onExhausted ? { onExhausted: { roster: onExhausted } } : {}) });
const named = (system: string, names: string[], onExhausted?: string, rounds = 1): Roster => ({ ...roster(names, { rounds }), system, ...(onExhausted ? { onExhausted: { roster: onExhausted } } : {}) });

function open(r: Roster): Incident {
  return openIncident({ incidentId: 'inc', alert: alert(), alertId: 'a:0', now: T0 }, r).incident;
}

/** Ends the current call unanswered; looks the onExhausted roster up in `rosters` as the handler does. */
function unanswered(incident: Incident, rosters: Record<string, Roster>, now: number) {
  const target = handoverTarget(incident);
  const lookup: HandoverLookup | undefined = target && !target.problem ? { roster: target.roster, found: rosters[target.roster] } : undefined;
  const decision = finishCall(incident, { attempt: incident.attempt, outcome: 'no-answer' }, now, lookup);
  if (!decision.changed) throw new Error(decision.reason);
  return decision;
}

describe('onExhausted in the roster schema', () => {
  it('takes { roster } and refuses a misspelt key or an empty name', () => {
    expect(rosterSchema.parse({ ...team(), onExhausted: { roster: ' XYZ-managers ' } }).onExhausted).toEqual({ roster: 'XYZ-managers' });
    const misspelt = rosterSchema.safeParse({ ...team(), onExhausted: { rooster: 'XYZ-managers' } });
    expect(misspelt.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'onExhausted.roster: Invalid input: expected string, received undefined',
      'onExhausted: Unrecognized key: "rooster"',
    ]);
    expect(rosterSchema.safeParse({ ...team(), onExhausted: { roster: '' } }).success).toBe(false);
    expect(rosterSchema.safeParse({ ...team(), onExhausted: 'XYZ-managers' }).success).toBe(false);
  });

  it('a roster cannot hand over to itself', () => {
    expect(rosterProblems(team('XYZ'))).toEqual([{ path: ['onExhausted', 'roster'], message: 'must name another roster: "XYZ" cannot hand over to itself' }]);
    expect(rosterProblems(team('XYZ-managers'))).toEqual([]);
    expect(rosterProblems(team())).toEqual([]);
  });
});

describe('rounds run out with onExhausted', () => {
  const managers = named('XYZ-managers', ['Mio', 'Nao']);

  it('goes on with the managers: same incident, still open, their first responder next, the hand-over on the timeline', () => {
    let incident = open(team('XYZ-managers'));
    expect(incident.roster).toMatchObject({ system: 'XYZ', onExhausted: { roster: 'XYZ-managers' } });
    incident = unanswered(incident, {}, T0 + 60_000).incident as Incident; // Aki → Ben
    const handed = unanswered(incident, { 'XYZ-managers': managers }, T0 + 120_000);
    if (!handed.changed) throw new Error('unchanged');
    expect(handed.incident.status).toBe('open');
    expect(handed.incident.attempt).toBe(3);
    expect(handed.incident.call).toMatchObject({ attempt: 3, slot: 0, round: 1, responderIndex: 0 });
    expect(handed.incident.roster.responders.map((r) => r.name)).toEqual(['Mio', 'Nao']);
    expect(handed.incident.roster.system).toBe('XYZ-managers');
    expect(handed.incident.roster.onExhausted).toBeUndefined();
    expect(handed.incident.handovers).toEqual([{ from: 'XYZ', to: 'XYZ-managers', at: T0 + 120_000, afterAttempt: 2 }]);
    expect(handed.events.map((e) => e.detailType)).toEqual(['RosterExhausted', 'Escalated']);
    expect(handed.events[0]?.detail).toEqual({ schemaVersion: 1, incidentId: 'inc', roster: 'XYZ', callsPlaced: 2, next: 'XYZ-managers', at: new Date(T0 + 120_000).toISOString() });
    expect(handed.events[1]?.detail).toMatchObject({ attempt: 3, round: 1, responder: { index: 0, name: 'Mio' }, because: 'no-answer' });
    // The incident's grouping (and so a keypad silence's scope) stays the team's.
    expect(silenceScopeOf(handed.incident)).toEqual({ system: 'XYZ', host: 'server1' });
    expect(rostersCalled(handed.incident)).toEqual(['XYZ', 'XYZ-managers']);
  });

  it('a manager acknowledging acknowledges the incident', () => {
    let incident = open(team('XYZ-managers'));
    incident = unanswered(incident, {}, T0 + 60_000).incident as Incident;
    incident = unanswered(incident, { 'XYZ-managers': managers }, T0 + 120_000).incident as Incident;
    const ack = finishCall(incident, { attempt: 3, outcome: 'acknowledged' }, T0 + 180_000);
    expect(ack.changed && ack.incident.status).toBe('acknowledged');
    expect(ack.changed && ack.incident.acknowledgedBy).toBe('Mio');
  });

  it('the managers run out too: exhausted, every call counted', () => {
    let incident = open(team('XYZ-managers'));
    const rosters = { 'XYZ-managers': managers };
    for (let i = 0; i < 3; i++) incident = unanswered(incident, rosters, T0 + (i + 1) * 60_000).incident as Incident;
    const last = unanswered(incident, rosters, T0 + 300_000);
    expect(last.incident.status).toBe('exhausted');
    expect(last.events.map((e) => [e.detailType, e.detail])).toEqual([
      ['IncidentExhausted', { schemaVersion: 1, incidentId: 'inc', callsPlaced: 4, reason: 'rounds-used-up', roster: 'XYZ-managers', at: new Date(T0 + 300_000).toISOString() }],
    ]);
  });

  it('a roster not imported (yet): exhausted, saying which roster was missing', () => {
    let incident = open(team('XYZ-managers'));
    incident = unanswered(incident, {}, T0 + 60_000).incident as Incident;
    const last = unanswered(incident, {}, T0 + 120_000);
    expect(last.incident.status).toBe('exhausted');
    expect(last.events[0]?.detail).toMatchObject({ reason: 'rounds-used-up', roster: 'XYZ', handover: { roster: 'XYZ-managers', problem: 'not-found' } });
  });

  it('a cycle A → B → A ends when B runs out: A is never called twice', () => {
    const a = named('A', ['a1'], 'B');
    const b = named('B', ['b1'], 'A');
    let incident = open(a);
    const rosters = { A: a, B: b };
    const first = unanswered(incident, rosters, T0 + 60_000);
    expect(first.events.map((e) => e.detailType)).toEqual(['RosterExhausted', 'Escalated']);
    incident = first.incident as Incident;
    expect(handoverTarget(incident)).toEqual({ roster: 'A', problem: 'already-called' });
    const last = unanswered(incident, rosters, T0 + 120_000);
    expect(last.events[0]?.detail).toMatchObject({ roster: 'B', handover: { roster: 'A', problem: 'already-called' } });
  });

  it('a finishing call that needed the roster looked up refuses to guess', () => {
    const incident = open(named('A', ['a1'], 'B'));
    expect(() => finishCall(incident, { attempt: 1, outcome: 'no-answer' }, T0 + 1)).toThrow(/roster B was not looked up/);
    expect(() => finishCall(incident, { attempt: 1, outcome: 'no-answer' }, T0 + 1, { roster: 'C', found: undefined })).toThrow(/roster B was not looked up/);
  });

  it('the answer before the rounds run out needs no lookup', () => {
    const incident = open(named('A', ['a1', 'a2'], 'B'));
    expect(finishCall(incident, { attempt: 1, outcome: 'no-answer' }, T0 + 1).changed).toBe(true);
  });
});

describe('every onExhausted chain ends (property)', () => {
  const world = fc.record({
    // Up to six rosters, each naming any roster (itself included, as a hand edit might) or none.
    sizes: fc.array(fc.record({ people: fc.integer({ min: 1, max: 3 }), rounds: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 6 }),
    next: fc.array(fc.option(fc.nat({ max: 7 }), { nil: undefined }), { minLength: 6, maxLength: 6 }),
  });

  it('never calls a roster twice, calls at most MAX_ROSTERS_PER_INCIDENT rosters, and ends exhausted', () => {
    fc.assert(
      fc.property(world, ({ sizes, next }) => {
        const rosters: Record<string, Roster> = {};
        sizes.forEach((s, i) => {
          const target = next[i];
          rosters[`R${i}`] = named(`R${i}`, Array.from({ length: s.people }, (_, p) => `p${i}-${p}`), target === undefined ? undefined : `R${target}`, s.rounds);
        });
        let incident = open(rosters.R0 as Roster);
        const bound = sizes.reduce((n, s) => n + s.people * s.rounds, 0);
        let calls = 1;
        while (incident.status === 'open') {
          incident = unanswered(incident, rosters, T0 + calls * 60_000).incident as Incident;
          if (incident.status === 'open') calls++;
          expect(calls).toBeLessThanOrEqual(bound);
        }
        expect(incident.status).toBe('exhausted');
        const called = rostersCalled(incident);
        expect(new Set(called).size).toBe(called.length);
        expect(called.length).toBeLessThanOrEqual(MAX_ROSTERS_PER_INCIDENT);
        expect(incident.attempt).toBe(calls);
        const planned = called.reduce((n, name) => n + (rosters[name] as Roster).responders.length * (rosters[name] as Roster).rounds, 0);
        expect(calls).toBe(planned);
      }),
      { numRuns: 300 },
    );
  });
});
