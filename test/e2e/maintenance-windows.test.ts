import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../handlers/lib/logger.ts';
import { main } from '../../infra/cli/main.ts';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';
import { eventually, http } from './support.ts';

/**
 * Maintenance windows through the local API and the CLI against a running runtime (the scaled
 * wall clock): what is accepted and shown, and the 400 naming the field for everything that is not.
 */
let rt: Runtime;
beforeAll(async () => {
  rt = await startRuntime({ dataDir: await mkdtemp(join(tmpdir(), 'yobidashi-windows-')), port: 0, timeScale: 60, log: silentLogger });
});
afterAll(() => rt.stop());

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--endpoint', rt.url], { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

interface View {
  silenceId: string;
  scope: { system: string; host?: string };
  from: string;
  until?: string;
  active: boolean;
  cron?: string;
  durationMinutes?: number;
  timezone?: string;
  window?: { from: string; until: string };
  nextWindow?: { from: string; until: string };
}

const SUNDAY_TOKYO = { system: 'XYZ', host: 'db1', cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo' };

/** Sunday 02:00 in Tokyo is Saturday 17:00 UTC. */
function expectSundayTwoAmTokyo(window: { from: string; until: string } | undefined) {
  expect(window).toBeDefined();
  const from = new Date(window!.from);
  expect([from.getUTCDay(), from.getUTCHours(), from.getUTCMinutes()]).toEqual([6, 17, 0]);
  expect(Date.parse(window!.until) - Date.parse(window!.from)).toBe(2 * 3_600_000);
}

describe('POST /api/silences with cron, durationMinutes, timezone', () => {
  it('adds a maintenance window: the answer and the listing show the recurrence and the next window', async () => {
    const added = await http<View>(rt, 'POST', '/api/silences', { ...SUNDAY_TOKYO, reason: 'weekly DB maintenance' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ scope: { system: 'XYZ', host: 'db1' }, cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo', createdBy: 'api', reason: 'weekly DB maintenance' });
    expect(added.body).not.toHaveProperty('until'); // recurs for ever
    expect(added.body).not.toHaveProperty('recurrence');
    expectSundayTwoAmTokyo(added.body.nextWindow);
    expect(Date.parse(added.body.nextWindow!.from)).toBeGreaterThan(rt.clock.now() - 60_000);
    expect(Date.parse(added.body.nextWindow!.from) - rt.clock.now()).toBeLessThanOrEqual(7 * 86_400_000);
    const listed = (await http<View[]>(rt, 'GET', '/api/silences')).body.find((s) => s.silenceId === added.body.silenceId);
    expect(listed).toMatchObject({ cron: SUNDAY_TOKYO.cron, durationMinutes: 120, timezone: 'Asia/Tokyo' });
    expect(listed?.active).toBe(listed?.window !== undefined);

    // With an end: the recurrence stops then, and a window it cuts short ends with it.
    const until = new Date(rt.clock.now() + 30 * 86_400_000).toISOString();
    const ending = await http<View>(rt, 'POST', '/api/silences', { ...SUNDAY_TOKYO, until });
    expect(ending.status).toBe(201);
    expect(ending.body.until).toBe(until);
    expect((await http(rt, 'DELETE', `/api/silences/${added.body.silenceId}`)).status).toBe(204);
    expect((await http(rt, 'DELETE', `/api/silences/${ending.body.silenceId}`)).status).toBe(204);
  });

  it('a window in force is listed as active, with its end and the next one', async () => {
    // Every two minutes for one minute, read in UTC: at most a minute away on the scaled clock.
    const added = await http<View>(rt, 'POST', '/api/silences', { system: 'NOW', cron: 'cron(0/2 * * * ? *)', durationMinutes: 1, timezone: 'UTC' });
    expect(added.status).toBe(201);
    const during = await eventually(() => http<View[]>(rt, 'GET', '/api/silences').then((r) => r.body.find((s) => s.silenceId === added.body.silenceId)!), (s) => s.active, 'a window to open');
    await http(rt, 'DELETE', `/api/silences/${added.body.silenceId}`);
    // The first window may be cut short at its start (the silence was added during it), never at its end.
    expect(Date.parse(during.window!.until) - Date.parse(during.window!.from)).toBeLessThanOrEqual(60_000);
    expect(new Date(during.window!.until).getUTCSeconds()).toBe(0);
    expect(Date.parse(during.nextWindow!.from) - Date.parse(during.window!.until)).toBe(60_000);
  });

  it('refuses with 400 naming the field', async () => {
    const refused = async (body: Record<string, unknown>) => {
      const r = await http<{ message: string }>(rt, 'POST', '/api/silences', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      return r.body.message;
    };
    expect(await refused({ ...SUNDAY_TOKYO, cron: 'cron(0 2 * * SUN *)' })).toMatch(/^cron: Invalid Schedule Expression cron\(0 2 \* \* SUN \*\): one of day-of-month and day-of-week must be \?/);
    expect(await refused({ ...SUNDAY_TOKYO, cron: '0 2 * * 0' })).toMatch(/^cron: .*expected at\(\.\.\.\), rate\(\.\.\.\) or cron\(\.\.\.\)/);
    expect(await refused({ ...SUNDAY_TOKYO, cron: 'rate(7 days)' })).toMatch(/^cron: .*not rate/);
    expect(await refused({ ...SUNDAY_TOKYO, cron: 'at(2030-01-01T02:00:00)' })).toMatch(/^cron: .*for one time, add a silence with an end/);
    expect(await refused({ ...SUNDAY_TOKYO, timezone: 'Asia/Nowhere' })).toMatch(/^timezone: "Asia\/Nowhere" is not a time zone/);
    expect(await refused({ ...SUNDAY_TOKYO, timezone: 'asia/tokyo' })).toMatch(/^timezone:/);
    expect(await refused({ system: 'XYZ', cron: SUNDAY_TOKYO.cron, timezone: 'Asia/Tokyo' })).toMatch(/^durationMinutes: required with cron/);
    expect(await refused({ system: 'XYZ', cron: SUNDAY_TOKYO.cron, durationMinutes: 120 })).toMatch(/^timezone: required with cron/);
    for (const d of [0, 1.5, 7 * 24 * 60 + 1]) expect(await refused({ ...SUNDAY_TOKYO, durationMinutes: d })).toMatch(/^durationMinutes: must be whole minutes from 1 to 10080/);
    expect(await refused({ ...SUNDAY_TOKYO, durationMinutes: '2h' })).toMatch(/^durationMinutes:/);
    expect(await refused({ ...SUNDAY_TOKYO, cron: 'cron(0 * * * ? *)', durationMinutes: 60 })).toMatch(/^durationMinutes: 60 minutes is not shorter than the time between two windows/);
    expect(await refused({ ...SUNDAY_TOKYO, hours: 2 })).toMatch(/^hours: not with cron/);
    expect(await refused({ system: 'XYZ', durationMinutes: 60 })).toMatch(/^durationMinutes: only with cron/);
    expect(await refused({ system: 'XYZ', timezone: 'UTC' })).toMatch(/^timezone: only with cron/);
    expect(await refused({ ...SUNDAY_TOKYO, until: '2020-01-01T00:00:00Z' })).toMatch(/^until: must be in the future/);
    expect(await refused({ ...SUNDAY_TOKYO, cron: 'x'.repeat(300) })).toMatch(/^cron:/);
    // Nothing was stored.
    expect((await http<View[]>(rt, 'GET', '/api/silences')).body.filter((s) => s.cron && s.scope.system === 'XYZ')).toEqual([]);
  });
});

describe('yobidashi silence add --cron', () => {
  it('adds a weekly window and lists it with its recurrence and next window in its zone', async () => {
    const added = await cli('silence', 'add', '--system', 'XYZ', '--host', 'db1', '--cron', 'cron(0 2 ? * SUN *)', '--duration', '2h', '--timezone', 'Asia/Tokyo', '--reason', 'DB maintenance');
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/^silence (sil-\w+): cron\(0 2 \? \* SUN \*\) for 2h in Asia\/Tokyo; next window \d{4}-\d\d-\d\d 02:00 → 04:00 Asia\/Tokyo$/);
    const id = /^silence (sil-\w+)/.exec(added.out)![1]!;
    const list = await cli('silence', 'list');
    expect(list.out.split('\n')[0]).toMatch(/^silenceId\s+scope\s+recurrence\s+window\s+from\s+until\s+active\s+createdBy\s+reason$/);
    const row = list.out.split('\n').find((l) => l.startsWith(id))!;
    expect(row).toMatch(/cron\(0 2 \? \* SUN \*\) for 2h in Asia\/Tokyo\s+\d{4}-\d\d-\d\d 02:00 → 04:00 Asia\/Tokyo\s+\S+\s+(true|false)\s+cli\s+DB maintenance$/);
    const json = (JSON.parse((await cli('silence', 'list', '--json')).out) as View[]).find((s) => s.silenceId === id)!;
    expect(json).toMatchObject({ cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo', createdBy: 'cli' });
    expectSundayTwoAmTokyo(json.window ?? json.nextWindow);
    expect((await cli('silence', 'remove', id)).code).toBe(0);
  });

  it('takes 90m, 1h30m and days; an end with --until', async () => {
    const until = new Date(rt.clock.now() + 60 * 86_400_000).toISOString();
    const ninety = JSON.parse((await cli('silence', 'add', '--system', 'XYZ', '--cron', 'cron(30 23 ? * SAT *)', '--duration', '1h30m', '--timezone', 'Europe/Berlin', '--until', until, '--json')).out) as View;
    expect(ninety).toMatchObject({ durationMinutes: 90, until });
    const list = await cli('silence', 'list');
    // Saturday 23:30 to Sunday 01:00 in Berlin: the end's date is printed.
    expect(list.out).toMatch(/cron\(30 23 \? \* SAT \*\) for 1h30m in Europe\/Berlin\s+\d{4}-\d\d-\d\d 23:30 → \d\d-\d\d 01:00 Europe\/Berlin/);
    expect(JSON.parse((await cli('silence', 'add', '--system', 'XYZ', '--cron', 'cron(0 0 ? * 1#1 *)', '--duration', '2d', '--timezone', 'UTC', '--json')).out)).toMatchObject({ durationMinutes: 2880 });
    expect(JSON.parse((await cli('silence', 'add', '--system', 'XYZ', '--cron', 'cron(0 3 * * ? *)', '--duration', '90m', '--timezone', 'UTC', '--json')).out)).toMatchObject({ durationMinutes: 90 });
  });

  it('says what is wrong', async () => {
    const base = ['silence', 'add', '--system', 'XYZ', '--cron', 'cron(0 2 ? * SUN *)'];
    expect(await cli(...base, '--timezone', 'Asia/Tokyo')).toMatchObject({ code: 2, err: '--duration is required with --cron: how long each window lasts, e.g. 2h' });
    expect(await cli(...base, '--duration', '2h')).toMatchObject({ code: 2, err: "--timezone is required with --cron: the zone the cron's times are read in, e.g. Asia/Tokyo or UTC" });
    expect(await cli(...base, '--duration', '2h', '--timezone', 'Asia/Tokyo', '--hours', '2')).toMatchObject({ code: 2, err: expect.stringMatching(/option '--hours <n>' cannot be used with option '--cron <expression>'/) });
    expect(await cli(...base, '--duration', '120', '--timezone', 'Asia/Tokyo')).toMatchObject({ code: 2, err: expect.stringMatching(/--duration <length>' argument '120' is invalid\. must be a length such as 90m, 2h or 1h30m, from 1m to 7d/) });
    expect(await cli(...base, '--duration', '8d', '--timezone', 'Asia/Tokyo')).toMatchObject({ code: 2, err: expect.stringMatching(/from 1m to 7d/) });
    expect(await cli(...base, '--duration', '2h', '--timezone', 'Tokyo')).toMatchObject({ code: 2, err: expect.stringMatching(/timezone: "Tokyo" is not a time zone of the IANA tz database/) });
    expect(await cli('silence', 'add', '--system', 'XYZ', '--cron', 'rate(1 day)', '--duration', '2h', '--timezone', 'UTC')).toMatchObject({ code: 2, err: expect.stringMatching(/cron: a maintenance window opens at wall-clock times: give cron\(\.\.\.\), not rate\(\.\.\.\)/) });
    expect(await cli('silence', 'add', '--system', 'XYZ', '--duration', '2h')).toMatchObject({ code: 2, err: '--duration goes with --cron (a maintenance window); a one-off silence takes --hours or --until' });
    expect(await cli('silence', 'add', '--system', 'XYZ', '--timezone', 'UTC')).toMatchObject({ code: 2, err: '--timezone goes with --cron (a maintenance window); a one-off silence takes --hours or --until' });
  });
});
