/**
 * Virtualization geometry for fixed-height rows (after jaeger-ui's ListView Positions, simplified:
 * our rows never change height, so a row's top is index * height and needs no measuring).
 */
export interface Range {
  /** First row to render */
  start: number;
  /** One past the last row to render */
  end: number;
}

/** Rows intersecting the viewport, widened by `overscan` rows each side and clamped to the list. */
export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 8): Range {
  if (rowCount <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.min(rowCount, Math.max(0, first - overscan));
  const end = Math.min(rowCount, last + overscan);
  return { start: Math.min(start, end), end };
}

/** The scrollTop that brings row `index` into view, or undefined when it already is. */
export function scrollToRow(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | undefined {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return Math.max(0, top + rowHeight - viewportHeight);
  return undefined;
}

/** Horizontal position of a bar in percent of the trace, at least `minWidth` percent wide. */
export function barGeometry(start: number, duration: number, traceStart: number, traceDuration: number, minWidth = 0.15): { left: number; width: number } {
  if (traceDuration <= 0) return { left: 0, width: 100 };
  const left = clamp(((start - traceStart) / traceDuration) * 100, 0, 100);
  const width = clamp((duration / traceDuration) * 100, minWidth, 100 - left || minWidth);
  return { left: Math.min(left, 100 - minWidth), width };
}

/** Tick positions for the time axis: `count` evenly spaced offsets in ms, from 0 to duration. */
export function timeTicks(duration: number, count = 5): number[] {
  if (duration <= 0 || count < 2) return [0];
  return Array.from({ length: count }, (_, i) => (duration * i) / (count - 1));
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
