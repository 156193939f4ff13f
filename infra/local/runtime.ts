import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { SWEEP_SCHEDULE } from '../../events/delivery.ts';
import { BUS_NAME, type Envelope } from '../../events/envelope.ts';
import { busHandlers, DEFAULT_SETTINGS, flowResultHandler, type Deps } from '../../handlers/index.ts';
import type { Settings } from '../../handlers/lib/deps.ts';
import { jsonLogger, type LogLevel } from '../../handlers/lib/logger.ts';
import type { Logger } from '../../handlers/ports.ts';
import { ConnectTelephony } from '../aws/adapters/connect.ts';
import { EventBridgeBus } from '../aws/adapters/event-bus.ts';
import { EventBridgeScheduler } from '../aws/adapters/scheduler.ts';
import { createDocumentClient, ElectroStore } from '../store/repository.ts';
import { ensureTable } from '../store/table.ts';
import { createApi } from './api.ts';
import { ConnectService } from './connect-service.ts';
import { ConnectSimulator } from './connect-simulator.ts';
import { startDynalite } from './dynalite.ts';
import { EventBridgeCore } from './event-bridge.ts';
import { LocalFailedDeliveries } from './failed-deliveries.ts';
import { FaultBook } from './faults.ts';
import { ScaledClock } from './scaled-clock.ts';
import { SchedulerService } from './scheduler-service.ts';
import { createLocalServer } from './server.ts';
import type { Timers } from './timers.ts';

/**
 * All of yobidashi in one process. The handlers are the Lambda handlers, given the real AWS SDK v3
 * adapters pointed at this process: EventBridge, Scheduler, Connect and DynamoDB (dynalite behind
 * it) answer on the local port. Only the wiring differs from AWS. The scenario tests run this very
 * composition on virtual time (`timers`), so what they prove is what `npm start` runs.
 */

export interface RuntimeOptions {
  dataDir?: string;
  port?: number;
  host?: string;
  timeScale?: number;
  logLevel?: LogLevel;
  log?: Logger;
  /** Drive everything on these timers instead of the (scaled) wall clock: the tests' virtual time. */
  timers?: Timers;
  /** Use this DynamoDB endpoint and table instead of starting dynalite under the data dir. */
  dynamo?: { endpoint: string; table: string };
  settings?: Partial<Settings>;
  /** Event ids, for deterministic tests. */
  newId?: () => string;
  /** Called with each event accepted on the bus, for the console's running commentary. */
  onEvent?: (detailType: string, detail: unknown, time: string) => void;
}

export interface Runtime {
  url: string;
  port: number;
  dataDir: string;
  timeScale: number;
  clock: Timers;
  emulator: EventBridgeCore;
  scheduler: SchedulerService;
  connect: ConnectService;
  simulator: ConnectSimulator;
  faults: FaultBook;
  store: ElectroStore;
  /** The ports the handlers were built with (tests patch them to inject crashes). */
  deps: Deps;
  /** Stops at once, as a killed process would: in-flight work is abandoned, state is on disk. */
  stop(): Promise<void>;
}

