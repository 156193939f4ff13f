import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  activeSilenceFor,
  MAX_WINDOW_MINUTES,
  nextWindowAfter,
  NO_END,
  recurrenceProblem,
  silenceCovers,
  silenceInForce,
  windowAt,
  type Recurrence,
  type Silence,
} from '../../domain/silence.ts';
import { offsetMsAt, wallClockAt } from '../../domain/time.ts';

/**
 * Silences and maintenance windows (domain/silence.ts): which alerts a window covers, at its
 * edges, across midnight and across daylight-saving changes, and what a window may not be.
 */

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const XYZ = { system: 'XYZ', host: 'db1', service: 'MySQL' };

function window(cron: string, durationMinutes: number, timezone: string, options: { from?: string; until?: string; scope?: Silence['scope']; id?: string } = {}): Silence {
  return {
    silenceId: options.id ?? 'sil-maint',
    scope: options.scope ?? { system: 'XYZ' },
    from: at(options.from ?? '2020-01-01T00:00:00Z'),
    until: options.until ? at(options.until) : NO_END,
    createdBy: 'api',
    recurrence: { cron, durationMinutes, timezone },
  };
}
const shown = (w: { from: number; until: number } | undefined) => (w ? { from: iso(w.from), until: iso(w.until) } : undefined);
const windowOf = (s: Silence, t: string) => shown(windowAt(s, at(t)));

