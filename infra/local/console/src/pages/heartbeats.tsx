import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { formatDateTime, formatDuration } from '../format.ts';
import { useI18n, type MessageKey } from '../i18n.ts';
import { href } from '../router.ts';
import { Loading, Notice } from '../ui.tsx';
import { useLiveResource } from '../live-resource.ts';

/**
 * Heartbeat monitors (GET /api/heartbeats): state, interval and grace, the last heartbeat, the next
 * deadline or since when it is silent (with the incident that opened), and pause / resume /
 * remove (POST …/pause, …/resume, DELETE). Reloaded as events arrive, at most once a second.
 */

export interface MonitorRow {
  system: string;
  name: string;
  state: 'up' | 'late' | 'paused';
  intervalSeconds: number;
  graceSeconds: number;
  lastSeenAt: string;
  lastSource: string;
  nextDeadline?: string;
  missedAt?: string;
  incidentId?: string;
  pausedBy?: string;
}

const STATE_LABELS: Record<MonitorRow['state'], MessageKey> = { up: 'monitorUp', late: 'monitorLate', paused: 'monitorPaused' };

const path = (m: Pick<MonitorRow, 'system' | 'name'>) => `/heartbeats/${encodeURIComponent(m.system)}/${encodeURIComponent(m.name)}`;

export function Heartbeats() {
  const { t, lang } = useI18n();
  const { data, error, reload: load } = useLiveResource<MonitorRow[]>('/heartbeats');
  const [outcome, setOutcome] = useState<string>();

  const act = async (m: MonitorRow, what: 'pause' | 'resume' | 'remove') => {
    try {
      if (what === 'remove') await api('DELETE', path(m));
      else await api('POST', `${path(m)}/${what}`);
      setOutcome(undefined);
      await load();
    } catch (e) {
      setOutcome(messageOf(e));
    }
  };

  return (
    <>
      <p class="muted intro">{t('heartbeatsIntro')}</p>
      {error && <Notice kind="error">{error}</Notice>}
      {outcome && <Notice kind="error">{outcome}</Notice>}
      {!data && !error && <Loading />}
      {data?.length === 0 && <p class="empty">{t('noHeartbeats')}</p>}
      {data && data.length > 0 && (
        <div class="table-wrap">
          <table aria-label={t('tabHeartbeats')}>
            <thead>
              <tr>
                <th scope="col">{t('colSystem')}</th>
                <th scope="col">{t('colName')}</th>
                <th scope="col">{t('colMonitorState')}</th>
                <th scope="col">{t('colInterval')}</th>
                <th scope="col">{t('colGrace')}</th>
                <th scope="col">{t('colLastSeen')}</th>
                <th scope="col">{t('colDeadline')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('remove')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((m) => {
                const label = `${m.system} / ${m.name}`;
                return (
                  <tr key={label} data-state={m.state}>
                    <td>{m.system}</td>
                    <td>{m.name}</td>
                    <td>{t(STATE_LABELS[m.state])}</td>
                    <td class="nowrap">{formatDuration(m.intervalSeconds, t)}</td>
                    <td class="nowrap">{formatDuration(m.graceSeconds, t)}</td>
                    <td class="nowrap">
                      {formatDateTime(m.lastSeenAt, lang)} <span class="muted">{m.lastSource}</span>
                    </td>
                    <td class="nowrap">
                      {m.nextDeadline ? formatDateTime(m.nextDeadline, lang) : ''}
                      {m.missedAt ? t('lateSince', { time: formatDateTime(m.missedAt, lang) }) : ''}
                      {m.incidentId ? (
                        <>
                          {' '}
                          <a href={href.incident(m.incidentId)}>{m.incidentId}</a>
                        </>
                      ) : null}
                    </td>
                    <td class="nowrap">
                      {m.state === 'paused' ? (
                        <button type="button" aria-label={`${t('resumeMonitor')} ${label}`} onClick={() => void act(m, 'resume')}>
                          {t('resumeMonitor')}
                        </button>
                      ) : (
                        <button type="button" aria-label={`${t('pauseMonitor')} ${label}`} onClick={() => void act(m, 'pause')}>
                          {t('pauseMonitor')}
                        </button>
                      )}{' '}
                      <button type="button" aria-label={`${t('remove')} ${label}`} onClick={() => void act(m, 'remove')}>
                        {t('remove')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
