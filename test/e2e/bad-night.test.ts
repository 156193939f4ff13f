import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLogger, silentLogger } from '../../handlers/lib/logger.ts';
import type { Settings } from '../../handlers/lib/deps.ts';
import type { Logger } from '../../handlers/ports.ts';
import { eventually, http, runCli } from './support.ts';

const cli = (rt: Runtime, ...args: string[]) => runCli([...args, '--endpoint', rt.url]);
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';

/**
 * A bad night rehearsed against `npm start` itself: faults injected through the local API and the
 * CLI, alerts sent over the EventBridge wire protocol, everything on the scaled wall clock.
 */
const A = '+819011110001';
const B = '+819011110002';

let running: Runtime[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.stop()));
  running = [];
});

async function start(options: { dir?: string; timeScale?: number; settings?: Partial<Settings>; log?: Logger } = {}): Promise<{ rt: Runtime; dir: string }> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'yobidashi-night-')));
  const rt = await startRuntime({ dataDir: dir, port: 0, timeScale: options.timeScale ?? 120, log: options.log ?? silentLogger, ...(options.settings ? { settings: options.settings } : {}) });
  running.push(rt);
  return { rt, dir };
}




async function sendAlert(rt: Runtime, host = 'server1', system = 'XYZ'): Promise<void> {
  const client = new EventBridgeClient({ endpoint: rt.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const result = await client.send(
    new PutEventsCommand({ Entries: [{ EventBusName: 'yobidashi', Source: 'nagios', DetailType: 'AlertReceived', Detail: JSON.stringify({ systemname: system, host, service: 'CPU' }) }] }),
  );
  expect(result.FailedEntryCount).toBe(0);
}

async function withRoster(rt: Runtime, rounds = 1): Promise<void> {
  const res = await http(rt, 'PUT', '/api/rosters/XYZ', {
    rounds,
    responders: [
      { name: 'Aki', phone: A, language: 'en-US', timezone: 'Asia/Tokyo' },
      { name: 'Ben', phone: B, language: 'en-US', timezone: 'Asia/Tokyo' },
    ],
  });
  expect(res.status).toBe(200);
}

type Incident = { incidentId: string; status: string; callsPlaced: number };
type Call = { destination: string; incidentId: string; outcome?: string; startedAt: string };
const incidents = (rt: Runtime) => http<Incident[]>(rt, 'GET', '/api/incidents').then((r) => r.body);
const calls = (rt: Runtime) => http<Call[]>(rt, 'GET', '/api/calls').then((r) => r.body);
const simulatedSeconds = (rt: Runtime, realMs: number) => (realMs * rt.timeScale) / 1000;

describe('faults through the local API', () => {
  it('PUT /api/faults refuses a bad body with 400 naming the field, and GET and DELETE list and clear', async () => {
    const { rt } = await start();
    const bad = async (body: unknown) => (await http<{ message: string }>(rt, 'PUT', '/api/faults', body)).body.message;
    expect(await bad({ target: 'connect:Nope', error: 'ThrottlingException', times: 1 })).toMatch(/^target: must be one of/);
    expect(await bad({ target: 'handler:no-such', error: 'ThrottlingException', times: 1 })).toMatch(/^target:/);
    expect(await bad({ target: 'dynamodb:*', error: 'not a code!', times: 1 })).toMatch(/^error:/);
    expect(await bad({ target: 'dynamodb:*', error: 'ThrottlingException' })).toMatch(/^forSeconds: give forSeconds/);
    expect(await bad({ target: 'dynamodb:*', error: 'ThrottlingException', times: 1, forSeconds: 5 })).toMatch(/^times: give forSeconds or times, not both/);
    expect(await bad({ target: 'dynamodb:*', error: 'ThrottlingException', times: 0 })).toMatch(/^times:/);
    expect(await bad({ target: 'dynamodb:*', error: 'ThrottlingException', times: 1, extra: true })).toMatch(/extra/);
    const added = await http<{ id: string; remaining: number }>(rt, 'PUT', '/api/faults', { target: 'handler:place-call', error: 'InternalError', times: 2 });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ target: 'handler:place-call', remaining: 2, hits: 0 });
    expect((await http<unknown[]>(rt, 'GET', '/api/faults')).body).toHaveLength(1);
    expect((await http(rt, 'DELETE', '/api/faults')).body).toEqual({ cleared: 1 });
    expect((await http<unknown[]>(rt, 'GET', '/api/faults')).body).toEqual([]);
  });

  it('Connect throttles every start for 10 minutes: the call is placed once, when it clears', async () => {
    const { rt } = await start({ timeScale: 240 });
    await withRoster(rt);
    await http(rt, 'PUT', `/api/phones/${A}`, { answer: true, digits: '1' });
    const added = await cli(rt, 'fault', 'add', '--target', 'connect:StartOutboundVoiceContact', '--error', 'ThrottlingException', '--for-seconds', '600');
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/^fault flt-\w+: connect:StartOutboundVoiceContact answers ThrottlingException until /);
    const began = rt.clock.now();
    await sendAlert(rt);
    await eventually(() => incidents(rt), (list) => list[0]?.status === 'acknowledged', 'acknowledged', 30_000);
    const placed = await calls(rt);
    expect(placed.map((c) => c.destination)).toEqual([A]);
    const after = (Date.parse(placed[0]!.startedAt) - began) / 1000;
    expect(after).toBeGreaterThanOrEqual(600);
    expect(after).toBeLessThan(600 + 180); // backoff caps at 2 minutes (plus real-time slack)
    expect((await cli(rt, 'dead-letters', 'list')).out).toBe('(none)');
  });

  it('place-call throws 5 times in a row: phoned exactly once; the dead letter survives a restart and redrives harmlessly', async () => {
    // Automatic redrive off, so the evidence stays for the operator to look at.
    const first = await start({ settings: { redriveMaxAgeMs: 0 } });
    await withRoster(first.rt);
    await http(first.rt, 'PUT', `/api/phones/${A}`, { answer: true, digits: '1' });
    expect((await cli(first.rt, 'fault', 'add', '--target', 'handler:place-call', '--error', 'ServiceUnavailableException', '--times', '5')).code).toBe(0);
    await sendAlert(first.rt);
    await eventually(() => incidents(first.rt), (list) => list[0]?.status === 'acknowledged', 'acknowledged');
    const letters = await eventually(
      () => http<{ id: string; route: string; attempts: number; stage: string }[]>(first.rt, 'GET', '/api/dead-letters').then((r) => r.body),
      (l) => l.length === 1,
      'the dead letter after Lambda gave up (3 tries over 3 simulated minutes)',
    );
    expect(letters[0]).toMatchObject({ route: 'place-call', attempts: 3, stage: 'function' });
    const placed = await calls(first.rt);
    expect(placed).toHaveLength(1);
    await first.rt.stop();
    running = running.filter((r) => r !== first.rt);

    const second = await start({ dir: first.dir, settings: { redriveMaxAgeMs: 0 } });
    const listed = await cli(second.rt, 'dead-letters', 'list');
    expect(listed.out).toContain(letters[0]!.id);
    expect(listed.out).toMatch(/place-call\s+Escalated/);
    const redriven = await cli(second.rt, 'dead-letters', 'redrive', letters[0]!.id);
    expect(redriven).toMatchObject({ code: 0, out: `redriven: ${letters[0]!.id}` });
    // The redriven delivery fails twice more (faults do not survive a restart: it just succeeds), changes nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await http<unknown[]>(second.rt, 'GET', '/api/dead-letters')).body).toEqual([]);
    expect(await calls(second.rt)).toEqual(placed); // the call log survives the restart, and the new process placed no call
    expect((await incidents(second.rt))[0]?.status).toBe('acknowledged');
    expect(await cli(second.rt, 'dead-letters', 'redrive', 'dl-nope')).toMatchObject({ code: 2, err: expect.stringMatching(/404/) });
  });

  it('DynamoDB throttles everything for 90 seconds as the alert arrives: one incident, one call', async () => {
    const { rt } = await start();
    await withRoster(rt);
    await http(rt, 'PUT', `/api/phones/${A}`, { answer: true, digits: '1' });
    expect((await http(rt, 'PUT', '/api/faults', { target: 'dynamodb:*', error: 'ProvisionedThroughputExceededException', forSeconds: 90 })).status).toBe(201);
    await sendAlert(rt);
    await eventually(() => incidents(rt), (list) => list[0]?.status === 'acknowledged', 'acknowledged once the table is back');
    expect(await incidents(rt)).toHaveLength(1);
    expect((await calls(rt)).map((c) => c.destination)).toEqual([A]);
  });
});

