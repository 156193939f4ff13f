import { METRIC_NAMES, METRICS, type DimensionName, type MetricName, type MetricPoint } from '../../events/metrics.ts';
import type { Metrics } from '../../handlers/ports.ts';

/**
 * The local runtime's metrics: what the handlers count (the same points the Lambda adapter writes
 * as EMF) and what the platform counts here (dead letters, by the EventBridge core), kept in memory
 * for as long as the runtime runs (a restart starts from zero, as a Prometheus counter may).
 * `GET /api/metrics` serves them in Prometheus text exposition format 0.0.4; the console reads the
 * same registry as JSON.
 *
 * Hand-written rather than prom-client: the catalog (events/metrics.ts) already holds every name,
 * unit and help text, the console needs the values as JSON too, and the format is a few lines of
 * text. prom-client would be a second definition of each metric in a process-global registry.
 */

/** Upper bounds of the time-to-acknowledge histogram, in seconds: a call rings ~60 s, a round of three ~4 min, three rounds ~12 min. */
export const ACK_BUCKETS_SECONDS = [15, 30, 60, 120, 180, 300, 600, 900, 1800, 3600] as const;

/** Prometheus's name for a catalog metric: `yobidashi_` and the name in snake case; counters end in `_total`. */
export function prometheusName(name: MetricName): string {
  const { kind, unit } = METRICS[name];
  const base = `yobidashi_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}`;
  if (kind === 'counter') return `${base}_total`;
  return unit === 'Seconds' ? `${base}_seconds` : base;
}

interface Series {
  labels: Partial<Record<DimensionName, string>>;
  /** Counter: the total. Distribution: the sum of the values. */
  value: number;
  count: number;
  /** Distribution only: observations ≤ each bound of ACK_BUCKETS_SECONDS (cumulative). */
  buckets?: number[];
}

export interface MetricSnapshot {
  name: MetricName;
  prometheusName: string;
  kind: 'counter' | 'distribution';
  unit: string;
  help: string;
  series: { labels: Partial<Record<DimensionName, string>>; value: number; count: number; buckets?: { le: number; count: number }[] }[];
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const formatNumber = (value: number) => (Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15))));

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
}

export class MetricRegistry implements Metrics {
  private readonly series = new Map<MetricName, Map<string, Series>>();

  record(points: readonly MetricPoint[]): void {
    for (const point of points) {
      const definition = METRICS[point.name];
      if (!Number.isFinite(point.value)) continue;
      const labels = point.dimensions as Partial<Record<DimensionName, string>>;
      const key = definition.dimensions.map((d) => labels[d] ?? '').join('\u0000');
      let byLabels = this.series.get(point.name);
      if (!byLabels) this.series.set(point.name, (byLabels = new Map()));
      let series = byLabels.get(key);
      if (!series) {
        series = { labels: { ...labels }, value: 0, count: 0, ...(definition.kind === 'distribution' ? { buckets: ACK_BUCKETS_SECONDS.map(() => 0) } : {}) };
        byLabels.set(key, series);
      }
      series.value += point.value;
      series.count += definition.kind === 'distribution' ? 1 : point.value;
      if (series.buckets) ACK_BUCKETS_SECONDS.forEach((bound, i) => point.value <= bound && (series.buckets![i]! += 1));
    }
  }

  /** Every metric of the catalog, in catalog order, with the series recorded so far (sorted by labels). */
  snapshot(): MetricSnapshot[] {
    return METRIC_NAMES.map((name) => {
      const definition = METRICS[name];
      const series = [...(this.series.get(name)?.entries() ?? [])]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, s]) => ({
          labels: { ...s.labels },
          value: s.value,
          count: s.count,
          ...(s.buckets ? { buckets: ACK_BUCKETS_SECONDS.map((le, i) => ({ le, count: s.buckets![i]! })) } : {}),
        }));
      return { name, prometheusName: prometheusName(name), kind: definition.kind, unit: definition.unit, help: definition.help, series };
    });
  }

  /**
   * Prometheus text exposition format 0.0.4: HELP and TYPE for every metric of the catalog (a
   * counter nothing has counted yet reads 0, so a scrape sees every name from the start);
   * distributions as histograms (`_bucket{le}`, `_sum`, `_count`).
   */
  exposition(): string {
    const lines: string[] = [];
    for (const metric of this.snapshot()) {
      const name = metric.prometheusName;
      const type = metric.kind === 'counter' ? 'counter' : 'histogram';
      lines.push(`# HELP ${name} ${escapeHelp(metric.help)}`, `# TYPE ${name} ${type}`);
      if (metric.kind === 'counter') {
        if (metric.series.length === 0 && METRICS[metric.name].dimensions.length === 0) lines.push(`${name} 0`);
        for (const s of metric.series) lines.push(`${name}${labelText(s.labels)} ${formatNumber(s.value)}`);
        continue;
      }
      for (const s of metric.series) {
        for (const bucket of s.buckets ?? []) lines.push(`${name}_bucket${labelText({ ...s.labels, le: String(bucket.le) })} ${bucket.count}`);
        lines.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
        lines.push(`${name}_sum${labelText(s.labels)} ${formatNumber(s.value)}`);
        lines.push(`${name}_count${labelText(s.labels)} ${s.count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

/** The content type of the exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
