import { createHash } from 'node:crypto';
import type { Decision, Incident } from '../../domain/incident.ts';
import { armFirstCheck } from './checks.ts';
import type { BusUses, Deps, SchedulerUses, StoreUses } from './deps.ts';

const MAX_RACES = 8;

/** Incident ids are `<16 hex of the dedup key's hash>-<generation>`: stable, short, and unguessable enough. */
export function incidentIdFor(dedupKey: string, generation: number): string {
  return `${createHash('sha256').update(dedupKey).digest('hex').slice(0, 16)}-${generation}`;
}

/** What publishChange reaches: the first check of a new call (armFirstCheck), then the outbox. */
export type PublishDeps = BusUses<'publish'> & SchedulerUses<'scheduleOnce'> & Pick<Deps, 'clock' | 'settings'>;
/** What updateIncident reaches: the incident's load and conditional save, then publishChange. */
export type IncidentUpdateDeps = StoreUses<'getIncident' | 'saveIncident'> & PublishDeps;

export type UpdateResult =
  | { kind: 'changed'; incident: Incident }
  | { kind: 'republished'; incident: Incident }
  | { kind: 'unchanged'; reason: string }
  | { kind: 'missing' };

/**
 * Load → decide → conditional write on the version → arm → publish. A lost race reloads and
 * decides again. A retried delivery whose change is already stored (same cause) arms and
 * republishes again from the stored outbox, so a crash between write and publish never loses the
 * events that change produced. A change that asks for a new call arms that call's first check
 * before announcing it (`armFirstCheck`).
 */
export async function updateIncident(
  deps: IncidentUpdateDeps,
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
        await publishChange(deps, incident);
        return { kind: 'republished', incident };
      }
      return { kind: 'unchanged', reason: decision.reason };
    }
    if (await deps.store.saveIncident(decision.incident, incident.version)) {
      await publishChange(deps, decision.incident);
      return { kind: 'changed', incident: decision.incident };
    }
  }
  throw new Error(`incident ${incidentId}: gave up after ${MAX_RACES} write races`);
}

/** The side effects of a stored change, in the order that keeps the invariant: arm, then announce. */
export async function publishChange(deps: PublishDeps, incident: Incident): Promise<void> {
  await armFirstCheck(deps, incident);
  await deps.bus.publish(incident.outbox);
}
