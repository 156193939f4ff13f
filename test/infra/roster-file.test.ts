import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRosterText, readRosterFile, RosterFileError, rosterText } from '../../infra/local/roster-file.ts';

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

  it('the commented grouping and pacing settings of the example are valid once uncommented', () => {
    const example = readFileSync(fileURLToPath(new URL('../../examples/roster.yaml', import.meta.url)), 'utf8');
    const uncommented = example.replace(/^(\s*)# (groupBy|groupWindowMinutes|minCallGapSeconds|onExhausted|repageAfterMinutes):/gm, '$1$2:');
    expect(uncommented).not.toBe(example);
    const [xyz] = parseRosterText(uncommented, 'examples/roster.yaml');
    expect(xyz).toMatchObject({ system: 'XYZ', groupBy: ['system', 'host'], groupWindowMinutes: 30, minCallGapSeconds: 60, onExhausted: { roster: 'XYZ-managers' }, repageAfterMinutes: 30 });
  });

  it('onExhausted: a roster named (imported later is fine), each problem at its line', () => {
    const responders = ['    responders:', '      - name: Aki', '        phone: "+819011110001"'];
    const ok = parseRosterText(['rosters:', '  - system: XYZ', '    onExhausted:', '      roster: XYZ-managers', ...responders].join('\n'), 'r.yaml');
    expect(ok[0]?.onExhausted).toEqual({ roster: 'XYZ-managers' });
    expect(problems(['rosters:', '  - system: XYZ', '    onExhausted:', '      rooster: XYZ-managers', ...responders].join('\n'))).toEqual([
      'r.yaml:4: rosters.0.onExhausted.roster: Invalid input: expected string, received undefined',
      'r.yaml:4: rosters.0.onExhausted: Unrecognized key: "rooster"',
    ]);
    expect(problems(['rosters:', '  - system: XYZ', '    onExhausted: { roster: XYZ }', ...responders].join('\n'))).toEqual([
      'r.yaml:3: rosters.0.onExhausted.roster: must name another roster: "XYZ" cannot hand over to itself',
    ]);
    expect(problems(['system: XYZ', 'onExhausted: XYZ-managers', ...responders.map((l) => l.slice(4))].join('\n'))).toEqual([
      'r.yaml:2: onExhausted: Invalid input: expected object, received string',
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

  it('names the line and the field of grouping and pacing problems', () => {
    const text = [
      'rosters:',
      '  - system: XYZ',
      '    groupBy: [system, service]',
      '    groupWindowMinutes: 0',
      '    minCallGapSeconds: "60"',
      '    responders:',
      '      - {name: Aki, phone: "+819011110001"}',
      '  - system: ABC',
      '    groupBy: [system, hostname]',
      '    groupWindowMinutes: 2.5',
      '    minCallGapSeconds: 7200',
      '    responders:',
      '      - {name: Aki, phone: "+819011110001"}',
      '  - system: D',
      '    groupBy: system',
      '    responders:',
      '      - {name: Aki, phone: "+819011110001"}',
    ].join('\n');
    expect(problems(text)).toEqual([
      'r.yaml:3: rosters.0.groupBy: must be ["system","host","service"], ["system","host"] or ["system"]',
      expect.stringMatching(/^r\.yaml:4: rosters\.0\.groupWindowMinutes: .*>=1/),
      expect.stringMatching(/^r\.yaml:5: rosters\.0\.minCallGapSeconds: .*number/),
      expect.stringMatching(/^r\.yaml:9: rosters\.1\.groupBy\.1: .*"system"\|"host"\|"service"/),
      expect.stringMatching(/^r\.yaml:10: rosters\.1\.groupWindowMinutes: .*int/),
      expect.stringMatching(/^r\.yaml:11: rosters\.1\.minCallGapSeconds: .*<=3600/),
      expect.stringMatching(/^r\.yaml:15: rosters\.2\.groupBy: .*array/),
    ]);
  });

  it('reads grouping and pacing, with their defaults when absent', () => {
    const [grouped, plain] = parseRosterText(
      [
        '- system: A',
        '  groupBy: [system, host]',
        '  groupWindowMinutes: 15',
        '  minCallGapSeconds: 120',
        '  responders: [{name: x, phone: "+819011110001"}]',
        '- system: B',
        '  responders: [{name: y, phone: "+819011110002"}]',
      ].join('\n'),
    );
    expect(grouped).toMatchObject({ groupBy: ['system', 'host'], groupWindowMinutes: 15, minCallGapSeconds: 120 });
    expect(plain).toMatchObject({ groupBy: ['system', 'host', 'service'], minCallGapSeconds: 60 });
    expect(plain?.groupWindowMinutes).toBeUndefined();
  });

  it('a field the roster does not know is a problem at its line, with a guess, not silently dropped', () => {
    const text = [
      'rosters:',
      '  - system: XYZ',
      '    groupby: [system]',
      '    groupWindow: 10',
      '    minCallGapSecs: 60',
      '    owner: ops',
      '    responders:',
      '      - name: Aki',
      '        phone: "+819011110001"',
      '        timeZone: Asia/Tokyo',
    ].join('\n');
    expect(problems(text)).toEqual([
      'r.yaml:3: rosters.0.groupby: unknown field (did you mean groupBy?)',
      'r.yaml:4: rosters.0.groupWindow: unknown field (did you mean groupWindowMinutes?)',
      'r.yaml:5: rosters.0.minCallGapSecs: unknown field (did you mean minCallGapSeconds?)',
      'r.yaml:6: rosters.0.owner: unknown field',
      'r.yaml:10: rosters.0.responders.0.timeZone: unknown field (did you mean timezone?)',
    ]);
    expect(problems('system: A\ngroupby: [system]\nresponders: [{name: x, phone: "+819011110001"}]')).toEqual(['r.yaml:2: groupby: unknown field (did you mean groupBy?)']);
  });

  it('accepts one roster, a list, or JSON', () => {
    expect(parseRosterText('system: A\nresponders:\n  - {name: x, phone: "+819011110001"}')).toHaveLength(1);
    expect(parseRosterText('- system: A\n  responders: [{name: x, phone: "+819011110001"}]\n- system: B\n  responders: [{name: y, phone: "+819011110002"}]')).toHaveLength(2);
    expect(parseRosterText(JSON.stringify({ system: 'A', responders: [{ name: 'x', phone: '+819011110001' }] }))).toHaveLength(1);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('system: A\nresponders:\n  - name: [unclosed')[0]).toMatch(/^r\.yaml:3: /);
  });

  it('a `rosters` that is not a list, or an alias bomb, is a problem, not a crash', () => {
    expect(problems('# rosters\nrosters: 5')).toEqual(['r.yaml:2: rosters: must be a list of rosters']);
    expect(problems('rosters: {system: A}')).toEqual(['r.yaml:1: rosters: must be a list of rosters']);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    expect(problems(bomb.join('\n'))).toEqual([expect.stringMatching(/^r\.yaml:1: Excessive alias count/)]);
  });

  it('a roster written out by rosterText reads back as the same roster', () => {
    const [roster] = parseRosterText('system: A\ngroupBy: [system, host]\nresponders:\n  - {name: "yes", phone: "+819011110001", hours: "Mon-Fri 09:00-18:00"}\n  - {name: "007", phone: "+12125550102", language: en-US}');
    const text = rosterText(roster!);
    expect(text).toContain('phone: "+819011110001"');
    expect(parseRosterText(text)).toEqual([roster]);
  });
});
