import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeReplayCommand, EventBridgeClient, PutEventsCommand, StartReplayCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../handlers/lib/logger.ts';
import { eventually, http } from './support.ts';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';

/**
 * End to end: the whole local runtime, driven only through its public HTTP API and the EventBridge
 * wire protocol (the one `aws events put-events` speaks). Real time runs 120 times faster, so a
 * 60-second ring is half a second; the waits below poll the API with a deadline.
 */
const TIME_SCALE = 120;
const A = '+819011110001';
const B = '+819011110002';
const C = '+819011110003';

let running: Runtime[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.stop()));
  running = [];
});

async function start(dataDir?: string): Promise<{ rt: Runtime; dir: string }> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'yobidashi-e2e-')));
  const rt = await startRuntime({ dataDir: dir, port: 0, timeScale: TIME_SCALE, log: silentLogger });
  running.push(rt);
  return { rt, dir };
}


function events(rt: Runtime): EventBridgeClient {
  return new EventBridgeClient({ endpoint: rt.url, region: 'us-east-1', credentials: { accessKeyId: 'any', secretAccessKey: 'any' } });
}

const alertEntry = (detail: unknown = { alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2023-10-03 13:20:52', systemname: 'XYZ' }] }): PutEventsRequestEntry => ({
  EventBusName: 'yobidashi',
  Source: 'nagios',
  DetailType: 'AlertReceived',
  Detail: JSON.stringify(detail),
});


interface Incident {
  incidentId: string;
  status: string;
  timeline: { calls: { attempt: number; outcome?: string; discon_reason?: string; responder: string }[]; events: { detailType: string; eventId: string; replayName?: string }[] };
}
interface Call {
  destination: string;
  attempt: number;
  outcome?: string;
  connectedAt?: string;
  disconnectReason?: string;
  digits?: string;
  transcript: { text: string }[];
}

const incidents = (rt: Runtime) => http<{ incidentId: string; status: string }[]>(rt, 'GET', '/api/incidents').then((r) => r.body);
const calls = (rt: Runtime) => http<Call[]>(rt, 'GET', '/api/calls').then((r) => r.body);
const statusIs = (status: string) => (list: { status: string }[]) => list.some((i) => i.status === status);

async function withRoster(rt: Runtime, rounds = 3): Promise<void> {
  const res = await http(rt, 'PUT', '/api/rosters/XYZ', {
    rounds,
    responders: [
      { name: 'Aki', phone: A, language: 'ja-JP', timezone: 'Asia/Tokyo' },
      { name: 'Ben', phone: B, language: 'en-US', timezone: 'America/New_York' },
      { name: 'Cho', phone: C, language: 'ja-JP', timezone: 'Asia/Tokyo' },
    ],
  });
  expect(res.status).toBe(200);
}

