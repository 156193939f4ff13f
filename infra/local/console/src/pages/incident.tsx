import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, get, messageOf, type IncidentCall, type IncidentDetail, type TimelineCall } from '../api.ts';
import { formatDateTime, formatDuration, formatTime, secondsBetween } from '../format.ts';
import { useI18n } from '../i18n.ts';
import { calls as liveCalls, incidents, onStreamEvent, runtimeNow } from '../live.ts';
import { href } from '../router.ts';
import { useStore, useTick } from '../store.ts';
import { Timeline } from '../timeline.tsx';
import { Breakable, Loading, Notice, StatusBadge } from '../ui.tsx';
import { phoningNow } from './incidents.tsx';

/** Before /api/incidents/{id}/calls: the contact records of the detail, without what was said. */
function fromTimeline(c: TimelineCall): IncidentCall {
  const call: IncidentCall = { attempt: c.attempt, contactId: c.contactId ?? `#${c.attempt}`, responder: c.responder, destination: c.destination, placedAt: c.placedAt ?? '', transcript: [] };
  if (c.connectedAt) call.connectedAt = c.connectedAt;
  if (c.endedAt) call.endedAt = c.endedAt;
  if (c.digits) call.digits = c.digits;
  if (c.outcome) call.outcome = c.outcome;
  if (c.discon_reason) call.disconnectReason = c.discon_reason;
  return call;
}

/** Seconds from opening to acknowledgement: the API's, or read off the timeline. */
function timeToAcknowledge(detail: IncidentDetail): number | undefined {
  if (detail.timeToAcknowledgeSeconds !== undefined) return detail.timeToAcknowledgeSeconds;
  const ack = detail.timeline.events.find((e) => e.detailType === 'IncidentAcknowledged');
  return ack ? secondsBetween(detail.openedAt, ack.time, 0) : undefined;
}

