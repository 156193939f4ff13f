import type { SilenceScope } from '../events/catalog.ts';
import { nextOccurrence, parseScheduleExpression, ScheduleExpressionError, isScheduleTimeZone, type ScheduleExpression } from './schedule-expression.ts';

/**
 * Silence (静観, "watch quietly"): alerts inside a scope are recorded but call no one until a time.
 * A scope names a system and, optionally, narrows it to one host and/or one service.
 *
 * A silence with a recurrence is a **maintenance window**: it holds only inside its windows. Each
 * window opens at an occurrence of an EventBridge Scheduler `cron(...)` expression read in a time
 * zone (schedule-expression.ts: the same expression means the same instants as it would to
 * Scheduler, daylight saving included) and lasts `durationMinutes` of elapsed time. `from` is when
 * the silence was added (a window already running then holds from that moment to its end) and
 * `until` is when the recurrence ends (NO_END: never). Pure: every instant comes in as an argument.
 */
export interface Silence {
  silenceId: string;
  scope: SilenceScope;
  from: number;
  /** A one-off silence's end; a recurring one's last instant (NO_END when it recurs for ever). */
  until: number;
  createdBy: string;
  reason?: string;
  /** Set when a responder keyed it in during a call for this incident. */
  incidentId?: string;
  /** Present on a maintenance window: when its windows open and how long each lasts. */
  recurrence?: Recurrence;
}

export interface Recurrence {
  /** `cron(minutes hours day-of-month month day-of-week year)`, as EventBridge Scheduler reads it. */
  cron: string;
  /** How long each window lasts, in minutes of elapsed time (a window across a DST change lasts as long as any other). */
  durationMinutes: number;
  /** The IANA zone the cron's wall-clock times are read in, e.g. `Asia/Tokyo`. */
  timezone: string;
}

/** A stretch of time [from, until) in epoch ms. */
export interface Window {
  from: number;
  until: number;
}

/**
 * The `until` of a recurring silence that never ends: the last instant a JavaScript Date can hold
 * (+275760-09-13). Stored as it is (a number like any other); views leave it out.
 */
export const NO_END = 8_640_000_000_000_000;

/** A window lasts at least a minute (cron's resolution) and at most a week. */
export const MIN_WINDOW_MINUTES = 1;
export const MAX_WINDOW_MINUTES = 7 * 24 * 60;
/** How far ahead a recurrence is checked for windows that would run into each other. */
const OVERLAP_HORIZON_MS = 366 * 86_400_000;
const OVERLAP_MAX_WINDOWS = 1000;

export interface AlertCoordinates {
  system: string;
  host: string;
  service: string;
}

function inScope(scope: SilenceScope, alert: AlertCoordinates): boolean {
  return scope.system === alert.system && (scope.host === undefined || scope.host === alert.host) && (scope.service === undefined || scope.service === alert.service);
}

/** Parsed expressions by text: a memo (parsing is pure), so checking a silence per alert does not re-parse. */
const parsed = new Map<string, ScheduleExpression>();
function expressionOf(cron: string): ScheduleExpression {
  let expression = parsed.get(cron);
  if (!expression) {
    expression = parseScheduleExpression(cron);
    if (parsed.size > 1000) parsed.clear();
    parsed.set(cron, expression);
  }
  return expression;
}

/**
 * The first window that has not ended by `atMs` (the one in force at `atMs`, or else the next to
 * open), clipped to the silence's `from` and `until`; undefined when there is none. A one-off
 * silence is one window, [from, until).
 *
 * For a recurrence: a window that opened at s holds at t when s ≤ t < s + duration, so the first
 * window not over at t opens at the first occurrence after t − duration: one `nextOccurrence`.
 */
function firstWindowNotOverAt(silence: Silence, atMs: number): Window | undefined {
  const t = Math.max(atMs, silence.from);
  if (t >= silence.until) return undefined;
  const { recurrence } = silence;
  if (!recurrence) return { from: silence.from, until: silence.until };
  const durationMs = recurrence.durationMinutes * 60_000;
  const opens = nextOccurrence(expressionOf(recurrence.cron), t - durationMs, recurrence.timezone);
  if (opens === undefined) return undefined;
  const window = { from: Math.max(opens, silence.from), until: Math.min(opens + durationMs, silence.until) };
  return window.from < window.until ? window : undefined;
}

/** The window in force at `atMs` (a one-off silence's whole span, a recurring one's current window), if any. */
export function windowAt(silence: Silence, atMs: number): Window | undefined {
  const window = firstWindowNotOverAt(silence, atMs);
  return window && window.from <= atMs ? window : undefined;
}

/** The next window to open strictly after `afterMs` (clipped to `from`/`until`), if any. */
export function nextWindowAfter(silence: Silence, afterMs: number): Window | undefined {
  // Before the silence begins, its first window opens when it begins (or later).
  if (afterMs < silence.from) return firstWindowNotOverAt(silence, silence.from);
  const { recurrence } = silence;
  if (!recurrence) return undefined;
  const opens = nextOccurrence(expressionOf(recurrence.cron), afterMs, recurrence.timezone);
  if (opens === undefined || opens >= silence.until) return undefined;
  return { from: opens, until: Math.min(opens + recurrence.durationMinutes * 60_000, silence.until) };
}

