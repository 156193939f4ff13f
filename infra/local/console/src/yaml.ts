/**
 * Rosters as YAML for the editor: a small emitter for plain data (objects, arrays, strings,
 * numbers, booleans). Strings YAML could read as something else (+81…, yes, 09:00, '') are written
 * double-quoted, which is JSON's quoting and valid YAML. The server parses what comes back with
 * the CLI's own reader, so this only has to write what that reads.
 */

const PLAIN = /^[A-Za-z_][A-Za-z0-9_ ./()-]*$/;
const RESERVED = /^(?:true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  const text = String(value);
  return PLAIN.test(text) && !RESERVED.test(text) && !text.endsWith(' ') ? text : JSON.stringify(text);
}

const isScalar = (v: unknown) => v === null || typeof v !== 'object';

function emit(value: unknown, indent: string, lines: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isScalar(item)) lines.push(`${indent}- ${scalar(item)}`);
      else {
        const inner: string[] = [];
        emit(item, `${indent}  `, inner);
        const [first, ...rest] = inner;
        lines.push(`${indent}- ${(first ?? '').trimStart()}`, ...rest);
      }
    }
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (isScalar(v)) lines.push(`${indent}${scalar(key)}: ${scalar(v)}`);
    else if (Array.isArray(v) && v.every(isScalar)) lines.push(`${indent}${scalar(key)}: [${v.map(scalar).join(', ')}]`);
    else {
      lines.push(`${indent}${scalar(key)}:`);
      emit(v, Array.isArray(v) ? `${indent}  ` : `${indent}  `, lines);
    }
  }
}

export function toYaml(value: unknown): string {
  const lines: string[] = [];
  emit(value, '', lines);
  return `${lines.join('\n')}\n`;
}
