import { contactFlowEventSchema, flowResultParametersSchema, type FlowResultResponse } from '../events/connect.ts';
import { digitsFromFlow } from '../domain/keypad.ts';
import { outcomeFromDigits } from '../domain/outcome.ts';
import { reportOutcome } from './lib/calls.ts';
import type { Deps } from './lib/deps.ts';

/**
 * Invoked by the contact flow (InvokeLambdaFunction, synchronous, within 8 s) with the responder's
 * keypad choice. Accepted only for a contact yobidashi placed for that very incident and attempt: a
 * forged or stale result changes nothing. Answers the flow with the outcome it should confirm.
 */
export function flowResultHandler(deps: Deps) {
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
    const contact = await deps.store.getContact(incidentId, attempt);
    if (!contact || contact.contactId !== contactId) {
      log.warn('flow result for a contact we did not place for that attempt', { incidentId, attempt, contactId });
      return { status: 'ignored', outcome: '' };
    }
    const digits = digitsFromFlow(choice, hours);
    const { outcome, silenceHours } = outcomeFromDigits(digits);
    const update = { outcome, digits, endedAt: deps.clock.now(), via: 'contact-flow' as const };
    const reported = await reportOutcome(deps, contact, silenceHours === undefined ? update : { ...update, silenceHours });
    log.info('keypad result', { incidentId, attempt, outcome, reported });
    return { status: reported ? 'recorded' : 'ignored', outcome, ...(silenceHours ? { hours: String(silenceHours) } : {}) };
  };
}
