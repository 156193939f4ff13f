import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendJournal, readJournal, reportSkipped, rewriteJournal } from '../../persistence/data-files.ts';
import { LAMBDA_ASYNC, RULE_TARGET_RETRY, ruleTargetRetryDelayMs } from '../../../../events/delivery.ts';
import { BUS_NAME, type Envelope } from '../../../../events/envelope.ts';
import { DEFAULT_BUS_FORWARDS, ROUTES, type HandlerName, type Route } from '../../../../events/routes.ts';
import type { Logger } from '../../../../handlers/ports.ts';
import { FaultError, type FaultBook } from '../faults/fault-book.ts';
import { ruleMatcher, stampEnvelope } from './rule-matching.ts';
import type { Timers } from '../../clock/timers.ts';

/**
 * EventBridge for one machine: the one core behind both `npm start` (driven by the scaled wall
 * clock) and the scenario tests (driven by virtual time). The `yobidashi` and `default` buses, the
 * routing table's rules, default-bus forwarding of AWS service events, an archive of everything
 * accepted on `yobidashi` with replays, and AWS's delivery rules (events/delivery.ts):
 *
 *   1. the rule target hands the event to the function (Lambda's asynchronous Invoke); a failed
 *      handoff is retried with backoff and jitter for up to 185 attempts or 2 hours, then the
 *      rule's dead-letter queue;
 *   2. the function runs; if it throws, Lambda retries it twice, one and then two minutes later
 *      (runtime time), within a 6-hour event age, then the on-failure destination.
 *
 * Both dead-letter queues (and the Scheduler's) are the one dead-letter list here, kept on disk:
 * `/api/dead-letters` lists it and redrives from it; the SQS face shows it as the stack's three
 * queues, where the sweep reads it and redrives through the Lambda face (acceptInvocation), as on
 * AWS. Every delivery under way is journalled, so a runtime stopped mid-way redelivers what it had
 * accepted and not finished.
 */

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number | string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface Replay {
  ReplayName: string;
  ReplayArn: string;
  EventSourceArn: string;
  State: 'STARTING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
  StateReason?: string;
  EventStartTime: number;
  EventEndTime: number;
  ReplayStartTime: number;
  ReplayEndTime?: number;
  EventLastReplayedTime?: number;
  eventsReplayed: number;
}

/**
 * A delivery that every retry failed: EventBridge's rule DLQ, Lambda's on-failure destination, or
 * a schedule's dead-letter queue. The one store of dead letters: the local API lists and redrives
 * them, and the SQS face (aws/sqs/) shows each in the queue AWS would have put it in.
 */
export interface DeadLetter {
  id: string;
  route: string;
  handler: HandlerName;
  /** The event; for a schedule's dead letter, the event the schedule failed to put on the bus. */
  envelope: Envelope;
  /**
   * `handoff`: EventBridge could not hand the event to the function; `function`: the function
   * failed every retry; `schedule`: EventBridge Scheduler could not put the event on the bus.
   */
  stage: 'handoff' | 'function' | 'schedule';
  condition: 'RetriesExhausted' | 'EventAgeExceeded';
  /** Stage `schedule`: the schedule, its target and the input it failed to deliver. */
  schedule?: { arn: string; targetArn: string; input: string };
  error: string;
  /** Invocations (or handoff attempts) made before giving up. */
  attempts: number;
  failedAt: string;
  /** How often this event had already been redriven to the route before it failed again. */
  redrives: number;
}

export interface EventBridgeOptions {
  timers: Timers;
  /** Runs the route's handler: the "Lambda function" a rule targets. */
  invoke: (handler: HandlerName, envelope: Envelope) => Promise<void>;
  log: Logger;
  faults?: FaultBook;
  archiveFile?: string;
  /** Deliveries under way, journalled so a restart owes nothing it had accepted. */
  journalFile?: string;
  deadLetterFile?: string;
  account?: string;
  region?: string;
  newId?: () => string;
  /** Called for every entry PutEvents refused, so bad input is recorded, not just answered. */
  onRejected?: (entry: PutEventsEntry, error: { ErrorCode: string; ErrorMessage: string }) => Promise<void>;
  /** Called with every event accepted on the yobidashi bus (the console's running commentary), and the bus it was put on. */
  onAccepted?: (envelope: Envelope, bus: string) => void;
  /** Called with every new dead letter, when it is kept (the runtime counts them: `DeadLetters`). */
  onDeadLetter?: (letter: DeadLetter) => void;
}