describe('a responder who answers and presses 1 at once', () => {
  // At time scale 1 only as many as Connect starts at once (burst 5): more would wait out its quota in real seconds.
  for (const [timeScale, alerts] of [
    [1, 5],
    [60, 10],
  ] as const) {
    it(`is acknowledged, every time (time scale ${timeScale})`, async () => {
      const lines: Record<string, unknown>[] = [];
      const { rt } = await start({ timeScale, log: jsonLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }) });
      // One responder per system (so this is about the keypress, not about sharing a line).
      const phones = Array.from({ length: alerts }, (_, i) => `+8190222200${String(i).padStart(2, '0')}`);
      for (const [i, phone] of phones.entries()) {
        expect((await http(rt, 'PUT', `/api/rosters/S${i}`, { rounds: 1, responders: [{ name: `r${i}`, phone, language: 'en-US' }] })).status).toBe(200);
        await http(rt, 'PUT', `/api/phones/${phone}`, { answer: true, afterSeconds: 0, digits: '1', pressAfterSeconds: 0 });
      }
      const began = Date.now();
      for (let i = 0; i < alerts; i++) await sendAlert(rt, 'server1', `S${i}`);
      const list = await eventually(() => incidents(rt), (l) => l.length === alerts && l.every((i) => i.status === 'acknowledged'), 'every acknowledgement', 20_000);
      expect(list.every((i) => i.callsPlaced === 1)).toBe(true);
      const placed = await calls(rt);
      expect(placed.map((c) => c.destination).sort()).toEqual(phones);
      expect(placed.every((c) => c.outcome === 'acknowledged')).toBe(true);
      const raced = lines.filter((l) => l.message === 'keypad result arrived before the placement was recorded; contact recorded from the flow').length;
      console.info(`time scale ${timeScale}: ${alerts} instant acknowledgements in ${simulatedSeconds(rt, Date.now() - began).toFixed(1)} s simulated; ${raced} beat the placement record`);
      expect(lines.filter((l) => l.message === 'flow result for a contact we did not place for that attempt')).toEqual([]);
    });
  }
});
