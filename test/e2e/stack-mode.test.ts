import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../handlers/lib/logger.ts';
import { main } from '../../infra/cli/main.ts';
import { eventually, pointSdkAt, runCliOn } from './support.ts';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';

/**
 * Every CLI verb in `--stack` mode — the code that runs against a deployed stack — against the
 * local runtime, which answers as AWS on its port (AWS_ENDPOINT_URL): CloudFormation's outputs,
 * DynamoDB, EventBridge, SQS, Lambda, Connect, CloudWatch. Each verb is also run in local mode
 * and must see the same.
 */
const ROSTER_FILE = fileURLToPath(new URL('../../examples/roster.yaml', import.meta.url));
let rt: Runtime;
let restoreEnv: () => void;

beforeAll(async () => {
  rt = await startRuntime({ dataDir: await mkdtemp(join(tmpdir(), 'yobidashi-stack-')), port: 0, timeScale: 120, log: silentLogger, settings: { redriveMaxAgeMs: 0 } });
  restoreEnv = pointSdkAt(rt.url);
});
afterAll(async () => {
  restoreEnv();
  await rt.stop();
});

const cli = (mode: 'stack' | 'local', ...args: string[]) => runCliOn(rt, mode, ...args);
/**
 * The same verb in both modes sees the same: read both until they agree (the system keeps moving
 * between two reads — a check fires, an event lands — so one pair of reads may straddle a change).
 */
async function sameInBoth<T>(...args: string[]): Promise<T> {
  const both = await eventually(
    async () => [JSON.stringify(await json<T>('stack', ...args)), JSON.stringify(await json<T>('local', ...args))] as const,
    ([a, b]) => a === b,
    `${args.join(' ')} to read the same in both modes`,
  );
  return JSON.parse(both[0]) as T;
}

async function json<T>(mode: 'stack' | 'local', ...args: string[]): Promise<T> {
  const result = await cli(mode, ...args, '--json');
  expect(result.err, args.join(' ')).toBe('');
  expect(result.code, args.join(' ')).toBe(0);
  return JSON.parse(result.out) as T;
}

