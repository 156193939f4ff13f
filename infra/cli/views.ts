import type { Incident } from '../../domain/incident.ts';
import { NO_END, nextWindowAfter, recurrenceProblem, windowAt, type Silence } from '../../domain/silence.ts';
import { timeToAcknowledgeSeconds } from '../../domain/summary.ts';
import { offsetMsAt, wallClockAt } from '../../domain/time.ts';
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
    /** How often it was re-paged (acknowledged, not resolved after the roster's repageAfterMinutes). */
    repages: incident.repage?.count,
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
        .map((e) => ({ time: e.time, eventId: e.eventId, detailType: e.detailType, note: eventNote(e.detailType, e.detail), detail: e.detail, replayName: e.replayName }))
        .sort((a, b) => a.time.localeCompare(b.time)),
    },
  };
}
export type IncidentDetail = ReturnType<typeof incidentDetail>;

const HANDOVER_PROBLEMS: Record<string, string> = {
  'not-found': 'it does not exist',
  'already-called': 'this incident called it already',
  'too-many-rosters': 'this incident has called the most rosters one may',
};

/**
 * What a timeline event says in words, for the events a reader would otherwise have to decode:
 * the rounds running out (and where escalation went), the end of calling, who is called next.
 */
export function eventNote(detailType: string, detail: unknown): string | undefined {
  const d = (detail ?? {}) as Record<string, unknown>;
  const str = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : undefined);
  switch (detailType) {
    case 'RosterExhausted':
      return `rounds ran out on roster ${str('roster') ?? '?'} after ${String(d.callsPlaced)} calls; escalating to roster ${str('next') ?? '?'}`;
    case 'IncidentExhausted': {
      if (str('reason') === 'no-roster') return 'no roster for this system: nobody was called';
      const handover = d.handover as { roster?: string; problem?: string } | undefined;
      const base = `rounds ran out${str('roster') ? ` on roster ${str('roster')}` : ''} after ${String(d.callsPlaced)} calls; nobody answered`;
      return handover ? `${base} (onExhausted roster ${handover.roster ?? '?'} not called: ${HANDOVER_PROBLEMS[handover.problem ?? ''] ?? handover.problem})` : base;
    }
    case 'Escalated': {
      const responder = d.responder as { name?: string } | undefined;
      return `calling ${responder?.name ?? '?'} (attempt ${String(d.attempt)}, round ${String(d.round)})`;
    }
    case 'IncidentAcknowledged':
      return `acknowledged by ${str('by') ?? '?'}${typeof d.repage === 'number' ? ` (re-page ${String(d.repage)})` : ''}`;
    case 'IncidentRepaged': {
      const minutes = typeof d.repageAfterMinutes === 'number' ? `${String(d.repageAfterMinutes)} minutes` : 'the roster\'s time';
      const first = d.acknowledgerFirst === true ? `calling ${str('acknowledgedBy') ?? '?'} first, then roster ${str('roster') ?? '?'}` : `calling roster ${str('roster') ?? '?'} (${str('acknowledgedBy') ?? '?'} is not reachable in it now)`;
      return `re-page ${String(d.count)}: acknowledged by ${str('acknowledgedBy') ?? '?'} and not resolved after ${minutes}; ${first}`;
    }
    default:
      return undefined;
  }
}

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

/**
 * A silence as operators see it. A maintenance window also shows its recurrence (`cron`,
 * `durationMinutes`, `timezone`, flat as they are given), the window in force now (`window`, when
 * `active`) and the next one to open (`nextWindow`, absent when no window opens any more); its
 * `until` is the recurrence's end, left out when it recurs for ever.
 */
export function silenceView(s: Silence, now: number) {
  const { recurrence, ...rest } = s;
  const current = windowAt(s, now);
  const view = { ...rest, from: iso(s.from), until: s.until === NO_END ? undefined : iso(s.until), active: current !== undefined };
  if (!recurrence) return view;
  const next = nextWindowAfter(s, now);
  return {
    ...view,
    ...recurrence,
    ...(current ? { window: { from: iso(current.from) as string, until: iso(current.until) as string } } : {}),
    ...(next ? { nextWindow: { from: iso(next.from) as string, until: iso(next.until) as string } } : {}),
  };
}
export type SilenceRow = ReturnType<typeof silenceView> & {
  cron?: string;
  durationMinutes?: number;
  timezone?: string;
  window?: { from: string; until: string };
  nextWindow?: { from: string; until: string };
};

/**
 * A window as a person in its zone reads it: `2026-11-29 02:00 → 04:00 Asia/Tokyo`; the end's date
 * when it falls on another day (`2026-11-29 23:00 → 11-30 01:00`), and each end's UTC offset when a
 * daylight-saving change falls inside (`2027-03-14 01:30 (UTC-05:00) → 04:30 (UTC-04:00)`).
 */
export function windowText(window: { from: string; until: string }, timezone: string): string {
  const [from, until] = [Date.parse(window.from), Date.parse(window.until)];
  const a = wallClockAt(timezone, from);
  const b = wallClockAt(timezone, until);
  const two = (n: number) => String(n).padStart(2, '0');
  const offset = (ms: number) => {
    const minutes = offsetMsAt(timezone, ms) / 60_000;
    return `UTC${minutes < 0 ? '-' : '+'}${two(Math.floor(Math.abs(minutes) / 60))}:${two(Math.abs(minutes) % 60)}`;
  };
  const shift = offsetMsAt(timezone, from) !== offsetMsAt(timezone, until);
  const start = `${a.year}-${two(a.month)}-${two(a.day)} ${two(a.hour)}:${two(a.minute)}${shift ? ` (${offset(from)})` : ''}`;
  const sameDay = a.year === b.year && a.month === b.month && a.day === b.day;
  const end = `${sameDay ? '' : `${a.year === b.year ? '' : `${b.year}-`}${two(b.month)}-${two(b.day)} `}${two(b.hour)}:${two(b.minute)}${shift ? ` (${offset(until)})` : ''}`;
  return `${start} → ${end} ${timezone}`;
}

