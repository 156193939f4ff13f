import { randomUUID } from 'node:crypto';
import { OWN_SOURCE, type Envelope } from '../../events/envelope.ts';
import type { OwnEvent } from '../../events/catalog.ts';
import { ROUTES, type HandlerName, type Route } from '../../events/routes.ts';
import type { Bus, Clock, ForeignEvent } from '../../handlers/ports.ts';
import { ruleMatcher, stampEnvelope } from './routing.ts';

export type Delivery = { route: Route; envelope: Envelope };
export type Dispatch = (handler: HandlerName, envelope: Envelope) => Promise<void>;

export interface BusOptions {
  clock: Clock;
  dispatch: Dispatch;
  /** How often a failing target is retried before its event goes to the dead-letter list. */
  maxAttempts?: number;
  newId?: () => string;
  account?: string;
  region?: string;
}

/**
 * An in-process bus with EventBridge semantics: every accepted event is archived, matched against
 * the routing table's patterns (the same ones the CDK stack deploys) and delivered to each matching
 * route's handler, at least once, asynchronously. Replays re-deliver archived events with
 * `replay-name` set, so side-effect routes (which exclude it) do not fire.
 */
export class LocalBus implements Bus {
  readonly archive: Envelope[] = [];
  readonly deadLetters: { delivery: Delivery; error: unknown }[] = [];
  /** Test hooks: deliver each event this many times, and shuffle the queue before each delivery. */
  duplicates = 1;
  reorder: (() => number) | undefined;
  private readonly queue: Delivery[] = [];
  private readonly routesFor = ruleMatcher(ROUTES);
  private draining: Promise<void> | undefined;

  constructor(private readonly options: BusOptions) {}

  async publish(events: readonly (OwnEvent | ForeignEvent)[]): Promise<void> {
    for (const event of events) {
      this.accept({
        source: 'source' in event ? event.source : OWN_SOURCE,
        detailType: event.detailType,
        detail: event.detail,
      });
    }
  }

  /** PutEvents: stamps the envelope the way EventBridge does and routes it. */
  accept(entry: { source: string; detailType: string; detail: unknown; resources?: string[]; time?: string }): Envelope {
    const envelope = stampEnvelope({
      ...entry,
      id: (this.options.newId ?? randomUUID)(),
      time: entry.time ?? new Date(this.options.clock.now()).toISOString(),
      account: this.options.account ?? '000000000000',
      region: this.options.region ?? 'us-east-1',
    });
    this.archive.push(envelope);
    this.route(envelope);
    return envelope;
  }

  /** StartReplay: re-delivers archived events from the window, marked with the replay's name. */
  replay(name: string, fromMs: number, toMs: number): number {
    const window = this.archive.filter((e) => {
      const t = Date.parse(e.time);
      return t >= fromMs && t < toMs && e['replay-name'] === undefined;
    });
    for (const envelope of window) this.route({ ...envelope, 'replay-name': name });
    return window.length;
  }

  matchingRoutes(envelope: Envelope): Route[] {
    return this.routesFor(envelope);
  }

  private route(envelope: Envelope): void {
    for (const route of this.matchingRoutes(envelope)) {
      for (let copy = 0; copy < this.duplicates; copy++) this.queue.push({ route, envelope });
    }
  }

  /** Delivers until nothing is left, including what handlers publish on the way. */
  drain(): Promise<void> {
    this.draining ??= this.deliverAll().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async deliverAll(): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    while (this.queue.length > 0) {
      if (this.reorder) {
        const i = Math.floor(this.reorder() * this.queue.length);
        const [picked] = this.queue.splice(i, 1);
        if (picked) this.queue.unshift(picked);
      }
      const delivery = this.queue.shift();
      if (!delivery) break;
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.dispatch(delivery.route.handler, delivery.envelope);
          break;
        } catch (error) {
          if (attempt >= maxAttempts) {
            this.deadLetters.push({ delivery, error });
            break;
          }
        }
      }
    }
  }
}