export function silenceCovers(silence: Silence, alert: AlertCoordinates, atMs: number): boolean {
  return inScope(silence.scope, alert) && windowAt(silence, atMs) !== undefined;
}

/**
 * The silence as it holds at `atMs`: a one-off silence as it is, a maintenance window narrowed to
 * its current window (`from`/`until` are the window's, so an incident it silences or suppresses is
 * silenced until the window closes); undefined when it does not hold then.
 */
export function silenceInForce(silence: Silence, atMs: number): Silence | undefined {
  const window = windowAt(silence, atMs);
  if (!window) return undefined;
  return silence.recurrence ? { ...silence, from: window.from, until: window.until } : silence;
}

/**
 * The covering silence that lasts longest, so the suppressed incident names the binding one. A
 * maintenance window is returned narrowed to its current window (silenceInForce).
 */
export function activeSilenceFor(
  silences: readonly Silence[],
  alert: AlertCoordinates,
  atMs: number,
): Silence | undefined {
  let best: Silence | undefined;
  for (const silence of silences) {
    if (!inScope(silence.scope, alert)) continue;
    const held = silenceInForce(silence, atMs);
    if (held && (!best || held.until > best.until)) best = held;
  }
  return best;
}

/** A keypad silence covers exactly the incident's system, host and service; its id is derived so retries write one item. */
export function silenceIdForIncident(incidentId: string): string {
  return `sil-${incidentId}`;
}

export interface RecurrenceProblem {
  field: 'cron' | 'durationMinutes' | 'timezone' | 'until';
  message: string;
}

/**
 * What is wrong with a maintenance window, or undefined: the zone must be a tz-database name, the
 * expression a `cron(...)` (a one-time `at()` is a one-off silence with an end; a `rate()` has no
 * wall-clock anchor to plan maintenance by), the duration whole minutes from 1 to a week and shorter
 * than the time between two windows (checked over the next year, at most 1,000 windows: windows that
 * run into each other would be one endless silence), and a window must open after `nowMs` (and
 * before `until`).
 */
export function recurrenceProblem(recurrence: Recurrence, nowMs: number, until = NO_END): RecurrenceProblem | undefined {
  const { cron, durationMinutes, timezone } = recurrence;
  if (!isScheduleTimeZone(timezone)) return { field: 'timezone', message: `"${timezone}" is not a time zone of the IANA tz database, such as Asia/Tokyo, America/New_York or UTC` };
  let expression: ScheduleExpression;
  try {
    expression = parseScheduleExpression(cron);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) return { field: 'cron', message: error.message };
    throw error;
  }
  if (expression.kind === 'at') return { field: 'cron', message: 'a maintenance window recurs: give cron(...); for one time, add a silence with an end (until) instead of at(...)' };
  if (expression.kind === 'rate') return { field: 'cron', message: 'a maintenance window opens at wall-clock times: give cron(...), not rate(...)' };
  if (!Number.isInteger(durationMinutes) || durationMinutes < MIN_WINDOW_MINUTES || durationMinutes > MAX_WINDOW_MINUTES) {
    return { field: 'durationMinutes', message: `must be whole minutes from ${MIN_WINDOW_MINUTES} to ${MAX_WINDOW_MINUTES} (a week), not ${durationMinutes}` };
  }
  // The first window not over now (one may be open already: it holds from now).
  const first = nextOccurrence(expression, nowMs - durationMinutes * 60_000, timezone);
  if (first === undefined) return { field: 'cron', message: `${cron} opens no window after now (its years are over)` };
  if (first >= until) return { field: 'until', message: `the recurrence ends before its first window opens (${new Date(first).toISOString()})` };
  const gap = shortestGap(expression, timezone, first);
  if (gap && durationMinutes * 60_000 >= gap.ms) {
    return {
      field: 'durationMinutes',
      message: `${durationMinutes} minutes is not shorter than the time between two windows (${gap.ms / 60_000} minutes from ${new Date(gap.from).toISOString()} to ${new Date(gap.to).toISOString()}): the windows would run into each other`,
    };
  }
  return undefined;
}

/** The shortest time between two consecutive occurrences from `firstMs` on, over the next year (at most 1,000). */
function shortestGap(expression: ScheduleExpression, timezone: string, firstMs: number): { ms: number; from: number; to: number } | undefined {
  let shortest: { ms: number; from: number; to: number } | undefined;
  let previous = firstMs;
  for (let i = 0; i < OVERLAP_MAX_WINDOWS; i++) {
    const next = nextOccurrence(expression, previous, timezone);
    if (next === undefined || next - firstMs > OVERLAP_HORIZON_MS) break;
    if (!shortest || next - previous < shortest.ms) shortest = { ms: next - previous, from: previous, to: next };
    previous = next;
  }
  return shortest;
}
