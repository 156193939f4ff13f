import { useEffect, useState } from 'preact/hooks';
import { get, messageOf, STATUSES, type Summary } from '../api.ts';
import { BarChart } from '../chart.tsx';
import { formatDuration } from '../format.ts';
import { useI18n } from '../i18n.ts';
import { onStreamEvent } from '../live.ts';
import { Loading, Notice, StatusBadge } from '../ui.tsx';

/**
 * The weekly review: incidents per day by outcome, time to acknowledge (median, p90) per system,
 * calls per responder — uPlot charts, each followed by its numbers as a table. Days are counted in
 * the browser's time zone.
 */

export const STATUS_COLOURS: Record<(typeof STATUSES)[number], string> = {
  acknowledged: '#16a34a',
  silenced: '#6366f1',
  resolved: '#0891b2',
  exhausted: '#dc2626',
  suppressed: '#9ca3af',
  open: '#d97706',
};
const ORDER = ['acknowledged', 'silenced', 'resolved', 'exhausted', 'suppressed', 'open'] as const;
const PERIODS = [7, 14, 30, 90];

export function SummaryPage() {
  const { t } = useI18n();
  const [days, setDays] = useState(14);
  const [summary, setSummary] = useState<Summary | undefined>();
  const [error, setError] = useState<string | undefined>();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const s = await get<Summary>(`/summary?days=${days}&timeZone=${encodeURIComponent(zone)}`);
        if (alive) {
          setSummary(s);
          setError(undefined);
        }
      } catch (e) {
        if (alive) setError(messageOf(e));
      }
    };
    void load();
    const off = onStreamEvent((event) => {
      if (event.detailType !== 'reload' && !('incidentId' in event && event.incidentId)) return;
      clearTimeout(timer);
      timer = setTimeout(load, 1000);
    });
    return () => {
      alive = false;
      clearTimeout(timer);
      off();
    };
  }, [days]);

  const shortDate = (date: string) => date.slice(5);
  return (
    <section aria-labelledby="summary-title">
      <div class="page-head">
        <h1 id="summary-title" tabIndex={-1}>
          {t('summary')}
        </h1>
        <label class="inline">
          {t('period')}{' '}
          <select value={days} onChange={(e) => setDays(Number((e.currentTarget as HTMLSelectElement).value))}>
            {PERIODS.map((n) => (
              <option value={n}>{t('lastDays', { n })}</option>
            ))}
          </select>
        </label>
      </div>
      <p class="muted intro">
        {t('summaryIntro')} {summary && t('timeZoneLabel', { zone: summary.timeZone })}
        {summary && ` · ${summary.from} – ${summary.to}`}
      </p>
      {summary?.truncated && <Notice kind="error">{t('truncated')}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {!summary && !error && <Loading />}
      {summary && (
        <div class="summary-grid">
          <section class="card wide" aria-labelledby="per-day-title">
            <h2 id="per-day-title">{t('perDay')}</h2>
            <BarChart
              label={`${t('perDay')}. ${t('chartAlt')}`}
              mode="stacked"
              counts
              categories={summary.days.map((d) => shortDate(d.date))}
              series={ORDER.map((s) => ({ label: s, colour: STATUS_COLOURS[s], values: summary.days.map((d) => d[s] ?? 0) }))}
            />
            <details>
              <summary>{t('colDate')} × {t('colStatus')}</summary>
              <div class="table-wrap">
                <table aria-labelledby="per-day-title">
                  <thead>
                    <tr>
                      <th scope="col">{t('colDate')}</th>
                      {ORDER.map((s) => (
                        <th scope="col" class="num">
                          <StatusBadge status={s} />
                        </th>
                      ))}
                      <th scope="col" class="num">
                        {t('colTotal')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {summary.days.map((d) => (
                      <tr>
                        <th scope="row">{d.date}</th>
                        {ORDER.map((s) => (
                          <td class="num">{d[s] ?? 0}</td>
                        ))}
                        <td class="num">{ORDER.reduce((sum, s) => sum + (d[s] ?? 0), 0)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </section>

          <section class="card" aria-labelledby="tta-title">
            <h2 id="tta-title">{t('ttaPerSystem')}</h2>
            {summary.timeToAcknowledge.length === 0 ? (
              <p class="empty">{t('noData')}</p>
            ) : (
              <>
                <BarChart
                  label={`${t('ttaPerSystem')}. ${t('chartAlt')}`}
                  mode="grouped"
                  categories={summary.timeToAcknowledge.map((r) => r.system)}
                  series={[
                    { label: t('median'), colour: '#16a34a', values: summary.timeToAcknowledge.map((r) => r.medianSeconds) },
                    { label: t('p90'), colour: '#d97706', values: summary.timeToAcknowledge.map((r) => r.p90Seconds) },
                  ]}
                />
                <div class="table-wrap">
                  <table aria-labelledby="tta-title">
                    <thead>
                      <tr>
                        <th scope="col">{t('colSystem')}</th>
                        <th scope="col" class="num">
                          {t('colAcknowledged')}
                        </th>
                        <th scope="col" class="num">
                          {t('colMedian')}
                        </th>
                        <th scope="col" class="num">
                          {t('colP90')}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {summary.timeToAcknowledge.map((r) => (
                        <tr>
                          <th scope="row">{r.system}</th>
                          <td class="num">{r.acknowledged}</td>
                          <td class="num">{formatDuration(r.medianSeconds, t)}</td>
                          <td class="num">{formatDuration(r.p90Seconds, t)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>

          <section class="card" aria-labelledby="cpr-title">
            <h2 id="cpr-title">{t('callsPerResponder')}</h2>
            {summary.callsPerResponder.length === 0 ? (
              <p class="empty">{t('noData')}</p>
            ) : (
              <>
                <BarChart
                  label={`${t('callsPerResponder')}. ${t('chartAlt')}`}
                  mode="grouped"
                  counts
                  categories={summary.callsPerResponder.map((r) => r.responder)}
                  series={[
                    { label: t('callsWord'), colour: '#64748b', values: summary.callsPerResponder.map((r) => r.calls) },
                    { label: t('answered'), colour: '#0891b2', values: summary.callsPerResponder.map((r) => r.answered) },
                    { label: t('acknowledged'), colour: '#16a34a', values: summary.callsPerResponder.map((r) => r.acknowledged) },
                  ]}
                />
                <div class="table-wrap">
                  <table aria-labelledby="cpr-title">
                    <thead>
                      <tr>
                        <th scope="col">{t('colResponder')}</th>
                        <th scope="col" class="num">
                          {t('colCalls')}
                        </th>
                        <th scope="col" class="num">
                          {t('colAnswered')}
                        </th>
                        <th scope="col" class="num">
                          {t('colAcknowledged')}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {summary.callsPerResponder.map((r) => (
                        <tr>
                          <th scope="row">{r.responder}</th>
                          <td class="num">{r.calls}</td>
                          <td class="num">{r.answered}</td>
                          <td class="num">{r.acknowledged}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
        </div>
      )}
    </section>
  );
}
