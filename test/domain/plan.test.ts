import { describe, expect, it } from 'vitest';
import { firstSlot, nextSlot, planLength } from '../../domain/plan.ts';
import { roster, T0 } from './fixtures.ts';

function order(r: ReturnType<typeof roster>, at: number, ignoreHours = false): number[] {
  const called: number[] = [];
  for (let s = nextSlot(r, -1, at, ignoreHours); s; s = nextSlot(r, s.slot, at, ignoreHours)) called.push(s.responderIndex);
  return called;
}

describe('call plan', () => {
  it('goes round the roster in order for the configured rounds', () => {
    const r = roster(['a', 'b', 'c']);
    expect(planLength(r)).toBe(9);
    expect(order(r, T0)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
  });

  it('reports rounds', () => {
    const r = roster(['a', 'b'], { rounds: 2 });
    expect(nextSlot(r, 1, T0, false)).toEqual({ slot: 2, responderIndex: 0, round: 2 });
    expect(nextSlot(r, 3, T0, false)).toBeUndefined();
  });

  it('passes over a responder outside contact hours', () => {
    // T0 is Tuesday 10:00 in Tokyo: b works nights only.
    const r = roster(['a', 'b', 'c'], {}, [undefined, 'Daily 22:00-06:00', 'Mon-Fri 09:00-18:00']);
    expect(order(r, T0)).toEqual([0, 2, 0, 2, 0, 2]);
    expect(firstSlot(r, T0)).toEqual({ slot: { slot: 0, responderIndex: 0, round: 1 }, ignoreHours: false });
  });

  it('starts with the first reachable responder', () => {
    const r = roster(['a', 'b'], {}, ['Sat-Sun 09:00-18:00', undefined]);
    expect(firstSlot(r, T0)?.slot.responderIndex).toBe(1);
  });

  it('never calls nobody: with everyone outside hours, hours are ignored for the incident', () => {
    const r = roster(['a', 'b'], {}, ['Sat 09:00-10:00', 'Sun 09:00-10:00']);
    expect(order(r, T0)).toEqual([]);
    expect(firstSlot(r, T0)).toEqual({ slot: { slot: 0, responderIndex: 0, round: 1 }, ignoreHours: true });
    expect(order(r, T0, true)).toEqual([0, 1, 0, 1, 0, 1]);
  });
});
