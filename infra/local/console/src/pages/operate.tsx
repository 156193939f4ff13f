import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, getText, maskPhone, messageOf, putEvent, type DeadLetter, type Fault, type Roster, type RouteRow, type Silence } from '../api.ts';
import { formatDateTime, formatDuration, formatWindow } from '../format.ts';
import { useI18n, type MessageKey } from '../i18n.ts';
import { useLiveResource } from '../live-resource.ts';
import { href, OPERATE_TABS, type OperateTab } from '../router.ts';
import { Loading, Notice } from '../ui.tsx';
import { Heartbeats } from './heartbeats.tsx';
import { Metrics } from './metrics.tsx';
import { Notifications } from './notifications.tsx';

/**
 * Operating without the CLI: rosters, silences, dead letters, faults, the routing table and a test
 * alert. Whatever the server answers (its validation messages included) is shown verbatim.
 */

const TAB_LABELS: Record<OperateTab, MessageKey> = {
  rosters: 'tabRosters',
  silences: 'tabSilences',
  heartbeats: 'tabHeartbeats',
  'dead-letters': 'tabDeadLetters',
  notifications: 'tabNotifications',
  faults: 'tabFaults',
  routes: 'tabRoutes',
  alert: 'tabAlert',
  metrics: 'tabMetrics',
};

type Outcome = { kind: 'ok' | 'error'; text: string } | undefined;

/** Operate's lists: reloaded at once by the events that change them (or a reconnect), and after an action. */
function useResource<T>(path: string, reloadOn: (detailType: string) => boolean = () => false) {
  return useLiveResource<T>(path, { reloadOn, throttleMs: 0 });
}

function Result({ outcome }: { outcome: Outcome }) {
  return outcome ? <Notice kind={outcome.kind}>{outcome.text}</Notice> : null;
}

function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint && <span class="muted small">{hint}</span>}
    </label>
  );
}

const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;

// ---------------------------------------------------------------------------------------- rosters

