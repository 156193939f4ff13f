/**
 * EventBridge's limit on wildcard complexity: it refuses a rule whose wildcards could keep too many
 * matches in flight at once, with "Rule is too complex - try using fewer wildcard characters or fewer
 * repeating character sequences after a wildcard character" (e.g. `"*:*:*:*:*:event-bus/*"`).
 *
 * The measure is aws/event-ruler's `MachineComplexityEvaluator`: the rule's `$or` branches that use
 * `wildcard` (or `anything-but` with `wildcard`) are added to one matching machine; for each field's
 * byte machine, the complexity is the largest number of wildcard-pattern prefixes that one input
 * value can match at the same time (the value `abb` is matched by the prefixes `a*`, `a*b`, `a*b*` and
 * `a*b*b` of `a*b*b`: 4), summed over the field's wildcard patterns; the rule's complexity is the
 * largest over all its field machines. Event Ruler matches a string value with its JSON quotes, so the
 * prefixes include the quote characters, and it works on UTF-8 bytes.
 *
 * The limit is 10 (a rule is refused above it). Event Ruler leaves the limit to its user; its README
 * ("Performance") describes exactly this per-rule check and gives, as its example, a complexity of 10
 * per rule with 30 wildcard rules. EventBridge's quotas allow 30 rules containing wildcards per bus,
 * and AWS's documented examples agree: `"*:*:*:*:*:event-bus/*"` (complexity 11) is refused, while
 * `"/Users/*\/dir/dir/dir/dir/dir/doc.txt"` (7) is accepted.
 *
 * This module reproduces every complexity value asserted in Event Ruler's
 * MachineComplexityEvaluatorTest except one (an `anything-but` wildcard list whose strings share a
 * prefix, where Event Ruler's byte machine shares a state and counts one less).
 */
import { invalid } from './errors.ts';
import type { Branch, FieldCondition } from './compile.ts';
import { parseWildcard } from './wildcard.ts';
import type { Wildcard } from './wildcard.ts';

/** A rule whose wildcard complexity exceeds this is refused. */
export const MAX_WILDCARD_COMPLEXITY = 10;

/** AWS's reason, word for word. */
export const TOO_COMPLEX =
  'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';

/** Token standing for `*` among byte values 0..255. */
const STAR = 256;
/** Byte standing for every byte that no pattern names. */
const OTHER = 257;
const QUOTE = 0x22;

/** Explored machine states, beyond which a wildcard set counts as too complex (no real rule comes near). */
const MAX_EXPLORED = 100_000;

const encoder = new TextEncoder();

/** The tokens Event Ruler builds its byte machine from: `"`, the UTF-8 bytes, STAR for each `*`, `"`. */
function tokensOf(wildcard: Wildcard): number[] {
  const tokens = [QUOTE];
  wildcard.forEach((piece, i) => {
    if (i > 0) tokens.push(STAR);
    tokens.push(...encoder.encode(piece));
  });
  tokens.push(QUOTE);
  return tokens;
}

/**
 * The complexity of one field machine holding these wildcard patterns (token lists, deduplicated by
 * the caller); the search stops once it reaches `cap`, and answers `cap`.
 *
 * Each pattern is an automaton whose state i means "the first i tokens are matched"; after a STAR
 * token the state also loops on any byte, and a STAR can match nothing. An input matches the
 * prefix of length i exactly when state i is active after it, so the number of matched prefixes is
 * the number of active states other than the start. The search visits every reachable combination
 * of active states (inputs differ only in the bytes the patterns name, plus "any other byte").
 */
export function wildcardComplexity(patterns: readonly (readonly number[])[], cap = MAX_WILDCARD_COMPLEXITY + 1): number {
  if (patterns.length === 0) return 0;
  const alphabet = new Set<number>([OTHER]);
  for (const tokens of patterns) for (const t of tokens) if (t !== STAR) alphabet.add(t);

  const close = (tokens: readonly number[], states: Set<number>): number[] => {
    const out = [...states];
    for (let k = 0; k < out.length; k++) {
      const i = out[k] as number;
      if (tokens[i] === STAR && !states.has(i + 1)) {
        states.add(i + 1);
        out.push(i + 1);
      }
    }
    return out.sort((a, b) => a - b);
  };

  type Combined = number[][];
  const start: Combined = patterns.map((tokens) => close(tokens, new Set([0])));
  const seen = new Set<string>([JSON.stringify(start)]);
  const pending: Combined[] = [start];
  let best = 0;
  while (pending.length > 0) {
    const active = pending.pop() as Combined;
    for (const byte of alphabet) {
      let count = 0;
      let any = false;
      const next: Combined = active.map((states, p) => {
        const tokens = patterns[p] as readonly number[];
        const reached = new Set<number>();
        for (const i of states) {
          if (i > 0 && tokens[i - 1] === STAR) reached.add(i); // a star keeps matching
          if (i < tokens.length && tokens[i] === byte) reached.add(i + 1);
        }
        const closed = close(tokens, reached);
        if (closed.length > 0) any = true;
        for (const i of closed) if (i > 0) count++;
        return closed;
      });
      if (!any) continue;
      if (count >= cap) return cap;
      best = Math.max(best, count);
      const key = JSON.stringify(next);
      if (!seen.has(key)) {
        if (seen.size >= MAX_EXPLORED) {
          if (Number.isFinite(cap)) return cap;
          throw new Error(`wildcard complexity: more than ${MAX_EXPLORED} machine states`);
        }
        seen.add(key);
        pending.push(next);
      }
    }
  }
  return best;
}

