import { describe, expect, it } from 'vitest';
import { anyOnPath, criticalMarks } from './critical-path.js';
import type { CriticalPathResponse, CriticalPathSegment } from '@debugpanel/model';

const seg = (spanId: string, start: number, end: number): CriticalPathSegment => ({ spanId, name: `op-${spanId}`, service: 'svc', start, end, duration: end - start });
const res = (segments: CriticalPathSegment[], bySpan: Record<string, number> = {}): CriticalPathResponse => ({ traceId: 't', segments, bySpan });

describe('criticalMarks', () => {
  it('indexes segments by span with their ms on the path and the path length', () => {
    // root waits on child b from 10 to 60: root is on the path before and after it.
    const m = criticalMarks(res([seg('root', 0, 10), seg('b', 10, 60), seg('root', 60, 100)], { root: 50, b: 50 }));
    expect(m.total).toBe(100);
    expect([...m.bySpan.keys()].sort()).toEqual(['b', 'root']);
    expect(m.bySpan.get('root')).toEqual({ ms: 50, stretches: [{ start: 0, end: 10 }, { start: 60, end: 100 }] });
    expect(m.bySpan.get('b')).toEqual({ ms: 50, stretches: [{ start: 10, end: 60 }] });
  });
  it('orders a span\'s stretches by time whatever the order of the segments', () => {
    const m = criticalMarks(res([seg('a', 50, 70), seg('a', 5, 20)]));
    expect(m.bySpan.get('a')!.stretches.map((s) => s.start)).toEqual([5, 50]);
  });
  it('moves a skew-adjusted span\'s stretches with its bar, and only its', () => {
    const m = criticalMarks(res([seg('root', 0, 10), seg('b', 11, 13)]), new Map([['b', -1.5]]));
    expect(m.bySpan.get('b')!.stretches).toEqual([{ start: 9.5, end: 11.5 }]);
    expect(m.bySpan.get('root')!.stretches).toEqual([{ start: 0, end: 10 }]);
    expect(m.total).toBe(12);
  });
  it('sums the segments when the response has no bySpan figure for a span', () => {
    const m = criticalMarks(res([seg('a', 0, 3), seg('a', 7, 12)]));
    expect(m.bySpan.get('a')!.ms).toBe(8);
  });
  it('skips malformed segments (end before start, NaN) instead of drawing them', () => {
    const m = criticalMarks(res([seg('a', 10, 5), { ...seg('b', 0, 1), end: Number.NaN }, seg('c', 0, 4)]));
    expect([...m.bySpan.keys()]).toEqual(['c']);
    expect(m.total).toBe(4);
  });
  it('gives empty marks for an empty path', () => {
    const m = criticalMarks(res([]));
    expect(m.bySpan.size).toBe(0);
    expect(m.total).toBe(0);
  });
});

describe('anyOnPath', () => {
  it('is true when one member of a fold is on the path, false otherwise', () => {
    const m = criticalMarks(res([seg('x', 0, 1)]));
    expect(anyOnPath(m, ['a', 'x'])).toBe(true);
    expect(anyOnPath(m, ['a', 'b'])).toBe(false);
    expect(anyOnPath(m, [])).toBe(false);
  });
});
