import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { BUS_NAME, type Envelope } from '../../events/envelope.ts';
import { DEFAULT_BUS_FORWARDS, ROUTES, type HandlerName, type Route } from '../../events/routes.ts';
import type { Clock, Logger } from '../../handlers/ports.ts';
import { ruleMatcher, stampEnvelope } from './routing.ts';

/**
 * EventBridge, emulated for one machine: the `yobidashi` and `default` buses, the routing table's
 * rules (default-bus events forwarded as in AWS), at-least-once delivery with retries and a
 * dead-letter list, an archive of every event accepted on `yobidashi` (persisted), and replays that
 * re-deliver a window of it with `replay-name` set.
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

export interface EmulatorOptions {
  clock: Clock;
  dispatch: (handler: HandlerName, envelope: Envelope) => Promise<void>;
  log: Logger;
  archiveFile?: string;
  /** Deliveries under way, journalled so a restart owes nothing it had accepted. */
  journalFile?: string;
  account?: string;
  region?: string;
  /** Called for every entry PutEvents refused, so bad input is recorded, not just answered. */
  onRejected?: (entry: PutEventsEntry, error: { ErrorCode: string; ErrorMessage: string }) => Promise<void>;
  maxAttempts?: number;
  retryBaseMs?: number;
}

export const ARCHIVE_NAME = 'yobidashi-archive';

type JournalEntry = { op: 'add'; key: string; route: string; envelope: Envelope } | { op: 'done'; key: string };

function deliveryKey(route: Route, envelope: Envelope): string {
  return `${envelope.id}|${route.name}|${envelope['replay-name'] ?? ''}`;
}

export class EventBridgeEmulator {
  readonly archive: Envelope[] = [];
  readonly deadLetters: { route: string; envelope: Envelope; error: string }[] = [];
  readonly replays = new Map<string, Replay>();
  private readonly routesFor = ruleMatcher(ROUTES);
  private readonly forwardsFor = ruleMatcher(DEFAULT_BUS_FORWARDS);
  private inFlight = 0;
  private readonly pendingAtStart = new Map<string, { route: string; envelope: Envelope }>();
  private waiters: (() => void)[] = [];
  private stopped = false;
  readonly account: string;
  readonly region: string;

