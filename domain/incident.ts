import type { NormalisedAlert } from '../events/alerts.ts';
import { ownEvent, SCHEMA_VERSION, type CallOutcome, type OwnEvent, type ResponderRef } from '../events/catalog.ts';
import { firstSlot, nextSlot, planLength, type Slot } from './plan.ts';
import { MAX_ROSTERS_PER_INCIDENT, type GroupField, type Responder, type Roster } from './roster.ts';
import { activeSilenceFor, silenceIdForIncident, type Silence } from './silence.ts';

/**
 * The incident lifecycle as pure decisions: (state, what happened, now) → new state + events.
 *
 *   open ──▶ acknowledged | silenced | exhausted | resolved        suppressed (born under a silence)
 *
 * `attempt` numbers the calls of one incident and is the fencing token: anything reported about an
 * attempt other than the current one, or about a call already finished, changes nothing. Every
 * change bumps `version`, which the store uses for its conditional write, and keeps the events it
 * produced in `outbox` under `lastCause` so a handler that crashed after writing can publish them
 * again on retry instead of losing them.
 */

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'silenced', 'exhausted', 'resolved', 'suppressed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<IncidentStatus> = new Set([
  'acknowledged',
  'silenced',
  'exhausted',
  'resolved',
  'suppressed',
]);

/** An acknowledged incident keeps absorbing repeat alerts this long, then a new one may open. */
export const ACK_HOLD_MS = 24 * 60 * 60 * 1000;

export interface IncidentCall {
  attempt: number;
  slot: number;
  round: number;
  responderIndex: number;
  /** When this call was asked for (Escalated): its first safety-net check is due a check interval later. */
  requestedAt?: number;
  contactId?: string;
  placedAt?: number;
  endedAt?: number;
  outcome?: CallOutcome;
  /** Placements Connect turned away for now (capacity, 5xx): each is retried, paced, while the incident is open. */
  placementTries?: number;
  deferredReason?: string;
  retryAt?: number;
  /** Waiting for the responder's line (on another call, or resting after one) since then. */
  waitingSince?: number;
}

export interface IncidentRoster {
  rounds: number;
  alertTimezone: string;
  responders: Responder[];
  /** The rest a responder's line takes between calls (absent on incidents opened before it existed: 60). */
  minCallGapSeconds?: number;
  /** The fields that grouped alerts into this incident (absent: system, host and service). */
  groupBy?: GroupField[];
  /** The roster's own name (its `system`: `default` for the fallback, `XYZ-managers` after a hand-over). */
  system?: string;
  /** Where escalation goes when this roster's rounds run out (the roster's `onExhausted`). */
  onExhausted?: { roster: string };
}

/** The rounds of one roster ran out and escalation went on with the next (`onExhausted`). */
export interface Handover {
  from: string;
  to: string;
  at: number;
  /** The last call made from the roster handed over from. */
  afterAttempt: number;
}

/** The latest re-page of an incident: calling started again after an acknowledgement nobody followed with a resolve. */
export interface Repage {
  /** 1, 2, … over the incident's life. */
  count: number;
  /** Who acknowledged, when, and on which call. */
  by: string;
  acknowledgedAt: number;
  afterAttempt: number;
  at: number;
  /**
   * The acknowledger's slot in the first round, passed over there: they were phoned first, just
   * before it. Dropped when the rounds run out and another roster takes over.
   */
  skipSlot?: number;
}

/** Why an `onExhausted` roster was not called, and the incident ended exhausted instead. */
export type HandoverProblem = 'not-found' | 'already-called' | 'too-many-rosters';

