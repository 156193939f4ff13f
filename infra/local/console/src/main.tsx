import { render } from 'preact';
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { LANGS, lang, useI18n } from './i18n.ts';
import { clock, connect, connection, reload } from './live.ts';
import { IncidentPage } from './pages/incident.tsx';
import { IncidentsPage } from './pages/incidents.tsx';
import { OperatePage } from './pages/operate.tsx';
import { href, useRoute } from './router.ts';
import { Softphone } from './softphone.tsx';
import { useStore } from './store.ts';
import { Loading } from './ui.tsx';
import './style.css';

function Header() {
  const { t, lang: current } = useI18n();
  const route = useRoute();
  const state = useStore(connection);
  const { timeScale } = useStore(clock);
  const page = route.page === 'incident' ? 'incidents' : route.page;
  const link = (to: string, name: string, label: string) => (
    <a href={to} aria-current={page === name ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <header class="top">
      <a class="skip" href="#main">
        {t('skipToMain')}
      </a>
      <a class="skip" href="#softphone">
        {t('skipToPhone')}
      </a>
      <a class="brand" href={href.incidents}>
        <span aria-hidden="true">☎ </span>
        {t('appName')}
      </a>
      <nav aria-label={t('nav')}>
        {link(href.incidents, 'incidents', t('navIncidents'))}
        {link(href.summary, 'summary', t('navSummary'))}
        {link(href.operate(), 'operate', t('navOperate'))}
      </nav>
      <span class={`conn conn-${state}`} role="status" title={timeScale !== 1 ? t('runtimeTime', { scale: timeScale }) : undefined}>
        {state === 'live' ? t('live') : state === 'connecting' ? t('connecting') : t('reconnecting')}
        {state === 'live' && timeScale !== 1 && <span class="muted"> ×{timeScale}</span>}
      </span>
      <label class="lang">
        <span class="visually-hidden">{t('language')}</span>
        <select value={current} onChange={(e) => lang.set((e.currentTarget as HTMLSelectElement).value as typeof current)}>
          {LANGS.map((l) => (
            <option value={l} lang={l}>
              {l === 'en' ? 'English' : '日本語'}
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}

/** The summary and its charts (uPlot) load when first opened: the other pages do not wait for them. */
function Summary() {
  const [page, setPage] = useState<{ Page: () => JSX.Element } | undefined>();
  useEffect(() => {
    void import('./pages/summary.tsx').then((m) => setPage({ Page: m.SummaryPage }));
  }, []);
  return page ? <page.Page /> : <Loading />;
}

function Page() {
  const route = useRoute();
  switch (route.page) {
    case 'incident':
      return <IncidentPage id={route.id} />;
    case 'summary':
      return <Summary />;
    case 'operate':
      return <OperatePage tab={route.tab} />;
    default:
      return <IncidentsPage />;
  }
}

function App() {
  const route = useRoute();
  useEffect(() => {
    void reload();
    connect();
  }, []);
  // A new page (not the first): focus its heading, so keyboard and screen-reader users start there.
  const key = route.page === 'incident' ? `incident/${route.id}` : route.page === 'operate' ? `operate/${route.tab}` : route.page;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('#main h1')?.focus({ preventScroll: false });
  }, [key]);
  return (
    <div class="shell">
      <Header />
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
      <Softphone />
    </div>
  );
}

render(<App />, document.getElementById('app')!);
