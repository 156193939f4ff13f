import type { EventBridgeCore } from '../eventbridge/event-bridge-core.ts';
import type { LocalStack } from '../cloudformation/local-stack.ts';

/**
 * CloudWatch's GetMetricData (AWS JSON 1.0, `X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`,
 * as the AWS SDK v3 sends it) for the one metric an operator's `doctor` reads: `AWS/Lambda`
 * `Errors` of a bus handler's function (dimension FunctionName, `yobidashi-local-<handler>`),
 * counted from the function failures the EventBridge core saw (each failed invocation, retries
 * included, as Lambda counts them). Times are the runtime's clock. Any other metric has no data.
 */

export const CLOUDWATCH_TARGET = 'GraniteServiceVersion20100801.';

export class CloudWatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface MetricDataQuery {
  Id?: string;
  Label?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] }; Period?: number; Stat?: string };
}

/** Epoch seconds (what the JSON protocol sends) or an ISO string, in ms. */
function timeMs(value: unknown, name: string): number {
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(String(value));
  if (!Number.isFinite(ms)) throw new CloudWatchError('InvalidParameterValue', `${name} is not a valid timestamp.`);
  return ms;
}

export function cloudWatch(core: EventBridgeCore, stack: LocalStack, target: string, input: Record<string, unknown>): Record<string, unknown> {
  const operation = target.slice(CLOUDWATCH_TARGET.length);
  if (operation !== 'GetMetricData') throw new CloudWatchError('InvalidAction', `${operation} is not supported locally (GetMetricData only).`);
  const from = timeMs(input.StartTime, 'StartTime');
  const to = timeMs(input.EndTime, 'EndTime');
  const newestFirst = input.ScanBy !== 'TimestampAscending';
  const queries = (input.MetricDataQueries ?? []) as MetricDataQuery[];
  const results = queries.map((query) => {
    const stat = query.MetricStat;
    const metric = stat?.Metric;
    const fn = metric?.Dimensions?.find((d) => d.Name === 'FunctionName')?.Value;
    const handler = metric?.Namespace === 'AWS/Lambda' && metric.MetricName === 'Errors' && fn ? stack.handlerOf(fn) : undefined;
    const periodMs = Math.max(1, stat?.Period ?? 60) * 1000;
    const buckets = new Map<number, number>();
    for (const at of handler ? core.functionErrors(handler, from, to) : []) {
      const start = from + Math.floor((at - from) / periodMs) * periodMs;
      buckets.set(start, (buckets.get(start) ?? 0) + 1);
    }
    const points = [...buckets].sort(([a], [b]) => (newestFirst ? b - a : a - b));
    // Each failure is a data point of 1: Sum and SampleCount count them, the others are 1.
    const value = (count: number) => (stat?.Stat === 'Sum' || stat?.Stat === 'SampleCount' ? count : 1);
    return { Id: query.Id, Label: query.Label ?? metric?.MetricName ?? query.Id, Timestamps: points.map(([t]) => t / 1000), Values: points.map(([, n]) => value(n)), StatusCode: 'Complete' };
  });
  return { MetricDataResults: results, Messages: [] };
}
