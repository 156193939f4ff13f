import { readFile } from 'node:fs/promises';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CALL_OUTCOMES } from '../../events/catalog.ts';
import { DEFAULT_BUS_FORWARDS, ROUTES } from '../../events/routes.ts';
import { METRIC_NAMES, METRICS, METRICS_NAMESPACE, type MetricPoint } from '../../events/metrics.ts';
import { EmfMetrics } from '../../infra/aws/adapters/metrics.ts';
import { lambdaEntry } from '../../infra/aws/functions/lambda-entry.ts';
import type { YobidashiStack } from '../../infra/aws/stack.ts';

/**
 * The stack's dashboard and alarms (infra/aws/constructs/monitoring.ts) read the metric catalog
 * (events/metrics.ts) under exactly the namespace, names and dimension sets the Lambda adapter
 * writes as EMF (infra/aws/adapters/metrics.ts), and the functions write them.
 */

type Resource = { Type: string; Properties: Record<string, unknown> };
type Stacks = Record<'Yobidashi' | 'Staging', Record<string, Resource>>;
let stacks: Stacks;

beforeAll(async () => {
  const { context } = JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
  // Skip esbuild bundling here (`npx cdk synth` does the real thing).
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const { YobidashiStack: Stack } = await import('../../infra/aws/stack.ts');
  const env = { region: 'ap-northeast-1', account: '111111111111' };
  const [a, b] = (['Yobidashi', 'Staging'] as const).map((id) => new Stack(app, id, { connectInstanceArn: String(context.connectInstanceArn), sourcePhoneNumber: '+815000000000', env }));
  const resourcesOf = (s: YobidashiStack) => Template.fromStack(s).toJSON().Resources as Record<string, Resource>;
  stacks = { Yobidashi: resourcesOf(a!), Staging: resourcesOf(b!) };
}, 120_000);

const ofType = (res: Record<string, Resource>, type: string) => Object.entries(res).filter(([, r]) => r.Type === type);

/** A metric as a dashboard widget lists it: [namespace, name, dimension, value, …, {options}]; references to resources read `<ref>`. */
interface WidgetMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  options: { stat?: string; label?: string; period?: number };
}
interface Widget {
  type: string;
  properties: { title?: string; metrics?: unknown[][]; alarms?: unknown[] };
}

/** The dashboard's body, its tokens (Refs, GetAtts) read as the string `<ref>`. */
function dashboardOf(res: Record<string, Resource>): { name: unknown; widgets: Widget[] } {
  const [[, dashboard] = []] = ofType(res, 'AWS::CloudWatch::Dashboard');
  expect(dashboard).toBeDefined();
  const body = dashboard!.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<ref>')).join(body['Fn::Join'][0]);
  return { name: dashboard!.Properties.DashboardName, widgets: (JSON.parse(text) as { widgets: Widget[] }).widgets };
}

function metricsOf(widget: Widget): WidgetMetric[] {
  return (widget.properties.metrics ?? []).map((row) => {
    const options = (typeof row.at(-1) === 'object' ? row.at(-1) : {}) as WidgetMetric['options'];
    const parts = (typeof row.at(-1) === 'object' ? row.slice(0, -1) : row) as string[];
    const [namespace, name, ...dims] = parts;
    const dimensions: Record<string, string> = {};
    for (let i = 0; i < dims.length; i += 2) dimensions[dims[i]!] = dims[i + 1]!;
    return { namespace: namespace!, name: name!, dimensions, options };
  });
}

