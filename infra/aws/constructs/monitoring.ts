import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CALL_OUTCOMES } from '../../../events/catalog.ts';
import { LINE_WAIT_REASONS, METRIC_NAMES, METRICS, METRICS_NAMESPACE, type MetricName } from '../../../events/metrics.ts';
import { DEFAULT_BUS_FORWARDS, ROUTES } from '../../../events/routes.ts';
import type { PhysicalNames } from '../names.ts';

/** A queue that holds what could not be delivered, and what its alarm tells the person paged. */
export interface WatchedQueue {
  queue: sqs.IQueue;
  /** What a message there means and what to do about it. */
  meaning: string;
}

export interface MonitoringProps {
  names: PhysicalNames;
  deadLetterQueues: Record<string, WatchedQueue>;
  /** Every function, by name: their errors and dead letters are charted and alarmed. */
  functions: Record<string, lambda.IFunction>;
  /**
   * The functions that write yobidashi's metrics (EMF, infra/aws/adapters/metrics.ts): they are
   * given the service the dashboard and alarms read, so two stacks in one account never mix.
   */
  emitters: lambda.Function[];
  /** The Connect instance and the contact flow: quota use and flow errors from AWS/Connect. */
  connect: { instanceId: string; contactFlowName: string };
  alarmTopicArn?: string;
}

/** The service dimension of a stack's metrics: its name prefix (`yobidashi`, `yobidashi-staging`). */
export function metricsServiceOf(names: PhysicalNames): string {
  return names.prefix;
}

const PERIOD = Duration.minutes(5);

/** The yobidashi metrics a widget charts (the catalog's names it reads). */
function chartedNames(widget: cloudwatch.GraphWidget | cloudwatch.SingleValueWidget): string[] {
  const body = widget.toJson() as { properties?: { metrics?: unknown[][] } }[];
  return body.flatMap((w) => w.properties?.metrics ?? []).filter((row) => row[0] === METRICS_NAMESPACE).map((row) => String(row[1]));
}

/**
 * A metric of the catalog (events/metrics.ts) as the Lambda adapter publishes it: namespace
 * `yobidashi`, dimension set `[service]` (the total), or `[service, <its dimension>]` for one value.
 */
export function catalogMetric<N extends MetricName>(
  service: string,
  name: N,
  options: { dimensions?: Partial<Record<(typeof METRICS)[N]['dimensions'][number], string>>; statistic?: string; period?: Duration; label?: string } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service, ...(options.dimensions as Record<string, string> | undefined) },
    statistic: options.statistic ?? (METRICS[name].kind === 'counter' ? 'Sum' : 'p50'),
    period: options.period ?? PERIOD,
    ...(options.label ? { label: options.label } : {}),
  });
}

