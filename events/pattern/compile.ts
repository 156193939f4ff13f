/**
 * Validation and compilation of EventBridge event patterns.
 *
 * A pattern compiles to a list of branches (one per combination of `$or` alternatives, as AWS's
 * own engine, aws/event-ruler, expands them). A branch is a list of field conditions that must all
 * hold; a field condition is the pattern's leaf array for one field path: the field matches if any
 * of the array's matchers accepts one of the field's values, or, if the array contains
 * `{"exists": false}`, if the field is absent.
 *
 * Semantics follow the AWS EventBridge user guide ("Comparison operators for use in event
 * patterns", "Content filtering", "Matching null values and empty strings", "Arrays") and, where
 * the guide is silent, aws/event-ruler, the open-source engine behind EventBridge. Validation
 * messages name the offending path: `detail.status: numeric range needs ...`.
 */
import { checkWildcardComplexity } from './complexity.ts';
import { invalid } from './errors.ts';
import { matchesIgnoreCase, parseIgnoreCase } from './ignore-case.ts';
import { inCidr, parseCidr, parseIp } from './ip.ts';
import { matchesWildcard, parseWildcard } from './wildcard.ts';
import type { Wildcard } from './wildcard.ts';

/** A leaf value of an event: anything JSON has that is neither an object nor an array. */
export type Leaf = string | number | boolean | null;

/** Accepts or rejects one leaf value of the event field. */
export type ValueMatcher = (value: Leaf) => boolean;

/**
 * One element of a leaf array, as the wildcard-complexity check sees it (see complexity.ts): what
 * identifies it (equal elements share EventBridge's matching state), whether it is `{"exists": false}`,
 * and the wildcard strings it carries (`wildcard`, or `anything-but` with `wildcard`).
 */
export interface PatternItem {
  readonly identity: string;
  readonly absent: boolean;
  readonly wildcards: readonly { readonly kind: 'wildcard' | 'anything-but'; readonly pattern: Wildcard }[];
}

export interface FieldCondition {
  /**
   * The field path with its names joined by `.`, as EventBridge flattens patterns and events
   * (aws/event-ruler `Path`): `{"a": {"b": ...}}` and `{"a.b": ...}` name the same field.
   */
  readonly key: string;
  /** Human-readable path for messages, e.g. `detail.$or[1].state`. */
  readonly display: string;
  /** Matchers for values present in the event (`{"exists": true}` is one that accepts anything). */
  readonly matchers: readonly ValueMatcher[];
  /** True when the leaf array contains `{"exists": false}`: an absent field satisfies it. */
  readonly allowAbsent: boolean;
  /** The leaf array's elements, for the wildcard-complexity check. */
  readonly items: readonly PatternItem[];
}

/** All conditions of one `$or` combination; ordered for matching (presence first, absence last). */
export type Branch = readonly FieldCondition[];

export interface CompiledPattern {
  readonly branches: readonly Branch[];
}

/**
 * EventBridge's numeric matching is limited to -5e9..5e9 (aws/event-ruler ComparableNumber); pattern
 * bounds outside are rejected and event values outside never satisfy a `numeric` condition.
 */
export const NUMERIC_LIMIT = 5e9;

/**
 * AWS refuses a pattern whose `$or` arrays make over 1000 combinations (InvalidEventPatternException;
 * user guide, "Complex example with $or matching").
 */
export const MAX_BRANCHES = 1000;

const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;

/**
 * Names aws/event-ruler refuses as field names inside `$or` alternatives (the operators, the numeric
 * comparison symbols, and names it reserves for future operators).
 */
