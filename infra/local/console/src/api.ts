/**
 * The runtime's API as the console uses it (docs/console.md is the contract): the shapes it
 * answers with, and fetch helpers that surface the server's own message when a request fails.
 */

export const STATUSES = ['open', 'acknowledged', 'silenced', 'exhausted', 'resolved', 'suppressed'] as const;
export type Status = (typeof STATUSES)[number];

export interface IncidentSummary {
  incidentId: string;
  status: Status;
  system: string;
  host: string;
  service: string;
  dedupKey?: string;
  openedAt: string;
  closedAt?: string;
  callsPlaced: number;
  acknowledgedBy?: string;
  silencedUntil?: string;
  silenceId?: string;
  waitingFor?: string;
  waitingSince?: string;
  exhaustedReason?: string;
  timeToAcknowledgeSeconds?: number;
}

export interface TimelineCall {
  attempt: number;
  contactId?: string;
  responder: string;
  destination: string;
  placedAt?: string;
  connectedAt?: string;
  endedAt?: string;
  digits?: string;
  outcome?: string;
  discon_reason?: string;
}

export interface TimelineEvent {
  time: string;
  eventId: string;
  detailType: string;
  detail: unknown;
  replayName?: string;
  /** The event in words, as `yobidashi incidents <id>` prints it (infra/cli/views.ts eventNote). */
  note?: string;
}

export interface TimelineAlert {
  alertId: string;
  receivedAt: string;
  source: string;
  status: string;
  disposition?: string;
  lastcheck?: string;
}

export interface IncidentDetail extends IncidentSummary {
  timeline: { alerts: TimelineAlert[]; calls: TimelineCall[]; events: TimelineEvent[] };
}

export interface TranscriptLine {
  at: string;
  endAt?: string;
  text: string;
  language: string;
  voice?: string;
  interrupted?: boolean;
}

export type CallState = 'ringing' | 'connected' | 'ended';

export interface SoftphoneCall {
  contactId: string;
  incidentId: string;
  attempt: number;
  inBrowser: boolean;
  responder: string;
  language: string;
  destination: string;
  state: CallState;
  startedAt: string;
  connectedAt?: string;
  endedAt?: string;
  disconnectReason?: string;
  keys?: string;
  transcript: TranscriptLine[];
}

export interface IncidentCall {
  attempt: number;
  contactId: string;
  responder: string;
  destination: string;
  placedAt: string;
  connectedAt?: string;
  endedAt?: string;
  ringSeconds?: number;
  talkSeconds?: number;
  digits?: string;
  outcome?: string;
  disconnectReason?: string;
  transcript: TranscriptLine[];
}

export interface Summary {
  from: string;
  to: string;
  timeZone: string;
  days: ({ date: string } & Record<Status, number>)[];
  timeToAcknowledge: { system: string; acknowledged: number; medianSeconds: number; p90Seconds: number }[];
  callsPerResponder: { responder: string; calls: number; answered: number; acknowledged: number }[];
  /** More incidents opened in the window than the runtime reads for a summary (the newest were). */
  truncated?: true;
}

export interface Responder {
  name: string;
  phone: string;
  language: string;
  timezone: string;
  hours?: string;
}

export interface Roster {
  system: string;
  rounds: number;
  responders: Responder[];
  alertTimezone?: string;
  minCallGapSeconds?: number;
  groupBy?: string[];
  groupWindowMinutes?: number;
}

export interface Silence {
  silenceId: string;
  scope: { system: string; host?: string; service?: string };
  from: string;
  /** A one-off silence's end; a maintenance window's last instant, absent when it recurs for ever. */
  until?: string;
  createdBy?: string;
  reason?: string;
  active: boolean;
  /** A maintenance window: when its windows open, how long each lasts, the zone its times are read in. */
  cron?: string;
  durationMinutes?: number;
  timezone?: string;
  /** The window in force now, and the next one to open. */
  window?: { from: string; until: string };
  nextWindow?: { from: string; until: string };
}

export interface DeadLetter {
  id: string;
  route: string;
  handler?: string;
  stage: string;
  condition?: string;
  error: string;
  attempts?: number;
  failedAt?: string;
  redrives?: number;
  envelope?: { 'detail-type'?: string; id?: string; time?: string; detail?: unknown };
}

export interface Fault {
  id: string;
  target: string;
  error: string;
  message?: string;
  forSeconds?: number;
  times?: number;
  addedAt: string;
  until?: string;
  remaining?: number;
  hits: number;
}

export interface RouteRow {
  name: string;
  bus: string;
  handler: string;
  replays: 'excluded' | 'delivered';
  pattern: unknown;
  description?: string;
}

/** A request the server refused: its status and its own message, shown verbatim. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function failure(res: Response): Promise<ApiFailure> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { message?: unknown; Message?: unknown };
    const message = body.message ?? body.Message;
    if (typeof message === 'string') return new ApiFailure(res.status, message);
  } catch {
    /* not JSON: the text itself */
  }
  return new ApiFailure(res.status, text || `${res.status} ${res.statusText}`);
}

/** `method path` on the runtime's API; a JSON body unless `body` is already text. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: {} };
  if (typeof body === 'string') {
    init.body = body;
    init.headers = { 'content-type': 'text/plain; charset=utf-8' };
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const res = await fetch(`/api${path}`, init);
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

/** A text answer (a roster as YAML). */
export async function getText(path: string): Promise<string> {
  const res = await fetch(`/api${path}`);
  if (!res.ok) throw await failure(res);
  return res.text();
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/** An event put on a bus through the runtime's EventBridge face, as `aws events put-events` does. */
export async function putEvent(entry: { EventBusName: string; Source: string; DetailType: string; Detail: string }): Promise<PutEventsResult> {
  const res = await fetch('/', {
    method: 'POST',
    headers: { 'X-Amz-Target': 'AWSEvents.PutEvents', 'Content-Type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ Entries: [entry] }),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as PutEventsResult;
}

/** A phone number as the contact records keep it (domain/roster.ts maskPhone). */
export function maskPhone(phone: string): string {
  if (phone.length <= 6) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
