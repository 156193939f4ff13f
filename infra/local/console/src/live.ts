import { get, type IncidentCall, type IncidentSummary, type SoftphoneCall } from './api.ts';
import { Store } from './store.ts';

/**
 * What the page knows live, from one EventSource on /api/stream (docs/console.md): the incidents,
 * every simulated call the stream has told of, the "answer in browser" switch and the runtime's
 * clock. Lists are loaded when the page opens and again after every reconnect (the stream does not
 * replay what it missed). If the stream cannot be opened at all, the lists are reloaded every few
 * seconds until it can.
 */

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface StreamEvent {
  time: string;
  bus: string;
  detailType: string;
  incidentId?: string;
  detail: unknown;
}

export const connection = new Store<Connection>('connecting');
export const incidents = new Store<ReadonlyMap<string, IncidentSummary>>(new Map());
export const calls = new Store<ReadonlyMap<string, SoftphoneCall>>(new Map());
export const answerInBrowser = new Store<boolean | undefined>(undefined);
/** The runtime's clock: its time at `at` (this page's Date.now()) and how fast it runs. */
export const clock = new Store<{ runtimeMs: number; at: number; timeScale: number }>({ runtimeMs: Date.now(), at: Date.now(), timeScale: 1 });

/** Every bus event and incident change, for pages that refresh what they show (an incident, the silences). */
const eventListeners = new Set<(event: StreamEvent | { detailType: 'reload' }) => void>();
export function onStreamEvent(listener: (event: StreamEvent | { detailType: 'reload' }) => void): () => void {
  eventListeners.add(listener);
  return () => eventListeners.delete(listener);
}
const emit = (event: StreamEvent | { detailType: 'reload' }) => eventListeners.forEach((l) => l(event));

/** The runtime's "now" in ms (its clock may run faster than the wall's). */
export function runtimeNow(): number {
  const c = clock.value;
  return c.runtimeMs + (Date.now() - c.at) * c.timeScale;
}

/** Bumped by every stream update of an incident, so a list that was loaded before it cannot overwrite it. */
let changeSeq = 0;
const changedAt = new Map<string, number>();

function upsertIncident(incident: IncidentSummary): void {
  changedAt.set(incident.incidentId, ++changeSeq);
  incidents.update((old) => new Map(old).set(incident.incidentId, incident));
}

const MAX_CALLS = 500;
export function upsertCall(call: SoftphoneCall): void {
  calls.update((old) => {
    const next = new Map(old);
    next.delete(call.contactId);
    next.set(call.contactId, call);
    if (next.size > MAX_CALLS) {
      for (const [id, c] of next) {
        if (next.size <= MAX_CALLS) break;
        if (c.state === 'ended') next.delete(id);
      }
    }
    return next;
  });
}

/** A call the incident's call list knows of but the stream has not told (it began before this page). */
function fromIncidentCall(incident: IncidentSummary, c: IncidentCall): SoftphoneCall {
  const call: SoftphoneCall = {
    contactId: c.contactId,
    incidentId: incident.incidentId,
    attempt: c.attempt,
    inBrowser: false,
    responder: c.responder,
    language: '',
    destination: c.destination,
    state: c.endedAt ? 'ended' : c.connectedAt ? 'connected' : 'ringing',
    startedAt: c.placedAt,
    transcript: c.transcript ?? [],
  };
  if (c.connectedAt) call.connectedAt = c.connectedAt;
  if (c.endedAt) call.endedAt = c.endedAt;
  if (c.disconnectReason) call.disconnectReason = c.disconnectReason;
  return call;
}

let loading: Promise<void> | undefined;

/** (Re)loads the incidents, the browser calls, the switch, and the calls of open incidents. */
export function reload(): Promise<void> {
  loading ??= (async () => {
    const seqAtStart = changeSeq;
    const [list, phoneCalls, switchState] = await Promise.allSettled([
      get<IncidentSummary[]>('/incidents?limit=100'),
      get<SoftphoneCall[]>('/softphone/calls'),
      get<{ answerInBrowser: boolean }>('/softphone'),
    ]);
    if (list.status === 'fulfilled') {
      incidents.update((old) => {
        const next = new Map(old);
        for (const incident of list.value) {
          if ((changedAt.get(incident.incidentId) ?? 0) > seqAtStart) continue;
          next.set(incident.incidentId, incident);
        }
        return next;
      });
      const open = list.value.filter((i) => i.status === 'open').slice(0, 20);
      const known = await Promise.allSettled(open.map((i) => get<IncidentCall[]>(`/incidents/${encodeURIComponent(i.incidentId)}/calls`)));
      known.forEach((result, i) => {
        const incident = open[i];
        if (result.status !== 'fulfilled' || !incident) return;
        for (const c of result.value) if (!calls.value.has(c.contactId)) upsertCall(fromIncidentCall(incident, c));
      });
    }
    if (phoneCalls.status === 'fulfilled') for (const call of [...phoneCalls.value].reverse()) upsertCall(call);
    if (switchState.status === 'fulfilled') answerInBrowser.set(switchState.value.answerInBrowser);
    emit({ detailType: 'reload' });
  })().finally(() => {
    loading = undefined;
  });
  return loading;
}

let source: EventSource | undefined;
let hadError = false;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

function parse<T>(event: Event): T | undefined {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as T;
  } catch {
    return undefined;
  }
}

/** Opens the stream (once per page). */
export function connect(): void {
  if (source) return;
  const es = new EventSource('/api/stream');
  source = es;
  es.addEventListener('hello', (e) => {
    const hello = parse<{ now: string; timeScale: number; answerInBrowser: boolean }>(e);
    if (hello) {
      clock.set({ runtimeMs: Date.parse(hello.now), at: Date.now(), timeScale: hello.timeScale || 1 });
      answerInBrowser.set(hello.answerInBrowser);
    }
    connection.set('live');
    if (hadError) void reload();
    hadError = false;
  });
  es.addEventListener('incident', (e) => {
    const incident = parse<IncidentSummary>(e);
    if (incident?.incidentId) upsertIncident(incident);
  });
  es.addEventListener('call', (e) => {
    const call = parse<SoftphoneCall>(e);
    if (call?.contactId) {
      upsertCall(call);
      emit({ time: call.endedAt ?? call.connectedAt ?? call.startedAt, bus: '', detailType: 'call', incidentId: call.incidentId, detail: call });
    }
  });
  es.addEventListener('softphone', (e) => {
    const s = parse<{ answerInBrowser: boolean }>(e);
    if (s) answerInBrowser.set(s.answerInBrowser);
  });
  es.addEventListener('event', (e) => {
    const event = parse<StreamEvent>(e);
    if (event) emit(event);
  });
  es.onerror = () => {
    hadError = true;
    connection.set('reconnecting');
    if (es.readyState === EventSource.CLOSED) {
      // The browser gave up (the server refused the stream): load by hand and try again shortly.
      source = undefined;
      void reload();
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, 3000);
    }
  };
}