const RESERVED_INSIDE_OR = new Set<string>([
  ...OPERATORS,
  'exactly',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function childDisplay(parent: string | null, key: string): string {
  return parent === null ? key : `${parent}.${key}`;
}

// ---------------------------------------------------------------------------------------------
// Pattern structure
// ---------------------------------------------------------------------------------------------

type BranchBuilder = Map<string, FieldCondition>;

/** Validates and compiles a parsed pattern; throws InvalidEventPatternError on the first problem. */
export function compilePattern(pattern: unknown): CompiledPattern {
  if (!isPlainObject(pattern)) {
    const hint = typeof pattern === 'string' ? ' (parse the JSON text first)' : '';
    throw invalid('pattern', `must be a JSON object, got ${describe(pattern)}${hint}`);
  }
  const builders = compileObject(pattern, [], null, false);
  checkWildcardComplexity(builders.map((b) => [...b.values()]));
  return { branches: builders.map(orderConditions) };
}

function orderConditions(builder: BranchBuilder): Branch {
  // Conditions that need a present value go first: they pin array elements, and absence is then
  // judged against those pinned elements (see match.ts). Pure absence checks go last.
  const rank = (c: FieldCondition): number => (!c.allowAbsent ? 0 : c.matchers.length > 0 ? 1 : 2);
  return [...builder.values()].sort((a, b) => rank(a) - rank(b));
}

function compileObject(
  obj: Record<string, unknown>,
  fieldPath: readonly string[],
  display: string | null,
  insideOr: boolean,
): BranchBuilder[] {
  const keys = Object.keys(obj);
  if (keys.length === 0) {
    throw invalid(display ?? 'pattern', 'empty objects are not allowed');
  }
  let branches: BranchBuilder[] = [new Map()];
  for (const key of keys) {
    const value = obj[key];
    const here = childDisplay(display, key);

    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) {
        throw invalid(here, '"$or" must be an array of at least 2 pattern objects');
      }
      const alternatives: BranchBuilder[] = [];
      value.forEach((alternative: unknown, i) => {
        const altDisplay = `${here}[${i}]`;
        if (!isPlainObject(alternative)) {
          throw invalid(altDisplay, `each "$or" alternative must be a pattern object, got ${describe(alternative)}`);
        }
        alternatives.push(...compileObject(alternative, fieldPath, altDisplay, true));
      });
      branches = cross(branches, alternatives, here);
      continue;
    }

    if (insideOr && RESERVED_INSIDE_OR.has(key)) {
      throw invalid(here, `"${key}" is a reserved operator name and cannot be used as a field name inside "$or"`);
    }
    const path = [...fieldPath, key];
    if (Array.isArray(value)) {
      const condition = compileLeafArray(value, path, here);
      branches = cross(branches, [new Map([[condition.key, condition]])], here);
    } else if (isPlainObject(value)) {
      branches = cross(branches, compileObject(value, path, here, insideOr), here);
    } else {
      const hint = (OPERATORS as readonly string[]).includes(key)
        ? ` (operators go inside the field's array, e.g. "${fieldPath.at(-1) ?? 'field'}": [{ "${key}": ... }])`
        : '';
      throw invalid(here, `must be an array of match values or a nested pattern object, got ${describe(value)}${hint}`);
    }
  }
  return branches;
}

/**
 * Every combination of a left and a right branch. A field both sides name keeps the right one: the
 * pattern's later mention, in document order, wins, as AWS documents for a key given twice ("the last
 * reference will be the one used") and as aws/event-ruler compiles it (rule overriding, its default).
 * With dotted paths that also covers `{"a.b": [...], "a": {"b": [...]}}`, one field named twice.
 */
