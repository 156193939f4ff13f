import { isWithinContactHours, parseContactHours, type ContactHours } from './hours.ts';
import type { Responder, Roster } from './roster.ts';

/**
 * The call plan: the roster in order, round after round (1,2,3,1,2,3,1,2,3 for three people and
 * three rounds). A slot is one position in that sequence; every call uses a later slot than the
 * one before, so an incident can never place more than responders × rounds calls.
 *
 * Contact hours: a responder outside their hours is passed over. So that an incident never ends up
 * calling nobody, if no responder in the roster is within hours when it opens, it ignores contact
 * hours altogether and calls in plain roster order (docs/escalation.md).
 */

export interface Slot {
  slot: number;
  responderIndex: number;
  round: number;
}

export interface PlanRoster {
  rounds: number;
  responders: readonly Pick<Responder, 'name' | 'timezone' | 'hours'>[];
}

export function planLength(roster: PlanRoster): number {
  return roster.responders.length * roster.rounds;
}

export function slotAt(roster: PlanRoster, slot: number): Slot {
  const size = roster.responders.length;
  return { slot, responderIndex: slot % size, round: Math.floor(slot / size) + 1 };
}

function parsedHours(hours: string | undefined): ContactHours | undefined {
  if (hours === undefined) return undefined;
  try {
    return parseContactHours(hours);
  } catch {
    // Rosters are validated on import; should a bad one slip through, calling is the safe side.
    return undefined;
  }
}

export function isReachable(responder: PlanRoster['responders'][number], atMs: number): boolean {
  return isWithinContactHours(parsedHours(responder.hours), responder.timezone, atMs);
}

/** The first slot after `after` whose responder can be called now, if any is left. */
export function nextSlot(roster: PlanRoster, after: number, atMs: number, ignoreHours: boolean): Slot | undefined {
  const end = planLength(roster);
  for (let slot = after + 1; slot < end; slot++) {
    const candidate = slotAt(roster, slot);
    const responder = roster.responders[candidate.responderIndex];
    if (responder && (ignoreHours || isReachable(responder, atMs))) return candidate;
  }
  return undefined;
}

/** Where a new incident starts, and whether it had to ignore contact hours to call anyone. */
export function firstSlot(roster: PlanRoster, atMs: number): { slot: Slot; ignoreHours: boolean } | undefined {
  const inHours = nextSlot(roster, -1, atMs, false);
  if (inHours) return { slot: inHours, ignoreHours: false };
  const anyone = nextSlot(roster, -1, atMs, true);
  return anyone ? { slot: anyone, ignoreHours: true } : undefined;
}

export type { Roster };
