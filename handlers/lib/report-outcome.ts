import { ownEvent, SCHEMA_VERSION, type OwnEvent } from '../../events/catalog.ts';
import type { ContactRecord, OutcomeUpdate } from '../ports.ts';
import type { BusUses, Settings, StoreUses } from './deps.ts';

/**
 * The end of a call: recorded once on its contact (the first reporter wins: the flow's result,
 * Connect's DISCONNECTED, or the safety-net check) and published as CallEnded or CallTimeout.
 */

const iso = (ms: number): string => new Date(ms).toISOString();

/** The event that reports how a stored call ended; used again when the first report was lost. */
export function endEventFor(contact: ContactRecord & Required<Pick<ContactRecord, 'outcome' | 'endedAt'>>, limitMs: number): OwnEvent {
  if (contact.outcome === 'timeout') {
    return ownEvent('CallTimeout', {
      schemaVersion: SCHEMA_VERSION,
      incidentId: contact.incidentId,
      attempt: contact.attempt,
      contactId: contact.contactId,
      placedAt: iso(contact.placedAt),
      timedOutAt: iso(contact.endedAt),
      limitSeconds: Math.round(limitMs / 1000),
    });
  }
  const detail: Parameters<typeof ownEvent<'CallEnded'>>[1] = {
    schemaVersion: SCHEMA_VERSION,
    incidentId: contact.incidentId,
    attempt: contact.attempt,
    contactId: contact.contactId,
    outcome: contact.outcome,
    via: contact.via === 'timeout' || contact.via === undefined ? 'reconcile' : contact.via,
    endedAt: iso(contact.endedAt),
  };
  if (contact.digits !== undefined) detail.digits = contact.digits;
  if (contact.silenceHours !== undefined) detail.silenceHours = contact.silenceHours;
  if (contact.discon_reason !== undefined) detail.disconnectReason = contact.discon_reason;
  return ownEvent('CallEnded', detail);
}

export function hasOutcome(
  contact: ContactRecord | undefined,
): contact is ContactRecord & Required<Pick<ContactRecord, 'outcome' | 'endedAt'>> {
  return contact?.outcome !== undefined && contact.endedAt !== undefined;
}

/**
 * Records how a call ended (first reporter wins) and publishes it. A retry by the same reporter
 * finds its own outcome stored and publishes again, so a crash between the two loses nothing;
 * a different reporter that lost the race stays quiet.
 */
export async function reportOutcome(
  deps: StoreUses<'recordOutcome'> & BusUses<'publish'> & { settings: Pick<Settings, 'callLimitMs'> },
  contact: ContactRecord,
  update: OutcomeUpdate,
  beforePublish?: () => Promise<void>,
): Promise<boolean> {
  const result = await deps.store.recordOutcome(contact.incidentId, contact.attempt, update);
  const stored = result.recorded ? { ...contact, ...update } : result.existing;
  if (!result.recorded && stored?.via !== update.via) return false;
  if (!hasOutcome(stored)) return false;
  await beforePublish?.();
  await deps.bus.publish([endEventFor(stored, deps.settings.callLimitMs)]);
  return true;
}
