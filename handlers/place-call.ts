import { ownEvent, parseOwnDetail, SCHEMA_VERSION } from '../events/catalog.ts';
import { causes, currentCall, recordCallPlaced, type Incident, type IncidentCall } from '../domain/incident.ts';
import { maskPhone } from '../domain/roster.ts';
import { callAttributes, checkScheduleName, clientToken } from './lib/calls.ts';
import { onEvent, type Deps } from './lib/deps.ts';
import { updateIncident } from './lib/incidents.ts';
import { CallRejectedError, type Logger } from './ports.ts';

/** Escalated: place the call (idempotent by ClientToken), record it, and arm the safety-net check. */
export function placeCallHandler(deps: Deps) {
  return onEvent('place-call', deps, async (envelope, log) => {
    const { incidentId, attempt } = parseOwnDetail('Escalated', envelope.detail);
    const incident = await deps.store.getIncident(incidentId);
    if (!incident) return log.warn('escalation for an unknown incident', { incidentId });
    const call = currentCall(incident, attempt);
    if (call && call.contactId === undefined) {
      const contactId = await dial(deps, incident, call, log);
      if (contactId === undefined) return;
      const now = deps.clock.now();
      await updateIncident(deps, incidentId, causes.placed(attempt), (latest) => recordCallPlaced(latest, attempt, contactId, now));
    } else if (incident.lastCause === causes.placed(attempt)) {
      // A retried delivery after the call was recorded: republish and re-arm (both idempotent).
      await updateIncident(deps, incidentId, causes.placed(attempt), () => ({ changed: false, reason: 'already placed' }));
    } else {
      return log.info('stale escalation ignored', { incidentId, attempt, status: incident.status });
    }
    const placed = (await deps.store.getIncident(incidentId))?.call;
    if (placed?.attempt !== attempt || placed.contactId === undefined || placed.placedAt === undefined) return;
    const check = { schemaVersion: SCHEMA_VERSION, incidentId, attempt, contactId: placed.contactId, check: 1 };
    await deps.scheduler.scheduleOnce(
      checkScheduleName(incidentId, attempt, 1),
      placed.placedAt + deps.settings.checkIntervalMs,
      ownEvent('CallCheckDue', check),
    );
  });
}

/** Starts the call and records the contact; undefined when Connect refused it (reported as failed). */
async function dial(deps: Deps, incident: Incident, call: IncidentCall, log: Logger): Promise<string | undefined> {
  const { incidentId } = incident;
  const responder = incident.roster.responders[call.responderIndex];
  if (!responder) throw new RangeError(`incident ${incidentId} has no responder ${call.responderIndex}`);
  const to = maskPhone(responder.phone);
  try {
    const { contactId } = await deps.telephony.startCall({
      clientToken: clientToken(incidentId, call.attempt),
      destination: responder.phone,
      attributes: callAttributes(incident, call, responder),
    });
    await deps.store.createContact({
      incidentId,
      attempt: call.attempt,
      contactId,
      responderIndex: call.responderIndex,
      responderName: responder.name,
      destination: to,
      placedAt: deps.clock.now(),
      check_flag: false,
    });
    log.info('call placed', { incidentId, attempt: call.attempt, contactId, to });
    return contactId;
  } catch (error) {
    if (!(error instanceof CallRejectedError)) throw error;
    log.warn('Connect refused the call', { incidentId, attempt: call.attempt, to, reason: error.reason });
    await deps.bus.publish([
      ownEvent('CallEnded', {
        schemaVersion: SCHEMA_VERSION,
        incidentId,
        attempt: call.attempt,
        outcome: 'failed',
        via: 'placement',
        disconnectReason: error.reason,
        endedAt: new Date(deps.clock.now()).toISOString(),
      }),
    ]);
    return undefined;
  }
}