/** What the EMF adapter writes for a point of every metric, as (namespace, name, dimension names) keys. */
function emitted(service: string): Set<string> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  try {
    const emf = new EmfMetrics({ service });
    const dimensionValue = { system: 'XYZ', outcome: 'busy', reason: 'ThrottlingException', handler: 'place-call' };
    emf.record(METRIC_NAMES.map((name) => ({ name, value: 1, dimensions: Object.fromEntries(METRICS[name].dimensions.map((d) => [d, dimensionValue[d]])) }) as MetricPoint));
    emf.flush();
  } finally {
    write.mockRestore();
  }
  const keys = new Set<string>();
  for (const line of lines.join('').trim().split('\n')) {
    const doc = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] }; service: string };
    expect(doc.service).toBe(service);
    for (const directive of doc._aws.CloudWatchMetrics) {
      for (const metric of directive.Metrics) for (const set of directive.Dimensions) keys.add(`${directive.Namespace} ${metric.Name} [${[...set].sort().join(',')}]`);
    }
  }
  return keys;
}

const keyOf = (m: { namespace: string; name: string; dimensions: Record<string, string> }) => `${m.namespace} ${m.name} [${Object.keys(m.dimensions).sort().join(',')}]`;

describe('the dashboard', () => {
  it('is named after the stack: two stacks in one account keep their own', () => {
    expect(dashboardOf(stacks.Yobidashi).name).toBe('yobidashi');
    expect(dashboardOf(stacks.Staging).name).toBe('yobidashi-staging');
  });

  for (const [stackName, service] of [['Yobidashi', 'yobidashi'], ['Staging', 'yobidashi-staging']] as const) {
    it(`${stackName}: every yobidashi metric it charts is one the functions write as EMF (namespace, name, dimension set), under the stack's service`, () => {
      const own = dashboardOf(stacks[stackName]).widgets.flatMap(metricsOf).filter((m) => m.namespace === METRICS_NAMESPACE);
      expect(own.length).toBeGreaterThan(20);
      const emf = emitted(service);
      for (const metric of own) {
        expect(emf.has(keyOf(metric)), keyOf(metric)).toBe(true);
        expect(metric.dimensions.service).toBe(service);
      }
      // Every handler's function writes under that service.
      const emitters = ofType(stacks[stackName], 'AWS::Lambda::Function').filter(([, fn]) => String(fn.Properties.Description ?? '').startsWith('yobidashi '));
      expect(emitters.length).toBeGreaterThanOrEqual(12);
      for (const [id, fn] of emitters) {
        expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables, id).toMatchObject({ POWERTOOLS_SERVICE_NAME: service, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE });
      }
    });
  }

  it('charts every metric of the catalog the functions write (dead letters come from AWS/Lambda, AWS/Events and AWS/Scheduler)', () => {
    const charted = new Set(dashboardOf(stacks.Yobidashi).widgets.flatMap(metricsOf).filter((m) => m.namespace === METRICS_NAMESPACE).map((m) => m.name));
    expect([...charted].sort()).toEqual(METRIC_NAMES.filter((name) => name !== 'DeadLetters').sort());
  });

  const widget = (title: RegExp) => {
    const found = dashboardOf(stacks.Yobidashi).widgets.find((w) => title.test(w.properties.title ?? ''));
    expect(found, String(title)).toBeDefined();
    return metricsOf(found!);
  };

  it('incidents: opened, suppressed, acknowledged and exhausted (and silenced, resolved, handed over), summed', () => {
    const incidents = widget(/^Incidents$/);
    for (const name of ['IncidentsOpened', 'IncidentsSuppressed', 'IncidentsAcknowledged', 'IncidentsExhausted', 'IncidentsSilenced', 'IncidentsResolved', 'RostersExhausted']) {
      expect(incidents.find((m) => m.name === name), name).toMatchObject({ dimensions: { service: 'yobidashi' }, options: { stat: 'Sum' } });
    }
  });

  it('calls by outcome: one line per outcome, and calls placed', () => {
    const calls = widget(/^Calls by outcome/);
    expect(calls.filter((m) => m.name === 'CallsEnded').map((m) => m.dimensions.outcome)).toEqual([...CALL_OUTCOMES]);
    expect(calls.find((m) => m.name === 'CallsPlaced')).toMatchObject({ dimensions: { service: 'yobidashi' }, options: { stat: 'Sum' } });
  });

  it('time to acknowledge: p50 and p90', () => {
    expect(widget(/^Time to acknowledge/).map((m) => [m.name, m.options.stat])).toEqual([
      ['TimeToAcknowledge', 'p50'],
      ['TimeToAcknowledge', 'p90'],
    ]);
  });

  it('errors and dead letters per function, and the dead-letter queues', () => {
    const functions = ofType(stacks.Yobidashi, 'AWS::Lambda::Function').filter(([, fn]) => String(fn.Properties.Description ?? '').startsWith('yobidashi '));
    const errors = widget(/^Errors per function/);
    expect(errors.every((m) => m.namespace === 'AWS/Lambda' && m.name === 'Errors' && m.options.stat === 'Sum')).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(functions.length); // and the authorizer's
    const dead = widget(/^Dead letters per function/);
    expect(dead.filter((m) => m.namespace === 'AWS/Lambda' && m.name === 'AsyncEventsDropped')).toHaveLength(errors.length);
    expect(dead.filter((m) => m.name === 'InvocationsSentToDlq' && m.dimensions.EventBusName === 'yobidashi').map((m) => m.dimensions.RuleName).sort()).toEqual(ROUTES.map((r) => `yobidashi-${r.name}`).sort());
    expect(dead.filter((m) => m.name === 'InvocationsSentToDlq' && m.dimensions.EventBusName === undefined).map((m) => m.dimensions.RuleName).sort()).toEqual(DEFAULT_BUS_FORWARDS.map((r) => `yobidashi-${r.name}`).sort());
    expect(dead.filter((m) => m.namespace === 'AWS/Scheduler').map((m) => m.dimensions.ScheduleGroup).sort()).toEqual(['yobidashi-checks', 'yobidashi-recurring']);
    expect(widget(/dead-letter queues/).map((m) => [m.namespace, m.name])).toEqual(Array(3).fill(['AWS/SQS', 'ApproximateNumberOfMessagesVisible']));
  });

  it("Connect's quota use, from AWS/Connect with the instance and MetricGroup VoiceCalls", () => {
    const connect = [...widget(/^Connect: concurrent calls/), ...widget(/^Connect: calls turned away/)];
    const byName = Object.fromEntries(connect.map((m) => [m.name, m]));
    for (const name of ['ConcurrentCalls', 'ConcurrentCallsPercentage', 'ThrottledCalls']) {
      expect(byName[name], name).toMatchObject({ namespace: 'AWS/Connect', dimensions: { InstanceId: expect.any(String), MetricGroup: 'VoiceCalls' } });
      expect(Object.keys(byName[name]!.dimensions).sort()).toEqual(['InstanceId', 'MetricGroup']);
    }
    expect(byName.ConcurrentCalls!.options.stat).toBe('Maximum');
    expect(byName.CallsBreachingConcurrencyQuota!.dimensions).toEqual({ InstanceId: expect.any(String) });
    expect(byName.ContactFlowErrors!.dimensions).toMatchObject({ MetricGroup: 'ContactFlow', ContactFlowName: 'yobidashi-call' });
  });

  it('shows every alarm', () => {
    const status = dashboardOf(stacks.Yobidashi).widgets.find((w) => w.type === 'alarm');
    expect(status?.properties.alarms).toHaveLength(ofType(stacks.Yobidashi, 'AWS::CloudWatch::Alarm').length);
  });
});

