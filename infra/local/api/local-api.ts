import { z } from 'zod';
import { rosterSchema } from '../../../domain/roster.ts';
import type { Clock, Store } from '../../../handlers/ports.ts';
import { incidentDetail, incidentSummary, newSilence, silenceAdded, silenceView } from '../../cli/views.ts';
import type { ConnectSimulator, PhoneBehaviour, SimulatedCall } from '../aws/connect/connect-simulator.ts';
import type { EventBridgeCore } from '../aws/eventbridge/event-bridge-core.ts';
import { faultSpecSchema, type FaultBook } from '../aws/faults/fault-book.ts';

/**
 * The local API (JSON, under /api): script phones, read calls and incidents, manage rosters and
 * silences. Bad requests get 400 with a message naming the field.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiDeps {
  store: Store;
  simulator: ConnectSimulator;
  emulator: EventBridgeCore;
  faults: FaultBook;
  clock: Clock;
  timeScale: number;
}

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
}

const E164 = /^\+[1-9]\d{6,14}$/;

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

const silenceSchema = z
  .object({
    system: z.string().trim().min(1),
    host: z.string().trim().min(1).optional(),
    service: z.string().trim().min(1).optional(),
    hours: z.number().positive().max(24 * 365).optional(),
    until: z.string().datetime({ offset: true }).optional(),
    reason: z.string().max(500).optional(),
    createdBy: z.string().max(100).optional(),
  })
  .strict()
  .refine((s) => s.hours === undefined || s.until === undefined, { message: 'give hours or until, not both', path: ['until'] });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new ApiError(400, result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function createApi(deps: ApiDeps) {
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
      transcript: (status.result?.transcript ?? []).map((s) => ({ at: iso(s.atMs), text: s.text, language: s.language, voice: s.voice, interrupted: s.interrupted })),
    };
  }

  return async function handle(req: ApiRequest): Promise<ApiResponse> {
    const parts = req.path.replace(/^\/api\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
    const [resource, id] = parts;
    const route = `${req.method} ${resource ?? ''}${id === undefined ? '' : '/:id'}`;
    switch (route) {
      case 'GET health':
        return { status: 200, body: { ok: true, now: iso(deps.clock.now()), timeScale: deps.timeScale } };
      case 'PUT phones/:id': {
        if (!E164.test(id ?? '')) throw new ApiError(400, `phone: "${id}" is not an E.164 number such as +819012345678`);
        const p = parse(phoneSchema, req.body);
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
        simulator.setPhone(id as string, behaviour);
        return { status: 200, body: { phone: id, behaviour } };
      }
      case 'GET phones':
        return { status: 200, body: simulator.phoneList() };
      case 'GET calls':
        return { status: 200, body: await Promise.all(simulator.calls.map(callView)) };
      case 'GET incidents':
        return { status: 200, body: (await store.listIncidents(Number(req.query.get('limit') ?? 100))).map(incidentSummary) };
      case 'GET incidents/:id': {
        const timeline = await store.timeline(id as string);
        const { incident } = timeline;
        if (!incident) throw new ApiError(404, `incident ${id} not found`);
        return { status: 200, body: incidentDetail({ ...timeline, incident }) };
      }
      case 'PUT rosters/:id': {
        const roster = parse(rosterSchema, { ...(req.body as object), system: id });
        await store.putRoster(roster);
        return { status: 200, body: roster };
      }
      case 'GET rosters':
        return { status: 200, body: await store.listRosters() };
      case 'GET rosters/:id': {
        const roster = await store.getRoster(id as string);
        if (!roster) throw new ApiError(404, `no roster for system ${id}`);
        return { status: 200, body: roster };
      }
      case 'GET silences': {
        const now = deps.clock.now();
        return { status: 200, body: (await store.listAllSilences()).map((s) => silenceView(s, now)) };
      }
      case 'POST silences': {
        const s = parse(silenceSchema, req.body);
        const now = deps.clock.now();
        const silence = newSilence(s, now, `sil-${crypto.randomUUID().slice(0, 8)}`);
        if ('problem' in silence) throw new ApiError(400, silence.problem);
        await store.putSilence(silence);
        // Announce it: open incidents it covers stop calling at once (apply-silence), as on AWS.
        const [put] = await emulator.putEvents([{ EventBusName: 'yobidashi', Source: 'yobidashi', DetailType: 'SilenceAdded', Detail: JSON.stringify(silenceAdded(silence)) }]);
        if (!put || 'ErrorCode' in put) throw new ApiError(503, `the silence is stored but could not be announced (${put && 'ErrorCode' in put ? put.ErrorCode : 'no answer'}); open incidents it covers keep calling until it is added again`);
        return { status: 201, body: silenceView(silence, now) };
      }
      case 'DELETE silences/:id': {
        const found = (await store.listAllSilences()).find((s) => s.silenceId === id);
        if (!found || !(await store.deleteSilence(found.scope.system, found.silenceId))) throw new ApiError(404, `silence ${id} not found`);
        return { status: 204 };
      }
      case 'GET rejections':
        return { status: 200, body: (await store.listRejections(Number(req.query.get('limit') ?? 100))).map((r) => ({ ...r, at: iso(r.at) })) };
      case 'GET dead-letters':
        return { status: 200, body: emulator.deadLetters };
      case 'POST dead-letters/:id': {
        // POST /api/dead-letters/redrive {"id"?}: back to the original route (handlers are idempotent).
        if (id !== 'redrive') throw new ApiError(404, `no such API: ${req.method} ${req.path}`);
        const body = parse(z.object({ id: z.string().min(1).optional() }).strict(), req.body ?? {});
        if (body.id && !emulator.deadLetters.some((l) => l.id === body.id)) throw new ApiError(404, `id: no dead letter ${body.id}`);
        const redriven = emulator.redrive(body.id);
        return { status: 200, body: { redriven } };
      }
      case 'GET faults':
        return { status: 200, body: deps.faults.list() };
      case 'PUT faults':
      case 'POST faults':
        return { status: 201, body: deps.faults.add(parse(faultSpecSchema, req.body)) };
      case 'DELETE faults':
        return { status: 200, body: { cleared: deps.faults.clear() } };
      default:
        throw new ApiError(404, `no such API: ${req.method} ${req.path}`);
    }
  };
}