export interface Incident {
  incidentId: string;
  dedupKey: string;
  system: string;
  host: string;
  service: string;
  status: IncidentStatus;
  version: number;
  openedAt: number;
  updatedAt: number;
  closedAt?: number;
  /** Snapshot taken at open: a roster edited mid-incident does not reshuffle who is next. */
  roster: IncidentRoster;
  ignoreHours: boolean;
  /** Calls requested so far; the current call's fencing token. 0 before the first. */
  attempt: number;
  call?: IncidentCall;
  alert: { lastcheck?: string; severity?: string; message?: string };
  acknowledgedBy?: string;
  silenceId?: string;
  silencedUntil?: number;
  exhaustedReason?: 'rounds-used-up' | 'no-roster';
  /** The rosters it escalated to after the first one's rounds ran out, in order. */
  handovers?: Handover[];
  /** The latest re-page (acknowledged, not resolved after the roster's `repageAfterMinutes`: domain/repage.ts). */
  repage?: Repage;
  lastCause?: string;
  outbox: OwnEvent[];
}

export type Decision =
  | { changed: true; incident: Incident; events: OwnEvent[] }
  | { changed: false; reason: string };

const iso = (ms: number): string => new Date(ms).toISOString();

export function isTerminal(status: IncidentStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export function responderRef(incident: Pick<Incident, 'roster'>, responderIndex: number): ResponderRef {
  const responder = incident.roster.responders[responderIndex];
  if (!responder) throw new RangeError(`no responder at index ${responderIndex}`);
  return { index: responderIndex, name: responder.name, language: responder.language };
}

export function commit(before: Incident, after: Omit<Incident, 'version' | 'outbox' | 'lastCause'>, cause: string, events: OwnEvent[], now: number): Decision {
  const incident: Incident = { ...after, version: before.version + 1, updatedAt: now, lastCause: cause, outbox: events };
  return { changed: true, incident, events };
}

export function callFor(slot: Slot, attempt: number, now: number): IncidentCall {
  return { attempt, slot: slot.slot, round: slot.round, responderIndex: slot.responderIndex, requestedAt: now };
}

export function escalatedEvent(incident: Incident, call: IncidentCall, because: CallOutcome | 'opened' | 'repaged', now: number): OwnEvent {
  return ownEvent('Escalated', {
    schemaVersion: SCHEMA_VERSION,
    incidentId: incident.incidentId,
    attempt: call.attempt,
    round: call.round,
    responder: responderRef(incident, call.responderIndex),
    because,
    at: iso(now),
  });
}

// ---------------------------------------------------------------------------------------------
// Alerts

export type AlertRoute =
  | { kind: 'join'; incident: Incident }
  | { kind: 'resolve'; incident: Incident }
  | { kind: 'record'; incident: Incident | undefined }
  | { kind: 'suppress'; silence: Silence; joinIncident: Incident | undefined }
  | { kind: 'open' };

/**
 * Where an alert goes, given the latest incident of its group (same group key, domain/grouping.ts)
 * and the silences of its system. An open incident, or one acknowledged within ACK_HOLD_MS, is live
 * and absorbs the group's firing alerts. With a group window (the roster's `groupWindowMinutes`) it
 * absorbs them only while it opened at most that long ago: a later firing alert opens the group's
 * next incident, and the old one keeps calling until it ends. A silenced, exhausted or resolved
 * incident absorbs nothing: a new firing alert after those is news (and a silenced one is caught by
 * its silence).
 *
 * A resolved alert resolves the live incident (whatever the window) when it is the incident's own
 * alert recovering: it carried its own dedup key (the key names the problem), or it has the system,
 * host and service the incident opened with. Another member of a coarser group (host B of a
 * system-wide incident opened by host A) recovering does not stop the calls for the rest: it is
 * recorded on the incident (`join`). A resolved alert with no live incident is only recorded.
 */
export function routeAlert(
  latest: Incident | undefined,
  alert: Pick<NormalisedAlert, 'status' | 'system' | 'host' | 'service' | 'dedupKeySent'>,
  silences: readonly Silence[],
  now: number,
  grouping: { windowMinutes?: number } = {},
): AlertRoute {
  const live =
    latest && (latest.status === 'open' || (latest.status === 'acknowledged' && now - latest.updatedAt < ACK_HOLD_MS))
      ? latest
      : undefined;
  if (alert.status === 'resolved') {
    if (!live) return { kind: 'record', incident: latest };
    const itsOwn =
      alert.dedupKeySent === true || (alert.system === live.system && alert.host === live.host && alert.service === live.service);
    return itsOwn ? { kind: 'resolve', incident: live } : { kind: 'join', incident: live };
  }
  const withinWindow = (incident: Incident) =>
    grouping.windowMinutes === undefined || now - incident.openedAt <= grouping.windowMinutes * 60_000;
  if (live && withinWindow(live)) return { kind: 'join', incident: live };
  const silence = activeSilenceFor(silences, alert, now);
  if (silence) {
    // The same silence's same window: a maintenance window's next window is a new incident.
    const sameSilence = latest?.status === 'suppressed' && latest.silenceId === silence.silenceId && latest.silencedUntil === silence.until ? latest : undefined;
    return { kind: 'suppress', silence, joinIncident: sameSilence };
  }
  return { kind: 'open' };
}

interface NewIncident {
  incidentId: string;
  alert: NormalisedAlert;
  /** Identifies the alert delivery that caused this, so a retried delivery republishes, not reopens. */
  alertId: string;
  now: number;
}

/** Causes recorded with each change; a retry that finds its own cause republishes the outbox. */
export const causes = {
  opened: (alertId: string) => `opened:${alertId}`,
  resolved: (alertId: string) => `resolved:${alertId}`,
  placed: (attempt: number) => `placed:${attempt}`,
  deferred: (attempt: number, tries: number) => `deferred:${attempt}:${tries}`,
  silenced: (silenceId: string) => `silenced:${silenceId}`,
  ended: (attempt: number) => `ended:${attempt}`,
  /** The re-page of the acknowledgement made on `attempt` (its RepageDue). */
  repaged: (attempt: number) => `repaged:${attempt}`,
};

function blankIncident({ incidentId, alert, now }: NewIncident, roster: IncidentRoster, status: IncidentStatus): Incident {
  const incident: Incident = {
    incidentId,
    dedupKey: alert.dedupKey,
    system: alert.system,
    host: alert.host,
    service: alert.service,
    status,
    version: 0,
    openedAt: now,
    updatedAt: now,
    roster,
    ignoreHours: false,
    attempt: 0,
    alert: {},
    outbox: [],
  };
  if (alert.lastcheck !== undefined) incident.alert.lastcheck = alert.lastcheck;
  if (alert.severity !== undefined) incident.alert.severity = alert.severity;
  if (alert.message !== undefined) incident.alert.message = alert.message;
  return incident;
}

/** A new incident and its first call. With no roster at all it is exhausted at once, loudly. */
export function openIncident(input: NewIncident, roster: Roster | undefined): { incident: Incident; events: OwnEvent[] } {
  const { incidentId, now } = input;
  const snapshot: IncidentRoster = roster
    ? {
        rounds: roster.rounds,
        alertTimezone: roster.alertTimezone,
        responders: roster.responders,
        minCallGapSeconds: roster.minCallGapSeconds,
        groupBy: roster.groupBy,
        system: roster.system,
        ...(roster.onExhausted ? { onExhausted: { roster: roster.onExhausted.roster } } : {}),
      }
    : { rounds: 0, alertTimezone: 'UTC', responders: [] };
  const incident = blankIncident(input, snapshot, 'open');
  const opened = ownEvent('IncidentOpened', {
    schemaVersion: SCHEMA_VERSION,
    incidentId,
    dedupKey: incident.dedupKey,
    system: incident.system,
    host: incident.host,
    service: incident.service,
    openedAt: iso(now),
    plannedCalls: planLength(snapshot),
  });
  const start = firstSlot(snapshot, now);
  let events: OwnEvent[];
  if (!start) {
    incident.status = 'exhausted';
    incident.exhaustedReason = 'no-roster';
    incident.closedAt = now;
    events = [
      opened,
      ownEvent('IncidentExhausted', {
        schemaVersion: SCHEMA_VERSION,
        incidentId,
        callsPlaced: 0,
        reason: 'no-roster',
        at: iso(now),
      }),
    ];
  } else {
    incident.ignoreHours = start.ignoreHours;
    incident.attempt = 1;
    incident.call = callFor(start.slot, 1, now);
    events = [opened, escalatedEvent(incident, incident.call, 'opened', now)];
  }
  incident.version = 1;
  incident.lastCause = causes.opened(input.alertId);
  incident.outbox = events;
  return { incident, events };
}

/** An alert under an active silence: recorded as an incident that never calls. */
export function suppressedIncident(input: NewIncident, silence: Silence): { incident: Incident; events: OwnEvent[] } {
  const incident = blankIncident(input, { rounds: 0, alertTimezone: 'UTC', responders: [] }, 'suppressed');
  incident.silenceId = silence.silenceId;
  incident.silencedUntil = silence.until;
  incident.closedAt = input.now;
  const events = [
    ownEvent('IncidentSuppressed', {
      schemaVersion: SCHEMA_VERSION,
      incidentId: incident.incidentId,
      dedupKey: incident.dedupKey,
      system: incident.system,
      host: incident.host,
      service: incident.service,
      silenceId: silence.silenceId,
      silencedUntil: iso(silence.until),
      at: iso(input.now),
    }),
  ];
  incident.version = 1;
  incident.lastCause = causes.opened(input.alertId);
  incident.outbox = events;
  return { incident, events };
}

/** The monitoring tool says it is over: stop calling, and hang up a call still ringing. */
export function resolveIncident(incident: Incident, alertId: string, now: number): Decision {
  if (incident.status !== 'open' && incident.status !== 'acknowledged') {
    return { changed: false, reason: `incident is ${incident.status}` };
  }
  const ringing = incident.status === 'open' && incident.call && incident.call.endedAt === undefined ? incident.call : undefined;
  const detail: Parameters<typeof ownEvent<'IncidentResolved'>>[1] = {
    schemaVersion: SCHEMA_VERSION,
    incidentId: incident.incidentId,
    at: iso(now),
  };
  if (ringing) {
    detail.activeAttempt = ringing.attempt;
    if (ringing.contactId) detail.activeContactId = ringing.contactId;
  }
  const cause = causes.resolved(alertId);
  return commit(incident, { ...incident, status: 'resolved', closedAt: now }, cause, [ownEvent('IncidentResolved', detail)], now);
}

/**
 * A silence added while the incident calls (from the API, the CLI, or another incident's keypad)
 * covers it: calling stops at once, and a call still ringing is hung up. Only an open incident
 * changes; an acknowledged one is no longer calling anyway.
 */
export function silenceIncident(incident: Incident, silence: Silence, now: number, options: { acknowledgedToo?: boolean } = {}): Decision {
  // An acknowledged incident is silenced only where it would otherwise be re-paged (domain/repage.ts).
  if (incident.status !== 'open' && !(options.acknowledgedToo && incident.status === 'acknowledged')) return { changed: false, reason: `incident is ${incident.status}` };
  const ringing = incident.call && incident.call.endedAt === undefined ? incident.call : undefined;
  const detail: Parameters<typeof ownEvent<'IncidentSilenced'>>[1] = {
    schemaVersion: SCHEMA_VERSION,
    incidentId: incident.incidentId,
    silenceId: silence.silenceId,
    until: iso(silence.until),
    by: silence.createdBy,
    at: iso(now),
  };
  if (ringing) {
    detail.activeAttempt = ringing.attempt;
    if (ringing.contactId) detail.activeContactId = ringing.contactId;
  }
  const after = { ...incident, status: 'silenced' as const, silenceId: silence.silenceId, silencedUntil: silence.until, closedAt: now };
  return commit(incident, after, causes.silenced(silence.silenceId), [ownEvent('IncidentSilenced', detail)], now);
}

// ---------------------------------------------------------------------------------------------
// Calls

/** Is `attempt` the call this incident is waiting on? Everything about calls goes through here. */
export function currentCall(incident: Incident, attempt: number): IncidentCall | undefined {
  const call = incident.call;
  if (incident.status !== 'open' || !call || call.attempt !== attempt || call.endedAt !== undefined) return undefined;
  return call;
}

/**
 * Connect accepted the call. Normally the call is still the current one; but a responder who
 * answers and presses a key within a moment of dialling can be heard (and the call finished) before
 * the placement is recorded. Then the late placement only fills in the contact id for the audit
 * trail: it changes neither the status nor the outcome.
 */
export function recordCallPlaced(incident: Incident, attempt: number, contactId: string, now: number): Decision {
  const call = incident.call;
  if (!call || call.attempt !== attempt) return { changed: false, reason: `attempt ${attempt} is not the current call` };
  if (call.contactId !== undefined) return { changed: false, reason: `attempt ${attempt} already placed` };
  const finishedFirst = currentCall(incident, attempt) === undefined;
  if (finishedFirst && call.outcome === undefined) return { changed: false, reason: `attempt ${attempt} is not the current call` };
  const placed: IncidentCall = { ...call, contactId, placedAt: finishedFirst ? Math.min(now, call.endedAt ?? now) : now };
  const event = ownEvent('CallPlaced', {
    schemaVersion: SCHEMA_VERSION,
    incidentId: incident.incidentId,
    attempt,
    contactId,
    responder: responderRef(incident, call.responderIndex),
    placedAt: iso(now),
  });
  return commit(incident, { ...incident, call: placed }, causes.placed(attempt), [event], now);
}

/**
 * Connect turned the placement away for now (throttled, at its concurrent-call limit, a 5xx): not
 * an outcome. The call stays wanted and is tried again at `retryAt` (the handler arms a check
 * then), for as long as the incident is open.
 */
export function deferPlacement(incident: Incident, attempt: number, deferral: { reason: string; retryAt: number }, now: number): Decision {
  const call = currentCall(incident, attempt);
  if (!call) return { changed: false, reason: `attempt ${attempt} is not the current call` };
  if (call.contactId !== undefined) return { changed: false, reason: `attempt ${attempt} already placed` };
  const tries = (call.placementTries ?? 0) + 1;
  const deferred: IncidentCall = { ...call, placementTries: tries, deferredReason: deferral.reason, retryAt: deferral.retryAt };
  const waitsForLine = isLineWait(deferral.reason);
  if (waitsForLine) deferred.waitingSince = call.waitingSince ?? now;
  else delete deferred.waitingSince;
  const event = ownEvent('CallDeferred', {
    schemaVersion: SCHEMA_VERSION,
    incidentId: incident.incidentId,
    attempt,
    responder: responderRef(incident, call.responderIndex),
    reason: deferral.reason,
    tries,
    retryAt: iso(deferral.retryAt),
    at: iso(now),
  });
  // Waiting on a line is looked at every few seconds: the timeline hears of it when it starts or changes.
  const events = waitsForLine && call.deferredReason === deferral.reason ? [] : [event];
  return commit(incident, { ...incident, call: deferred }, causes.deferred(attempt, tries), events, now);
}

/** Deferral reasons that mean "the responder's line is taken", not "Connect said no". */
export const LINE_WAIT_REASONS = ['RESPONDER_ON_CALL', 'RESPONDER_RESTING'] as const;
export function isLineWait(reason: string | undefined): boolean {
  return (LINE_WAIT_REASONS as readonly string[]).includes(reason ?? '');
}

/** The call this open incident still has to place (asked for, not yet accepted by Connect). */
export function unplacedCall(incident: Incident): IncidentCall | undefined {
  const call = incident.call;
  if (incident.status !== 'open' || !call || call.contactId !== undefined || call.endedAt !== undefined) return undefined;
  return call;
}

export interface CallFinished {
  attempt: number;
  outcome: CallOutcome;
  silenceHours?: number;
}

/** The rosters an incident has called, in order (the first one's name is unknown on incidents opened before names were kept). */
export function rostersCalled(incident: Pick<Incident, 'roster' | 'handovers' | 'system'>): string[] {
  const handovers = incident.handovers ?? [];
  const first = handovers[0]?.from ?? incident.roster.system ?? incident.system;
  return [first, ...handovers.map((h) => h.to)];
}

/**
 * The roster an incident would go on with when its current roster's rounds run out, and whether
 * it may: never a roster it has called already (A → B → A ends at B), and at most
 * MAX_ROSTERS_PER_INCIDENT in all. The handler reads the named roster before deciding (finishCall).
 */
export function handoverTarget(incident: Pick<Incident, 'roster' | 'handovers' | 'system'>): { roster: string; problem?: HandoverProblem } | undefined {
  const next = incident.roster.onExhausted?.roster;
  if (next === undefined) return undefined;
  const called = rostersCalled(incident);
  if (called.includes(next)) return { roster: next, problem: 'already-called' };
  if (called.length >= MAX_ROSTERS_PER_INCIDENT) return { roster: next, problem: 'too-many-rosters' };
  return { roster: next };
}

/** The `onExhausted` roster as the handler found it: `found` undefined when no such roster exists (yet). */
export interface HandoverLookup {
  roster: string;
  found: Roster | undefined;
}

/** The snapshot that goes on calling: the new roster's people, rounds, pacing and hand-over; the incident's own grouping and alert time zone. */
function handedOverSnapshot(current: IncidentRoster, next: Roster): IncidentRoster {
  const snapshot: IncidentRoster = {
    ...current,
    rounds: next.rounds,
    responders: next.responders,
    minCallGapSeconds: next.minCallGapSeconds,
    system: next.system,
  };
  if (next.onExhausted) snapshot.onExhausted = { roster: next.onExhausted.roster };
  else delete snapshot.onExhausted;
  return snapshot;
}

/**
 * A call is over (CallEnded or CallTimeout): acknowledged, silenced, or on to the next responder
 * until the plan runs out.
 */
export function finishCall(incident: Incident, finished: CallFinished, now: number, handover?: HandoverLookup): Decision {
  const call = currentCall(incident, finished.attempt);
  if (!call) return { changed: false, reason: `attempt ${finished.attempt} is not the current call` };
  const ended: IncidentCall = { ...call, endedAt: now, outcome: finished.outcome };
  const base = { ...incident, call: ended };
  const cause = causes.ended(finished.attempt);
  const by = incident.roster.responders[call.responderIndex]?.name ?? `responder ${call.responderIndex + 1}`;

  if (finished.outcome === 'acknowledged') {
    const event = ownEvent('IncidentAcknowledged', {
      schemaVersion: SCHEMA_VERSION,
      incidentId: incident.incidentId,
      attempt: finished.attempt,
      by,
      at: iso(now),
      openedAt: iso(incident.openedAt),
      system: incident.system,
      ...(incident.repage ? { repage: incident.repage.count } : {}),
    });
    return commit(incident, { ...base, status: 'acknowledged', acknowledgedBy: by, closedAt: now }, cause, [event], now);
  }

  if (finished.outcome === 'silenced' && finished.silenceHours !== undefined) {
    const until = now + finished.silenceHours * 3_600_000;
    const silenceId = silenceIdForIncident(incident.incidentId);
    const event = ownEvent('Silenced', {
      schemaVersion: SCHEMA_VERSION,
      incidentId: incident.incidentId,
      attempt: finished.attempt,
      silenceId,
      scope: silenceScopeOf(incident),
      from: iso(now),
      until: iso(until),
      hours: finished.silenceHours,
      by,
    });
    return commit(
      incident,
      { ...base, status: 'silenced', silenceId, silencedUntil: until, closedAt: now },
      cause,
      [event],
      now,
    );
  }

  let next = nextSlot(incident.roster, call.slot, now, incident.ignoreHours);
  // A re-page phoned the acknowledger first: their own slot in the first round is passed over.
  if (next && next.slot === incident.repage?.skipSlot) next = nextSlot(incident.roster, next.slot, now, incident.ignoreHours);
  if (!next) {
    const from = incident.roster.system ?? incident.system;
    const target = handoverTarget(incident);
    let problem = target?.problem;
    if (target && !problem) {
      // The caller reads the named roster first; deciding without it would guess.
      if (handover?.roster !== target.roster) throw new Error(`incident ${incident.incidentId}: roster ${target.roster} was not looked up before its rounds ran out`);
      const roster = handover.found;
      const start = roster && firstSlot(roster, now);
      if (roster && start) {
        const attempt = incident.attempt + 1;
        const nextCall = callFor(start.slot, attempt, now);
        const handovers = [...(incident.handovers ?? []), { from, to: roster.system, at: now, afterAttempt: incident.attempt }];
        const after: Incident = { ...base, roster: handedOverSnapshot(incident.roster, roster), ignoreHours: start.ignoreHours, attempt, call: nextCall, handovers } as Incident;
        if (after.repage?.skipSlot !== undefined) {
          const { skipSlot: _passedOver, ...repage } = after.repage;
          after.repage = repage;
        }
        const handedOver = ownEvent('RosterExhausted', {
          schemaVersion: SCHEMA_VERSION,
          incidentId: incident.incidentId,
          roster: from,
          callsPlaced: incident.attempt,
          next: roster.system,
          at: iso(now),
        });
        return commit(incident, after, cause, [handedOver, escalatedEvent(after, nextCall, finished.outcome, now)], now);
      }
      problem = 'not-found';
    }
    const detail: Parameters<typeof ownEvent<'IncidentExhausted'>>[1] = {
      schemaVersion: SCHEMA_VERSION,
      incidentId: incident.incidentId,
      callsPlaced: incident.attempt,
      reason: 'rounds-used-up',
      roster: from,
      at: iso(now),
    };
    if (target && problem) detail.handover = { roster: target.roster, problem };
    const event = ownEvent('IncidentExhausted', detail);
    return commit(
      incident,
      { ...base, status: 'exhausted', exhaustedReason: 'rounds-used-up', closedAt: now },
      cause,
      [event],
      now,
    );
  }
  const attempt = incident.attempt + 1;
  const nextCall = callFor(next, attempt, now);
  const after = { ...base, attempt, call: nextCall };
  return commit(incident, after, cause, [escalatedEvent(after as Incident, nextCall, finished.outcome, now)], now);
}

/**
 * What a keypad silence covers: the incident's group. With the default grouping that is its
 * system, host and service; an incident grouping a whole system (or host) silences all of it, so
 * the next alert from another of its hosts does not ring anyone either.
 */
export function silenceScopeOf(incident: Pick<Incident, 'system' | 'host' | 'service' | 'roster'>): { system: string; host?: string; service?: string } {
  const fields = incident.roster.groupBy ?? ['system', 'host', 'service'];
  return {
    system: incident.system,
    ...(fields.includes('host') ? { host: incident.host } : {}),
    ...(fields.includes('service') ? { service: incident.service } : {}),
  };
}

/** Past its limit, a call that is still up is hung up and counted as a timeout. */
export function isCallOverdue(call: IncidentCall, now: number, limitMs: number): boolean {
  return call.placedAt !== undefined && now - call.placedAt >= limitMs;
}

/**
 * The invariant the sweep restores: an open incident always has a live call or a pending check.
 * A healthy open incident changes at least every call limit plus a few checks (placed, deferred,
 * ended, timed out); one unchanged for longer than `staleAfterMs` has lost its check chain (every
 * retry of some step failed). Repairing it means running a check now: false alarms cost one
 * idempotent check, nothing more.
 */
export function needsRepair(incident: Incident, now: number, staleAfterMs: number): boolean {
  return incident.status === 'open' && incident.call !== undefined && now - incident.updatedAt > staleAfterMs;
}
