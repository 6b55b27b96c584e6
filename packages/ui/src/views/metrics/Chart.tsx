/**
 * One uPlot time-series chart. The plot is created once and then fed with `setData` (DESIGN
 * principle 6); while it is off-screen the newest data is only kept, and drawn when it scrolls
 * back into view. Axis and grid colours come from the theme's CSS variables at draw time.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { axisWidth, formatTimeTick, type ChartData } from '../../lib/metrics-data.js';
import type { ChartBand } from '../../lib/insights.js';

export interface ChartSeries {
  label: string;
  /** a CSS colour or `var(--x)` */
  color: string;
  /** y scale key: 'y' (left axis, default) or 'y2' (right axis) */
  scale?: 'y' | 'y2';
  width?: number;
  dash?: number[];
  fill?: boolean;
  /** formats the legend value */
  format: (v: number) => string;
}

export interface ChartProps {
  title: string;
  testId: string;
  series: ChartSeries[];
  data: ChartData;
  /** left (and right) axis tick labels */
  yFormat: (v: number) => string;
  y2Format?: (v: number) => string;
  /** tick increments of the left axis (e.g. powers of 1024 for bytes) */
  yIncrs?: number[];
  /** fixed minimum of the left scale's range, e.g. 0 for rates; percent axes may pin 0..100 */
  yMax?: number;
  y2Max?: number;
  height?: number;
  /** a click on the plot: the data index under the cursor */
  onPick?: (idx: number) => void;
  pickTitle?: string;
  /** a drag across the plot: the time range picked (ms since epoch); without it dragging does nothing */
  onSelectRange?: (from: number, to: number) => void;
  /** time ranges shaded behind the series: incidents of the charted scope, a linked range */
  bands?: ReadonlyArray<ChartBand>;
  /** header extras (current values) */
  children?: ComponentChildren;
}

const BAND_FILL: Record<ChartBand['kind'], [string, number]> = { incident: ['var(--err)', 0.13], focus: ['var(--c1)', 0.2] };

/** Shades each band over the plot area, under the series (uPlot's drawClear hook). */
function drawBands(u: uPlot, bands: ReadonlyArray<ChartBand> | undefined): void {
  if (!bands?.length) return;
  const { ctx } = u;
  const { top, height, left, width } = u.bbox;
  ctx.save();
  for (const b of bands) {
    const x0 = Math.max(left, u.valToPos(b.from / 1000, 'x', true));
    const x1 = Math.min(left + width, u.valToPos(b.to / 1000, 'x', true));
    if (!(x1 > x0)) continue;
    const [color, alpha] = BAND_FILL[b.kind];
    ctx.fillStyle = withAlpha(color, alpha);
    ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
  }
  ctx.restore();
}

const SYNC_KEY = 'debugpanel-metrics';

/** Reads a theme variable now (the theme may have changed since the last draw). */
function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function resolve(color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color);
  return m ? cssVar(m[1]!) : color;
}

/** The colour with an alpha, for area fills: `#rrggbb` -> `#rrggbbaa`. */
function withAlpha(color: string, alpha: number): string {
  const c = resolve(color);
  return /^#[0-9a-f]{6}$/i.test(c) ? c + Math.round(alpha * 255).toString(16).padStart(2, '0') : c;
}

