import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finishCall, openIncident, resolveIncident, type CallFinished, type Decision, type Incident } from '../../domain/incident.ts';
import { repageDueAt, repageIncident, repageVerdict, silenceInsteadOfRepage, type RepageContext } from '../../domain/repage.ts';
import { MAX_REPAGE_MINUTES, MIN_REPAGE_MINUTES, rosterSchema, type Roster } from '../../domain/roster.ts';
import type { Silence } from '../../domain/silence.ts';
import { alert, roster, T0 } from './fixtures.ts';

const MINUTE = 60_000;

function changed(decision: Decision): Incident {
  if (!decision.changed) throw new Error(`expected a change, got: ${decision.reason}`);
  return decision.incident;
}

const team = (extra: Parameters<typeof roster>[1] = {}, hours: (string | undefined)[] = []): Roster => roster(['Aki', 'Ben', 'Cho'], { repageAfterMinutes: 30, ...extra }, hours);

/** Opened at T0; the calls before `acknowledgedOn` unanswered; that one acknowledged at T0 + attempt minutes. */
function acknowledged(r: Roster = team(), acknowledgedOn = 1): Incident {
  let incident = openIncident({ incidentId: 'inc-1', alert: alert(), alertId: 'e:0', now: T0 }, r).incident;
  for (let attempt = 1; attempt <= acknowledgedOn; attempt++) {
    const finished: CallFinished = { attempt, outcome: attempt === acknowledgedOn ? 'acknowledged' : 'no-answer' };
    incident = changed(finishCall(incident, finished, T0 + attempt * MINUTE));
  }
  return incident;
}

const context = (r: Roster | undefined = team(), extra: Partial<RepageContext> = {}): RepageContext => ({ roster: r, latestOfGroup: true, silences: [], ...extra });

/** The responders a re-paged incident calls while nobody answers, in order, until it ends. */
function callsAfterRepage(incident: Incident, now: number): string[] {
  const names: string[] = [];
  let current = incident;
  for (let guard = 0; current.status === 'open' && guard < 100; guard++) {
    names.push(current.roster.responders[current.call!.responderIndex]!.name);
    current = changed(finishCall(current, { attempt: current.attempt, outcome: 'no-answer' }, now + (guard + 1) * MINUTE));
  }
  return names;
}

describe('when a re-page is due', () => {
  it('the acknowledgement plus the roster’s repageAfterMinutes; none without the setting or for another acknowledgement', () => {
    const incident = acknowledged();
    expect(repageDueAt(incident, 1, team())).toBe(T0 + MINUTE + 30 * MINUTE);
    expect(repageDueAt(incident, 1, roster(['Aki', 'Ben', 'Cho']))).toBeUndefined();
    expect(repageDueAt(incident, 1, undefined)).toBeUndefined();
    expect(repageDueAt(incident, 2, team())).toBeUndefined();
  });
});

