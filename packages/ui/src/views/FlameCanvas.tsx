import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatDuration, serviceHue } from '../lib/format.js';
import { flameTooltip, hitTest, layoutFlame, pathOf, type FlameLike, type FlameRect } from '../lib/flame-layout.js';

/** Row height in px: rows are index arithmetic, as in the waterfall. */
export const FLAME_ROW = 18;

export interface FlameCanvasProps {
  root: FlameLike;
  /** Node matches of the search box: others are dimmed while a search is active */
  isMatch?: (node: FlameLike) => boolean;
  searching?: boolean;
  /** ms on the critical path per span id; with `showPath`, spans off it are dimmed */
  onPath?: ReadonlyMap<string, number>;
  showPath?: boolean;
  selectedSpanId?: string;
  /** A fill of its own per node (the diff flame's red and blue); default: the service's colour */
  colorOf?: (node: FlameLike) => string | undefined;
  /** Hover lines of its own per node; default: name, service, total, self */
  tooltipOf?: (node: FlameLike) => string[];
  /** Called on click, after zooming to the node */
  onSelect?: (node: FlameLike) => void;
  testId: string;
  label: string;
}

/**
 * A flame graph on one canvas (a trace of 10,000 spans is 10,000 rectangles: no DOM per node).
 * The canvas sticks to the top of a scroller as tall as every row and draws the rows in view.
 * Click zooms to a node (an ancestor above zooms out), Escape or "Reset zoom" zooms out fully,
 * hover shows the node's details.
 */
