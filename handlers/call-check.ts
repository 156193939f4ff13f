import { ownEvent, parseOwnDetail, type OwnEventDetail } from '../events/catalog.ts';
import { currentCall, isCallOverdue } from '../domain/incident.ts';
import { outcomeFromDisconnect } from '../domain/outcome.ts';
import { checkScheduleName, endEventFor, hasOutcome, reportOutcome } from './lib/calls.ts';
import { onEvent, type Deps } from './lib/deps.ts';

/**
 * CallCheckDue, the safety net: the main path is the call's own end report. Here we catch what it
 * missed: a lost report (republish it), an end nobody reported (ask Connect), or a call that will
 * not end (hang up, CallTimeout). Otherwise look again in 30 s.
 */
export function callCheckHandler(deps: Deps) {
  return onEvent('call-check', deps, async (envelope, log) => {
    const due = parseOwnDetail('CallCheckDue', envelope.detail);
    const incident = await deps.store.getIncident(due.incidentId);
    const call = incident && currentCall(incident, due.attempt);
    if (!call || call.contactId !== due.contactId) return; // the incident has moved on
    const contact = await deps.store.getContact(due.incidentId, due.attempt);
    if (!contact) return log.warn('check for a call with no contact record', { ...due });
    const now = deps.clock.now();
    if (hasOutcome(contact)) {
      // Just ended: its report is most likely on its way. Look again rather than report twice.
      if (now - contact.endedAt < deps.settings.checkIntervalMs) return scheduleNext(deps, due, now);
      log.warn('call ended but the incident never heard; reporting again', { contactId: contact.contactId });
      return deps.bus.publish([endEventFor(contact, deps.settings.callLimitMs)]);
    }
    const state = await deps.telephony.describeCall(due.contactId);
    if (state.state === 'ended') {
      const connected = state.connected || contact.connectedAt !== undefined;
      const update = { outcome: outcomeFromDisconnect(state.disconnectReason, connected), endedAt: state.endedAt ?? now, via: 'reconcile' as const };
      log.warn('call end was missed; reconciled from Connect', { contactId: contact.contactId, reason: state.disconnectReason });
      await reportOutcome(deps, contact, state.disconnectReason ? { ...update, discon_reason: state.disconnectReason } : update);
      return;
    }
    if (state.state === 'unknown') {
      // Connect no longer knows the contact: it is not ringing anyone. Move on rather than wait.
      log.warn('Connect does not know the contact; counting the call as failed', { contactId: contact.contactId });
      await reportOutcome(deps, contact, { outcome: 'failed', endedAt: now, via: 'reconcile', discon_reason: 'CONTACT_NOT_FOUND' });
      return;
    }
    if (isCallOverdue(call, now, deps.settings.callLimitMs)) {
      log.warn('call over its time limit; hanging up', { contactId: contact.contactId });
      await reportOutcome(deps, contact, { outcome: 'timeout', endedAt: now, via: 'timeout' }, () =>
        deps.telephony.stopCall(contact.contactId),
      );
      return;
    }
    await scheduleNext(deps, due, now);
  });
}

async function scheduleNext(deps: Deps, due: OwnEventDetail<'CallCheckDue'>, now: number): Promise<void> {
  const next = { ...due, check: due.check + 1 };
  await deps.scheduler.scheduleOnce(
    checkScheduleName(due.incidentId, due.attempt, next.check),
    now + deps.settings.checkIntervalMs,
    ownEvent('CallCheckDue', next),
  );
}
