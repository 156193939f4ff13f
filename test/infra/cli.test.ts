import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../infra/cli/main.ts';

function capture() {
  const lines: string[] = [];
  const errors: string[] = [];
  return { out: { log: (l: string) => lines.push(l), error: (l: string) => errors.push(l) }, lines, errors };
}

describe('yobidashi CLI', () => {
  it('lists the routing table', async () => {
    const { out, lines } = capture();
    expect(await main(['routes', '--json'], out)).toBe(0);
    const routes = JSON.parse(lines.join('\n')) as { name: string }[];
    expect(routes.map((r) => r.name)).toContain('place-call');
  });

  it('tests an event pattern: exit 0 on match, 1 on no match, 2 on a bad pattern', async () => {
    const pattern = JSON.stringify({ 'replay-name': [{ exists: false }] });
    // A whole event, as TestEventPattern requires (id, account, source, time, region, detail-type).
    const event = { id: '1', account: '123456789012', source: 'x', time: '2026-01-01T00:00:00Z', region: 'us-east-1', 'detail-type': 'y' };
    expect(await main(['test-pattern', pattern, JSON.stringify(event)], capture().out)).toBe(0);
    expect(await main(['test-pattern', pattern, JSON.stringify({ ...event, 'replay-name': 'r' })], capture().out)).toBe(1);
    const bad = capture();
    expect(await main(['test-pattern', '{"source":"x"}', JSON.stringify(event)], bad.out)).toBe(2);
    expect(bad.errors.join()).toMatch(/source/);
    const partial = capture();
    expect(await main(['test-pattern', pattern, '{"source":"x"}'], partial.out)).toBe(2);
    expect(partial.errors.join()).toMatch(/Parameter Event is not valid/);
  });

  it('checks a roster file and names the bad field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yobidashi-'));
    const file = join(dir, 'roster.json');
    await writeFile(file, JSON.stringify({ system: 'XYZ', responders: [{ name: 'Aki', phone: '090-1234' }] }));
    const { out, errors } = capture();
    expect(await main(['roster', 'check', file], out)).toBe(2);
    expect(errors.join()).toContain('responders.0.phone');
    await writeFile(file, JSON.stringify({ system: 'XYZ', responders: [{ name: 'Aki', phone: '+819012345678', hours: 'Mon-Fri 09:00-18:00' }] }));
    const ok = capture();
    expect(await main(['roster', 'check', file], ok.out)).toBe(0);
    expect(ok.lines).toEqual(['ok: XYZ, 1 responders, 3 rounds']);
  });
});
