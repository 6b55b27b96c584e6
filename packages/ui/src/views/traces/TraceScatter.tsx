/**
 * Duration over time of the listed traces, as on Jaeger's search page: one dot per trace (failed
 * ones red, bigger for more spans), a log duration axis. Click a dot to open its trace; drag across
 * the plot to narrow the list to that time range. One canvas, redrawn when the rows change; the
 * geometry is in lib/scatter.ts. Loaded with the list's first paint done (a chunk of its own).
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TraceSummary } from '@debugpanel/model';
import { formatClock, formatDuration } from '../../lib/format.js';
import './scatter.css';
import { dotAt, durationTicks, scatterDots, scatterScale, timeAt, xOf, yOf, type ScatterBox } from '../../lib/scatter.js';

export interface TraceScatterProps {
  rows: ReadonlyArray<TraceSummary>;
  onOpen: (t: TraceSummary) => void;
  /** a drag across the plot: the time range covered, ms since epoch */
  onSelectRange: (since: number, until: number) => void;
}

const HEIGHT = 120;
const PAD = { left: 52, right: 12, top: 8, bottom: 20 };

export function TraceScatter({ rows, onOpen, onSelectRange }: TraceScatterProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [hover, setHover] = useState<{ x: number; y: number; t: TraceSummary }>();
  const [drag, setDrag] = useState<{ x0: number; x1: number }>();

  useLayoutEffect(() => {
    const el = wrap.current!;
    const measure = () => setWidth(Math.max(200, el.clientWidth));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const box: ScatterBox = { left: PAD.left, top: PAD.top, width: width - PAD.left - PAD.right, height: HEIGHT - PAD.top - PAD.bottom };
  const scale = useMemo(() => scatterScale(rows), [rows]);
  const dots = useMemo(() => scatterDots(rows, scale, box), [rows, scale, width]);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(HEIGHT * dpr);
    c.style.width = `${width}px`;
    c.style.height = `${HEIGHT}px`;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const css = getComputedStyle(c);
    const muted = css.getPropertyValue('--muted').trim() || '#888';
    const grid = css.getPropertyValue('--bg3').trim() || '#eee';
    const ok = css.getPropertyValue('--c0').trim() || '#4e79a7';
    const err = css.getPropertyValue('--err').trim() || '#d92d20';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = muted;
    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (const d of durationTicks(scale)) {
      const y = Math.round(yOf(scale, box, d)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(box.left, y);
      ctx.lineTo(box.left + box.width, y);
      ctx.stroke();
      ctx.fillText(formatDuration(d), box.left - 4, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const span = (scale.t1 - scale.t0) / 1000;
    const step = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 21_600].find((s) => span / s <= Math.max(2, box.width / 90)) ?? 21_600;
    for (let t = Math.ceil(scale.t0 / 1000 / step) * step; t * 1000 <= scale.t1; t += step) {
      ctx.fillText(formatClock(t * 1000).slice(0, step >= 60 ? 5 : 8), xOf(scale, box, t * 1000), box.top + box.height + 5);
    }
    for (const d of dots) {
      ctx.globalAlpha = d.error ? 0.85 : 0.55;
      ctx.fillStyle = d.error ? err : ok;
      ctx.beginPath();
      ctx.arc(d.x, d.y, d.r, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (drag && Math.abs(drag.x1 - drag.x0) > 2) {
      ctx.fillStyle = muted;
      ctx.globalAlpha = 0.15;
      ctx.fillRect(Math.min(drag.x0, drag.x1), box.top, Math.abs(drag.x1 - drag.x0), box.height);
      ctx.globalAlpha = 1;
    }
  }, [dots, width, drag]);

  const local = (e: MouseEvent) => {
    const r = canvas.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const clampX = (x: number) => Math.min(box.left + box.width, Math.max(box.left, x));
  const onDown = (e: MouseEvent) => {
    const p = local(e);
    setDrag({ x0: clampX(p.x), x1: clampX(p.x) });
  };
  const onMove = (e: MouseEvent) => {
    const p = local(e);
    if (drag) setDrag({ ...drag, x1: clampX(p.x) });
    const d = dotAt(dots, p.x, p.y);
    setHover(d ? { x: p.x, y: p.y, t: d.trace } : undefined);
  };
  const onUp = (e: MouseEvent) => {
    const p = local(e);
    const d = drag;
    setDrag(undefined);
    if (d && Math.abs(clampX(p.x) - d.x0) > 4) {
      const a = timeAt(scale, box, Math.min(d.x0, clampX(p.x)));
      const b = timeAt(scale, box, Math.max(d.x0, clampX(p.x)));
      onSelectRange(Math.floor(a), Math.ceil(b));
      return;
    }
    const hit = dotAt(dots, p.x, p.y);
    if (hit) onOpen(hit.trace);
  };

  return (
    <div class="trace-scatter" ref={wrap} data-testid="trace-scatter" style={{ position: 'relative' }}>
      <canvas
        ref={canvas}
        role="img"
        aria-label={`Duration over time of the ${rows.length} listed traces; click a dot to open it, drag to pick a time range`}
        data-dots={dots.length}
        data-testid="trace-scatter-canvas"
        style={{ display: 'block', cursor: hover ? 'pointer' : 'crosshair' }}
        onMouseDown={onDown}
        onMouseMove={onMove}
        onMouseUp={onUp}
        onMouseLeave={() => {
          setHover(undefined);
          setDrag(undefined);
        }}
      />
      {hover && (
        <div class="flame-tip scatter-tip" role="tooltip" data-testid="trace-scatter-tip" style={{ left: `${Math.min(hover.x + 12, width - 240)}px`, top: `${hover.y + 10}px` }}>
          <div style={{ fontWeight: 600 }}>{hover.t.rootName}</div>
          <div>
            {formatDuration(hover.t.duration)} · {hover.t.spanCount} spans{hover.t.errorCount > 0 ? ` · ${hover.t.errorCount} errors` : ''}
          </div>
          <div class="mono">{formatClock(hover.t.startTime)}</div>
        </div>
      )}
    </div>
  );
}
