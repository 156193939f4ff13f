import { ownEvent, SCHEMA_VERSION, type OwnEvent } from '../../events/catalog.ts';
import { xmlEscape } from '../../contact-flow/ssml.ts';
import type { Incident, IncidentCall } from '../../domain/incident.ts';
import { alertSpeech, wallClockToEpochMs } from '../../domain/message.ts';
import type { Responder } from '../../domain/roster.ts';
import type { Bus, ContactRecord, OutcomeUpdate, Store } from '../ports.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Connect ClientToken: one incident attempt is one call, however often the placement is retried. */
export function clientToken(incidentId: string, attempt: number): string {
  return `${incidentId}:${attempt}`;
}

/** Contact attributes the flow speaks from ($.Attributes.x); the article's names are kept. */
export function callAttributes(incident: Incident, call: IncidentCall, responder: Responder): Record<string, string> {
  const occurredAtMs =
    (incident.alert.lastcheck && wallClockToEpochMs(incident.alert.lastcheck, incident.roster.alertTimezone)) ||
    incident.openedAt;
  const spoken: Parameters<typeof alertSpeech>[1] = {
    system: incident.system,
    host: incident.host,
    service: incident.service,
    occurredAtMs,
  };
  if (incident.alert.message) spoken.message = incident.alert.message;
  const message = alertSpeech(responder.language, spoken, responder.timezone);
  return {
    incidentId: incident.incidentId,
    attempt: String(call.attempt),
    systemname: incident.system,
    host: incident.host,
    service: incident.service,
    startdate: iso(occurredAtMs),
    language: responder.language,
    message,
    // Connect puts attributes into SSML verbatim; the flow speaks this escaped copy.
    messageSsml: xmlEscape(message),
  };
}

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
  deps: { store: Store; bus: Bus; settings: { callLimitMs: number } },
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
