import { ownEvent, parseOwnDetail, SCHEMA_VERSION, type OwnEventDetail } from '../events/catalog.ts';
import { causes, silenceIncident } from '../domain/incident.ts';
import { nextWindowAfter, silenceCovers, silenceInForce, type Silence } from '../domain/silence.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';
import { updateIncident } from './lib/incidents.ts';
import type { Logger } from './ports.ts';

type Deps = DepsFor<'apply-silence'>;

/**
 * SilenceAdded (the API, the CLI, or a responder's keypad): every open incident the silence
 * covers is silenced too, so its calling stops at once (stop-call hangs up a ringing call) and
 * its timeline names the silence. New alerts in the scope are suppressed by alert-received as before.
 *
 * A maintenance window (a silence with a recurrence) does the same at each window's start: a
 * one-time schedule puts MaintenanceWindowOpened on the bus when the next window opens; this
 * handler then reads the silence again (removed: the windows stop), silences what it covers for
 * that window, and arms the schedule of the window after. The chain is idempotent: a schedule is
 * named by the silence and the window's start, so a retried delivery arms the same one.
 */
export function applySilenceHandler(deps: Deps) {
  return onEvent('apply-silence', deps, async (envelope, log) => {
    const now = deps.clock.now();
    if (envelope['detail-type'] === 'MaintenanceWindowOpened') {
      const opened = parseOwnDetail('MaintenanceWindowOpened', envelope.detail);
      const silence = (await deps.store.listSilences(opened.system)).find((s) => s.silenceId === opened.silenceId);
      if (!silence?.recurrence) {
        log.info('maintenance window opened for a silence that is gone: its windows stop', { silenceId: opened.silenceId });
        return;
      }
      await silenceOpenIncidents(deps, silence, now, undefined, log);
      await armNextWindow(deps, silence, Math.max(now, Date.parse(opened.opensAt)), log);
      return;
    }
    const added = parseOwnDetail('SilenceAdded', envelope.detail);
    const silence = silenceOf(added);
    await silenceOpenIncidents(deps, silence, now, added.incidentId, log);
    if (silence.recurrence) await armNextWindow(deps, silence, now, log);
  });
}

function silenceOf(added: OwnEventDetail<'SilenceAdded'>): Silence {
  const silence: Silence = { silenceId: added.silenceId, scope: added.scope, from: Date.parse(added.from), until: Date.parse(added.until), createdBy: added.by };
  if (added.cron !== undefined && added.durationMinutes !== undefined && added.timezone !== undefined) {
    silence.recurrence = { cron: added.cron, durationMinutes: added.durationMinutes, timezone: added.timezone };
  }
  return silence;
}

/** Silences every open incident the silence covers now (a window narrowed to its current window). */
async function silenceOpenIncidents(deps: Deps, silence: Silence, now: number, except: string | undefined, log: Logger): Promise<void> {
  const held = silenceInForce(silence, now);
  if (!held) return;
  const covered = (await deps.store.listOpenIncidents()).filter((incident) => incident.incidentId !== except && silenceCovers(held, incident, now));
  for (const incident of covered) {
    const result = await updateIncident(deps, incident.incidentId, causes.silenced(held.silenceId), (latest) => silenceIncident(latest, held, now));
    log.info('open incident silenced', { incidentId: incident.incidentId, silenceId: held.silenceId, until: new Date(held.until).toISOString(), result: result.kind });
  }
}

/**
 * The one-time schedule of the next window's start (names allow [0-9a-zA-Z-_.] and 64 characters;
 * silence ids are `sil-` and 8 hex digits, so ours stay under 30).
 */
export function windowScheduleName(silenceId: string, opensAtMs: number): string {
  return `win-${silenceId}-${Math.floor(opensAtMs / 1000)}`.slice(0, 64);
}

async function armNextWindow(deps: Deps, silence: Silence, afterMs: number, log: Logger): Promise<void> {
  const next = nextWindowAfter(silence, afterMs);
  if (!next) {
    log.info('maintenance window: no window opens after this one', { silenceId: silence.silenceId });
    return;
  }
  const event = ownEvent('MaintenanceWindowOpened', { schemaVersion: SCHEMA_VERSION, silenceId: silence.silenceId, system: silence.scope.system, opensAt: new Date(next.from).toISOString() });
  await deps.scheduler.scheduleOnce(windowScheduleName(silence.silenceId, next.from), next.from, event);
  log.info('maintenance window armed', { silenceId: silence.silenceId, opensAt: new Date(next.from).toISOString() });
}