function Rosters() {
  const { t } = useI18n();
  const { data, error, reload } = useResource<Roster[]>('/rosters');
  const [text, setText] = useState('');
  const [name, setName] = useState('roster.yaml');
  const [outcome, setOutcome] = useState<Outcome>();
  const [sending, setSending] = useState(false);

  // The server writes the YAML (GET /api/rosters/{system}?format=yaml), so it reads back as it was.
  const edit = async (rosters: Roster[]) => {
    try {
      const files = await Promise.all(rosters.map((r) => getText(`/rosters/${encodeURIComponent(r.system)}?format=yaml`)));
      const single = rosters.length === 1 ? files[0] : undefined;
      setText(single ?? `rosters:\n${files.map((f) => f.trimEnd().split('\n').map((line, i) => `${i === 0 ? '  - ' : '    '}${line}`).join('\n')).join('\n')}\n`);
      setName(single !== undefined ? `${rosters[0]?.system}.yaml` : 'rosters.yaml');
      setOutcome(undefined);
      document.getElementById('roster-editor')?.focus();
    } catch (e) {
      setOutcome({ kind: 'error', text: messageOf(e) });
    }
  };
  const open = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    setText(await file.text());
    setName(file.name);
    setOutcome(undefined);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setSending(true);
    try {
      const res = await api<{ imported: string[] }>('POST', `/rosters/import?name=${encodeURIComponent(name)}`, text);
      setOutcome({ kind: 'ok', text: t('imported', { systems: res.imported.join(', ') }) });
      await reload();
    } catch (err) {
      setOutcome({ kind: 'error', text: messageOf(err) });
    } finally {
      setSending(false);
    }
  };

  return (
    <>
      <p class="muted intro">{t('rostersIntro')}</p>
      {error && <Notice kind="error">{error}</Notice>}
      {!data && !error && <Loading />}
      {data?.length === 0 && <p class="empty">{t('noRosters')}</p>}
      {data && data.length > 1 && (
        <p>
          <button type="button" onClick={() => void edit(data)}>
            {t('editAll')}
          </button>
        </p>
      )}
      {data?.map((roster) => (
        <section class="card" aria-labelledby={`roster-${roster.system}`}>
          <div class="card-head">
            <h3 id={`roster-${roster.system}`}>{roster.system}</h3>
            <button type="button" onClick={() => void edit([roster])} aria-label={`${t('edit')} ${roster.system}`}>
              {t('edit')}
            </button>
          </div>
          <p class="muted small">
            {t('rounds')}: {roster.rounds}
            {roster.alertTimezone && ` · ${t('alertTimezone')}: ${roster.alertTimezone}`}
            {roster.minCallGapSeconds !== undefined && ` · ${t('minCallGap')}: ${roster.minCallGapSeconds} s`}
            {roster.groupBy && ` · ${t('groupBy')}: ${roster.groupBy.join(', ')}`}
          </p>
          <div class="table-wrap">
            <table aria-labelledby={`roster-${roster.system}`}>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('colName')}</th>
                  <th scope="col">{t('colPhone')}</th>
                  <th scope="col">{t('colLanguage')}</th>
                  <th scope="col">{t('colTimezone')}</th>
                  <th scope="col">{t('colHours')}</th>
                </tr>
              </thead>
              <tbody>
                {roster.responders.map((r, i) => (
                  <tr>
                    <td>{i + 1}</td>
                    <td>{r.name}</td>
                    <td class="nowrap">{maskPhone(r.phone)}</td>
                    <td>{r.language}</td>
                    <td>{r.timezone}</td>
                    <td>{r.hours ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
      <form class="card" onSubmit={submit}>
        <label for="roster-editor" class="field-label">
          {t('editor')} <span class="muted">({name})</span>
        </label>
        <textarea id="roster-editor" rows={14} spellcheck={false} value={text} onInput={(e) => setText(value(e))} />
        <div class="row">
          <label class="file">
            <span class="visually-hidden">{t('loadFile')}</span>
            <input type="file" accept=".yaml,.yml,.json,application/json,text/yaml" onChange={open} />
          </label>
          <button type="submit" class="primary" disabled={sending || !text.trim()}>
            {t('importRosters')}
          </button>
        </div>
        <Result outcome={outcome} />
      </form>
    </>
  );
}

// --------------------------------------------------------------------------------------- silences

function Silences() {
  const { t, lang } = useI18n();
  const { data, error, reload } = useResource<Silence[]>('/silences', (type) => type === 'SilenceAdded' || type === 'IncidentSilenced' || type === 'Silenced');
  const rosters = useResource<Roster[]>('/rosters').data;
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [form, setForm] = useState({ system: '', host: '', service: '', hours: '12', reason: '', recurring: false, cron: 'cron(0 2 ? * SUN *)', minutes: '120', timezone: browserZone });
  const [outcome, setOutcome] = useState<Outcome>();

  const remove = async (id: string) => {
    try {
      await api('DELETE', `/silences/${encodeURIComponent(id)}`);
      setOutcome(undefined);
      await reload();
    } catch (e) {
      setOutcome({ kind: 'error', text: messageOf(e) });
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { system: form.system, createdBy: 'console' };
    if (form.host.trim()) body.host = form.host;
    if (form.service.trim()) body.service = form.service;
    if (form.recurring) {
      // A maintenance window: the server checks the cron, the minutes and the zone, and says which is wrong.
      body.cron = form.cron.trim();
      body.durationMinutes = Number(form.minutes);
      body.timezone = form.timezone.trim();
    } else if (form.hours.trim()) body.hours = Number(form.hours);
    if (form.reason.trim()) body.reason = form.reason;
    try {
      const silence = await api<Silence>('POST', '/silences', body);
      setOutcome({ kind: 'ok', text: t('added', { id: silence.silenceId }) });
      await reload();
    } catch (err) {
      setOutcome({ kind: 'error', text: messageOf(err) });
    }
  };
  const set = (key: keyof typeof form) => (e: Event) => setForm({ ...form, [key]: value(e) });
  /** A maintenance window's current or next window, in its own zone. */
  const windowCell = (s: Silence) => {
    if (!s.cron || !s.timezone) return '';
    if (s.window) return t('windowNow', { until: formatWindow(s.window, s.timezone, lang) });
    return s.nextWindow ? t('windowNext', { window: formatWindow(s.nextWindow, s.timezone, lang) }) : '';
  };

  return (
    <>
      <p class="muted intro">{t('silencesIntro')}</p>
      {error && <Notice kind="error">{error}</Notice>}
      {!data && !error && <Loading />}
      {data?.length === 0 && <p class="empty">{t('noSilences')}</p>}
      {data && data.length > 0 && (
        <div class="table-wrap">
          <table aria-label={t('tabSilences')} class="silences">
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">{t('colScope')}</th>
                <th scope="col">{t('colRecurrence')}</th>
                <th scope="col">{t('colWindow')}</th>
                <th scope="col">{t('colFrom')}</th>
                <th scope="col">{t('colUntil')}</th>
                <th scope="col">{t('colActive')}</th>
                <th scope="col">{t('colReasonText')}</th>
                <th scope="col">{t('colBy')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('remove')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((s) => (
                <tr key={s.silenceId}>
                  <td>
                    <code>{s.silenceId}</code>
                  </td>
                  <td>{[s.scope.system, s.scope.host, s.scope.service].filter(Boolean).join(' / ')}</td>
                  <td>{s.cron ? <><code>{s.cron}</code> {formatDuration((s.durationMinutes ?? 0) * 60, t)} · {s.timezone}</> : ''}</td>
                  <td>{windowCell(s)}</td>
                  <td class="nowrap">{formatDateTime(s.from, lang)}</td>
                  <td class="nowrap">{s.until ? formatDateTime(s.until, lang) : t('noEnd')}</td>
                  <td>{s.active ? t('yes') : t('no')}</td>
                  <td>{s.reason ?? ''}</td>
                  <td>{s.createdBy ?? ''}</td>
                  <td>
                    <button type="button" aria-label={`${t('remove')} ${s.silenceId}`} onClick={() => void remove(s.silenceId)}>
                      {t('remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="card form-grid" onSubmit={add}>
        <h3>{t('addSilence')}</h3>
        <Field label={t('colSystem')}>
          <input required list="systems" value={form.system} onInput={set('system')} maxLength={256} />
          <datalist id="systems">{rosters?.map((r) => <option value={r.system} />)}</datalist>
        </Field>
        <Field label={t('colHost')}>
          <input value={form.host} onInput={set('host')} maxLength={256} />
        </Field>
        <Field label={t('colService')}>
          <input value={form.service} onInput={set('service')} maxLength={256} />
        </Field>
        <label class="inline">
          <input type="checkbox" checked={form.recurring} onChange={(e) => setForm({ ...form, recurring: (e.currentTarget as HTMLInputElement).checked })} /> {t('recurring')}
        </label>
        {form.recurring ? (
          <>
            <Field label={t('cron')}>
              <input required value={form.cron} onInput={set('cron')} maxLength={256} spellcheck={false} />
            </Field>
            <Field label={t('windowMinutes')}>
              <input type="number" required min="1" max="10080" step="1" value={form.minutes} onInput={set('minutes')} />
            </Field>
            <Field label={t('colTimezone')}>
              <input required value={form.timezone} onInput={set('timezone')} maxLength={64} />
            </Field>
          </>
        ) : (
          <Field label={t('hours')}>
            <input type="number" min="0.01" step="any" value={form.hours} onInput={set('hours')} />
          </Field>
        )}
        <Field label={t('reason')}>
          <input value={form.reason} onInput={set('reason')} maxLength={500} />
        </Field>
        <div class="row">
          <button type="submit" class="primary">
            {t('add')}
          </button>
        </div>
        <Result outcome={outcome} />
      </form>
    </>
  );
}

// ----------------------------------------------------------------------------------- dead letters

function DeadLetters() {
  const { t, lang } = useI18n();
  const { data, error, reload } = useResource<DeadLetter[]>('/dead-letters');
  const [outcome, setOutcome] = useState<Outcome>();
  const redrive = async (id?: string) => {
    try {
      const res = await api<{ redriven: number }>('POST', '/dead-letters/redrive', id ? { id } : {});
      setOutcome({ kind: 'ok', text: t('redriven', { n: res.redriven }) });
      await reload();
    } catch (e) {
      setOutcome({ kind: 'error', text: messageOf(e) });
    }
  };
  return (
    <>
      <p class="muted intro">{t('deadIntro')}</p>
      {error && <Notice kind="error">{error}</Notice>}
      {!data && !error && <Loading />}
      {data?.length === 0 && <p class="empty">{t('noDeadLetters')}</p>}
      {data && data.length > 0 && (
        <>
          <p>
            <button type="button" onClick={() => void redrive()}>
              {t('redriveAll')}
            </button>
          </p>
          <div class="table-wrap">
            <table aria-label={t('tabDeadLetters')}>
              <thead>
                <tr>
                  <th scope="col">{t('colRoute')}</th>
                  <th scope="col">{t('colEvent')}</th>
                  <th scope="col">{t('colStage')}</th>
                  <th scope="col">{t('colError')}</th>
                  <th scope="col" class="num">
                    {t('colAttempts')}
                  </th>
                  <th scope="col">{t('colFailedAt')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('redrive')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.map((l) => (
                  <tr key={l.id}>
                    <td>{l.route}</td>
                    <td>{l.envelope?.['detail-type'] ?? ''}</td>
                    <td>
                      {l.stage}
                      {l.condition ? ` · ${l.condition}` : ''}
                    </td>
                    <td class="wrap">{l.error}</td>
                    <td class="num">{l.attempts ?? ''}</td>
                    <td class="nowrap">{formatDateTime(l.failedAt, lang)}</td>
                    <td>
                      <button type="button" aria-label={`${t('redrive')} ${l.id}`} onClick={() => void redrive(l.id)}>
                        {t('redrive')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <Result outcome={outcome} />
    </>
  );
}

// ----------------------------------------------------------------------------------------- faults

/** The targets faultSpecSchema accepts (infra/local/aws/faults/fault-book.ts); the server has the last word. */
const FAULT_TARGETS = [
  'connect:StartOutboundVoiceContact',
  'connect:DescribeContact',
  'connect:StopContact',
  'connect:*',
  'scheduler:CreateSchedule',
  'scheduler:DeleteSchedule',
  'scheduler:*',
  'dynamodb:*',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'events:PutEvents',
  'lambda:Invoke',
  ...['alert-received', 'cloudwatch-alarm', 'place-call', 'call-check', 'escalate', 'record-silence', 'stop-call', 'apply-silence', 'contact-event', 'sweep', 'timeline', 'notify', 'flow-result'].map((h) => `handler:${h}`),
];
const ERROR_CODES = ['ThrottlingException', 'InternalServiceException', 'ServiceQuotaExceededException', 'LimitExceededException', 'ProvisionedThroughputExceededException', 'ServiceUnavailableException', 'AccessDeniedException', 'InternalServerError'];

function Faults() {
  const { t, lang } = useI18n();
  const { data, error, reload } = useResource<Fault[]>('/faults');
  const [form, setForm] = useState({ target: 'connect:StartOutboundVoiceContact', error: 'ThrottlingException', message: '', mode: 'forSeconds' as 'forSeconds' | 'times', amount: '600' });
  const [outcome, setOutcome] = useState<Outcome>();
  const set = (key: keyof typeof form) => (e: Event) => setForm({ ...form, [key]: value(e) });

  const add = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { target: form.target.trim(), error: form.error.trim(), [form.mode]: Number(form.amount) };
    if (form.message.trim()) body.message = form.message;
    try {
      const fault = await api<Fault>('POST', '/faults', body);
      setOutcome({ kind: 'ok', text: t('added', { id: fault.id }) });
      await reload();
    } catch (err) {
      setOutcome({ kind: 'error', text: messageOf(err) });
    }
  };
  const clear = async () => {
    try {
      const res = await api<{ cleared: number }>('DELETE', '/faults');
      setOutcome({ kind: 'ok', text: t('cleared', { n: res.cleared }) });
      await reload();
    } catch (err) {
      setOutcome({ kind: 'error', text: messageOf(err) });
    }
  };

  return (
    <>
      <p class="muted intro">{t('faultsIntro')}</p>
      {error && <Notice kind="error">{error}</Notice>}
      {!data && !error && <Loading />}
      {data?.length === 0 && <p class="empty">{t('noFaults')}</p>}
      {data && data.length > 0 && (
        <>
          <div class="table-wrap">
            <table aria-label={t('tabFaults')}>
              <thead>
                <tr>
                  <th scope="col">ID</th>
                  <th scope="col">{t('colTarget')}</th>
                  <th scope="col">{t('colError')}</th>
                  <th scope="col">{t('colLeft')}</th>
                  <th scope="col" class="num">
                    {t('colHits')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.map((f) => (
                  <tr key={f.id}>
                    <td>
                      <code>{f.id}</code>
                    </td>
                    <td>{f.target}</td>
                    <td>
                      {f.error}
                      {f.message ? ` · ${f.message}` : ''}
                    </td>
                    <td class="nowrap">{f.remaining !== undefined ? `${f.remaining} ×` : formatDateTime(f.until, lang)}</td>
                    <td class="num">{f.hits}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            <button type="button" class="danger" onClick={() => void clear()}>
              {t('clearFaults')}
            </button>
          </p>
        </>
      )}
      <form class="card form-grid" onSubmit={add}>
        <h3>{t('addFault')}</h3>
        <Field label={t('target')}>
          <input required list="fault-targets" value={form.target} onInput={set('target')} />
          <datalist id="fault-targets">
            {FAULT_TARGETS.map((target) => (
              <option value={target} />
            ))}
          </datalist>
        </Field>
        <Field label={t('errorCode')}>
          <input required list="fault-errors" value={form.error} onInput={set('error')} />
          <datalist id="fault-errors">
            {ERROR_CODES.map((code) => (
              <option value={code} />
            ))}
          </datalist>
        </Field>
        <Field label={t('message')}>
          <input value={form.message} onInput={set('message')} maxLength={500} />
        </Field>
        <fieldset class="field">
          <legend class="field-label">{t('limitBy')}</legend>
          <label class="inline">
            <input type="radio" name="fault-mode" checked={form.mode === 'forSeconds'} onChange={() => setForm({ ...form, mode: 'forSeconds' })} /> {t('forSeconds')}
          </label>{' '}
          <label class="inline">
            <input type="radio" name="fault-mode" checked={form.mode === 'times'} onChange={() => setForm({ ...form, mode: 'times' })} /> {t('times')}
          </label>
          <input type="number" min="1" step="1" required value={form.amount} onInput={set('amount')} aria-label={form.mode === 'times' ? t('times') : t('forSeconds')} />
        </fieldset>
        <div class="row">
          <button type="submit" class="primary">
            {t('add')}
          </button>
        </div>
        <Result outcome={outcome} />
      </form>
    </>
  );
}

// ----------------------------------------------------------------------------------------- routes

function Routes() {
  const { t } = useI18n();
  const { data, error } = useResource<RouteRow[]>('/routes');
  return (
    <>
      <p class="muted intro">{t('routesIntro')}</p>
      {error && <Notice kind="error">{error}</Notice>}
      {!data && !error && <Loading />}
      {data && (
        <div class="table-wrap">
          <table aria-label={t('tabRoutes')}>
            <thead>
              <tr>
                <th scope="col">{t('colRule')}</th>
                <th scope="col">{t('colBus')}</th>
                <th scope="col">{t('colPattern')}</th>
                <th scope="col">{t('colTarget')}</th>
                <th scope="col">{t('colReplays')}</th>
              </tr>
            </thead>
            <tbody>
              {data.map((r) => (
                <tr>
                  <td>
                    {r.name}
                    {r.description && <div class="muted small">{r.description}</div>}
                  </td>
                  <td>{r.bus}</td>
                  <td>
                    <pre class="json">{typeof r.pattern === 'string' ? r.pattern : JSON.stringify(r.pattern, null, 1)}</pre>
                  </td>
                  <td>{r.handler}</td>
                  <td>{r.replays}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

// ------------------------------------------------------------------------------------- test alert

function localLastcheck(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function TestAlert() {
  const { t } = useI18n();
  const rosters = useResource<Roster[]>('/rosters').data;
  const [form, setForm] = useState({ system: '', host: 'server1', service: 'CPU Utilization', lastcheck: localLastcheck(), status: 'firing', severity: '', message: '' });
  const [outcome, setOutcome] = useState<Outcome>();
  const [sending, setSending] = useState(false);
  const set = (key: keyof typeof form) => (e: Event) => setForm({ ...form, [key]: value(e) });
  const system = form.system || rosters?.find((r) => r.system !== 'default')?.system || '';

  const send = async (e: Event) => {
    e.preventDefault();
    setSending(true);
    const alert: Record<string, string> = { host: form.host, service: form.service, lastcheck: form.lastcheck, systemname: system };
    if (form.status === 'resolved') alert.status = 'resolved';
    if (form.severity.trim()) alert.severity = form.severity;
    if (form.message.trim()) alert.message = form.message;
    try {
      const res = await putEvent({ EventBusName: 'yobidashi', Source: 'console', DetailType: 'AlertReceived', Detail: JSON.stringify({ alertinfo: [alert] }) });
      const entry = res.Entries[0];
      if (res.FailedEntryCount || !entry?.EventId) setOutcome({ kind: 'error', text: `${entry?.ErrorCode ?? ''} ${entry?.ErrorMessage ?? ''}`.trim() || JSON.stringify(res) });
      else setOutcome({ kind: 'ok', text: t('sent', { id: entry.EventId }) });
    } catch (err) {
      setOutcome({ kind: 'error', text: messageOf(err) });
    } finally {
      setSending(false);
    }
  };

  return (
    <>
      <p class="muted intro">{t('alertIntro')}</p>
      <form class="card form-grid" onSubmit={send}>
        <Field label={t('colSystem')}>
          <input required list="alert-systems" value={system} onInput={set('system')} maxLength={256} />
          <datalist id="alert-systems">{rosters?.map((r) => <option value={r.system} />)}</datalist>
        </Field>
        <Field label={t('colHost')}>
          <input required value={form.host} onInput={set('host')} maxLength={256} />
        </Field>
        <Field label={t('colService')}>
          <input required value={form.service} onInput={set('service')} maxLength={256} />
        </Field>
        <Field label={t('lastcheck')}>
          <input value={form.lastcheck} onInput={set('lastcheck')} maxLength={64} />
        </Field>
        <Field label={t('alertStatus')}>
          <select value={form.status} onChange={set('status')}>
            <option value="firing">firing</option>
            <option value="resolved">resolved</option>
          </select>
        </Field>
        <Field label={t('severity')}>
          <input value={form.severity} onInput={set('severity')} maxLength={32} />
        </Field>
        <Field label={t('message')}>
          <input value={form.message} onInput={set('message')} maxLength={2000} />
        </Field>
        <div class="row">
          <button type="submit" class="primary" disabled={sending}>
            {t('send')}
          </button>
        </div>
        <Result outcome={outcome} />
      </form>
    </>
  );
}

// ------------------------------------------------------------------------------------------- page

const PANELS: Record<OperateTab, () => JSX.Element> = {
  rosters: Rosters,
  silences: Silences,
  heartbeats: Heartbeats,
  'dead-letters': DeadLetters,
  notifications: Notifications,
  faults: Faults,
  routes: Routes,
  alert: TestAlert,
  metrics: Metrics,
};

export function OperatePage({ tab }: { tab: OperateTab }) {
  const { t } = useI18n();
  const Panel = PANELS[tab];
  return (
    <section aria-labelledby="operate-title">
      <h1 id="operate-title" tabIndex={-1}>
        {t('operate')}: {t(TAB_LABELS[tab])}
      </h1>
      <nav class="tabs" aria-label={t('operate')}>
        {OPERATE_TABS.map((name) => (
          <a href={href.operate(name)} aria-current={name === tab ? 'page' : undefined}>
            {t(TAB_LABELS[name])}
          </a>
        ))}
      </nav>
      <Panel key={tab} />
    </section>
  );
}
