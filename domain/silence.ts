import type { SilenceScope } from '../events/catalog.ts';

/**
 * Silence (静観, "watch quietly"): alerts inside a scope are recorded but call no one until a time.
 * A scope names a system and, optionally, narrows it to one host and/or one service.
 */
export interface Silence {
  silenceId: string;
  scope: SilenceScope;
  from: number;
  until: number;
  createdBy: string;
  reason?: string;
  /** Set when a responder keyed it in during a call for this incident. */
  incidentId?: string;
}

export interface AlertCoordinates {
  system: string;
  host: string;
  service: string;
}

export function silenceCovers(silence: Silence, alert: AlertCoordinates, atMs: number): boolean {
  const { scope } = silence;
  return (
    atMs >= silence.from &&
    atMs < silence.until &&
    scope.system === alert.system &&
    (scope.host === undefined || scope.host === alert.host) &&
    (scope.service === undefined || scope.service === alert.service)
  );
}

/** The covering silence that lasts longest, so the suppressed incident names the binding one. */
export function activeSilenceFor(
  silences: readonly Silence[],
  alert: AlertCoordinates,
  atMs: number,
): Silence | undefined {
  let best: Silence | undefined;
  for (const silence of silences) {
    if (silenceCovers(silence, alert, atMs) && (!best || silence.until > best.until)) best = silence;
  }
  return best;
}

/** A keypad silence covers exactly the incident's system, host and service; its id is derived so retries write one item. */
export function silenceIdForIncident(incidentId: string): string {
  return `sil-${incidentId}`;
}
