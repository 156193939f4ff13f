import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { IncidentCall, IncidentDetail } from './api.ts';
import { formatDuration, formatTime } from './format.ts';
import { useI18n } from './i18n.ts';

/**
 * An incident's timeline as a picture (SVG): time runs left to right; a lane for its alerts, one
 * for its domain events, then one per responder with each call as a bar — the ringing part light,
 * the talking part coloured by outcome — and the outcome written after it. Every mark has a
 * <title> (a tooltip, and its text for assistive technology); the picture as a whole is an image
 * described in one sentence, the calls table below it holding the same facts.
 */

const OUTCOME_COLOURS: Record<string, string> = {
  acknowledged: 'var(--ok)',
  silenced: 'var(--silenced)',
  skipped: 'var(--warn)',
  busy: 'var(--warn)',
  'answered-no-input': 'var(--muted-strong)',
  'no-answer': 'var(--muted-strong)',
  failed: 'var(--bad)',
  timeout: 'var(--bad)',
};

const KEY_EVENTS: Record<string, string> = {
  IncidentOpened: 'var(--open)',
  IncidentRepaged: 'var(--open)',
  IncidentAcknowledged: 'var(--ok)',
  IncidentSilenced: 'var(--silenced)',
  IncidentExhausted: 'var(--bad)',
  IncidentResolved: 'var(--resolved)',
  IncidentSuppressed: 'var(--muted-strong)',
};

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(720);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.max(280, Math.floor(entry.contentRect.width))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN);

