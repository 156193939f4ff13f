import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { METRICS, METRICS_NAMESPACE, type MetricPoint } from '../../../events/metrics.ts';
import type { Metrics } from '../../../handlers/ports.ts';

/**
 * The Metrics port on Lambda: CloudWatch embedded metric format (EMF) through Powertools for AWS
 * Lambda (TypeScript), written to stdout, which Lambda sends to CloudWatch Logs, where CloudWatch
 * extracts the metrics. No PutMetricData call, so no IAM permission and no latency in the handler.
 *
 * Points are buffered while the invocation runs and written once it ends (`flush`, called by
 * infra/aws/functions/lambda-entry.ts): one EMF document per distinct set of dimension values,
 * because an EMF document holds one value per dimension name (`outcome` cannot be both `busy` and
 * `no-answer` in one). Every point is published under two dimension sets: `[service]`, the total the
 * dashboard and the exhausted-incident alarm read, and `[service, <its dimensions>]` (e.g.
 * `[service, outcome]`) for the breakdown; a point without dimensions has `[service]` only. The
 * `service` value tells stacks in one account apart (the stack's name prefix, infra/aws/names.ts):
 * infra/aws/constructs/monitoring.ts sets it on the functions and reads the same value.
 */
export class EmfMetrics implements Metrics {
  private readonly powertools: PowertoolsMetrics;
  private buffer: MetricPoint[] = [];

  constructor(options: { service: string; namespace?: string }) {
    this.powertools = new PowertoolsMetrics({ namespace: options.namespace ?? METRICS_NAMESPACE, serviceName: options.service });
  }

  record(points: readonly MetricPoint[]): void {
    this.buffer.push(...points);
  }

  /** Writes what was recorded since the last flush (nothing at all if nothing was). */
  flush(): void {
    const points = this.buffer;
    this.buffer = [];
    const groups = new Map<string, { dimensions: [string, string][]; points: MetricPoint[] }>();
    for (const point of points) {
      if (!Number.isFinite(point.value)) continue;
      const dimensions = Object.entries(point.dimensions as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1));
      const key = JSON.stringify(dimensions);
      const group = groups.get(key) ?? { dimensions, points: [] };
      group.points.push(point);
      groups.set(key, group);
    }
    for (const { dimensions, points: grouped } of groups.values()) {
      for (const [name, value] of dimensions) this.powertools.addDimension(name, value);
      // A second dimension set holding only the default (service): the total across the values above.
      if (dimensions.length) this.powertools.addDimensions({});
      for (const point of grouped) this.powertools.addMetric(point.name, METRICS[point.name].unit, point.value);
      this.powertools.publishStoredMetrics();
    }
  }
}
