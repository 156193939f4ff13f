import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Envelope } from '../../events/envelope.ts';
import type { Incident } from '../../domain/incident.ts';
import type { RosterInput } from '../../domain/roster.ts';
import { rosterSchema } from '../../domain/roster.ts';
import type { Settings } from '../../handlers/lib/deps.ts';
import { silentLogger } from '../../handlers/lib/logger.ts';
import type { Logger } from '../../handlers/ports.ts';
import type { PhoneBehaviour } from '../../infra/local/aws/connect/connect-simulator.ts';
import { startDynalite } from '../../infra/local/aws/dynamodb/dynalite.ts';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';
import { VirtualTime } from './virtual-time.ts';

/** 2026-11-24 10:00 JST, a Tuesday: inside everybody's office hours unless a test says otherwise. */
export const T0 = Date.parse('2026-11-24T01:00:00Z');

let shared: Promise<{ endpoint: string; close: () => Promise<void> }> | undefined;
const open: Harness[] = [];

/** One embedded store per test file; each harness gets its own table in it. */
function dynaliteServer() {
  shared ??= startDynalite();
  return shared;
}

/** Stops every harness of the file and the shared store (afterAll). */
export async function closeDynalite(): Promise<void> {
  await Promise.all(open.splice(0).map((h) => h.close()));
  if (shared) await (await shared).close();
  shared = undefined;
}

/**
 * The local runtime `npm start` runs — the same composition: the real handlers with the real AWS
 * SDK adapters, over the one-port server, the EventBridge core, the Scheduler, the Connect
 * simulator with its quotas running the real contact flow, faults, DynamoDB through the port —
 * driven by virtual time instead of the wall clock. Phones are scripted; time is fast-forwarded.
 */
export class Harness {
  private checkedCalls = 0;

  private constructor(
    readonly rt: Runtime,
    readonly time: VirtualTime,
  ) {}

  /** `at`: when virtual time begins (default T0), e.g. just before a daylight-saving change. */
  static async start(options: { settings?: Partial<Settings>; log?: Logger; at?: number } = {}): Promise<Harness> {
    const { endpoint } = await dynaliteServer();
    const time = new VirtualTime(options.at ?? T0);
    let ids = 0;
    const rt = await startRuntime({
      timers: time,
      dynamo: { endpoint, table: `yobidashi-${randomUUID()}` },
      dataDir: mkdtempSync(join(tmpdir(), 'yobidashi-harness-')),
      port: 0,
      log: options.log ?? silentLogger,
      newId: () => `evt-${String(++ids).padStart(5, '0')}`,
      ...(options.settings ? { settings: options.settings } : {}),
    });
    const h = new Harness(rt, time);
    open.push(h);
    return h;
  }

  async close(): Promise<void> {
    await this.rt.stop();
    rmSync(this.rt.dataDir, { recursive: true, force: true });
  }

  get store() {
    return this.rt.store;
  }
  get deps() {
    return this.rt.deps;
  }
  get phones() {
    return this.rt.simulator;
  }
  get cloud() {
    return this.rt.emulator;
  }

  async roster(input: RosterInput): Promise<void> {
    await this.store.putRoster(rosterSchema.parse(input));
  }

  phone(number: string, behaviour: PhoneBehaviour): void {
    this.phones.setPhone(number, behaviour);
  }

  /** What a phone heard on each of its calls, in order. */
  heard(number: string): string[][] {
    return this.phones.calls.filter((c) => c.destination === number).map((c) => (c.run?.result.transcript ?? []).map((s) => s.text));
  }

  /** PutEvents, as a monitoring tool (or, for an aws.* source, the AWS service) would call it; runs what it set off. */
  async put(entry: { source: string; detailType: string; detail: unknown; bus?: 'yobidashi' | 'default'; resources?: string[] }): Promise<Envelope> {
    const [result] = await this.cloud.putEvents([
      { EventBusName: entry.bus ?? 'yobidashi', Source: entry.source, DetailType: entry.detailType, Detail: JSON.stringify(entry.detail), ...(entry.resources ? { Resources: entry.resources } : {}) },
      // An aws.* source is an AWS service putting its own event (CloudWatch, Connect), which only AWS may.
    ], { from: entry.source.startsWith('aws.') ? 'aws-service' : 'caller' });
    if (!result || 'ErrorCode' in result) throw new Error(`PutEvents refused the entry: ${JSON.stringify(result)}`);
    await this.drain();
    return this.cloud.archive.find((e) => e.id === result.EventId) as Envelope;
  }

