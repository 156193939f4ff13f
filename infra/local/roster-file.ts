import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { rosterSchema, type Roster } from '../../domain/roster.ts';

/**
 * Roster files, YAML or JSON (JSON is YAML): one roster, a list of them, or `{rosters: [...]}`.
 * Every problem names its line and field, e.g. `roster.yaml:7: rosters.0.responders.1.phone: must be
 * an E.164 number`.
 */
export class RosterFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'RosterFileError';
  }
}

export async function readRosterFile(file: string): Promise<Roster[]> {
  return parseRosterText(await readFile(file, 'utf8'), file);
}

export function parseRosterText(text: string, name = 'roster'): Roster[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length) {
    throw new RosterFileError(doc.errors.map((e) => `${name}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`));
  }
  const data: unknown = doc.toJS();
  const isWrapped = typeof data === 'object' && data !== null && !Array.isArray(data) && 'rosters' in data;
  const list: unknown[] = Array.isArray(data) ? data : isWrapped ? ((data as { rosters: unknown[] }).rosters ?? []) : [data];
  const prefix: (string | number)[] = Array.isArray(data) ? [] : isWrapped ? ['rosters'] : [];
  const problems: string[] = [];
  const rosters: Roster[] = [];
  list.forEach((item, index) => {
    const result = rosterSchema.safeParse(item);
    if (result.success) return rosters.push(result.data);
    for (const issue of result.error.issues) {
      const path = [...prefix, ...(Array.isArray(data) || isWrapped ? [index] : []), ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
      // The deepest node that exists: a missing field is reported at its parent's line.
      let line: number | undefined;
      for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
        const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
        if (node?.range) line = lines.linePos(node.range[0]).line;
      }
      problems.push(`${name}:${line ?? 1}: ${path.join('.') || '(root)'}: ${issue.message}`);
    }
  });
  if (problems.length) throw new RosterFileError(problems);
  return rosters;
}