describe('yobidashi start, end to end', () => {
  it("the article's scenario: nobody answers, nine calls in order, then it stops", async () => {
    const { rt } = await start();
    await withRoster(rt);
    const began = Date.now();
    const put = await events(rt).send(new PutEventsCommand({ Entries: [alertEntry()] }));
    expect(put.FailedEntryCount).toBe(0);
    await eventually(() => incidents(rt), statusIs('exhausted'), 'the incident to be exhausted', 60_000);
    const took = Date.now() - began;
    const placed = await calls(rt);
    expect(placed.map((c) => c.destination)).toEqual([A, B, C, A, B, C, A, B, C]);
    expect(placed.every((c) => c.outcome === 'no-answer')).toBe(true);
    console.log(`nine-call scenario at ${TIME_SCALE}x: ${(took / 1000).toFixed(1)} s`);
    // And nothing more, even after another simulated ten minutes.
    await new Promise((resolve) => setTimeout(resolve, (10 * 60_000) / TIME_SCALE));
    expect(await calls(rt)).toHaveLength(9);
  });

  it('acknowledge: the second responder presses 1 and nobody else is called', async () => {
    const { rt } = await start();
    await withRoster(rt);
    expect((await http(rt, 'PUT', `/api/phones/${B}`, { answer: true, afterSeconds: 5, digits: '1' })).status).toBe(200);
    await events(rt).send(new PutEventsCommand({ Entries: [alertEntry()] }));
    await eventually(() => incidents(rt), statusIs('acknowledged'), 'acknowledged');
    const placed = await calls(rt);
    expect(placed.map((c) => [c.destination, c.outcome])).toEqual([
      [A, 'no-answer'],
      [B, 'acknowledged'],
    ]);
    expect(placed[1]?.transcript.map((t) => t.text).at(-1)).toBe('Acknowledged. It is yours. Thank you.');
    await new Promise((resolve) => setTimeout(resolve, (5 * 60_000) / TIME_SCALE));
    expect(await calls(rt)).toHaveLength(2);
  });

  it('skip: the first responder presses 3 and the second is called at once', async () => {
    const { rt } = await start();
    await withRoster(rt);
    await http(rt, 'PUT', `/api/phones/${A}`, { answer: true, afterSeconds: 3, digits: '3' });
    await http(rt, 'PUT', `/api/phones/${B}`, { answer: true, afterSeconds: 3, digits: '1' });
    await events(rt).send(new PutEventsCommand({ Entries: [alertEntry()] }));
    await eventually(() => incidents(rt), statusIs('acknowledged'), 'acknowledged');
    const placed = await calls(rt);
    expect(placed.map((c) => [c.destination, c.outcome])).toEqual([
      [A, 'skipped'],
      [B, 'acknowledged'],
    ]);
  });

  it('silence by keypad, then the repeat alert is suppressed and calls nobody', async () => {
    const { rt } = await start();
    await withRoster(rt);
    await http(rt, 'PUT', `/api/phones/${A}`, { answer: true, digits: '912#' });
    await events(rt).send(new PutEventsCommand({ Entries: [alertEntry()] }));
    await eventually(() => incidents(rt), statusIs('silenced'), 'silenced');
    await eventually(() => http<{ until: string; active: boolean }[]>(rt, 'GET', '/api/silences').then((r) => r.body), (s) => s.length === 1 && s[0]!.active, 'the silence to be stored');
    await events(rt).send(new PutEventsCommand({ Entries: [alertEntry()] }));
    const list = await eventually(() => incidents(rt), statusIs('suppressed'), 'a suppressed incident');
    expect(list.map((i) => i.status).sort()).toEqual(['silenced', 'suppressed']);
    await new Promise((resolve) => setTimeout(resolve, (3 * 60_000) / TIME_SCALE));
    expect((await calls(rt)).map((c) => [c.destination, c.digits, c.outcome])).toEqual([[A, '912#', 'silenced']]);
  });

  it('an auditor replay rebuilds the timeline and places no call', async () => {
    const { rt } = await start();
    await withRoster(rt);
    await http(rt, 'PUT', `/api/phones/${A}`, { answer: true, digits: '1' });
    const from = new Date(rt.clock.now() - 1000);
    await events(rt).send(new PutEventsCommand({ Entries: [alertEntry()] }));
    const [incident] = await eventually(() => incidents(rt), statusIs('acknowledged'), 'acknowledged');
    // Let the safety-net checks run out too, so the archive is complete: the timeline has the first
    // check and has not changed for two simulated minutes (one real second at 120x).
    const read = () => http<Incident>(rt, 'GET', `/api/incidents/${incident!.incidentId}`).then((r) => r.body);
    let previous = '';
    const before = await eventually(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const now = await read();
        const same = JSON.stringify(now.timeline.events.map((e) => e.eventId)) === previous;
        previous = JSON.stringify(now.timeline.events.map((e) => e.eventId));
        return { now, same };
      },
      ({ now, same }) => same && now.timeline.events.some((e) => e.detailType === 'CallCheckDue'),
      'the timeline to settle',
    ).then(({ now }) => now);
    const client = events(rt);
    await client.send(
      new StartReplayCommand({
        ReplayName: 'audit-1',
        EventSourceArn: 'arn:aws:events:us-east-1:000000000000:archive/yobidashi-archive',
        EventStartTime: from,
        EventEndTime: new Date(rt.clock.now() + 1000),
        Destination: { Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/yobidashi' },
      }),
    );
    await eventually(() => client.send(new DescribeReplayCommand({ ReplayName: 'audit-1' })), (r) => r.State === 'COMPLETED', 'the replay');
    const after = (await http<Incident>(rt, 'GET', `/api/incidents/${incident!.incidentId}`)).body;
    expect(after.timeline.events.map((e) => e.eventId).sort()).toEqual(before.timeline.events.map((e) => e.eventId).sort());
    expect(after.timeline.events.every((e) => e.replayName === 'audit-1')).toBe(true); // every entry re-projected by the replay
    expect(await calls(rt)).toHaveLength(1);
    expect(await incidents(rt)).toHaveLength(1);
  });

  it('stopped mid-incident and started again on the same data: the pending check and the next call still happen', async () => {
    const first = await start();
    await withRoster(first.rt);
    await http(first.rt, 'PUT', `/api/phones/${A}`, { answer: true, stuck: true });
    await events(first.rt).send(new PutEventsCommand({ Entries: [alertEntry()] }));
    await eventually(() => calls(first.rt), (c) => c.length === 1 && c[0]!.connectedAt !== undefined, 'the first call, answered');
    const [incident] = await incidents(first.rt);
    await first.rt.stop();
    running = running.filter((r) => r !== first.rt);

    const second = await start(first.dir);
    await http(second.rt, 'PUT', `/api/phones/${B}`, { answer: true, digits: '1' });
    await eventually(() => incidents(second.rt), statusIs('acknowledged'), 'acknowledged after the restart');
    // The simulated Connect kept its calls: Aki's, up when it stopped, ended there as Connect
    // reports a dropped contact (DisconnectReason OTHER); the check reconciled it from DescribeContact.
    const placed = await calls(second.rt);
    expect(placed.map((c) => [c.destination, c.disconnectReason])).toEqual([
      [A, 'OTHER'],
      [B, 'CONTACT_FLOW_DISCONNECT'],
    ]);
    const timeline = (await http<Incident>(second.rt, 'GET', `/api/incidents/${incident!.incidentId}`)).body.timeline;
    expect(timeline.calls.map((c) => [c.attempt, c.responder, c.outcome, c.discon_reason])).toEqual([
      [1, 'Aki', 'answered-no-input', 'OTHER'], // she had answered (stuck): answered, no input
      [2, 'Ben', 'acknowledged', undefined],
    ]);
  });

  it('stopped right after accepting an alert: nothing it accepted is lost', async () => {
    const first = await start();
    await withRoster(first.rt);
    const put = await events(first.rt).send(new PutEventsCommand({ Entries: [alertEntry()] }));
    expect(put.FailedEntryCount).toBe(0);
    await first.rt.stop(); // before (or while) any handler ran
    running = running.filter((r) => r !== first.rt);

    const second = await start(first.dir);
    for (const phone of [A, B, C]) await http(second.rt, 'PUT', `/api/phones/${phone}`, { answer: true, digits: '1' });
    await eventually(() => incidents(second.rt), statusIs('acknowledged'), 'acknowledged after the restart');
    // Normally Aki is called by the second process; had the first one dialled her just before
    // stopping, that call was cut by the stop (DisconnectReason OTHER, kept in the call log) and
    // Ben is next. Either way: one call answered, one incident.
    const placed = await calls(second.rt);
    expect([[A], [A, B]]).toContainEqual(placed.map((c) => c.destination));
    expect(placed.slice(0, -1).map((c) => c.disconnectReason)).toEqual(placed.length === 2 ? ['OTHER'] : []);
    expect(placed.at(-1)?.outcome).toBe('acknowledged');
    expect(await incidents(second.rt)).toHaveLength(1);
  });

  it('PutEvents with valid and bad entries: the bad ones are rejected with a reason and recorded, the valid ones processed', async () => {
    const { rt } = await start();
    await withRoster(rt);
    await http(rt, 'PUT', `/api/phones/${A}`, { answer: true, digits: '1' });
    const result = await events(rt).send(
      new PutEventsCommand({
        Entries: [
          { ...alertEntry(), Detail: '{"alertinfo": [' },
          alertEntry(),
          { ...alertEntry(), DetailType: undefined },
          alertEntry({ systemname: 'XYZ', service: 'Disk' }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['MalformedDetail', 'ok', 'InvalidArgument', 'ok']);
    expect(result.Entries?.[2]?.ErrorMessage).toMatch(/DetailType/);
    await eventually(() => incidents(rt), statusIs('acknowledged'), 'the valid alert to be handled');
    const rejections = await eventually(
      () => http<{ reason: string; issues: string[] }[]>(rt, 'GET', '/api/rejections').then((r) => r.body),
      (r) => r.length === 3,
      'three rejections recorded',
    );
    const reasons = rejections.map((r) => `${r.reason} ${r.issues.join(' ')}`).join('\n');
    expect(reasons).toMatch(/MalformedDetail/);
    expect(reasons).toMatch(/InvalidArgument: Parameter DetailType/);
    expect(reasons).toMatch(/invalid alert host/);
    expect(await incidents(rt)).toHaveLength(1);
  });

  it('bad API requests get 400 naming the field', async () => {
    const { rt } = await start();
    const roster = await http<{ message: string }>(rt, 'PUT', '/api/rosters/XYZ', { responders: [{ name: 'A', phone: '0312345678' }] });
    expect(roster.status).toBe(400);
    expect(roster.body.message).toMatch(/responders\.0\.phone/);
    const phone = await http<{ message: string }>(rt, 'PUT', '/api/phones/12345', { answer: true });
    expect(phone.status).toBe(400);
    expect(phone.body.message).toMatch(/phone/);
    const digits = await http<{ message: string }>(rt, 'PUT', `/api/phones/${A}`, { answer: true, digits: '1x' });
    expect(digits.body.message).toMatch(/^digits:/);
    const silence = await http<{ message: string }>(rt, 'POST', '/api/silences', { host: 'h' });
    expect(silence.body.message).toMatch(/system/);
  });
});