export const ARCHIVE_NAME = 'yobidashi-archive';

interface Delivery {
  route: Route;
  envelope: Envelope;
  key: string;
  /** When Lambda accepted the event (its event age counts from here). */
  acceptedAt?: number;
  redrives: number;
  /** Called once the delivery is over: handled, or dead-lettered. */
  settled?: () => void;
}

type JournalEntry = { op: 'add'; key: string; route: string; envelope: Envelope; redrives?: number } | { op: 'done'; key: string };
type DeadLetterEntry = { op: 'add'; letter: DeadLetter } | { op: 'remove'; id: string };

function deliveryKey(route: Route, envelope: Envelope, redrives = 0): string {
  return `${envelope.id}|${route.name}|${envelope['replay-name'] ?? ''}|${redrives}`;
}

/** The route a function serves (one route per handler). */
function routeOf(handler: HandlerName): Route {
  const route = ROUTES.find((r) => r.handler === handler);
  if (!route) throw new Error(`no route for handler ${handler}`);
  return route;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isEnvelope = (v: unknown): v is Envelope => isObject(v) && typeof v.id === 'string' && typeof v.time === 'string' && typeof v.source === 'string' && typeof v['detail-type'] === 'string';
const isJournalEntry = (v: unknown): v is JournalEntry =>
  isObject(v) && typeof v.key === 'string' && (v.op === 'done' || (v.op === 'add' && typeof v.route === 'string' && isEnvelope(v.envelope)));
const isDeadLetterEntry = (v: unknown): v is DeadLetterEntry =>
  isObject(v) && ((v.op === 'remove' && typeof v.id === 'string') || (v.op === 'add' && isObject(v.letter) && typeof v.letter.id === 'string' && isEnvelope(v.letter.envelope)));

/** A journal's records; what could not be read is reported (file and line) and skipped, never fatal. */
function readRecords<T>(file: string | undefined, accept: (value: unknown) => value is T, log: Logger): T[] {
  if (!file) return [];
  const { records, skipped } = readJournal(file, accept);
  reportSkipped(log, file, skipped);
  return records;
}

/** AWS counts an entry's size from its Source, DetailType, Detail, Resources and Time; over 256 KB it is refused. */
const MAX_ENTRY_BYTES = 256 * 1024;
/**
 * How deep a Detail may nest. AWS documents no figure; ours keeps a hostile Detail (10,000 levels)
 * from exhausting the matcher's and the archive's recursion later (docs/local.md).
 */
const MAX_DETAIL_DEPTH = 100;

function entrySize(entry: PutEventsEntry): number {
  const bytes = (s: unknown) => (typeof s === 'string' ? Buffer.byteLength(s) : 0);
  return bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0) + (entry.Time === undefined ? 0 : 14);
}

