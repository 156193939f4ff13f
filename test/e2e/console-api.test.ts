import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../domain/incident.ts';
import { maskPhone } from '../../domain/roster.ts';
import { ROUTES } from '../../events/routes.ts';
import { table } from '../../infra/cli/main.ts';
import { ROUTE_COLUMNS, type RouteRow } from '../../infra/cli/views.ts';
import { incidentCalls, loadSummary, MAX_ROSTER_FILE_BYTES, type IncidentCallRow } from '../../infra/local/api/console-api.ts';
import { closeDynalite, Harness, T0 } from '../harness/harness.ts';
import { AKI, BEN, xyzRoster } from '../scenarios/people.ts';
import { http, runCli } from './support.ts';

/**
 * The console's endpoints (docs/console.md) through the runtime's port, on virtual time: an
 * incident's calls joined with what the phone network heard, the summary, importing a roster file
 * with the CLI's messages, and the routing table as the CLI prints it.
 */

let h: Harness;
afterEach(async () => {
  await h?.close();
});
afterAll(closeDynalite);

interface Detail {
  incidentId: string;
  status: string;
  openedAt: string;
  timeToAcknowledgeSeconds?: number;
}
interface Summary {
  from: string;
  to: string;
  timeZone: string;
  days: { date: string; open: number; acknowledged: number; resolved: number }[];
  timeToAcknowledge: { system: string; acknowledged: number; medianSeconds: number; p90Seconds: number }[];
  callsPerResponder: { responder: string; calls: number; answered: number; acknowledged: number }[];
  truncated?: boolean;
}

const tokyoDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

