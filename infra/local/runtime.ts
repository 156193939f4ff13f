import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { SWEEP_SCHEDULE } from '../../events/delivery.ts';
import { BUS_NAME, type Envelope } from '../../events/envelope.ts';
import { busHandlers, DEFAULT_SETTINGS, flowResultHandler, type Deps } from '../../handlers/index.ts';
import { countingBus, type Settings } from '../../handlers/lib/deps.ts';
import { jsonLogger, type LogLevel } from '../../handlers/lib/logger.ts';
import type { Logger } from '../../handlers/ports.ts';
import { ConnectTelephony } from '../aws/adapters/connect.ts';
import { EventBridgeBus } from '../aws/adapters/event-bus.ts';
import { SqsFailedDeliveries } from '../aws/adapters/failed-deliveries.ts';
import { SnsNotifier } from '../aws/adapters/notifier.ts';
import { EventBridgeScheduler } from '../aws/adapters/scheduler.ts';
import { createDocumentClient, ElectroStore } from '../store/repository.ts';
import { ensureTable } from '../store/table.ts';
import { LiveFeed } from './api/live-feed.ts';
import { ConnectService } from './aws/connect/connect-service.ts';
import { ConnectSimulator } from './aws/connect/connect-simulator.ts';
import { startDynalite } from './aws/dynamodb/dynalite.ts';
import { EventBridgeCore } from './aws/eventbridge/event-bridge-core.ts';
import { FaultBook } from './aws/faults/fault-book.ts';
import { LambdaFunctions } from './aws/lambda/invoke.ts';
import { ScaledClock } from './clock/scaled-clock.ts';
import { SchedulerService } from './aws/scheduler/scheduler-service.ts';
import { localApp, openPort } from './http/server.ts';
import { MetricRegistry } from './metrics.ts';
import { DeadLetterQueues } from './aws/sqs/dead-letter-queues.ts';
import { CONNECT, LocalStack } from './aws/cloudformation/local-stack.ts';
import type { Timers } from './clock/timers.ts';
import { NotificationTopic, type PublishedNotification } from './aws/sns/notification-topic.ts';
import { DeadLetterAlarm } from './dead-letter-alarm.ts';

