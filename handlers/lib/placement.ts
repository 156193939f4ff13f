import { createHash } from 'node:crypto';
import { ownEvent, SCHEMA_VERSION } from '../../events/catalog.ts';
import { causes, deferPlacement, recordCallPlaced, unplacedCall, type Incident, type IncidentCall } from '../../domain/incident.ts';
import {
  abandonClaim,
  claimLine,
  CLAIM_STALE_MS,
  covers,
  decideWait,
  lineState,
  MAX_COVERS,
  recordLinePlaced,
  releaseLine,
  removeWaiting,
  addWaiting,
  waitingInOrder,
  type Covered,
  type LineCall,
} from '../../domain/line.ts';
import { isCapacityRefusal, placementRetryDelayMs } from '../../domain/placement.ts';
import { DEFAULT_MIN_CALL_GAP_SECONDS, maskPhone, type Responder } from '../../domain/roster.ts';
import { CallRejectedError, type Logger } from '../ports.ts';
import { callAttributes } from './call-attributes.ts';
import { armCheck } from './checks.ts';
import type { StoreUses, TelephonyUses } from './deps.ts';
import { PermanentError } from './errors.ts';
import { updateIncident, type IncidentUpdateDeps } from './incidents.ts';
import { lineIdFor, updateLine } from './lines.ts';

export type Placement =
  | { kind: 'placed'; contactId: string }
  | { kind: 'rejected'; reason: string }
  | { kind: 'deferred'; reason: string; retryAt: number }
  /** A call being placed by someone else covers this incident too. */
  | { kind: 'covered' }
  /** Waited on a busy line as long as a phone rings: moved on as if unanswered. */
  | { kind: 'gave-up' }
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

function responderOf(incident: Incident, call: IncidentCall): Responder {
  const responder = incident.roster.responders[call.responderIndex];
  if (!responder) throw new PermanentError(`incident ${incident.incidentId} has no responder ${call.responderIndex}`);
  return responder;
}

const MAX_RACES = 8;

/** Recording a placed call on one incident: its contact record, then the incident (updateIncident). */
type RecordDeps = IncidentUpdateDeps & StoreUses<'createContact'>;
/** Dialling a claimed call: the covered incidents, Connect, the line, and recording or deferring. */
type DialDeps = RecordDeps & StoreUses<'getLine' | 'saveLine'> & TelephonyUses<'startCall'>;
/** Everything a placement reaches; a handler that places calls declares all of it (handlers/needs.ts). */
export type PlacementDeps = DialDeps & TelephonyUses<'describeCall'>;

/**
 * Places the incident's current call through its responder's line (domain/line.ts): one call at a
 * time per phone, a rest between calls, and every incident waiting for the line told in the same
 * call. Used by place-call (on Escalated) and by the check (while the call is unplaced).
 *
 * - line free: claim it for this incident and everything waiting for it, then dial;
 * - line busy or resting: wait on it (recorded on the incident, a check armed for when to look
 *   again); after waiting as long as a phone rings while the line is busy, give up as unanswered;
 * - a call on the line already covers this incident: it is recorded here too once placed.
 *
 * Connect refusing the *number* ends the attempt(s) as `failed`; Connect refusing for *capacity* (or
 * failing) frees the claim and defers the call with backoff: nothing is thrown, nothing dropped.
 */
