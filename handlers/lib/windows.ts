import { ownEvent, SCHEMA_VERSION } from '../../events/catalog.ts';
import type { Incident } from '../../domain/incident.ts';
import { causes, silenceIncident } from '../../domain/incident.ts';
import { nextWindowAfter, silenceCovers, silenceInForce, type Silence } from '../../domain/silence.ts';
import type { Logger } from '../ports.ts';
import type { SchedulerUses } from './deps.ts';
import { updateIncident, type IncidentUpdateDeps } from './incidents.ts';

/**
 * Maintenance windows' two effects beyond suppressing alerts (docs/escalation.md): at a window's
 * start the open incidents it covers are silenced, and the next start is armed. apply-silence does
 * both when a window opens; the sweep does both again for every window, so a start that Scheduler
 * failed to deliver is repaired within one sweep (both are idempotent).
 */

/**
 * The one-time schedule of the next window's start (names allow [0-9a-zA-Z-_.] and 64 characters;
 * silence ids are `sil-` and 8 hex digits, so ours stay under 30).
 */
export function windowScheduleName(silenceId: string, opensAtMs: number): string {
  return `win-${silenceId}-${Math.floor(opensAtMs / 1000)}`.slice(0, 64);
}

/** Silences every open incident the silence covers now (a window narrowed to its current window); how many. The open incidents are read only if it is in force. */
export async function silenceOpenIncidents(deps: IncidentUpdateDeps, silence: Silence, open: () => Promise<readonly Incident[]>, now: number, except: string | undefined, log: Logger): Promise<number> {
  const held = silenceInForce(silence, now);
  if (!held) return 0;
  const covered = (await open()).filter((incident) => incident.incidentId !== except && silenceCovers(held, incident, now));
  for (const incident of covered) {
    const result = await updateIncident(deps, incident.incidentId, causes.silenced(held.silenceId), (latest) => silenceIncident(latest, held, now));
    log.info('open incident silenced', { incidentId: incident.incidentId, silenceId: held.silenceId, until: new Date(held.until).toISOString(), result: result.kind });
  }
  return covered.length;
}

/** Arms the schedule of the first window opening after `afterMs` (a no-op when it is armed already); its start, if any. */
export async function armNextWindow(deps: SchedulerUses<'scheduleOnce'>, silence: Silence, afterMs: number): Promise<number | undefined> {
  const next = nextWindowAfter(silence, afterMs);
  if (!next) return undefined;
  const event = ownEvent('MaintenanceWindowOpened', { schemaVersion: SCHEMA_VERSION, silenceId: silence.silenceId, system: silence.scope.system, opensAt: new Date(next.from).toISOString() });
  await deps.scheduler.scheduleOnce(windowScheduleName(silence.silenceId, next.from), next.from, event);
  return next.from;
}
