import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { bench, describe } from 'vitest';
import { rosterSchema, type RosterInput } from '../../domain/roster.ts';
import { silentLogger } from '../../handlers/lib/logger.ts';
import type { PhoneBehaviour } from '../../infra/local/aws/connect/connect-simulator.ts';
import { startDynalite } from '../../infra/local/aws/dynamodb/dynalite.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startRuntime, type Runtime } from '../../infra/local/runtime.ts';
import { T0 } from '../harness/harness.ts';
import { VirtualTime } from '../harness/virtual-time.ts';

/**
 * `npm run bench`: the latencies and per-incident usage that docs/performance.md reports (printed,
 * never asserted).
 *
 * 1. Latency on the real wall clock: the local runtime as `npm start` runs it (time scale 1, dynalite
 *    on disk under a temporary data dir, the real handlers and SDK adapters over the one HTTP port,
 *    the simulated Connect). Every incident has its own roster and two phones of its own, both busy
 *    (Connect ends a busy call after 3 s): so one alert gives one "alert accepted → dial" sample
 *    (the first phone) and one "call end → next dial" sample (the second). Alerts go in over HTTP
 *    with the AWS SDK, as a monitoring tool sends them, one every 1.1 s: two starts per 1.1 s stays
 *    under Connect's 2 a second (burst 5), at most a few calls are up at once (the limit is 10), and
 *    no phone is rung twice (so no line rest): what is measured is our code, not a queue. The run
 *    prints the waits it saw (CallDeferred) and Connect's peaks to prove it.
 *    - "accepted": the EventBridge core accepting the AlertReceived entry (its onAccepted, which
 *      PutEvents answers right after, in the same turn);
 *    - "dial": the simulated Connect starting the call (its onCall listener's first word of the
 *      contact, right after StartOutboundVoiceContact has journalled it and put INITIATED);
 *    - "call end": the simulator ending the contact (onCall's first word of it ended, right after
 *      DISCONNECTED is put on the bus, before any handler has seen it).
 *    The first WARMUP incidents are left out (JIT, the SDK clients' first connections).
 * 2. Usage per incident (for the cost estimate): the article's roster (three responders, three
 *    rounds) on virtual time, once acknowledged on the first call and once exhausted after nine
 *    unanswered calls. Counted: events accepted on the bus (by who put them), Lambda invocations
 *    (the routes each event matched, plus the flow's synchronous flow-result calls), the requests
 *    each AWS API received on the runtime's port (node:http's diagnostics channel, no hooks), and
 *    DynamoDB request units: a counting proxy between the runtime and dynalite adds
 *    ReturnConsumedCapacity=TOTAL to each request and sums what dynalite computes from item sizes
 *    (index writes are estimated from the items' index keys, read back after each write). An idle
 *    runtime over the same simulated span (the 5-minute sweep) is subtracted.
 */

const INCIDENTS = Number(process.env.YOBIDASHI_LATENCY_INCIDENTS ?? 210);
const WARMUP = 10;
const SPACING_MS = 1100;

// ---------------------------------------------------------------------------------------------
// Figures

interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of milliseconds. */
function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: rank(50),
    p90: rank(90),
    p99: rank(99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`).join('\n');
}

const ms = (x: number) => x.toFixed(1);

// ---------------------------------------------------------------------------------------------
// 1. Latency on the wall clock

const sleep = (delay: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, delay)));
const phoneOf = (incident: number, responder: 0 | 1) => `+81903${String(incident * 2 + responder).padStart(6, '0')}`;

async function measureLatency(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'yobidashi-latency-'));
  const accepted = new Map<string, number>();
  const rt = await startRuntime({
    timeScale: 1,
    port: 0,
    dataDir,
    log: silentLogger,
    onEvent: (detailType, detail) => {
      if (detailType !== 'AlertReceived') return;
      const system = (detail as { systemname?: unknown }).systemname;
      if (typeof system === 'string' && !accepted.has(system)) accepted.set(system, performance.now());
    },
  });
  try {
    for (let i = 0; i < INCIDENTS; i++) {
      await rt.store.putRoster(rosterSchema.parse({ system: `LAT${i}`, rounds: 1, responders: [0, 1].map((r) => ({ name: `r${r}`, phone: phoneOf(i, r as 0 | 1), language: 'en-US', timezone: 'UTC' })) }));
      for (const r of [0, 1] as const) rt.simulator.setPhone(phoneOf(i, r), { busy: true });
    }
    const dialled = new Map<string, number>();
    const ended = new Map<string, number>();
    const unsubscribe = rt.simulator.onCall((call) => {
      const now = performance.now();
      if (!dialled.has(call.destination)) dialled.set(call.destination, now);
      if (rt.simulator.state(call) === 'ended' && !ended.has(call.destination)) ended.set(call.destination, now);
    });
    const client = new EventBridgeClient({ endpoint: rt.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const started = performance.now();
    for (let i = 0; i < INCIDENTS; i++) {
      await sleep(started + i * SPACING_MS - performance.now());
      const detail = { systemname: `LAT${i}`, host: 'server1', service: 'CPU Utilization' };
      const { FailedEntryCount } = await client.send(new PutEventsCommand({ Entries: [{ EventBusName: 'yobidashi', Source: 'nagios', DetailType: 'AlertReceived', Detail: JSON.stringify(detail) }] }));
      if (FailedEntryCount) throw new Error(`PutEvents refused the alert of LAT${i}`);
    }
    const lastPhone = phoneOf(INCIDENTS - 1, 1);
    for (const deadline = performance.now() + 60_000; !ended.has(lastPhone) && performance.now() < deadline; ) await sleep(100);
    const elapsedS = (performance.now() - started) / 1000;
    unsubscribe();
    client.destroy();

    const toDial: number[] = [];
    const toNext: number[] = [];
    let missing = 0;
    for (let i = WARMUP; i < INCIDENTS; i++) {
      const [a, b] = [phoneOf(i, 0), phoneOf(i, 1)];
      const at = accepted.get(`LAT${i}`);
      const [dialA, endA, dialB] = [dialled.get(a), ended.get(a), dialled.get(b)];
      if (at === undefined || dialA === undefined || endA === undefined || dialB === undefined) {
        missing++;
        continue;
      }
      toDial.push(dialA - at);
      toNext.push(dialB - endA);
    }
    const waits = rt.emulator.archive.filter((e) => e['detail-type'] === 'CallDeferred').length;
    const rows = [
      ['wall clock, time scale 1 (ms)', 'n', 'min', 'p50', 'p90', 'p99', 'max', 'mean'],
      ...(
        [
          ['alert accepted → StartOutboundVoiceContact', summarize(toDial)],
          ['call end → next StartOutboundVoiceContact', summarize(toNext)],
        ] as const
      ).map(([label, s]) => [label, String(s.n), ms(s.min), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), ms(s.mean)]),
    ];
    return [
      `latency: ${INCIDENTS} incidents (${WARMUP} warm-up left out), one alert every ${SPACING_MS} ms, ${elapsedS.toFixed(0)} s`,
      table(rows),
      `  waits recorded (CallDeferred): ${waits}; Connect peaks: ${rt.connect.peaks.startsInOneSecond} starts in one second, ${rt.connect.peaks.concurrentCalls} calls at once; incidents without all three marks: ${missing}`,
    ].join('\n');
  } finally {
    await rt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Usage per incident

/** DynamoDB operations that can report consumed capacity. */
const CAPACITY_OPS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems']);
const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const INDEXES = ['gsi1', 'gsi2'] as const;

type AttributeValue = { S?: string } & Record<string, unknown>;
type Item = Record<string, AttributeValue>;

interface DynamoUsage {
  requests: Map<string, number>;
  rru: number;
  wru: number;
  /** Writes to the two global secondary indexes (projection ALL), estimated from the items' index keys. */
  indexWru: number;
  failedConditionalWrites: number;
}

const emptyUsage = (): DynamoUsage => ({ requests: new Map(), rru: 0, wru: 0, indexWru: 0, failedConditionalWrites: 0 });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Between the runtime's DynamoDB pass-through and dynalite: asks dynalite for each request's
 * consumed capacity and sums it. The answer goes back byte for byte (its CRC32 header stays true);
 * the only difference a caller could see is a ConsumedCapacity field it did not ask for.
 */
async function countingDynamo(): Promise<{ endpoint: string; usage: () => DynamoUsage; reset: () => void; close: () => Promise<void> }> {
  const dynalite = await startDynalite();
  let usage = emptyUsage();
  /** The index keys each item had after its last write (every write goes through here). */
  const indexKeys = new Map<string, Partial<Record<(typeof INDEXES)[number], string>>>();
  const keyOf = (key: Item) => `${key.pk?.S}|${key.sk?.S}`;
  const indexKeysOf = (item: Item | undefined) => Object.fromEntries(INDEXES.flatMap((i) => (item?.[`${i}pk`]?.S !== undefined ? [[i, `${item[`${i}pk`]?.S}|${item[`${i}sk`]?.S}`]] : [])));
  const forward = (target: string, body: string) =>
    fetch(dynalite.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target, 'x-amz-date': '20260101T000000Z', authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0' }, body });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.split('.')[1] ?? target;
      const input = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      const counted = CAPACITY_OPS.has(op) && input.ReturnConsumedCapacity === undefined;
      if (counted) input.ReturnConsumedCapacity = 'TOTAL';
      const answer = await fetch(dynalite.endpoint, { method: 'POST', headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)) as [string, string][]), body: JSON.stringify(input) });
      const text = await answer.text();
      if (counted) {
        usage.requests.set(op, (usage.requests.get(op) ?? 0) + 1);
        if (answer.ok) {
          const units = (JSON.parse(text) as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
          if (WRITE_OPS.has(op)) {
            usage.wru += units;
            const key = (input.Key ?? { pk: (input.Item as Item).pk, sk: (input.Item as Item).sk }) as Item;
            const after = (await (await forward('DynamoDB_20120810.GetItem', JSON.stringify({ TableName: input.TableName, Key: key, ConsistentRead: true }))).json()) as { Item?: Item };
            const before = indexKeys.get(keyOf(key)) ?? {};
            const now = indexKeysOf(after.Item);
            indexKeys.set(keyOf(key), now);
            for (const index of INDEXES) {
              const [was, is] = [before[index], now[index]];
              if (was === undefined && is === undefined) continue;
              usage.indexWru += (was !== undefined && is !== undefined && was !== is ? 2 : 1) * units;
            }
          } else usage.rru += units;
        } else if (WRITE_OPS.has(op) && text.includes('ConditionalCheckFailed')) {
          usage.failedConditionalWrites++;
          usage.wru += 1; // a failed condition still consumes the write (at least one unit)
        }
      }
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'date'].includes(name)) headers[name] = value;
      });
      res.writeHead(answer.status, headers).end(text);
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    usage: () => usage,
    reset: () => {
      usage = emptyUsage();
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dynalite.close();
    },
  };
}

interface Usage {
  spanMs: number;
  /** Events accepted on the yobidashi bus, by who put them. */
  events: Map<string, number>;
  invocations: Map<string, number>;
  /** AWS API requests the port received, by operation (DynamoDB's are in `dynamo`). */
  api: Map<string, number>;
  dynamo: DynamoUsage;
  calls: number;
  ringSeconds: number;
  connectedSeconds: number;
  /** How the incident ended, and after how long (simulated). */
  outcome: string;
}

/** What an AWS request on the port is, from its X-Amz-Target or its REST path. */
function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [service = '', op = ''] = target.split('.');
    const name = service.startsWith('DynamoDB') ? 'DynamoDB' : service.startsWith('AWSEvents') ? 'EventBridge' : service.startsWith('AmazonSQS') ? 'SQS' : service;
    return `${name} ${op}`;
  }
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (path.startsWith('/schedules/')) return `Scheduler ${req.method === 'POST' ? 'CreateSchedule' : req.method === 'DELETE' ? 'DeleteSchedule' : req.method === 'GET' ? 'GetSchedule' : 'UpdateSchedule'}`;
  if (path === '/contact/outbound-voice') return 'Connect StartOutboundVoiceContact';
  if (path.startsWith('/contacts/')) return 'Connect DescribeContact';
  if (path.startsWith('/contact/stop')) return 'Connect StopContact';
  if (path.startsWith('/2015-03-31/functions/')) return 'Lambda Invoke';
  // The awsQuery services name the action in the form body; the handlers' only one is SNS (the notifier).
  if (path === '/' && req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return 'SNS Publish (awsQuery)';
  return `other ${req.method} ${path}`;
}

const add = (map: Map<string, number>, key: string, n = 1) => map.set(key, (map.get(key) ?? 0) + n);

/** Runs one incident on virtual time (or none: the idle baseline) and counts what it used. */
async function countIncident(phone: PhoneBehaviour | undefined, spanMs?: number): Promise<Usage> {
  const dynamo = await countingDynamo();
  const time = new VirtualTime(T0);
  const dataDir = mkdtempSync(join(tmpdir(), 'yobidashi-usage-'));
  const rt: Runtime = await startRuntime({ timers: time, dynamo: { endpoint: dynamo.endpoint, table: 'yobidashi-usage' }, dataDir, port: 0, log: silentLogger });
  const api = new Map<string, number>();
  const listen = (message: unknown) => {
    const { request, socket } = message as { request: IncomingMessage; socket: { localPort?: number } };
    if (socket.localPort === rt.port) {
      const op = operationOf(request);
      if (!op.startsWith('DynamoDB')) add(api, op);
    }
  };
  try {
    const roster: RosterInput = { system: 'XYZ', responders: ['+819011110001', '+819011110002', '+819011110003'].map((p, i) => ({ name: `r${i + 1}`, phone: p, language: 'ja-JP', timezone: 'Asia/Tokyo' })) };
    await rt.store.putRoster(rosterSchema.parse(roster));
    for (const p of ['+819011110001', '+819011110002', '+819011110003']) rt.simulator.setPhone(p, phone ?? { answer: false });
    const archived = rt.emulator.archive.length;
    dynamo.reset();
    diagnostics.subscribe('http.server.request.start', listen);
    if (phone) {
      const detail = { alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }] };
      await rt.emulator.putEvents([{ EventBusName: 'yobidashi', Source: 'nagios', DetailType: 'AlertReceived', Detail: JSON.stringify(detail) }]);
      await time.settle(T0 + 24 * 3_600_000);
    } else await time.advanceTo(T0 + (spanMs ?? 0));
    diagnostics.unsubscribe('http.server.request.start', listen);

    const events = new Map<string, number>();
    const invocations = new Map<string, number>();
    for (const envelope of rt.emulator.archive.slice(archived)) {
      const by = envelope.source === 'nagios' ? 'monitoring tool (AlertReceived)' : envelope.source.startsWith('aws.') ? `AWS service, forwarded (${envelope.source})` : ['CallCheckDue', 'SweepDue'].includes(envelope['detail-type']) ? 'Scheduler (yobidashi)' : 'handlers (yobidashi)';
      add(events, by);
      for (const route of rt.emulator.matchingRoutes(envelope)) add(invocations, route.handler);
    }
    let ringSeconds = 0;
    let connectedSeconds = 0;
    for (const call of rt.simulator.calls) {
      const status = rt.simulator.status(call);
      const end = status.endedAt ?? time.now();
      ringSeconds += ((status.connectedAt ?? end) - call.placedAt) / 1000;
      connectedSeconds += status.connectedAt === undefined ? 0 : (end - status.connectedAt) / 1000;
      const flowResults = (call.run?.result.log ?? []).filter((entry) => entry.kind === 'lambda').length;
      if (flowResults) add(invocations, 'flow-result', flowResults);
    }
    const [incident] = phone ? await rt.store.listIncidents(10) : [];
    return {
      spanMs: time.now() - T0,
      events,
      invocations,
      api,
      dynamo: dynamo.usage(),
      calls: rt.simulator.calls.length,
      ringSeconds,
      connectedSeconds,
      outcome: incident ? `${incident.status} after ${((time.now() - T0) / 1000).toFixed(0)} s simulated` : 'idle',
    };
  } finally {
    diagnostics.unsubscribe('http.server.request.start', listen);
    await rt.stop();
    await dynamo.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** An incident's usage less an idle runtime's over the same simulated span (the sweep's). */
function minusIdle(usage: Usage, idle: Usage): Usage {
  const less = (a: Map<string, number>, b: Map<string, number>) => new Map([...a].map(([k, v]) => [k, v - (b.get(k) ?? 0)] as [string, number]).filter(([, v]) => v !== 0));
  return {
    ...usage,
    events: less(usage.events, idle.events),
    invocations: less(usage.invocations, idle.invocations),
    api: less(usage.api, idle.api),
    dynamo: {
      requests: less(usage.dynamo.requests, idle.dynamo.requests),
      rru: usage.dynamo.rru - idle.dynamo.rru,
      wru: usage.dynamo.wru - idle.dynamo.wru,
      indexWru: usage.dynamo.indexWru - idle.dynamo.indexWru,
      failedConditionalWrites: usage.dynamo.failedConditionalWrites - idle.dynamo.failedConditionalWrites,
    },
  };
}

/** Usage divided by n (the idle runtime's, per sweep). */
function per(usage: Usage, n: number): Usage {
  const each = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, v / n] as [string, number]));
  const d = usage.dynamo;
  return {
    ...usage,
    events: each(usage.events),
    invocations: each(usage.invocations),
    api: each(usage.api),
    dynamo: { requests: each(d.requests), rru: d.rru / n, wru: d.wru / n, indexWru: d.indexWru / n, failedConditionalWrites: d.failedConditionalWrites / n },
    outcome: `${n} sweeps in ${(usage.spanMs / 1000).toFixed(0)} s`,
  };
}

function usageTable(columns: [string, Usage][]): string {
  const keys = (pick: (u: Usage) => Map<string, number>) => [...new Set(columns.flatMap(([, u]) => [...pick(u).keys()]))].sort();
  const sum = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);
  const n = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  const section = (title: string, pick: (u: Usage) => Map<string, number>) => [
    [title, ...columns.map(([, u]) => n(sum(pick(u))))],
    ...keys(pick).map((k) => [`  ${k}`, ...columns.map(([, u]) => n(pick(u).get(k) ?? 0))]),
  ];
  return table([
    ['usage (incidents: idle runtime subtracted)', ...columns.map(([name]) => name)],
    ['outcome', ...columns.map(([, u]) => u.outcome)],
    ...section('events accepted on the yobidashi bus', (u) => u.events),
    ...section('Lambda invocations', (u) => u.invocations),
    ...section('AWS API requests (but DynamoDB)', (u) => u.api),
    ...section('DynamoDB requests', (u) => u.dynamo.requests),
    ['DynamoDB read request units', ...columns.map(([, u]) => n(u.dynamo.rru))],
    ['DynamoDB write request units (table)', ...columns.map(([, u]) => n(u.dynamo.wru))],
    ['DynamoDB write request units (indexes, est.)', ...columns.map(([, u]) => n(u.dynamo.indexWru))],
    ['failed conditional writes', ...columns.map(([, u]) => n(u.dynamo.failedConditionalWrites))],
    ['calls placed', ...columns.map(([, u]) => n(u.calls))],
    ['seconds ringing / connected', ...columns.map(([, u]) => `${n(u.ringSeconds)} / ${n(u.connectedSeconds)}`)],
  ]);
}

// ---------------------------------------------------------------------------------------------

describe('latency on the wall clock', () => {
  bench(
    'alert accepted → dial, call end → next dial (local runtime, time scale 1)',
    async () => {
      console.log(await measureLatency());
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});

describe('usage per incident', () => {
  bench(
    "the article's roster: acknowledged on the first call, and nine unanswered calls",
    async () => {
      const acknowledged = await countIncident({ answer: true, afterSeconds: 5, digits: '1' });
      const exhausted = await countIncident({ answer: false });
      const idleShort = await countIncident(undefined, acknowledged.spanMs);
      const idleLong = await countIncident(undefined, exhausted.spanMs);
      console.log(
        [
          'usage per incident (virtual time; counted on the port, the bus and a DynamoDB proxy):',
          usageTable([
            ['1 call, acknowledged', minusIdle(acknowledged, idleShort)],
            ['9 calls, exhausted', minusIdle(exhausted, idleLong)],
            // The fixed cost: what the 5-minute sweep uses with nothing open (subtracted above).
            ['idle, per sweep', per(idleLong, idleLong.invocations.get('sweep') ?? 1)],
          ]),
        ].join('\n'),
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
