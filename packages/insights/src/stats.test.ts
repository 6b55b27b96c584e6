import { describe, expect, it } from 'vitest';
import { binomialUpperTail, logGamma, mad, median, poissonLowerTail, poissonUpperTail } from './stats.js';

describe('median and MAD', () => {
  it('are the middle value and the middle deviation, untouched by one outlier', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(median([10, 11, 9, 10, 5000])).toBe(10);
    expect(mad([10, 11, 9, 10, 5000])).toBe(1);
  });
});

describe('tails', () => {
  it('logGamma matches factorials', () => {
    expect(Math.exp(logGamma(6))).toBeCloseTo(120, 8);
    expect(Math.exp(logGamma(0.5))).toBeCloseTo(Math.sqrt(Math.PI), 10);
  });
  it('binomial upper tail matches exact sums', () => {
    // P(X >= 2), n = 3, p = 0.5: (3 + 1) / 8
    expect(binomialUpperTail(2, 3, 0.5)).toBeCloseTo(0.5, 12);
    expect(binomialUpperTail(0, 10, 0.1)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.1)).toBe(0);
    // P(X >= 1), n = 10, p = 0.1 = 1 - 0.9^10
    expect(binomialUpperTail(1, 10, 0.1)).toBeCloseTo(1 - 0.9 ** 10, 12);
    expect(binomialUpperTail(30, 100, 0.05)).toBeLessThan(1e-8);
    expect(binomialUpperTail(6, 100, 0.05)).toBeGreaterThan(0.3);
  });
  it('1 error in 3 requests is not significant at a 5% baseline, 40 in 150 at 8% is', () => {
    expect(binomialUpperTail(1, 3, 0.05)).toBeGreaterThan(0.1);
    expect(binomialUpperTail(40, 150, 0.08)).toBeLessThan(1e-9);
  });
  it('poisson tails', () => {
    // P(X <= 0; 2) = e^-2
    expect(poissonLowerTail(0, 2)).toBeCloseTo(Math.exp(-2), 12);
    expect(poissonUpperTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(poissonLowerTail(10, 150)).toBeLessThan(1e-40);
    expect(poissonUpperTail(400, 150)).toBeLessThan(1e-40);
    expect(poissonUpperTail(150, 150)).toBeGreaterThan(0.4);
  });
});
