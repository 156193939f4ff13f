import type { Lang, Translate } from './i18n.ts';

/** Times in the browser's zone, in the UI's language; durations in words the UI knows. */

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Lang, kind: 'time' | 'datetime' | 'date'): Intl.DateTimeFormat {
  const key = `${lang}|${kind}`;
  let f = formatters.get(key);
  if (!f) {
    const locale = lang === 'ja' ? 'ja-JP' : 'en-GB';
    const options: Intl.DateTimeFormatOptions =
      kind === 'time'
        ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }
        : kind === 'date'
          ? { month: 'short', day: 'numeric' }
          : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
    f = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, f);
  }
  return f;
}

export function formatTime(iso: string | undefined, lang: Lang): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatter(lang, 'time').format(ms);
}

export function formatDateTime(iso: string | undefined, lang: Lang): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatter(lang, 'datetime').format(ms);
}

/**
 * A maintenance window in its own zone: "29 Nov 02:00–04:00 Asia/Tokyo", the end's date too when
 * it falls on another day there.
 */
export function formatWindow(window: { from: string; until: string }, timeZone: string, lang: Lang): string {
  const locale = lang === 'ja' ? 'ja-JP' : 'en-GB';
  const [from, until] = [Date.parse(window.from), Date.parse(window.until)];
  const day = new Intl.DateTimeFormat(locale, { timeZone, month: 'short', day: 'numeric' });
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hour12: false });
  const sameDay = day.format(from) === day.format(until);
  return `${day.format(from)} ${time.format(from)}–${sameDay ? '' : `${day.format(until)} `}${time.format(until)} ${timeZone}`;
}

/** A duration in seconds, rounded to what a person reads: "42 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(seconds: number | undefined, t: Translate): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('seconds', { n: s });
  if (s < 3600) return t('minutes', { m: Math.floor(s / 60), s: s % 60 });
  return t('hoursFmt', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

/** Seconds between two ISO times (the second defaults to `nowMs`). */
export function secondsBetween(from: string | undefined, to: string | undefined, nowMs: number): number | undefined {
  if (!from) return undefined;
  const a = Date.parse(from);
  const b = to ? Date.parse(to) : nowMs;
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : (b - a) / 1000;
}
