import { xmlEscape } from '../../contact-flow/ssml.ts';
import type { Incident, IncidentCall } from '../../domain/incident.ts';
import { alertSpeech, mergedAlertSpeech, wallClockToEpochMs, type SpokenAlert } from '../../domain/message.ts';
import type { Responder } from '../../domain/roster.ts';

/**
 * What a call carries to Connect: the contact attributes the flow speaks from, and back from the
 * flow, the incidents a call covers. (How the call's end is recorded and reported: report-outcome.ts.)
 */

const iso = (ms: number): string => new Date(ms).toISOString();

function spokenAlert(incident: Incident): SpokenAlert {
  const occurredAtMs =
    (incident.alert.lastcheck && wallClockToEpochMs(incident.alert.lastcheck, incident.roster.alertTimezone)) || incident.openedAt;
  const spoken: SpokenAlert = { system: incident.system, host: incident.host, service: incident.service, occurredAtMs };
  if (incident.alert.message) spoken.message = incident.alert.message;
  // Every call of a re-page says so first (a merged call, naming several incidents, does not).
  if (incident.repage) spoken.repage = { acknowledgedBy: incident.repage.by, acknowledgedAtMs: incident.repage.acknowledgedAt };
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
