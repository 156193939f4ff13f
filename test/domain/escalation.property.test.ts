import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL_OUTCOMES, type CallOutcome } from '../../events/catalog.ts';
import {
  finishCall,
  isTerminal,
  openIncident,
  recordCallPlaced,
  resolveIncident,
  type Decision,
  type Incident,
} from '../../domain/incident.ts';
import { nextSlot } from '../../domain/plan.ts';
import { alert, roster, T0 } from './fixtures.ts';

/**
 * The choreography reduced to its decisions, run against a hostile delivery: every message may be
 * duplicated, delivered in any order, or delivered again long after (a replay or a late retry).
 * Whatever happens, the invariants hold.
 */

type Message =
  | { kind: 'escalated'; attempt: number }
  | { kind: 'ended'; attempt: number; outcome: CallOutcome; silenceHours?: number }
  | { kind: 'resolve' };

interface Call {
  attempt: number;
  slot: number;
  /** When the decision that chose this call was taken (the incident's updatedAt before placing). */
  decidedAt: number;
  responderIndex: number;
  active: boolean;
  placedAtStep: number;
}

const HOURS = [undefined, 'Mon-Fri 09:00-18:00', 'Sat-Sun 00:00-24:00', 'Daily 22:00-06:00'];

const scenario = fc.record({
  size: fc.integer({ min: 1, max: 5 }),
  rounds: fc.integer({ min: 1, max: 3 }),
  hours: fc.array(fc.constantFrom(...HOURS), { minLength: 5, maxLength: 5 }),
  startOffsetHours: fc.integer({ min: 0, max: 24 * 7 }),
  outcomes: fc.array(fc.constantFrom(...CALL_OUTCOMES), { minLength: 20, maxLength: 20 }),
  choices: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 400, maxLength: 400 }),
  resolveAt: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function simulate(s: Scenario) {
  const names = Array.from({ length: s.size }, (_, i) => `r${i}`);
  const r = roster(names, { rounds: s.rounds }, s.hours.slice(0, s.size));
  const start = T0 + s.startOffsetHours * 3_600_000;
  let now = start;
  let choice = 0;
  const pick = (n: number) => (s.choices[choice++ % s.choices.length] ?? 0) % n;

  const opened = openIncident({ incidentId: 'inc', alert: alert(), alertId: 'a:0', now }, r);
  let incident: Incident = opened.incident;
  const inbox: Message[] = [];
  const delivered: Message[] = [];
  const calls: Call[] = [];
  const placedByToken = new Map<number, Call>();
  let terminalAtStep: number | undefined;
  const violations: string[] = [];

  const emit = (decision: Decision) => {
    if (!decision.changed) return;
    incident = decision.incident;
    for (const event of decision.events) {
      if (event.detailType === 'Escalated') inbox.push({ kind: 'escalated', attempt: event.detail.attempt });
    }
  };
  for (const event of opened.events) if (event.detailType === 'Escalated') inbox.push({ kind: 'escalated', attempt: 1 });

  for (let step = 0; step < 400 && (inbox.length > 0 || calls.some((c) => c.active)); step++) {
    now += 1_000 + pick(90_000);
    if (s.resolveAt === step) inbox.push({ kind: 'resolve' });
    // The phone side: an active call may end now, reporting its outcome (possibly twice).
    const active = calls.find((c) => c.active);
    if (active && (inbox.length === 0 || pick(3) === 0)) {
      active.active = false;
      const outcome = s.outcomes[(active.attempt - 1) % s.outcomes.length] ?? 'no-answer';
      const ended: Message = outcome === 'silenced' ? { kind: 'ended', attempt: active.attempt, outcome, silenceHours: 12 } : { kind: 'ended', attempt: active.attempt, outcome };
      inbox.push(ended);
      if (pick(4) === 0) inbox.push(ended);
      continue;
    }
    if (inbox.length === 0) continue;
    // Any message, in any order; sometimes an old one again (a replay or a late retry).
    const redeliver = delivered.length > 0 && pick(6) === 0;
    const message = redeliver ? delivered[pick(delivered.length)]! : inbox.splice(pick(inbox.length), 1)[0]!;
    if (!redeliver) delivered.push(message);

    if (message.kind === 'escalated') {
      const call = incident.call;
      if (incident.status !== 'open' || !call || call.attempt !== message.attempt || call.endedAt !== undefined) continue;
      let placed = placedByToken.get(message.attempt);
      if (!placed) {
        if (calls.some((c) => c.active)) violations.push(`second active call at attempt ${message.attempt}`);
        if (terminalAtStep !== undefined) violations.push(`call placed after ${incident.status}`);
        placed = { attempt: message.attempt, slot: call.slot, decidedAt: incident.updatedAt, responderIndex: call.responderIndex, active: true, placedAtStep: step };
        placedByToken.set(message.attempt, placed);
        calls.push(placed);
      }
      emit(recordCallPlaced(incident, message.attempt, `c-${message.attempt}`, now));
    } else if (message.kind === 'ended') {
      emit(finishCall(incident, message, now));
    } else {
      emit(resolveIncident(incident, 'resolve:0', now));
    }
    if (terminalAtStep === undefined && isTerminal(incident.status)) terminalAtStep = step;
  }
  return { r, incident, calls, violations };
}

describe('escalation invariants under duplicated, reordered and replayed delivery', () => {
  it('hold for random rosters and outcomes', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { r, incident, calls, violations } = simulate(s);
        expect(violations).toEqual([]);
        // at most roster × rounds calls, each attempt once, numbered 1..n
        expect(calls.length).toBeLessThanOrEqual(s.size * s.rounds);
        expect(calls.map((c) => c.attempt)).toEqual(calls.map((_, i) => i + 1));
        // round-robin order: each call is the plan's next slot reachable when it was decided
        let previous = -1;
        for (const call of calls) {
          const expected = nextSlot(r, previous, call.decidedAt, incident.ignoreHours);
          expect(call.slot).toBe(expected?.slot);
          expect(call.responderIndex).toBe(call.slot % s.size);
          previous = call.slot;
        }
        if (!calls.some((c) => c.active)) {
          // every incident ends in a terminal state
          expect(isTerminal(incident.status)).toBe(true);
          const last = calls.at(-1);
          const lastOutcome = last ? s.outcomes[(last.attempt - 1) % s.outcomes.length] : undefined;
          if (incident.status === 'acknowledged') expect(lastOutcome).toBe('acknowledged');
          if (incident.status === 'silenced') expect(lastOutcome).toBe('silenced');
        }
      }),
      { numRuns: 400 },
    );
  });

  it('with no contact hours the order is exactly 1,2,…,n,1,2,… until someone acknowledges', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { calls } = simulate({ ...s, hours: [undefined, undefined, undefined, undefined, undefined], resolveAt: undefined });
        expect(calls.map((c) => c.responderIndex)).toEqual(calls.map((_, i) => i % s.size));
        const stops = s.outcomes.findIndex((o) => o === 'acknowledged' || o === 'silenced');
        const expected = stops === -1 || stops >= s.size * s.rounds ? s.size * s.rounds : stops + 1;
        expect(calls).toHaveLength(expected);
      }),
      { numRuns: 300 },
    );
  });
});
