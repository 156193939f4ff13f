import { useEffect, useRef, useState } from 'preact/hooks';
import { api, messageOf, type SoftphoneCall } from './api.ts';
import { formatDuration, formatTime, secondsBetween } from './format.ts';
import { useI18n } from './i18n.ts';
import { answerInBrowser, calls, incidents, runtimeNow, upsertCall } from './live.ts';
import { href } from './router.ts';
import { answeredHere, bargeIn, canSpeak, follow, muted } from './speech.ts';
import { useStore, useTick } from './store.ts';
import { Contract, Notice, useGlossTitle } from './ui.tsx';

/**
 * The softphone, on every page (docs/console.md, "The softphone"): calls that ring in the browser
 * offer Answer, Decline and Busy; a connected call shows and speaks what the contact flow says, has
 * a keypad (1-9, *, 0, #; the keyboard's digits work too while it has focus) and Hang up. The
 * "answer in browser" switch makes every simulated call ring here. On a phone-width screen it is a
 * panel at the bottom that opens by itself when a call rings.
 */

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

async function act(call: SoftphoneCall, action: 'answer' | 'decline' | 'busy' | 'hang-up' | 'keys', body?: unknown): Promise<void> {
  const updated = await api<SoftphoneCall | undefined>('POST', `/softphone/calls/${encodeURIComponent(call.contactId)}/${action}`, body);
  if (updated?.contactId) upsertCall(updated);
}

function IncidentLink({ call }: { call: SoftphoneCall }) {
  const { t } = useI18n();
  const incident = useStore(incidents).get(call.incidentId);
  return (
    <a href={href.incident(call.incidentId)}>
      {incident ? `${incident.system} / ${incident.host} / ${incident.service}` : `${t('incident')} ${call.incidentId}`}
    </a>
  );
}

function ContractButton({ word, class: className, onClick, disabled }: { word: string; class: string; onClick: () => void; disabled?: boolean }) {
  return (
    <button type="button" class={className} onClick={onClick} disabled={disabled} title={useGlossTitle(word)}>
      <Contract word={word} />
    </button>
  );
}

