import { AwsError } from '../protocols/aws-error.ts';
import type { JsonInput, JsonService } from '../protocols/aws-json.ts';
import type { EventBridgeCore } from '../eventbridge/event-bridge-core.ts';
import type { LocalStack } from '../cloudformation/local-stack.ts';

/**
 * CloudWatch's GetMetricData (AWS JSON 1.0, `X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`,
 * as the AWS SDK v3 sends it) for the one metric an operator's `doctor` reads: `AWS/Lambda`
 * `Errors` of a bus handler's function (dimension FunctionName, `yobidashi-local-<handler>`),
 * counted from the function failures the EventBridge core saw (each failed invocation, retries
 * included, as Lambda counts them). Times are the runtime's clock. Any other metric has no data.
 */

export class CloudWatchError extends AwsError {
  constructor(code: string, message: string) {
    super(code, message, 400);
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

/** CloudWatch on AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`), awsQueryCompatible. */
export function cloudWatchJson(core: EventBridgeCore, stack: LocalStack): JsonService {
  return {
    protocol: '1.0',
    errorNamespace: 'com.amazonaws.cloudwatch#',
    queryCompatible: true,
    operations: { GetMetricData: (input) => getMetricData(core, stack, input) },
    unknownOperation: (operation) => new CloudWatchError('InvalidAction', `${operation} is not supported locally (GetMetricData only).`),
  };
}

function getMetricData(core: EventBridgeCore, stack: LocalStack, input: JsonInput): Record<string, unknown> {
  const from = timeMs(input.StartTime, 'StartTime');
  const to = timeMs(input.EndTime, 'EndTime');
  const newestFirst = input.ScanBy !== 'TimestampAscending';
  const queries = (Array.isArray(input.MetricDataQueries) ? input.MetricDataQueries : []) as MetricDataQuery[];
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
