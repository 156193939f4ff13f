import { useEffect, useRef } from 'preact/hooks';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * uPlot charts for the summary: bars per category, stacked (incidents per day by outcome) or side
 * by side (median and p90 per system, calls per responder). uPlot draws on a canvas, so each chart
 * is an image with a label; its numbers are in a table beside it.
 */

export interface BarSeries {
  label: string;
  colour: string;
  values: number[];
}

const bars = uPlot.paths.bars!;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function axisStyle(): Pick<uPlot.Axis, 'stroke' | 'grid' | 'ticks'> {
  const ink = cssVar('--ink-2', '#444');
  const line = cssVar('--line', '#ddd');
  return { stroke: ink, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } };
}

/**
 * Options and data for bar charts over categories. Stacked: series are drawn as running totals,
 * the tallest first, so each paints its own band (the legend still shows each series' own value).
 * Grouped: each category gets a slot per series on a shared numeric x axis, a gap between
 * categories, and the category's name under its slots.
 */
export function barChart(categories: string[], series: BarSeries[], mode: 'stacked' | 'grouped', width: number, height: number, counts = false): { options: Options; data: AlignedData } {
  const n = categories.length;
  const k = series.length;
  let xs: number[];
  let ys: (number | null)[][];
  let labelAt: (x: number) => string;
  let splits: number[];
  let size: number;
  if (mode === 'stacked') {
    xs = categories.map((_, i) => i);
    const running = categories.map(() => 0);
    const totals = series.map((s) => s.values.map((v, i) => (running[i] = (running[i] ?? 0) + v)));
    ys = totals.reverse();
    labelAt = (x) => categories[x] ?? '';
    splits = xs.filter((_, i) => n <= 16 || i % Math.ceil(n / 16) === 0);
    size = 0.7;
  } else {
    const slot = k + 1;
    xs = [];
    ys = series.map(() => []);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        xs.push(i * slot + j);
        ys.forEach((y, si) => y.push(si === j ? series[si]!.values[i] ?? null : null));
      }
    }
    labelAt = (x) => categories[Math.round((x - (k - 1) / 2) / slot)] ?? '';
    splits = categories.map((_, i) => i * slot + (k - 1) / 2);
    size = 0.9;
  }
  const ordered = mode === 'stacked' ? [...series].reverse() : series;
  const raw = mode === 'stacked' ? [...series].reverse().map((s) => s.values) : undefined;
  const options: Options = {
    width,
    height,
    scales: {
      x: { time: false, range: (_u, min, max) => [min - 0.6, max + 0.6] },
      y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
    },
    legend: { show: false },
    cursor: { points: { show: false }, drag: { x: false, y: false } },
    axes: [
      { ...axisStyle(), splits: () => splits, values: (_u, vals) => vals.map(labelAt), grid: { show: false } },
      { ...axisStyle(), size: 44, ...(counts ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] } : {}) },
    ],
    series: [
      { label: '', value: (_u, x) => (x == null ? '' : labelAt(x)) },
      ...ordered.map((s, si) => ({
        label: s.label,
        stroke: s.colour,
        fill: s.colour,
        width: 0,
        points: { show: false },
        paths: bars({ size: [size, 80], align: 0 }),
        value: (_u: uPlot, v: number | null, _s: number, idx: number | null) => {
          if (idx == null) return '';
          const own = raw ? raw[si]?.[idx] : v;
          return own == null ? '' : String(Math.round(own * 10) / 10);
        },
      })),
    ],
  };
  return { options, data: [xs, ...ys] as AlignedData };
}

export function BarChart({ label, categories, series, mode, height = 240, counts = false }: { label: string; categories: string[]; series: BarSeries[]; mode: 'stacked' | 'grouped'; height?: number; counts?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const width = () => Math.max(260, el.clientWidth);
    const { options, data } = barChart(categories, series, mode, width(), height, counts);
    const plot = new uPlot(options, data, el);
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => plot.setSize({ width: width(), height }));
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      plot.destroy();
    };
  }, [JSON.stringify([categories, series, mode, height, counts])]);
  return (
    <figure class="chart-figure">
      <div class="chart" ref={ref} role="img" aria-label={label} />
      <figcaption>
        <ul class="legend" aria-hidden="true">
          {series.map((s) => (
            <li>
              <span class="swatch" style={{ background: s.colour }} />
              {s.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
