import { describe, expect, it } from 'vitest';
import { median, pairedRatios, ratioSummary, rotate, summarize } from './stats.js';

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
  });
  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
  it('refuses an empty list', () => {
    expect(() => median([])).toThrow(/empty/);
  });
});

describe('summarize', () => {
  it('reports median, min, max and sample count', () => {
    expect(summarize([10, 30, 20, 50])).toEqual({ median: 25, min: 10, max: 50, samples: 4 });
  });
  it('handles a single sample', () => {
    expect(summarize([7])).toEqual({ median: 7, min: 7, max: 7, samples: 1 });
  });
  it('refuses NaN and infinities rather than printing them', () => {
    expect(() => summarize([1, Number.NaN])).toThrow(/finite/);
    expect(() => summarize([Infinity])).toThrow(/finite/);
  });
});

describe('pairedRatios', () => {
  it('divides round by round, not medians by medians', () => {
    // Round 2 is slow for both sides: pairing cancels it, the ratio stays 0.5 in every round.
    const subject = [50, 10, 50];
    const baseline = [100, 20, 100];
    expect(pairedRatios(subject, baseline)).toEqual([0.5, 0.5, 0.5]);
    expect(ratioSummary(subject, baseline)).toEqual({ median: 0.5, min: 0.5, max: 0.5, samples: 3 });
  });
  it('gives min and max over the rounds', () => {
    expect(ratioSummary([90, 80, 100], [100, 100, 100])).toEqual({ median: 0.9, min: 0.8, max: 1, samples: 3 });
  });
  it('refuses lists of different lengths', () => {
    expect(() => pairedRatios([1, 2], [1])).toThrow(/2 subject samples vs 1/);
  });
  it('refuses a zero baseline', () => {
    expect(() => pairedRatios([1], [0])).toThrow(/baseline is 0/);
  });
});

describe('rotate', () => {
  it('rotates left and wraps around', () => {
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], -1)).toEqual(['c', 'a', 'b']);
    expect(rotate([], 3)).toEqual([]);
  });
});
