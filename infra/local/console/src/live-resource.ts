import { useEffect, useState } from 'preact/hooks';
import { get, messageOf } from './api.ts';
import { onStreamEvent } from './live.ts';

/**
 * A list the runtime serves under /api, loaded once and again as events arrive on the live stream
 * (what it lists follows an event), at most once a second however many arrive. `reload` fetches now,
 * after the page changed something itself.
 */
export function useLiveResource<T>(path: string, pick: (body: never) => T = (body) => body as T): { data: T | undefined; error: string | undefined; reload: () => Promise<void> } {
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
    const off = onStreamEvent(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void reload();
      }, 1000);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [path]);
  return { data, error, reload };
}
