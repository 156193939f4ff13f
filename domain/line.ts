/**
 * A responder's phone line: one call at a time per phone, and a rest between calls. Every call
 * yobidashi places goes through the line of the number it rings:
 *
 *   free ──claim──▶ busy (a call covering one or more incidents) ──call ends──▶ resting ──gap──▶ free
 *
 * An incident whose responder's line is busy or resting *waits* on the line instead of ringing
 * the phone again. When the line is free, whoever claims it takes every incident waiting for it
 * into one call (a merged call: one key answers for all of them). An incident that waits longer
 * than a phone rings while the line is busy moves on to its next responder as if unanswered, so
 * nobody is stuck behind one busy person; the rest after a call (roster `minCallGapSeconds`) is
 * always waited out.
 *
 * The line is one item written with a version (single-item conditional writes, no transactions).
 * Pure decisions: time comes in as an argument.
 */

/** How long a phone rings before Connect gives up: the longest an incident waits on a busy line. */
export const RING_MS = 60_000;
/** The most incidents one call covers (the spoken list is capped anyway; this bounds attributes and work). */
export const MAX_COVERS = 50;
/**
 * The most incidents a line keeps waiting (the line is one item, and an item holds 400 KB). One
 * that finds the list full still waits, on its own checks, and claims the line when it is free.
 */
export const MAX_WAITING = 1_000;
/** A claim that has not become a call after this long is taken to have been abandoned. */
export const CLAIM_STALE_MS = 120_000;

export interface Covered {
  incidentId: string;
  attempt: number;
}

export interface LineCall {
  /** Names the call: Connect's ClientToken, so every retry of the placement is the same call. */
  callId: string;
  covers: Covered[];
  claimedAt: number;
  contactId?: string;
  placedAt?: number;
}

export interface Waiting {
  attempt: number;
  since: number;
}

export interface Line {
  lineId: string;
  version: number;
  /** Calls claimed so far (names the next one). */
  seq: number;
  active?: LineCall;
  lastEndedAt?: number;
  waiting: Record<string, Waiting>;
}

export type LineState =
  | { kind: 'free' }
  | { kind: 'busy'; call: LineCall }
  | { kind: 'resting'; until: number };

export function emptyLine(lineId: string): Line {
  return { lineId, version: 0, seq: 0, waiting: {} };
}

/**
 * Where the line stands for an incident whose roster rests `gapMs` between calls. A call that
 * should long have ended (every call is hung up at the call limit) or a claim that never became a
 * call no longer holds the line: a lost release must not silence a person for good.
 */
export function lineState(line: Line, now: number, gapMs: number, callLimitMs: number): LineState {
  const active = line.active;
  if (active) {
    const stale = active.placedAt !== undefined ? now - active.placedAt > callLimitMs + RING_MS : now - active.claimedAt > CLAIM_STALE_MS;
    if (!stale) return { kind: 'busy', call: active };
  }
  if (line.lastEndedAt !== undefined && now < line.lastEndedAt + gapMs) return { kind: 'resting', until: line.lastEndedAt + gapMs };
  return { kind: 'free' };
}

export function covers(call: LineCall | undefined, incidentId: string, attempt: number): boolean {
  return call?.covers.some((c) => c.incidentId === incidentId && c.attempt === attempt) ?? false;
}

/** What a waiting incident does when it looks at the line again. */
export type WaitDecision = { kind: 'claim' } | { kind: 'wait'; until: number; reason: 'RESPONDER_ON_CALL' | 'RESPONDER_RESTING' } | { kind: 'give-up' };

/** How soon an incident covered by a call that is still being dialled looks again. */
export const BUSY_POLL_MS = 15_000;

/**
 * A waiting incident gives up when the responder has been on one call, since it started waiting,
 * for as long as a phone rings; the rest after a call is always waited out. It looks again at
 * that deadline, or when the rest ends; the end of the call wakes the longest waiting one sooner
 * (handlers/lib/lines.ts).
 */
