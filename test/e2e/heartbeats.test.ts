import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../handlers/lib/logger.ts';
import type { MonitorRow } from '../../infra/cli/monitors.ts';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';
import { eventually, http, pointSdkAt, runCliOn } from './support.ts';

/**
 * Heartbeats end to end on the scaled wall clock (60x: a minute is a second): a monitor sends
 * heartbeats with the AWS SDK and with the real AWS CLI (`aws events put-events`), goes silent,
 * the roster is phoned, and its next heartbeat resolves the incident; `yobidashi heartbeats` shows
 * it locally and in `--stack` mode (the AWS back end against the runtime answering as AWS), and
 * pauses, resumes and removes it.
 */

const AWS_CLI = '/usr/bin/aws';
const run = promisify(execFile);
const PHONE = '+819055550001';
let rt: Runtime;
let restoreEnv: () => void;

beforeAll(async () => {
  rt = await startRuntime({ dataDir: await mkdtemp(join(tmpdir(), 'yobidashi-heartbeats-')), port: 0, timeScale: 60, log: silentLogger });
  restoreEnv = pointSdkAt(rt.url);
});
afterAll(async () => {
  restoreEnv();
  await rt.stop();
});

const cli = (mode: 'stack' | 'local', ...args: string[]) => runCliOn(rt, mode, ...args);

async function json<T>(mode: 'stack' | 'local', ...args: string[]): Promise<T> {
  const result = await cli(mode, ...args, '--json');
  expect(result.err, args.join(' ')).toBe('');
  expect(result.code, args.join(' ')).toBe(0);
  return JSON.parse(result.out) as T;
}

const HEARTBEAT = { system: 'E2E', name: 'nagios', intervalSeconds: 60, graceSeconds: 30 };

