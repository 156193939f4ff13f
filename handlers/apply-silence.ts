import { parseOwnDetail, type OwnEventDetail } from '../events/catalog.ts';
import type { Silence } from '../domain/silence.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';
import { armNextWindow, silenceOpenIncidents } from './lib/windows.ts';
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
      await silenceOpenIncidents(deps, silence, () => deps.store.listOpenIncidents(), now, undefined, log);
      await armNext(deps, silence, Math.max(now, Date.parse(opened.opensAt)), log);
      return;
    }
    const added = parseOwnDetail('SilenceAdded', envelope.detail);
    const silence = silenceOf(added);
    await silenceOpenIncidents(deps, silence, () => deps.store.listOpenIncidents(), now, added.incidentId, log);
    if (silence.recurrence) await armNext(deps, silence, now, log);
  });
}

function silenceOf(added: OwnEventDetail<'SilenceAdded'>): Silence {
  const silence: Silence = { silenceId: added.silenceId, scope: added.scope, from: Date.parse(added.from), until: Date.parse(added.until), createdBy: added.by };
  if (added.cron !== undefined && added.durationMinutes !== undefined && added.timezone !== undefined) {
    silence.recurrence = { cron: added.cron, durationMinutes: added.durationMinutes, timezone: added.timezone };
  }
  return silence;
}

async function armNext(deps: Deps, silence: Silence, afterMs: number, log: Logger): Promise<void> {
  const opensAt = await armNextWindow(deps, silence, afterMs);
  if (opensAt === undefined) log.info('maintenance window: no window opens after this one', { silenceId: silence.silenceId });
  else log.info('maintenance window armed', { silenceId: silence.silenceId, opensAt: new Date(opensAt).toISOString() });
}