export function decideWait(state: LineState, waitingSince: number, now: number): WaitDecision {
  if (state.kind === 'free') return { kind: 'claim' };
  if (state.kind === 'resting') return { kind: 'wait', until: state.until, reason: 'RESPONDER_RESTING' };
  const deadline = Math.max(waitingSince, state.call.claimedAt) + RING_MS;
  if (now >= deadline) return { kind: 'give-up' };
  return { kind: 'wait', until: deadline, reason: 'RESPONDER_ON_CALL' };
}

/** Registers an incident's attempt as waiting (keeps the first `since` of the same attempt). */
export function addWaiting(line: Line, incidentId: string, attempt: number, now: number): Line {
  const current = line.waiting[incidentId];
  if (current?.attempt === attempt) return line;
  if (current === undefined && Object.keys(line.waiting).length >= MAX_WAITING) return line;
  return { ...line, version: line.version + 1, waiting: { ...line.waiting, [incidentId]: { attempt, since: now } } };
}

export function removeWaiting(line: Line, incidentIds: readonly string[]): Line {
  if (!incidentIds.some((id) => id in line.waiting)) return line;
  const waiting = { ...line.waiting };
  for (const id of incidentIds) delete waiting[id];
  return { ...line, version: line.version + 1, waiting };
}

/**
 * Claims a free line for a call covering `covers` (the claimer's incident first, then those
 * waiting, oldest first, at most MAX_COVERS). Covered incidents leave the waiting list;
 * `drop` are waiting entries found no longer to need this line.
 */
export function claimLine(line: Line, covered: readonly Covered[], drop: readonly string[], now: number): Line {
  const seq = line.seq + 1;
  const call: LineCall = { callId: `${line.lineId}-${seq}`, covers: covered.slice(0, MAX_COVERS), claimedAt: now };
  const gone = [...call.covers.map((c) => c.incidentId), ...drop];
  const waiting = { ...line.waiting };
  for (const id of gone) delete waiting[id];
  const claimed: Line = { ...line, version: line.version + 1, seq, active: call, waiting };
  return claimed;
}

/** The waiting incidents in the order they get into a call: longest waiting first. */
export function waitingInOrder(line: Line, except: string): [string, Waiting][] {
  return Object.entries(line.waiting)
    .filter(([id]) => id !== except)
    .sort(([, a], [, b]) => a.since - b.since);
}

/** Connect accepted the claimed call. */
export function recordLinePlaced(line: Line, callId: string, contactId: string, now: number): Line | undefined {
  if (line.active?.callId !== callId || line.active.contactId !== undefined) return undefined;
  return { ...line, version: line.version + 1, active: { ...line.active, contactId, placedAt: now } };
}

/** The call is over (or never happened): the line rests from its end, or is simply free again. */
export function releaseLine(line: Line, match: { callId?: string; contactId?: string }, endedAt: number | undefined): Line | undefined {
  const active = line.active;
  if (!active) return undefined;
  if (match.callId !== undefined && active.callId !== match.callId) return undefined;
  if (match.contactId !== undefined && active.contactId !== match.contactId) return undefined;
  const { active: _ended, ...rest } = line;
  const released: Line = { ...rest, version: line.version + 1 };
  if (endedAt !== undefined) released.lastEndedAt = Math.max(endedAt, line.lastEndedAt ?? 0);
  return released;
}

/** A claim whose call Connect refused: its incidents wait again (capacity) or are dropped (the number was refused). */
export function abandonClaim(line: Line, callId: string, requeue: boolean): Line | undefined {
  const active = line.active;
  if (!active || active.callId !== callId || active.contactId !== undefined) return undefined;
  const { active: _abandoned, ...rest } = line;
  const waiting = { ...line.waiting };
  if (requeue) for (const c of active.covers) waiting[c.incidentId] ??= { attempt: c.attempt, since: active.claimedAt };
  return { ...rest, version: line.version + 1, waiting };
}