export async function placeCurrentCall(deps: PlacementDeps, incident: Incident, attempt: number, log: Logger, check = 1): Promise<Placement> {
  const call = unplacedCall(incident);
  if (!call || call.attempt !== attempt) return { kind: 'stale' };
  const { incidentId } = incident;
  const responder = responderOf(incident, call);
  const lineId = lineIdFor(responder.phone);
  const gapMs = (incident.roster.minCallGapSeconds ?? DEFAULT_MIN_CALL_GAP_SECONDS) * 1000;

  for (let race = 0; race < MAX_RACES; race++) {
    const now = deps.clock.now();
    const stored = await deps.store.getLine(lineId);
    const line = stored ?? { lineId, version: 0, seq: 0, waiting: {} };
    const expected = stored?.version ?? 0;

    const active = line.active;
    if (active && covers(active, incidentId, attempt)) {
      if (active.contactId !== undefined) {
        await recordCovered(deps, incident, call, responder, lineId, active, log);
        return { kind: 'placed', contactId: active.contactId };
      }
      const lead = active.covers[0]?.incidentId === incidentId;
      // Our own claim, interrupted (a retried delivery), or one abandoned by its claimer: dial it.
      if (lead || now - active.claimedAt >= CLAIM_STALE_MS) return dialClaim(deps, lineId, active, log, check);
      return { kind: 'covered' };
    }

    const state = lineState(line, now, gapMs, deps.settings.callLimitMs);
    if (state.kind === 'busy' && state.call.contactId !== undefined) {
      // The call's end may not have reached us (contact events are best effort): ask Connect.
      const described = await deps.telephony.describeCall(state.call.contactId);
      if (described.state !== 'active') {
        const endedAt = described.state === 'ended' ? (described.endedAt ?? now) : now;
        await updateLine(deps, lineId, (l) => releaseLine(l, { contactId: state.call.contactId as string }, endedAt));
        continue;
      }
    }
    const mine = line.waiting[incidentId];
    const decision = decideWait(state, mine?.attempt === attempt ? mine.since : now, now);

    if (decision.kind === 'claim') {
      const { eligible, drop } = await eligibleWaiting(deps, line.waiting, lineId, incidentId);
      const covered: Covered[] = [{ incidentId, attempt }, ...eligible].slice(0, MAX_COVERS);
      const claimed = claimLine(line, covered, drop, now);
      if (!(await deps.store.saveLine({ ...claimed, version: expected + 1 }, expected))) continue;
      if (covered.length > 1) log.info('merged call: one call for every incident waiting for this responder', { incidentId, callId: claimed.active?.callId, incidents: covered.length });
      return dialClaim(deps, lineId, claimed.active as LineCall, log, check);
    }

    if (decision.kind === 'give-up') {
      await updateLine(deps, lineId, (l) => removeWaiting(l, [incidentId]));
      log.warn('responder still on another call after a ring time; moving on as if unanswered', { incidentId, attempt });
      await deps.bus.publish([
        ownEvent('CallEnded', {
          schemaVersion: SCHEMA_VERSION,
          incidentId,
          attempt,
          outcome: 'busy',
          via: 'line',
          disconnectReason: 'RESPONDER_ON_CALL',
          endedAt: new Date(now).toISOString(),
        }),
      ]);
      return { kind: 'gave-up' };
    }

    const registered = addWaiting(line, incidentId, attempt, now);
    if (registered !== line && !(await deps.store.saveLine({ ...registered, version: expected + 1 }, expected))) continue;
    return deferFor(deps, incident, attempt, decision.reason, decision.until, log, check);
  }
  throw new Error(`line ${lineId}: gave up after ${MAX_RACES} write races`);
}

/** Waiting entries that still want this line (open, at that attempt, unplaced, same number), oldest first. */
async function eligibleWaiting(deps: StoreUses<'getIncident'>, waiting: Record<string, { attempt: number; since: number }>, lineId: string, except: string): Promise<{ eligible: Covered[]; drop: string[] }> {
  const eligible: Covered[] = [];
  const drop: string[] = [];
  const entries = waitingInOrder({ lineId, version: 0, seq: 0, waiting }, except);
  for (const [id, entry] of entries) {
    if (eligible.length >= MAX_COVERS - 1) break;
    const other = await deps.store.getIncident(id);
    const call = other && unplacedCall(other);
    const phone = other && call ? other.roster.responders[call.responderIndex]?.phone : undefined;
    if (call && call.attempt === entry.attempt && phone !== undefined && lineIdFor(phone) === lineId) eligible.push({ incidentId: id, attempt: entry.attempt });
    else drop.push(id);
  }
  return { eligible, drop };
}

/** Starts the claimed call (ClientToken = the call's id: every retry is the same call) and records it for every incident it covers. */
async function dialClaim(deps: DialDeps, lineId: string, claim: LineCall, log: Logger, check: number): Promise<Placement> {
  // Everything the call covers is spoken (so every retry of the placement is the very same request);
  // only incidents still at the covered attempt get it recorded.
  const spoken: Incident[] = [];
  const current: { incident: Incident; call: IncidentCall }[] = [];
  for (const c of claim.covers) {
    const incident = await deps.store.getIncident(c.incidentId);
    if (!incident) continue;
    spoken.push(incident);
    const call = incident.call;
    if (call && call.attempt === c.attempt) current.push({ incident, call });
  }
  const lead = current[0];
  if (!lead || lead.incident.incidentId !== claim.covers[0]?.incidentId || !unplacedCall(lead.incident)) {
    // The incident that claimed the line has moved on: nobody is rung for this claim; the others wait again.
    await updateLine(deps, lineId, (l) => abandonClaim(l, claim.callId, true));
    return { kind: 'stale' };
  }
  const responder = responderOf(lead.incident, lead.call);
  const to = maskPhone(responder.phone);
  let contactId: string;
  try {
    ({ contactId } = await deps.telephony.startCall({
      clientToken: claim.callId,
      destination: responder.phone,
      attributes: callAttributes(lead.incident, lead.call, responder, spoken, claim.covers),
    }));
  } catch (error) {
    if (error instanceof CallRejectedError) {
      log.warn('Connect refused the number', { incidentId: lead.incident.incidentId, attempt: lead.call.attempt, to, reason: error.reason });
      await updateLine(deps, lineId, (l) => abandonClaim(l, claim.callId, false));
      const endedAt = new Date(deps.clock.now()).toISOString();
      await deps.bus.publish(
        claim.covers.map((c) =>
          ownEvent('CallEnded', { schemaVersion: SCHEMA_VERSION, incidentId: c.incidentId, attempt: c.attempt, outcome: 'failed', via: 'placement', disconnectReason: error.reason, endedAt }),
        ),
      );
      return { kind: 'rejected', reason: error.reason };
    }
    await updateLine(deps, lineId, (l) => abandonClaim(l, claim.callId, true));
    return defer(deps, lead.incident, lead.call.attempt, error, log, check);
  }
  const now = deps.clock.now();
  const placedOnLine = await updateLine(deps, lineId, (l) => recordLinePlaced(l, claim.callId, contactId, now));
  const active = placedOnLine.line.active;
  const placed: LineCall = active?.callId === claim.callId && active.contactId === contactId ? active : { ...claim, contactId, placedAt: now };
  if (!placedOnLine.changed && active?.callId !== claim.callId) log.warn('the line moved on while the call was being placed; recording it anyway', { lineId, callId: claim.callId, contactId });
  for (const { incident, call } of current) await recordCovered(deps, incident, call, responderOf(incident, call), lineId, placed, log);
  log.info('call placed', { incidentId: lead.incident.incidentId, attempt: lead.call.attempt, contactId, to, incidents: claim.covers.length });
  return { kind: 'placed', contactId };
}

