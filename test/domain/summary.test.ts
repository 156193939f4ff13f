import { describe, expect, it } from 'vitest';
import type { IncidentStatus } from '../../domain/incident.ts';
import { nearestRank, summarize, summaryWindow, timeToAcknowledgeSeconds, type SummaryContact, type SummaryIncident } from '../../domain/summary.ts';

/** The weekly-review summary as a pure function: windows in a time zone, nearest-rank percentiles, calls counted once. */

const at = (iso: string) => Date.parse(iso);
// 2026-11-25 10:00 in Tokyo (01:00 UTC), a Wednesday.
const NOW = at('2026-11-25T01:00:00Z');

let ids = 0;
function incident(openedAt: string, status: IncidentStatus = 'open', extra: Partial<SummaryIncident> = {}): SummaryIncident {
  return { incidentId: `inc-${++ids}`, system: 'XYZ', status, openedAt: at(openedAt), ...extra };
}
function contact(of: SummaryIncident, extra: Partial<SummaryContact> & { contactId: string }): SummaryContact {
  return { incidentId: of.incidentId, responderName: 'Aki', placedAt: of.openedAt, ...extra };
}
/** An incident acknowledged `seconds` after it opened, by a key pressed on call `contactId`. */
function acked(openedAt: string, seconds: number, system = 'XYZ', responderName = 'Aki'): { incident: SummaryIncident; contact: SummaryContact } {
  const inc = incident(openedAt, 'acknowledged', { system, closedAt: at(openedAt) + seconds * 1000 + 500 });
  return { incident: inc, contact: contact(inc, { contactId: `c-${inc.incidentId}`, responderName, connectedAt: inc.openedAt + 5000, endedAt: inc.openedAt + seconds * 1000, outcome: 'acknowledged' }) };
}
const counts = (open = 0, more: Partial<Record<IncidentStatus, number>> = {}) => ({ open, acknowledged: 0, silenced: 0, exhausted: 0, resolved: 0, suppressed: 0, ...more });

