import { parseOwnDetail, type OwnEventDetail } from '../events/catalog.ts';
import { isCallOverdue, isLineWait, type Incident, type IncidentCall } from '../domain/incident.ts';
import { outcomeFromDisconnect } from '../domain/outcome.ts';
import { endEventFor, hasOutcome, reportOutcome } from './lib/report-outcome.ts';
import { armCheck } from './lib/checks.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';
import { releaseLineOf } from './lib/lines.ts';
import { placeCurrentCall } from './lib/placement.ts';
import { BUSY_POLL_MS } from '../domain/line.ts';
import type { Logger } from './ports.ts';

/**
 * CallCheckDue, the safety net: the main path is the call's own end report. Here we catch what it
 * missed: a call never placed (the announcement was lost, place-call failed, Connect was at
 * capacity: place it now), a lost report (republish it), an end nobody reported (ask Connect), or a
 * call that will not end (hang up, CallTimeout). The next check is armed before anything that can
 * fail, so a failing dependency cannot break the chain.
 */
export function callCheckHandler(deps: DepsFor<'call-check'>) {
  return onEvent('call-check', deps, async (envelope, log) => {
    const due = parseOwnDetail('CallCheckDue', envelope.detail);
    const firedAt = Date.parse(envelope.time);
    const incident = await deps.store.getIncident(due.incidentId);
    const call = incident?.status === 'open' ? incident.call : undefined;
    if (!incident || !call || call.attempt !== due.attempt || call.endedAt !== undefined) return; // the incident has moved on
    if (call.contactId === undefined) return placeUnplaced(deps, due, incident, call, firedAt, log);

    const next = { ...due, contactId: call.contactId, check: due.check + 1 };
    delete next.sweep;
    await armCheck(deps, next, firedAt + deps.settings.checkIntervalMs);
    const contact = await deps.store.getContact(due.incidentId, due.attempt);
    if (!contact) return log.warn('check for a call with no contact record', { ...due });
    const now = deps.clock.now();
    if (hasOutcome(contact)) {
      // Just ended: its report is most likely on its way. Look again (armed above) rather than report twice.
      if (now - contact.endedAt < deps.settings.checkIntervalMs) return;
      log.warn('call ended but the incident never heard; reporting again', { contactId: contact.contactId });
      return deps.bus.publish([endEventFor(contact, deps.settings.callLimitMs)]);
    }
    const state = await deps.telephony.describeCall(contact.contactId);
    if (state.state === 'ended') {
      const connected = state.connected || contact.connectedAt !== undefined;
      const update = { outcome: outcomeFromDisconnect(state.disconnectReason, connected), endedAt: state.endedAt ?? now, via: 'reconcile' as const };
      log.warn('call end was missed; reconciled from Connect', { contactId: contact.contactId, reason: state.disconnectReason });
      await reportOutcome(deps, contact, state.disconnectReason ? { ...update, discon_reason: state.disconnectReason } : update);
      await releaseLineOf(deps, contact.lineId, contact.contactId, update.endedAt);
      return;
    }
    if (state.state === 'unknown') {
      // Connect no longer knows the contact: it is not ringing anyone. Move on rather than wait.
      log.warn('Connect does not know the contact; counting the call as failed', { contactId: contact.contactId });
      await reportOutcome(deps, contact, { outcome: 'failed', endedAt: now, via: 'reconcile', discon_reason: 'CONTACT_NOT_FOUND' });
      await releaseLineOf(deps, contact.lineId, contact.contactId, now);
      return;
    }
    if (isCallOverdue(call, now, deps.settings.callLimitMs)) {
      log.warn('call over its time limit; hanging up', { contactId: contact.contactId });
      await reportOutcome(deps, contact, { outcome: 'timeout', endedAt: now, via: 'timeout' }, () => deps.telephony.stopCall(contact.contactId));
      await releaseLineOf(deps, contact.lineId, contact.contactId, now);
    }
  });
}

/**
 * The call was asked for but never placed. If an earlier deferral planned its retry for later, that
 * retry's own check owns it (several chains must not all hammer Connect); otherwise place it now.
 */
async function placeUnplaced(deps: DepsFor<'call-check'>, due: OwnEventDetail<'CallCheckDue'>, incident: Incident, call: IncidentCall, firedAt: number, log: Logger): Promise<void> {
  // Several chains may be pending for one unplaced call: only the one that owns the planned retry
  // hammers Connect. Waiting for the responder's line is different: an early look (the line was
  // released and woke this incident) is welcome.
  if (!due.sweep && !isLineWait(call.deferredReason) && call.retryAt !== undefined && call.retryAt > firedAt + 1000) return;
  if (!call.placementTries) log.warn('the call was never placed; placing it from the check', { incidentId: due.incidentId, attempt: due.attempt });
  const placement = await placeCurrentCall(deps, incident, due.attempt, log, due.check + 1);
  if (placement.kind === 'placed') {
    await armCheck(deps, { incidentId: due.incidentId, attempt: due.attempt, contactId: placement.contactId, check: due.check + 1 }, deps.clock.now() + deps.settings.checkIntervalMs);
  } else if (placement.kind === 'covered') {
    // Another incident's handler is dialling a call that covers this one: look again shortly.
    await armCheck(deps, { incidentId: due.incidentId, attempt: due.attempt, check: due.check + 1 }, deps.clock.now() + BUSY_POLL_MS);
  }
}
