import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../handlers/ports.ts';
import type { PutEventsEntry, PutEventsResultEntry } from '../../infra/local/aws/eventbridge/event-bridge-core.ts';
import { flexibleOffsetMs, SchedulerService, type ScheduleFailure, type ScheduleRequest } from '../../infra/local/aws/scheduler/scheduler-service.ts';
import { journalLine } from '../../infra/local/persistence/data-files.ts';
import { VirtualTime } from '../harness/virtual-time.ts';

/**
 * The local Scheduler's firing behaviour on virtual time: when each kind of schedule fires, in
 * which zone, across a DST change, within its dates and flexible window, and what survives a
 * restart (and a damaged journal). The API surface over the wire is test/e2e/scheduler.test.ts.
 */

const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/yobidashi';
const ROLE = 'arn:aws:iam::000000000000:role/yobidashi-scheduler';
const iso = (ms: number) => new Date(ms).toISOString();

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Fired {
  at: string;
  detailType: string;
  detail: string;
}

function logger(warnings: { message: string; fields?: Record<string, unknown> }[] = []): Logger {
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, fields) => void warnings.push({ message, ...(fields ? { fields } : {}) }),
    error: () => undefined,
    child: () => log,
  };
  return log;
}

/** A Scheduler on virtual time, whose bus records what it was given (or fails as told). */
function world(startIso: string, options: { file?: string; fail?: (entry: PutEventsEntry) => boolean; time?: VirtualTime; warnings?: { message: string; fields?: Record<string, unknown> }[] } = {}) {
  const time = options.time ?? new VirtualTime(Date.parse(startIso));
  const fired: Fired[] = [];
  const deadLetters: ScheduleFailure[] = [];
  const scheduler = new SchedulerService({
    timers: time,
    log: logger(options.warnings),
    ...(options.file ? { file: options.file } : {}),
    putEvents: async (entries): Promise<PutEventsResultEntry[]> =>
      entries.map((entry) => {
        if (options.fail?.(entry)) return { ErrorCode: 'InternalException', ErrorMessage: 'down' };
        fired.push({ at: iso(time.now()), detailType: entry.DetailType as string, detail: entry.Detail as string });
        return { EventId: String(fired.length) };
      }),
    onDeadLetter: (_schedule, failure) => deadLetters.push(failure),
  });
  const firedOf = (detailType: string) => fired.filter((f) => f.detailType === detailType).map((f) => f.at);
  return { time, scheduler, fired, firedOf, deadLetters };
}

function request(expression: string, more: Partial<ScheduleRequest> & { detailType?: string } = {}): ScheduleRequest {
  const { detailType, ...rest } = more;
  return {
    GroupName: 'yobidashi',
    ScheduleExpression: expression,
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: BUS, RoleArn: ROLE, Input: '{"n":1}', EventBridgeParameters: { Source: 'test.scheduler', DetailType: detailType ?? 'Tick' } },
    ...rest,
  };
}

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'yobidashi-scheduler-'));
  dirs.push(dir);
  return join(dir, 'schedules.jsonl');
}