describe('summarize', () => {
  it('an empty window lists every day, oldest first, with zero counts', () => {
    const summary = summarize({ incidents: [], contacts: [], now: NOW, days: 3, timeZone: 'Asia/Tokyo' });
    expect(summary).toEqual({
      from: '2026-11-23',
      to: '2026-11-25',
      timeZone: 'Asia/Tokyo',
      days: ['2026-11-23', '2026-11-24', '2026-11-25'].map((date) => ({ date, ...counts() })),
      timeToAcknowledge: [],
      callsPerResponder: [],
    });
  });

  it('days are the time zone’s: 23:30 UTC is the next day in Tokyo, and today is Tokyo’s today', () => {
    const late = incident('2026-11-23T23:30:00Z'); // 2026-11-24 08:30 in Tokyo
    const early = incident('2026-11-23T14:59:59Z'); // 2026-11-23 23:59:59 in Tokyo
    const midnight = incident('2026-11-23T15:00:00Z'); // 2026-11-24 00:00 in Tokyo
    const input = { incidents: [late, early, midnight], contacts: [], now: NOW, days: 3 };
    const tokyo = summarize({ ...input, timeZone: 'Asia/Tokyo' });
    expect(tokyo.days.map((d) => [d.date, d.open])).toEqual([
      ['2026-11-23', 1],
      ['2026-11-24', 2],
      ['2026-11-25', 0],
    ]);
    const utc = summarize({ ...input, timeZone: 'UTC' });
    expect(utc.days.map((d) => [d.date, d.open])).toEqual([
      ['2026-11-23', 3],
      ['2026-11-24', 0],
      ['2026-11-25', 0],
    ]);
    // At 23:00 UTC on the 24th it is already the 25th in Tokyo, still the 24th in UTC.
    expect(summarize({ ...input, now: at('2026-11-24T23:00:00Z'), timeZone: 'Asia/Tokyo' }).to).toBe('2026-11-25');
    expect(summarize({ ...input, now: at('2026-11-24T23:00:00Z'), timeZone: 'UTC' }).to).toBe('2026-11-24');
  });

  it('ignores incidents opened before the window, and their calls', () => {
    const before = incident('2026-11-22T14:59:59.999Z', 'acknowledged'); // 23:59:59.999 on the 22nd in Tokyo
    const first = incident('2026-11-22T15:00:00Z', 'resolved'); // the window's first instant
    const summary = summarize({
      incidents: [before, first],
      contacts: [contact(before, { contactId: 'old', endedAt: before.openedAt + 1000, outcome: 'acknowledged' })],
      now: NOW,
      days: 3,
      timeZone: 'Asia/Tokyo',
    });
    expect(summary.days[0]).toEqual({ date: '2026-11-23', ...counts(0, { resolved: 1 }) });
    expect(summary.days.reduce((n, d) => n + d.acknowledged, 0)).toBe(0);
    expect(summary.timeToAcknowledge).toEqual([]);
    expect(summary.callsPerResponder).toEqual([]);
  });

  it('counts each status on the day the incident opened', () => {
    const statuses: IncidentStatus[] = ['open', 'acknowledged', 'acknowledged', 'silenced', 'exhausted', 'resolved', 'suppressed'];
    const summary = summarize({ incidents: statuses.map((s) => incident('2026-11-25T00:00:00Z', s)), contacts: [], now: NOW, days: 1, timeZone: 'Asia/Tokyo' });
    expect(summary.days).toEqual([{ date: '2026-11-25', open: 1, acknowledged: 2, silenced: 1, exhausted: 1, resolved: 1, suppressed: 1 }]);
  });

  it('a DST day in New York is 25 hours long; its incidents fall on the right dates', () => {
    // 2026-11-01 is the fall-back day: 00:00 EDT (04:00 UTC) to 00:00 EST on the 2nd (05:00 UTC).
    const { dates, starts, end } = summaryWindow(at('2026-11-02T12:00:00Z'), 2, 'America/New_York');
    expect(dates).toEqual(['2026-11-01', '2026-11-02']);
    expect(starts).toEqual([at('2026-11-01T04:00:00Z'), at('2026-11-02T05:00:00Z')]);
    expect(end).toBe(at('2026-11-03T05:00:00Z'));
    const summary = summarize({ incidents: [incident('2026-11-02T04:30:00Z')], contacts: [], now: at('2026-11-02T12:00:00Z'), days: 2, timeZone: 'America/New_York' });
    expect(summary.days.map((d) => d.open)).toEqual([1, 0]);
  });

  it('time to acknowledge: median and p90 by nearest rank with 1, 2 and 10 values, per system', () => {
    const one = [acked('2026-11-24T01:00:00Z', 41, 'ONE')];
    const two = [acked('2026-11-24T01:00:00Z', 30, 'TWO'), acked('2026-11-24T02:00:00Z', 90, 'TWO')];
    const ten = [15, 3, 7, 1, 9, 2, 10, 4, 6, 8].map((s, i) => acked(`2026-11-24T0${i}:00:00Z`, s, 'TEN'));
    const all = [...one, ...two, ...ten];
    const summary = summarize({ incidents: all.map((a) => a.incident), contacts: all.map((a) => a.contact), now: NOW, days: 7, timeZone: 'Asia/Tokyo' });
    expect(summary.timeToAcknowledge).toEqual([
      { system: 'ONE', acknowledged: 1, medianSeconds: 41, p90Seconds: 41 },
      // Nearest rank: the median of two is the lower, the 90th percentile the higher.
      { system: 'TEN', acknowledged: 10, medianSeconds: 6, p90Seconds: 10 },
      { system: 'TWO', acknowledged: 2, medianSeconds: 30, p90Seconds: 90 },
    ]);
  });

  it('time to acknowledge is to the key press; an incident acknowledged then resolved still counts', () => {
    const a = acked('2026-11-24T01:00:00Z', 41);
    const resolved = { ...a.incident, status: 'resolved' as const, closedAt: at('2026-11-24T05:00:00Z') };
    expect(timeToAcknowledgeSeconds(resolved, [a.contact])).toBe(41);
    // No record of the key (a store written before this existed): the close of an acknowledged incident.
    expect(timeToAcknowledgeSeconds(a.incident, [])).toBe(41.5);
    expect(timeToAcknowledgeSeconds(resolved, [])).toBeUndefined();
    const summary = summarize({ incidents: [resolved], contacts: [a.contact], now: NOW, days: 2, timeZone: 'Asia/Tokyo' });
    expect(summary.days[0]).toMatchObject({ resolved: 1, acknowledged: 0 });
    expect(summary.timeToAcknowledge).toEqual([{ system: 'XYZ', acknowledged: 1, medianSeconds: 41, p90Seconds: 41 }]);
  });

  it('calls per responder: a merged call is one call, answered and acknowledged once', () => {
    const a = incident('2026-11-24T01:00:00Z', 'acknowledged');
    const b = incident('2026-11-24T01:00:10Z', 'acknowledged');
    const c = incident('2026-11-24T01:00:20Z', 'exhausted');
    const contacts: SummaryContact[] = [
      // Aki: one ring-out for a, then one merged call covering a and b, answered, 1 pressed.
      contact(a, { contactId: 'c1', placedAt: a.openedAt, endedAt: a.openedAt + 60_000, outcome: 'no-answer' }),
      contact(a, { contactId: 'merged', placedAt: a.openedAt + 120_000, connectedAt: a.openedAt + 125_000, endedAt: a.openedAt + 130_000, outcome: 'acknowledged' }),
      contact(b, { contactId: 'merged', placedAt: a.openedAt + 120_000, connectedAt: a.openedAt + 125_000, endedAt: a.openedAt + 130_000, outcome: 'acknowledged' }),
      // Ben: answered without a key (no connection noted, the outcome says so), then busy.
      contact(c, { contactId: 'c3', responderName: 'Ben', outcome: 'answered-no-input' }),
      contact(c, { contactId: 'c4', responderName: 'Ben', outcome: 'busy' }),
    ];
    const summary = summarize({ incidents: [c, b, a], contacts, now: NOW, days: 7, timeZone: 'Asia/Tokyo' });
    expect(summary.callsPerResponder).toEqual([
      { responder: 'Aki', calls: 2, answered: 1, acknowledged: 1 },
      { responder: 'Ben', calls: 2, answered: 1, acknowledged: 0 },
    ]);
    expect(summary.timeToAcknowledge).toEqual([{ system: 'XYZ', acknowledged: 2, medianSeconds: 120, p90Seconds: 130 }]);
  });

  it('a merged call counted once even when only one of its incidents is in the window', () => {
    const before = incident('2026-11-10T00:00:00Z');
    const inside = incident('2026-11-24T00:00:00Z');
    const merged = { contactId: 'm', placedAt: inside.openedAt, connectedAt: inside.openedAt + 5000 };
    const summary = summarize({ incidents: [before, inside], contacts: [contact(before, merged), contact(inside, merged)], now: NOW, days: 7, timeZone: 'Asia/Tokyo' });
    expect(summary.callsPerResponder).toEqual([{ responder: 'Aki', calls: 1, answered: 1, acknowledged: 0 }]);
  });

  it('refuses a window outside 1-90 days', () => {
    expect(() => summarize({ incidents: [], contacts: [], now: NOW, days: 0, timeZone: 'UTC' })).toThrow(RangeError);
    expect(() => summarize({ incidents: [], contacts: [], now: NOW, days: 91, timeZone: 'UTC' })).toThrow(RangeError);
    expect(summarize({ incidents: [], contacts: [], now: NOW, days: 90, timeZone: 'UTC' }).days).toHaveLength(90);
  });
});

describe('nearestRank', () => {
  it('picks the value at rank ⌈p/100 × n⌉', () => {
    expect(nearestRank([5], 50)).toBe(5);
    expect(nearestRank([5], 90)).toBe(5);
    expect(nearestRank([1, 2], 50)).toBe(1);
    expect(nearestRank([1, 2], 90)).toBe(2);
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(ten, 50)).toBe(5);
    expect(nearestRank(ten, 90)).toBe(9);
    expect(nearestRank(ten, 100)).toBe(10);
    expect(nearestRank([...ten, 11], 90)).toBe(10);
    expect(() => nearestRank([], 50)).toThrow(RangeError);
  });
});