async function sdkHeartbeat(): Promise<void> {
  const client = new EventBridgeClient({ endpoint: rt.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const answer = await client.send(new PutEventsCommand({ Entries: [{ EventBusName: 'yobidashi', Source: 'nagios', DetailType: 'Heartbeat', Detail: JSON.stringify(HEARTBEAT) }] }));
  expect(answer.FailedEntryCount).toBe(0);
}

/** `aws events put-events` as a crontab line would run it (the README's example). */
async function awsCliHeartbeat(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'yobidashi-awscli-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const entries = JSON.stringify([{ EventBusName: 'yobidashi', Source: 'cron', DetailType: 'Heartbeat', Detail: JSON.stringify(HEARTBEAT) }]);
  const { stdout } = await run(AWS_CLI, ['events', 'put-events', '--entries', entries, '--endpoint-url', rt.url, '--output', 'json'], { env, cwd: home, timeout: 30_000 });
  expect(JSON.parse(stdout)).toMatchObject({ FailedEntryCount: 0 });
}

const monitors = (mode: 'stack' | 'local') => json<MonitorRow[]>(mode, 'heartbeats');

describe('a heartbeat monitor through the SDK, the AWS CLI and yobidashi heartbeats', { timeout: 60_000 }, () => {
  it('registers, goes silent and phones the roster, comes back and resolves; the same in --stack mode; paused, resumed and removed from the CLI', async () => {
    expect((await http(rt, 'PUT', '/api/rosters/E2E', { rounds: 3, responders: [{ name: 'Eri', phone: PHONE, language: 'en-US', timezone: 'Asia/Tokyo' }] })).status).toBe(200);
    expect((await http(rt, 'PUT', `/api/phones/${PHONE}`, { answer: false })).status).toBe(200);

    await sdkHeartbeat();
    const up = await eventually(() => monitors('local'), (rows) => rows.length === 1, 'the monitor to register');
    expect(up[0]).toMatchObject({ system: 'E2E', name: 'nagios', state: 'up', intervalSeconds: 60, graceSeconds: 30, lastSource: 'nagios' });
    expect(Date.parse(up[0]!.nextDeadline!) - Date.parse(up[0]!.lastSeenAt)).toBe(90_000);
    // The table as the CLI prints it.
    const printed = await cli('local', 'heartbeats');
    expect(printed.out).toMatch(/system\s+name\s+state\s+interval\s+grace\s+lastSeenAt\s+deadline/);
    expect(printed.out).toMatch(/E2E\s+nagios\s+up\s+60s\s+30s/);

    // Silence: 90 s later (a second and a half here) it is late, an incident is open and the phone rings.
    const late = await eventually(() => monitors('local'), (rows) => rows[0]?.state === 'late' && rows[0].incidentId !== undefined, 'the monitor to go late', 20_000);
    const incidentId = late[0]!.incidentId!;
    expect(Date.parse(late[0]!.missedAt!) - Date.parse(up[0]!.lastSeenAt)).toBeGreaterThanOrEqual(60_000);
    expect(await eventually(() => json<MonitorRow[]>('stack', 'heartbeats'), (rows) => JSON.stringify(rows) === JSON.stringify(late), 'stack mode to read the same')).toEqual(late);
    const calls = await eventually(() => http<{ destination: string; incidentId: string }[]>(rt, 'GET', '/api/calls'), (r) => r.body.some((c) => c.incidentId === incidentId), 'the roster to be phoned');
    expect(calls.body.filter((c) => c.incidentId === incidentId).map((c) => c.destination)[0]).toBe(PHONE);
    expect((await http(rt, 'GET', `/api/incidents/${incidentId}`)).body).toMatchObject({ service: 'heartbeat:nagios', host: 'nagios', status: 'open' });

    // Back: the real AWS CLI when it is installed (CI), the SDK otherwise.
    if (existsSync(AWS_CLI)) await awsCliHeartbeat();
    else await sdkHeartbeat();
    await eventually(() => http<{ status: string }>(rt, 'GET', `/api/incidents/${incidentId}`), (r) => r.body.status === 'resolved', 'the incident to resolve');
    const back = await eventually(() => monitors('local'), (rows) => rows[0]?.state === 'up', 'the monitor to be up');
    expect(back[0]!.incidentId).toBeUndefined();
    const callsWhenBack = (await http<unknown[]>(rt, 'GET', '/api/calls')).body.length;

    // Paused from a stack's CLI: nothing opens however long it stays silent.
    expect(await json<MonitorRow>('stack', 'heartbeats', 'pause', 'E2E', 'nagios')).toMatchObject({ state: 'paused', pausedBy: 'cli' });
    await eventually(async () => rt.scheduler.list().filter((s) => s.Name.startsWith('hb-')).length, (n) => n === 0, 'the schedule to be deleted');
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // three minutes here: twice interval + grace
    expect((await monitors('local'))[0]).toMatchObject({ state: 'paused' });
    expect((await http<{ incidentId: string; status: string }[]>(rt, 'GET', '/api/incidents')).body.filter((i) => i.status === 'open')).toEqual([]);
    expect((await http<unknown[]>(rt, 'GET', '/api/calls')).body.length).toBe(callsWhenBack);

    // Resumed locally, removed from the stack's CLI: the monitor and its schedule are gone.
    const resumed = await json<MonitorRow>('local', 'heartbeats', 'resume', 'E2E', 'nagios');
    expect(resumed.state).toBe('up');
    await eventually(async () => rt.scheduler.list().filter((s) => s.Name.startsWith('hb-') && !s.fired).length, (n) => n === 1, 'the schedule to be armed again');
    expect((await cli('stack', 'heartbeats', 'remove', 'E2E', 'nagios')).out).toBe('removed nagios of system E2E');
    expect(await monitors('stack')).toEqual([]);
    await eventually(async () => rt.scheduler.list().filter((s) => s.Name.startsWith('hb-')).length, (n) => n === 0, 'the schedule to be deleted');
    const missing = await cli('stack', 'heartbeats', 'pause', 'E2E', 'nagios');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no heartbeat monitor nagios of system E2E');
  });
});