export const TABLE_NAME = 'yobidashi';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';
export const SCHEDULE_GROUP = 'yobidashi';

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const dataDir = resolve(options.dataDir ?? '.yobidashi');
  mkdirSync(dataDir, { recursive: true });
  const timeScale = options.timeScale ?? 1;
  const scaled = options.timers ? undefined : new ScaledClock(timeScale, join(dataDir, 'clock.json'));
  const clock: Timers = options.timers ?? (scaled as ScaledClock);
  const log = options.log ?? jsonLogger({ level: options.logLevel ?? 'warn', now: () => clock.now(), fields: { service: 'yobidashi-local' } });
  if (scaled) scaled.onError = (error) => log.error('timer failed', { error });

  let dynamo: { endpoint: string; close: () => Promise<void> };
  if (options.dynamo) dynamo = { endpoint: options.dynamo.endpoint, close: async () => undefined };
  else {
    mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
    dynamo = await startDynalite({ path: join(dataDir, 'dynamodb') });
  }
  const table = options.dynamo?.table ?? TABLE_NAME;
  // An older data dir's table gains new indexes; if it must be rebuilt, its items are saved here first.
  const backup = join(dataDir, `table-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
  await ensureTable(new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }), table, backup);

  const faults = new FaultBook(clock);
  // Handlers are created once the port is known (their SDK clients point at it).
  let handlers: Record<string, (event: unknown) => Promise<void>> = {};
  let store: ElectroStore | undefined;
  const emulator = new EventBridgeCore({
    timers: clock,
    log,
    faults,
    archiveFile: join(dataDir, 'archive.jsonl'),
    journalFile: join(dataDir, 'deliveries.jsonl'),
    deadLetterFile: join(dataDir, 'dead-letters.jsonl'),
    ...(options.newId ? { newId: options.newId } : {}),
    invoke: async (name, envelope) => {
      const handler = handlers[name];
      if (!handler) throw new Error(`no handler ${name}`);
      await handler(envelope);
    },
    onAccepted: (envelope: Envelope) => options.onEvent?.(envelope['detail-type'], envelope.detail, envelope.time),
    onRejected: async (entry, error) => {
      await store?.recordRejection({
        rejectionId: crypto.randomUUID(),
        at: clock.now(),
        source: entry.Source ?? '(none)',
        sourceEventId: '(rejected by PutEvents)',
        reason: `${error.ErrorCode}: ${error.ErrorMessage}`,
        issues: [],
        input: JSON.stringify(entry).slice(0, 2048),
      });
    },
  });
  // Connect publishes its contact events on the default bus, best effort: if EventBridge fails
  // them, they are gone (the safety-net check reconciles with DescribeContact).
  const toDefaultBus = {
    publish: async (events: readonly { source?: string; detailType: string; detail: unknown }[]) => {
      try {
        await emulator.putEvents(events.map((e) => ({ EventBusName: 'default', Source: e.source ?? 'aws.connect', DetailType: e.detailType, Detail: JSON.stringify(e.detail) })));
      } catch (error) {
        log.warn('Connect could not publish a contact event; it is lost', { error });
      }
    },
  };
  const simulator = new ConnectSimulator(clock, toDefaultBus, undefined, undefined, join(dataDir, 'connect-tokens.tsv'));
  const scheduler = new SchedulerService({
    timers: clock,
    putEvents: (entries) => emulator.putEvents(entries),
    log,
    faults,
    file: join(dataDir, 'schedules.jsonl'),
    region: emulator.region,
    account: emulator.account,
  });
  const connect = new ConnectService(simulator, clock, faults);
  let api: ReturnType<typeof createApi> | undefined;
  const server = createLocalServer({
    emulator,
    scheduler,
    connect,
    faults,
    dynamoEndpoint: dynamo.endpoint,
    api: (req) => (api as ReturnType<typeof createApi>)(req),
    log,
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  // Every AWS call the handlers make goes through this port, DynamoDB included (so faults apply).
  // The SDK's own retries keep their shape, but their waits run on the runtime's clock: scaled,
  // or none at all on virtual time (where the clock stands still while a handler runs).
  const retryStrategy = new ConfiguredRetryStrategy(2, (attempt) => (options.timers ? 0 : Math.round((Math.random() * Math.min(20_000, 100 * 2 ** attempt)) / timeScale)));
  const aws = { endpoint: url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, retryStrategy };
  store = new ElectroStore(createDocumentClient(aws), table);
  api = createApi({ store, simulator, emulator, faults, clock, timeScale });
  const deps: Deps = {
    store,
    bus: EventBridgeBus.fromConfig(BUS_NAME, aws),
    scheduler: EventBridgeScheduler.fromConfig({ groupName: SCHEDULE_GROUP, busArn: emulator.busArn(BUS_NAME), roleArn: `arn:aws:iam::${emulator.account}:role/yobidashi-scheduler` }, aws),
    telephony: ConnectTelephony.fromConfig({ instanceId: 'local', contactFlowId: 'yobidashi-call', sourcePhoneNumber: '+815000000000' }, aws),
    failures: new LocalFailedDeliveries(emulator),
    clock,
    log,
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
  };
  handlers = Object.fromEntries(Object.entries(busHandlers).map(([name, make]) => [name, make(deps)]));
  const flowResult = flowResultHandler(deps);
  simulator.invokeLambda = async (_arn, event) => {
    const fault = faults.take('handler:flow-result');
    if (fault) throw fault;
    return flowResult(event);
  };
  ensureSweep(scheduler, emulator.busArn(BUS_NAME), emulator.account);
  const resumed = emulator.resumePending();
  if (resumed) log.warn('redelivering events that were under way when yobidashi last stopped', { deliveries: resumed });

  return {
    url,
    port,
    dataDir,
    timeScale,
    clock,
    emulator,
    scheduler,
    connect,
    simulator,
    faults,
    store,
    deps,
    async stop() {
      emulator.stop();
      scaled?.stop();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await dynamo.close();
    },
  };
}

/** The sweep's recurring schedule, as the CDK stack deploys it (events/delivery.ts). */
function ensureSweep(scheduler: SchedulerService, busArn: string, account: string): void {
  if (scheduler.list().some((s) => s.Name === SWEEP_SCHEDULE.name)) return;
  scheduler.create(SWEEP_SCHEDULE.name, {
    GroupName: SCHEDULE_GROUP,
    ScheduleExpression: SWEEP_SCHEDULE.expression,
    ActionAfterCompletion: 'NONE',
    Target: { Arn: busArn, RoleArn: `arn:aws:iam::${account}:role/yobidashi-scheduler`, Input: JSON.stringify({ schemaVersion: 1 }), EventBridgeParameters: { Source: 'yobidashi', DetailType: SWEEP_SCHEDULE.detailType } },
  });
}
