import { ownEvent, SCHEMA_VERSION, type OwnEvent } from '../events/catalog.ts';
import { callFor, causes, commit, escalatedEvent, silenceIncident, type Decision, type Incident, type IncidentRoster, type Repage } from './incident.ts';
import { firstSlot, isReachable, type Slot } from './plan.ts';
import type { Roster } from './roster.ts';
import { activeSilenceFor, type Silence } from './silence.ts';

/**
 * Re-page: an incident acknowledged but not resolved after its roster's `repageAfterMinutes` is
 * phoned again — the acknowledger first, then the roster from the top, a fresh set of rounds
 * (docs/escalation.md, "Re-page"). Pure: the handler (handlers/repage.ts) reads the incident, its
 * roster as it is now, the group's head and the system's silences, and these functions decide.
 *
 * Each acknowledgement arms one re-page, named by the acknowledged call's attempt: that attempt is
 * the fence. A later acknowledgement (a new attempt) or any change of status (resolved, silenced)
 * turns the due re-page into nothing.
 */

/** What a re-page due event names: the acknowledged call, and when it was due. */
export interface RepageDue {
  attempt: number;
  dueAt: number;
}

/** The name of the roster an incident is calling (or last called): after a hand-over, the one it handed over to. */
export function rosterNameOf(incident: Pick<Incident, 'roster' | 'system'>): string {
  return incident.roster.system ?? incident.system;
}

/** Is the incident still acknowledged by the call `attempt`, and by nothing later? */
function acknowledgedOn(incident: Incident, attempt: number): boolean {
  const call = incident.call;
  return incident.status === 'acknowledged' && call !== undefined && call.attempt === attempt && call.outcome === 'acknowledged';
}

/**
 * When the acknowledgement on `attempt` is due for a re-page, if its roster asks for re-pages at
 * all: the acknowledgement's time plus `repageAfterMinutes`. Undefined when it is not (or no
 * longer) that acknowledgement, or the roster has no `repageAfterMinutes`.
 */
export function repageDueAt(incident: Incident, attempt: number, roster: Pick<Roster, 'repageAfterMinutes'> | undefined): number | undefined {
  if (!acknowledgedOn(incident, attempt) || roster?.repageAfterMinutes === undefined) return undefined;
  const acknowledgedAt = incident.closedAt ?? incident.call?.endedAt ?? incident.updatedAt;
  return acknowledgedAt + roster.repageAfterMinutes * 60_000;
}

/** What the roster, the group and the silences say about a re-page that fell due. */
export interface RepageContext {
  /** The incident's roster as it is now (rosterNameOf): its `repageAfterMinutes`, its people and rounds. */
  roster: Roster | undefined;
  /** Is the incident still the latest of its group (the head)? A newer one carries the group's news. */
  latestOfGroup: boolean;
  silences: readonly Silence[];
}

export type RepageVerdict =
  /** Nothing to do, and nothing more will come of this acknowledgement. */
  | { kind: 'none'; reason: string }
  /** The roster's setting grew since the acknowledgement: due later, arm again. */
  | { kind: 'later'; dueAt: number }
  /** A silence holds over the incident: it is silenced instead of phoned. */
  | { kind: 'silence'; silence: Silence }
  | { kind: 'repage'; roster: Roster };

/**
 * Is a due re-page to happen? Only for the same acknowledgement (the fence), while the roster still
 * asks for re-pages (read now: its setting may have changed since the acknowledgement), while the
 * incident is the latest of its group, and not under a silence.
 */
export function repageVerdict(incident: Incident, due: RepageDue, context: RepageContext, now: number): RepageVerdict {
  if (!acknowledgedOn(incident, due.attempt)) {
    return { kind: 'none', reason: incident.status === 'acknowledged' ? `acknowledged again since attempt ${due.attempt}` : `incident is ${incident.status}` };
  }
  const { roster } = context;
  if (!roster) return { kind: 'none', reason: `roster ${rosterNameOf(incident)} no longer exists` };
  const dueAt = repageDueAt(incident, due.attempt, roster);
  if (dueAt === undefined) return { kind: 'none', reason: `roster ${roster.system} no longer re-pages` };
  if (dueAt > due.dueAt) return { kind: 'later', dueAt };
  if (!context.latestOfGroup) return { kind: 'none', reason: 'a newer incident of its group has opened' };
  const silence = activeSilenceFor(context.silences, incident, now);
  if (silence) return { kind: 'silence', silence };
  return { kind: 'repage', roster };
}

