import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Incident } from '../../../domain/incident.ts';
import { maskPhone, type Roster } from '../../../domain/roster.ts';
import { isScheduleTimeZone } from '../../../domain/schedule-expression.ts';
import { MAX_SUMMARY_DAYS, summarize, summaryWindow, type Summary } from '../../../domain/summary.ts';
import { coveredByAttributes } from '../../../handlers/lib/call-attributes.ts';
import type { ContactRecord, Store } from '../../../handlers/ports.ts';
import { routeRows } from '../../cli/views.ts';
import type { CallStatus, ConnectSimulator, SimulatedCall } from '../aws/connect/connect-simulator.ts';
import { ApiError, valid } from '../http/request-validation.ts';
import { parseRosterText, RosterFileError } from '../roster-file.ts';
import type { ApiDeps } from './local-api.ts';

/**
 * What the console reads and operates with, beside the local API (docs/console.md): an incident's
 * calls joined with what the simulated phone network heard, the weekly-review summary
 * (domain/summary.ts), importing a roster file as the CLI does, and the routing table.
 */

/** The summary reads at most this many incidents (the newest of the window); beyond, it says `truncated`. */
export const MAX_SUMMARY_INCIDENTS = 5_000;
/** Contact reads of the summary in flight at once (one Query per incident that placed calls). */
const CONTACT_READS_IN_PARALLEL = 16;
/** A roster file larger than this is refused (413) before it is parsed. */
export const MAX_ROSTER_FILE_BYTES = 1024 * 1024;

const idParam = z.object({ id: z.string().min(1) });

const DAYS = /^[1-9][0-9]?$/;
const summaryQuery = z.object({
  days: z
    .string()
    .refine((text) => DAYS.test(text) && Number(text) <= MAX_SUMMARY_DAYS, `must be a whole number of days from 1 to ${MAX_SUMMARY_DAYS}`)
    .transform(Number)
    .default(14),
  timeZone: z
    .string()
    .refine(isScheduleTimeZone, 'must be an IANA time zone as the tz database spells it, such as Asia/Tokyo or UTC')
    .default('UTC'),
});

const importQuery = z.object({
  // The file's name in the messages (`roster.yaml:7: …`), as the CLI names the path it was given.
  name: z.string().min(1).max(255).regex(/^[^\r\n]*$/, 'must be one line').optional(),
});

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const seconds = (from: number | undefined, to: number | undefined) => (from === undefined || to === undefined ? undefined : Math.max(0, to - from) / 1000);

/** The incidents a simulated call covered, with the attempt of each (older calls name only their incident). */
function covered(call: SimulatedCall): { incidentId: string; attempt: number }[] {
  const listed = coveredByAttributes(call.attributes);
  if (listed.length > 0) return listed;
  const { incidentId, attempt } = call.attributes;
  return incidentId && attempt ? [{ incidentId, attempt: Number(attempt) }] : [];
}

/**
 * One row of `GET /incidents/{id}/calls`: the contact record (what the incident knows: responder,
 * masked number, digits, outcome) with the simulated network's view of the call (when it connected
 * and ended, why, and what was said). The full number is never read here: the destination is the
 * record's, masked when it was written, or masked now for a call with no record.
 */
function callRow(attempt: number, record: ContactRecord | undefined, call: SimulatedCall | undefined, status: CallStatus | undefined, responder: string | undefined) {
  const placedAt = record?.placedAt ?? call?.placedAt;
  const connectedAt = status?.connectedAt ?? record?.connectedAt;
  const endedAt = status?.endedAt ?? record?.endedAt;
  const covers = record?.covers ?? (call ? covered(call).map((c) => c.incidentId) : undefined);
  return {
    attempt,
    contactId: record?.contactId ?? call?.contactId,
    responder,
    destination: record?.destination ?? (call ? maskPhone(call.destination) : undefined),
    placedAt: iso(placedAt),
    connectedAt: iso(connectedAt),
    endedAt: iso(endedAt),
    ringSeconds: seconds(placedAt, connectedAt ?? endedAt),
    talkSeconds: connectedAt === undefined ? undefined : seconds(connectedAt, endedAt),
    digits: record?.digits,
    outcome: record?.outcome,
    disconnectReason: status?.reason ?? record?.discon_reason,
    /** Every incident the call covered, this one included (a merged call covers several). */
    covers: covers && covers.length > 1 ? covers : undefined,
    /** False for a merged call that spoke of this incident but is not recorded on it (it had moved on, or the record is being written). */
    recorded: record !== undefined,
    transcript: (status?.transcript ?? []).map((s) => ({ at: iso(s.atMs), endAt: iso(s.endMs), text: s.text, language: s.language, voice: s.voice, interrupted: s.interrupted })),
  };
}
export type IncidentCallRow = ReturnType<typeof callRow>;

