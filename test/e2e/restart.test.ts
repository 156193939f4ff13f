import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../infra/cli/main.ts';

/**
 * `yobidashi start` killed with SIGKILL mid-escalation and started again on the same data dir: the
 * real CLI as a child process, driven only over HTTP (the local API) and the EventBridge wire. No
 * stop() runs, nothing is flushed: what survives is what was on disk when the kernel took it away.
 */
const BIN = fileURLToPath(new URL('../../bin/yobidashi.mjs', import.meta.url));
const TIME_SCALE = 30; // a 60-second ring takes two real seconds: time enough to kill it mid-ring
const A = '+819011110001';
const B = '+819011110002';
const C = '+819011110003';

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** `node bin/yobidashi.mjs start` on a free port (`--port 0`), resolved once it says where it runs. */
function startCli(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data-dir', dataDir, '--time-scale', String(TIME_SCALE)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const output = () => out;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`yobidashi start did not come up; it said:\n${out}`)), 30_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, output });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code, signal) => reject(new Error(`yobidashi start exited (${code ?? signal}) before it came up:\n${out}`)));
  });
}

function killHard(started: Started): Promise<void> {
  return new Promise((resolve) => {
    started.child.once('exit', () => resolve());
    started.child.kill('SIGKILL');
  });
}

async function http<T>(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 800)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await probe();
  }
  return last;
}

interface Call {
  contactId: string;
  destination: string;
  attempt: number;
  startedAt: string;
  connectedAt?: string;
  endedAt?: string;
  disconnectReason?: string;
  outcome?: string;
  digits?: string;
  transcript: { at: string; text: string }[];
}
interface Incident {
  incidentId: string;
  status: string;
  timeline: { calls: { attempt: number; responder: string; outcome?: string; discon_reason?: string }[] };
}

const calls = (url: string) => http<Call[]>(url, 'GET', '/api/calls').then((r) => r.body);

describe('yobidashi start killed with SIGKILL and started again on the same data dir', () => {
  it('keeps phone scripts and the call log, reports the cut call as Connect would, and the escalation goes on', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'yobidashi-restart-'));
    const first = await startCli(dataDir);
    const roster = await http(first.url, 'PUT', '/api/rosters/XYZ', {
      rounds: 1,
      responders: [
        { name: 'Aki', phone: A, language: 'ja-JP', timezone: 'Asia/Tokyo' },
        { name: 'Ben', phone: B, language: 'en-US', timezone: 'America/New_York' },
        { name: 'Cho', phone: C, language: 'ja-JP', timezone: 'Asia/Tokyo' },
      ],
    });
    expect(roster.status).toBe(200);
    const scripts = {
      [A]: { answer: true, afterSeconds: 3, digits: '3' }, // answers, hears the alert, skips
      [B]: { answer: false }, // rings out after 60 s: killed while it rings
      [C]: { answer: true, afterSeconds: 3, digits: '1' }, // acknowledges
    };
    for (const [phone, script] of Object.entries(scripts)) expect((await http(first.url, 'PUT', `/api/phones/${phone}`, script)).status).toBe(200);

    const bus = new EventBridgeClient({ endpoint: first.url, region: 'us-east-1', credentials: { accessKeyId: 'any', secretAccessKey: 'any' } });
    const put = await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: 'yobidashi', Source: 'nagios', DetailType: 'AlertReceived', Detail: JSON.stringify({ alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2023-10-03 13:20:52', systemname: 'XYZ' }] }) }] }));
    expect(put.FailedEntryCount).toBe(0);

    // Aki's call has ended (skipped) and Ben's phone is ringing: kill it there.
    const before = await eventually(
      () => calls(first.url),
      (list) => list.length === 2 && list[0]!.outcome === 'skipped' && list[1]!.endedAt === undefined,
      "Aki's call ended and Ben's ringing",
    );
    const lastSeen = Date.parse((await http<{ now: string }>(first.url, 'GET', '/api/health')).body.now);
    await killHard(first);
    const [aki, ben] = before;
    expect(ben!.connectedAt).toBeUndefined();

    const second = await startCli(dataDir);
    // The phone scripts are still there.
    expect((await http(second.url, 'GET', '/api/phones')).body).toEqual(scripts);
    // The call log: Aki's ended call as it was (outcome, reason, times, transcript); Ben's cut
    // call ended at the restart as Connect reports a dropped contact (DisconnectReason OTHER).
    const after = await calls(second.url);
    expect(after[0]).toEqual(aki);
    expect(aki!.transcript.length).toBeGreaterThan(0);
    expect(aki!.disconnectReason).toBe('CONTACT_FLOW_DISCONNECT');
    const cut = after[1]!;
    expect(cut).toMatchObject({ contactId: ben!.contactId, destination: B, startedAt: ben!.startedAt, disconnectReason: 'OTHER' });
    expect(cut.connectedAt).toBeUndefined();
    expect(Date.parse(cut.endedAt!)).toBeGreaterThanOrEqual(lastSeen); // the restart's time, on the runtime's clock

    // The escalation goes on: the check reconciles Ben's call from DescribeContact, Cho is called and acknowledges.
    const [incident] = (await http<{ incidentId: string }[]>(second.url, 'GET', '/api/incidents')).body;
    const acknowledged = await eventually(
      () => http<Incident>(second.url, 'GET', `/api/incidents/${incident!.incidentId}`).then((r) => r.body),
      (i) => i.status === 'acknowledged',
      'the incident acknowledged after the restart',
    );
    expect(acknowledged.timeline.calls.map((c) => [c.attempt, c.responder, c.outcome, c.discon_reason])).toEqual([
      [1, 'Aki', 'skipped', undefined],
      [2, 'Ben', 'no-answer', 'OTHER'],
      [3, 'Cho', 'acknowledged', undefined],
    ]);
    // Cho's call is acknowledged while the flow still thanks Cho; it ends (and has its reason) a moment later.
    const final = await eventually(() => calls(second.url), (list) => list.length === 3 && list.every((c) => c.endedAt !== undefined), "Cho's call ended");
    expect(final.map((c) => [c.destination, c.outcome])).toEqual([
      [A, 'skipped'],
      [B, 'no-answer'],
      [C, 'acknowledged'],
    ]);
    // `yobidashi calls` reads the same log.
    const printed: string[] = [];
    expect(await main(['calls', '--json', '--endpoint', second.url], { log: (line) => printed.push(line), error: (line) => printed.push(line) })).toBe(0);
    expect((JSON.parse(printed.join('\n')) as Call[]).map((c) => c.disconnectReason)).toEqual(['CONTACT_FLOW_DISCONNECT', 'OTHER', 'CONTACT_FLOW_DISCONNECT']);
    await killHard(second);
  }, 90_000);
});