function cross(left: BranchBuilder[], right: BranchBuilder[], display: string): BranchBuilder[] {
  const out: BranchBuilder[] = [];
  for (const l of left) {
    for (const r of right) {
      const merged = new Map(l);
      for (const [key, condition] of r) {
        merged.delete(key); // re-inserted last, so the branch lists fields in document order
        merged.set(key, condition);
      }
      out.push(merged);
      if (out.length > MAX_BRANCHES) {
        throw invalid(display, `too many "$or" combinations (more than ${MAX_BRANCHES})`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Leaf arrays and operators
// ---------------------------------------------------------------------------------------------

function compileLeafArray(values: readonly unknown[], path: readonly string[], display: string): FieldCondition {
  if (values.length === 0) {
    throw invalid(display, 'empty arrays are not allowed; give at least one match value');
  }
  const matchers: ValueMatcher[] = [];
  const items: PatternItem[] = [];
  let allowAbsent = false;
  for (const item of values) {
    let absent = false;
    let wildcards: PatternItem['wildcards'] = [];
    if (item === null || typeof item === 'string' || typeof item === 'boolean') {
      matchers.push(exactMatcher(item));
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) throw invalid(display, `match value ${item} is not a finite JSON number`);
      matchers.push((v) => v === item);
    } else if (Array.isArray(item)) {
      throw invalid(display, 'match values cannot be nested arrays');
    } else if (isPlainObject(item)) {
      const compiled = compileOperator(item, display);
      if (compiled === 'absent') allowAbsent = absent = true;
      else matchers.push(compiled);
      wildcards = wildcardsOf(item);
    } else {
      throw invalid(display, `match values must be strings, numbers, booleans, null or operator objects, got ${describe(item)}`);
    }
    items.push({ identity: JSON.stringify(item), absent, wildcards });
  }
  return { key: path.join('.'), display, matchers, allowAbsent, items };
}

/** The wildcard strings of an (already validated) operator object. */
function wildcardsOf(expr: Record<string, unknown>): PatternItem['wildcards'] {
  const wildcard = expr.wildcard;
  if (typeof wildcard === 'string') return [{ kind: 'wildcard', pattern: checkedWildcard(wildcard, '') }];
  const but = expr['anything-but'];
  if (isPlainObject(but) && but.wildcard !== undefined) {
    const list: unknown[] = Array.isArray(but.wildcard) ? but.wildcard : [but.wildcard];
    return list.map((w) => ({ kind: 'anything-but' as const, pattern: checkedWildcard(String(w), '') }));
  }
  return [];
}

function exactMatcher(expected: string | boolean | null): ValueMatcher {
  if (typeof expected === 'string') {
    // EventBridge compiles a string that is an IP literal into an address match (aws/event-ruler
    // CIDR.ipToRangeIfPossible), so "2001:db8::1" also matches "2001:DB8:0:0:0:0:0:1".
    const ip = parseIp(expected);
    if (ip !== null) {
      return (v) => {
        if (v === expected) return true;
        if (typeof v !== 'string') return false;
        const other = parseIp(v);
        return other !== null && other.family === ip.family && other.value === ip.value;
      };
    }
  }
  // Strict equality: types never coerce ("5" never matches 5, "" never matches null).
  return (v) => v === expected;
}

const OPERATOR_LIST = OPERATORS.join(', ');

function compileOperator(expr: Record<string, unknown>, display: string): ValueMatcher | 'absent' {
  const keys = Object.keys(expr);
  const op = keys[0];
  if (op === undefined || keys.length !== 1) {
    const got = keys.length === 0 ? 'an empty object' : keys.map((k) => `"${k}"`).join(', ');
    throw invalid(display, `a match expression must have exactly one operator, got ${got}`);
  }
  const arg = expr[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return compileAffix(op, arg, display);
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') throw invalid(display, `"equals-ignore-case" takes a string, got ${describe(arg)}`);
      const pattern = parseIgnoreCase(arg);
      return (v) => typeof v === 'string' && matchesIgnoreCase(pattern, v, 'equals');
    }
    case 'wildcard': {
      if (typeof arg !== 'string') throw invalid(display, `"wildcard" takes a string, got ${describe(arg)}`);
      const wildcard = checkedWildcard(arg, display);
      return (v) => typeof v === 'string' && matchesWildcard(wildcard, v);
    }
    case 'numeric':
      return compileNumeric(arg, display);
    case 'exists':
      if (typeof arg !== 'boolean') throw invalid(display, `"exists" takes true or false, got ${describe(arg)}`);
      // exists:true accepts any leaf value, null included; objects and arrays are not leaves, so a
      // field holding only an object never "exists" (AWS: exists matching only works on leaf nodes).
      return arg ? () => true : 'absent';
    case 'cidr': {
      if (typeof arg !== 'string') throw invalid(display, `"cidr" takes a string like "10.0.0.0/24", got ${describe(arg)}`);
      const range = parseCidr(arg);
      if (typeof range === 'string') throw invalid(display, range);
      return (v) => typeof v === 'string' && inCidr(range, v);
    }
    case 'anything-but':
      return compileAnythingBut(arg, display);
    default:
      throw invalid(display, `unknown operator "${op}"; supported operators are ${OPERATOR_LIST}`);
  }
}

function checkedWildcard(text: string, display: string): Wildcard {
  const parsed = parseWildcard(text);
  if (typeof parsed === 'string') throw invalid(display, `"wildcard": ${parsed}`);
  return parsed;
}

function compileAffix(op: 'prefix' | 'suffix', arg: unknown, display: string): ValueMatcher {
  const test = op === 'prefix'
    ? (value: string, affix: string) => value.startsWith(affix)
    : (value: string, affix: string) => value.endsWith(affix);
  if (typeof arg === 'string') return (v) => typeof v === 'string' && test(v, arg);
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const inner = arg['equals-ignore-case'];
    if (keys.length === 1 && typeof inner === 'string') {
      const pattern = parseIgnoreCase(inner);
      return (v) => typeof v === 'string' && matchesIgnoreCase(pattern, v, op);
    }
  }
  throw invalid(display, `"${op}" takes a string or {"equals-ignore-case": string}, got ${describe(arg)}`);
}

type NumericOp = '=' | '<' | '<=' | '>' | '>=';
const NUMERIC_OPS: readonly string[] = ['=', '<', '<=', '>', '>='];

function compileNumeric(arg: unknown, display: string): ValueMatcher {
  if (!Array.isArray(arg)) {
    throw invalid(display, `"numeric" takes an array like [">", 0, "<=", 5], got ${describe(arg)}`);
  }
  if (arg.length === 0 || arg.length % 2 !== 0) {
    throw invalid(display, 'numeric range needs an even number of operator/value items, e.g. [">", 0, "<=", 5]');
  }
  if (arg.length > 4) {
    throw invalid(display, 'numeric range takes at most two operator/value pairs (a lower and an upper bound)');
  }
  const pairs: Array<{ op: NumericOp; bound: number }> = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op: unknown = arg[i];
    const bound: unknown = arg[i + 1];
    if (typeof op !== 'string' || !NUMERIC_OPS.includes(op)) {
      throw invalid(display, `unknown numeric operator ${JSON.stringify(op) ?? String(op)}; use =, <, <=, > or >=`);
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw invalid(display, `numeric operator "${op}" needs a number, got ${describe(bound)}`);
    }
    if (Math.abs(bound) > NUMERIC_LIMIT) {
      throw invalid(display, `numeric value ${bound} is outside the supported range -5e9..5e9`);
    }
    pairs.push({ op: op as NumericOp, bound });
  }
  const [first, second] = pairs;
  if (first === undefined) throw invalid(display, 'numeric range is empty');
  if (second !== undefined) {
    // aws/event-ruler accepts exactly: [=, n] | [> or >=, n] | [< or <=, n] | [> or >=, n, < or <=, m]
    if (first.op === '=' || second.op === '=') {
      throw invalid(display, '"=" cannot be combined with another numeric condition');
    }
    const lowerFirst = (first.op === '>' || first.op === '>=') && (second.op === '<' || second.op === '<=');
    if (!lowerFirst) {
      throw invalid(
        display,
        'a numeric range with two conditions must be a lower bound (">" or ">=") followed by an upper bound ("<" or "<=")',
      );
    }
    if (first.bound >= second.bound) {
      throw invalid(display, `numeric range is empty: lower bound ${first.bound} must be less than upper bound ${second.bound}`);
    }
  }
  const holds = (value: number, { op, bound }: { op: NumericOp; bound: number }): boolean => {
    switch (op) {
      case '=': return value === bound;
      case '<': return value < bound;
      case '<=': return value <= bound;
      case '>': return value > bound;
      case '>=': return value >= bound;
    }
  };
  // Only JSON numbers match: the string "5" is not numeric to EventBridge.
  return (v) => typeof v === 'number' && Math.abs(v) <= NUMERIC_LIMIT && pairs.every((p) => holds(v, p));
}

const ANYTHING_BUT_NESTED = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];