describe('a maintenance window covers alerts inside its windows only', () => {
  it('weekly in Asia/Tokyo: Sunday 02:00-04:00 JST is Saturday 17:00-19:00 UTC; the start is in, the end is out', () => {
    const sunday = window('cron(0 2 ? * SUN *)', 120, 'Asia/Tokyo');
    expect(windowOf(sunday, '2026-11-28T17:00:00Z')).toEqual({ from: '2026-11-28T17:00:00.000Z', until: '2026-11-28T19:00:00.000Z' });
    expect(windowOf(sunday, '2026-11-28T18:59:59.999Z')).toEqual({ from: '2026-11-28T17:00:00.000Z', until: '2026-11-28T19:00:00.000Z' });
    expect(windowOf(sunday, '2026-11-28T19:00:00Z')).toBeUndefined();
    expect(windowOf(sunday, '2026-11-28T16:59:59.999Z')).toBeUndefined();
    // 02:00 on a Sunday in UTC is not 02:00 in Tokyo.
    expect(windowOf(sunday, '2026-11-29T02:30:00Z')).toBeUndefined();
    expect(silenceCovers(sunday, XYZ, at('2026-11-28T18:00:00Z'))).toBe(true);
    expect(silenceCovers(sunday, { ...XYZ, system: 'ABC' }, at('2026-11-28T18:00:00Z'))).toBe(false);
    expect(shown(nextWindowAfter(sunday, at('2026-11-24T01:00:00Z')))).toEqual({ from: '2026-11-28T17:00:00.000Z', until: '2026-11-28T19:00:00.000Z' });
    // While one is open, the next is next week's.
    expect(shown(nextWindowAfter(sunday, at('2026-11-28T17:00:00Z')))).toEqual({ from: '2026-12-05T17:00:00.000Z', until: '2026-12-05T19:00:00.000Z' });
  });

  it('a window may span midnight, and the turn of a year', () => {
    const saturdayNight = window('cron(0 23 ? * SAT *)', 180, 'Europe/Berlin'); // 23:00-02:00 CET
    expect(windowOf(saturdayNight, '2026-11-29T00:30:00Z')).toEqual({ from: '2026-11-28T22:00:00.000Z', until: '2026-11-29T01:00:00.000Z' }); // Sunday 01:30 CET
    expect(windowOf(saturdayNight, '2026-11-29T01:00:00Z')).toBeUndefined();
    const newYear = window('cron(0 22 31 DEC ? *)', 240, 'UTC');
    expect(windowOf(newYear, '2027-01-01T01:59:00Z')).toEqual({ from: '2026-12-31T22:00:00.000Z', until: '2027-01-01T02:00:00.000Z' });
    expect(windowOf(newYear, '2027-01-01T02:00:00Z')).toBeUndefined();
  });

  it('New York springs forward inside a window: 01:30 EST plus two hours of elapsed time ends at 04:30 EDT', () => {
    const sunday = window('cron(30 1 ? * SUN *)', 120, 'America/New_York');
    // 2027-03-07: 01:30-03:30 EST. 2027-03-14 (clocks go 02:00 → 03:00): 01:30 EST-04:30 EDT. 2027-03-21: 01:30-03:30 EDT.
    expect(windowOf(sunday, '2027-03-07T07:00:00Z')).toEqual({ from: '2027-03-07T06:30:00.000Z', until: '2027-03-07T08:30:00.000Z' });
    expect(windowOf(sunday, '2027-03-14T08:00:00Z')).toEqual({ from: '2027-03-14T06:30:00.000Z', until: '2027-03-14T08:30:00.000Z' }); // 04:00 EDT: inside
    expect(windowOf(sunday, '2027-03-14T08:30:00Z')).toBeUndefined(); // 04:30 EDT
    expect(windowOf(sunday, '2027-03-21T05:30:00Z')).toEqual({ from: '2027-03-21T05:30:00.000Z', until: '2027-03-21T07:30:00.000Z' }); // 01:30 EDT
    expect(windowOf(sunday, '2027-03-21T07:45:00Z')).toBeUndefined(); // 03:45 EDT
  });

  it('New York falls back inside a window: it opens at the first 01:30 (EDT) and the second 01:30 (EST) is inside it, not a new window', () => {
    const sunday = window('cron(30 1 ? * SUN *)', 120, 'America/New_York');
    expect(windowOf(sunday, '2026-11-01T05:30:00Z')).toEqual({ from: '2026-11-01T05:30:00.000Z', until: '2026-11-01T07:30:00.000Z' }); // 01:30 EDT
    expect(windowOf(sunday, '2026-11-01T06:30:00Z')).toEqual({ from: '2026-11-01T05:30:00.000Z', until: '2026-11-01T07:30:00.000Z' }); // 01:30 EST
    expect(windowOf(sunday, '2026-11-01T07:30:00Z')).toBeUndefined(); // 02:30 EST
  });

  it('a window whose start the spring-forward skips does not open that day (as Scheduler skips the time)', () => {
    const berlin = window('cron(30 2 ? * SUN *)', 60, 'Europe/Berlin');
    // 2027-03-28: 02:00 CET becomes 03:00 CEST; 02:30 does not exist.
    expect(windowOf(berlin, '2027-03-21T01:45:00Z')).toEqual({ from: '2027-03-21T01:30:00.000Z', until: '2027-03-21T02:30:00.000Z' });
    for (const t of ['2027-03-28T00:45:00Z', '2027-03-28T01:00:00Z', '2027-03-28T01:45:00Z']) expect(windowOf(berlin, t), t).toBeUndefined();
    expect(shown(nextWindowAfter(berlin, at('2027-03-27T12:00:00Z')))).toEqual({ from: '2027-04-04T00:30:00.000Z', until: '2027-04-04T01:30:00.000Z' });
  });

  it('a window already open when the silence is added holds from then; the recurrence end cuts a window short and ends them', () => {
    const added = window('cron(0 2 ? * SUN *)', 120, 'Asia/Tokyo', { from: '2026-11-28T18:00:00Z', until: '2026-12-05T18:00:00Z' });
    expect(windowOf(added, '2026-11-28T17:30:00Z')).toBeUndefined(); // before it was added
    expect(windowOf(added, '2026-11-28T18:10:00Z')).toEqual({ from: '2026-11-28T18:00:00.000Z', until: '2026-11-28T19:00:00.000Z' });
    expect(windowOf(added, '2026-12-05T17:30:00Z')).toEqual({ from: '2026-12-05T17:00:00.000Z', until: '2026-12-05T18:00:00.000Z' });
    expect(windowOf(added, '2026-12-05T18:00:00Z')).toBeUndefined();
    expect(nextWindowAfter(added, at('2026-12-05T17:00:00Z'))).toBeUndefined();
    // Asked before it was added: its first window is the rest of the one open then.
    expect(shown(nextWindowAfter(added, at('2026-11-24T00:00:00Z')))).toEqual({ from: '2026-11-28T18:00:00.000Z', until: '2026-11-28T19:00:00.000Z' });
    expect(shown(nextWindowAfter(added, at('2026-11-28T18:00:00Z')))).toEqual({ from: '2026-12-05T17:00:00.000Z', until: '2026-12-05T18:00:00.000Z' });
  });

  it('a one-off silence is one window, [from, until), as before', () => {
    const oneOff: Silence = { silenceId: 's', scope: { system: 'XYZ', host: 'db1' }, from: at('2026-11-24T00:00:00Z'), until: at('2026-11-24T02:00:00Z'), createdBy: 'cli' };
    expect(windowOf(oneOff, '2026-11-24T00:00:00Z')).toEqual({ from: '2026-11-24T00:00:00.000Z', until: '2026-11-24T02:00:00.000Z' });
    expect(windowOf(oneOff, '2026-11-24T02:00:00Z')).toBeUndefined();
    expect(windowOf(oneOff, '2026-11-23T23:59:59Z')).toBeUndefined();
    expect(silenceCovers(oneOff, XYZ, at('2026-11-24T01:00:00Z'))).toBe(true);
    expect(silenceCovers(oneOff, { ...XYZ, host: 'db2' }, at('2026-11-24T01:00:00Z'))).toBe(false);
    expect(silenceInForce(oneOff, at('2026-11-24T01:00:00Z'))).toBe(oneOff);
  });

  it('activeSilenceFor returns a window narrowed to the window in force, and prefers what lasts longest', () => {
    const sunday = window('cron(0 2 ? * SUN *)', 120, 'Asia/Tokyo', { id: 'sil-window' });
    const short: Silence = { silenceId: 'sil-short', scope: { system: 'XYZ' }, from: at('2026-11-28T16:00:00Z'), until: at('2026-11-28T18:00:00Z'), createdBy: 'cli' };
    const during = at('2026-11-28T17:30:00Z');
    const held = activeSilenceFor([short, sunday], XYZ, during);
    expect(held).toMatchObject({ silenceId: 'sil-window', from: at('2026-11-28T17:00:00Z'), until: at('2026-11-28T19:00:00Z'), recurrence: sunday.recurrence });
    expect(activeSilenceFor([short, sunday], XYZ, at('2026-11-28T16:30:00Z'))?.silenceId).toBe('sil-short');
    expect(activeSilenceFor([short, sunday], XYZ, at('2026-11-28T19:00:00Z'))).toBeUndefined();
    expect(activeSilenceFor([sunday], { ...XYZ, system: 'ABC' }, during)).toBeUndefined();
  });
});