describe('the local Scheduler fires as EventBridge Scheduler documents', () => {
  it('rate(): without a StartDate at once, then every period; with one, from it', async () => {
    const w = world('2026-11-24T01:00:00Z');
    w.scheduler.createSchedule('now', request('rate(15 minutes)', { detailType: 'Now' }));
    w.scheduler.createSchedule('later', request('rate(1 hour)', { detailType: 'Later', StartDate: Date.parse('2026-11-24T03:30:00Z') / 1000 }));
    await w.time.advance(60 * 60_000);
    expect(w.firedOf('Now')).toEqual(['2026-11-24T01:00:00.000Z', '2026-11-24T01:15:00.000Z', '2026-11-24T01:30:00.000Z', '2026-11-24T01:45:00.000Z', '2026-11-24T02:00:00.000Z']);
    await w.time.advance(3 * 60 * 60_000);
    expect(w.firedOf('Later')).toEqual(['2026-11-24T03:30:00.000Z', '2026-11-24T04:30:00.000Z']);
    expect(w.fired.find((f) => f.detailType === 'Now')?.detail).toBe('{"n":1}');
  });

  it('cron() in several zones, and across a DST change: the skipped time does not run, the repeated one runs once', async () => {
    const w = world('2026-03-06T12:00:00Z');
    w.scheduler.createSchedule('tokyo', request('cron(0 9 ? * MON-FRI *)', { ScheduleExpressionTimezone: 'Asia/Tokyo', detailType: 'Tokyo' }));
    w.scheduler.createSchedule('spring', request('cron(30 2 * * ? *)', { ScheduleExpressionTimezone: 'America/New_York', detailType: 'Spring' }));
    w.scheduler.createSchedule('kolkata', request('cron(0 12 1 * ? *)', { ScheduleExpressionTimezone: 'Asia/Kolkata', detailType: 'Kolkata' }));
    await w.time.advanceTo(Date.parse('2026-03-10T12:00:00Z'));
    // 09:00 JST on weekdays: Mon 9 and Tue 10 March (Sat and Sun skipped).
    expect(w.firedOf('Tokyo')).toEqual(['2026-03-09T00:00:00.000Z', '2026-03-10T00:00:00.000Z']);
    // New York springs forward on 8 March: 02:30 does not exist that day.
    expect(w.firedOf('Spring')).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);

    const fall = world('2026-10-31T12:00:00Z');
    fall.scheduler.createSchedule('fall', request('cron(30 1 * * ? *)', { ScheduleExpressionTimezone: 'America/New_York', detailType: 'Fall' }));
    fall.scheduler.createSchedule('every-hour', request('cron(0 * * * ? *)', { ScheduleExpressionTimezone: 'America/New_York', detailType: 'Hourly' }));
    await fall.time.advanceTo(Date.parse('2026-11-02T12:00:00Z'));
    // 01:30 happens twice on 1 November: the schedule runs at the first.
    expect(fall.firedOf('Fall')).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    // Every wall-clock hour once: 01:00 EDT runs, the repeated 01:00 EST does not.
    const hourly = fall.firedOf('Hourly').filter((t) => t >= '2026-11-01T04:00' && t < '2026-11-01T08:00');
    expect(hourly).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-01T05:00:00.000Z', '2026-11-01T07:00:00.000Z']);
  });

  it('at(): once, at the wall-clock time in its zone; DELETE removes it after, NONE keeps it done', async () => {
    const w = world('2026-11-24T00:00:00Z');
    w.scheduler.createSchedule('tokyo-once', request('at(2026-11-24T10:30:00)', { ScheduleExpressionTimezone: 'Asia/Tokyo', ActionAfterCompletion: 'DELETE', detailType: 'Once' }));
    w.scheduler.createSchedule('berlin-once', request('at(2026-11-24T10:30:00)', { ScheduleExpressionTimezone: 'Europe/Berlin', detailType: 'Berlin' }));
    await w.time.advance(24 * 3_600_000);
    expect(w.firedOf('Once')).toEqual(['2026-11-24T01:30:00.000Z']);
    expect(w.firedOf('Berlin')).toEqual(['2026-11-24T09:30:00.000Z']);
    expect(() => w.scheduler.get('yobidashi', 'tokyo-once')).toThrow(/does not exist/);
    expect(w.scheduler.get('yobidashi', 'berlin-once').fired).toBe(true);
    expect(w.scheduler.getSchedule('berlin-once', 'yobidashi').ActionAfterCompletion).toBe('NONE');
    expect(w.scheduler.history.filter((r) => r.name === 'tokyo-once').map((r) => r.event)).toEqual(['created', 'fired', 'deleted']);
  });

  it('a one-time schedule already due fires at once (the handlers rely on it), and an occurrence fires at most once', async () => {
    const w = world('2026-11-24T01:00:00Z');
    w.scheduler.createSchedule('late', request('at(2026-11-24T00:59:00)', { detailType: 'Late' }));
    await w.time.advance(0);
    expect(w.firedOf('Late')).toEqual(['2026-11-24T01:00:00.000Z']);
    // An update that leaves the time as it was does not fire it again; a new time does.
    w.scheduler.updateSchedule('late', request('at(2026-11-24T00:59:00)', { detailType: 'Late', Description: 'same time' }));
    await w.time.advance(60_000);
    expect(w.firedOf('Late')).toHaveLength(1);
    w.scheduler.updateSchedule('late', request('at(2026-11-24T01:05:00)', { detailType: 'Late' }));
    await w.time.advance(10 * 60_000);
    expect(w.firedOf('Late')).toEqual(['2026-11-24T01:00:00.000Z', '2026-11-24T01:05:00.000Z']);
  });

  it('StartDate and EndDate bound a recurring schedule; DELETE removes it after its last occurrence', async () => {
    const w = world('2026-11-24T00:00:00Z');
    const s = (t: string) => Date.parse(t) / 1000;
    w.scheduler.createSchedule('bounded', request('cron(0 * * * ? *)', { detailType: 'Bounded', StartDate: s('2026-11-24T02:30:00Z'), EndDate: s('2026-11-24T05:00:00Z'), ActionAfterCompletion: 'DELETE' }));
    w.scheduler.createSchedule('rate-end', request('rate(1 hour)', { detailType: 'RateEnd', EndDate: s('2026-11-24T02:00:00Z') }));
    await w.time.advance(12 * 3_600_000);
    // On or after the start, before the end (05:00 is the end itself: it does not run).
    expect(w.firedOf('Bounded')).toEqual(['2026-11-24T03:00:00.000Z', '2026-11-24T04:00:00.000Z']);
    expect(w.firedOf('RateEnd')).toEqual(['2026-11-24T00:00:00.000Z', '2026-11-24T01:00:00.000Z']);
    expect(() => w.scheduler.get('yobidashi', 'bounded')).toThrow(/does not exist/);
    expect(w.scheduler.get('yobidashi', 'rate-end').fired).toBe(true); // NONE: kept, done
  });

  it('a FLEXIBLE window: every occurrence fires within [occurrence, occurrence + window), spread, the same each time', async () => {
    const run = async () => {
      const w = world('2026-11-24T00:00:00Z');
      w.scheduler.createSchedule('flex', request('cron(0 * * * ? *)', { detailType: 'Flex', FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 } }));
      w.scheduler.createSchedule('flex-once', request('at(2026-11-24T06:00:00)', { detailType: 'FlexOnce', FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1440 } }));
      await w.time.advance(48 * 3_600_000);
      return w;
    };
    const w = await run();
    const times = w.firedOf('Flex').map(Date.parse);
    expect(times).toHaveLength(48);
    const offsets = times.map((t) => t - Math.floor(t / 3_600_000) * 3_600_000);
    for (const offset of offsets) expect(offset).toBeGreaterThanOrEqual(0), expect(offset).toBeLessThan(15 * 60_000);
    expect(new Set(offsets).size).toBeGreaterThan(30); // spread, not one fixed delay
    const once = Date.parse(w.firedOf('FlexOnce')[0] as string) - Date.parse('2026-11-24T06:00:00Z');
    expect(once).toBeGreaterThanOrEqual(0);
    expect(once).toBeLessThan(24 * 3_600_000);
    // Deterministic: the same schedule fires at the same instants in another run.
    expect((await run()).firedOf('Flex')).toEqual(w.firedOf('Flex'));
  });

  it('a window does not reach back: a schedule created inside the window of an earlier occurrence starts at the next', async () => {
    const w = world('2026-11-24T01:05:00Z');
    w.scheduler.createSchedule('late-flex', request('cron(0 * * * ? *)', { detailType: 'LateFlex', FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 30 } }));
    await w.time.advance(85 * 60_000); // to 02:30, the end of 02:00's window
    const [first] = w.firedOf('LateFlex');
    expect(first! >= '2026-11-24T02:00:00.000Z' && first! < '2026-11-24T02:30:00.000Z').toBe(true);
  });

  it('flexibleOffsetMs stays within the window for any schedule, occurrence and width', () => {
    for (let i = 0; i < 2000; i++) {
      const minutes = 1 + (i % 1440);
      const offset = flexibleOffsetMs('g', `s${i}`, 1_700_000_000_000 + i * 60_000, minutes);
      expect(offset % 1000).toBe(0);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(minutes * 60_000);
    }
    expect(flexibleOffsetMs('g', 's', 0, undefined)).toBe(0);
  });

  it('DISABLED does not fire; enabling it (UpdateSchedule) starts at the next occurrence', async () => {
    const w = world('2026-11-24T00:00:00Z');
    w.scheduler.createSchedule('off', request('rate(10 minutes)', { detailType: 'Off', State: 'DISABLED' }));
    w.scheduler.createSchedule('off-once', request('at(2026-11-24T00:30:00)', { detailType: 'OffOnce', State: 'DISABLED' }));
    await w.time.advance(3_600_000);
    expect(w.fired).toEqual([]);
    w.scheduler.updateSchedule('off', request('rate(10 minutes)', { detailType: 'Off', State: 'ENABLED' }));
    await w.time.advance(25 * 60_000);
    // Its rate still counts from when it was created (the expression did not change).
    expect(w.firedOf('Off')).toEqual(['2026-11-24T01:00:00.000Z', '2026-11-24T01:10:00.000Z', '2026-11-24T01:20:00.000Z']);
    w.scheduler.updateSchedule('off', request('rate(10 minutes)', { detailType: 'Off', State: 'DISABLED' }));
    await w.time.advance(3_600_000);
    expect(w.firedOf('Off')).toHaveLength(3);
  });

  it('UpdateSchedule replaces the whole schedule and re-times it', async () => {
    const w = world('2026-11-24T00:00:00Z');
    w.scheduler.createSchedule('job', request('rate(1 hour)', { detailType: 'Old', Description: 'hourly', ScheduleExpressionTimezone: 'Asia/Tokyo' }));
    await w.time.advance(90 * 60_000);
    w.scheduler.updateSchedule('job', request('cron(0 12 * * ? *)', { detailType: 'New' }));
    const got = w.scheduler.getSchedule('job', 'yobidashi');
    expect(got).toMatchObject({ ScheduleExpression: 'cron(0 12 * * ? *)', ScheduleExpressionTimezone: 'UTC', State: 'ENABLED', ActionAfterCompletion: 'NONE' });
    expect(got.Description).toBeUndefined(); // left out of the update: gone
    expect(got.CreationDate).toBe(Date.parse('2026-11-24T00:00:00Z') / 1000);
    expect(got.LastModificationDate).toBe(Date.parse('2026-11-24T01:30:00Z') / 1000);
    await w.time.advance(36 * 3_600_000);
    expect(w.firedOf('Old')).toEqual(['2026-11-24T00:00:00.000Z', '2026-11-24T01:00:00.000Z']);
    expect(w.firedOf('New')).toEqual(['2026-11-24T12:00:00.000Z', '2026-11-25T12:00:00.000Z']);
  });

  it('a target that keeps failing is retried per its RetryPolicy, then dead-lettered', async () => {
    const w = world('2026-11-24T00:00:00Z', { fail: () => true });
    w.scheduler.createSchedule('doomed', request('at(2026-11-24T00:10:00)', { Target: { Arn: BUS, RoleArn: ROLE, EventBridgeParameters: { Source: 'test.scheduler', DetailType: 'Doomed' }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } } }));
    await w.time.advance(3_600_000);
    expect(w.deadLetters).toEqual([expect.objectContaining({ attempts: 3, condition: 'RetriesExhausted', scheduledAt: Date.parse('2026-11-24T00:10:00Z') })]);
  });
});

