import { contactEventDetailSchema } from '../events/connect.ts';
import { outcomeFromDisconnect } from '../domain/outcome.ts';
import { reportOutcome } from './lib/calls.ts';
import { onEvent, type Deps } from './lib/deps.ts';

/**
 * Amazon Connect contact events. CONNECTED_TO_SYSTEM notes the answer (voicemail answers too, so it
 * proves nothing by itself). DISCONNECTED ends a call the flow did not report: no answer, busy,
 * invalid number, or answered and hung up without a digit.
 */
export function contactEventHandler(deps: Deps) {
  return onEvent('contact-event', deps, async (envelope, log) => {
    const detail = contactEventDetailSchema.parse(envelope.detail);
    const contact = await deps.store.findContact(detail.contactId);
    if (!contact) return; // not a call yobidashi placed
    const at = Date.parse(envelope.time);
    if (detail.eventType === 'CONNECTED_TO_SYSTEM') return deps.store.noteConnected(contact.incidentId, contact.attempt, at);
    if (detail.eventType !== 'DISCONNECTED') return;
    // Another reporter (the flow, the check) got there first. Our own earlier try falls through,
    // so a retry after a failed publish reports again.
    if (contact.outcome !== undefined && contact.via !== 'contact-event') return;
    const described = detail.disconnectReason ? undefined : await deps.telephony.describeCall(detail.contactId);
    const reason = detail.disconnectReason ?? (described?.state === 'ended' ? described.disconnectReason : undefined);
    const connected = contact.connectedAt !== undefined || detail.connectedToSystemTimestamp !== undefined;
    const outcome = outcomeFromDisconnect(reason, connected);
    const update = { outcome, endedAt: detail.disconnectTimestamp ? Date.parse(detail.disconnectTimestamp) : at, via: 'contact-event' as const };
    const reported = await reportOutcome(deps, contact, reason ? { ...update, discon_reason: reason } : update);
    log.info('call ended without a keypad result', { contactId: contact.contactId, reason, outcome, reported });
  });
}