describe('incident calls and the summary', () => {
  it('three incidents for Aki, who answers and presses 1: each lists its calls (a merged one on both it covered) and the summary counts them', async () => {
    h = await Harness.start();
    await h.roster(xyzRoster({ voices: 'en-US', people: 2 }));
    expect((await http(h.rt, 'PUT', `/api/phones/${encodeURIComponent(AKI)}`, { answer: true, digits: '1' })).status).toBe(200);
    // web01 gets Aki's first call; web02 and web03 wait for his line and share the next one.
    await h.sendAlert({ alertinfo: ['web01', 'web02', 'web03'].map((host) => ({ systemname: 'XYZ', host, service: 'CPU' })) });
    await h.settle();
    const incidents = new Map((await h.incidents()).map((i) => [i.host, i] as const));
    expect([...incidents.values()].map((i) => i.status)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    const [first, merged] = h.phones.calls;

    const calls = async (incident: Incident | undefined) => (await http<IncidentCallRow[]>(h.rt, 'GET', `/api/incidents/${incident?.incidentId}/calls`)).body;
    const web01 = await calls(incidents.get('web01'));
    expect(web01).toHaveLength(1);
    const row = web01[0]!;
    expect(row).toMatchObject({ attempt: 1, contactId: first?.contactId, responder: 'Aki', destination: maskPhone(AKI), digits: '1', outcome: 'acknowledged', recorded: true, ringSeconds: 5 });
    expect(row.placedAt).toBe(new Date(first!.placedAt).toISOString());
    expect(Date.parse(row.connectedAt!) - Date.parse(row.placedAt!)).toBe(5000);
    expect(row.talkSeconds).toBe((Date.parse(row.endedAt!) - Date.parse(row.connectedAt!)) / 1000);
    expect(row.talkSeconds).toBeGreaterThan(0);
    expect(row.disconnectReason).toBeDefined();
    expect(row.covers).toBeUndefined();
    expect(row.transcript.at(-1)).toMatchObject({ text: 'Acknowledged. It is yours. Thank you.', language: 'en-US', interrupted: false });
    for (const said of row.transcript) {
      expect(said.voice).toEqual(expect.any(String));
      expect(Date.parse(said.endAt!)).toBeGreaterThanOrEqual(Date.parse(said.at!));
    }
    // The full number is nowhere in what the console reads.
    expect(JSON.stringify(web01)).not.toContain(AKI);

    // The merged call is on both incidents it covered, once each.
    for (const host of ['web02', 'web03']) {
      const rows = await calls(incidents.get(host));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ contactId: merged?.contactId, responder: 'Aki', destination: maskPhone(AKI), outcome: 'acknowledged', recorded: true });
      expect(rows[0]?.covers?.sort()).toEqual([incidents.get('web02')?.incidentId, incidents.get('web03')?.incidentId].sort());
      expect(JSON.stringify(rows)).not.toContain(AKI);
    }
    expect((await http(h.rt, 'GET', '/api/incidents/nope/calls')).status).toBe(404);
    // A call that spoke of an incident without a record on it (the incident had moved on, or the
    // record is still being written) is listed from the network, masked, and says so.
    const web03 = incidents.get('web03')!;
    const unrecorded = await incidentCalls(web03, [], h.phones, h.store);
    expect(unrecorded).toEqual([expect.objectContaining({ attempt: 1, contactId: merged?.contactId, responder: 'Aki', destination: maskPhone(AKI), recorded: false, outcome: undefined })]);
    expect(unrecorded[0]?.transcript.length).toBeGreaterThan(0);
    expect(JSON.stringify(unrecorded)).not.toContain(AKI);

    // Time to acknowledge: from the opening to the key press, as the contact record has it.
    const seconds: number[] = [];
    for (const host of ['web01', 'web02', 'web03']) {
      const incident = incidents.get(host)!;
      const detail = (await http<Detail>(h.rt, 'GET', `/api/incidents/${incident.incidentId}`)).body;
      const acknowledged = (await h.store.listContacts(incident.incidentId)).find((c) => c.outcome === 'acknowledged');
      expect(detail.timeToAcknowledgeSeconds).toBe((acknowledged!.endedAt! - incident.openedAt) / 1000);
      seconds.push(detail.timeToAcknowledgeSeconds!);
    }
    expect(seconds[1]).toBeGreaterThan(seconds[0]! + 60); // the merged call came after Aki's rest

    const summary = (await http<Summary>(h.rt, 'GET', '/api/summary?days=7&timeZone=Asia/Tokyo')).body;
    const today = tokyoDate(h.time.now());
    expect(summary.to).toBe(today);
    expect(summary.timeZone).toBe('Asia/Tokyo');
    expect(summary.days).toHaveLength(7);
    expect(summary.days.find((d) => d.date === tokyoDate(T0))).toMatchObject({ open: 0, acknowledged: 3, resolved: 0 });
    expect(summary.days.reduce((n, d) => n + d.acknowledged + d.open, 0)).toBe(3);
    const sorted = [...seconds].sort((a, b) => a - b);
    expect(summary.timeToAcknowledge).toEqual([{ system: 'XYZ', acknowledged: 3, medianSeconds: sorted[1], p90Seconds: sorted[2] }]);
    expect(summary.callsPerResponder).toEqual([{ responder: 'Aki', calls: 2, answered: 2, acknowledged: 2 }]);
    expect(summary.truncated).toBeUndefined();

    // Defaults: 14 days of UTC.
    const utc = (await http<Summary>(h.rt, 'GET', '/api/summary')).body;
    expect([utc.timeZone, utc.days.length]).toEqual(['UTC', 14]);
    expect(utc.days.at(-1)?.acknowledged).toBe(3);
  });

  it('refuses bad summary parameters, naming the field', async () => {
    h = await Harness.start();
    for (const [query, field] of [
      ['days=0', 'days'],
      ['days=91', 'days'],
      ['days=1.5', 'days'],
      ['days=abc', 'days'],
      ['timeZone=Mars/Olympus', 'timeZone'],
      ['timeZone=asia/tokyo', 'timeZone'],
      ['timeZone=%2B09:00', 'timeZone'],
    ] as const) {
      const res = await http<{ message: string }>(h.rt, 'GET', `/api/summary?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.message, query).toMatch(new RegExp(`^${field}: `));
    }
    expect((await http(h.rt, 'GET', '/api/summary?days=90&timeZone=America/New_York')).status).toBe(200);
  });

  it('reads at most so many incidents of the window, the newest, and says it was truncated', async () => {
    h = await Harness.start();
    await h.roster(xyzRoster({ people: 2 }));
    h.phone(AKI, { answer: true, digits: '1' });
    await h.sendAlert({ alertinfo: ['a', 'b', 'c'].map((host) => ({ systemname: 'XYZ', host, service: 'CPU' })) });
    await h.settle();
    const options = { now: h.time.now(), days: 2, timeZone: 'Asia/Tokyo' };
    const all = await loadSummary(h.store, options);
    expect(all.truncated).toBeUndefined();
    expect(all.days.reduce((n, d) => n + d.acknowledged, 0)).toBe(3);
    const two = await loadSummary(h.store, { ...options, maxIncidents: 2 });
    expect(two.truncated).toBe(true);
    expect(two.days.reduce((n, d) => n + d.acknowledged, 0)).toBe(2);
    expect((await loadSummary(h.store, { ...options, maxIncidents: 3 })).truncated).toBeUndefined();
  });
});

describe('rosters as files', () => {
  const post = async (text: string, name?: string) => {
    const res = await fetch(`${h.rt.url}/api/rosters/import${name ? `?name=${encodeURIComponent(name)}` : ''}`, { method: 'POST', body: text, headers: { 'content-type': 'text/yaml' } });
    return { status: res.status, body: (await res.json()) as { message?: string; problems?: string[]; imported?: string[] } };
  };

  it("a bad file is refused with exactly the CLI's messages, and nothing of it is stored", async () => {
    h = await Harness.start();
    const bad = [
      'rosters:',
      '  - system: ABC',
      '    responders:',
      '      - {name: Ben, phone: "+12125550102"}',
      '  - system: XYZ',
      '    groupby: [system]',
      '    responders:',
      '      - name: Aki',
      '        phone: 090-1234',
      '        hours: Mon-Fri 25:00-18:00',
      '',
    ].join('\n');
    const dir = await mkdtemp(join(tmpdir(), 'yobidashi-roster-'));
    const file = join(dir, 'roster.yaml');
    await writeFile(file, bad);
    const cli = await runCli(['roster', 'check', file]);
    expect(cli.code).toBe(2);

    const res = await post(bad, file);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(cli.err);
    expect(res.body.problems).toEqual(cli.err.split('\n'));
    expect(res.body.problems?.length).toBeGreaterThanOrEqual(3);
    expect(res.body.message).toMatch(/roster\.yaml:6: rosters\.1\.groupby: unknown field \(did you mean groupBy\?\)/);
    // All or nothing: ABC was valid, and is not stored either.
    expect((await http(h.rt, 'GET', '/api/rosters')).body).toEqual([]);

    // Without a name the messages say `roster`, as the parser does; a broken YAML file names its line.
    expect((await post(bad)).body.problems?.[0]).toMatch(/^roster:6: /);
    const broken = await post('system: XYZ\nresponders: [\n', 'r.yaml');
    expect(broken.status).toBe(400);
    expect(broken.body.problems?.[0]).toMatch(/^r\.yaml:\d+: /);
  });

  it('a good file is imported; a roster comes back as YAML to edit, and imports again unchanged', async () => {
    h = await Harness.start();
    const good = JSON.stringify([xyzRoster({ people: 2, groupBy: ['system', 'host'] }), { system: 'ABC', responders: [{ name: 'Ben', phone: BEN, hours: 'Mon-Fri 09:00-18:00' }] }]);
    const res = await post(good, 'rosters.json');
    expect(res).toEqual({ status: 200, body: { imported: ['XYZ', 'ABC'] } });
    const stored = (await http(h.rt, 'GET', '/api/rosters/XYZ')).body;

    const yaml = await fetch(`${h.rt.url}/api/rosters/XYZ?format=yaml`);
    expect(yaml.status).toBe(200);
    expect(yaml.headers.get('content-type')).toMatch(/^text\/yaml/);
    const text = await yaml.text();
    expect(text).toContain('system: XYZ');
    expect(text).toContain(`phone: "${AKI}"`);
    const edited = text.replace('rounds: 1', 'rounds: 2');
    expect(await post(edited, 'XYZ.yaml')).toEqual({ status: 200, body: { imported: ['XYZ'] } });
    expect((await http(h.rt, 'GET', '/api/rosters/XYZ')).body).toEqual({ ...(stored as object), rounds: 2 });
    expect((await http(h.rt, 'GET', '/api/rosters/XYZ?format=json')).body).toEqual({ ...(stored as object), rounds: 2 });
    expect((await http<{ message: string }>(h.rt, 'GET', '/api/rosters/XYZ?format=xml')).body.message).toMatch(/^format: /);
    expect((await http(h.rt, 'GET', '/api/rosters/NOPE?format=yaml')).status).toBe(404);
  });

  it('any text or JSON as a file gets 200 or 400 with problems, never a 500', async () => {
    h = await Harness.start();
    const yamlish = fc.array(fc.constantFrom('rosters:', '- ', 'system: ', 'responders:', '  ', '[', ']', '{', '}', ': ', 'x', '"+819011110001"', '&a ', '*a', '!!str ', '\n', '#', 'null', '5'), { maxLength: 30 }).map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), yamlish, fc.jsonValue().map((v) => JSON.stringify(v))), async (text) => {
        const res = await post(text, 'fuzz.yaml');
        expect([200, 400], text.slice(0, 200)).toContain(res.status);
        if (res.status === 400) expect(res.body.problems?.every((p) => p.startsWith('fuzz.yaml:'))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('a file over 1 MiB is refused with 413 before it is read', async () => {
    h = await Harness.start();
    const huge = `# ${'x'.repeat(MAX_ROSTER_FILE_BYTES)}\nsystem: XYZ\n`;
    const res = await post(huge, 'big.yaml');
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/1 MiB/);
    expect((await http(h.rt, 'GET', '/api/rosters')).body).toEqual([]);
  });
});

describe('the routing table', () => {
  it('is the CLI’s: the same rows, printed the same', async () => {
    h = await Harness.start();
    const rows = (await http<RouteRow[]>(h.rt, 'GET', '/api/routes')).body;
    expect(rows.map((r) => [r.name, r.handler, r.pattern])).toEqual(ROUTES.map((r) => [r.name, r.handler, r.eventPattern]));
    expect(new Set(rows.map((r) => r.bus))).toEqual(new Set(['yobidashi']));
    const cli = await runCli(['routes']);
    expect(cli.code).toBe(0);
    expect(table(rows, ROUTE_COLUMNS)).toBe(cli.out);
  });
});
