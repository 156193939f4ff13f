import { parseOwnDetail } from '../events/catalog.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';

/**
 * IncidentResolved or IncidentSilenced while a call was ringing: hang it up, nobody needs to hear
 * it now — unless it is a merged call that still speaks for another incident waiting on it.
 */
export function stopCallHandler(deps: DepsFor<'stop-call'>) {
  return onEvent('stop-call', deps, async (envelope, log) => {
    const closed = envelope['detail-type'] === 'IncidentSilenced' ? parseOwnDetail('IncidentSilenced', envelope.detail) : parseOwnDetail('IncidentResolved', envelope.detail);
    const contactId = closed.activeContactId;
    if (!contactId) return;
    for (const contact of await deps.store.findContacts(contactId)) {
      if (contact.incidentId === closed.incidentId) continue;
      const other = await deps.store.getIncident(contact.incidentId);
      if (other?.status === 'open' && other.call?.attempt === contact.attempt && other.call.endedAt === undefined) {
        return log.info('call left up: it also speaks for an open incident', { incidentId: closed.incidentId, contactId, for: other.incidentId });
      }
    }
    await deps.telephony.stopCall(contactId);
    log.info('call stopped: its incident no longer needs it', { incidentId: closed.incidentId, contactId, why: envelope['detail-type'] });
  });
}
