import { ownEvent, parseOwnDetail, SCHEMA_VERSION } from '../events/catalog.ts';
import { needsRepair } from '../domain/incident.ts';
import { onEvent } from './lib/deps.ts';
import { armNextWindow, silenceOpenIncidents } from './lib/windows.ts';
import type { DepsFor } from './needs.ts';

/**
 * SweepDue (a recurring EventBridge Scheduler schedule; the same locally): the last line of
 * defence. Any open incident that has sat unchanged past the stale limit gets a check now, which
 * places, reconciles or times out its call as needed; and deliveries that failed every platform
 * retry are handed back to their function while they are recent. Both are logged.
 */
export function sweepHandler(deps: DepsFor<'sweep'>) {
  return onEvent('sweep', deps, async (envelope, log) => {
    parseOwnDetail('SweepDue', envelope.detail);
    const now = deps.clock.now();
    const open = await deps.store.listOpenIncidents();
    const stale = open.filter((incident) => needsRepair(incident, now, deps.settings.staleAfterMs));
    for (const incident of stale) {
      const call = incident.call;
      if (!call) continue;
      log.warn('sweep: open incident had neither a live call nor a pending check; checking it now', {
        incidentId: incident.incidentId,
        attempt: call.attempt,
        placed: call.contactId !== undefined,
        idleMs: now - incident.updatedAt,
      });
      const check = { schemaVersion: SCHEMA_VERSION, incidentId: incident.incidentId, attempt: call.attempt, check: 1, sweep: true, ...(call.contactId ? { contactId: call.contactId } : {}) };
      await deps.bus.publish([ownEvent('CallCheckDue', check)]);
    }
    let windowsRepaired = 0;
    for (const silence of (await deps.store.listAllSilences()).filter((s) => s.recurrence)) {
      const silenced = await silenceOpenIncidents(deps, silence, async () => open, now, undefined, log);
      if (silenced) log.warn('sweep: a maintenance window in force had open incidents it covers (its start was not delivered?); silenced them', { silenceId: silence.silenceId, silenced });
      windowsRepaired += silenced;
      await armNextWindow(deps, silence, now);
    }
    const { redriven, kept } = await deps.failures.redrive({ now, maxAgeMs: deps.settings.redriveMaxAgeMs, limit: 100 });
    if (redriven) log.warn('sweep: failed deliveries handed back to their functions', { redriven });
    if (kept) log.error('sweep: failed deliveries left for a person (too old to redrive, or not a handler delivery)', { kept });
    log.info('sweep done', { repaired: stale.length, windowsRepaired, redriven, kept });
  });
}
