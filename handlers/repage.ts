import { ownEvent, parseOwnDetail, SCHEMA_VERSION } from '../events/catalog.ts';
import { causes } from '../domain/incident.ts';
import { repageDueAt, repageIncident, repageVerdict, rosterNameOf, silenceInsteadOfRepage } from '../domain/repage.ts';
import { onEvent } from './lib/deps.ts';
import { updateIncident } from './lib/incidents.ts';
import type { DepsFor } from './needs.ts';

type Deps = DepsFor<'repage'>;

/**
 * Re-page (roster `repageAfterMinutes`, docs/escalation.md "Re-page"), by choreography:
 *
 * - IncidentAcknowledged: if the incident's roster re-pages, arm a one-time schedule that puts
 *   RepageDue on the bus at the acknowledgement + `repageAfterMinutes`. Named by the incident, the
 *   acknowledged call's attempt and the due second, so a retried (or duplicated) delivery arms the
 *   same schedule; every acknowledgement (a merged call's too: one event per incident) arms its own.
 * - RepageDue: read the incident, its roster as it is now, the group's head and the silences; the
 *   domain decides (domain/repage.ts): nothing (acknowledged again since, resolved, silenced,
 *   exhausted, the setting gone, a newer incident of the group), later (the setting grew: armed
 *   again), silenced (a silence holds over it), or the re-page — the incident opens again and calls
 *   through the usual path (its first check armed before Escalated is announced: updateIncident).
 */
export function repageHandler(deps: Deps) {
  return onEvent('repage', deps, async (envelope, log) => {
    if (envelope['detail-type'] === 'IncidentAcknowledged') {
      const acknowledged = parseOwnDetail('IncidentAcknowledged', envelope.detail);
      const incident = await deps.store.getIncident(acknowledged.incidentId);
      if (!incident) return;
      const dueAt = repageDueAt(incident, acknowledged.attempt, await deps.store.getRoster(rosterNameOf(incident)));
      if (dueAt === undefined) return;
      await armRepage(deps, incident.incidentId, acknowledged.attempt, dueAt);
      log.info('re-page armed', { incidentId: incident.incidentId, attempt: acknowledged.attempt, dueAt: new Date(dueAt).toISOString() });
      return;
    }
    const detail = parseOwnDetail('RepageDue', envelope.detail);
    const due = { attempt: detail.attempt, dueAt: Date.parse(detail.dueAt) };
    const now = deps.clock.now();
    const incident = await deps.store.getIncident(detail.incidentId);
    if (!incident) {
      log.warn('re-page due for an incident that does not exist', { incidentId: detail.incidentId });
      return;
    }
    const [roster, head, silences] = await Promise.all([
      deps.store.getRoster(rosterNameOf(incident)),
      deps.store.getHead(incident.dedupKey),
      deps.store.listSilences(incident.system),
    ]);
    const verdict = repageVerdict(incident, due, { roster, latestOfGroup: head?.incidentId === incident.incidentId, silences }, now);
    if (verdict.kind === 'none') {
      // A duplicated delivery of a re-page already made finds it open: publish its outbox again (updateIncident).
      if (incident.lastCause === causes.repaged(due.attempt)) await updateIncident(deps, incident.incidentId, causes.repaged(due.attempt), () => ({ changed: false, reason: 'repaged already' }));
      log.info('re-page not needed', { incidentId: incident.incidentId, attempt: due.attempt, reason: verdict.reason });
      return;
    }
    if (verdict.kind === 'later') {
      await armRepage(deps, incident.incidentId, due.attempt, verdict.dueAt);
      log.info('re-page moved later (the roster waits longer now)', { incidentId: incident.incidentId, dueAt: new Date(verdict.dueAt).toISOString() });
      return;
    }
    if (verdict.kind === 'silence') {
      const { silence } = verdict;
      const result = await updateIncident(deps, incident.incidentId, causes.silenced(silence.silenceId), (latest) => silenceInsteadOfRepage(latest, due, silence, now));
      log.info('re-page due under a silence: incident silenced', { incidentId: incident.incidentId, silenceId: silence.silenceId, result: result.kind });
      return;
    }
    const result = await updateIncident(deps, incident.incidentId, causes.repaged(due.attempt), (latest) => repageIncident(latest, due, verdict.roster, now));
    log.info('incident re-paged', { incidentId: incident.incidentId, afterAttempt: due.attempt, result: result.kind, count: result.kind === 'changed' ? result.incident.repage?.count : undefined });
  });
}

/** Names allow [0-9a-zA-Z-_.] and 64 characters; incident ids are 16 hex digits and a generation, so ours stay under 50. */
export function repageScheduleName(incidentId: string, attempt: number, dueMs: number): string {
  return `rpg-${incidentId}-${attempt}-${Math.floor(dueMs / 1000)}`.slice(0, 64);
}

/** The schedule is never set in the past (a late delivery): it then fires at once. */
async function armRepage(deps: Deps, incidentId: string, attempt: number, dueAt: number): Promise<void> {
  const event = ownEvent('RepageDue', { schemaVersion: SCHEMA_VERSION, incidentId, attempt, dueAt: new Date(dueAt).toISOString() });
  await deps.scheduler.scheduleOnce(repageScheduleName(incidentId, attempt, dueAt), Math.max(dueAt, deps.clock.now() + 1000), event);
}
