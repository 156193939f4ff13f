import { createHash } from 'node:crypto';
import type { Decision, Incident } from '../../domain/incident.ts';
import type { Deps } from './deps.ts';

const MAX_RACES = 8;

/** Incident ids are `<16 hex of the dedup key's hash>-<generation>`: stable, short, and unguessable enough. */
export function incidentIdFor(dedupKey: string, generation: number): string {
  return `${createHash('sha256').update(dedupKey).digest('hex').slice(0, 16)}-${generation}`;
}

export type UpdateResult =
  | { kind: 'changed'; incident: Incident }
  | { kind: 'republished'; incident: Incident }
  | { kind: 'unchanged'; reason: string }
  | { kind: 'missing' };

/**
 * Load → decide → conditional write on the version → publish. A lost race reloads and decides
 * again. A retried delivery whose change is already stored (same cause) republishes the stored
 * outbox, so a crash between write and publish never loses the events that change produced.
 */
export async function updateIncident(
  deps: Pick<Deps, 'store' | 'bus'>,
  incidentId: string,
  cause: string,
  decide: (incident: Incident) => Decision,
): Promise<UpdateResult> {
  for (let race = 0; race < MAX_RACES; race++) {
    const incident = await deps.store.getIncident(incidentId);
    if (!incident) return { kind: 'missing' };
    const decision = decide(incident);
    if (!decision.changed) {
      if (incident.lastCause === cause) {
        await deps.bus.publish(incident.outbox);
        return { kind: 'republished', incident };
      }
      return { kind: 'unchanged', reason: decision.reason };
    }
    if (await deps.store.saveIncident(decision.incident, incident.version)) {
      await deps.bus.publish(decision.events);
      return { kind: 'changed', incident: decision.incident };
    }
  }
  throw new Error(`incident ${incidentId}: gave up after ${MAX_RACES} write races`);
}
