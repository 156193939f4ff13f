import { parseAlertReceived, type AlertRejection, type NormalisedAlert } from '../events/alerts.ts';
import { ownEvent, SCHEMA_VERSION } from '../events/catalog.ts';
import type { Envelope } from '../events/envelope.ts';
import { groupingOf, groupKey } from '../domain/grouping.ts';
import { causes, openIncident, resolveIncident, routeAlert, suppressedIncident } from '../domain/incident.ts';
import { FALLBACK_SYSTEM } from '../domain/roster.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';
import { incidentIdFor, publishChange, updateIncident } from './lib/incidents.ts';
import type { AlertRecord, Logger } from './ports.ts';

const MAX_RACES = 8;

/** AlertReceived: validate, group by the roster's group key, check silences, open or join an incident. */
export function alertReceivedHandler(deps: DepsFor<'alert-received'>) {
  return onEvent('alert-received', deps, async (envelope, log) => {
    const { alerts, rejected } = parseAlertReceived(envelope.detail);
    for (const rejection of rejected) await reject(deps, envelope, rejection, log);
    for (const alert of alerts) await admit(deps, envelope, alert, log);
  });
}

async function admit(deps: DepsFor<'alert-received'>, envelope: Envelope, alert: NormalisedAlert, log: Logger): Promise<void> {
  const { store } = deps;
  const alertId = `${envelope.id}:${alert.index}`;
  const now = deps.clock.now();
  const record = (incidentId: string, disposition: AlertRecord['disposition']) =>
    store.recordAlert({ incidentId, alertId, receivedAt: now, source: envelope.source, alert, disposition });
  // The roster that answers for the alert decides its group (and opens the incident): read once.
  const roster = (await store.getRoster(alert.system)) ?? (await store.getRoster(FALLBACK_SYSTEM));
  const grouping = groupingOf(roster);
  const key = groupKey(alert, grouping.groupBy);

  for (let race = 0; race < MAX_RACES; race++) {
    const head = await store.getHead(key);
    const latest = head ? await store.getIncident(head.incidentId) : undefined;
    if (latest && (latest.lastCause === causes.opened(alertId) || latest.lastCause === causes.resolved(alertId))) {
      // This delivery already did its work and crashed after it: finish the record and the publish.
      const opened = latest.lastCause === causes.opened(alertId);
      await record(latest.incidentId, opened ? (latest.status === 'suppressed' ? 'suppressed' : 'opened') : 'resolved');
      await publishChange(deps, latest);
      return;
    }
    const route = routeAlert(latest, alert, await store.listSilences(alert.system), now, grouping);
    log.info('alert routed', { route: route.kind, groupKey: key, incidentId: latest?.incidentId });

    if (route.kind === 'join') return record(route.incident.incidentId, 'joined');
    if (route.kind === 'record') return record(route.incident?.incidentId ?? `unmatched:${key}`, 'unmatched');
    if (route.kind === 'resolve') {
      const result = await updateIncident(deps, route.incident.incidentId, causes.resolved(alertId), (incident) =>
        resolveIncident(incident, alertId, now),
      );
      return record(route.incident.incidentId, result.kind === 'changed' ? 'resolved' : 'unmatched');
    }
    if (route.kind === 'suppress' && route.joinIncident) return record(route.joinIncident.incidentId, 'suppressed');

    // A new incident of the group (also when the live one is past the group window: it keeps calling
    // until it ends, the head moves on). A head claimed by a delivery that crashed before creating
    // its incident is reused.
    const healing = head !== undefined && latest === undefined;
    const generation = healing ? head.generation : (head?.generation ?? 0) + 1;
    const incidentId = healing ? head.incidentId : incidentIdFor(key, generation);
    if (!healing && !(await store.claimHead({ dedupKey: key, generation, incidentId }, head?.generation ?? 0))) continue;
    // The incident carries the group key, and the opening alert's system, host and service for speech.
    const input = { incidentId, alert: { ...alert, dedupKey: key }, alertId, now };
    const created = route.kind === 'suppress' ? suppressedIncident(input, route.silence) : openIncident(input, roster);
    if (!(await store.createIncident(created.incident))) continue;
    await record(incidentId, route.kind === 'suppress' ? 'suppressed' : 'opened');
    if (created.incident.exhaustedReason === 'no-roster') log.error('no roster for system; nobody can be called', { system: alert.system, incidentId });
    await publishChange(deps, created.incident);
    return;
  }
  throw new Error(`alert ${alertId}: gave up after ${MAX_RACES} races on ${key}`);
}

async function reject(deps: DepsFor<'alert-received'>, envelope: Envelope, rejection: AlertRejection, log: Logger): Promise<void> {
  const now = deps.clock.now();
  const input = JSON.stringify(rejection.input ?? null).slice(0, 2048);
  const rejectionId = `${envelope.id}:${rejection.index ?? 'detail'}`;
  log.warn('alert rejected', { reason: rejection.reason, issues: rejection.issues });
  await deps.store.recordRejection({
    rejectionId,
    at: now,
    source: envelope.source,
    sourceEventId: envelope.id,
    reason: rejection.reason,
    issues: rejection.issues,
    input,
  });
  const detail: Parameters<typeof ownEvent<'AlertRejected'>>[1] = {
    schemaVersion: SCHEMA_VERSION,
    reason: rejection.reason,
    issues: rejection.issues,
    sourceEventId: envelope.id,
    source: envelope.source,
    input,
    at: new Date(now).toISOString(),
  };
  if (rejection.index !== undefined) detail.index = rejection.index;
  await deps.bus.publish([ownEvent('AlertRejected', detail)]);
}
