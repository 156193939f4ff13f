import { useEffect, useState } from 'preact/hooks';
import { get, messageOf } from './api.ts';
import { onStreamEvent } from './live.ts';

export interface LiveResourceOptions<T> {
  /** What to keep of the body (default: the body itself). */
  pick?: (body: never) => T;
  /** Which stream events reload it, by detail type (default: every one). A reconnect (`reload`) always does. */
  reloadOn?: (detailType: string) => boolean;
  /** At most one reload per this many ms however many events arrive (0: each one at once). */
  throttleMs?: number;
}

/**
 * A list the runtime serves under /api, loaded once and again as events arrive on the live stream
 * (what it lists follows an event). `reload` fetches now, after the page changed something itself.
 * Every page that lists something uses it (operate's tabs, metrics, notifications, heartbeats).
 */
export function useLiveResource<T>(path: string, options: LiveResourceOptions<T> = {}): { data: T | undefined; error: string | undefined; reload: () => Promise<void> } {
  const { pick = (body: never) => body as T, reloadOn = () => true, throttleMs = 1000 } = options;
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const reload = async () => {
    try {
      setData(pick(await get<never>(path)));
      setError(undefined);
    } catch (e) {
      setError(messageOf(e));
    }
  };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    void reload();
    const off = onStreamEvent((event) => {
      if (event.detailType !== 'reload' && !reloadOn(event.detailType)) return;
      if (throttleMs === 0) return void reload();
      timer ??= setTimeout(() => {
        timer = undefined;
        void reload();
      }, throttleMs);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [path]);
  return { data, error, reload };
}