describe('the schedules journal', () => {
  it('a restart re-arms: a recurring schedule resumes at its next occurrence (missed ones are not made up), an overdue one-time one fires at once', async () => {
    const file = tempFile();
    const first = world('2026-11-24T00:00:00Z', { file });
    first.scheduler.createSchedule('every-10', request('rate(10 minutes)', { detailType: 'Rate' }));
    first.scheduler.createSchedule('daily', request('cron(0 9 * * ? *)', { ScheduleExpressionTimezone: 'Asia/Tokyo', detailType: 'Daily' }));
    first.scheduler.createSchedule('check', request('at(2026-11-24T02:00:00)', { ActionAfterCompletion: 'DELETE', detailType: 'Check' }));
    first.scheduler.createSchedule('paused', request('rate(1 minute)', { State: 'DISABLED', detailType: 'Paused' }));
    await first.time.advance(25 * 60_000);
    expect(first.firedOf('Rate')).toEqual(['2026-11-24T00:00:00.000Z', '2026-11-24T00:10:00.000Z', '2026-11-24T00:20:00.000Z']);

    // Stopped at 00:25, started again at 03:04: the rate's 00:30 … 03:00 are not made up.
    const second = world('', { file, time: new VirtualTime(Date.parse('2026-11-24T03:04:00Z')) });
    expect(second.scheduler.journalSkipped).toEqual([]);
    await second.time.advance(0);
    expect(second.firedOf('Check')).toEqual(['2026-11-24T03:04:00.000Z']); // overdue: at once
    await second.time.advanceTo(Date.parse('2026-11-25T00:30:00Z'));
    expect(second.firedOf('Rate').slice(0, 2)).toEqual(['2026-11-24T03:10:00.000Z', '2026-11-24T03:20:00.000Z']);
    expect(second.firedOf('Daily')).toEqual(['2026-11-25T00:00:00.000Z']);
    expect(second.firedOf('Paused')).toEqual([]);
    expect(second.firedOf('Check')).toHaveLength(1);
    expect(second.scheduler.list().map((s) => s.Name).sort()).toEqual(['daily', 'every-10', 'paused']);
  });

  it('nothing a client sends can break a line: any text in any field reads back as it was', () => {
    const file = tempFile();
    const w = world('2026-11-24T00:00:00Z', { file });
    const awkward = 'line\nbreak\r\n\u2028\u2029 "quotes" \\ \t tab 𝄞 {"not":"json"';
    w.scheduler.createSchedule('awkward', request('rate(1 day)', { Description: awkward, Target: { Arn: BUS, RoleArn: ROLE, Input: awkward, EventBridgeParameters: { Source: 'test.scheduler', DetailType: awkward.slice(0, 100) } } }));
    const again = world('', { file, time: new VirtualTime(w.time.now()) });
    expect(again.scheduler.journalSkipped).toEqual([]);
    const got = again.scheduler.getSchedule('awkward', 'yobidashi');
    expect(got.Description).toBe(awkward);
    expect(got.Target.Input).toBe(awkward);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(1); // one schedule, one line
  });

  it('a torn, damaged or foreign line is skipped and reported by file and line; the rest is recovered', () => {
    const file = tempFile();
    const w = world('2026-11-24T00:00:00Z', { file });
    w.scheduler.createSchedule('kept', request('rate(5 minutes)'));
    w.scheduler.createSchedule('also-kept', request('at(2026-11-25T00:00:00)'));
    const good = readFileSync(file, 'utf8');
    const tampered = journalLine({ op: 'put', schedule: { ...w.scheduler.get('yobidashi', 'kept'), Name: 'tampered' } }).replace('tampered', 'tampereX');
    writeFileSync(
      file,
      [
        good.trimEnd(),
        'garbage that is not json at all',
        tampered.trimEnd(), // the checksum no longer matches
        journalLine({ op: 'put', schedule: { Name: 'no good', ScheduleExpression: 'rate(0 minutes)' } }).trimEnd(), // checksummed, but no schedule
        journalLine({ op: 'launch', what: 'missiles' }).trimEnd(),
      ].join('\n') + '\n',
    );
    appendFileSync(file, '{"op":"put","sched'); // torn by a crash
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const again = world('', { file, time: new VirtualTime(w.time.now()), warnings });
    expect(again.scheduler.list().map((s) => s.Name).sort()).toEqual(['also-kept', 'kept']);
    expect(again.scheduler.journalSkipped).toEqual([
      'schedules.jsonl:3: not JSON; skipped',
      'schedules.jsonl:4: checksum does not match (damaged); skipped',
      'schedules.jsonl:5: not a record this file holds; skipped',
      'schedules.jsonl:6: not a record this file holds; skipped',
      'schedules.jsonl:7: not JSON; skipped',
    ]);
    expect(warnings).toEqual([expect.objectContaining({ fields: expect.objectContaining({ file: 'schedules.jsonl', count: 5 }) })]);
    // Compacted: the next start reads a clean journal.
    expect(world('', { file, time: new VirtualTime(w.time.now()) }).scheduler.journalSkipped).toEqual([]);
  });

  it('reads a journal written before checksums and windows: plain JSON lines, rate schedules on their grid', async () => {
    const file = tempFile();
    const legacy = {
      Name: 'yobidashi-sweep',
      GroupName: 'yobidashi',
      ScheduleExpression: 'rate(5 minutes)',
      ActionAfterCompletion: 'NONE',
      State: 'ENABLED',
      Target: { Arn: BUS, RoleArn: ROLE, Input: '{"schemaVersion":1}', EventBridgeParameters: { Source: 'yobidashi', DetailType: 'SweepDue' } },
      CreationDate: Date.parse('2026-11-24T00:00:00Z') / 1000,
      atMs: Date.parse('2026-11-24T00:05:00Z'),
      everyMs: 300_000,
    };
    const check = { ...legacy, Name: 'chk-1', ScheduleExpression: 'at(2026-11-24T00:07:00)', ScheduleExpressionTimezone: 'UTC', ActionAfterCompletion: 'DELETE', atMs: Date.parse('2026-11-24T00:07:00Z'), everyMs: undefined, Target: { ...legacy.Target, EventBridgeParameters: { Source: 'yobidashi', DetailType: 'CallCheckDue' } } };
    writeFileSync(file, `${JSON.stringify({ op: 'put', schedule: legacy })}\n${JSON.stringify({ op: 'put', schedule: check })}\n`);
    const w = world('', { file, time: new VirtualTime(Date.parse('2026-11-24T00:01:00Z')) });
    expect(w.scheduler.journalSkipped).toEqual([]);
    await w.time.advance(10 * 60_000);
    expect(w.firedOf('SweepDue')).toEqual(['2026-11-24T00:05:00.000Z', '2026-11-24T00:10:00.000Z']);
    expect(w.firedOf('CallCheckDue')).toEqual(['2026-11-24T00:07:00.000Z']);
    expect(w.scheduler.getSchedule('yobidashi-sweep', 'yobidashi').FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
  });
});