/**
 * The complexity of one field machine holding these `wildcard` strings (JSON-decoded, `\\*` for a
 * literal star). `quoted: false` measures them as Event Ruler's unit tests do, without the quotes a
 * rule's string values get.
 */
export function complexityOfWildcards(wildcards: readonly string[], options: { quoted?: boolean } = {}): number {
  const quoted = options.quoted ?? true;
  const distinct = [...new Set(wildcards)].map((text) => {
    const parsed = parseWildcard(text);
    if (typeof parsed === 'string') throw new Error(parsed);
    const tokens = tokensOf(parsed);
    return quoted ? tokens : tokens.slice(1, -1);
  });
  return wildcardComplexity(distinct, Number.POSITIVE_INFINITY);
}

interface NameNode {
  readonly fields: Map<string, FieldNode>;
}

interface FieldNode {
  readonly condition: FieldCondition;
  /** Next name state per leaf-array element identity (value elements and `exists: false` apart). */
  readonly next: Map<string, NameNode>;
  /** Name states reached through value elements: the ones Event Ruler's evaluator walks on to. */
  readonly valueNext: Set<NameNode>;
  /** Distinct wildcard patterns of this machine, keyed by kind and text. */
  readonly wildcards: Map<string, number[]>;
}

const newName = (): NameNode => ({ fields: new Map() });

/**
 * Throws InvalidEventPatternError with AWS's "Rule is too complex" reason if the branches' wildcards
 * exceed the limit.
 *
 * The branches are added the way Event Ruler adds a rule to its machine (GenericMachine.addStep):
 * fields in sorted order, each element of a field's leaf array leading to a next name state that
 * equal elements share, so two branches share a field machine (and their wildcards add up) when
 * they agree on the fields before it. Branches without wildcards are left out, as in the per-rule
 * check of Event Ruler's README. As in Event Ruler's evaluator, machines reachable only through
 * `{"exists": false}` are not evaluated.
 */
export function checkWildcardComplexity(branches: readonly Branch[]): void {
  const withWildcards = branches.filter((b) => b.some((c) => c.items.some((item) => item.wildcards.length > 0)));
  if (withWildcards.length === 0) return;

  const root = newName();
  for (const branch of withWildcards) {
    const fields = [...branch].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let states = new Set<NameNode>([root]);
    for (const condition of fields) {
      const nextStates = new Set<NameNode>();
      for (const state of states) {
        let machine = state.fields.get(condition.key);
        if (machine === undefined) {
          machine = { condition, next: new Map(), valueNext: new Set(), wildcards: new Map() };
          state.fields.set(condition.key, machine);
        }
        let last: NameNode | undefined;
        for (const item of condition.items) {
          const id = `${item.absent ? 'absent' : 'value'}:${item.identity}`;
          const existing = machine.next.get(id);
          if (existing !== undefined) last = existing;
          else {
            last ??= newName();
            machine.next.set(id, last);
          }
          if (!item.absent) machine.valueNext.add(last);
          for (const w of item.wildcards) machine.wildcards.set(`${w.kind}:${JSON.stringify(w.pattern)}`, tokensOf(w.pattern));
          nextStates.add(last);
        }
      }
      states = nextStates;
    }
  }

  const seen = new Set<NameNode>();
  const pending = [root];
  while (pending.length > 0) {
    const state = pending.pop() as NameNode;
    if (seen.has(state)) continue;
    seen.add(state);
    for (const machine of state.fields.values()) {
      if (wildcardComplexity([...machine.wildcards.values()]) > MAX_WILDCARD_COMPLEXITY) {
        throw invalid(machine.condition.display, TOO_COMPLEX, { located: false });
      }
      pending.push(...machine.valueNext);
    }
  }
}