  constructor(private readonly options: EmulatorOptions) {
    this.account = options.account ?? '000000000000';
    this.region = options.region ?? 'us-east-1';
    if (options.archiveFile && existsSync(options.archiveFile)) {
      for (const line of readFileSync(options.archiveFile, 'utf8').split('\n')) if (line.trim()) this.archive.push(JSON.parse(line) as Envelope);
    }
    if (options.journalFile && existsSync(options.journalFile)) {
      for (const line of readFileSync(options.journalFile, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const entry = JSON.parse(line) as JournalEntry;
        if (entry.op === 'add') this.pendingAtStart.set(entry.key, { route: entry.route, envelope: entry.envelope });
        else this.pendingAtStart.delete(entry.key);
      }
      // Compact: only what is still owed survives.
      writeFileSync(options.journalFile, [...this.pendingAtStart].map(([key, p]) => `${JSON.stringify({ op: 'add', key, ...p })}\n`).join(''));
    }
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.account}:event-bus/${name}`;
  }

  archiveArn(): string {
    return `arn:aws:events:${this.region}:${this.account}:archive/${ARCHIVE_NAME}`;
  }

  async putEvents(entries: PutEventsEntry[]): Promise<PutEventsResultEntry[]> {
    const results: PutEventsResultEntry[] = [];
    for (const entry of entries) {
      const checked = this.check(entry);
      if ('ErrorCode' in checked) {
        results.push(checked);
        await this.options.onRejected?.(entry, checked).catch((error: unknown) => this.options.log.error('could not record a rejected entry', { error }));
        continue;
      }
      const envelope = stampEnvelope({
        id: randomUUID(),
        source: checked.source,
        detailType: checked.detailType,
        detail: checked.detail,
        time: checked.time,
        account: this.account,
        region: this.region,
        resources: entry.Resources ?? [],
      });
      if (checked.bus === BUS_NAME) this.acceptOnYobidashi(envelope);
      else if (this.forwardsFor(envelope).length > 0) this.acceptOnYobidashi(envelope);
      results.push({ EventId: envelope.id });
    }
    return results;
  }

  private check(entry: PutEventsEntry):
    | { ErrorCode: string; ErrorMessage: string }
    | { bus: string; source: string; detailType: string; detail: unknown; time: string } {
    const bus = (entry.EventBusName ?? 'default').replace(/^arn:aws:events:[^:]*:[^:]*:event-bus\//, '');
    if (bus !== BUS_NAME && bus !== 'default') return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (!entry[field]) return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
    }
    const source = entry.Source as string;
    if (source.startsWith('aws.') && bus !== 'default') return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    const time = entry.Time === undefined ? new Date(this.options.clock.now()).toISOString() : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time).toISOString();
    return { bus, source, detailType: entry.DetailType as string, detail, time };
  }

  private acceptOnYobidashi(envelope: Envelope): void {
    this.archive.push(envelope);
    if (this.options.archiveFile) appendFileSync(this.options.archiveFile, `${JSON.stringify(envelope)}\n`);
    this.route(envelope);
  }

  private route(envelope: Envelope): void {
    for (const route of this.routesFor(envelope)) {
      this.journal({ op: 'add', key: deliveryKey(route, envelope), route: route.name, envelope });
      this.deliver(route, envelope, 1);
    }
  }

  /**
   * Deliveries that were under way when the process stopped, delivered again (at least once, as
   * EventBridge retries a Lambda that died mid-invocation). Call once the handlers are wired.
   */
  resumePending(): number {
    const pending = [...this.pendingAtStart.values()];
    this.pendingAtStart.clear();
    for (const { route: name, envelope } of pending) {
      const route = ROUTES.find((r) => r.name === name);
      if (route) this.deliver(route, envelope, 1);
    }
    return pending.length;
  }

  private journal(entry: JournalEntry): void {
    if (this.options.journalFile) appendFileSync(this.options.journalFile, `${JSON.stringify(entry)}\n`);
  }

  private deliver(route: Route, envelope: Envelope, attempt: number): void {
    if (this.stopped) return;
    this.inFlight++;
    const done = () => this.journal({ op: 'done', key: deliveryKey(route, envelope) });
    setImmediate(() => {
      this.options
        .dispatch(route.handler, envelope)
        .then(done)
        .catch((error: unknown) => {
          const maxAttempts = this.options.maxAttempts ?? 8;
          const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          if (attempt >= maxAttempts) {
            done();
            this.deadLetters.push({ route: route.name, envelope, error: message });
            this.options.log.error('delivery failed for good; dead-lettered', { route: route.name, eventId: envelope.id, error: message });
            return;
          }
          // EventBridge retries with backoff; so do we (real time: this is about handlers, not the scenario).
          const delay = (this.options.retryBaseMs ?? 100) * 2 ** (attempt - 1);
          this.options.log.warn('delivery failed; retrying', { route: route.name, eventId: envelope.id, attempt, delayMs: delay, error: message });
          this.inFlight++;
          setTimeout(() => {
            this.inFlight--;
            this.deliver(route, envelope, attempt + 1);
          }, delay);
        })
        .finally(() => {
          this.inFlight--;
          if (this.inFlight === 0) for (const wake of this.waiters.splice(0)) wake();
        });
    });
  }

  /** Resolves when no delivery is running or waiting for a retry. */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

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
    const replay: Replay = {
      ReplayName: input.ReplayName,
      ReplayArn: `arn:aws:events:${this.region}:${this.account}:replay/${input.ReplayName}`,
      EventSourceArn: input.EventSourceArn,
      State: 'STARTING',
      EventStartTime: input.EventStartTime,
      EventEndTime: input.EventEndTime,
      ReplayStartTime: this.options.clock.now() / 1000,
      eventsReplayed: 0,
    };
    this.replays.set(replay.ReplayName, replay);
    const from = input.EventStartTime * 1000;
    const to = input.EventEndTime * 1000;
    const window = this.archive.filter((e) => {
      const t = Date.parse(e.time);
      return t >= from && t < to;
    });
    setImmediate(async () => {
      replay.State = 'RUNNING';
      for (const envelope of window) {
        this.route({ ...envelope, 'replay-name': replay.ReplayName });
        replay.eventsReplayed++;
        replay.EventLastReplayedTime = Date.parse(envelope.time) / 1000;
      }
      await this.idle();
      replay.State = 'COMPLETED';
      replay.ReplayEndTime = this.options.clock.now() / 1000;
    });
    return replay;
  }

  stop(): void {
    this.stopped = true;
  }
}
