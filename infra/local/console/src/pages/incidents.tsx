import { useState } from 'preact/hooks';
import { STATUSES, type IncidentSummary, type SoftphoneCall, type Status } from '../api.ts';
import { useI18n, type Translate } from '../i18n.ts';
import { calls, incidents, runtimeNow } from '../live.ts';
import { formatDateTime, formatDuration } from '../format.ts';
import { href } from '../router.ts';
import { useStore, useTick } from '../store.ts';
import { Contract, StatusBadge } from '../ui.tsx';

/** Who an incident is phoning now: the call that is up, else whose line it waits for. */
export function phoningNow(incident: IncidentSummary, all: ReadonlyMap<string, SoftphoneCall>, t: Translate): string {
  let live: SoftphoneCall | undefined;
  for (const call of all.values()) if (call.incidentId === incident.incidentId && call.state !== 'ended' && (!live || call.attempt > live.attempt)) live = call;
  if (live && incident.status === 'open') return t(live.state === 'ringing' ? 'ringingWho' : 'talkingWho', { name: live.responder });
  if (incident.waitingFor) return t('waitingWho', { name: incident.waitingFor });
  return '';
}

export function IncidentsPage() {
  const { t, lang } = useI18n();
  const all = useStore(incidents);
  const live = useStore(calls);
  const [filter, setFilter] = useState<Status | ''>('');
  useTick(1000);
  const now = runtimeNow();
  const rows = [...all.values()].filter((i) => !filter || i.status === filter).sort((a, b) => b.openedAt.localeCompare(a.openedAt) || b.incidentId.localeCompare(a.incidentId));
  return (
    <section aria-labelledby="incidents-title">
      <div class="page-head">
        <h1 id="incidents-title" tabIndex={-1}>
          {t('navIncidents')}
        </h1>
        <label class="inline">
          {t('filterStatus')}{' '}
          <select value={filter} onChange={(e) => setFilter((e.currentTarget as HTMLSelectElement).value as Status | '')}>
            <option value="">{t('allStatuses')}</option>
            {STATUSES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
      </div>
      <p class="muted intro">{t('incidentsIntro')}</p>
      <div class="table-wrap">
        <table class="incidents">
          <caption>
            <Contract word="Incidents" />
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('colStatus')}</th>
              <th scope="col">{t('colSystem')}</th>
              <th scope="col">{t('colHost')}</th>
              <th scope="col">{t('colService')}</th>
              <th scope="col">{t('colAge')}</th>
              <th scope="col" class="num">
                {t('colCalls')}
              </th>
              <th scope="col">{t('colNow')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((incident) => {
              const end = incident.closedAt ? Date.parse(incident.closedAt) : now;
              const age = (end - Date.parse(incident.openedAt)) / 1000;
              return (
                <tr key={incident.incidentId} class={`row-${incident.status}`} data-incident={incident.incidentId}>
                  <td>
                    <StatusBadge status={incident.status} />
                  </td>
                  <td>
                    <a href={href.incident(incident.incidentId)} title={incident.incidentId}>
                      {incident.system}
                    </a>
                  </td>
                  <td>{incident.host}</td>
                  <td>{incident.service}</td>
                  <td title={formatDateTime(incident.openedAt, lang)}>{formatDuration(age, t)}</td>
                  <td class="num">{incident.callsPlaced}</td>
                  <td>{phoningNow(incident, live, t)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <p class="empty">{t('noIncidents')}</p>}
    </section>
  );
}