/**
 * What an operator looks at and what pages them. Alarms: an exhausted incident (nobody answered
 * every call: the on-call process failed), anything in a dead-letter or failure queue, any handler
 * error — a pager for the pager. The dashboard: incidents, calls by outcome, time to acknowledge,
 * alerts and placements, errors and dead letters per function, and Connect's quota use. Names
 * derive from the stack's (infra/aws/names.ts): two stacks in one account keep their own.
 */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly exhaustedAlarm: cloudwatch.Alarm;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { names } = props;
    const service = metricsServiceOf(names);
    for (const fn of props.emitters) fn.addEnvironment('POWERTOOLS_SERVICE_NAME', service).addEnvironment('POWERTOOLS_METRICS_NAMESPACE', METRICS_NAMESPACE);
    const topic = props.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) : undefined;

    // Any exhausted incident: the metric is emitted when IncidentExhausted was published, so a sum
    // of 1 in a minute is one incident nobody answered. No data is no incident.
    this.exhaustedAlarm = new cloudwatch.Alarm(this, 'incident-exhausted', {
      alarmName: names.alarm('incident-exhausted'),
      alarmDescription: 'yobidashi: an incident was exhausted — every responder was called for every round and nobody acknowledged (or its system has no roster). Look at the incident: `yobidashi incidents`',
      metric: catalogMetric(service, 'IncidentsExhausted', { period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms.push(this.exhaustedAlarm);
    for (const [name, { queue, meaning }] of Object.entries(props.deadLetterQueues)) {
      this.alarms.push(
        // Visible messages only: the sweep makes what it leaves behind visible again at once, so
        // the alarm stays on while anything waits for a person.
        new cloudwatch.Alarm(this, `${name}-depth`, {
          alarmName: names.alarm(`dead-letters-${name}`),
          alarmDescription: `yobidashi: ${meaning}`,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarms.push(
        new cloudwatch.Alarm(this, `${name}-errors`, {
          alarmName: names.alarm(`errors-${name}`),
          alarmDescription: `yobidashi: the ${name} handler failed (it is retried, but look)`,
          metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    if (topic) for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(topic));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: names.dashboard, defaultInterval: Duration.days(7) });
    const rows = [this.overview(service), this.calls(service), this.intake(service)];
    // A metric added to the catalog shows up without anyone remembering the dashboard: whatever the
    // rows above do not chart is charted here (its total). Dead letters are the platform's, below.
    const charted = new Set(rows.flat().flatMap((widget) => (widget instanceof cloudwatch.GraphWidget || widget instanceof cloudwatch.SingleValueWidget ? chartedNames(widget) : [])));
    const others = METRIC_NAMES.filter((name) => name !== 'DeadLetters' && !charted.has(name));
    if (others.length) {
      rows.push([new cloudwatch.GraphWidget({ title: 'Other counts', left: others.map((name) => catalogMetric(service, name, { label: name })), width: 24, height: 6, leftYAxis: { min: 0 } })]);
    }
    for (const row of rows) this.dashboard.addWidgets(...row);
    this.dashboard.addWidgets(...this.failures(props));
    this.dashboard.addWidgets(...this.connect(props.connect));
  }

  private overview(service: string): cloudwatch.IWidget[] {
    const labels = {
      IncidentsOpened: 'opened',
      IncidentsAcknowledged: 'acknowledged',
      IncidentsSilenced: 'silenced',
      IncidentsResolved: 'resolved',
      IncidentsSuppressed: 'suppressed (under a silence)',
      IncidentsExhausted: 'exhausted (nobody answered)',
      RostersExhausted: 'handed over to the next roster',
    } as const satisfies Partial<Record<MetricName, string>>;
    const incidents = Object.entries(labels).map(([name, label]) => catalogMetric(service, name as keyof typeof labels, { label }));
    return [
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 6, height: 6 }),
      new cloudwatch.GraphWidget({ title: 'Incidents', left: incidents, width: 12, height: 6, leftYAxis: { min: 0, label: 'count' } }),
      new cloudwatch.SingleValueWidget({
        title: 'In the time range',
        metrics: [catalogMetric(service, 'IncidentsOpened', { label: 'opened' }), catalogMetric(service, 'IncidentsExhausted', { label: 'exhausted' }), catalogMetric(service, 'NotificationsSent', { label: 'notifications' })],
        setPeriodToTimeRange: true,
        width: 6,
        height: 6,
      }),
    ];
  }

  private calls(service: string): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: 'Calls by outcome (one per incident a call spoke for)',
        left: CALL_OUTCOMES.map((outcome) => catalogMetric(service, 'CallsEnded', { dimensions: { outcome }, label: outcome })),
        right: [catalogMetric(service, 'CallsPlaced', { label: 'placed' })],
        stacked: false,
        width: 12,
        height: 6,
        leftYAxis: { min: 0, label: 'ended' },
        rightYAxis: { min: 0, label: 'placed' },
      }),
      new cloudwatch.GraphWidget({
        title: 'Time to acknowledge (seconds from opening to a responder pressing 1)',
        left: ['p50', 'p90'].map((statistic) => catalogMetric(service, 'TimeToAcknowledge', { statistic, period: Duration.hours(1), label: statistic })),
        width: 12,
        height: 6,
        leftYAxis: { min: 0, label: 'seconds' },
      }),
    ];
  }

  private intake(service: string): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: 'Alerts',
        left: [catalogMetric(service, 'AlertsReceived', { label: 'received' }), catalogMetric(service, 'AlertsRejected', { label: 'rejected' })],
        width: 8,
        height: 6,
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: "Placements waiting: for the responder's line (paced), for Connect (deferred)",
        left: [
          ...LINE_WAIT_REASONS.map((reason) => catalogMetric(service, 'PlacementsPaced', { dimensions: { reason }, label: `paced: ${reason}` })),
          catalogMetric(service, 'PlacementsDeferred', { label: 'deferred by Connect (all reasons)' }),
        ],
        width: 8,
        height: 6,
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({ title: 'Notifications sent', left: [catalogMetric(service, 'NotificationsSent', { label: 'sent' })], width: 8, height: 6, leftYAxis: { min: 0 } }),
    ];
  }

  private failures(props: MonitoringProps): cloudwatch.IWidget[] {
    const { names } = props;
    const sum = { statistic: 'Sum', period: PERIOD };
    const functions = Object.entries(props.functions);
    return [
      new cloudwatch.GraphWidget({
        title: 'Errors per function (Lambda Errors)',
        left: functions.map(([name, fn]) => fn.metricErrors({ ...sum, label: name })),
        width: 8,
        height: 6,
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead letters per function: failed every retry (Lambda), or never handed over (EventBridge rule)',
        left: [
          // Lambda drops an asynchronous event after its last retry, into the on-failure destination.
          ...functions.map(([name, fn]) => fn.metric('AsyncEventsDropped', { ...sum, label: `${name}: failed` })),
          // A rule that could not hand its event to the function (custom bus: EventBusName and RuleName).
          ...ROUTES.map((route) => new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'InvocationsSentToDlq', dimensionsMap: { EventBusName: names.bus, RuleName: names.rule(route.name) }, ...sum, label: `${route.name}: not handed over` })),
          // The default bus's forwards (RuleName only).
          ...DEFAULT_BUS_FORWARDS.map((rule) => new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'InvocationsSentToDlq', dimensionsMap: { RuleName: names.rule(rule.name) }, ...sum, label: `${rule.name}: not forwarded` })),
          ...[names.checkGroup, names.recurringGroup].map((group) => new cloudwatch.Metric({ namespace: 'AWS/Scheduler', metricName: 'InvocationsSentToDeadLetterCount', dimensionsMap: { ScheduleGroup: group }, ...sum, label: `${group}: not put on the bus` })),
        ],
        width: 8,
        height: 6,
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: 'Waiting in the dead-letter queues (the sweep redrives those younger than a day)',
        left: Object.entries(props.deadLetterQueues).map(([name, { queue }]) => queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1), label: name })),
        width: 8,
        height: 6,
        leftYAxis: { min: 0 },
      }),
    ];
  }

  private connect({ instanceId, contactFlowName }: MonitoringProps['connect']): cloudwatch.IWidget[] {
    const voice = { InstanceId: instanceId, MetricGroup: 'VoiceCalls' };
    const connect = (metricName: string, dimensionsMap: Record<string, string>, statistic: string, label: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/Connect', metricName, dimensionsMap, statistic, period: Duration.minutes(1), label });
    return [
      new cloudwatch.GraphWidget({
        title: 'Connect: concurrent calls and the quota used',
        left: [connect('ConcurrentCalls', voice, 'Maximum', 'concurrent calls')],
        right: [connect('ConcurrentCallsPercentage', voice, 'Maximum', '% of the concurrent-calls quota')],
        width: 12,
        height: 6,
        leftYAxis: { min: 0, label: 'calls' },
        rightYAxis: { min: 0, max: 100, label: '%' },
      }),
      new cloudwatch.GraphWidget({
        title: 'Connect: calls turned away, and contact flow errors',
        left: [
          connect('ThrottledCalls', voice, 'Sum', 'throttled (calls per second over the quota)'),
          connect('CallsBreachingConcurrencyQuota', { InstanceId: instanceId }, 'Sum', 'over the concurrent-calls quota'),
          ...['ContactFlowErrors', 'ContactFlowFatalErrors'].map((metric) => connect(metric, { InstanceId: instanceId, MetricGroup: 'ContactFlow', ContactFlowName: contactFlowName }, 'Sum', `${contactFlowName}: ${metric}`)),
        ],
        width: 12,
        height: 6,
        leftYAxis: { min: 0 },
      }),
    ];
  }
}
