import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Logger } from '../../../handlers/ports.ts';

/**
 * The local runtime's data-dir files, written so that a crash, a full disk or a hand edit cannot
 * stop the next start or quietly corrupt it:
 *
 * - **Journals** (append-only, one JSON record a line): every line carries a checksum
 *   (`<8 hex of sha256>\t<json>`). On reading, a torn last line (a crash mid-write) or a damaged
 *   line is skipped and *reported* — which file, which line, why — and everything else is kept.
 *   Lines written before checksums existed (plain JSON) are still read. `rewrite` compacts a
 *   journal atomically.
 * - **State files** (one JSON document): written to a temporary file and renamed over the old one
 *   (atomic on POSIX); a missing or unreadable one is reported and the caller starts from its default.
 *
 * Records are JSON, so no value (a client token with a newline in it, say) can break a line.
 */

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 8);
}

export function journalLine(record: unknown): string {
  const json = JSON.stringify(record);
  return `${checksum(json)}\t${json}\n`;
}

export interface ReadReport<T> {
  records: T[];
  /** What was skipped, one message per line, naming the file and line. */
  skipped: string[];
}

/** Reads a journal's records in order, skipping (and reporting) what cannot be trusted. */
export function readJournal<T>(file: string, accept: (value: unknown) => value is T = (v): v is T => v !== null && v !== undefined): ReadReport<T> {
  if (!existsSync(file)) return { records: [], skipped: [] };
  const name = basename(file);
  const records: T[] = [];
  const skipped: string[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    const tab = line.indexOf('\t');
    const sum = tab === 8 ? line.slice(0, 8) : undefined;
    const json = sum !== undefined && /^[0-9a-f]{8}$/.test(sum) ? line.slice(9) : line;
    const where = `${name}:${index + 1}`;
    if (sum !== undefined && /^[0-9a-f]{8}$/.test(sum) && checksum(json) !== sum) {
      skipped.push(`${where}: checksum does not match (${index === lines.length - 2 || index === lines.length - 1 ? 'torn by a crash?' : 'damaged'}); skipped`);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      skipped.push(`${where}: not JSON; skipped`);
      return;
    }
    if (!accept(value)) {
      skipped.push(`${where}: not a record this file holds; skipped`);
      return;
    }
    records.push(value);
  });
  return { records, skipped };
}

export function appendJournal(file: string | undefined, record: unknown): void {
  if (file) appendFileSync(file, journalLine(record));
}

/** Replaces a file's content atomically: a crash leaves the old content or the new, never half. */
export function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

export function rewriteJournal(file: string | undefined, records: readonly unknown[]): void {
  if (file) writeAtomically(file, records.map(journalLine).join(''));
}

/** A state file's value, or `fallback` (reported) when it is missing, torn or not what it should be. */
export function readState<T>(file: string, accept: (value: unknown) => value is T, fallback: T, log?: Logger): T {
  if (!existsSync(file)) return fallback;
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (accept(value)) return value;
    log?.warn('data file holds something unexpected; starting from the default', { file: basename(file) });
  } catch (error) {
    log?.warn('data file is unreadable; starting from the default', { file: basename(file), error: (error as Error).message });
  }
  return fallback;
}

/** Reports what a journal read skipped (once, at start). */
export function reportSkipped(log: Logger | undefined, file: string, skipped: readonly string[]): void {
  if (skipped.length === 0) return;
  log?.warn('data file had lines that could not be read; the rest was recovered', { file: basename(file), skipped: skipped.slice(0, 20), count: skipped.length });
}
