import { contactEventDetailSchema } from '../events/connect.ts';
import { outcomeFromDisconnect } from '../domain/outcome.ts';
import { reportOutcome } from './lib/report-outcome.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';
import { releaseLineOf } from './lib/lines.ts';

/**
 * Amazon Connect contact events. CONNECTED_TO_SYSTEM notes the answer (voicemail answers too, so it
 * proves nothing by itself). DISCONNECTED ends a call the flow did not report: no answer, busy,
 * invalid number, or answered and hung up without a digit; for every incident the call covered;
 * and it frees the responder's line.
 */
export function contactEventHandler(deps: DepsFor<'contact-event'>) {
  return onEvent('contact-event', deps, async (envelope, log) => {
    const detail = contactEventDetailSchema.parse(envelope.detail);
    const records = await deps.store.findContacts(detail.contactId);
    if (records.length === 0) return; // not a call yobidashi placed (or not recorded yet: the check will see to it)
    const at = Date.parse(envelope.time);
    if (detail.eventType === 'CONNECTED_TO_SYSTEM') {
      for (const contact of records) await deps.store.noteConnected(contact.incidentId, contact.attempt, at);
      return;
    }
    if (detail.eventType !== 'DISCONNECTED') return;
    const endedAt = detail.disconnectTimestamp ? Date.parse(detail.disconnectTimestamp) : at;
    let described: Awaited<ReturnType<typeof deps.telephony.describeCall>> | undefined;
    for (const contact of records) {
      // Another reporter (the flow, the check) got there first. Our own earlier try falls through,
      // so a retry after a failed publish reports again.
      if (contact.outcome !== undefined && contact.via !== 'contact-event') continue;
      if (!detail.disconnectReason) described ??= await deps.telephony.describeCall(detail.contactId);
      const reason = detail.disconnectReason ?? (described?.state === 'ended' ? described.disconnectReason : undefined);
      const connected = contact.connectedAt !== undefined || detail.connectedToSystemTimestamp !== undefined;
      const outcome = outcomeFromDisconnect(reason, connected);
      const update = { outcome, endedAt, via: 'contact-event' as const };
      const reported = await reportOutcome(deps, contact, reason ? { ...update, discon_reason: reason } : update);
      log.info('call ended without a keypad result', { incidentId: contact.incidentId, contactId: contact.contactId, reason, outcome, reported });
    }
    // The phone is free again: its line rests from now (one call at a time per phone).
    await releaseLineOf(deps, records[0]?.lineId, detail.contactId, endedAt);
  });
}