/**
 * `anything-but` accepts any present leaf value that is not excluded. As in aws/event-ruler, a value
 * of another type than the excluded ones (null, a boolean, a number for a string list...) is not
 * excluded, so it matches. A missing field has no value, so it never matches; an array field matches
 * if at least one of its elements is not excluded (each element is a value of the field).
 */
function compileAnythingBut(arg: unknown, display: string): ValueMatcher {
  const usage = '"anything-but" takes a string, a number, a non-empty list of only strings or only numbers, ' +
    'or an object with "prefix", "suffix", "equals-ignore-case" or "wildcard"';
  if (typeof arg === 'string') return (v) => v !== arg;
  if (typeof arg === 'number') {
    if (!Number.isFinite(arg)) throw invalid(display, `"anything-but" value ${arg} is not a finite JSON number`);
    return (v) => v !== arg;
  }
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw invalid(display, '"anything-but" list must not be empty');
    if (arg.every((x): x is string => typeof x === 'string')) {
      const excluded = new Set<string>(arg);
      return (v) => !(typeof v === 'string' && excluded.has(v));
    }
    if (arg.every((x): x is number => typeof x === 'number' && Number.isFinite(x))) {
      const excluded = new Set<number>(arg);
      return (v) => !(typeof v === 'number' && excluded.has(v));
    }
    throw invalid(display, '"anything-but" list must contain only strings or only numbers (no null, booleans, objects or mixed types)');
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const op = keys[0];
    if (op === undefined || keys.length !== 1 || !ANYTHING_BUT_NESTED.includes(op)) {
      const got = keys.length === 0 ? 'an empty object' : keys.map((k) => `"${k}"`).join(', ');
      throw invalid(display, `"anything-but" object must have exactly one of "prefix", "suffix", "equals-ignore-case" or "wildcard", got ${got}`);
    }
    const inner = arg[op];
    const list = typeof inner === 'string' ? [inner] : inner;
    if (!Array.isArray(list) || list.length === 0 || !list.every((x): x is string => typeof x === 'string')) {
      throw invalid(display, `"anything-but": {"${op}": ...} takes a string or a non-empty list of strings, got ${describe(inner)}`);
    }
    let excludes: (value: string) => boolean;
    switch (op) {
      case 'prefix':
      case 'suffix': {
        if (list.some((s) => s === '')) throw invalid(display, `"anything-but": {"${op}": ""} is not allowed (empty ${op})`);
        excludes = op === 'prefix'
          ? (value) => list.some((p) => value.startsWith(p))
          : (value) => list.some((s) => value.endsWith(s));
        break;
      }
      case 'equals-ignore-case': {
        const patterns = list.map(parseIgnoreCase);
        excludes = (value) => patterns.some((p) => matchesIgnoreCase(p, value, 'equals'));
        break;
      }
      default: {
        const wildcards = list.map((w) => checkedWildcard(w, display));
        excludes = (value) => wildcards.some((w) => matchesWildcard(w, value));
      }
    }
    return (v) => !(typeof v === 'string' && excludes(v));
  }
  throw invalid(display, `${usage}, got ${describe(arg)}`);
}