describe('the verdict when it falls due', () => {
  const due = { attempt: 1, dueAt: T0 + 31 * MINUTE };
  const now = due.dueAt + 5_000;

  it('re-pages an incident still acknowledged by that call', () => {
    expect(repageVerdict(acknowledged(), due, context(), now)).toMatchObject({ kind: 'repage', roster: { system: 'XYZ' } });
  });

  it('does nothing once resolved, or acknowledged again since', () => {
    const resolved = changed(resolveIncident(acknowledged(), 'e:9', T0 + 10 * MINUTE));
    expect(repageVerdict(resolved, due, context(), now)).toEqual({ kind: 'none', reason: 'incident is resolved' });
    const repaged = changed(repageIncident(acknowledged(), due, team(), now));
    const again = changed(finishCall(repaged, { attempt: 2, outcome: 'acknowledged' }, now + MINUTE));
    expect(repageVerdict(again, due, context(), now + 2 * MINUTE)).toEqual({ kind: 'none', reason: 'acknowledged again since attempt 1' });
    // The re-page already made (a duplicated delivery): open, not acknowledged.
    expect(repageVerdict(repaged, due, context(), now).kind).toBe('none');
  });

  it('does nothing for a silenced or exhausted incident', () => {
    const silencedIncident = changed(finishCall(openIncident({ incidentId: 'inc-1', alert: alert(), alertId: 'e:0', now: T0 }, team()).incident, { attempt: 1, outcome: 'silenced', silenceHours: 2 }, T0 + MINUTE));
    expect(repageVerdict(silencedIncident, due, context(), now)).toEqual({ kind: 'none', reason: 'incident is silenced' });
    let exhausted = openIncident({ incidentId: 'inc-1', alert: alert(), alertId: 'e:0', now: T0 }, team({ rounds: 1 })).incident;
    for (let attempt = 1; attempt <= 3; attempt++) exhausted = changed(finishCall(exhausted, { attempt, outcome: 'no-answer' }, T0 + attempt * MINUTE));
    expect(exhausted.status).toBe('exhausted');
    expect(repageVerdict(exhausted, { attempt: 3, dueAt: now }, context(), now)).toEqual({ kind: 'none', reason: 'incident is exhausted' });
  });

  it('reads the roster as it is now: gone or without the setting, nothing; waiting longer, later', () => {
    expect(repageVerdict(acknowledged(), due, { roster: undefined, latestOfGroup: true, silences: [] }, now)).toEqual({ kind: 'none', reason: 'roster XYZ no longer exists' });
    expect(repageVerdict(acknowledged(), due, context(roster(['Aki', 'Ben', 'Cho'])), now)).toEqual({ kind: 'none', reason: 'roster XYZ no longer re-pages' });
    expect(repageVerdict(acknowledged(), due, context(team({ repageAfterMinutes: 60 })), now)).toEqual({ kind: 'later', dueAt: T0 + 61 * MINUTE });
    // Shorter now: due already, re-paged at once.
    expect(repageVerdict(acknowledged(), due, context(team({ repageAfterMinutes: 10 })), now).kind).toBe('repage');
  });

  it('leaves an incident a newer one of its group has replaced, and silences one a silence covers', () => {
    expect(repageVerdict(acknowledged(), due, context(team(), { latestOfGroup: false }), now)).toEqual({ kind: 'none', reason: 'a newer incident of its group has opened' });
    const silence: Silence = { silenceId: 'sil-1', scope: { system: 'XYZ' }, from: T0, until: now + 60 * MINUTE, createdBy: 'api' };
    const elsewhere: Silence = { ...silence, silenceId: 'sil-2', scope: { system: 'XYZ', host: 'db1' } };
    const over: Silence = { ...silence, silenceId: 'sil-3', until: now - 1 };
    expect(repageVerdict(acknowledged(), due, context(team(), { silences: [elsewhere, over] }), now).kind).toBe('repage');
    expect(repageVerdict(acknowledged(), due, context(team(), { silences: [silence] }), now)).toEqual({ kind: 'silence', silence });
    const silenced = changed(silenceInsteadOfRepage(acknowledged(), due, silence, now));
    expect(silenced).toMatchObject({ status: 'silenced', silenceId: 'sil-1' });
    expect(silenced.outbox.map((e) => e.detailType)).toEqual(['IncidentSilenced']);
  });
});

