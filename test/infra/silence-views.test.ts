import { describe, expect, it } from 'vitest';
import { NO_END, type Silence } from '../../domain/silence.ts';
import { durationText, newSilence, parseDuration, silenceAdded, silenceView, windowText } from '../../infra/cli/views.ts';

/** How both back ends make, show and announce maintenance windows (infra/cli/views.ts). */

const NOW = Date.parse('2026-11-24T01:00:00Z');

describe('a window as its zone reads it', () => {
  it('same day, across midnight, across a new year', () => {
    expect(windowText({ from: '2026-11-28T17:00:00Z', until: '2026-11-28T19:00:00Z' }, 'Asia/Tokyo')).toBe('2026-11-29 02:00 → 04:00 Asia/Tokyo');
    expect(windowText({ from: '2026-11-28T22:30:00Z', until: '2026-11-29T00:00:00Z' }, 'Europe/Berlin')).toBe('2026-11-28 23:30 → 11-29 01:00 Europe/Berlin');
    expect(windowText({ from: '2026-12-31T22:00:00Z', until: '2027-01-01T02:00:00Z' }, 'UTC')).toBe('2026-12-31 22:00 → 2027-01-01 02:00 UTC');
  });

  it("with each end's offset when daylight saving changes inside it", () => {
    expect(windowText({ from: '2027-03-14T06:30:00Z', until: '2027-03-14T08:30:00Z' }, 'America/New_York')).toBe('2027-03-14 01:30 (UTC-05:00) → 04:30 (UTC-04:00) America/New_York');
    expect(windowText({ from: '2026-11-01T05:30:00Z', until: '2026-11-01T07:30:00Z' }, 'America/New_York')).toBe('2026-11-01 01:30 (UTC-04:00) → 02:30 (UTC-05:00) America/New_York');
    // Lord Howe Island moves half an hour: 02:00 becomes 02:30.
    expect(windowText({ from: '2026-10-03T15:00:00Z', until: '2026-10-03T16:00:00Z' }, 'Australia/Lord_Howe')).toBe('2026-10-04 01:30 (UTC+10:30) → 03:00 (UTC+11:00) Australia/Lord_Howe');
  });
});

describe('durations', () => {
  it('90m, 2h, 1h30m, 2d, 1d12h; not a bare number, not negative, not empty', () => {
    expect(['90m', '2h', '1h30m', '2d', '1d12h', '0h45m'].map(parseDuration)).toEqual([90, 120, 90, 2880, 2160, 45]);
    for (const bad of ['', '90', '2 h', '1.5h', '-2h', 'h', '30m1h', '2hours']) expect(parseDuration(bad), bad).toBeUndefined();
    expect([90, 120, 2880, 2161, 1].map(durationText)).toEqual(['1h30m', '2h', '2d', '1d12h1m', '1m']);
  });
});

describe('newSilence, silenceView and silenceAdded for a maintenance window', () => {
  const input = { system: 'XYZ', host: 'db1', cron: ' cron(0 2 ? * SUN *) ', durationMinutes: 120, timezone: 'Asia/Tokyo', createdBy: 'cli' };

  it('makes a window that recurs for ever, shown without an until, announced with its recurrence', () => {
    const made = newSilence(input, NOW, 'sil-1') as Silence;
    expect(made).toEqual({ silenceId: 'sil-1', scope: { system: 'XYZ', host: 'db1' }, from: NOW, until: NO_END, createdBy: 'cli', recurrence: { cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo' } });
    const view = silenceView(made, NOW);
    expect(view).toEqual({
      silenceId: 'sil-1',
      scope: { system: 'XYZ', host: 'db1' },
      from: '2026-11-24T01:00:00.000Z',
      until: undefined,
      createdBy: 'cli',
      active: false,
      cron: 'cron(0 2 ? * SUN *)',
      durationMinutes: 120,
      timezone: 'Asia/Tokyo',
      nextWindow: { from: '2026-11-28T17:00:00.000Z', until: '2026-11-28T19:00:00.000Z' },
    });
    expect(silenceView(made, Date.parse('2026-11-28T18:00:00Z'))).toMatchObject({
      active: true,
      window: { from: '2026-11-28T17:00:00.000Z', until: '2026-11-28T19:00:00.000Z' },
      nextWindow: { from: '2026-12-05T17:00:00.000Z', until: '2026-12-05T19:00:00.000Z' },
    });
    expect(silenceAdded(made)).toEqual({
      schemaVersion: 1,
      silenceId: 'sil-1',
      scope: { system: 'XYZ', host: 'db1' },
      from: '2026-11-24T01:00:00.000Z',
      until: '+275760-09-13T00:00:00.000Z',
      by: 'cli',
      cron: 'cron(0 2 ? * SUN *)',
      durationMinutes: 120,
      timezone: 'Asia/Tokyo',
    });
  });

  it('an end stops the windows: the last one is cut short, then there is no next window', () => {
    const made = newSilence({ ...input, until: '2026-12-05T18:00:00Z' }, NOW, 'sil-2') as Silence;
    expect(silenceView(made, Date.parse('2026-12-05T17:30:00Z'))).toMatchObject({ until: '2026-12-05T18:00:00.000Z', active: true, window: { until: '2026-12-05T18:00:00.000Z' } });
    expect(silenceView(made, Date.parse('2026-12-05T17:30:00Z'))).not.toHaveProperty('nextWindow');
    expect(silenceView(made, Date.parse('2026-12-05T18:00:00Z')).active).toBe(false);
  });

  it('a one-off silence is shown as before', () => {
    const made = newSilence({ system: 'XYZ', hours: 2 }, NOW, 'sil-3') as Silence;
    expect(silenceView(made, NOW)).toEqual({ silenceId: 'sil-3', scope: { system: 'XYZ' }, from: '2026-11-24T01:00:00.000Z', until: '2026-11-24T03:00:00.000Z', createdBy: 'api', active: true });
    expect(silenceAdded(made)).not.toHaveProperty('cron');
  });
});
