import type { CallOutcome } from '../events/catalog.ts';
import { INCIDENT_STATUSES, type IncidentStatus } from './incident.ts';
import { utcMs, wallClockAt, zonedToEpochMs } from './time.ts';

/**
 * The weekly-review summary (`GET /api/summary`, docs/console.md): what happened in the last `days`
 * calendar days of a time zone, from the incidents opened in that window and their calls. Pure: the
 * shell loads the incidents and contact records and passes `now`.
 *
 * - The window is the `days` calendar days ending with today (the date `now` falls on in
 *   `timeZone`), each from its local midnight to the next (DST days are 23 or 25 hours long; a day
 *   whose midnight does not exist starts at its first instant). An incident belongs to the day it
 *   opened on; incidents opened outside the window, and their calls, are ignored.
 * - `days` lists every day of the window, oldest first, empty ones included, with the incidents
 *   opened that day counted by their status now.
 * - `timeToAcknowledge`, per system with at least one acknowledged incident: how long from the
 *   incident opening to the key press that acknowledged it, median and 90th percentile by the
 *   nearest-rank method (`nearestRank`): always a time that was actually observed, never an
 *   interpolation. An incident acknowledged and later resolved counts as acknowledged here.
 * - `callsPerResponder`: each call once (a merged call covering several incidents has one contact
 *   record per incident, one contactId), whether it was answered (connected, or a key was pressed)
 *   and whether it acknowledged (for any incident it covered).
 *
 * Seconds are exact (milliseconds / 1000), not rounded.
 */

export interface SummaryIncident {
  incidentId: string;
  system: string;
  status: IncidentStatus;
  openedAt: number;
  closedAt?: number | undefined;
}

/** What the summary reads of a contact record (handlers/ports.ts ContactRecord has these fields). */
export interface SummaryContact {
  incidentId: string;
  contactId: string;
  responderName: string;
  placedAt: number;
  connectedAt?: number | undefined;
  endedAt?: number | undefined;
  outcome?: CallOutcome | undefined;
}

export interface SummaryInput {
  incidents: readonly SummaryIncident[];
  contacts: readonly SummaryContact[];
  now: number;
  /** 1 to MAX_SUMMARY_DAYS. */
  days: number;
  /** An IANA zone (validated by the caller; an unknown one throws a RangeError). */
  timeZone: string;
}

export type DayCounts = { date: string } & Record<IncidentStatus, number>;

export interface SystemTimeToAcknowledge {
  system: string;
  acknowledged: number;
  medianSeconds: number;
  p90Seconds: number;
}

export interface ResponderCalls {
  responder: string;
  calls: number;
  answered: number;
  acknowledged: number;
}

export interface Summary {
  /** First and last day of the window (YYYY-MM-DD in `timeZone`). */
  from: string;
  to: string;
  timeZone: string;
  days: DayCounts[];
  timeToAcknowledge: SystemTimeToAcknowledge[];
  callsPerResponder: ResponderCalls[];
}

export const MAX_SUMMARY_DAYS = 90;
const DAY_MS = 86_400_000;

/** Outcomes that say somebody (or something) picked up, even when the connection was not noted. */
const ANSWERED_OUTCOMES: ReadonlySet<CallOutcome> = new Set(['acknowledged', 'skipped', 'silenced', 'answered-no-input']);

/**
 * The nearest-rank percentile of ascending `sorted` values: the value at rank ⌈p/100 × n⌉ (1-based),
 * so the median of [a, b] is a and its 90th percentile b; of ten values, the 5th and the 9th.
 * `p` in (0, 100]; `sorted` not empty.
 */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('no values');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/**
 * When an incident was acknowledged: the end of the call on which its acknowledging key was pressed
 * (the contact record's `endedAt`, written when the flow reported the key), else, for an incident
 * still `acknowledged` without such a record, when it closed. Undefined if it never was.
 */
export function acknowledgedAt(incident: Pick<SummaryIncident, 'status' | 'closedAt'>, contacts: readonly Pick<SummaryContact, 'outcome' | 'endedAt'>[]): number | undefined {
  let at: number | undefined;
  for (const c of contacts) if (c.outcome === 'acknowledged' && c.endedAt !== undefined && (at === undefined || c.endedAt < at)) at = c.endedAt;
  if (at === undefined && incident.status === 'acknowledged') at = incident.closedAt;
  return at;
}