describe('the alarms', () => {
  const alarms = (stack: keyof Stacks) => Object.fromEntries(ofType(stacks[stack], 'AWS::CloudWatch::Alarm').map(([, a]) => [String(a.Properties.AlarmName), a.Properties]));

  it('an exhausted incident: IncidentsExhausted summed over a minute, at 1 or more; no data is no incident', () => {
    expect(alarms('Yobidashi')['yobidashi-incident-exhausted']).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: 'IncidentsExhausted',
      Dimensions: [{ Name: 'service', Value: 'yobidashi' }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarms('Staging')['yobidashi-staging-incident-exhausted']).toMatchObject({ MetricName: 'IncidentsExhausted', Dimensions: [{ Name: 'service', Value: 'yobidashi-staging' }] });
    // What the alarm reads is what the adapter writes.
    expect(emitted('yobidashi').has(`${METRICS_NAMESPACE} IncidentsExhausted [service]`)).toBe(true);
  });

  it('any dead letter: each queue holding one visible message or more, per minute', () => {
    const all = alarms('Yobidashi');
    for (const queue of ['events', 'checks', 'handlers']) {
      expect(all[`yobidashi-dead-letters-${queue}`], queue).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Period: 60, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
  });

  it('handler errors: every function, one error in five minutes', () => {
    const all = alarms('Yobidashi');
    const errorAlarms = Object.entries(all).filter(([name]) => name.startsWith('yobidashi-errors-'));
    const functions = ofType(stacks.Yobidashi, 'AWS::Lambda::Function').filter(([, fn]) => String(fn.Properties.Description ?? '').startsWith('yobidashi '));
    expect(errorAlarms.length).toBeGreaterThanOrEqual(functions.length);
    for (const [name, alarm] of errorAlarms) expect(alarm, name).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Period: 300, Threshold: 1 });
  });

  it('are named after the stack: none shared between two stacks', () => {
    const a = Object.keys(alarms('Yobidashi'));
    const b = Object.keys(alarms('Staging'));
    expect(a.every((n) => n.startsWith('yobidashi-')) && b.every((n) => n.startsWith('yobidashi-staging-'))).toBe(true);
    expect(a.filter((n) => b.includes(n))).toEqual([]);
    expect(a.length).toBe(b.length);
  });
});