export function Timeline({ detail, calls, nowMs }: { detail: IncidentDetail; calls: IncidentCall[]; nowMs: number }) {
  const { t, lang } = useI18n();
  const [ref, width] = useWidth();
  const open = detail.status === 'open';

  const times = [
    ms(detail.openedAt),
    ms(detail.closedAt),
    ...detail.timeline.alerts.map((a) => ms(a.receivedAt)),
    ...detail.timeline.events.map((e) => ms(e.time)),
    ...calls.flatMap((c) => [ms(c.placedAt), ms(c.connectedAt), ms(c.endedAt)]),
  ].filter((n) => Number.isFinite(n));
  const liveEnd = open || calls.some((c) => !c.endedAt) ? nowMs : -Infinity;
  let t0 = Math.min(...times);
  let t1 = Math.max(...times, liveEnd);
  if (!Number.isFinite(t0)) t0 = nowMs;
  if (!Number.isFinite(t1) || t1 - t0 < 10_000) t1 = t0 + 10_000;
  const pad = (t1 - t0) * 0.03;
  t0 -= pad;
  t1 += pad;

  const responders: string[] = [];
  for (const c of [...calls].sort((a, b) => a.attempt - b.attempt)) if (!responders.includes(c.responder)) responders.push(c.responder);
  const narrow = width < 520;
  const labelW = narrow ? 64 : 104;
  const right = narrow ? 56 : 96;
  const laneH = 30;
  const top = 4;
  const lanes = [t('lanesAlerts'), t('lanesEvents'), ...responders];
  const axisY = top + lanes.length * laneH + 4;
  const height = axisY + 22;
  const x = (time: number) => labelW + ((time - t0) / (t1 - t0)) * (width - labelW - right);
  const laneY = (i: number) => top + i * laneH;

  const step = STEPS.find((s) => (t1 - t0) / s <= (narrow ? 4 : 8)) ?? 86_400_000;
  const ticks: number[] = [];
  for (let tick = Math.ceil(t0 / step) * step; tick <= t1; tick += step) ticks.push(tick);

  const people = responders.length;
  const span = formatDuration((t1 - t0 - 2 * pad) / 1000, t);
  const description = t('timelineDesc', { calls: calls.length, people, span });

  return (
    <div class="timeline" ref={ref}>
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="timeline-title timeline-desc">
        <title id="timeline-title">{t('timeline')}</title>
        <desc id="timeline-desc">{description}</desc>
        <defs>
          <pattern id="ringing" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" fill="var(--ring-bg)" />
            <rect width="2" height="6" fill="var(--ring-fg)" />
          </pattern>
        </defs>
        {lanes.map((name, i) => (
          <g>
            <rect x={0} y={laneY(i)} width={width} height={laneH} fill={i % 2 ? 'var(--lane-b)' : 'var(--lane-a)'} />
            <text x={6} y={laneY(i) + laneH / 2 + 4} class="lane-label">
              {name.length > (narrow ? 8 : 14) ? `${name.slice(0, narrow ? 7 : 13)}…` : name}
            </text>
          </g>
        ))}
        {ticks.map((tick) => (
          <g>
            <line x1={x(tick)} x2={x(tick)} y1={top} y2={axisY} class="grid" />
            <text x={x(tick)} y={axisY + 15} class="tick" text-anchor="middle">
              {formatTime(new Date(tick).toISOString(), lang)}
            </text>
          </g>
        ))}
        <line x1={labelW} x2={width - right} y1={axisY} y2={axisY} class="axis" />
        {detail.timeline.alerts.map((a) => {
          const ax = x(ms(a.receivedAt));
          const y = laneY(0) + laneH / 2;
          return (
            <path d={`M${ax},${y - 8} L${ax + 7},${y + 6} L${ax - 7},${y + 6} Z`} class={`alert-mark alert-${a.status}`}>
              <title>{`${t('alertMark')} ${formatTime(a.receivedAt, lang)} ${a.status}${a.disposition ? ` (${a.disposition})` : ''} ${a.source}`}</title>
            </path>
          );
        })}
        {detail.timeline.events.map((e) => {
          const colour = KEY_EVENTS[e.detailType];
          const ex = x(ms(e.time));
          const y = laneY(1) + laneH / 2;
          return colour ? (
            <rect x={ex - 5} y={y - 5} width={10} height={10} transform={`rotate(45 ${ex} ${y})`} fill={colour} class="event-mark key">
              <title>{`${formatTime(e.time, lang)} ${e.detailType}`}</title>
            </rect>
          ) : (
            <circle cx={ex} cy={y} r={3.5} class="event-mark">
              <title>{`${formatTime(e.time, lang)} ${e.detailType}`}</title>
            </circle>
          );
        })}
        {calls.map((c) => {
          const lane = 2 + responders.indexOf(c.responder);
          const y = laneY(lane) + 6;
          const h = laneH - 12;
          const placed = ms(c.placedAt);
          const connected = ms(c.connectedAt);
          const ended = Number.isFinite(ms(c.endedAt)) ? ms(c.endedAt) : nowMs;
          const ringEnd = Number.isFinite(connected) ? connected : ended;
          const outcome = c.outcome ?? (c.endedAt ? c.disconnectReason ?? '' : Number.isFinite(connected) ? t('talking') : t('ringing'));
          const label = `${c.responder} #${c.attempt}: ${t('ringing')} ${formatDuration((ringEnd - placed) / 1000, t)}${Number.isFinite(connected) ? `, ${t('talking')} ${formatDuration((ended - connected) / 1000, t)}` : ''}${outcome ? `, ${outcome}` : ''}${c.disconnectReason && c.outcome ? ` (${c.disconnectReason})` : ''}`;
          const endX = x(ended);
          return (
            <g class="call-bar">
              <title>{label}</title>
              <rect x={x(placed)} y={y} width={Math.max(2, x(ringEnd) - x(placed))} height={h} fill="url(#ringing)" stroke="var(--ring-fg)" stroke-width="1" />
              {Number.isFinite(connected) && (
                <rect x={x(connected)} y={y} width={Math.max(2, endX - x(connected))} height={h} fill={OUTCOME_COLOURS[c.outcome ?? ''] ?? 'var(--talk)'} />
              )}
              {!c.endedAt && <line x1={endX} x2={endX} y1={y - 3} y2={y + h + 3} class="now-line" />}
              <text x={endX + 4} y={y + h / 2 + 4} class="bar-label">
                {outcome}
              </text>
            </g>
          );
        })}
        {open && <line x1={x(nowMs)} x2={x(nowMs)} y1={top} y2={axisY} class="now-line" />}
      </svg>
      <ul class="legend" aria-hidden="true">
        <li>
          <span class="swatch swatch-ring" />
          {t('ringing')}
        </li>
        <li>
          <span class="swatch swatch-talk" />
          {t('talkingByOutcome')}
        </li>
        <li>
          <span class="swatch swatch-alert" />
          {t('alertMark')}
        </li>
        <li>
          <span class="swatch swatch-event" />
          {t('eventMark')}
        </li>
      </ul>
    </div>
  );
}
