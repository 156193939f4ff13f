import type { Incident } from '../../domain/incident.ts';
import type { Silence } from '../../domain/silence.ts';
import { timeToAcknowledgeSeconds } from '../../domain/summary.ts';
import { BUS_NAME } from '../../events/envelope.ts';
import { ROUTES, type Route } from '../../events/routes.ts';
import type { ContactRecord, Timeline } from '../../handlers/ports.ts';

/**
 * What operators see of incidents, calls and silences: one shape, built by the same functions
 * whether it comes from the local runtime's API or from the deployed table. Phone numbers appear
 * only masked (as the contact records keep them).
 */

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function incidentSummary(incident: Incident) {
  const waiting = incident.status === 'open' && incident.call?.contactId === undefined ? incident.call : undefined;
  return {
    incidentId: incident.incidentId,
    status: incident.status,
    system: incident.system,
    host: incident.host,
    service: incident.service,
    dedupKey: incident.dedupKey,
    openedAt: iso(incident.openedAt),
    closedAt: iso(incident.closedAt),
    callsPlaced: incident.attempt,
    acknowledgedBy: incident.acknowledgedBy,
    silencedUntil: iso(incident.silencedUntil),
    silenceId: incident.silenceId,
    /** Whose line an open incident waits for (they are on another call, or resting after one). */
    waitingFor: waiting?.waitingSince !== undefined ? incident.roster.responders[waiting.responderIndex]?.name : undefined,
    waitingSince: iso(waiting?.waitingSince),
    exhaustedReason: incident.exhaustedReason,
  };
}
export type IncidentSummary = ReturnType<typeof incidentSummary>;

export function contactView(c: ContactRecord) {
  return {
    attempt: c.attempt,
    contactId: c.contactId,
    responder: c.responderName,
    destination: c.destination,
    placedAt: iso(c.placedAt),
    connectedAt: iso(c.connectedAt),
    endedAt: iso(c.endedAt),
    digits: c.digits,
    outcome: c.outcome,
    check_flag: c.check_flag,
    discon_reason: c.discon_reason,
    covers: c.covers,
  };
}

/**
 * An incident with its audit trail: alerts, calls and events in time order; and, once acknowledged,
 * how long that took (seconds from the opening to the key press, domain/summary.ts).
 */
export function incidentDetail(timeline: Timeline & { incident: Incident }) {
  return {
    ...incidentSummary(timeline.incident),
    timeToAcknowledgeSeconds: timeToAcknowledgeSeconds(timeline.incident, timeline.contacts),
    timeline: {
      alerts: timeline.alerts.map((a) => ({ alertId: a.alertId, receivedAt: iso(a.receivedAt), source: a.source, status: a.alert.status, disposition: a.disposition, lastcheck: a.alert.lastcheck })),
      calls: timeline.contacts.map(contactView),
      events: timeline.events
        .map((e) => ({ time: e.time, eventId: e.eventId, detailType: e.detailType, detail: e.detail, replayName: e.replayName }))
        .sort((a, b) => a.time.localeCompare(b.time)),
    },
  };
}
export type IncidentDetail = ReturnType<typeof incidentDetail>;

/**
 * The routing table (events/routes.ts) as `yobidashi routes` prints it and `GET /api/routes`
 * answers: one rule per route on the bus (locally the rule is named after the route; on AWS its
 * name ends with `-<route>`), its pattern, the handler it targets, and whether replays reach it.
 */
export function routeRows(routes: readonly Route[] = ROUTES) {
  return routes.map((r) => ({
    name: r.name,
    bus: BUS_NAME,
    handler: r.handler,
    replays: r.sideEffects ? ('excluded' as const) : ('delivered' as const),
    pattern: r.eventPattern,
    description: r.description,
  }));
}
export type RouteRow = ReturnType<typeof routeRows>[number];
/** The columns `yobidashi routes` prints (the pattern as JSON). */
export const ROUTE_COLUMNS = ['name', 'handler', 'replays', 'pattern'];

/** A call as the call history keeps it (the table's contact records). */
export function callRow(c: ContactRecord) {
  return {
    startedAt: iso(c.placedAt),
    destination: c.destination,
    incidentId: c.incidentId,
    attempt: c.attempt,
    contactId: c.contactId,
    digits: c.digits,
    outcome: c.outcome,
    disconnectReason: c.discon_reason,
  };
}
export type CallRow = ReturnType<typeof callRow>;

export function silenceView(s: Silence, now: number) {
  return { ...s, from: iso(s.from), until: iso(s.until), active: now >= s.from && now < s.until };
}
export type SilenceRow = ReturnType<typeof silenceView>;

export interface SilenceInput {
  system: string;
  host?: string | undefined;
  service?: string | undefined;
  hours?: number | undefined;
  until?: string | undefined;
  reason?: string | undefined;
  createdBy?: string | undefined;
}

/**
 * The silence a request asks for (default 12 hours), or a message saying what is wrong with it.
 * Both back ends make silences with this, then store and announce them.
 */
/** A silence lasts at most a year, whether it is given in hours or as an end. */
export const MAX_SILENCE_HOURS = 24 * 365;

export function newSilence(input: SilenceInput, now: number, id: string): Silence | { problem: string } {
  if (input.hours !== undefined && input.until !== undefined) return { problem: 'until: give hours or until, not both' };
  if (input.hours !== undefined && !(input.hours > 0 && input.hours <= MAX_SILENCE_HOURS)) return { problem: `hours: must be more than 0 and at most ${MAX_SILENCE_HOURS} (a year)` };
  const until = input.until ? Date.parse(input.until) : now + (input.hours ?? 12) * 3_600_000;
  if (Number.isNaN(until)) return { problem: 'until: not an ISO time' };
  if (until <= now) return { problem: 'until: must be in the future' };
  if (until - now > MAX_SILENCE_HOURS * 3_600_000) return { problem: `until: must be within ${MAX_SILENCE_HOURS} hours (a year) from now` };
  return {
    silenceId: id,
    scope: { system: input.system, ...(input.host ? { host: input.host } : {}), ...(input.service ? { service: input.service } : {}) },
    from: now,
    until,
    createdBy: input.createdBy ?? 'api',
    ...(input.reason ? { reason: input.reason } : {}),
  };
}

/** The SilenceAdded detail that makes open incidents in the silence's scope stop calling. */
export function silenceAdded(silence: Silence) {
  return {
    schemaVersion: 1 as const,
    silenceId: silence.silenceId,
    scope: silence.scope,
    from: new Date(silence.from).toISOString(),
    until: new Date(silence.until).toISOString(),
    by: silence.createdBy,
    ...(silence.reason ? { reason: silence.reason } : {}),
  };
}

/** A delivery that failed every retry, as either back end lists it. */
export interface DeadLetterRow {
  id: string;
  /** Where it was going: the route (handler) name. */
  route: string;
  detailType: string;
  eventId: string;
  /** `function`: the handler failed every retry; `handoff`: EventBridge could not hand it over; `schedule`: a check the Scheduler could not put on the bus. */
  stage: 'function' | 'handoff' | 'schedule';
  error: string;
  failedAt?: string | undefined;
  attempts?: number | undefined;
}
