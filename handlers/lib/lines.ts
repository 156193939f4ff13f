import { createHash } from 'node:crypto';
import { emptyLine, releaseLine, waitingInOrder, type Line } from '../../domain/line.ts';
import { DEFAULT_MIN_CALL_GAP_SECONDS } from '../../domain/roster.ts';
import { armCheck } from './checks.ts';
import type { Deps, SchedulerUses, StoreUses } from './deps.ts';

const MAX_RACES = 8;

/** A line is named by a hash of the number it rings: full numbers stay in rosters only. */
export function lineIdFor(phone: string): string {
  return `ln${createHash('sha256').update(phone).digest('hex').slice(0, 16)}`;
}

/**
 * Load → decide → conditional write on the line's version. `decide` returns the new line, or
 * undefined for "nothing to change". A lost race reloads and decides again. Returns the line as
 * stored afterwards and whether this call changed it.
 */
export async function updateLine(deps: StoreUses<'getLine' | 'saveLine'>, lineId: string, decide: (line: Line) => Line | undefined): Promise<{ line: Line; changed: boolean }> {
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await deps.store.getLine(lineId);
    const line = stored ?? emptyLine(lineId);
    const next = decide(line);
    if (!next) return { line, changed: false };
    if (await deps.store.saveLine({ ...next, version: line.version + 1 }, stored?.version ?? 0)) return { line: { ...next, version: line.version + 1 }, changed: true };
  }
  throw new Error(`line ${lineId}: gave up after ${MAX_RACES} write races`);
}

/**
 * The call on this line is over: the line rests from its end (idempotent; a no-op for another
 * call). The incident waiting longest is woken when the rest is over: it takes everything waiting
 * into one call. (Without the wake-up, waiting incidents look again at their own deadline.)
 */
export async function releaseLineOf(deps: StoreUses<'getLine' | 'saveLine' | 'getIncident'> & SchedulerUses<'scheduleOnce'> & Pick<Deps, 'clock'>, lineId: string | undefined, contactId: string, endedAt: number): Promise<void> {
  if (!lineId) return;
  const { line, changed } = await updateLine(deps, lineId, (current) => releaseLine(current, { contactId }, endedAt));
  if (!changed) return;
  const [oldest] = waitingInOrder(line, '');
  if (!oldest) return;
  const [incidentId, waiting] = oldest;
  const incident = await deps.store.getIncident(incidentId);
  if (incident?.status !== 'open' || incident.call?.attempt !== waiting.attempt) return;
  const gapMs = (incident.roster.minCallGapSeconds ?? DEFAULT_MIN_CALL_GAP_SECONDS) * 1000;
  await armCheck(deps, { incidentId, attempt: waiting.attempt, check: 1 }, (line.lastEndedAt ?? endedAt) + gapMs);
}
