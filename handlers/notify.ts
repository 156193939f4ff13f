import { parseOwnDetail } from '../events/catalog.ts';
import type { Incident } from '../domain/incident.ts';
import {
  exhaustedNotification,
  placementFailingNotification,
  placementKeepsFailing,
  rosterExhaustedNotification,
  type Look,
  type Notification,
  type NotifiedCall,
  type NotifiedIncident,
} from '../domain/notification.ts';
import { onEvent, type Deps } from './lib/deps.ts';
import { PermanentError } from './lib/errors.ts';
import type { DepsFor } from './needs.ts';
import type { Logger } from './ports.ts';

/**
 * The `notify` route (events/routes.ts): the on-call process failed, so a person hears it from the
 * notification target — an incident exhausted (nobody answered, or no roster), a roster's rounds
 * run out and its `onExhausted` roster called next, or a call Connect keeps refusing to place.
 *
 * Once per condition (the notification's id), however often its event arrives: a conditional claim
 * in the table before the publish, marked sent after it. A delivery that finds the claim sent does
 * nothing; one that finds it fresh and unsent leaves it to its publisher (whose own retry finishes
 * the job if it died); a claim older than CLAIM_STALE_MS whose publisher died is taken over. At
 * least once, then: the one duplicate possible is a crash after SNS accepted the message and
 * before the mark (docs/escalation.md, "Nobody answered").
 */
export const CLAIM_STALE_MS = 60_000;

export function notifyHandler(deps: DepsFor<'notify'>) {
  return onEvent('notify', deps, async (envelope, log) => {
    const now = deps.clock.now();
    const look: Look = { cli: deps.settings.cli ?? 'npx yobidashi' };
    const type = envelope['detail-type'];
    let notification: Notification | undefined;
    if (type === 'IncidentExhausted') {
      const detail = parseOwnDetail('IncidentExhausted', envelope.detail);
      const incident = await incidentOf(deps, detail.incidentId);
      notification = exhaustedNotification({ incident: notified(incident), calls: await callsOf(deps, incident), exhausted: detail, look, at: Date.parse(detail.at) || now });
    } else if (type === 'RosterExhausted') {
      const detail = parseOwnDetail('RosterExhausted', envelope.detail);
      const incident = await incidentOf(deps, detail.incidentId);
      // The calls up to the hand-over: the next roster's have not been made yet, or are not news here.
      const calls = (await callsOf(deps, incident)).filter((c) => c.attempt <= detail.callsPlaced);
      notification = rosterExhaustedNotification({ incident: notified(incident), calls, exhausted: detail, look, at: Date.parse(detail.at) || now });
    } else if (type === 'CallDeferred') {
      const detail = parseOwnDetail('CallDeferred', envelope.detail);
      const incident = await incidentOf(deps, detail.incidentId);
      const call = incident.call;
      // Only while it is still so: placed since, moved on, or the incident closed, it is not news any more.
      if (incident.status !== 'open' || call?.attempt !== detail.attempt || !placementKeepsFailing(call)) {
        log.debug('placement no longer failing; nothing to tell', { incidentId: detail.incidentId, attempt: detail.attempt });
        return;
      }
      notification = placementFailingNotification({
        incident: notified(incident),
        call: {
          attempt: call.attempt,
          responder: detail.responder.name,
          reason: call.deferredReason ?? detail.reason,
          tries: call.placementTries ?? detail.tries,
          since: call.requestedAt ?? incident.openedAt,
          ...(call.retryAt !== undefined ? { retryAt: call.retryAt } : {}),
        },
        look,
        at: now,
      });
    } else {
      throw new PermanentError(`notify does not handle ${type}`);
    }
    await sendOnce(deps, notification, now, log);
  });
}

async function incidentOf(deps: Pick<DepsFor<'notify'>, 'store'>, incidentId: string): Promise<Incident> {
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) throw new PermanentError(`incident ${incidentId} not found`);
  return incident;
}

function notified(incident: Incident): NotifiedIncident {
  return {
    incidentId: incident.incidentId,
    system: incident.system,
    host: incident.host,
    service: incident.service,
    openedAt: incident.openedAt,
    alert: incident.alert,
    timeZone: incident.roster.alertTimezone || 'UTC',
  };
}

/** Who was called, by name (contact records keep names and masked numbers only). */
async function callsOf(deps: Pick<DepsFor<'notify'>, 'store'>, incident: Incident): Promise<NotifiedCall[]> {
  const contacts = await deps.store.listContacts(incident.incidentId);
  return contacts.map((c) => ({ attempt: c.attempt, responder: c.responderName, placedAt: c.placedAt, ...(c.outcome ? { outcome: c.outcome } : {}) }));
}

async function sendOnce(deps: Pick<DepsFor<'notify'>, 'store' | 'notifier'> & Pick<Deps, 'metrics'>, notification: Notification, now: number, log: Logger): Promise<void> {
  const { notificationId, kind, subject } = notification;
  const claim = await deps.store.claimNotification(
    { notificationId, kind, subject, claimedAt: now, ...(notification.incidentId ? { incidentId: notification.incidentId } : {}), ...(notification.system ? { system: notification.system } : {}) },
    now - CLAIM_STALE_MS,
  );
  if (claim !== 'claimed') {
    log.info(claim === 'sent' ? 'notification already sent' : 'notification being sent by another delivery', { notificationId });
    return;
  }
  const { messageId } = await deps.notifier.notify(notification);
  await deps.store.markNotificationSent(notificationId, now, messageId);
  deps.metrics?.record([{ name: 'NotificationsSent', value: 1, dimensions: {} }]);
  log.warn('notification sent', { notificationId, kind, messageId, incidentId: notification.incidentId });
}
