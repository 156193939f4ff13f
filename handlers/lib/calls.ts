import { ownEvent, SCHEMA_VERSION, type OwnEvent } from '../../events/catalog.ts';
import { xmlEscape } from '../../contact-flow/ssml.ts';
import type { Incident, IncidentCall } from '../../domain/incident.ts';
import { alertSpeech, mergedAlertSpeech, wallClockToEpochMs, type SpokenAlert } from '../../domain/message.ts';
import type { Responder } from '../../domain/roster.ts';
import type { ContactRecord, OutcomeUpdate } from '../ports.ts';
import type { BusUses, Settings, StoreUses } from './deps.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Connect ClientToken: one incident attempt is one call, however often the placement is retried. */
export function clientToken(incidentId: string, attempt: number): string {
  return `${incidentId}:${attempt}`;
}

function spokenAlert(incident: Incident): SpokenAlert {
  const occurredAtMs =
    (incident.alert.lastcheck && wallClockToEpochMs(incident.alert.lastcheck, incident.roster.alertTimezone)) || incident.openedAt;
  const spoken: SpokenAlert = { system: incident.system, host: incident.host, service: incident.service, occurredAtMs };
  if (incident.alert.message) spoken.message = incident.alert.message;
  return spoken;
}

/**
 * Contact attributes the flow speaks from ($.Attributes.x); the article's names are kept. A call
 * covering several incidents (a merged call) names the lead incident in the article's fields, speaks
 * all of them (`mergedAlertSpeech` caps the list), and lists them in `covers` (`id:attempt,…`) so
 * the keypad result reaches every one; `count` tells the flow to use its plural wording.
 */
export function callAttributes(
  incident: Incident,
  call: IncidentCall,
  responder: Responder,
  covered: readonly Incident[] = [incident],
  covers: readonly { incidentId: string; attempt: number }[] = [{ incidentId: incident.incidentId, attempt: call.attempt }],
): Record<string, string> {
  const lead = spokenAlert(incident);
  const alerts = covered.length > 0 ? covered.map(spokenAlert) : [lead];
  const message = alerts.length === 1 ? alertSpeech(responder.language, lead, responder.timezone) : mergedAlertSpeech(responder.language, alerts, responder.timezone);
  return {
    incidentId: incident.incidentId,
    attempt: String(call.attempt),
    systemname: incident.system,
    host: incident.host,
    service: incident.service,
    startdate: iso(lead.occurredAtMs),
    language: responder.language,
    message,
    // Connect puts attributes into SSML verbatim; the flow speaks this escaped copy.
    messageSsml: xmlEscape(message),
    count: String(covers.length),
    covers: covers.map((c) => `${c.incidentId}:${c.attempt}`).join(','),
  };
}

/** The incidents a call covers, from its `covers` attribute (absent on a call for one incident). */
export function coveredByAttributes(attributes: Record<string, string>): { incidentId: string; attempt: number }[] {
  return (attributes.covers ?? '')
    .split(',')
    .map((pair) => /^(.+):(\d+)$/.exec(pair.trim()))
    .flatMap((m) => (m?.[1] && m[2] ? [{ incidentId: m[1], attempt: Number(m[2]) }] : []));
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
