import { describe, expect, it } from 'vitest';
import { ExactRecorder, LogHistogram } from './histogram.js';

describe('LogHistogram', () => {
  it('answers quantiles within 5 % of the exact ones over five decades', () => {
    const h = new LogHistogram();
    const exact = new ExactRecorder();
    let x = 42;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const v = 0.01 * 10 ** ((x / 0x7fffffff) * 5); // 10 µs .. 1000 ms, log-uniform
      h.record(v);
      exact.record(v);
    }
    for (const q of [0.5, 0.95, 0.99]) {
      expect(Math.abs(h.quantile(q) / exact.quantile(q) - 1)).toBeLessThan(0.05);
    }
    expect(h.count).toBe(20_000);
  });

  it('never answers outside the values seen, and counts zero, negative and huge values', () => {
    const h = new LogHistogram();
    h.record(7);
    expect(h.quantile(0.5)).toBe(7);
    h.record(-3);
    h.record(Number.NaN);
    expect(h.quantile(0)).toBe(0);
    h.record(1e12);
    expect(h.quantile(1)).toBe(1e12);
    expect(new LogHistogram().quantile(0.5)).toBe(0);
  });
});

describe('ExactRecorder', () => {
  it('takes the nearest rank', () => {
    const r = new ExactRecorder();
    for (const v of [5, 1, 4, 2, 3]) r.record(v);
    expect([r.quantile(0.5), r.quantile(0.99), r.quantile(0)]).toEqual([3, 5, 1]);
  });
});