/** `2h`, `90m`, `1h30m`, `7d`: a window's length as the CLI prints and takes it. */
export function durationText(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return `${d ? `${d}d` : ''}${h ? `${h}h` : ''}${m ? `${m}m` : ''}` || '0m';
}

/** `90m`, `2h`, `1h30m`, `1d12h` as whole minutes; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  const [d, h, m] = match.slice(1).map((v) => Number(v ?? 0)) as [number, number, number];
  return d * 1440 + h * 60 + m;
}

export interface SilenceInput {
  system: string;
  host?: string | undefined;
  service?: string | undefined;
  hours?: number | undefined;
  /** A one-off silence's end; with `cron`, the recurrence's end. */
  until?: string | undefined;
  reason?: string | undefined;
  createdBy?: string | undefined;
  /** A maintenance window: `cron`, `durationMinutes` and `timezone` together. */
  cron?: string | undefined;
  durationMinutes?: number | undefined;
  timezone?: string | undefined;
}

/** A silence lasts at most a year, whether it is given in hours or as an end. */
export const MAX_SILENCE_HOURS = 24 * 365;

/**
 * The silence a request asks for (default 12 hours), or a message saying what is wrong with it,
 * starting with the field it is about. Both back ends make silences with this, then store and
 * announce them. With `cron` it is a maintenance window (domain/silence.ts): `durationMinutes` and
 * `timezone` are required, `hours` is refused (each window lasts `durationMinutes`), and `until`,
 * if given, ends the recurrence (no end by default).
 */
export function newSilence(input: SilenceInput, now: number, id: string): Silence | { problem: string } {
  const scope = { system: input.system, ...(input.host ? { host: input.host } : {}), ...(input.service ? { service: input.service } : {}) };
  const common = { silenceId: id, scope, from: now, createdBy: input.createdBy ?? 'api', ...(input.reason ? { reason: input.reason } : {}) };
  if (input.cron === undefined) {
    if (input.durationMinutes !== undefined) return { problem: 'durationMinutes: only with cron (a one-off silence lasts hours, or until an end)' };
    if (input.timezone !== undefined) return { problem: 'timezone: only with cron (the zone its times are read in)' };
  } else {
    if (input.hours !== undefined) return { problem: 'hours: not with cron (each window lasts durationMinutes; until ends the recurrence)' };
    if (input.durationMinutes === undefined) return { problem: 'durationMinutes: required with cron (how long each window lasts, e.g. 120)' };
    if (input.timezone === undefined) return { problem: 'timezone: required with cron (the zone its times are read in, e.g. Asia/Tokyo or UTC)' };
    const until = input.until === undefined ? NO_END : Date.parse(input.until);
    if (Number.isNaN(until)) return { problem: 'until: not an ISO time' };
    if (until <= now) return { problem: 'until: must be in the future' };
    const recurrence = { cron: input.cron.trim(), durationMinutes: input.durationMinutes, timezone: input.timezone };
    const problem = recurrenceProblem(recurrence, now, until);
    if (problem) return { problem: `${problem.field}: ${problem.message}` };
    return { ...common, until, recurrence };
  }
  if (input.hours !== undefined && input.until !== undefined) return { problem: 'until: give hours or until, not both' };
  if (input.hours !== undefined && !(input.hours > 0 && input.hours <= MAX_SILENCE_HOURS)) return { problem: `hours: must be more than 0 and at most ${MAX_SILENCE_HOURS} (a year)` };
  const until = input.until ? Date.parse(input.until) : now + (input.hours ?? 12) * 3_600_000;
  if (Number.isNaN(until)) return { problem: 'until: not an ISO time' };
  if (until <= now) return { problem: 'until: must be in the future' };
  if (until - now > MAX_SILENCE_HOURS * 3_600_000) return { problem: `until: must be within ${MAX_SILENCE_HOURS} hours (a year) from now` };
  return { ...common, until };
}

/** The SilenceAdded detail that makes open incidents in the silence's scope stop calling (and arms a maintenance window's starts). */
export function silenceAdded(silence: Silence) {
  return {
    schemaVersion: 1 as const,
    silenceId: silence.silenceId,
    scope: silence.scope,
    from: new Date(silence.from).toISOString(),
    until: new Date(silence.until).toISOString(),
    by: silence.createdBy,
    ...(silence.reason ? { reason: silence.reason } : {}),
    ...(silence.recurrence ? { cron: silence.recurrence.cron, durationMinutes: silence.recurrence.durationMinutes, timezone: silence.recurrence.timezone } : {}),
  };
}

/**
 * A notification, as either back end lists it: locally what the runtime's topic published (all of
 * them, dead letters included); on a stack what the notify function sent (the table's records; the
 * dead-letter alarms go to the topic from CloudWatch and are not in the table).
 */
export interface NotificationRow {
  at: string;
  kind: string;
  subject: string;
  incidentId?: string | undefined;
  system?: string | undefined;
  /** Locally always `sent`; on a stack `sending` while (or if) its publish has not been marked. */
  state: 'sending' | 'sent';
  messageId?: string | undefined;
  /** The text an email got (locally). */
  message?: string | undefined;
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
