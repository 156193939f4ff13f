import { parseOwnDetail, type CallOutcome } from '../events/catalog.ts';
import { causes, finishCall, handoverTarget, type HandoverLookup } from '../domain/incident.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';
import { updateIncident } from './lib/incidents.ts';

/**
 * The `escalate` route (events/routes.ts): applies a call's outcome. CallEnded / CallTimeout:
 * acknowledged, silenced, the next responder at once, or exhausted.
 */
export function applyOutcomeHandler(deps: DepsFor<'escalate'>) {
  return onEvent('escalate', deps, async (envelope, log) => {
    const timedOut = envelope['detail-type'] === 'CallTimeout';
    const ended = timedOut ? parseOwnDetail('CallTimeout', envelope.detail) : parseOwnDetail('CallEnded', envelope.detail);
    const outcome: CallOutcome = 'outcome' in ended ? ended.outcome : 'timeout';
    const silenceHours = 'silenceHours' in ended ? ended.silenceHours : undefined;
    const finished = silenceHours === undefined ? { attempt: ended.attempt, outcome } : { attempt: ended.attempt, outcome, silenceHours };
    const now = deps.clock.now();
    // A roster with onExhausted hands over when its rounds run out: the roster it names is read
    // now (it may have been imported, or changed, since the incident opened), before deciding.
    const before = await deps.store.getIncident(ended.incidentId);
    const target = before && handoverTarget(before);
    const handover: HandoverLookup | undefined = target && !target.problem ? { roster: target.roster, found: await deps.store.getRoster(target.roster) } : undefined;
    const result = await updateIncident(deps, ended.incidentId, causes.ended(ended.attempt), (incident) =>
      finishCall(incident, finished, now, handover),
    );
    if (result.kind === 'changed' && result.incident.handovers?.length !== before?.handovers?.length) {
      log.warn('rounds ran out; escalating to the next roster', { incidentId: ended.incidentId, roster: result.incident.roster.system });
    }
    log.info('call outcome applied', { incidentId: ended.incidentId, attempt: ended.attempt, outcome, result: result.kind, status: 'incident' in result ? result.incident.status : undefined });
  });
}
