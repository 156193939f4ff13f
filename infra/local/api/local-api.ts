import { Hono } from 'hono';
import { z } from 'zod';
import { MAX_RESPONDERS, responderSchema, rosterProblems, rosterSchema } from '../../../domain/roster.ts';
import type { Clock, Store } from '../../../handlers/ports.ts';
import { incidentDetail, incidentSummary, newSilence, silenceAdded, silenceView } from '../../cli/views.ts';
import type { ConnectSimulator, PhoneBehaviour, SimulatedCall } from '../aws/connect/connect-simulator.ts';
import type { EventBridgeCore } from '../aws/eventbridge/event-bridge-core.ts';
import { rosterText } from '../roster-file.ts';
import { heartbeatNameSchema, heartbeatSystemSchema } from '../../../events/heartbeats.ts';
import type { Monitor } from '../../../domain/heartbeat.ts';
import { changeMonitor, monitorChanged, monitorRowOf, type MonitorChange } from '../../cli/monitors.ts';
import { faultSpecSchema, type FaultBook } from '../aws/faults/fault-book.ts';
import { ApiError, jsonBody, valid } from '../http/request-validation.ts';
import { padded, page, pageQuery, type Listing, type PageQuery } from './pagination.ts';

/**
 * The local API (JSON, under /api), one route a line below: script phones, read calls and
 * incidents, manage rosters and silences, list rejections and dead letters, inject faults. Bad
 * requests get 400 with a message naming the field; listings page (pagination.ts).
 */

export { ApiError };

export interface ApiDeps {
  store: Store;
  simulator: ConnectSimulator;
  emulator: EventBridgeCore;
  faults: FaultBook;
  clock: Clock;
  timeScale: number;
}

const E164 = /^\+[1-9]\d{6,14}$/;

const phoneParam = z.object({
  phone: z.string().superRefine((phone, ctx) => {
    if (!E164.test(phone)) ctx.addIssue({ code: 'custom', message: `"${phone}" is not an E.164 number such as +819012345678` });
  }),
});
const systemParam = z.object({ system: rosterSchema.shape.system });
const idParam = z.object({ id: z.string().min(1) });
const rosterFormat = z.object({ format: z.enum(['json', 'yaml'], { message: 'must be json or yaml' }).optional() });
const monitorParam = z.object({ system: heartbeatSystemSchema, name: heartbeatNameSchema });
const redriveSchema = z.object({ id: z.string().min(1).optional() }).strict();

