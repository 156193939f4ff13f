import { parseOwnDetail } from '../events/catalog.ts';
import { causes } from '../domain/incident.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';
import { updateIncident } from './lib/incidents.ts';
import { placeCurrentCall } from './lib/placement.ts';

/**
 * Escalated: place the call. Its safety-net check was armed before this event was published, so
 * if this handler never runs, or Connect turns the call away, the check places it later.
 */
export function placeCallHandler(deps: DepsFor<'place-call'>) {
  return onEvent('place-call', deps, async (envelope, log) => {
    const { incidentId, attempt } = parseOwnDetail('Escalated', envelope.detail);
    const incident = await deps.store.getIncident(incidentId);
    if (!incident) return log.warn('escalation for an unknown incident', { incidentId });
    const placement = await placeCurrentCall(deps, incident, attempt, log);
    if (placement.kind !== 'stale') return;
    if (incident.lastCause === causes.placed(attempt)) {
      // A retried delivery after the call was recorded: announce CallPlaced again (idempotent).
      await updateIncident(deps, incidentId, causes.placed(attempt), () => ({ changed: false, reason: 'already placed' }));
      return;
    }
    log.info('stale escalation ignored', { incidentId, attempt, status: incident.status });
  });
}
