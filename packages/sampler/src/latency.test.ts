import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency.js';
import { TokenBucket } from './token-bucket.js';

describe('LatencyHistogram', () => {
  it('is empty at first', () => {
    const h = new LatencyHistogram();
    expect(h.weight).toBe(0);
    expect(h.quantile(0.99)).toBe(0);
  });

  it('estimates p99 to within one 20% bucket', () => {
    const h = new LatencyHistogram(100_000);
    for (let i = 1; i <= 1000; i++) h.record(i); // p99 = 990 ms
    const p99 = h.quantile(0.99);
    expect(p99).toBeGreaterThanOrEqual(990);
    expect(p99).toBeLessThan(990 * 1.2);
  });

  it('follows a route whose latency changed, by halving old counts', () => {
    const h = new LatencyHistogram(100);
    for (let i = 0; i < 1000; i++) h.record(500);
    for (let i = 0; i < 1000; i++) h.record(5);
    expect(h.quantile(0.99)).toBeLessThan(10);
    expect(h.weight).toBeLessThan(200);
  });

  it('puts tiny, zero and huge durations in the end buckets', () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(-1);
    h.record(1e12);
    expect(h.quantile(0.5)).toBeLessThanOrEqual(0.01);
    expect(h.quantile(1)).toBeGreaterThan(100_000);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    const b = new TokenBucket(5, 5, 0);
    expect(Array.from({ length: 6 }, () => b.take(0))).toEqual([true, true, true, true, true, false]);
    expect(b.take(100)).toBe(false); // 0.5 token
    expect(b.has(200)).toBe(true);
    expect(b.take(200)).toBe(true);
    expect(b.take(200)).toBe(false);
    expect(b.take(10_000)).toBe(true); // refill is capped at the burst
    expect(Array.from({ length: 5 }, () => b.take(10_000)).filter(Boolean)).toHaveLength(4);
  });

  it('ignores a clock that goes backwards', () => {
    const b = new TokenBucket(1, 1, 1000);
    expect(b.take(1000)).toBe(true);
    expect(b.take(500)).toBe(false);
    expect(b.take(2000)).toBe(true);
  });
});
