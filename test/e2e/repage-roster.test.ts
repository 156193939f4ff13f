import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeDynalite, Harness } from '../harness/harness.ts';
import { AKI, xyzRoster } from '../scenarios/people.ts';
import { http, runCli } from './support.ts';

/**
 * `repageAfterMinutes` is refused with the same message wherever a roster comes in: a roster file
 * (`yobidashi roster check|import`), `POST /api/rosters/import` and `PUT /api/rosters/{system}`;
 * a good value is kept, and survives the roster's YAML round trip.
 */

const MESSAGE = 'must be whole minutes from 5 to 1440';
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(closeDynalite);

const file = (minutes: unknown) =>
  ['system: XYZ', `repageAfterMinutes: ${JSON.stringify(minutes)}`, 'responders:', '  - name: Aki', `    phone: "${AKI}"`].join('\n');

async function written(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'yobidashi-repage-')), 'roster.yaml');
  await writeFile(path, text);
  return path;
}

describe('repageAfterMinutes wherever a roster comes in', () => {
  it('the CLI checks a file: the line, the field and the bounds', async () => {
    for (const bad of [4, 1441, 7.5]) {
      const path = await written(file(bad));
      const result = await runCli(['roster', 'check', path]);
      expect(result.code, String(bad)).not.toBe(0);
      expect(result.err, String(bad)).toContain(`${path}:2: repageAfterMinutes: ${MESSAGE}`);
    }
    const ok = await runCli(['roster', 'check', await written(file(30))]);
    expect(ok.code).toBe(0);
  });

  it('POST /api/rosters/import and PUT /api/rosters/{system} refuse with the same message; a good value is kept through the YAML round trip', async () => {
    h = await Harness.start();
    const imported = await fetch(`${h.rt.url}/api/rosters/import?name=r.yaml`, { method: 'POST', body: file(3), headers: { 'content-type': 'text/yaml' } });
    expect(imported.status).toBe(400);
    expect(((await imported.json()) as { problems: string[] }).problems).toEqual([`r.yaml:2: repageAfterMinutes: ${MESSAGE}`]);

    const put = await http<{ message: string }>(h.rt, 'PUT', '/api/rosters/XYZ', xyzRoster({ repageAfterMinutes: 2000 }));
    expect(put.status).toBe(400);
    expect(put.body.message).toContain(`repageAfterMinutes: ${MESSAGE}`);
    expect((await http(h.rt, 'GET', '/api/rosters')).body).toEqual([]);

    expect((await http(h.rt, 'PUT', '/api/rosters/XYZ', xyzRoster({ repageAfterMinutes: 45 }))).status).toBe(200);
    expect((await http(h.rt, 'GET', '/api/rosters/XYZ')).body).toMatchObject({ repageAfterMinutes: 45 });
    const yaml = await (await fetch(`${h.rt.url}/api/rosters/XYZ?format=yaml`)).text();
    expect(yaml).toContain('repageAfterMinutes: 45');
    const again = await fetch(`${h.rt.url}/api/rosters/import?name=XYZ.yaml`, { method: 'POST', body: yaml.replace('repageAfterMinutes: 45', 'repageAfterMinutes: 60'), headers: { 'content-type': 'text/yaml' } });
    expect(again.status).toBe(200);
    expect((await http(h.rt, 'GET', '/api/rosters/XYZ')).body).toMatchObject({ repageAfterMinutes: 60 });
  });
});
