/**
 * `equals-ignore-case` as EventBridge's engine does it (aws/event-ruler EqualsIgnoreCaseParser): the
 * pattern, not the value, is case-mapped, one character at a time, and a value matches if it spells
 * each pattern character either as that character's lower-case or its upper-case form. The forms
 * are full Unicode case mappings, which can change length: `ΰ` upper-cases to `Ϋ́` (three code
 * points), so the pattern `ΰ` matches the value `Ϋ́`, which lower-casing both sides would miss; and
 * the value is never folded, so the pattern `k` does not match the Kelvin sign `K`.
 */

/** For each pattern character, the spellings a value may use for it. */
export type IgnoreCase = readonly (readonly string[])[];

export function parseIgnoreCase(pattern: string): IgnoreCase {
  // Code points, not UTF-16 units: a surrogate pair has no case, and splitting it would be nonsense.
  return Array.from(pattern, (ch) => [...new Set([ch.toLowerCase(), ch.toUpperCase()])]);
}

/** Whether `value` spells the whole pattern (`equals`), or begins (`prefix`) or ends (`suffix`) with it. */
export function matchesIgnoreCase(pattern: IgnoreCase, value: string, mode: 'equals' | 'prefix' | 'suffix'): boolean {
  if (mode === 'suffix') {
    let ends = new Set([value.length]);
    for (let i = pattern.length - 1; i >= 0 && ends.size > 0; i--) {
      const next = new Set<number>();
      for (const end of ends) {
        for (const form of pattern[i] ?? []) {
          const start = end - form.length;
          if (start >= 0 && value.startsWith(form, start)) next.add(start);
        }
      }
      ends = next;
    }
    return ends.size > 0;
  }
  let starts = new Set([0]);
  for (const forms of pattern) {
    const next = new Set<number>();
    for (const start of starts) {
      for (const form of forms) if (value.startsWith(form, start)) next.add(start + form.length);
    }
    starts = next;
    if (starts.size === 0) return false;
  }
  return mode === 'prefix' || starts.has(value.length);
}