/** Runs `work` on every item, at most `parallel` at a time; results in the items' order. */
async function inBatches<T, R>(items: readonly T[], parallel: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}

/**
 * The summary of the window ending today in `timeZone`: the incidents opened in it (the newest
 * MAX_SUMMARY_INCIDENTS, one range read of the recent index) and the contacts of those that placed
 * calls (one partition read each), folded by domain/summary.ts.
 */
export async function loadSummary(store: Pick<Store, 'listIncidentsOpened' | 'listContacts'>, options: { now: number; days: number; timeZone: string; maxIncidents?: number }): Promise<Summary & { truncated?: true }> {
  const { now, days, timeZone } = options;
  const max = options.maxIncidents ?? MAX_SUMMARY_INCIDENTS;
  const { starts, end } = summaryWindow(now, days, timeZone);
  const found = await store.listIncidentsOpened(starts[0] as number, end, max + 1);
  const incidents = found.slice(0, max);
  const calling = incidents.filter((i) => i.attempt > 0);
  const contacts = (await inBatches(calling, CONTACT_READS_IN_PARALLEL, (i) => store.listContacts(i.incidentId))).flat();
  const summary = summarize({ incidents, contacts, now, days, timeZone });
  return found.length > max ? { ...summary, truncated: true } : summary;
}

export function consoleApi(deps: Pick<ApiDeps, 'store' | 'simulator' | 'clock'>): Hono {
  const { store, simulator } = deps;
  const api = new Hono({ strict: false });

  api.get('/incidents/:id/calls', valid('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    const [incident, records] = await Promise.all([store.getIncident(id), store.listContacts(id)]);
    if (!incident) throw new ApiError(404, `incident ${id} not found`);
    return c.json(await incidentCalls(incident, records, simulator, store));
  });

  api.get('/summary', valid('query', summaryQuery), async (c) => {
    const { days, timeZone } = c.req.valid('query');
    return c.json(await loadSummary(store, { now: deps.clock.now(), days, timeZone }));
  });

  api.post(
    '/rosters/import',
    bodyLimit({ maxSize: MAX_ROSTER_FILE_BYTES, onError: (c) => c.json({ message: `(body): a roster file is at most ${MAX_ROSTER_FILE_BYTES} bytes (1 MiB)` }, 413) }),
    valid('query', importQuery),
    async (c) => {
      const { name } = c.req.valid('query');
      let rosters: Roster[];
      try {
        // The CLI's own reader (`yobidashi roster import`): the same messages, line and field.
        rosters = parseRosterText(await c.req.text(), name);
      } catch (error) {
        if (error instanceof RosterFileError) return c.json({ message: error.problems.join('\n'), problems: error.problems }, 400);
        throw error;
      }
      // Only a file whose every roster is valid gets here; each put is idempotent (retry the import).
      for (const roster of rosters) await store.putRoster(roster);
      return c.json({ imported: rosters.map((r) => r.system) });
    },
  );

  api.get('/routes', (c) => c.json(routeRows()));

  return api;
}

/**
 * An incident's calls in attempt order: its contact records, and any simulated call that covered
 * it without a record here (a merged call it had moved on from, or one being recorded right now).
 */
export async function incidentCalls(incident: Incident, records: readonly ContactRecord[], simulator: ConnectSimulator, store: Pick<Store, 'findContacts'>): Promise<IncidentCallRow[]> {
  const id = incident.incidentId;
  const byContact = new Map<string, SimulatedCall>();
  const unrecorded: { call: SimulatedCall; attempt: number }[] = [];
  const recorded = new Set(records.map((r) => r.contactId));
  for (const call of simulator.calls) {
    byContact.set(call.contactId, call);
    const mine = covered(call).find((c) => c.incidentId === id);
    if (mine && !recorded.has(call.contactId)) unrecorded.push({ call, attempt: mine.attempt });
  }
  const rows = records.map((record) => {
    const call = byContact.get(record.contactId);
    return callRow(record.attempt, record, call, call && simulator.status(call), record.responderName);
  });
  for (const { call, attempt } of unrecorded) {
    // Who was rung: another incident's record of the call, else this incident's roster.
    const others = await store.findContacts(call.contactId);
    const responder = others[0]?.responderName ?? incident.roster.responders.find((r) => r.phone === call.destination)?.name;
    rows.push(callRow(attempt, undefined, call, simulator.status(call), responder));
  }
  return rows.sort((a, b) => a.attempt - b.attempt || (a.placedAt ?? '').localeCompare(b.placedAt ?? ''));
}