export function IncidentPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const [detail, setDetail] = useState<IncidentDetail | undefined>();
  const [callRows, setCallRows] = useState<IncidentCall[]>([]);
  const [error, setError] = useState<{ status: number; message: string } | undefined>();
  const live = useStore(liveCalls);
  const summaries = useStore(incidents);
  useTick(1000);

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const path = `/incidents/${encodeURIComponent(id)}`;
        const [d, c] = await Promise.all([get<IncidentDetail>(path), get<IncidentCall[]>(`${path}/calls`).catch((e: unknown) => (e instanceof ApiFailure && e.status === 404 ? undefined : Promise.reject(e)))]);
        if (!alive) return;
        setDetail(d);
        setCallRows(c ?? d.timeline.calls.map(fromTimeline));
        setError(undefined);
      } catch (e) {
        if (alive) setError({ status: e instanceof ApiFailure ? e.status : 0, message: messageOf(e) });
      }
    };
    setDetail(undefined);
    void load();
    const off = onStreamEvent((event) => {
      if (event.detailType !== 'reload' && 'incidentId' in event && event.incidentId !== id) return;
      clearTimeout(timer);
      timer = setTimeout(load, 150);
    });
    return () => {
      alive = false;
      clearTimeout(timer);
      off();
    };
  }, [id]);

  if (error && !detail) {
    return (
      <section>
        <p>
          <a href={href.incidents}>← {t('back')}</a>
        </p>
        <h1 tabIndex={-1}>{id}</h1>
        <Notice kind="error">{error.status === 404 ? t('notFound', { id }) : error.message}</Notice>
      </section>
    );
  }
  if (!detail) return <Loading />;
  // The stream's summary is newer than the detail between two loads.
  const summary = summaries.get(id);
  const status = summary?.status ?? detail.status;
  const now = runtimeNow();
  const tta = timeToAcknowledge(detail);
  // Calls still up: their live state (ringing → connected) shows before the next load.
  const rows = callRows.map((row) => {
    const l = live.get(row.contactId);
    if (!l || row.endedAt) return row;
    return { ...row, connectedAt: row.connectedAt ?? l.connectedAt, endedAt: l.endedAt, disconnectReason: row.disconnectReason ?? l.disconnectReason, transcript: l.transcript.length > row.transcript.length ? l.transcript : row.transcript };
  });
  const calling = phoningNow({ ...detail, status }, live, t);

  return (
    <section aria-labelledby="incident-title">
      <p>
        <a href={href.incidents}>← {t('back')}</a>
      </p>
      <div class="page-head">
        <h1 id="incident-title" tabIndex={-1}>
          {detail.system} / {detail.host} / {detail.service}
        </h1>
        <StatusBadge status={status} />
      </div>
      <dl class="facts">
        <div>
          <dt>{t('colIncident')}</dt>
          <dd>
            <code>{detail.incidentId}</code>
          </dd>
        </div>
        <div>
          <dt>{t('opened')}</dt>
          <dd>{formatDateTime(detail.openedAt, lang)}</dd>
        </div>
        {detail.closedAt && (
          <div>
            <dt>{t('closed')}</dt>
            <dd>{formatDateTime(detail.closedAt, lang)}</dd>
          </div>
        )}
        <div>
          <dt>{t('timeToAck')}</dt>
          <dd data-testid="time-to-acknowledge">{tta === undefined ? t('none') : formatDuration(tta, t)}</dd>
        </div>
        {detail.acknowledgedBy && (
          <div>
            <dt>{t('acknowledgedBy')}</dt>
            <dd>{detail.acknowledgedBy}</dd>
          </div>
        )}
        {detail.silencedUntil && (
          <div>
            <dt>{t('silencedUntil')}</dt>
            <dd>
              {formatDateTime(detail.silencedUntil, lang)} {detail.silenceId && <code>{detail.silenceId}</code>}
            </dd>
          </div>
        )}
        {detail.exhaustedReason && (
          <div>
            <dt>{t('exhaustedReason')}</dt>
            <dd>{detail.exhaustedReason}</dd>
          </div>
        )}
        <div>
          <dt>{t('colCalls')}</dt>
          <dd>
            {detail.callsPlaced}
            {calling && ` · ${calling}`}
          </dd>
        </div>
      </dl>

      <h2>{t('timeline')}</h2>
      <Timeline detail={detail} calls={rows} nowMs={now} />

      <h2 id="calls-title">{t('calls')}</h2>
      {rows.length === 0 ? (
        <p class="empty">{t('noCalls')}</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="calls-title" class="calls">
            <thead>
              <tr>
                <th scope="col" class="num">
                  #
                </th>
                <th scope="col">{t('colResponder')}</th>
                <th scope="col">{t('colNumber')}</th>
                <th scope="col">{t('colStart')}</th>
                <th scope="col">{t('colDuration')}</th>
                <th scope="col">{t('colDigits')}</th>
                <th scope="col">{t('colOutcome')}</th>
                <th scope="col">{t('colReason')}</th>
                <th scope="col">{t('colSpoken')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => {
                const ring = c.ringSeconds ?? secondsBetween(c.placedAt, c.connectedAt ?? c.endedAt, now);
                const talk = c.talkSeconds ?? (c.connectedAt ? secondsBetween(c.connectedAt, c.endedAt, now) : undefined);
                return (
                  <tr key={c.contactId}>
                    <td class="num">{c.attempt}</td>
                    <td>{c.responder}</td>
                    <td class="nowrap">{c.destination}</td>
                    <td class="nowrap">{formatTime(c.placedAt, lang)}</td>
                    <td class="nowrap">
                      {formatDuration(ring, t)}
                      {talk !== undefined && ` / ${formatDuration(talk, t)}`}
                    </td>
                    <td>
                      <code>{c.digits ?? ''}</code>
                    </td>
                    <td class="nowrap">{c.outcome ?? (c.endedAt ? '' : c.connectedAt ? t('talking') : t('ringing'))}</td>
                    <td class="reason">
                      <Breakable text={c.disconnectReason} />
                    </td>
                    <td>
                      {c.transcript.length > 0 && (
                        <details>
                          <summary>{t('lines', { n: c.transcript.length })}</summary>
                          <ol class="transcript">
                            {c.transcript.map((line) => (
                              <li lang={line.language} class={line.interrupted ? 'interrupted' : undefined}>
                                {line.text}
                              </li>
                            ))}
                          </ol>
                        </details>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <h2>{t('events')}</h2>
      <details class="events">
        <summary>{t('eventsCount', { n: detail.timeline.alerts.length + detail.timeline.events.length })}</summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('colTime')}</th>
                <th scope="col">{t('colType')}</th>
                <th scope="col">{t('colDetail')}</th>
              </tr>
            </thead>
            <tbody>
              {detail.timeline.alerts.map((a) => (
                <tr>
                  <td class="nowrap">{formatTime(a.receivedAt, lang)}</td>
                  <td>
                    {t('alertMark')} ({a.source})
                  </td>
                  <td>
                    {a.status}
                    {a.disposition ? ` · ${a.disposition}` : ''}
                    {a.lastcheck ? ` · ${a.lastcheck}` : ''}
                  </td>
                </tr>
              ))}
              {detail.timeline.events.map((e) => (
                <tr>
                  <td class="nowrap">{formatTime(e.time, lang)}</td>
                  <td>
                    {e.detailType}
                    {e.replayName ? ` (${e.replayName})` : ''}
                  </td>
                  <td>
                    {e.note && <p class="event-note">{e.note}</p>}
                    <code class="json">{JSON.stringify(e.detail)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
