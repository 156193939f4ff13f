import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../handlers/lib/logger.ts';
import { main } from '../../infra/cli/main.ts';
import { eventually } from './support.ts';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';

/** The CLI against a running local yobidashi, as a user would type it. */
let rt: Runtime;
beforeAll(async () => {
  rt = await startRuntime({ dataDir: await mkdtemp(join(tmpdir(), 'yobidashi-cli-')), port: 0, timeScale: 120, log: silentLogger });
});
afterAll(() => rt.stop());

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--endpoint', rt.url], { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}


describe('the yobidashi CLI', () => {
  it('imports and lists rosters', async () => {
    const imported = await cli('roster', 'import', fileURLToPath(new URL('../../examples/roster.yaml', import.meta.url)));
    expect(imported).toMatchObject({ code: 0, out: 'imported: XYZ, 3 responders, 3 rounds\nimported: default, 1 responders, 2 rounds' });
    const list = await cli('roster', 'list');
    expect(list.out.split('\n')[0]).toMatch(/^system\s+rounds\s+order\s+name\s+phone/);
    expect(list.out).toContain('Chihiro');
    const json = JSON.parse((await cli('roster', 'list', '--json')).out) as { system: string }[];
    expect(json.map((r) => r.system).sort()).toEqual(['XYZ', 'default']);
  });

  it('sends an alert, shows the incident, resolves it', async () => {
    const sent = await cli('alert', 'send', '--system', 'CLI', '--host', 'web1', '--service', 'HTTP');
    expect(sent.code).toBe(0);
    expect(sent.out).toMatch(/^sent firing alert CLI\/web1\/HTTP/);
    const listed = await eventually(() => cli('incidents', '--json'), (r) => (JSON.parse(r.out) as unknown[]).length > 0, 'the answer');
    const [incident] = JSON.parse(listed.out) as { incidentId: string; status: string; system: string }[];
    expect(incident).toMatchObject({ system: 'CLI', status: 'open' }); // the default roster is calling
    // Resolve once the first call is placed (on a loaded machine the placement can come later than the listing).
    await eventually(() => cli('incidents', incident!.incidentId), (r) => /calls:\nattempt\s+responder/.test(r.out), 'the first call placed');
    await cli('alert', 'send', '--system', 'CLI', '--host', 'web1', '--service', 'HTTP', '--resolved');
    const detail = await eventually(() => cli('incidents', incident!.incidentId), (r) => r.out.includes('IncidentResolved'), 'the answer');
    expect(detail.out.split('\n')[0]).toMatch(/ resolved /);
    expect(detail.out).toMatch(/calls:\nattempt\s+responder/);
    expect(detail.out).toContain('IncidentResolved');
  });

  it('adds, lists and removes silences', async () => {
    const added = await cli('silence', 'add', '--system', 'XYZ', '--host', 'db1', '--hours', '2', '--reason', 'maintenance', '--json');
    const { silenceId } = JSON.parse(added.out) as { silenceId: string };
    expect((await cli('silence', 'list')).out).toContain(silenceId);
    expect((await cli('silence', 'remove', silenceId)).code).toBe(0);
    expect((await cli('silence', 'list')).out).not.toContain(silenceId);
    expect(await cli('silence', 'remove', silenceId)).toMatchObject({ code: 2, err: expect.stringMatching(/404/) });
  });

  it('replays the archive', async () => {
    const from = new Date(rt.clock.now() - 3_600_000).toISOString();
    const to = new Date(rt.clock.now() + 60_000).toISOString();
    expect(await cli('replay', '--from', from, '--to', to, '--name', 'cli-replay')).toMatchObject({ code: 0, out: 'replay cli-replay: COMPLETED' });
  });

  it('lists what the notification target was told: nobody answered, then the incident with the rounds running out in words', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'yobidashi-cli-roster-')), 'notify.yaml');
    await writeFile(file, ['system: NOTIFY', 'rounds: 1', 'responders:', '  - name: Ren', '    phone: "+819099990001"'].join('\n'));
    expect((await cli('roster', 'import', file)).code).toBe(0);
    expect((await cli('alert', 'send', '--system', 'NOTIFY', '--host', 'web9', '--service', 'HTTP')).code).toBe(0);
    // Ren's phone rings out after 60 s of runtime time (half a second here): the incident is exhausted.
    const listed = await eventually(() => cli('notifications', '--json'), (r) => (JSON.parse(r.out) as { kind: string }[]).some((n) => n.kind === 'incident-exhausted'), 'a notification');
    const [n] = (JSON.parse(listed.out) as { kind: string; subject: string; incidentId: string; message: string }[]).filter((row) => row.kind === 'incident-exhausted');
    expect(n?.subject).toBe('yobidashi: Nobody answered: NOTIFY web9 HTTP (1 call)');
    expect(n?.message).toContain('Ren (1)');
    const text = await cli('notifications');
    expect(text.out.split('\n')[0]).toMatch(/^at\s+kind\s+subject\s+incidentId$/);
    expect(text.out).toContain(`incident-exhausted  Nobody answered: NOTIFY web9 HTTP (1 call)  ${n!.incidentId}`);
    const detail = await cli('incidents', n!.incidentId);
    expect(detail.out).toMatch(/IncidentExhausted\s+rounds ran out on roster NOTIFY after 1 calls; nobody answered/);
  });

  it('says what is wrong with a bad invocation', async () => {
    expect(await cli('alert', 'send', '--system', 'X')).toMatchObject({ code: 2, err: expect.stringMatching(/required option '--host <host>' not specified/) });
    expect(await cli('calls', '--hours', '3')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option '--hours'/) });
    expect((await cli('frobnicate')).err).toMatch(/unknown command 'frobnicate'/);
    const unreachable = await main(['incidents', '--endpoint', 'http://127.0.0.1:9'], { log: () => undefined, error: (l) => expect(l).toMatch(/cannot reach yobidashi/) });
    expect(unreachable).toBe(2);
  });
});
