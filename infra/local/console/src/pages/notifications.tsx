import { formatDateTime } from '../format.ts';
import { useI18n, type MessageKey } from '../i18n.ts';
import { href } from '../router.ts';
import { Loading, Notice } from '../ui.tsx';
import { useLiveResource } from '../live-resource.ts';

/**
 * What the notification target was told (GET /api/notifications, newest first): nobody answered, a
 * roster's rounds ran out, a call that cannot be placed, dead letters. Each row opens to the text
 * an email got. Reloaded as events arrive on the live stream (a notification follows an event:
 * IncidentExhausted, RosterExhausted, CallDeferred), at most once a second.
 */

export interface NotificationRow {
  messageId: string;
  publishedAt: string;
  kind?: string;
  incidentId?: string;
  system?: string;
  subject?: string;
  message: string;
}

const KIND_LABELS: Record<string, MessageKey> = {
  'incident-exhausted': 'kindIncidentExhausted',
  'roster-exhausted': 'kindRosterExhausted',
  'placement-failing': 'kindPlacementFailing',
  'dead-letters': 'kindDeadLetters',
};

export function Notifications() {
  const { t, lang } = useI18n();
  const { data, error } = useLiveResource<NotificationRow[]>('/notifications?limit=100');

  const kind = (k: string | undefined) => (k && KIND_LABELS[k] ? t(KIND_LABELS[k] as MessageKey) : (k ?? ''));
  return (
    <>
      <p class="muted intro">{t('notificationsIntro')}</p>
      {error && <Notice kind="error">{error}</Notice>}
      {!data && !error && <Loading />}
      {data?.length === 0 && <p class="empty">{t('noNotifications')}</p>}
      {data && data.length > 0 && (
        <div class="table-wrap">
          <table aria-label={t('tabNotifications')}>
            <thead>
              <tr>
                <th scope="col">{t('colSentAt')}</th>
                <th scope="col">{t('colKind')}</th>
                <th scope="col">{t('colSubject')}</th>
              </tr>
            </thead>
            <tbody>
              {data.map((n) => (
                <tr key={n.messageId}>
                  <td class="nowrap">{formatDateTime(n.publishedAt, lang)}</td>
                  <td>{kind(n.kind)}</td>
                  <td class="wrap">
                    {n.incidentId ? <a href={href.incident(n.incidentId)}>{n.subject ?? n.incidentId}</a> : (n.subject ?? '')}
                    <details>
                      <summary>{t('showMessage')}</summary>
                      <pre class="wrap">{n.message}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