/** Nesting depth, iteratively (a recursive walk is what a hostile Detail would overflow). */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    max = Math.max(max, depth);
    if (max > MAX_DETAIL_DEPTH) return max;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return max;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export class EventBridgeCore {
  readonly archive: Envelope[] = [];
  readonly replays = new Map<string, Replay>();
  readonly account: string;
  readonly region: string;
  /** Test hook: hand every matched event to its target this many times (EventBridge may duplicate). */
  duplicates = 1;
  private readonly letters = new Map<string, DeadLetter>();
  /** When each function failed (its Lambda `Errors` metric), runtime time, the latest 10,000 per function. */
  private readonly errorTimes = new Map<HandlerName, number[]>();
  private readonly routesFor = ruleMatcher(ROUTES);
  private readonly forwardsFor = ruleMatcher(DEFAULT_BUS_FORWARDS);
  private readonly pendingAtStart = new Map<string, { route: string; envelope: Envelope; redrives: number }>();
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly options: EventBridgeOptions) {
    this.account = options.account ?? '000000000000';
    this.region = options.region ?? 'us-east-1';
    this.archive.push(...readRecords(options.archiveFile, isEnvelope, options.log));
    for (const entry of readRecords(options.journalFile, isJournalEntry, options.log)) {
      if (entry.op === 'add') this.pendingAtStart.set(entry.key, { route: entry.route, envelope: entry.envelope, redrives: entry.redrives ?? 0 });
      else this.pendingAtStart.delete(entry.key);
    }
    // Compact (atomically): only what is still owed survives.
    if (options.journalFile && existsSync(options.journalFile)) rewriteJournal(options.journalFile, [...this.pendingAtStart].map(([key, p]) => ({ op: 'add', key, ...p })));
    for (const entry of readRecords(options.deadLetterFile, isDeadLetterEntry, options.log)) {
      if (entry.op === 'add') this.letters.set(entry.letter.id, entry.letter);
      else this.letters.delete(entry.id);
    }
    if (options.deadLetterFile && existsSync(options.deadLetterFile)) rewriteJournal(options.deadLetterFile, [...this.letters.values()].map((letter) => ({ op: 'add', letter })));
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.account}:event-bus/${name}`;
  }

  archiveArn(): string {
    return `arn:aws:events:${this.region}:${this.account}:archive/${ARCHIVE_NAME}`;
  }

  get deadLetters(): DeadLetter[] {
    return [...this.letters.values()];
  }

  // -------------------------------------------------------------------------------------------
  // PutEvents

  /**
   * PutEvents: per-entry results as AWS gives them (the request's shape is checked by the API
   * first: a request its protocol refuses is refused whole). `aws-service` is how AWS services
   * themselves (Connect's contact events, CloudWatch's alarms) put events: only they may use an
   * `aws.*` source. Throws (the whole request fails) under an `events:PutEvents` fault.
   */
  async putEvents(entries: PutEventsEntry[], options: { from?: 'caller' | 'aws-service' } = {}): Promise<PutEventsResultEntry[]> {
    const fault = this.options.faults?.take('events:PutEvents', 'json');
    if (fault) throw fault;
    const results: PutEventsResultEntry[] = [];
    for (const entry of entries) {
      const checked = this.check(entry, options.from ?? 'caller');
      if ('ErrorCode' in checked) {
        results.push(checked);
        await this.options.onRejected?.(entry, checked).catch((error: unknown) => this.options.log.error('could not record a rejected entry', { error }));
        continue;
      }
      const envelope = stampEnvelope({
        id: (this.options.newId ?? randomUUID)(),
        source: checked.source,
        detailType: checked.detailType,
        detail: checked.detail,
        time: checked.time,
        account: this.account,
        region: this.region,
        resources: entry.Resources ?? [],
      });
      if (checked.bus === BUS_NAME || this.forwardsFor(envelope).length > 0) this.acceptOnYobidashi(envelope, checked.bus);
      results.push({ EventId: envelope.id });
    }
    return results;
  }

  private check(
    entry: PutEventsEntry,
    from: 'caller' | 'aws-service',
  ): { ErrorCode: string; ErrorMessage: string } | { bus: string; source: string; detailType: string; detail: unknown; time: string } {
    const bus = String(entry.EventBusName ?? 'default').replace(/^arn:aws:events:[^:]*:[^:]*:event-bus\//, '');
    if (bus !== BUS_NAME && bus !== 'default') return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (!entry[field]) return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
    }
    if (entrySize(entry) > MAX_ENTRY_BYTES) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Entries is not valid. Reason: an entry is larger than 256 KB.' };
    const source = String(entry.Source);
    // Only AWS services speak as aws.*, on any bus (AWS refuses callers the same).
    if (source.startsWith('aws.') && from !== 'aws-service') return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    let detail: unknown;
    try {
      detail = JSON.parse(String(entry.Detail));
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    if (depthOf(detail) > MAX_DETAIL_DEPTH) return { ErrorCode: 'MalformedDetail', ErrorMessage: `Detail is malformed: nested deeper than ${MAX_DETAIL_DEPTH} levels.` };
    const time = entry.Time === undefined ? new Date(this.options.timers.now()).toISOString() : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time).toISOString();
    return { bus, source, detailType: String(entry.DetailType), detail, time };
  }

  private acceptOnYobidashi(envelope: Envelope, bus: string): void {
    this.archive.push(envelope);
    appendJournal(this.options.archiveFile, envelope);
    this.options.onAccepted?.(envelope, bus);
    this.route(envelope);
  }

  matchingRoutes(envelope: Envelope): Route[] {
    return this.routesFor(envelope);
  }

  /** Starts a delivery per matching route; returns how many (copies included). */
  private route(envelope: Envelope, settled?: () => void): number {
    let started = 0;
    for (const route of this.routesFor(envelope)) started += this.startDelivery(route, envelope, 0, settled);
    return started;
  }

  private startDelivery(route: Route, envelope: Envelope, redrives: number, settled?: () => void): number {
    const key = deliveryKey(route, envelope, redrives);
    this.journal({ op: 'add', key, route: route.name, envelope, ...(redrives ? { redrives } : {}) });
    for (let copy = 0; copy < this.duplicates; copy++) this.handoff({ route, envelope, key, redrives, ...(settled ? { settled } : {}) }, 1, this.options.timers.now());
    return this.duplicates;
  }

  // -------------------------------------------------------------------------------------------
  // Delivery: (1) the handoff to Lambda, (2) the asynchronous invocation and its retries

  private schedule(atMs: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    this.inFlight++;
    this.options.timers.at(atMs, async () => {
      try {
        if (!this.stopped) await run();
      } finally {
        this.inFlight--;
        if (this.inFlight === 0) for (const wake of this.waiters.splice(0)) wake();
      }
    });
  }

  private handoff(delivery: Delivery, attempt: number, firstTriedAt: number, atMs = this.options.timers.now()): void {
    this.schedule(atMs, async () => {
      const refused = this.options.faults?.take('lambda:Invoke', 'rest');
      if (!refused) return this.invoke({ ...delivery, acceptedAt: this.options.timers.now() }, 1);
      const now = this.options.timers.now();
      const age = now - firstTriedAt;
      if (attempt > RULE_TARGET_RETRY.maximumRetryAttempts || age >= RULE_TARGET_RETRY.maximumEventAgeSeconds * 1000) {
        return this.deadLetter(delivery, 'handoff', attempt > RULE_TARGET_RETRY.maximumRetryAttempts ? 'RetriesExhausted' : 'EventAgeExceeded', describe(refused), attempt);
      }
      const delay = ruleTargetRetryDelayMs(attempt, Math.random());
      this.options.log.warn('EventBridge could not hand the event to its function; retrying', { route: delivery.route.name, eventId: delivery.envelope.id, attempt, delayMs: delay, error: describe(refused) });
      this.handoff(delivery, attempt + 1, firstTriedAt, now + delay);
    });
  }

  private invoke(delivery: Delivery, invocation: number, atMs = this.options.timers.now()): void {
    this.schedule(atMs, async () => {
      const { route, envelope } = delivery;
      try {
        const fault = this.options.faults?.take(`handler:${route.handler}`);
        if (fault) throw fault;
        await this.options.invoke(route.handler, envelope);
        this.journal({ op: 'done', key: delivery.key });
        delivery.settled?.();
      } catch (error) {
        const now = this.options.timers.now();
        this.functionFailed(route.handler);
        const message = describe(error);
        const delaySeconds = LAMBDA_ASYNC.retryDelaysSeconds[invocation - 1];
        const expires = (delivery.acceptedAt ?? now) + LAMBDA_ASYNC.maximumEventAgeSeconds * 1000;
        if (invocation > LAMBDA_ASYNC.maximumRetryAttempts || delaySeconds === undefined) {
          return this.deadLetter(delivery, 'function', 'RetriesExhausted', message, invocation);
        }
        if (now + delaySeconds * 1000 >= expires) return this.deadLetter(delivery, 'function', 'EventAgeExceeded', message, invocation);
        this.options.log.warn('handler failed; Lambda retries it', { route: route.name, eventId: envelope.id, invocation, retryInSeconds: delaySeconds, error: message });
        this.invoke(delivery, invocation + 1, now + delaySeconds * 1000);
      }
    });
  }

  private deadLetter(delivery: Delivery, stage: DeadLetter['stage'], condition: DeadLetter['condition'], error: string, attempts: number): void {
    const letter: DeadLetter = {
      id: `dl-${randomUUID()}`,
      route: delivery.route.name,
      handler: delivery.route.handler,
      envelope: delivery.envelope,
      stage,
      condition,
      error,
      attempts,
      failedAt: new Date(this.options.timers.now()).toISOString(),
      redrives: delivery.redrives,
    };
    this.keep(letter);
    this.journal({ op: 'done', key: delivery.key });
    delivery.settled?.();
    this.options.log.error(stage === 'function' ? 'handler failed every retry; sent to the on-failure destination' : 'EventBridge gave up handing the event over; sent to the dead-letter queue', {
      route: letter.route,
      eventId: letter.envelope.id,
      deadLetterId: letter.id,
      attempts,
      error,
    });
  }

  private keep(letter: DeadLetter): void {
    this.letters.set(letter.id, letter);
    appendJournal(this.options.deadLetterFile, { op: 'add', letter } satisfies DeadLetterEntry);
    this.options.onDeadLetter?.(letter);
  }

  findDeadLetter(id: string): DeadLetter | undefined {
    return this.letters.get(id);
  }

  /** Gone for good (SQS DeleteMessage). Returns whether it was there. */
  removeDeadLetter(id: string): boolean {
    if (!this.letters.delete(id)) return false;
    appendJournal(this.options.deadLetterFile, { op: 'remove', id } satisfies DeadLetterEntry);
    return true;
  }

  /**
   * A schedule whose target (PutEvents on the bus) failed every retry: its dead letter, with the
   * event it would have put and the route that event was for. False when no route would have
   * taken it (then there is nothing to redrive it to, and it is only logged).
   */
  scheduleFailed(failure: { scheduleArn: string; targetArn: string; source: string; detailType: string; input: string; scheduledAt: number; condition: DeadLetter['condition']; error: string; attempts: number }): boolean {
    let detail: unknown;
    try {
      detail = JSON.parse(failure.input);
    } catch {
      detail = failure.input;
    }
    const envelope = stampEnvelope({
      id: (this.options.newId ?? randomUUID)(),
      source: failure.source,
      detailType: failure.detailType,
      detail,
      time: new Date(failure.scheduledAt).toISOString(),
      account: this.account,
      region: this.region,
      resources: [failure.scheduleArn],
    });
    const [route] = this.routesFor(envelope);
    if (!route) return false;
    this.keep({
      id: `dl-${randomUUID()}`,
      route: route.name,
      handler: route.handler,
      envelope,
      stage: 'schedule',
      condition: failure.condition,
      schedule: { arn: failure.scheduleArn, targetArn: failure.targetArn, input: failure.input },
      error: failure.error,
      attempts: failure.attempts,
      failedAt: new Date(this.options.timers.now()).toISOString(),
      redrives: 0,
    });
    return true;
  }

  /**
   * Lambda's asynchronous Invoke of a route's function (InvocationType Event): accepted into
   * Lambda's queue at once, then run with Lambda's retries and on-failure destination, exactly as
   * after a rule's handoff. Journalled like every delivery. `requestId` keeps each invocation apart.
   */
  acceptInvocation(handler: HandlerName, payload: unknown, requestId: string): void {
    const route = routeOf(handler);
    // Any JSON is a valid payload (the handler rejects what is not an event of its own).
    const envelope = payload as Envelope;
    const fields = (typeof payload === 'object' && payload !== null ? payload : {}) as Partial<Envelope>;
    const key = `${String(fields.id ?? requestId)}|${route.name}|${fields['replay-name'] ?? ''}|invoke:${requestId}`;
    this.journal({ op: 'add', key, route: route.name, envelope });
    this.invoke({ route, envelope, key, redrives: 0, acceptedAt: this.options.timers.now() }, 1);
  }

  /** Lambda's synchronous Invoke (RequestResponse): the function runs now, once, its error thrown. */
  async invokeNow(handler: HandlerName, payload: unknown): Promise<void> {
    try {
      const fault = this.options.faults?.take(`handler:${handler}`);
      if (fault) throw fault;
      await this.options.invoke(handler, payload as Envelope);
    } catch (error) {
      this.functionFailed(handler);
      throw error;
    }
  }

  private functionFailed(handler: HandlerName): void {
    const times = this.errorTimes.get(handler) ?? [];
    times.push(this.options.timers.now());
    if (times.length > 10_000) times.shift();
    this.errorTimes.set(handler, times);
  }

  /** When the function failed within [fromMs, toMs): Lambda's `Errors` metric, for the CloudWatch face. */
  functionErrors(handler: HandlerName, fromMs: number, toMs: number): number[] {
    return (this.errorTimes.get(handler) ?? []).filter((t) => t >= fromMs && t < toMs);
  }

  /**
   * Hands dead letters back to their route as fresh deliveries (idempotent handlers make this
   * safe). With an id, that one; otherwise every one. Returns the ids redriven.
   */
  redrive(select: string | ((letter: DeadLetter) => boolean) = () => true): string[] {
    const chosen = typeof select === 'string' ? [this.letters.get(select)].filter((l): l is DeadLetter => l !== undefined) : this.deadLetters.filter(select);
    for (const letter of chosen) {
      const route = ROUTES.find((r) => r.name === letter.route);
      if (!route) continue;
      this.removeDeadLetter(letter.id);
      this.options.log.warn('dead letter redriven to its route', { deadLetterId: letter.id, route: letter.route, eventId: letter.envelope.id });
      this.startDelivery(route, letter.envelope, letter.redrives + 1);
    }
    return chosen.map((l) => l.id);
  }

  /**
   * Deliveries that were under way when the process stopped, delivered again (at least once, as
   * Lambda retries an invocation that died mid-way). Call once the handlers are wired.
   */
  resumePending(): number {
    const pending = [...this.pendingAtStart];
    this.pendingAtStart.clear();
    for (const [key, { route: name, envelope, redrives }] of pending) {
      const route = ROUTES.find((r) => r.name === name);
      if (route) this.handoff({ route, envelope, key, redrives }, 1, this.options.timers.now());
    }
    return pending.length;
  }

  private journal(entry: JournalEntry): void {
    appendJournal(this.options.journalFile, entry);
  }

  /** Resolves when no delivery is running or waiting for a retry. */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Deliveries running or waiting for a retry. */
  pending(): number {
    return this.inFlight;
  }

  // -------------------------------------------------------------------------------------------
  // Rules, archive, replay

  rules(busName?: string, namePrefix?: string): { Name: string; Arn: string; EventPattern: string; State: 'ENABLED'; EventBusName: string; Description: string }[] {
    const own = ROUTES.map((r) => ({ Name: r.name, EventBusName: BUS_NAME, EventPattern: JSON.stringify(r.eventPattern), Description: r.description }));
    const forwards = DEFAULT_BUS_FORWARDS.map((f) => ({ Name: f.name, EventBusName: 'default', EventPattern: JSON.stringify(f.eventPattern), Description: `Forward to the ${BUS_NAME} bus` }));
    return [...own, ...forwards]
      .filter((r) => r.EventBusName === (busName ?? 'default').replace(/^.*event-bus\//, '')) // no bus named: the default bus, as in AWS
      .filter((r) => !namePrefix || r.Name.startsWith(namePrefix))
      .map((r) => ({ ...r, State: 'ENABLED' as const, Arn: `arn:aws:events:${this.region}:${this.account}:rule/${r.EventBusName === 'default' ? '' : `${r.EventBusName}/`}${r.Name}` }));
  }

  startReplay(input: { ReplayName: string; EventSourceArn: string; EventStartTime: number; EventEndTime: number }): Replay {
    if (this.replays.has(input.ReplayName)) throw Object.assign(new Error(`Replay ${input.ReplayName} already exists.`), { code: 'ResourceAlreadyExistsException' });
    if (input.EventSourceArn !== this.archiveArn()) throw Object.assign(new Error(`Archive ${input.EventSourceArn} does not exist.`), { code: 'ResourceNotFoundException' });
    const now = this.options.timers.now();
    const replay: Replay = {
      ReplayName: input.ReplayName,
      ReplayArn: `arn:aws:events:${this.region}:${this.account}:replay/${input.ReplayName}`,
      EventSourceArn: input.EventSourceArn,
      State: 'STARTING',
      EventStartTime: input.EventStartTime,
      EventEndTime: input.EventEndTime,
      ReplayStartTime: now / 1000,
      eventsReplayed: 0,
    };
    this.replays.set(replay.ReplayName, replay);
    const from = input.EventStartTime * 1000;
    const to = input.EventEndTime * 1000;
    const window = this.archive.filter((e) => {
      const t = Date.parse(e.time);
      return t >= from && t < to && e['replay-name'] === undefined;
    });
    this.options.timers.at(now, () => {
      replay.State = 'RUNNING';
      let outstanding = 0;
      let routed = false;
      const settled = () => {
        outstanding--;
        if (routed && outstanding === 0) complete();
      };
      const complete = () => {
        replay.State = 'COMPLETED';
        replay.ReplayEndTime = this.options.timers.now() / 1000;
      };
      for (const envelope of window) {
        outstanding += this.route({ ...envelope, 'replay-name': replay.ReplayName }, settled);
        replay.eventsReplayed++;
        replay.EventLastReplayedTime = Date.parse(envelope.time) / 1000;
      }
      routed = true;
      if (outstanding === 0) complete();
    });
    return replay;
  }

  stop(): void {
    this.stopped = true;
  }
}

export { FaultError };