describe('the Lambda side', () => {
  afterEach(() => vi.restoreAllMocks());
  const context = { functionName: 'yobidashi-sweep', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:111111111111:function:yobidashi-sweep', memoryLimitInMB: '512', awsRequestId: 'req-1', logGroupName: '/aws/lambda/x', logStreamName: 's', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 1000, done: () => undefined, fail: () => undefined, succeed: () => undefined } as unknown as Context;

  function captured(): { lines: () => Record<string, unknown>[] } {
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (chunks.push(String(chunk)), true));
    return { lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => '_aws' in l) };
  }

  it('lambdaEntry writes what an invocation counted as EMF when it ends, under the service the stack set — also when the handler failed', async () => {
    const out = captured();
    let fail = false;
    const handler = lambdaEntry('sweep', ({ metrics }) => async () => {
      metrics.record([{ name: 'CallsEnded', value: 1, dimensions: { outcome: 'busy' } }, { name: 'IncidentsExhausted', value: 1, dimensions: {} }]);
      if (fail) throw new Error('boom');
    }, { POWERTOOLS_SERVICE_NAME: 'yobidashi-staging', POWERTOOLS_LOG_LEVEL: 'SILENT' });
    await handler({}, context);
    const first = out.lines();
    expect(first.map((l) => [l.service, l.outcome, l.CallsEnded, l.IncidentsExhausted])).toEqual([
      ['yobidashi-staging', 'busy', 1, undefined],
      ['yobidashi-staging', undefined, undefined, 1],
    ]);
    expect((first[0]!._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] }).CloudWatchMetrics[0]).toMatchObject({ Namespace: 'yobidashi', Dimensions: [['service', 'outcome'], ['service']] });
    fail = true;
    await expect(handler({}, context)).rejects.toThrow('boom');
    expect(out.lines()).toHaveLength(4); // flushed again, nothing carried over from the first
  });

  it('an invocation that counted nothing writes no EMF', async () => {
    const out = captured();
    await lambdaEntry('sweep', () => async () => undefined, { POWERTOOLS_LOG_LEVEL: 'SILENT' })({}, context);
    expect(out.lines()).toEqual([]);
  });
});
