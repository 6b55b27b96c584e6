import { describe, expect, it } from 'vitest';
import { isValidSpanId, isValidTraceId } from '@debugpanel/model';
import { makeRecords, prng } from './fixtures.js';

describe('prng', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = prng(1);
    const b = prng(1);
    const c = prng(2);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('makeRecords', () => {
  it('gives the same spans for the same seed, so every contender holds the same data', () => {
    expect(makeRecords(5, 20, { spans: 10 })).toEqual(makeRecords(5, 20, { spans: 10 }));
  });

  it('makes the asked number of spans per trace, with valid ids and parents seen before children', () => {
    const spans = makeRecords(9, 50, { spans: 10 });
    expect(spans).toHaveLength(500);
    const byTrace = new Map<string, Set<string>>();
    for (const s of spans) {
      expect(isValidTraceId(s.traceId)).toBe(true);
      expect(isValidSpanId(s.spanId)).toBe(true);
      const seen = byTrace.get(s.traceId) ?? new Set<string>();
      if (s.parentSpanId === undefined) expect(seen.size).toBe(0);
      else expect(seen.has(s.parentSpanId)).toBe(true);
      seen.add(s.spanId);
      byTrace.set(s.traceId, seen);
    }
    expect(byTrace.size).toBe(50);
    for (const ids of byTrace.values()) expect(ids.size).toBe(10);
  });

  it('fails about errorRate of the traces (root status error)', () => {
    const spans = makeRecords(3, 1000, { spans: 5, errorRate: 0.1 });
    const errors = spans.filter((s) => s.parentSpanId === undefined && s.status.code === 'error').length;
    expect(errors).toBeGreaterThan(50);
    expect(errors).toBeLessThan(150);
  });
});
