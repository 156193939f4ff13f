import { useI18n, type Translate } from '../i18n.ts';
import { Loading, Notice } from '../ui.tsx';
import { useLiveResource } from '../live-resource.ts';

/**
 * The runtime's counters (GET /api/metrics?format=json): the metric catalog's numbers since the
 * runtime started — what the Lambda functions write to CloudWatch on AWS. Reloaded as events
 * arrive on the live stream, at most once a second. The Prometheus text is linked for scrapers.
 */

interface Series {
  labels: Record<string, string>;
  value: number;
  count: number;
  buckets?: { le: number; count: number }[];
}

interface Metric {
  name: string;
  prometheusName: string;
  kind: 'counter' | 'distribution';
  unit: string;
  help: string;
  series: Series[];
}

/** The smallest bucket bound holding the q-th observation (a histogram only knows that much). */
function quantileBound(series: Series, q: number): number | undefined {
  const rank = Math.ceil(q * series.count);
  return series.buckets?.find((b) => b.count >= rank)?.le;
}

function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

function valueText(metric: Metric, series: Series, t: Translate): string {
  if (metric.kind === 'counter') return String(series.value);
  const median = quantileBound(series, 0.5);
  const p90 = quantileBound(series, 0.9);
  const bound = (le: number | undefined) => (le === undefined ? t('metricsOver') : `≤ ${t('seconds', { n: le })}`);
  return t('metricsDistribution', { n: series.count, mean: series.count ? Math.round(series.value / series.count) : 0, median: bound(median), p90: bound(p90) });
}

export function Metrics() {
  const { t } = useI18n();
  const { data, error } = useLiveResource('/metrics?format=json', { pick: (body: { metrics: Metric[] }) => body.metrics });

  return (
    <>
      <p class="muted intro">
        {t('metricsIntro')} <a href="/api/metrics">{t('metricsRaw')}</a>
      </p>
      {error && <Notice kind="error">{error}</Notice>}
      {!data && !error && <Loading />}
      {data && (
        <div class="table-wrap">
          <table aria-label={t('tabMetrics')}>
            <thead>
              <tr>
                <th scope="col">{t('colMetric')}</th>
                <th scope="col">{t('colLabels')}</th>
                <th scope="col">{t('colValue')}</th>
              </tr>
            </thead>
            <tbody>
              {data.flatMap((metric) => {
                const rows = metric.series.length ? metric.series : [{ labels: {}, value: 0, count: 0 }];
                return rows.map((series, i) => (
                  <tr>
                    {i === 0 && (
                      <td rowSpan={rows.length}>
                        {metric.name}
                        <div class="muted small">{metric.help}</div>
                      </td>
                    )}
                    <td>{labelsText(series.labels)}</td>
                    <td>{valueText(metric, series, t)}</td>
                  </tr>
                ));
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