/** This incident's record of a call on its responder's line, and the placement on the incident (both idempotent; never overwritten). */
async function recordCovered(deps: RecordDeps, incident: Incident, call: IncidentCall, responder: Responder, lineId: string, placed: LineCall, log: Logger): Promise<void> {
  const contactId = placed.contactId;
  if (contactId === undefined) return;
  const created = await deps.store.createContact({
    incidentId: incident.incidentId,
    attempt: call.attempt,
    contactId,
    responderIndex: call.responderIndex,
    responderName: responder.name,
    destination: maskPhone(responder.phone),
    placedAt: placed.placedAt ?? deps.clock.now(),
    check_flag: false,
    callId: placed.callId,
    lineId,
    covers: placed.covers.map((c) => c.incidentId),
  });
  // Not created: a retried placement, or the responder's keypress got there first and recorded the
  // contact itself (flow-result). Either way the stored record stands.
  if (!created) log.debug('contact already recorded', { incidentId: incident.incidentId, attempt: call.attempt, contactId });
  const now = deps.clock.now();
  await updateIncident(deps, incident.incidentId, causes.placed(call.attempt), (latest) => recordCallPlaced(latest, call.attempt, contactId, now));
}

/** Waiting for the responder's line: recorded on the incident, and a check armed for when to look again. */
async function deferFor(deps: IncidentUpdateDeps, incident: Incident, attempt: number, reason: string, retryAt: number, log: Logger, check: number): Promise<Placement> {
  const now = deps.clock.now();
  log.info('waiting for the responder to be free', { incidentId: incident.incidentId, attempt, reason, retryInMs: retryAt - now });
  const result = await updateIncident(deps, incident.incidentId, causes.deferred(attempt, (incident.call?.placementTries ?? 0) + 1), (latest) =>
    deferPlacement(latest, attempt, { reason, retryAt }, now),
  );
  if (result.kind === 'missing' || result.kind === 'unchanged') return { kind: 'stale' };
  await armCheck(deps, { incidentId: incident.incidentId, attempt, check }, retryAt);
  return { kind: 'deferred', reason, retryAt };
}

async function defer(deps: IncidentUpdateDeps, incident: Incident, attempt: number, error: unknown, log: Logger, check: number): Promise<Placement> {
  const { code, status } = errorCode(error);
  const now = deps.clock.now();
  const latest = (await deps.store.getIncident(incident.incidentId)) ?? incident;
  const tries = (latest.call?.attempt === attempt ? (latest.call.placementTries ?? 0) : 0) + 1;
  const retryAt = now + placementRetryDelayMs(tries, jitterFor(incident.incidentId, attempt, tries));
  const fields = { incidentId: incident.incidentId, attempt, reason: code, tries, retryInMs: retryAt - now };
  // Capacity is expected in a storm; anything else (access denied, a bad flow id) needs a person.
  if (isCapacityRefusal(code, status)) log.warn('Connect turned the call away for now; it will be tried again', fields);
  else log.error('placing the call failed; it will be tried again', { ...fields, error });
  const result = await updateIncident(deps, incident.incidentId, causes.deferred(attempt, tries), (current) => deferPlacement(current, attempt, { reason: code, retryAt }, now));
  if (result.kind === 'missing' || result.kind === 'unchanged') return { kind: 'stale' };
  const stored = result.incident.call;
  const at = stored?.attempt === attempt && stored.retryAt !== undefined ? stored.retryAt : retryAt;
  await armCheck(deps, { incidentId: incident.incidentId, attempt, check }, at);
  return { kind: 'deferred', reason: code, retryAt: at };
}
