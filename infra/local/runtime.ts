import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BUS_NAME } from '../../events/envelope.ts';
import { busHandlers, DEFAULT_SETTINGS, flowResultHandler, type Deps } from '../../handlers/index.ts';
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
import { EventBridgeEmulator } from './event-bridge.ts';
import { ScaledClock } from './scaled-clock.ts';
import { LocalScheduler } from './scheduler-service.ts';
import { createLocalServer } from './server.ts';

/**
 * All of yobidashi in one process. The handlers are the Lambda handlers, given the real AWS SDK v3
 * adapters pointed at this process: EventBridge, Scheduler and Connect answer on the local port,
 * DynamoDB is dynalite on disk. Only the wiring differs from AWS.
 */

export interface RuntimeOptions {
  dataDir?: string;
  port?: number;
  host?: string;
  timeScale?: number;
  logLevel?: LogLevel;
  log?: Logger;
  /** Called with each event accepted on the bus, for the console's running commentary. */
  onEvent?: (detailType: string, detail: unknown, time: string) => void;
}

export interface Runtime {
  url: string;
  port: number;
  dataDir: string;
  timeScale: number;
  clock: ScaledClock;
  emulator: EventBridgeEmulator;
  simulator: ConnectSimulator;
  store: ElectroStore;
  /** Stops at once, as a killed process would: in-flight work is abandoned, state is on disk. */
  stop(): Promise<void>;
}

export const TABLE_NAME = 'yobidashi';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const dataDir = resolve(options.dataDir ?? '.yobidashi');
  mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
  const timeScale = options.timeScale ?? 1;
  const clock = new ScaledClock(timeScale, join(dataDir, 'clock.json'));
  const log = options.log ?? jsonLogger({ level: options.logLevel ?? 'warn', now: () => clock.now(), fields: { service: 'yobidashi-local' } });
  clock.onError = (error) => log.error('timer failed', { error });

  const dynamo = await startDynalite({ path: join(dataDir, 'dynamodb') });
  const dynamoConfig = { endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  await ensureTable(new DynamoDBClient(dynamoConfig), TABLE_NAME);
  const store = new ElectroStore(createDocumentClient(dynamoConfig), TABLE_NAME);

  // Handlers are created once the port is known (their SDK clients point at it).
  let handlers: Record<string, (event: unknown) => Promise<void>> = {};
  const emulator = new EventBridgeEmulator({
    clock,
    log,
    archiveFile: join(dataDir, 'archive.jsonl'),
    journalFile: join(dataDir, 'deliveries.jsonl'),
    dispatch: async (name, envelope) => {
      const handler = handlers[name];
      if (!handler) throw new Error(`no handler ${name}`);
      if (name === 'timeline' && !envelope['replay-name']) options.onEvent?.(envelope['detail-type'], envelope.detail, envelope.time);
      await handler(envelope);
    },
    onRejected: async (entry, error) => {
      await store.recordRejection({
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
  const toDefaultBus = { publish: async (events: readonly { source?: string; detailType: string; detail: unknown }[]) => {
    await emulator.putEvents(events.map((e) => ({ EventBusName: 'default', Source: e.source ?? 'aws.connect', DetailType: e.detailType, Detail: JSON.stringify(e.detail) })));
  } };
  const simulator = new ConnectSimulator(clock, toDefaultBus, undefined, undefined, join(dataDir, 'connect-tokens.tsv'));
  const scheduler = new LocalScheduler(clock, (entries) => emulator.putEvents(entries), log, join(dataDir, 'schedules.json'), emulator.region, emulator.account);
  const connect = new ConnectService(simulator);
  const server = createLocalServer({ emulator, scheduler, connect, api: createApi({ store, simulator, emulator, clock, timeScale }), log });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  const aws = { endpoint: url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const deps: Deps = {
    store,
    bus: EventBridgeBus.fromConfig(BUS_NAME, aws),
    scheduler: EventBridgeScheduler.fromConfig({ groupName: 'yobidashi', busArn: emulator.busArn(BUS_NAME), roleArn: `arn:aws:iam::${emulator.account}:role/yobidashi-scheduler` }, aws),
    telephony: ConnectTelephony.fromConfig({ instanceId: 'local', contactFlowId: 'yobidashi-call', sourcePhoneNumber: '+815000000000' }, aws),
    clock,
    log,
    settings: DEFAULT_SETTINGS,
  };
  handlers = Object.fromEntries(Object.entries(busHandlers).map(([name, make]) => [name, make(deps)]));
  const flowResult = flowResultHandler(deps);
  simulator.invokeLambda = (_arn, event) => flowResult(event);
  const resumed = emulator.resumePending();
  if (resumed) log.warn('redelivering events that were under way when yobidashi last stopped', { deliveries: resumed });

  return {
    url,
    port,
    dataDir,
    timeScale,
    clock,
    emulator,
    simulator,
    store,
    async stop() {
      emulator.stop();
      clock.stop();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await dynamo.close();
    },
  };
}
