import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import type { Envelope } from '../../events/envelope.ts';
import type { Incident } from '../../domain/incident.ts';
import type { RosterInput } from '../../domain/roster.ts';
import { rosterSchema } from '../../domain/roster.ts';
import { busHandlers, DEFAULT_SETTINGS, flowResultHandler, type Deps } from '../../handlers/index.ts';
import { silentLogger } from '../../handlers/lib/logger.ts';
import { LocalBus } from '../../infra/local/bus.ts';
import { startDynalite } from '../../infra/local/dynalite.ts';
import { VirtualScheduler } from '../../infra/local/scheduler.ts';
import { VirtualTime } from '../../infra/local/virtual-time.ts';
import { createDocumentClient, ElectroStore } from '../../infra/store/repository.ts';
import { ensureTable } from '../../infra/store/table.ts';
import { ConnectSimulator, type PhoneBehaviour } from '../../infra/local/connect-simulator.ts';

/** 2026-11-24 10:00 JST, a Tuesday: inside everybody's office hours unless a test says otherwise. */
export const T0 = Date.parse('2026-11-24T01:00:00Z');

let shared: Promise<{ endpoint: string; close: () => Promise<void> }> | undefined;
/** One embedded store per test file; each harness gets its own table in it. */
function dynaliteServer() {
  shared ??= startDynalite();
  return shared;
}

export async function closeDynalite(): Promise<void> {
  if (shared) await (await shared).close();
  shared = undefined;
}

/**
 * The whole choreography in one process: the real handlers and real ElectroDB store (on dynalite),
 * a bus applying the routing table's patterns, virtual time, a scheduler on it, and fake phones.
 */
export class Harness {
  readonly time = new VirtualTime(T0);
  readonly bus: LocalBus;
  readonly scheduler: VirtualScheduler;
  readonly phones: ConnectSimulator;
  readonly deps: Deps;
  private checkedCalls = 0;

  private constructor(readonly store: ElectroStore) {
    let ids = 0;
    this.bus = new LocalBus({
      clock: this.time,
      newId: () => `evt-${String(++ids).padStart(5, '0')}`,
      dispatch: (handler, envelope) => handlers[handler](envelope),
    });
    this.scheduler = new VirtualScheduler(this.time, this.bus);
    this.phones = new ConnectSimulator(this.time, this.bus);
    this.deps = {
      store,
      bus: this.bus,
      scheduler: this.scheduler,
      telephony: this.phones,
      clock: this.time,
      log: silentLogger,
      settings: DEFAULT_SETTINGS,
    };
    const handlers = Object.fromEntries(
      Object.entries(busHandlers).map(([name, make]) => [name, make(this.deps)]),
    ) as Record<keyof typeof busHandlers, (e: Envelope) => Promise<void>>;
    const flowResult = flowResultHandler(this.deps);
    this.phones.invokeLambda = (_arn, event) => flowResult(event);
    this.time.afterEach = () => this.bus.drain();
  }

  static async start(): Promise<Harness> {
    const { endpoint } = await dynaliteServer();
    const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const table = `yobidashi-${randomUUID()}`;
    await ensureTable(new DynamoDBClient(config), table);
    return new Harness(new ElectroStore(createDocumentClient(config), table));
  }

  async roster(input: RosterInput): Promise<void> {
    await this.store.putRoster(rosterSchema.parse(input));
  }

  phone(number: string, behaviour: PhoneBehaviour): void {
    this.phones.setPhone(number, behaviour);
  }

  /** What a phone heard on each of its calls, in order. */
  heard(number: string): string[][] {
    return this.phones.calls
      .filter((c) => c.destination === number)
      .map((c) => (c.run?.result.transcript ?? []).map((s) => s.text));
  }

  /** `aws events put-events` from a monitoring tool. */
  async sendAlert(detail: unknown, source = 'nagios'): Promise<Envelope> {
    const envelope = this.bus.accept({ source, detailType: 'AlertReceived', detail });
    await this.bus.drain();
    return envelope;
  }

  async advance(ms: number): Promise<void> {
    await this.time.advance(ms);
    await this.bus.drain();
  }

  /** Fast-forwards until nothing is pending (or the limit), like leaving the system alone. */
  async settle(limitMs = 24 * 3_600_000): Promise<void> {
    const end = this.time.now() + limitMs;
    for (let next = this.time.nextAt(); next !== undefined && next <= end; next = this.time.nextAt()) {
      await this.time.advanceTo(next);
      await this.bus.drain();
    }
  }

  async incidents(): Promise<Incident[]> {
    return this.store.listIncidents(100);
  }

  async onlyIncident(): Promise<Incident> {
    const incidents = await this.incidents();
    expect(incidents).toHaveLength(1);
    return incidents[0] as Incident;
  }

  /** The numbers called since the last check, in order; the GoAlert way: expect exactly these. */
  expectCalls(numbers: string[]): void {
    const calls = this.phones.calls.slice(this.checkedCalls).map((c) => c.destination);
    this.checkedCalls = this.phones.calls.length;
    expect(calls).toEqual(numbers);
  }

  /** At the end of every scenario: nothing left in flight, no call nobody expected, no dead letters. */
  async assertNoUnexpectedCalls(): Promise<void> {
    await this.settle(7 * 24 * 3_600_000);
    expect(this.phones.calls.slice(this.checkedCalls).map((c) => c.destination)).toEqual([]);
    expect(this.bus.deadLetters.map((d) => `${d.delivery.route.name}: ${String(d.error)}`)).toEqual([]);
  }

  published(detailType: string): Envelope[] {
    return this.bus.archive.filter((e) => e['detail-type'] === detailType);
  }
}