/** Seconds from the incident opening to its acknowledgement (never negative), or undefined. */
export function timeToAcknowledgeSeconds(incident: Pick<SummaryIncident, 'status' | 'closedAt' | 'openedAt'>, contacts: readonly Pick<SummaryContact, 'outcome' | 'endedAt'>[]): number | undefined {
  const at = acknowledgedAt(incident, contacts);
  return at === undefined ? undefined : Math.max(0, at - incident.openedAt) / 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The window's days: their dates and the instants they start at, plus the instant the window ends. */
export function summaryWindow(now: number, days: number, timeZone: string): { dates: string[]; starts: number[]; end: number } {
  if (!Number.isInteger(days) || days < 1 || days > MAX_SUMMARY_DAYS) throw new RangeError(`days must be an integer from 1 to ${MAX_SUMMARY_DAYS}`);
  const today = wallClockAt(timeZone, now);
  const todayUtc = utcMs(today.year, today.month, today.day);
  const dates: string[] = [];
  const starts: number[] = [];
  for (let i = days - 1; i >= -1; i--) {
    const d = new Date(todayUtc - i * DAY_MS);
    const [year, month, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    starts.push(zonedToEpochMs(timeZone, year, month, day, 0, 0));
    if (i >= 0) dates.push(`${pad(year, 4)}-${pad(month)}-${pad(day)}`);
  }
  const end = starts.pop() as number;
  return { dates, starts, end };
}

/** Index of the day `at` falls on, or -1 outside the window (binary search over the day starts). */
function dayIndex(starts: readonly number[], end: number, at: number): number {
  if (!(at >= (starts[0] as number) && at < end)) return -1;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function summarize(input: SummaryInput): Summary {
  const { dates, starts, end } = summaryWindow(input.now, input.days, input.timeZone);
  const days: DayCounts[] = dates.map((date) => ({ date, ...(Object.fromEntries(INCIDENT_STATUSES.map((s) => [s, 0])) as Record<IncidentStatus, number>) }));

  const inWindow = new Map<string, SummaryIncident>();
  for (const incident of input.incidents) {
    const day = days[dayIndex(starts, end, incident.openedAt)];
    if (!day || inWindow.has(incident.incidentId)) continue;
    inWindow.set(incident.incidentId, incident);
    day[incident.status]++;
  }

  const contactsOf = new Map<string, SummaryContact[]>();
  for (const c of input.contacts) {
    if (!inWindow.has(c.incidentId)) continue;
    const list = contactsOf.get(c.incidentId);
    if (list) list.push(c);
    else contactsOf.set(c.incidentId, [c]);
  }

  const ackTimes = new Map<string, number[]>();
  for (const incident of inWindow.values()) {
    const seconds = timeToAcknowledgeSeconds(incident, contactsOf.get(incident.incidentId) ?? []);
    if (seconds === undefined) continue;
    const list = ackTimes.get(incident.system);
    if (list) list.push(seconds);
    else ackTimes.set(incident.system, [seconds]);
  }
  const timeToAcknowledge = [...ackTimes]
    .sort(([a], [b]) => byText(a, b))
    .map(([system, seconds]) => {
      const sorted = [...seconds].sort((a, b) => a - b);
      return { system, acknowledged: sorted.length, medianSeconds: nearestRank(sorted, 50), p90Seconds: nearestRank(sorted, 90) };
    });

  // One entry per call: a merged call's records (one per incident it covered) fold into one, named
  // after its earliest record (by placement, then incident id) so the answer does not depend on order.
  const calls = new Map<string, { responder: string; placedAt: number; incidentId: string; answered: boolean; acknowledged: boolean }>();
  for (const records of contactsOf.values()) {
    for (const c of records) {
      const answered = c.connectedAt !== undefined || (c.outcome !== undefined && ANSWERED_OUTCOMES.has(c.outcome));
      const acknowledged = c.outcome === 'acknowledged';
      const seen = calls.get(c.contactId);
      if (!seen) {
        calls.set(c.contactId, { responder: c.responderName, placedAt: c.placedAt, incidentId: c.incidentId, answered, acknowledged });
        continue;
      }
      seen.answered ||= answered;
      seen.acknowledged ||= acknowledged;
      if (c.placedAt < seen.placedAt || (c.placedAt === seen.placedAt && c.incidentId < seen.incidentId)) Object.assign(seen, { responder: c.responderName, placedAt: c.placedAt, incidentId: c.incidentId });
    }
  }
  const perResponder = new Map<string, ResponderCalls>();
  for (const call of calls.values()) {
    let row = perResponder.get(call.responder);
    if (!row) perResponder.set(call.responder, (row = { responder: call.responder, calls: 0, answered: 0, acknowledged: 0 }));
    row.calls++;
    if (call.answered) row.answered++;
    if (call.acknowledged) row.acknowledged++;
  }
  const callsPerResponder = [...perResponder.values()].sort((a, b) => byText(a.responder, b.responder));

  return { from: dates[0] as string, to: dates[dates.length - 1] as string, timeZone: input.timeZone, days, timeToAcknowledge, callsPerResponder };
}
