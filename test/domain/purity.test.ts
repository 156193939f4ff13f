import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** domain/ is the functional core: no AWS SDK, no I/O, no clock, no randomness. Enforced here. */
const FORBIDDEN: [RegExp, string][] = [
  [/from '@aws-sdk\//, 'AWS SDK'],
  [/from 'electrodb'/, 'ElectroDB'],
  [/from 'node:/, 'Node I/O modules'],
  [/from '\.\.\/(handlers|infra)\//, 'the imperative shell'],
  [/Date\.now\(/, 'the clock'],
  [/new Date\(\)/, 'the clock'],
  [/Math\.random\(/, 'randomness'],
  [/process\./, 'the process environment'],
];

describe('domain purity', () => {
  it('no domain module reaches outside the functional core', async () => {
    const dir = new URL('../../domain/', import.meta.url).pathname;
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const violations: string[] = [];
    for (const file of files) {
      const source = await readFile(join(dir, file), 'utf8');
      for (const [pattern, what] of FORBIDDEN) if (pattern.test(source)) violations.push(`${file} uses ${what}`);
    }
    expect(violations).toEqual([]);
  });
});
