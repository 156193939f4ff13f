import { contactFlowEventSchema, flowResultParametersSchema, type FlowResultResponse } from '../events/connect.ts';
import { currentCall } from '../domain/incident.ts';
import { digitsFromFlow } from '../domain/keypad.ts';
import { outcomeFromDigits } from '../domain/outcome.ts';
import { maskPhone } from '../domain/roster.ts';
import { coveredByAttributes } from './lib/call-attributes.ts';
import { reportOutcome } from './lib/report-outcome.ts';
import type { DepsFor } from './needs.ts';
import type { ContactRecord, Logger } from './ports.ts';

/**
 * Invoked by the contact flow (InvokeLambdaFunction, synchronous, within 8 s) with the responder's
 * keypad choice. Accepted only for a contact yobidashi placed for that very incident and attempt: a
 * forged or stale result changes nothing. A merged call's key counts for every incident it covers
 * (its `covers` attribute); one already closed is fenced by its own attempt. Answers the flow with
 * the outcome it should confirm.
 */
export function flowResultHandler(deps: DepsFor<'flow-result'>) {
  return async (event: unknown): Promise<FlowResultResponse> => {
    const flow = contactFlowEventSchema.parse(event);
    const contactId = flow.Details.ContactData.ContactId;
    const log = deps.log.child({ handler: 'flow-result', correlation_id: contactId });
    const params = flowResultParametersSchema.safeParse(flow.Details.Parameters);
    if (!params.success) {
      log.warn('flow result without incident parameters', { issues: params.error.issues.map((i) => i.message) });
      return { status: 'ignored', outcome: '' };
    }
    const { choice, hours, incidentId, attempt } = params.data;
    const digits = digitsFromFlow(choice, hours);
    const { outcome, silenceHours } = outcomeFromDigits(digits);
    // A merged call covers several incidents: the key answers for each (each fenced by its own attempt).
    const listed = coveredByAttributes(flow.Details.ContactData.Attributes);
    const covered = listed.some((c) => c.incidentId === incidentId && c.attempt === attempt) ? listed : [{ incidentId, attempt }];
    let recorded = 0;
    for (const target of covered) {
      const contact = (await deps.store.getContact(target.incidentId, target.attempt)) ?? (await recordEarlyContact(deps, target.incidentId, target.attempt, contactId, log));
      if (!contact || contact.contactId !== contactId) {
        log.warn('flow result for a contact we did not place for that attempt', { ...target, contactId });
        continue;
      }
      const update = { outcome, digits, endedAt: deps.clock.now(), via: 'contact-flow' as const };
      if (await reportOutcome(deps, contact, silenceHours === undefined ? update : { ...update, silenceHours })) recorded++;
    }
    log.info('keypad result', { incidentId, attempt, outcome, incidents: covered.length, recorded });
    if (recorded === 0) return { status: 'ignored', outcome: '' };
    return { status: 'recorded', outcome, ...(silenceHours ? { hours: String(silenceHours) } : {}) };
  };
}

/**
 * A responder who answers and presses a key within a moment of dialling can reach us before
 * place-call has recorded the contact. If the incident is still waiting on exactly that attempt,
 * the contact is recorded here from what Connect tells us (its contact id); the late place-call
 * then finds it and leaves it alone. Any other attempt, or a call already placed under another
 * contact id, is not ours to accept.
 */
async function recordEarlyContact(deps: DepsFor<'flow-result'>, incidentId: string, attempt: number, contactId: string, log: Logger): Promise<ContactRecord | undefined> {
  const incident = await deps.store.getIncident(incidentId);
  const call = incident && currentCall(incident, attempt);
  if (!incident || !call || (call.contactId !== undefined && call.contactId !== contactId)) return undefined;
  const responder = incident.roster.responders[call.responderIndex];
  if (!responder) return undefined;
  const record: ContactRecord = {
    incidentId,
    attempt,
    contactId,
    responderIndex: call.responderIndex,
    responderName: responder.name,
    destination: maskPhone(responder.phone),
    placedAt: call.requestedAt ?? deps.clock.now(),
    check_flag: false,
  };
  if (await deps.store.createContact(record)) {
    log.info('keypad result arrived before the placement was recorded; contact recorded from the flow', { incidentId, attempt, contactId });
    return record;
  }
  return deps.store.getContact(incidentId, attempt);
}
