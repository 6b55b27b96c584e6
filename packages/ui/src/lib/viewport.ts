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

/**
 * The range to render after a scroll: `current` while it still covers the rows in view (so most
 * scroll frames re-render nothing), else a fresh range with `overscan` rows each side.
 */
export function nextRange(current: Range, scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 20): Range {
  const inView = visibleRange(scrollTop, viewportHeight, rowHeight, rowCount, 0);
  if (current.end <= rowCount && inView.start >= current.start && inView.end <= current.end && current.end > current.start) return current;
  if (inView.start === inView.end && current.start === 0 && current.end === 0) return current;
  return visibleRange(scrollTop, viewportHeight, rowHeight, rowCount, overscan);
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