  /** `aws events put-events` from a monitoring tool. */
  sendAlert(detail: unknown, source = 'nagios'): Promise<Envelope> {
    return this.put({ source, detailType: 'AlertReceived', detail });
  }

  /** Runs everything due now (deliveries, their retries' first tries, what handlers publish). */
  async drain(): Promise<void> {
    await this.time.advanceTo(this.time.now());
  }

  async advance(ms: number): Promise<void> {
    await this.time.advance(ms);
  }

  /**
   * Fast-forwards until nothing is left to do (or the limit): leaving the system alone. Pending
   * work is every timer except the recurring sweep, and any dead letter young enough for the
   * sweep to redrive (then time runs on to the next sweep): a handler's or a rule's, not a schedule's.
   */
  async settle(limitMs = 24 * 3_600_000): Promise<void> {
    const end = this.time.now() + limitMs;
    for (;;) {
      await this.time.settle(end);
      const now = this.time.now();
      // The sweep reads the handler-failure and rule queues; a schedule's dead letter waits for a person.
      const redrivable = this.cloud.deadLetters.some((l) => l.stage !== 'schedule' && now - Date.parse(l.envelope.time) < this.deps.settings.redriveMaxAgeMs);
      const nextSweep = this.time.nextAt({ background: true });
      if (!redrivable || nextSweep === undefined || nextSweep > end) return;
      await this.time.advanceTo(nextSweep);
    }
  }

  /** StartReplay of the archive window; returns how many events were replayed once it completed. */
  async replay(name: string, fromMs: number, toMs: number): Promise<number> {
    const replay = this.cloud.startReplay({ ReplayName: name, EventSourceArn: this.cloud.archiveArn(), EventStartTime: fromMs / 1000, EventEndTime: toMs / 1000 });
    await this.settle();
    expect(replay.State).toBe('COMPLETED');
    return replay.eventsReplayed;
  }

  async incidents(): Promise<Incident[]> {
    return this.store.listIncidents(10_000);
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

  deadLetters(): string[] {
    return this.cloud.deadLetters.map((d) => `${d.route}: ${d.error}`);
  }

  /**
   * At the end of every scenario: leave it alone for a week (long enough for sweeps to find
   * anything left broken), then no call nobody expected and no dead letters.
   */
  async assertNoUnexpectedCalls(): Promise<void> {
    await this.settle(7 * 24 * 3_600_000);
    await this.advance(this.deps.settings.staleAfterMs * 2);
    await this.settle(7 * 24 * 3_600_000);
    expect(this.phones.calls.slice(this.checkedCalls).map((c) => c.destination)).toEqual([]);
    expect(this.deadLetters()).toEqual([]);
  }

  /**
   * The invariant of docs/escalation.md: every open incident has a live call (placed, still up in
   * Connect) or a pending check. Returns the incidents that break it.
   */
  async invariantViolations(): Promise<string[]> {
    const pending = this.rt.scheduler.list().filter((s) => !s.fired && s.Target.EventBridgeParameters?.DetailType === 'CallCheckDue');
    const violations: string[] = [];
    for (const incident of await this.store.listOpenIncidents()) {
      const call = incident.call;
      const simulated = call?.contactId ? this.phones.calls.find((c) => c.contactId === call.contactId) : undefined;
      const live = simulated !== undefined && this.phones.status(simulated).endedAt === undefined;
      const checked = pending.some((s) => s.Name.startsWith(`chk-${incident.incidentId}-`));
      if (!live && !checked) violations.push(`${incident.incidentId} attempt ${call?.attempt}: no live call and no pending check`);
    }
    return violations;
  }

  published(detailType: string): Envelope[] {
    return this.cloud.archive.filter((e) => e['detail-type'] === detailType);
  }

  /** The checks that fired, for one incident and attempt, as seconds after `fromMs`. */
  checksFired(incidentId: string, attempt: number, fromMs: number): number[] {
    return this.published('CallCheckDue')
      .filter((e) => (e.detail as { incidentId: string; attempt: number }).incidentId === incidentId && (e.detail as { attempt: number }).attempt === attempt)
      .map((e) => (Date.parse(e.time) - fromMs) / 1000);
  }
}
