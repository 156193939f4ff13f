import { Store, useStore } from './store.ts';

/**
 * Routes live in the hash (#/incidents/ID), so the runtime serves one index.html and needs no
 * fallback, and a reload or a shared link opens the same page.
 */

export const OPERATE_TABS = ['rosters', 'silences', 'heartbeats', 'dead-letters', 'notifications', 'faults', 'routes', 'alert', 'metrics'] as const;
export type OperateTab = (typeof OPERATE_TABS)[number];

export type Route = { page: 'incidents' } | { page: 'incident'; id: string } | { page: 'summary' } | { page: 'operate'; tab: OperateTab };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts[0] === 'incidents' && parts[1]) return { page: 'incident', id: parts[1] };
  if (parts[0] === 'summary') return { page: 'summary' };
  if (parts[0] === 'operate') {
    const tab = (OPERATE_TABS as readonly string[]).includes(parts[1] ?? '') ? (parts[1] as OperateTab) : 'rosters';
    return { page: 'operate', tab };
  }
  return { page: 'incidents' };
}

export const href = {
  incidents: '#/',
  incident: (id: string) => `#/incidents/${encodeURIComponent(id)}`,
  summary: '#/summary',
  operate: (tab: OperateTab = 'rosters') => `#/operate/${tab}`,
};

const route = new Store<Route>(parseRoute(location.hash));
window.addEventListener('hashchange', () => route.set(parseRoute(location.hash)));

export const useRoute = () => useStore(route);
