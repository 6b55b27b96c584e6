/**
 * Geometry of the trace list's duration-over-time scatter plot (Jaeger's search page has one):
 * time on x, duration on a log scale on y (a 3 ms and a 3 s trace both stay readable), one dot per
 * listed trace, failed ones apart. Kept apart from the canvas so it can be tested: where each dot
 * goes, which dot is under the pointer, which time range a drag covers.
 */
import type { TraceSummary } from '@debugpanel/model';

export interface ScatterBox {
  /** plot area inside the canvas, CSS px */
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface ScatterScale {
  /** ms since epoch at the left and right edges */
  t0: number;
  t1: number;
  /** ms of duration at the bottom and top edges (log scale) */
  d0: number;
  d1: number;
}

export interface ScatterDot {
  x: number;
  y: number;
  /** radius, px: grows gently with the span count */
  r: number;
  error: boolean;
  trace: TraceSummary;
}

/** The scale that fits every trace, padded; durations floored at 0.01 ms for the log. */
export function scatterScale(traces: ReadonlyArray<Pick<TraceSummary, 'startTime' | 'duration'>>, now = Date.now()): ScatterScale {
  if (traces.length === 0) return { t0: now - 60_000, t1: now, d0: 1, d1: 1000 };
  let t0 = Infinity;
  let t1 = -Infinity;
  let d0 = Infinity;
  let d1 = -Infinity;
  for (const t of traces) {
    t0 = Math.min(t0, t.startTime);
    t1 = Math.max(t1, t.startTime);
    const d = Math.max(0.01, t.duration);
    d0 = Math.min(d0, d);
    d1 = Math.max(d1, d);
  }
  const pad = Math.max(1000, (t1 - t0) * 0.03);
  // at least a decade of duration, so one-value lists sit in the middle
  const lo = Math.log10(d0);
  const hi = Math.log10(d1);
  const mid = (lo + hi) / 2;
  const half = Math.max((hi - lo) / 2, 0.5) * 1.1;
  return { t0: t0 - pad, t1: t1 + pad, d0: 10 ** (mid - half), d1: 10 ** (mid + half) };
}

export function xOf(s: ScatterScale, box: ScatterBox, t: number): number {
  return box.left + ((t - s.t0) / (s.t1 - s.t0)) * box.width;
}

export function yOf(s: ScatterScale, box: ScatterBox, duration: number): number {
  const f = (Math.log10(Math.max(0.01, duration)) - Math.log10(s.d0)) / (Math.log10(s.d1) - Math.log10(s.d0));
  return box.top + box.height - f * box.height;
}

/** The time at a pixel column. */
export function timeAt(s: ScatterScale, box: ScatterBox, x: number): number {
  return s.t0 + ((x - box.left) / box.width) * (s.t1 - s.t0);
}

/** One dot per trace, errors drawn last (on top). */
export function scatterDots(traces: ReadonlyArray<TraceSummary>, s: ScatterScale, box: ScatterBox): ScatterDot[] {
  const dots = traces.map((t) => ({
    x: xOf(s, box, t.startTime),
    y: yOf(s, box, t.duration),
    r: Math.min(8, 3.5 + Math.log10(Math.max(1, t.spanCount))),
    error: t.errorCount > 0,
    trace: t,
  }));
  return dots.sort((a, b) => Number(a.error) - Number(b.error));
}

/** The dot nearest (x, y) within `reach` px of its edge, or undefined. Topmost wins a tie. */
export function dotAt(dots: ReadonlyArray<ScatterDot>, x: number, y: number, reach = 4): ScatterDot | undefined {
  let best: ScatterDot | undefined;
  let bestD = Infinity;
  for (let i = dots.length - 1; i >= 0; i--) {
    const d = dots[i]!;
    const dist = Math.hypot(d.x - x, d.y - y) - d.r;
    if (dist <= reach && dist < bestD) {
      best = d;
      bestD = dist;
    }
  }
  return best;
}

/** Tick values of the log duration axis: 1, 10, 100 ms... inside the scale (with 2 and 5 when few). */
export function durationTicks(s: ScatterScale): number[] {
  const out: number[] = [];
  const lo = Math.floor(Math.log10(s.d0));
  const hi = Math.ceil(Math.log10(s.d1));
  const steps = hi - lo <= 2 ? [1, 2, 5] : [1];
  for (let e = lo; e <= hi; e++) for (const m of steps) {
    const v = m * 10 ** e;
    if (v >= s.d0 && v <= s.d1) out.push(Number(v.toPrecision(3)));
  }
  return out;
}