const phoneSchema = z
  .object({
    answer: z.boolean().optional(),
    afterSeconds: z.number().min(0).max(600).optional(),
    digits: z.string().regex(/^[0-9*#]*$/, 'may hold only 0-9, * and #').max(20).optional(),
    pressAfterSeconds: z.number().min(0).max(600).optional(),
    hangUpAfterSeconds: z.number().min(0).max(3600).optional(),
    stuck: z.boolean().optional(),
    busy: z.literal(true).optional(),
    invalid: z.literal(true).optional(),
    refused: z.literal(true).optional(),
  })
  .strict();

/** A silence lasts at most a year, however it is given (hours or until). */
const MAX_SILENCE_HOURS = 24 * 365;

const silenceSchema = z
  .object({
    // The scope's names become table keys: bounded like the alert fields they match.
    system: z.string().trim().min(1).max(256),
    host: z.string().trim().min(1).max(256).optional(),
    service: z.string().trim().min(1).max(256).optional(),
    hours: z.number().positive().max(MAX_SILENCE_HOURS).optional(),
    // A one-off silence's end, capped a year from now (as hours are) against the runtime's clock;
    // with cron, the end of the recurrence, uncapped (newSilence).
    until: z.string().datetime({ offset: true }).optional(),
    reason: z.string().max(500).optional(),
    createdBy: z.string().max(100).optional(),
    // A maintenance window: all three together (newSilence says which is missing, and what is wrong
    // with the cron, the zone or the duration, in the same words on both back ends).
    cron: z.string().max(256).optional(),
    durationMinutes: z.number().optional(),
    timezone: z.string().max(64).optional(),
  })
  .strict()
  .refine((s) => s.hours === undefined || s.until === undefined, { message: 'give hours or until, not both', path: ['until'] });

/** A roster as a request body: every field the roster file knows, and nothing else (a misspelt setting is refused, not dropped). */
const rosterBody = rosterSchema
  .extend({ system: rosterSchema.shape.system.optional(), responders: z.array(responderSchema.strict()).min(1, 'a roster needs at least one responder').max(MAX_RESPONDERS) })
  .strict();

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The answer to a listing: the page as an array, and where the next one is when there is one. */
function listed<T>(c: { req: { path: string }; header: (name: string, value: string) => void }, query: PageQuery, result: { items: T[]; nextToken?: string }): T[] {
  if (result.nextToken !== undefined) {
    const limit = query.limit ?? result.items.length;
    c.header('X-Next-Token', result.nextToken);
    c.header('Link', `<${c.req.path}?limit=${limit}&nextToken=${result.nextToken}>; rel="next"`);
  }
  return result.items;
}

export function localApi(deps: ApiDeps): Hono {
  const { store, simulator, emulator } = deps;

  async function callView(call: SimulatedCall) {
    const status = simulator.status(call);
    const record = await store.findContact(call.contactId);
    return {
      contactId: call.contactId,
      destination: call.destination,
      incidentId: call.attributes.incidentId,
      attempt: Number(call.attributes.attempt),
      startedAt: iso(call.placedAt),
      connectedAt: iso(status.connectedAt),
      endedAt: iso(status.endedAt),
      disconnectReason: status.reason,
      digits: record?.digits,
      outcome: record?.outcome,
      transcript: status.transcript.map((s) => ({ at: iso(s.atMs), text: s.text, language: s.language, voice: s.voice, interrupted: s.interrupted })),
    };
  }

  const listings = {
    calls: { name: 'calls', first: (n) => simulator.calls.slice(0, n), key: (_call, i) => padded(i) } satisfies Listing<SimulatedCall>,
    incidents: {
      name: 'incidents',
      descending: true,
      first: (n) => store.listIncidents(n),
      key: (incident) => `${padded(incident.openedAt)}|${incident.incidentId.toLowerCase()}`,
    } satisfies Listing<Awaited<ReturnType<Store['listIncidents']>>[number]>,
    rejections: {
      name: 'rejections',
      descending: true,
      first: (n) => store.listRejections(n),
      key: (rejection) => `${padded(rejection.at)}|${rejection.rejectionId.toLowerCase()}`,
    } satisfies Listing<Awaited<ReturnType<Store['listRejections']>>[number]>,
    deadLetters: { name: 'dead-letters', first: (n) => emulator.deadLetters.slice(0, n), key: (letter) => `${letter.failedAt}|${letter.id}` } satisfies Listing<(typeof emulator.deadLetters)[number]>,
  };

  const api = new Hono({ strict: false });
  api.get('/health', (c) => c.json({ ok: true, now: iso(deps.clock.now()), timeScale: deps.timeScale }));

  // Phones of the Connect simulator
  api.put('/phones/:phone', valid('param', phoneParam), jsonBody, valid('json', phoneSchema), (c) => {
    const { phone } = c.req.valid('param');
    const p = c.req.valid('json');
    let behaviour: PhoneBehaviour;
    if (p.busy) behaviour = { busy: true };
    else if (p.invalid) behaviour = { invalid: true };
    else if (p.refused) behaviour = { refused: true };
    else if (p.answer === true) {
      behaviour = { answer: true };
      if (p.afterSeconds !== undefined) behaviour.afterSeconds = p.afterSeconds;
      if (p.digits !== undefined) behaviour.digits = p.digits;
      if (p.pressAfterSeconds !== undefined) behaviour.pressAfterSeconds = p.pressAfterSeconds;
      if (p.hangUpAfterSeconds !== undefined) behaviour.hangUpAfterSeconds = p.hangUpAfterSeconds;
      if (p.stuck !== undefined) behaviour.stuck = p.stuck;
    } else if (p.answer === false) behaviour = { answer: false };
    else throw new ApiError(400, 'answer: say whether the phone answers (or set busy, invalid or refused)');
    simulator.setPhone(phone, behaviour);
    return c.json({ phone, behaviour });
  });
  api.get('/phones', (c) => c.json(simulator.phoneList()));
  api.get('/calls', valid('query', pageQuery), async (c) => {
    const query = c.req.valid('query');
    return c.json(await Promise.all(listed(c, query, await page(listings.calls, query)).map(callView)));
  });

  // Incidents
  api.get('/incidents', valid('query', pageQuery), async (c) => {
    const query = c.req.valid('query');
    return c.json(listed(c, query, await page(listings.incidents, query)).map(incidentSummary));
  });
  api.get('/incidents/:id', valid('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    const timeline = await store.timeline(id);
    const { incident } = timeline;
    if (!incident) throw new ApiError(404, `incident ${id} not found`);
    return c.json(incidentDetail({ ...timeline, incident }));
  });

  // Rosters
  api.put('/rosters/:system', valid('param', systemParam), jsonBody, valid('json', rosterBody), async (c) => {
    const { system } = c.req.valid('param');
    const body = c.req.valid('json');
    // The system is the path's; a body may repeat it (the CLI sends whole rosters), not contradict it.
    if (body.system !== undefined && body.system !== system) throw new ApiError(400, `system: "${body.system}" does not match the path's "${system}"`);
    const roster = { ...body, system };
    // What no single field can say (a roster handing over to itself): the roster file's check too.
    const problems = rosterProblems(roster);
    if (problems.length) throw new ApiError(400, problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; '));
    await store.putRoster(roster);
    return c.json(roster);
  });
  api.get('/rosters', async (c) => c.json(await store.listRosters()));
  api.get('/rosters/:system', valid('param', systemParam), valid('query', rosterFormat), async (c) => {
    const { system } = c.req.valid('param');
    const roster = await store.getRoster(system);
    if (!roster) throw new ApiError(404, `no roster for system ${system}`);
    // As a roster file, to edit and import again (POST /rosters/import, console-api.ts).
    if (c.req.valid('query').format === 'yaml') return c.body(rosterText(roster), 200, { 'content-type': 'text/yaml; charset=utf-8' });
    return c.json(roster);
  });

  // Silences
  api.get('/silences', async (c) => {
    const now = deps.clock.now();
    return c.json((await store.listAllSilences()).map((s) => silenceView(s, now)));
  });
  api.post('/silences', jsonBody, valid('json', silenceSchema), async (c) => {
    const now = deps.clock.now();
    const silence = newSilence(c.req.valid('json'), now, `sil-${crypto.randomUUID().slice(0, 8)}`);
    if ('problem' in silence) throw new ApiError(400, silence.problem);
    await store.putSilence(silence);
    // Announce it: open incidents it covers stop calling at once (apply-silence), as on AWS.
    const [put] = await emulator.putEvents([{ EventBusName: 'yobidashi', Source: 'yobidashi', DetailType: 'SilenceAdded', Detail: JSON.stringify(silenceAdded(silence)) }]);
    if (!put || 'ErrorCode' in put) throw new ApiError(503, `the silence is stored but could not be announced (${put && 'ErrorCode' in put ? put.ErrorCode : 'no answer'}); open incidents it covers keep calling until it is added again`);
    return c.json(silenceView(silence, now), 201);
  });
  api.delete('/silences/:id', valid('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    const found = (await store.listAllSilences()).find((s) => s.silenceId === id);
    if (!found || !(await store.deleteSilence(found.scope.system, found.silenceId))) throw new ApiError(404, `silence ${id} not found`);
    return c.body(null, 204);
  });

  // Heartbeat monitors (docs/heartbeats.md): a change is written, then announced (HeartbeatChanged),
  // on which the heartbeat handler moves or deletes the monitor's schedule, as on AWS.
  api.get('/heartbeats', async (c) => c.json(await Promise.all((await store.listMonitors()).map((m) => monitorRowOf(store, m)))));
  api.get('/heartbeats/:system/:name', valid('param', monitorParam), async (c) => {
    const { system, name } = c.req.valid('param');
    const monitor = await store.getMonitor(system, name);
    if (!monitor) throw new ApiError(404, `no heartbeat monitor ${name} of system ${system}`);
    return c.json(await monitorRowOf(store, monitor));
  });
  const change = async (system: string, name: string, what: MonitorChange, by: string) => {
    const now = deps.clock.now();
    const result = await changeMonitor(store, system, name, what, now, by);
    if (!result) throw new ApiError(404, `no heartbeat monitor ${name} of system ${system}`);
    const [put] = await emulator.putEvents([{ EventBusName: 'yobidashi', Source: 'yobidashi', DetailType: 'HeartbeatChanged', Detail: JSON.stringify(monitorChanged(system, name, what, by, now)) }]);
    if (!put || 'ErrorCode' in put) throw new ApiError(503, `the monitor is ${what} but that could not be announced (${put && 'ErrorCode' in put ? put.ErrorCode : 'no answer'}); its schedule moves with its next heartbeat or deadline, or ${what === 'removed' ? 'remove' : what.replace(/d$/, '')} it again`);
    return result;
  };
  api.delete('/heartbeats/:system/:name', valid('param', monitorParam), async (c) => {
    const { system, name } = c.req.valid('param');
    await change(system, name, 'removed', 'api');
    return c.body(null, 204);
  });
  for (const [verb, what] of [['pause', 'paused'], ['resume', 'resumed']] as const) {
    api.post(`/heartbeats/:system/:name/${verb}`, valid('param', monitorParam), async (c) => {
      const { system, name } = c.req.valid('param');
      const by = c.req.header('x-yobidashi-by')?.slice(0, 100) || 'api';
      const { monitor } = await change(system, name, what, by);
      return c.json(await monitorRowOf(store, monitor as Monitor));
    });
  }

  // What was refused, and what failed every retry
  api.get('/rejections', valid('query', pageQuery), async (c) => {
    const query = c.req.valid('query');
    return c.json(listed(c, query, await page(listings.rejections, query)).map((r) => ({ ...r, at: iso(r.at) })));
  });
  api.get('/dead-letters', valid('query', pageQuery), async (c) => {
    const query = c.req.valid('query');
    return c.json(listed(c, query, await page(listings.deadLetters, query)));
  });
  // Back to the original route (handlers are idempotent): one letter, or all of them.
  api.post('/dead-letters/redrive', jsonBody, valid('json', redriveSchema), (c) => {
    const body = c.req.valid('json');
    if (body.id && !emulator.deadLetters.some((l) => l.id === body.id)) throw new ApiError(404, `id: no dead letter ${body.id}`);
    return c.json({ redriven: emulator.redrive(body.id) });
  });

  // Faults
  api.get('/faults', (c) => c.json(deps.faults.list()));
  for (const method of ['put', 'post'] as const) {
    api[method]('/faults', jsonBody, valid('json', faultSpecSchema), (c) => c.json(deps.faults.add(c.req.valid('json')), 201));
  }
  api.delete('/faults', (c) => c.json({ cleared: deps.faults.clear() }));

  return api;
}