export function FlameCanvas(p: FlameCanvasProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState({ w: 800, h: 400 });
  const [scrollTop, setScrollTop] = useState(0);
  const [path, setPath] = useState<number[]>([]);
  const [hover, setHover] = useState<{ i: number; x: number; y: number }>();

  useEffect(() => setPath([]), [p.root]);
  useLayoutEffect(() => {
    const el = scroller.current!;
    const measure = () => setSize({ w: el.clientWidth, h: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Half a pixel: narrower nodes would not show, and leaving them out bounds the work per draw.
  const layout = useMemo(() => layoutFlame(p.root, path, 0.5 / Math.max(1, size.w)), [p.root, path, size.w]);
  const rootTotal = layout.focus.total;

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    const w = size.w;
    const h = Math.min(size.h, layout.rows.length * FLAME_ROW);
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    c.style.width = `${w}px`;
    c.style.height = `${h}px`;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const css = getComputedStyle(c);
    const palette = Array.from({ length: 10 }, (_, i) => css.getPropertyValue(`--c${i}`).trim() || '#888');
    const errColor = css.getPropertyValue('--err').trim() || '#d92d20';
    const fg = css.getPropertyValue('--fg').trim() || '#000';
    const matchColor = css.getPropertyValue('--match-strong').trim() || '#ffd84d';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const first = Math.floor(scrollTop / FLAME_ROW);
    const last = Math.min(layout.rows.length - 1, Math.ceil((scrollTop + h) / FLAME_ROW));
    for (let d = first; d <= last; d++) {
      const y = d * FLAME_ROW - scrollTop;
      for (const i of layout.rows[d] ?? []) {
        const r = layout.rects[i]!;
        drawRect(ctx, r, y, w, {
          fill: p.colorOf?.(r.node) ?? (r.node.error ? errColor : r.node.synthetic || r.node.service === '' ? '#999' : palette[serviceHue(r.node.service)]!),
          dim: (p.searching === true && !(p.isMatch?.(r.node) ?? false)) ||
            (p.showPath === true && p.onPath !== undefined && !(r.node.spanId !== undefined && p.onPath.has(r.node.spanId)) && !r.node.synthetic),
          // own fills run from light tints to full colours: dark text reads on all of them
          text: p.colorOf ? '#1a1a1a' : '#fff',
          outline: r.node.spanId !== undefined && r.node.spanId === p.selectedSpanId ? fg : p.searching && p.isMatch?.(r.node) ? matchColor : undefined,
        });
      }
    }
  }, [layout, size, scrollTop, p.isMatch, p.searching, p.onPath, p.showPath, p.selectedSpanId, p.colorOf]);

  const at = (e: MouseEvent): number => {
    const rect = canvas.current!.getBoundingClientRect();
    const fx = (e.clientX - rect.left) / rect.width;
    const depth = Math.floor((e.clientY - rect.top + scrollTop) / FLAME_ROW);
    return hitTest(layout, fx, depth);
  };
  const onClick = (e: MouseEvent) => {
    const i = at(e);
    if (i < 0) return;
    setPath(pathOf(layout, i));
    p.onSelect?.(layout.rects[i]!.node);
  };
  const onMove = (e: MouseEvent) => {
    const i = at(e);
    const box = scroller.current!.getBoundingClientRect();
    setHover(i < 0 ? undefined : { i, x: e.clientX - box.left, y: e.clientY - box.top });
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && path.length > 0) {
      e.stopPropagation();
      setPath([]);
    }
  };
  const hovered = hover ? layout.rects[hover.i] : undefined;
  const tip = hovered
    ? p.tooltipOf ? p.tooltipOf(hovered.node) : flameTooltip(hovered.node, rootTotal, formatDuration, hovered.node.spanId ? p.onPath?.get(hovered.node.spanId) : undefined)
    : undefined;

  return (
    <div class="flame" data-testid={p.testId} style={{ display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1 }}>
      <div class="flame-bar" style={{ display: 'flex', gap: '8px', alignItems: 'center', padding: '4px 0' }}>
        <button type="button" class="btn" disabled={path.length === 0} onClick={() => setPath([])} data-testid={`${p.testId}-reset`}>
          Reset zoom
        </button>
        <span class="muted" data-testid={`${p.testId}-focus`}>
          {layout.focus.name} · {formatDuration(rootTotal)}
        </span>
      </div>
      <div
        ref={scroller}
        tabIndex={0}
        onKeyDown={onKey}
        onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
        style={{ position: 'relative', overflow: 'auto', flex: 1, minHeight: '240px' }}
      >
        <div style={{ height: `${layout.rows.length * FLAME_ROW}px`, position: 'relative' }}>
          <canvas
            ref={canvas}
            role="img"
            aria-label={p.label}
            data-testid={`${p.testId}-canvas`}
            data-rects={layout.rects.length}
            style={{ position: 'sticky', top: 0, display: 'block', cursor: 'pointer' }}
            onClick={onClick}
            onMouseMove={onMove}
            onMouseLeave={() => setHover(undefined)}
          />
        </div>
        {tip && hover && (
          <div
            class="flame-tip"
            role="tooltip"
            data-testid={`${p.testId}-tip`}
            style={{
              position: 'absolute', left: `${Math.min(hover.x + 12, size.w - 260)}px`, top: `${hover.y + 14 + scrollTop}px`,
              maxWidth: '260px', background: 'var(--bg2)', border: '1px solid var(--border)', borderRadius: '5px',
              padding: '6px 8px', pointerEvents: 'none', boxShadow: '0 2px 8px rgba(0,0,0,.15)', zIndex: 2, whiteSpace: 'pre-wrap',
            }}
          >
            {tip.map((line, i) => (
              <div key={i} style={i === 0 ? { fontWeight: 600, wordBreak: 'break-all' } : { wordBreak: 'break-all' }}>{line}</div>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}

function drawRect(
  ctx: CanvasRenderingContext2D,
  r: FlameRect,
  y: number,
  width: number,
  style: { fill: string; dim: boolean; outline: string | undefined; text: string },
): void {
  const x = r.x * width;
  const w = r.w * width;
  ctx.globalAlpha = style.dim ? 0.25 : 1;
  ctx.fillStyle = style.fill;
  // A 1 px gap separates neighbours, except where it would eat most of a narrow node.
  ctx.fillRect(x, y, w > 3 ? w - 1 : Math.max(0.5, w), FLAME_ROW - 1);
  if (style.outline) {
    ctx.globalAlpha = 1;
    ctx.strokeStyle = style.outline;
    ctx.lineWidth = 2;
    ctx.strokeRect(x + 1, y + 1, Math.max(0.5, w - 3), FLAME_ROW - 3);
  }
  if (w > 24) {
    ctx.globalAlpha = style.dim ? 0.5 : 1;
    ctx.fillStyle = style.text;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, y, w - 2, FLAME_ROW);
    ctx.clip();
    ctx.fillText(r.node.name, x + 4, y + FLAME_ROW / 2);
    ctx.restore();
  }
  ctx.globalAlpha = 1;
}
