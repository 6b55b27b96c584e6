import { describe, expect, it } from 'vitest';
import type { TraceSummary } from '@debugpanel/model';
import { dotAt, durationTicks, scatterDots, scatterScale, timeAt, xOf, yOf } from './scatter.js';

const T = 1_700_000_000_000;
const trace = (i: number, startTime: number, duration: number, errorCount = 0, spanCount = 10): TraceSummary => ({
  traceId: String(i).padStart(32, '0'), rootName: 'GET /x', rootService: 'shop', services: ['shop'], startTime, duration, spanCount, errorCount,
});
const box = { left: 40, top: 10, width: 600, height: 100 };

describe('trace scatter geometry', () => {
  it('fits every trace: time padded, duration on a log scale of at least a decade', () => {
    const s = scatterScale([trace(1, T, 5), trace(2, T + 60_000, 500)]);
    expect(s.t0).toBeLessThan(T);
    expect(s.t1).toBeGreaterThan(T + 60_000);
    expect(s.d0).toBeLessThan(5);
    expect(s.d1).toBeGreaterThan(500);
    // one trace: centred, a decade either side
    const one = scatterScale([trace(1, T, 10)]);
    expect(yOf(one, box, 10)).toBeCloseTo(box.top + box.height / 2);
    expect(one.t1 - one.t0).toBeGreaterThanOrEqual(2000);
    // nothing yet: the last minute, 1 ms to 1 s
    expect(scatterScale([], T)).toEqual({ t0: T - 60_000, t1: T, d0: 1, d1: 1000 });
  });

  it('places slower traces higher and later ones further right, and maps pixels back to times', () => {
    const s = scatterScale([trace(1, T, 5), trace(2, T + 60_000, 500)]);
    expect(yOf(s, box, 500)).toBeLessThan(yOf(s, box, 5));
    expect(xOf(s, box, T + 60_000)).toBeGreaterThan(xOf(s, box, T));
    expect(timeAt(s, box, xOf(s, box, T + 30_000))).toBeCloseTo(T + 30_000, 3);
    // a 0 ms trace does not break the log
    expect(Number.isFinite(yOf(s, box, 0))).toBe(true);
  });

  it('draws errors on top and finds the dot under the pointer', () => {
    const traces = [trace(1, T, 50, 1), trace(2, T, 50), trace(3, T + 30_000, 5)];
    const s = scatterScale(traces);
    const dots = scatterDots(traces, s, box);
    expect(dots.map((d) => d.error)).toEqual([false, false, true]);
    const hit = dotAt(dots, dots[2]!.x + 1, dots[2]!.y)!;
    expect(hit.trace.traceId).toBe(trace(1, 0, 0).traceId); // the error dot, on top of its twin
    expect(dotAt(dots, box.left + box.width - 1, box.top + 1)).toBeUndefined();
    const fast = dots.find((d) => d.trace.duration === 5)!;
    expect(dotAt(dots, fast.x, fast.y + fast.r + 3)?.trace.duration).toBe(5);
  });

  it('ticks the duration axis at powers of ten, with 2 and 5 over a short range', () => {
    expect(durationTicks({ t0: 0, t1: 1, d0: 0.5, d1: 5000 })).toEqual([1, 10, 100, 1000]);
    expect(durationTicks({ t0: 0, t1: 1, d0: 3, d1: 60 })).toEqual([5, 10, 20, 50]);
  });
});
