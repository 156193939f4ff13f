/**
 * Amazon EventBridge event-pattern matching, with AWS's documented semantics.
 *
 *   validateEventPattern(p)        throws InvalidEventPatternError naming the offending path
 *   matchesEventPattern(p, event)  true if the whole EventBridge event matches the pattern
 *   compileEventPattern(p)         validate once, match many events
 *
 * How an event is matched: the event is flattened into leaf values keyed by field path (objects add
 * path segments, arrays do not; every array element is a value of the same field). A path is its
 * names joined by `.`, for the pattern and the event alike, as EventBridge does (aws/event-ruler
 * `Path`, and its README's caveat "Compiled rules and JSON keys with dots"): `{"a.b": [1]}` and
 * `{"a": {"b": [1]}}` are one pattern, and each matches both `{"a": {"b": 1}}` and `{"a.b": 1}`. Each field named
 * in the pattern must match (AND); a field matches if any pattern value accepts any of its values
 * (OR, which makes array fields intersect with pattern arrays). `$or` alternatives expand into
 * separate branches; the event matches if any branch does.
 *
 * Arrays of objects are matched array-consistently, as EventBridge does (aws/event-ruler
 * `rulesForJSONEvent`): values used to satisfy different fields of one branch must come from the
 * same element of any array they share, so `{"employees": {"first": ["Anna"], "last": ["Jones"]}}`
 * does not match Anna Smith + Peter Jones. `{"exists": false}` then means "no value at this path in
 * the array elements the rest of the branch matched"; with nothing else to pin the elements (a
 * branch that only checks absence), the path must be absent from every element. Unlike event-ruler,
 * whose verdict here can depend on the alphabetical order of the field names, absence is always
 * judged after all presence conditions have chosen their elements.
 */
import { compilePattern } from './compile.ts';
import type { Branch, CompiledPattern, Leaf } from './compile.ts';
import { InvalidEventPatternError } from './errors.ts';

export { InvalidEventPatternError };

/** A parsed event pattern object, e.g. `{ "source": ["yobidashi"], "detail": { ... } }`. */
export type EventPattern = Record<string, unknown>;

/** Throws InvalidEventPatternError (message `path: reason`) unless EventBridge would accept it. */
export function validateEventPattern(pattern: unknown): asserts pattern is EventPattern {
  compilePattern(pattern);
}

/**
 * Whether `event` (a whole EventBridge event: version, id, detail-type, source, account, time,
 * region, resources, detail, and optional fields such as replay-name) matches `pattern`.
 * Throws InvalidEventPatternError if the pattern itself is invalid.
 */
export function matchesEventPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  return matchCompiled(compilePattern(pattern), event);
}

/** Validates `pattern` once and returns a matcher to test many events against it. */
export function compileEventPattern(pattern: unknown): (event: Record<string, unknown>) => boolean {
  const compiled = compilePattern(pattern);
  return (event) => matchCompiled(compiled, event);
}

// ---------------------------------------------------------------------------------------------

/** Which element of which event array a value came from: arrayId -> element index. */
type Membership = ReadonlyMap<number, number>;

interface FieldValue {
  readonly value: Leaf;
  readonly membership: Membership;
}

type FlatEvent = ReadonlyMap<string, readonly FieldValue[]>;

const NO_MEMBERSHIP: Membership = new Map();

/** Matches a compiled pattern (internal to events/pattern: testEventPattern uses it). */
export function matchCompiled(compiled: CompiledPattern, event: Record<string, unknown>): boolean {
  const flat = flatten(event);
  return compiled.branches.some((branch) => matchBranch(branch, flat));
}

function hasToJSON(value: object): value is { toJSON: () => unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/** Flattens the event the way it would look as JSON (undefined dropped, Dates as strings, ...). */
function flatten(event: Record<string, unknown>): FlatEvent {
  const fields = new Map<string, FieldValue[]>();
  let nextArrayId = 0;

  const visit = (raw: unknown, path: readonly string[], membership: Membership): void => {
    const value = typeof raw === 'object' && raw !== null && hasToJSON(raw) ? raw.toJSON() : raw;
    if (Array.isArray(value)) {
      const arrayId = nextArrayId++;
      value.forEach((element: unknown, index) => {
        const inner = new Map(membership);
        inner.set(arrayId, index);
        // JSON.stringify turns undefined array elements into null.
        visit(element === undefined ? null : element, path, inner);
      });
      return;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) visit(child, [...path, key], membership);
      return;
    }
    let leaf: Leaf;
    if (typeof value === 'number') leaf = Number.isFinite(value) ? value : null;
    else if (typeof value === 'string' || typeof value === 'boolean' || value === null) leaf = value;
    else return; // undefined, functions, symbols, bigints: not representable in JSON, so absent
    if (path.length === 0) return;
    const key = path.join('.');
    const list = fields.get(key);
    const entry: FieldValue = { value: leaf, membership };
    if (list === undefined) fields.set(key, [entry]);
    else list.push(entry);
  };

  visit(event, [], NO_MEMBERSHIP);
  return fields;
}

/** Combined membership, or null if the two values come from different elements of one array. */
function mergeMembership(a: Membership, b: Membership): Membership | null {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  let merged: Map<number, number> | null = null;
  for (const [arrayId, index] of b) {
    const existing = a.get(arrayId);
    if (existing === undefined) {
      merged ??= new Map(a);
      merged.set(arrayId, index);
    } else if (existing !== index) {
      return null;
    }
  }
  return merged ?? a;
}

function matchBranch(branch: Branch, flat: FlatEvent): boolean {
  const search = (i: number, membership: Membership): boolean => {
    const condition = branch[i];
    if (condition === undefined) return true;
    const values = flat.get(condition.key) ?? [];
    let presentHere = false;
    for (const field of values) {
      const merged = mergeMembership(membership, field.membership);
      if (merged === null) continue;
      presentHere = true;
      if (condition.matchers.some((m) => m(field.value)) && search(i + 1, merged)) return true;
    }
    return condition.allowAbsent && !presentHere && search(i + 1, membership);
  };
  return search(0, NO_MEMBERSHIP);
}
