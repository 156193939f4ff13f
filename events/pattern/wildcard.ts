/**
 * The `wildcard` operator: `*` matches any run of characters (including none), `\*` is a literal
 * star and `\\` a literal backslash. Any other escape, a trailing lone backslash, and two
 * consecutive wildcards (`**`) are rejected, as EventBridge does.
 */

/** A parsed wildcard: the literal text between unescaped stars (n stars give n + 1 pieces). */
export type Wildcard = readonly string[];

/** Parses a wildcard pattern, or returns a reason why EventBridge would reject it. */
export function parseWildcard(pattern: string): Wildcard | string {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') return `consecutive wildcard characters at position ${i} in "${pattern}"`;
      pieces.push(current);
      current = '';
    } else if (ch === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        return `invalid escape at position ${i} in "${pattern}" (only \\* and \\\\ are allowed)`;
      }
      current += next;
      i++;
    } else {
      current += ch;
    }
  }
  pieces.push(current);
  return pieces;
}

/**
 * Whether `value` matches. Leftmost-first placement of the middle pieces is optimal for `*`-only
 * globs, so this is linear-ish with no backtracking blow-up, unlike a naive `.*` regular expression.
 */
export function matchesWildcard(wildcard: Wildcard, value: string): boolean {
  const first = wildcard[0] ?? '';
  if (wildcard.length === 1) return value === first;
  const last = wildcard[wildcard.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let pos = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < wildcard.length - 1; i++) {
    const piece = wildcard[i] ?? '';
    const at = value.indexOf(piece, pos);
    if (at === -1 || at + piece.length > end) return false;
    pos = at + piece.length;
  }
  return true;
}
