import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRosterText, readRosterFile, RosterFileError } from '../../infra/local/roster-file.ts';

function problems(text: string): string[] {
  try {
    parseRosterText(text, 'r.yaml');
  } catch (error) {
    if (error instanceof RosterFileError) return error.problems;
    throw error;
  }
  return [];
}

describe('roster files', () => {
  it('reads the example', async () => {
    const rosters = await readRosterFile(fileURLToPath(new URL('../../examples/roster.yaml', import.meta.url)));
    expect(rosters.map((r) => [r.system, r.responders.length, r.rounds])).toEqual([
      ['XYZ', 3, 3],
      ['default', 1, 2],
    ]);
  });

  it('names the line and the field of each problem', () => {
    const text = ['rosters:', '  - system: XYZ', '    responders:', '      - name: Aki', '        phone: "090-1234-5678"', '        hours: Mon-Fri 9-18', '      - phone: "+819011110002"'].join('\n');
    expect(problems(text)).toEqual([
      'r.yaml:5: rosters.0.responders.0.phone: must be an E.164 number such as +81312345678',
      expect.stringMatching(/^r\.yaml:6: rosters\.0\.responders\.0\.hours: /),
      expect.stringMatching(/^r\.yaml:7: rosters\.0\.responders\.1\.name: /),
    ]);
  });

  it('accepts one roster, a list, or JSON', () => {
    expect(parseRosterText('system: A\nresponders:\n  - {name: x, phone: "+819011110001"}')).toHaveLength(1);
    expect(parseRosterText('- system: A\n  responders: [{name: x, phone: "+819011110001"}]\n- system: B\n  responders: [{name: y, phone: "+819011110002"}]')).toHaveLength(2);
    expect(parseRosterText(JSON.stringify({ system: 'A', responders: [{ name: 'x', phone: '+819011110001' }] }))).toHaveLength(1);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('system: A\nresponders:\n  - name: [unclosed')[0]).toMatch(/^r\.yaml:3: /);
  });
});