/**
 * All of yobidashi in one process. The handlers are the Lambda handlers, given the real AWS SDK v3
 * adapters pointed at this process: EventBridge, Scheduler, Connect and DynamoDB (dynalite behind
 * it) answer on the local port, and so do SQS and Lambda for the sweep's redrive (the AWS adapter
 * reads the dead-letter queues and invokes the functions over the wire). Only the wiring differs
 * from AWS. The port also answers as the stack (CloudFormation DescribeStacks), so the CLI's AWS
 * back end and the AWS CLI work against it. The scenario tests run this very composition on
 * virtual time (`timers`), so what they prove is what `npm start` runs.
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
  /** Called with each notification the topic publishes (the console prints them). */
  onNotification?: (notification: PublishedNotification) => void;
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
  /** What the console's live stream carries (`GET /api/stream`). */
  feed: LiveFeed;
  /** The runtime as a deployed stack: its outputs, queue URLs and function names. */
  stack: LocalStack;
  /** The SQS face over the dead-letter list. */
  queues: DeadLetterQueues;
  /** The notification topic (`GET /api/notifications`): what SNS would deliver on AWS. */
  topic: NotificationTopic;
  /** What the handlers and the platform counted (`GET /api/metrics`). */
  metrics: MetricRegistry;
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
  // The logger stamps the runtime's time; until the clock exists (it may report its own file), the wall clock.
  let clockNow: () => number = () => Date.now();
  const log = options.log ?? jsonLogger({ level: options.logLevel ?? 'warn', now: () => clockNow(), fields: { service: 'yobidashi-local' } });
  const scaled = options.timers ? undefined : new ScaledClock(timeScale, join(dataDir, 'clock.json'), undefined, log);
  const clock: Timers = options.timers ?? (scaled as ScaledClock);
  clockNow = () => clock.now();
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
  // Counts since this start: the handlers' (through the bus they publish on) and the platform's.
  const metrics = new MetricRegistry();
  // Handlers are created once the port is known (their SDK clients point at it).
  let handlers: Record<string, (event: unknown) => Promise<void>> = {};
  let store: ElectroStore | undefined;
  let feed: LiveFeed | undefined;
  let deadLetterAlarm: DeadLetterAlarm | undefined;
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
    onDeadLetter: (letter) => {
      metrics.record([{ name: 'DeadLetters', value: 1, dimensions: { handler: letter.handler } }]);
      deadLetterAlarm?.kept(letter);
    },
    onAccepted: (envelope: Envelope, bus: string) => {
      options.onEvent?.(envelope['detail-type'], envelope.detail, envelope.time);
      feed?.accepted(envelope, bus);
    },
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
        await emulator.putEvents(
          events.map((e) => ({ EventBusName: 'default', Source: e.source ?? 'aws.connect', DetailType: e.detailType, Detail: JSON.stringify(e.detail) })),
          { from: 'aws-service' },
        );
      } catch (error) {
        log.warn('Connect could not publish a contact event; it is lost', { error });
      }
    },
  };
  // Phones, calls and ClientTokens are journalled: a restart loses none of them (connect-journal.ts).
  const simulator = new ConnectSimulator(clock, toDefaultBus, undefined, undefined, { file: join(dataDir, 'connect.jsonl'), legacyTokenFile: join(dataDir, 'connect-tokens.tsv'), log });
  const scheduler = new SchedulerService({
    timers: clock,
    putEvents: (entries) => emulator.putEvents(entries),
    log,
    faults,
    file: join(dataDir, 'schedules.jsonl'),
    region: emulator.region,
    account: emulator.account,
    // The Scheduler's dead-letter queue is the one dead-letter list too (the check queue on SQS).
    onDeadLetter: (schedule, failure) => {
      const params = schedule.Target.EventBridgeParameters;
      const kept = emulator.scheduleFailed({
        scheduleArn: scheduler.arn(schedule.GroupName, schedule.Name),
        targetArn: schedule.Target.Arn,
        source: params?.Source ?? 'aws.scheduler',
        detailType: params?.DetailType ?? 'Scheduled Event',
        input: schedule.Target.Input ?? '{}',
        scheduledAt: failure.scheduledAt,
        condition: failure.condition,
        error: failure.error,
        attempts: failure.attempts,
      });
      if (!kept) log.error('a schedule dead letter no route would take was dropped', { schedule: schedule.Name });
    },
  });
  const connect = new ConnectService(simulator, clock, faults, () => stack.connectIdentity());
  const port = await openPort({ port: options.port ?? 4010, host: options.host ?? '127.0.0.1', log });
  const { url } = port;

  // Every AWS call the handlers make goes through this port, DynamoDB included (so faults apply).
  // The SDK's own retries keep their shape, but their waits run on the runtime's clock: scaled,
  // or none at all on virtual time (where the clock stands still while a handler runs).
  const retryStrategy = new ConfiguredRetryStrategy(2, (attempt) => (options.timers ? 0 : Math.round((Math.random() * Math.min(20_000, 100 * 2 ** attempt)) / timeScale)));
  const aws = { endpoint: url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, retryStrategy };
  // The notification topic, kept in the data dir; SNS's Publish answers on the port (aws/sns/).
  const topic = new NotificationTopic({ clock, region: emulator.region, account: emulator.account, file: join(dataDir, 'notifications.jsonl'), log });
  if (options.onNotification) topic.onPublish(options.onNotification);
  const stack = new LocalStack({
    url,
    account: emulator.account,
    region: emulator.region,
    busName: BUS_NAME,
    busArn: emulator.busArn(BUS_NAME),
    archiveArn: emulator.archiveArn(),
    tableName: table,
    createdAt: clock.now(),
    notificationTopicArn: topic.arn,
  });
  const queues = new DeadLetterQueues(emulator, stack, clock);
  store = new ElectroStore(createDocumentClient(aws), table);
  // The console's live stream reads the table directly, not through the port: watching must not
  // take the faults a rehearsal injected for the handlers (dynamodb:* counts requests).
  const quietStore = new ElectroStore(createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }), table);
  feed = new LiveFeed({ store: quietStore, simulator, log });
  // The parts the port's faces answer from, which the Runtime also hands to tests and the CLI.
  const parts = { clock, timeScale, emulator, scheduler, connect, simulator, faults, store, feed, stack, queues, metrics, topic };
  port.serve(localApp({ ...parts, dynamoEndpoint: dynamo.endpoint, lambda: new LambdaFunctions(emulator, stack, faults), log }));
  // The CLI command notifications print, pointed at this runtime.
  const cli = port.port === 4010 && (options.host ?? '127.0.0.1') === '127.0.0.1' ? 'npx yobidashi' : `npx yobidashi --endpoint ${url}`;
  const deps: Deps = {
    store,
    // Counting what it published, as on Lambda (handlers/lib/deps.ts).
    bus: countingBus(EventBridgeBus.fromConfig(BUS_NAME, aws), metrics, log),
    scheduler: EventBridgeScheduler.fromConfig({ groupName: SCHEDULE_GROUP, busArn: emulator.busArn(BUS_NAME), roleArn: `arn:aws:iam::${emulator.account}:role/yobidashi-scheduler` }, aws),
    telephony: ConnectTelephony.fromConfig({ ...CONNECT }, aws),
    // The sweep's redrive is the AWS adapter's, over the SQS and Lambda faces: the queues it reads
    // on AWS (handler failures, then the rules' dead letters; not the check queue), as the stack wires it.
    failures: SqsFailedDeliveries.fromConfig([stack.queueUrl('handler'), stack.queueUrl('rule')], aws, aws),
    // The SNS adapter the notify function uses on AWS, publishing to the local topic over the wire.
    notifier: SnsNotifier.fromConfig(topic.arn, aws),
    clock,
    log,
    metrics,
    settings: { ...DEFAULT_SETTINGS, cli, ...options.settings },
  };
  handlers = Object.fromEntries(Object.entries(busHandlers).map(([name, make]) => [name, make(deps)]));
  const flowResult = flowResultHandler(deps);
  simulator.invokeLambda = async (_arn, event) => {
    const fault = faults.take('handler:flow-result');
    if (fault) throw fault;
    return flowResult(event);
  };
  // Dead letters → a notification, as the stack's queue alarms publish to the topic on AWS.
  deadLetterAlarm = new DeadLetterAlarm({ timers: clock, notifier: deps.notifier, letters: () => emulator.deadLetters, published: () => topic.list(), look: { cli }, log, file: join(dataDir, 'dead-letter-alarm.jsonl') });
  ensureSweep(scheduler, emulator.busArn(BUS_NAME), emulator.account);
  const resumed = emulator.resumePending();
  if (resumed) log.warn('redelivering events that were under way when yobidashi last stopped', { deliveries: resumed });

  return {
    ...parts,
    url,
    port: port.port,
    dataDir,
    deps,
    async stop() {
      emulator.stop();
      scaled?.stop();
      await port.close();
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