/** The snapshot a re-page calls: the roster as it is now; the incident's own grouping and alert time zone. */
function repagedSnapshot(current: IncidentRoster, roster: Roster): IncidentRoster {
  const snapshot: IncidentRoster = {
    ...current,
    rounds: roster.rounds,
    responders: roster.responders,
    minCallGapSeconds: roster.minCallGapSeconds,
    system: roster.system,
  };
  if (roster.onExhausted) snapshot.onExhausted = { roster: roster.onExhausted.roster };
  else delete snapshot.onExhausted;
  return snapshot;
}

/**
 * The re-page itself, fenced again (the handler decided on a read that may be stale): the incident
 * is open again and calls the acknowledger first — if they are still in the roster and reachable
 * as anyone is (within their hours, unless nobody in the roster is) — then the roster from the top,
 * a fresh set of rounds, passing over the acknowledger's own slot in the first round. Someone who
 * acknowledged and then left the roster is not called; the roster is, from the top.
 */
export function repageIncident(incident: Incident, due: RepageDue, roster: Roster, now: number): Decision {
  if (!acknowledgedOn(incident, due.attempt)) return { changed: false, reason: `not acknowledged on attempt ${due.attempt}` };
  const snapshot = repagedSnapshot(incident.roster, roster);
  const start = firstSlot(snapshot, now);
  if (!start) return { changed: false, reason: `roster ${roster.system} has nobody to call` };
  const by = incident.acknowledgedBy ?? '?';
  const acknowledgerIndex = snapshot.responders.findIndex((r) => r.name === by);
  const acknowledger = snapshot.responders[acknowledgerIndex];
  const first = acknowledger !== undefined && (start.ignoreHours || isReachable(acknowledger, now));
  // The acknowledger's call comes before the plan (slot -1), so the plan then starts at its top.
  const slot: Slot = first ? { slot: -1, responderIndex: acknowledgerIndex, round: 1 } : start.slot;
  const count = (incident.repage?.count ?? 0) + 1;
  const acknowledgedAt = incident.closedAt ?? now;
  const repage: Repage = { count, by, acknowledgedAt, afterAttempt: due.attempt, at: now, ...(first ? { skipSlot: acknowledgerIndex } : {}) };
  const attempt = incident.attempt + 1;
  const call = callFor(slot, attempt, now);
  const { closedAt: _closed, acknowledgedBy: _by, ...rest } = incident;
  const after: Incident = { ...rest, status: 'open', roster: snapshot, ignoreHours: start.ignoreHours, attempt, call, repage };
  const events: OwnEvent[] = [
    ownEvent('IncidentRepaged', {
      schemaVersion: SCHEMA_VERSION,
      incidentId: incident.incidentId,
      system: incident.system,
      count,
      acknowledgedBy: by,
      acknowledgedAt: new Date(acknowledgedAt).toISOString(),
      afterAttempt: due.attempt,
      roster: roster.system,
      repageAfterMinutes: roster.repageAfterMinutes ?? Math.round((due.dueAt - acknowledgedAt) / 60_000),
      acknowledgerFirst: first,
      at: new Date(now).toISOString(),
    }),
    escalatedEvent(after, call, 'repaged', now),
  ];
  return commit(incident, after, causes.repaged(due.attempt), events, now);
}

/** A silence holds over an acknowledged incident whose re-page fell due: it is silenced, as an open incident would be. */
export function silenceInsteadOfRepage(incident: Incident, due: RepageDue, silence: Silence, now: number): Decision {
  if (!acknowledgedOn(incident, due.attempt)) return { changed: false, reason: `not acknowledged on attempt ${due.attempt}` };
  return silenceIncident(incident, silence, now, { acknowledgedToo: true });
}
