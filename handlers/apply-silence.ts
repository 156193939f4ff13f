import { parseOwnDetail } from '../events/catalog.ts';
import { causes, silenceIncident } from '../domain/incident.ts';
import { silenceCovers, type Silence } from '../domain/silence.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';
import { updateIncident } from './lib/incidents.ts';

/**
 * SilenceAdded (the API, the CLI, or a responder's keypad): every open incident the silence
 * covers is silenced too, so its calling stops at once (stop-call hangs up a ringing call) and
 * its timeline names the silence. New alerts in the scope are suppressed by alert-received as before.
 */
export function applySilenceHandler(deps: DepsFor<'apply-silence'>) {
  return onEvent('apply-silence', deps, async (envelope, log) => {
    const added = parseOwnDetail('SilenceAdded', envelope.detail);
    const silence: Silence = { silenceId: added.silenceId, scope: added.scope, from: Date.parse(added.from), until: Date.parse(added.until), createdBy: added.by };
    const now = deps.clock.now();
    const covered = (await deps.store.listOpenIncidents()).filter((incident) => incident.incidentId !== added.incidentId && silenceCovers(silence, incident, now));
    for (const incident of covered) {
      const result = await updateIncident(deps, incident.incidentId, causes.silenced(silence.silenceId), (latest) => silenceIncident(latest, silence, now));
      log.info('open incident silenced', { incidentId: incident.incidentId, silenceId: silence.silenceId, result: result.kind });
    }
  });
}
