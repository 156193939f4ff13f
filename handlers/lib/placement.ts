import { createHash } from 'node:crypto';
import { ownEvent, SCHEMA_VERSION } from '../../events/catalog.ts';
import { causes, deferPlacement, recordCallPlaced, unplacedCall, type Incident } from '../../domain/incident.ts';
import { isCapacityRefusal, placementRetryDelayMs } from '../../domain/placement.ts';
import { maskPhone } from '../../domain/roster.ts';
import { CallRejectedError, type Logger } from '../ports.ts';
import { callAttributes, clientToken } from './calls.ts';
import { armCheck } from './checks.ts';
import type { Deps } from './deps.ts';
import { PermanentError } from './errors.ts';
import { updateIncident } from './incidents.ts';

export type Placement =
  | { kind: 'placed'; contactId: string }
  | { kind: 'rejected'; reason: string }
  | { kind: 'deferred'; reason: string; retryAt: number }
  | { kind: 'stale' };

/** A stable number in [0, 1) per incident, attempt and try: retries of one delivery agree, incidents spread. */
export function jitterFor(incidentId: string, attempt: number, tries: number): number {
  return createHash('sha256').update(`${incidentId}:${attempt}:${tries}`).digest().readUInt32BE(0) / 2 ** 32;
}

function errorCode(error: unknown): { code: string; status?: number } {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return { code: e.name ?? e.Code ?? 'Error', ...(status !== undefined ? { status } : {}) };
}

/**
 * Places the incident's current call once (Connect's ClientToken makes every retry the same call)
 * and records it. Used by place-call (on Escalated) and by the check (when the call is still
 * unplaced). Connect refusing the *number* ends the attempt as `failed`; Connect refusing for
 * *capacity* (or failing) defers the call: the deferral is recorded on the incident and a check is
 * armed for the retry, so nothing is thrown and nothing is dropped.
 */
export async function placeCurrentCall(deps: Deps, incident: Incident, attempt: number, log: Logger, check = 1): Promise<Placement> {
  const call = unplacedCall(incident);
  if (!call || call.attempt !== attempt) return { kind: 'stale' };
  const { incidentId } = incident;
  const responder = incident.roster.responders[call.responderIndex];
  if (!responder) throw new PermanentError(`incident ${incidentId} has no responder ${call.responderIndex}`);
  const to = maskPhone(responder.phone);
  let contactId: string;
  try {
    ({ contactId } = await deps.telephony.startCall({
      clientToken: clientToken(incidentId, attempt),
      destination: responder.phone,
      attributes: callAttributes(incident, call, responder),
    }));
  } catch (error) {
    if (error instanceof CallRejectedError) {
      log.warn('Connect refused the number', { incidentId, attempt, to, reason: error.reason });
      await deps.bus.publish([
        ownEvent('CallEnded', {
          schemaVersion: SCHEMA_VERSION,
          incidentId,
          attempt,
          outcome: 'failed',
          via: 'placement',
          disconnectReason: error.reason,
          endedAt: new Date(deps.clock.now()).toISOString(),
        }),
      ]);
      return { kind: 'rejected', reason: error.reason };
    }
    return defer(deps, incident, attempt, error, log, check);
  }
  const created = await deps.store.createContact({
    incidentId,
    attempt,
    contactId,
    responderIndex: call.responderIndex,
    responderName: responder.name,
    destination: to,
    placedAt: deps.clock.now(),
    check_flag: false,
  });
  // Not created: a retried placement, or the responder's keypress got there first and recorded the
  // contact itself (flow-result). Either way the stored record stands; we never overwrite it.
  if (!created) log.info('contact already recorded', { incidentId, attempt, contactId });
  else log.info('call placed', { incidentId, attempt, contactId, to });
  const now = deps.clock.now();
  await updateIncident(deps, incidentId, causes.placed(attempt), (latest) => recordCallPlaced(latest, attempt, contactId, now));
  return { kind: 'placed', contactId };
}

async function defer(deps: Deps, incident: Incident, attempt: number, error: unknown, log: Logger, check: number): Promise<Placement> {
  const { code, status } = errorCode(error);
  const now = deps.clock.now();
  const tries = (incident.call?.placementTries ?? 0) + 1;
  const retryAt = now + placementRetryDelayMs(tries, jitterFor(incident.incidentId, attempt, tries));
  const fields = { incidentId: incident.incidentId, attempt, reason: code, tries, retryInMs: retryAt - now };
  // Capacity is expected in a storm; anything else (access denied, a bad flow id) needs a person.
  if (isCapacityRefusal(code, status)) log.warn('Connect turned the call away for now; it will be tried again', fields);
  else log.error('placing the call failed; it will be tried again', { ...fields, error });
  const result = await updateIncident(deps, incident.incidentId, causes.deferred(attempt, tries), (latest) =>
    deferPlacement(latest, attempt, { reason: code, retryAt }, now),
  );
  if (result.kind === 'missing' || result.kind === 'unchanged') return { kind: 'stale' };
  const stored = result.incident.call;
  const at = stored?.attempt === attempt && stored.retryAt !== undefined ? stored.retryAt : retryAt;
  await armCheck(deps, { incidentId: incident.incidentId, attempt, check }, at);
  return { kind: 'deferred', reason: code, retryAt: at };
}
