import { parseOwnDetail } from '../events/catalog.ts';
import { onEvent, type Deps } from './lib/deps.ts';

/** IncidentResolved while a call was ringing: hang it up, nobody needs to hear it now. */
export function stopCallHandler(deps: Deps) {
  return onEvent('stop-call', deps, async (envelope, log) => {
    const resolved = parseOwnDetail('IncidentResolved', envelope.detail);
    if (!resolved.activeContactId) return;
    await deps.telephony.stopCall(resolved.activeContactId);
    log.info('call stopped: incident resolved', { incidentId: resolved.incidentId, contactId: resolved.activeContactId });
  });
}