describe('what a maintenance window may be', () => {
  const NOW = at('2026-11-24T01:00:00Z');
  const problem = (r: Partial<Recurrence>, until?: string) =>
    recurrenceProblem({ cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo', ...r }, NOW, until ? at(until) : undefined);

  it('accepts a weekly window, one every two hours just shorter than two hours, and a week less a minute', () => {
    expect(problem({})).toBeUndefined();
    expect(problem({ cron: 'cron(0 0/2 * * ? *)', durationMinutes: 119 })).toBeUndefined();
    expect(problem({ durationMinutes: MAX_WINDOW_MINUTES - 1 })).toBeUndefined();
    expect(problem({ cron: 'cron(0 2 ? * 1#1 *)', durationMinutes: MAX_WINDOW_MINUTES })).toBeUndefined(); // monthly, a week long
    // Added during a window, ending before the next: the open window is its only one.
    const during = at('2026-11-28T18:00:00Z');
    expect(recurrenceProblem({ cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo' }, during, at('2026-11-28T18:30:00Z'))).toBeUndefined();
    expect(recurrenceProblem({ cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo' }, at('2026-11-28T19:00:00Z'), at('2026-11-28T19:30:00Z'))?.field).toBe('until');
  });

  it('refuses, naming the field and saying why', () => {
    expect(problem({ timezone: 'Asia/Nowhere' })).toEqual({ field: 'timezone', message: expect.stringMatching(/"Asia\/Nowhere" is not a time zone of the IANA tz database/) });
    expect(problem({ timezone: 'JST' })?.field).toBe('timezone');
    expect(problem({ cron: '0 2 * * 0' })).toEqual({ field: 'cron', message: expect.stringMatching(/expected at\(\.\.\.\), rate\(\.\.\.\) or cron\(\.\.\.\)/) });
    expect(problem({ cron: 'cron(0 2 * * SUN *)' })).toEqual({ field: 'cron', message: expect.stringMatching(/one of day-of-month and day-of-week must be \?/) });
    expect(problem({ cron: 'rate(7 days)' })).toEqual({ field: 'cron', message: expect.stringMatching(/not rate/) });
    expect(problem({ cron: 'at(2026-12-01T02:00:00)' })).toEqual({ field: 'cron', message: expect.stringMatching(/for one time, add a silence with an end/) });
    expect(problem({ cron: 'cron(0 2 1 1 ? 2025)' })).toEqual({ field: 'cron', message: expect.stringMatching(/opens no window after now/) });
    for (const d of [0, -5, 1.5, MAX_WINDOW_MINUTES + 1]) expect(problem({ durationMinutes: d }), String(d)).toEqual({ field: 'durationMinutes', message: expect.stringMatching(/whole minutes from 1 to 10080/) });
    expect(problem({ cron: 'cron(0 0/2 * * ? *)', durationMinutes: 120 })).toEqual({ field: 'durationMinutes', message: expect.stringMatching(/120 minutes is not shorter than the time between two windows \(120 minutes/) });
    expect(problem({ cron: 'cron(0 2 ? * SUN *)', durationMinutes: 7 * 24 * 60 })?.field).toBe('durationMinutes');
    // Windows on the 31st and the 1st are a day apart at the turn of a month.
    expect(problem({ cron: 'cron(0 0 1,31 * ? *)', durationMinutes: 1440 })).toEqual({ field: 'durationMinutes', message: expect.stringMatching(/1440 minutes from 2026-(12|01)/) });
    expect(problem({}, '2026-11-25T00:00:00Z')).toEqual({ field: 'until', message: expect.stringMatching(/ends before its first window opens \(2026-11-28T17:00:00.000Z\)/) });
  });
});

/**
 * Properties against an oracle that does not use the search: it scans the minutes before t and
 * asks each one's wall clock whether the cron names it (a wall time repeated by a fall-back counts
 * at its first pass only, as Scheduler runs it once).
 */
describe('properties', () => {
  const ZONES = ['UTC', 'Asia/Tokyo', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago'];
  const spec = fc.record({
    minutes: fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 2 }),
    hours: fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 3 }),
    weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
    zone: fc.constantFrom(...ZONES),
    durationMinutes: fc.integer({ min: 1, max: 240 }),
    // Around the DST changes of 2026-2027 in both hemispheres, and anywhere else.
    t: fc.oneof(
      fc.constantFrom('2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01', '2027-03-14', '2027-04-04', '2026-09-06').chain((day) =>
        fc.integer({ min: -36 * 60, max: 36 * 60 }).map((m) => at(`${day}T06:00:00Z`) + m * 60_000),
      ),
      fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2028-01-01T00:00:00Z') }),
    ),
  });
  const cronOf = (s: { minutes: number[]; hours: number[]; weekdays: number[] }) => `cron(${s.minutes.join(',')} ${s.hours.join(',')} ? * ${s.weekdays.join(',')} *)`;

  /** Does a window open at minute `m` (an instant on a whole minute)? */
  function opensAt(s: { minutes: number[]; hours: number[]; weekdays: number[]; zone: string }, m: number): boolean {
    const w = wallClockAt(s.zone, m);
    if (!s.minutes.includes(w.minute) || !s.hours.includes(w.hour) || !s.weekdays.includes(w.weekday + 1)) return false;
    // The second pass of a repeated wall time: the same reading within the last three hours.
    for (let back = 15; back <= 180; back += 15) {
      const e = wallClockAt(s.zone, m - back * 60_000);
      if (e.year === w.year && e.month === w.month && e.day === w.day && e.hour === w.hour && e.minute === w.minute) return false;
    }
    return true;
  }

  it('an instant is inside a window exactly when a window opened at most `duration` before it (oracle: minute scan)', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const silence = window(cronOf(s), s.durationMinutes, s.zone);
        let opened: number | undefined;
        const lastMinute = Math.floor(s.t / 60_000) * 60_000;
        for (let m = lastMinute; m > s.t - s.durationMinutes * 60_000; m -= 60_000) if (opensAt(s, m)) opened = m;
        const found = windowAt(silence, s.t);
        expect(found !== undefined, `${cronOf(s)} ${s.durationMinutes}m ${s.zone} at ${iso(s.t)}`).toBe(opened !== undefined);
        if (found && opened !== undefined) {
          // Overlapping windows are refused when added; here the oracle's earliest opening is the one found.
          expect(found.from).toBe(opened);
          expect(found.until).toBe(opened + s.durationMinutes * 60_000);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the next window opens after the instant, is in force at its own start, and no window opens in between', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const silence = window(cronOf(s), s.durationMinutes, s.zone);
        const next = nextWindowAfter(silence, s.t);
        expect(next).toBeDefined();
        expect(next!.from).toBeGreaterThan(s.t);
        expect(next!.until - next!.from).toBe(s.durationMinutes * 60_000);
        expect(windowAt(silence, next!.from)?.from).toBeLessThanOrEqual(next!.from);
        // No minute strictly between t and the next start opens a window (a week at most: one weekday is named).
        for (let m = Math.floor(s.t / 60_000) * 60_000 + 60_000; m < next!.from; m += 60_000) {
          if (opensAt(s, m)) throw new Error(`${cronOf(s)} ${s.zone}: ${iso(m)} opens before the next window ${iso(next!.from)}`);
        }
        expect(opensAt(s, next!.from)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('at the edges of a window: in at its first millisecond and its last, out just before and at its end', () => {
    fc.assert(
      fc.property(spec, (s) => {
        // Windows that run into each other are refused when a silence is added (one would hold past the next's start).
        fc.pre(recurrenceProblem({ cron: cronOf(s), durationMinutes: s.durationMinutes, timezone: s.zone }, s.t) === undefined);
        const silence = window(cronOf(s), s.durationMinutes, s.zone);
        const next = nextWindowAfter(silence, s.t)!;
        const oracle = (t: number) => {
          for (let m = Math.floor(t / 60_000) * 60_000; m > t - s.durationMinutes * 60_000; m -= 60_000) if (opensAt(s, m)) return true;
          return false;
        };
        for (const t of [next.from - 1, next.from, next.until - 1, next.until]) {
          const found = windowAt(silence, t);
          expect(found !== undefined, `${cronOf(s)} ${s.durationMinutes}m ${s.zone} at ${iso(t)}`).toBe(oracle(t));
        }
        expect(windowAt(silence, next.from)).toEqual(next);
        expect(windowAt(silence, next.until - 1)).toEqual(next);
        expect(windowAt(silence, next.until)?.from).not.toBe(next.from);
      }),
      { numRuns: 100 },
    );
  });

  it('a window always lasts its duration of elapsed time, whatever the offset change inside it', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const silence = window(cronOf(s), s.durationMinutes, s.zone);
        const w = windowAt(silence, s.t) ?? nextWindowAfter(silence, s.t)!;
        expect(w.until - w.from).toBe(s.durationMinutes * 60_000);
        // The wall clocks at its ends differ by the duration plus the change of offset.
        const wallSpan = (w.until + offsetMsAt(s.zone, w.until)) - (w.from + offsetMsAt(s.zone, w.from));
        expect(wallSpan - (w.until - w.from)).toBe(offsetMsAt(s.zone, w.until) - offsetMsAt(s.zone, w.from));
      }),
      { numRuns: 100 },
    );
  });
});
