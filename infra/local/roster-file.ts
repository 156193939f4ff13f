import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Document } from 'yaml';
import { responderSchema, rosterProblems, rosterSchema, type Roster } from '../../domain/roster.ts';

/**
 * Roster files, YAML or JSON (JSON is YAML): one roster, a list of them, or `{rosters: [...]}`.
 * Every problem names its line and field, e.g. `roster.yaml:7: rosters.0.responders.1.phone: must be
 * an E.164 number`, in the order of the file. A field the roster does not know (`groupby`,
 * `groupWindow`) is a problem too, not silently dropped: a misspelt setting would otherwise change
 * how alerts are grouped or paced without a word.
 */

const ROSTER_FIELDS: ReadonlySet<string> = new Set(Object.keys(rosterSchema.shape));
const RESPONDER_FIELDS: ReadonlySet<string> = new Set(Object.keys(responderSchema.shape));
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
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // yaml refuses an alias bomb ("Excessive alias count …") while building the value.
    throw new RosterFileError([`${name}:1: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const isWrapped = typeof data === 'object' && data !== null && !Array.isArray(data) && 'rosters' in data;
  if (isWrapped) {
    const wrapped = (data as { rosters: unknown }).rosters;
    if (wrapped !== null && wrapped !== undefined && !Array.isArray(wrapped)) {
      const node = doc.get('rosters', true) as { range?: [number, number, number] } | undefined;
      const line = node?.range ? lines.linePos(node.range[0]).line : 1;
      throw new RosterFileError([`${name}:${line}: rosters: must be a list of rosters`]);
    }
  }
  const list: unknown[] = Array.isArray(data) ? data : isWrapped ? ((data as { rosters: unknown[] }).rosters ?? []) : [data];
  const prefix: (string | number)[] = Array.isArray(data) ? [] : isWrapped ? ['rosters'] : [];
  const problems: { line: number; text: string }[] = [];
  const rosters: Roster[] = [];
  list.forEach((item, index) => {
    const at = [...prefix, ...(Array.isArray(data) || isWrapped ? [index] : [])];
    const unknown = unknownFields(doc, lines, at, ROSTER_FIELDS);
    const responders = doc.getIn([...at, 'responders'], true);
    if (isSeq(responders)) responders.items.forEach((_, i) => unknown.push(...unknownFields(doc, lines, [...at, 'responders', i], RESPONDER_FIELDS)));
    for (const field of unknown) problems.push({ line: field.line, text: `${name}:${field.line}: ${field.path.join('.')}: ${field.message}` });
    const report = (issuePath: readonly PropertyKey[], message: string) => {
      const path = [...at, ...issuePath.map((p) => (typeof p === 'symbol' ? String(p) : p))];
      // The deepest node that exists: a missing field is reported at its parent's line.
      let line: number | undefined;
      for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
        const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
        if (node?.range) line = lines.linePos(node.range[0]).line;
      }
      problems.push({ line: line ?? 1, text: `${name}:${line ?? 1}: ${path.join('.') || '(root)'}: ${message}` });
    };
    const result = rosterSchema.safeParse(item);
    if (result.success) {
      // What no single field can say (a roster handing over to itself): the same check as the API's.
      const across = rosterProblems(result.data);
      for (const problem of across) report(problem.path, problem.message);
      if (unknown.length === 0 && across.length === 0) rosters.push(result.data);
      return;
    }
    for (const issue of result.error.issues) report(issue.path, issue.message);
  });
  if (problems.length) throw new RosterFileError(problems.sort((a, b) => a.line - b.line).map((p) => p.text));
  return rosters;
}

/**
 * A roster as a roster file, in YAML: what `GET /api/rosters/{system}?format=yaml` gives to edit,
 * and `parseRosterText` (the import) reads back as the same roster. Strings that would read as
 * something else (`+819012345678` as a number) are quoted by the writer.
 */
export function rosterText(roster: Roster): string {
  return stringify(roster, { lineWidth: 0 });
}

interface UnknownField {
  line: number;
  path: (string | number)[];
  message: string;
}

/** The keys of the mapping at `path` that are not `known`, each at the line of its key. */
function unknownFields(doc: Document, lines: LineCounter, path: (string | number)[], known: ReadonlySet<string>): UnknownField[] {
  const node = path.length ? doc.getIn(path, true) : doc.contents;
  if (!isMap(node)) return [];
  const found: UnknownField[] = [];
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof key !== 'string' || known.has(key)) continue;
    const range = isScalar(pair.key) ? pair.key.range : undefined;
    const line = range ? lines.linePos(range[0]).line : 1;
    const guess = closest(key, known);
    found.push({ line, path: [...path, key], message: `unknown field${guess ? ` (did you mean ${guess}?)` : ''}` });
  }
  return found;
}

/**
 * A known field the unknown one is probably a misspelling of: the same letters in another case, one
 * a prefix of the other, a long common start (`minCallGapSecs`), or two edits away.
 */
function closest(field: string, known: ReadonlySet<string>): string | undefined {
  const lower = field.toLowerCase();
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    if (c === lower || (lower.length >= 4 && (c.startsWith(lower) || lower.startsWith(c)))) return candidate;
  }
  for (const candidate of known) if (commonStart(lower, candidate.toLowerCase()) >= 8) return candidate;
  for (const candidate of known) if (editDistance(lower, candidate.toLowerCase()) <= 2) return candidate;
  return undefined;
}

function commonStart(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