describe('yobidashi --stack against the local runtime answering as AWS', { timeout: 60_000 }, () => {
  it('rosters: imported through the stack, the same in both modes', async () => {
    const imported = await cli('stack', 'roster', 'import', ROSTER_FILE);
    expect(imported).toMatchObject({ code: 0, out: expect.stringContaining('imported: XYZ, 3 responders, 3 rounds') });
    const viaStack = await sameInBoth<{ system: string }[]>('roster', 'list');
    expect(viaStack.map((r) => r.system).sort()).toEqual(['XYZ', 'default']);
  });

  it('alert send, incidents, one incident, calls: the same in both modes', async () => {
    await cli('local', 'roster', 'import', ROSTER_FILE);
    await fetch(`${rt.url}/api/phones/+12125550102`, { method: 'PUT', body: JSON.stringify({ answer: true, digits: '1' }) });
    const sent = await cli('stack', 'alert', 'send', '--system', 'XYZ', '--host', 'web1', '--service', 'HTTP');
    expect(sent).toMatchObject({ code: 0, out: expect.stringMatching(/^sent firing alert XYZ\/web1\/HTTP/) });
    const incidents = await eventually(() => json<{ incidentId: string; status: string; host: string }[]>('stack', 'incidents'), (l) => l.some((i) => i.host === 'web1' && i.status === 'acknowledged'), 'the acknowledgement');
    await sameInBoth('incidents');
    const id = incidents.find((i) => i.host === 'web1')!.incidentId;
    await sameInBoth('incidents', id);
    const text = await cli('stack', 'incidents', id);
    expect(text.out).toContain('IncidentAcknowledged');
    const viaStack = await json<{ incidentId: string; attempt: number; outcome?: string }[]>('stack', 'calls');
    const viaLocal = await json<{ incidentId: string; attempt: number; outcome?: string }[]>('local', 'calls');
    const key = (c: { incidentId: string; attempt: number; outcome?: string }) => `${c.incidentId}#${c.attempt}:${c.outcome}`;
    expect(viaStack.map(key).sort()).toEqual(viaLocal.map(key).sort());
    expect(await cli('stack', 'incidents', 'no-such-incident')).toMatchObject({ code: 2, err: expect.stringMatching(/404/) });
  });

  it('silence add stops the calling at once; list and remove: the same in both modes', async () => {
    await cli('local', 'roster', 'import', ROSTER_FILE);
    await cli('stack', 'alert', 'send', '--system', 'XYZ', '--host', 'db9', '--service', 'Disk');
    await eventually(() => json<{ host: string; status: string }[]>('stack', 'incidents'), (l) => l.some((i) => i.host === 'db9' && i.status === 'open'), 'the incident');
    const added = await json<{ silenceId: string }>('stack', 'silence', 'add', '--system', 'XYZ', '--host', 'db9', '--hours', '2', '--reason', 'maintenance');
    await eventually(() => json<{ host: string; status: string; silenceId?: string }[]>('local', 'incidents'), (l) => l.some((i) => i.host === 'db9' && i.status === 'silenced' && i.silenceId === added.silenceId), 'the incident silenced');
    const listed = await json<{ silenceId: string }[]>('stack', 'silence', 'list');
    expect(listed.map((s) => s.silenceId)).toContain(added.silenceId);
    expect((await json<{ silenceId: string }[]>('local', 'silence', 'list')).map((s) => s.silenceId).sort()).toEqual(listed.map((s) => s.silenceId).sort());
    expect(await cli('stack', 'silence', 'remove', added.silenceId)).toMatchObject({ code: 0 });
    expect((await json<{ silenceId: string }[]>('local', 'silence', 'list')).map((s) => s.silenceId)).not.toContain(added.silenceId);
    expect(await cli('stack', 'silence', 'remove', added.silenceId)).toMatchObject({ code: 2, err: expect.stringMatching(/404/) });
  });

  it('silence add --cron: a maintenance window through the table and the bus, the same in both modes; its next start is armed', async () => {
    const added = await json<{ silenceId: string; cron: string; durationMinutes: number; timezone: string; nextWindow: { from: string; until: string } }>(
      'stack', 'silence', 'add', '--system', 'XYZ', '--host', 'db1', '--cron', 'cron(0 2 ? * SUN *)', '--duration', '2h', '--timezone', 'Asia/Tokyo',
    );
    expect(added).toMatchObject({ cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo' });
    const listed = await sameInBoth<{ silenceId: string; cron?: string; nextWindow?: unknown }[]>('silence', 'list');
    expect(listed.find((s) => s.silenceId === added.silenceId)).toMatchObject({ cron: 'cron(0 2 ? * SUN *)', nextWindow: added.nextWindow });
    // SilenceAdded carried the recurrence: apply-silence armed the one-time schedule of the next window's start.
    const armed = `win-${added.silenceId}-${Date.parse(added.nextWindow.from) / 1000}`;
    await eventually(async () => rt.scheduler.list().map((s) => s.Name), (names) => names.includes(armed), 'the next window to be armed');
    expect(await cli('stack', 'silence', 'add', '--system', 'XYZ', '--cron', 'cron(0 2 ? * SUN *)', '--duration', '2h', '--timezone', 'Mars/Olympus')).toMatchObject({ code: 2, err: expect.stringMatching(/^timezone: "Mars\/Olympus" is not a time zone/) });
    expect(await cli('stack', 'silence', 'remove', added.silenceId)).toMatchObject({ code: 0 });
  });

  it('dead letters: listed the same in both modes, redriven through SQS and Lambda', async () => {
    await cli('local', 'roster', 'import', ROSTER_FILE);
    expect((await cli('local', 'fault', 'add', '--target', 'handler:alert-received', '--error', 'InternalError', '--times', '3')).code).toBe(0);
    await cli('stack', 'alert', 'send', '--system', 'XYZ', '--host', 'dl1', '--service', 'CPU');
    const viaStack = await eventually(() => json<{ id: string; route: string; detailType: string; eventId: string; stage: string }[]>('stack', 'dead-letters', 'list'), (l) => l.length > 0, 'a dead letter');
    const viaLocal = await json<{ route: string; detailType: string; eventId: string; stage: string }[]>('local', 'dead-letters', 'list');
    const key = (l: { route: string; detailType: string; eventId: string; stage: string }) => `${l.route} ${l.detailType} ${l.eventId} ${l.stage}`;
    expect(viaStack.map(key).sort()).toEqual(viaLocal.map(key).sort());
    const redriven = await json<{ redriven: string[] }>('stack', 'dead-letters', 'redrive', viaStack[0]!.id);
    expect(redriven.redriven).toEqual([viaStack[0]!.id]);
    await eventually(() => json<unknown[]>('local', 'dead-letters', 'list'), (l) => l.length === viaLocal.length - 1, 'one dead letter fewer');
    expect(await cli('stack', 'dead-letters', 'redrive', 'no-such-message')).toMatchObject({ code: 2, err: expect.stringMatching(/404/) });
  });

  it('replay, routes (no drift), test-pattern (AWS decides), doctor', async () => {
    const from = new Date(rt.clock.now() - 3_600_000).toISOString();
    const to = new Date(rt.clock.now() + 60_000).toISOString();
    expect(await cli('stack', 'replay', '--from', from, '--to', to, '--name', 'stack-replay')).toMatchObject({ code: 0, out: 'replay stack-replay: COMPLETED' });
    const drift = await json<{ state: string }[]>('stack', 'routes');
    expect(drift.length).toBeGreaterThan(5);
    expect(drift.every((d) => d.state === 'same')).toBe(true);
    const pattern = JSON.stringify({ source: ['nagios'] });
    const event = JSON.stringify({ id: '1', account: '1', source: 'nagios', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'x', detail: {} });
    expect(await cli('stack', 'test-pattern', pattern, event)).toMatchObject({ code: 0, out: 'match' });
    const checks = await json<{ check: string; status: string }[]>('stack', 'doctor');
    expect(checks.map((c) => c.check)).toEqual(
      expect.arrayContaining(['the stack is deployed', 'the Connect instance is active with outbound calling', 'the contact flow exists and is published', 'rules match the routing table', 'no handler errors in the last 24 h']),
    );
    const status = Object.fromEntries(checks.map((c) => [c.check, c.status]));
    expect(status).toMatchObject({
      'the stack is deployed': 'ok',
      'the Connect instance is active with outbound calling': 'ok',
      'the contact flow exists and is published': 'ok',
      'the source number is claimed by the instance': 'ok',
      'rules match the routing table': 'ok',
      'handler failures queue is empty': 'ok',
      // alert-received failed 3 times in the dead-letter test above: Lambda counts every failed invocation.
      'no handler errors in the last 24 h': 'warn',
    });
    expect((await cli('stack', 'doctor')).code).toBe(0); // warnings do not fail it
    // A dead letter does.
    await cli('local', 'fault', 'add', '--target', 'handler:alert-received', '--error', 'InternalError', '--times', '3');
    await cli('stack', 'alert', 'send', '--system', 'XYZ', '--host', 'dl2', '--service', 'CPU');
    await eventually(() => json<unknown[]>('local', 'dead-letters', 'list'), (l) => l.length > 0, 'a dead letter');
    const failing = await cli('stack', 'doctor');
    expect(failing.code).toBe(1);
    expect(failing.out).toMatch(/fail\s+handler failures queue is empty\s+1 message/);
  });

  it('a stack that does not exist, and a missing runtime, get a clear message', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await main(['incidents', '--stack', 'Nope'], { log: (l) => out.push(l), error: (l) => err.push(l) })).toBe(2);
    expect(err.join()).toMatch(/no stack Nope/);
  });
});