function Ringing({ call, onError }: { call: SoftphoneCall; onError: (message: string) => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const run = (action: 'answer' | 'decline' | 'busy') => async () => {
    setBusy(true);
    if (action === 'answer') answeredHere(call.contactId);
    try {
      await act(call, action);
    } catch (e) {
      onError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class="call call-ringing" aria-labelledby={`call-${call.contactId}`}>
      <h3 id={`call-${call.contactId}`}>
        <span class="bell" aria-hidden="true">
          ☎
        </span>{' '}
        {t('incomingCall', { name: call.responder })}
      </h3>
      <p class="call-meta">
        <span class="nowrap">{call.destination}</span> · <IncidentLink call={call} /> · {t('attempt', { n: call.attempt })}
      </p>
      <div class="call-actions">
        <ContractButton word="Answer" class="btn-answer" onClick={run('answer')} disabled={busy} />
        <ContractButton word="Decline" class="btn-decline" onClick={run('decline')} disabled={busy} />
        <ContractButton word="Busy" class="btn-busy" onClick={run('busy')} disabled={busy} />
      </div>
    </article>
  );
}

function Connected({ call, onError }: { call: SoftphoneCall; onError: (message: string) => void }) {
  const { t, lang } = useI18n();
  const [pressed, setPressed] = useState('');
  useTick(1000);
  const press = async (key: string) => {
    bargeIn();
    setPressed((p) => p + key);
    try {
      await act(call, 'keys', { keys: key });
    } catch (e) {
      onError(messageOf(e));
    }
  };
  const hangUp = async () => {
    try {
      await act(call, 'hang-up');
    } catch (e) {
      onError(messageOf(e));
    }
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.target instanceof HTMLInputElement || e.ctrlKey || e.metaKey || e.altKey) return;
    if ((KEYS as readonly string[]).includes(e.key)) {
      e.preventDefault();
      void press(e.key);
    }
  };
  const keys = call.keys ?? pressed.split('').join(' ');
  const talk = secondsBetween(call.connectedAt, undefined, runtimeNow());
  return (
    <article class="call call-connected" aria-labelledby={`call-${call.contactId}`} onKeyDown={onKeyDown}>
      <h3 id={`call-${call.contactId}`}>{t('callFor', { name: call.responder })}</h3>
      <p class="call-meta">
        <span class="nowrap">{call.destination}</span> · <IncidentLink call={call} /> · {t('connectedSince')} {formatTime(call.connectedAt, lang)} ({formatDuration(talk, t)})
      </p>
      <h4 class="visually-hidden">{t('transcript')}</h4>
      <ol class="transcript live-transcript" aria-live="polite">
        {call.transcript.map((line) => (
          <li lang={line.language || call.language} class={line.interrupted ? 'interrupted' : undefined}>
            {line.text}
          </li>
        ))}
      </ol>
      <p class="muted small">{t('hintKeys')}</p>
      <div class="keypad" role="group" aria-label={t('keypad')}>
        {KEYS.map((key) => (
          <button type="button" class="key" onClick={() => void press(key)}>
            {key}
          </button>
        ))}
      </div>
      <p class="keys" aria-live="polite">
        {keys ? t('keysPressed', { keys }) : ' '}
      </p>
      <ContractButton word="Hang up" class="btn-hangup" onClick={() => void hangUp()} />
    </article>
  );
}

export function Softphone() {
  const { t, lang } = useI18n();
  const all = useStore(calls);
  const switchOn = useStore(answerInBrowser);
  const mute = useStore(muted);
  const [error, setError] = useState<string | undefined>();
  const [announcement, setAnnouncement] = useState('');
  const [manualOpen, setManualOpen] = useState<boolean | undefined>();
  const seenRinging = useRef(new Set<string>());

  const browser = [...all.values()].filter((c) => c.inBrowser);
  const ringing = browser.filter((c) => c.state === 'ringing');
  const connected = browser.filter((c) => c.state === 'connected');
  const recent = browser
    .filter((c) => c.state === 'ended')
    .slice(-3)
    .reverse();
  const active = ringing.length + connected.length > 0;
  const open = manualOpen ?? active;

  useEffect(() => {
    for (const call of browser) follow(call);
    const fresh = ringing.filter((c) => !seenRinging.current.has(c.contactId));
    for (const c of fresh) seenRinging.current.add(c.contactId);
    if (fresh[0]) {
      setAnnouncement(t('announceRinging', { name: fresh[0].responder, incident: fresh[0].incidentId }));
      setManualOpen(undefined);
    }
    document.title = ringing.length ? `☎ (${ringing.length}) yobidashi` : 'yobidashi';
  }, [all]);

  const flip = async (value: boolean) => {
    try {
      const state = await api<{ answerInBrowser: boolean }>('PUT', '/softphone', { answerInBrowser: value });
      answerInBrowser.set(state.answerInBrowser);
      setError(undefined);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <aside id="softphone" class={`phone ${open ? 'phone-open' : 'phone-closed'} ${active ? 'phone-active' : ''}`} aria-labelledby="softphone-title" tabIndex={-1}>
      <div class="phone-head">
        <h2 id="softphone-title">
          {t('softphone')}
          {ringing.length > 0 && <span class="badge">{ringing.length}</span>}
        </h2>
        <button type="button" class="phone-toggle" aria-expanded={open} aria-controls="softphone-body" onClick={() => setManualOpen(!open)}>
          {open ? t('phoneClose') : t('phoneOpen')}
        </button>
      </div>
      <div id="softphone-body" class="phone-body">
        <p class="visually-hidden" aria-live="assertive">
          {announcement}
        </p>
        {error && <Notice kind="error">{error}</Notice>}
        {ringing.map((call) => (
          <Ringing key={call.contactId} call={call} onError={setError} />
        ))}
        {connected.map((call) => (
          <Connected key={call.contactId} call={call} onError={setError} />
        ))}
        {!active && <p class="muted">{t('phoneIdle')}</p>}
        <div class="phone-settings">
          <label class="switch">
            <input type="checkbox" role="switch" checked={switchOn === true} disabled={switchOn === undefined} onChange={(e) => void flip((e.currentTarget as HTMLInputElement).checked)} />
            <span>{t('answerInBrowser')}</span>
          </label>
          <p class="muted small">{t('answerInBrowserHelp')}</p>
          <label class="switch">
            <input type="checkbox" role="switch" checked={mute} onChange={(e) => muted.set((e.currentTarget as HTMLInputElement).checked)} />
            <span>{t('mute')}</span>
          </label>
          {!canSpeak && <p class="muted small">{t('speechMissing')}</p>}
        </div>
        {recent.length > 0 && (
          <>
            <h3 class="small-head">{t('recentCalls')}</h3>
            <ul class="recent">
              {recent.map((c) => (
                <li>
                  {formatTime(c.endedAt ?? c.startedAt, lang)} · {c.responder} · <IncidentLink call={c} /> · {t('ended')}
                  {c.disconnectReason ? ` (${c.disconnectReason})` : ''}
                  {c.keys ? ` · ${c.keys}` : ''}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </aside>
  );
}