/** Drawn (non-gap) values of every series: lets tests and screen readers tell an empty chart. */
function pointCount(data: ChartData): number {
  let n = 0;
  for (let s = 1; s < data.length; s++) for (const v of data[s]!) if (v !== null) n++;
  return n;
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>();
  const visible = useRef(true);
  const pending = useRef<ChartData>();
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const el = box.current!;
    const p = latest.current;
    const axis = (scale: string, side: 0 | 1 | 2 | 3, fmt?: (v: number) => string, incrs?: number[]): uPlot.Axis => ({
      scale,
      incrs,
      side,
      stroke: () => cssVar('--muted'),
      grid: { show: side !== 1, stroke: () => cssVar('--bg3'), width: 1 },
      ticks: { show: false },
      font: '11px system-ui, sans-serif',
      // y axes as wide as their longest label, so "190.7 MB" is not clipped and "1s" wastes nothing
      size: side === 2 ? 20 : (_u, values) => axisWidth(values),
      gap: 4,
      // time labels need room: with less, 5 minutes would get a tick every 30 s
      space: side === 2 ? 70 : 30,
      values:
        side === 2
          ? (_u, splits, _i, _space, incr) => splits.map((v) => formatTimeTick(v, incr))
          : fmt
            ? (_u, splits) => splits.map((v) => (v === null || v === undefined ? '' : v === 0 ? '0' : fmt(v)))
            : undefined,
    });
    const hasY2 = p.series.some((s) => s.scale === 'y2');
    let dragged = false;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: p.height ?? 150,
      pxAlign: 1,
      legend: { show: true, live: true },
      cursor: {
        sync: { key: SYNC_KEY },
        // Live charts: a drag-zoom would be undone by the next refresh, so a drag picks a time
        // range instead (the view shades it and filters its tables), and the plot keeps its scale.
        drag: { x: !!p.onSelectRange, y: false, setScale: false },
        points: { size: 6 },
      },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, Math.max(latest.current.yMax ?? 0, max > 0 ? max * 1.1 : 1)] },
        y2: { range: (_u, _min, max) => [0, Math.max(latest.current.y2Max ?? 0, max > 0 ? max * 1.1 : 1)] },
      },
      hooks: {
        drawClear: [(u) => drawBands(u, latest.current.bands)],
        setSelect: [
          (u) => {
            const sel = u.select;
            if (sel.width < 4) return;
            const from = u.posToVal(sel.left, 'x') * 1000;
            const to = u.posToVal(sel.left + sel.width, 'x') * 1000;
            dragged = true;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            latest.current.onSelectRange?.(Math.round(from), Math.round(to));
          },
        ],
      },
      axes: [axis('x', 2), axis('y', 3, p.yFormat, p.yIncrs), ...(hasY2 ? [axis('y2', 1, p.y2Format)] : [])],
      series: [
        // 24-hour time, as the axes
        { value: (_u, v) => (v === null ? '' : formatTimeTick(v, 1)) },
        ...p.series.map(
          (s): uPlot.Series => ({
            label: s.label,
            scale: s.scale ?? 'y',
            stroke: () => resolve(s.color),
            width: s.width ?? 1.5,
            dash: s.dash,
            fill: s.fill ? () => withAlpha(s.color, 0.12) : undefined,
            points: { show: false },
            spanGaps: false,
            value: (_u, v) => (v === null || v === undefined ? '–' : s.format(v)),
          }),
        ),
      ],
    };
    const u = new uPlot(opts, p.data as uPlot.AlignedData, el);
    plot.current = u;

    // A click on the plot opens the traces of the point under the cursor (not the click that ends a drag).
    const onClick = () => {
      if (dragged) {
        dragged = false;
        return;
      }
      const idx = u.cursor.idx;
      if (idx !== null && idx !== undefined) latest.current.onPick?.(idx);
    };
    u.over.addEventListener('click', onClick);

    const resize = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - u.width) > 1) u.setSize({ width: w, height: latest.current.height ?? 150 });
    });
    resize.observe(el);
    const io = new IntersectionObserver((entries) => {
      visible.current = entries.some((e) => e.isIntersecting);
      if (visible.current && pending.current) {
        u.setData(pending.current as uPlot.AlignedData);
        pending.current = undefined;
      }
    });
    io.observe(el);
    // The theme toggle changes the CSS variables the strokes read: redraw with the new ones.
    const themeWatch = new MutationObserver(() => u.redraw(false));
    themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      themeWatch.disconnect();
      io.disconnect();
      resize.disconnect();
      u.over.removeEventListener('click', onClick);
      u.destroy();
      plot.current = undefined;
    };
  }, []);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    if (visible.current) {
      u.setData(props.data as uPlot.AlignedData);
      pending.current = undefined;
    } else pending.current = props.data;
  }, [props.data]);

  const bandKey = (props.bands ?? []).map((b) => `${b.kind}${b.from}-${b.to}`).join();
  useEffect(() => {
    if (visible.current) plot.current?.redraw(false);
  }, [bandKey]);

  return (
    <section class="mchart" data-testid={props.testId} aria-label={props.title} data-points={pointCount(props.data)} data-last={props.data[0][props.data[0].length - 1] ?? ''} data-bands={props.bands?.length ?? 0}>
      <header class="mchart-head">
        <h2>{props.title}</h2>
        <span class="spacer" />
        {props.children}
      </header>
      <div class={`mchart-plot ${props.onPick ? 'pickable' : ''}`} ref={box} title={props.pickTitle} />
    </section>
  );
}
