/**
 * The glue between a scrolling element and the pure viewport functions (`lib/viewport.ts`), for
 * lists of fixed-height rows that keep only the rows in view (plus some) in the DOM: the waterfall,
 * the source view, the trace list.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { nextRange, scrollToRow, type Range } from './lib/viewport.js';

export interface VirtualRowsOptions {
  /** Viewport height assumed before the first measure, px */
  initialHeight?: number;
  /** Height of a sticky header inside the scroller that covers the top rows, px */
  header?: number;
}

export interface VirtualRows<E extends HTMLElement> {
  /** Attach to the scrolling element */
  scroller: preact.RefObject<E>;
  /** The rows to render: `start` to `end` (exclusive) */
  range: Range;
  /** Measured viewport height for rows, px */
  height: number;
  /** Attach as the scroller's `onScroll` */
  onScroll: () => void;
  /**
   * Scrolls just enough to bring row `index` into view; with `centreWhenFar`, a row more than a
   * screen away lands a third down the view, so its context shows.
   */
  reveal: (index: number, centreWhenFar?: boolean) => void;
}

/**
 * Virtualized rows of `rowHeight` px: the range to render for `rowCount` rows, updated at most once
 * per frame while scrolling, and kept (the same object, so nothing re-renders) while it still
 * covers the view.
 *
 * @example
 * const v = useVirtualRows<HTMLDivElement>(lines.length, 18);
 * return <div ref={v.scroller} onScroll={v.onScroll}>{lines.slice(v.range.start, v.range.end).map(...)}</div>;
 */
export function useVirtualRows<E extends HTMLElement>(rowCount: number, rowHeight: number, options: VirtualRowsOptions = {}): VirtualRows<E> {
  const header = options.header ?? 0;
  const scroller = useRef<E>(null);
  const [range, setRange] = useState<Range>({ start: 0, end: 0 });
  const [clientHeight, setClientHeight] = useState(options.initialHeight ?? 600);
  const frame = useRef(0);
  // Read by the scroll callback of an earlier render: the current count, not the one it closed over.
  const count = useRef(rowCount);
  count.current = rowCount;
  const recompute = (el: E) => setRange((r) => nextRange(r, el.scrollTop, el.clientHeight - header, rowHeight, count.current));

  useLayoutEffect(() => {
    const el = scroller.current!;
    setClientHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setClientHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const onScroll = () => {
    // One state update per frame, however fast the wheel fires.
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (scroller.current) recompute(scroller.current);
    });
  };

  const reveal = (index: number, centreWhenFar = false) => {
    const el = scroller.current;
    if (!el || index < 0) return;
    const view = el.clientHeight - header;
    const top = scrollToRow(index, el.scrollTop, view - rowHeight, rowHeight);
    if (top === undefined) return;
    const far = centreWhenFar && Math.abs(top - el.scrollTop) > view;
    el.scrollTop = far ? Math.max(0, index * rowHeight - view / 3) : top;
    recompute(el);
  };

  // Rows, height or a programmatic scroll changed: re-derive the range (a no-op while still valid).
  const height = clientHeight - header;
  const want = nextRange(range, scroller.current?.scrollTop ?? 0, height, rowHeight, rowCount);
  if (want !== range) setRange(want);
  return { scroller, range: want, height, onScroll, reveal };
}
