import { ownEvent, SCHEMA_VERSION } from '../../events/catalog.ts';
import type { Incident } from '../../domain/incident.ts';
import type { Deps, SchedulerUses } from './deps.ts';

/**
 * The safety-net checks (CallCheckDue through EventBridge Scheduler). A check's schedule is named by
 * the incident, the attempt and the second it is due: arming "a check at T" twice (a retried
 * delivery, two handlers racing) is one schedule, while separate chains never collide. Names allow
 * [0-9a-zA-Z-_.] and 64 characters; ours stay under 45.
 */
export function checkScheduleName(incidentId: string, attempt: number, dueMs: number): string {
  return `chk-${incidentId}-${attempt}-${Math.floor(dueMs / 1000)}`.slice(0, 64);
}

export interface CheckSpec {
  incidentId: string;
  attempt: number;
  contactId?: string | undefined;
  /** Position along its chain (1, 2, …): informational, it does not name the schedule. */
  check: number;
}

/**
 * Arms a check due at `dueMs`. The name comes from the intended due time (so retries agree); the
 * schedule itself is never set in the past (a retried delivery may arrive after the due time),
 * so it fires at once instead.
 */
export async function armCheck(deps: SchedulerUses<'scheduleOnce'> & Pick<Deps, 'clock'>, spec: CheckSpec, dueMs: number): Promise<void> {
  const detail = { schemaVersion: SCHEMA_VERSION, incidentId: spec.incidentId, attempt: spec.attempt, check: spec.check, ...(spec.contactId ? { contactId: spec.contactId } : {}) };
  await deps.scheduler.scheduleOnce(
    checkScheduleName(spec.incidentId, spec.attempt, dueMs),
    Math.max(dueMs, deps.clock.now() + 1000),
    ownEvent('CallCheckDue', detail),
  );
}

/**
 * Before a new call is announced (Escalated), its first check is armed: whatever happens to the
 * announcement or the placement, the check finds the call unplaced and places it. This is what
 * keeps the invariant "an open incident always has a live call or a pending check".
 */
export async function armFirstCheck(deps: SchedulerUses<'scheduleOnce'> & Pick<Deps, 'clock' | 'settings'>, incident: Incident): Promise<void> {
  const call = incident.call;
  if (incident.status !== 'open' || !call || call.contactId !== undefined || call.endedAt !== undefined) return;
  const announces = incident.outbox.some((e) => e.detailType === 'Escalated' && e.detail.attempt === call.attempt);
  if (!announces) return;
  const requestedAt = call.requestedAt ?? incident.updatedAt;
  await armCheck(deps, { incidentId: incident.incidentId, attempt: call.attempt, check: 1 }, requestedAt + deps.settings.checkIntervalMs);
}