describe('the re-page', () => {
  const now = T0 + 40 * MINUTE;

  it('opens the incident again and calls the acknowledger first, then the roster from the top, their own first-round slot passed over', () => {
    const incident = acknowledged(team({ rounds: 2 }), 2); // Ben acknowledged
    const repaged = changed(repageIncident(incident, { attempt: 2, dueAt: now }, team({ rounds: 2 }), now));
    expect(repaged).toMatchObject({ status: 'open', attempt: 3, call: { attempt: 3, responderIndex: 1, round: 1 }, repage: { count: 1, by: 'Ben', afterAttempt: 2, at: now, skipSlot: 1 } });
    expect(repaged.closedAt).toBeUndefined();
    expect(repaged.acknowledgedBy).toBeUndefined();
    expect(repaged.outbox.map((e) => e.detailType)).toEqual(['IncidentRepaged', 'Escalated']);
    expect(repaged.outbox[0]!.detail).toMatchObject({ count: 1, acknowledgedBy: 'Ben', afterAttempt: 2, roster: 'XYZ', repageAfterMinutes: 30, acknowledgerFirst: true });
    expect(repaged.outbox[1]!.detail).toMatchObject({ attempt: 3, because: 'repaged', responder: { name: 'Ben' } });
    expect(callsAfterRepage(repaged, now)).toEqual(['Ben', 'Aki', 'Cho', 'Aki', 'Ben', 'Cho']);
  });

  it('an acknowledger first in the roster is not phoned twice in a row', () => {
    const repaged = changed(repageIncident(acknowledged(team({ rounds: 1 }), 1), { attempt: 1, dueAt: now }, team({ rounds: 1 }), now));
    expect(callsAfterRepage(repaged, now)).toEqual(['Aki', 'Ben', 'Cho']);
  });

  it('takes the roster as it is now: new people and rounds; an acknowledger no longer in it is not called, the roster is, from the top', () => {
    const incident = acknowledged(team(), 2);
    const newTeam = roster(['Dai', 'Aki'], { repageAfterMinutes: 30, rounds: 1 });
    const repaged = changed(repageIncident(incident, { attempt: 2, dueAt: now }, newTeam, now));
    expect(repaged.outbox[0]!.detail).toMatchObject({ acknowledgerFirst: false, acknowledgedBy: 'Ben' });
    expect(callsAfterRepage(repaged, now)).toEqual(['Dai', 'Aki']);
  });

  it('an acknowledger outside their contact hours now is passed over, as anyone would be (unless nobody is within hours)', () => {
    // Tuesday 10:40 in Tokyo: Ben's hours are the night.
    const hours = [undefined, 'Daily 22:00-06:00', undefined];
    const incident = acknowledged(team({ rounds: 1 }), 2); // Ben acknowledged; his hours were set since
    const repaged = changed(repageIncident(incident, { attempt: 2, dueAt: now }, team({ rounds: 1 }, hours), now));
    expect(repaged.outbox[0]!.detail).toMatchObject({ acknowledgerFirst: false });
    expect(callsAfterRepage(repaged, now)).toEqual(['Aki', 'Cho']);
    const nightOnly = ['Daily 22:00-06:00', 'Daily 22:00-06:00', 'Daily 22:00-06:00'];
    const atNight = changed(repageIncident(acknowledged(team({ rounds: 1 }), 2), { attempt: 2, dueAt: now }, team({ rounds: 1 }, nightOnly), now));
    expect(callsAfterRepage(atNight, now)).toEqual(['Ben', 'Aki', 'Cho']);
  });

  it('acknowledging it again says which re-page it answers; the next re-page counts on', () => {
    const repaged = changed(repageIncident(acknowledged(), { attempt: 1, dueAt: now }, team(), now));
    const again = changed(finishCall(repaged, { attempt: 2, outcome: 'acknowledged' }, now + MINUTE));
    expect(again.outbox[0]).toMatchObject({ detailType: 'IncidentAcknowledged', detail: { attempt: 2, by: 'Aki', repage: 1 } });
    expect(repageDueAt(again, 2, team())).toBe(now + MINUTE + 30 * MINUTE);
    const second = changed(repageIncident(again, { attempt: 2, dueAt: now + 31 * MINUTE }, team(), now + 31 * MINUTE));
    expect(second.repage).toMatchObject({ count: 2, afterAttempt: 2 });
  });

  it('is fenced: a stale read cannot re-page an incident acknowledged again or resolved since', () => {
    const resolved = changed(resolveIncident(acknowledged(), 'e:9', T0 + 10 * MINUTE));
    expect(repageIncident(resolved, { attempt: 1, dueAt: now }, team(), now)).toEqual({ changed: false, reason: 'not acknowledged on attempt 1' });
    const repaged = changed(repageIncident(acknowledged(), { attempt: 1, dueAt: now }, team(), now));
    expect(repageIncident(repaged, { attempt: 1, dueAt: now }, team(), now).changed).toBe(false);
  });

  it('runs out as usual: handed over by onExhausted (the hand-over forgets the pass-over), then exhausted', () => {
    const withHandover = team({ rounds: 1, onExhausted: { roster: 'XYZ-managers' } });
    const managers = rosterSchema.parse({ system: 'XYZ-managers', rounds: 1, responders: [{ name: 'Mio', phone: '+819022220001' }] });
    let incident = changed(repageIncident(acknowledged(withHandover, 1), { attempt: 1, dueAt: now }, withHandover, now));
    for (let step = 1; incident.status === 'open' && step < 10; step++) {
      const lookup = incident.roster.onExhausted ? { roster: 'XYZ-managers', found: managers } : undefined;
      incident = changed(finishCall(incident, { attempt: incident.attempt, outcome: 'no-answer' }, now + step * MINUTE, lookup));
      if (incident.handovers?.length) expect(incident.repage?.skipSlot).toBeUndefined();
    }
    expect(incident).toMatchObject({ status: 'exhausted', attempt: 5, handovers: [{ from: 'XYZ', to: 'XYZ-managers' }] });
  });

  it('property: a re-page places at most responders × rounds calls, the acknowledger first, and every responder of the roster in each round', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (people, rounds, pick) => {
        const names = ['A', 'B', 'C', 'D', 'E', 'F'].slice(0, people);
        const r = roster(names, { rounds, repageAfterMinutes: 30 });
        const acknowledgedOn = (pick % people) + 1;
        const repaged = changed(repageIncident(acknowledged(r, acknowledgedOn), { attempt: acknowledgedOn, dueAt: now }, r, now));
        const calls = callsAfterRepage(repaged, now);
        expect(calls.length).toBe(people * rounds);
        expect(calls[0]).toBe(names[acknowledgedOn - 1]);
        expect([...calls].sort()).toEqual(Array.from({ length: rounds }, () => names).flat().sort());
      }),
    );
  });
});

describe('repageAfterMinutes in a roster', () => {
  it(`whole minutes from ${MIN_REPAGE_MINUTES} to ${MAX_REPAGE_MINUTES}, or unset`, () => {
    const parse = (value: unknown) => rosterSchema.safeParse({ system: 'XYZ', responders: [{ name: 'Aki', phone: '+819011110001' }], repageAfterMinutes: value });
    expect(parse(5).success).toBe(true);
    expect(parse(1440).success).toBe(true);
    expect(parse(undefined).success).toBe(true);
    for (const bad of [4, 1441, 30.5, '30', 0, -5]) {
      const result = parse(bad);
      expect(result.success, String(bad)).toBe(false);
      expect(result.error?.issues.map((i) => [i.path.join('.'), i.message]), String(bad)).toEqual([['repageAfterMinutes', typeof bad === 'string' ? expect.any(String) : 'must be whole minutes from 5 to 1440']]);
    }
  });
});
