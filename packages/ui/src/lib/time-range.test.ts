import { describe, expect, it } from 'vitest';
import { rangeWindow, TIME_RANGES } from './time-range.js';

describe('rangeWindow', () => {
  it('turns a relative range into an absolute since, open at the end', () => {
    expect(rangeWindow('15m', 1_000_000_000)).toEqual({ since: 1_000_000_000 - 900_000, until: undefined });
    expect(rangeWindow('6h', 30_000_000)).toEqual({ since: 30_000_000 - 21_600_000, until: undefined });
  });
  it('refuses unknown keys', () => {
    expect(rangeWindow('2d', 0)).toBeUndefined();
    expect(rangeWindow('', 0)).toBeUndefined();
  });
  it('lists ranges shortest first', () => {
    const ms = TIME_RANGES.map((t) => t.ms);
    expect([...ms].sort((a, b) => a - b)).toEqual(ms);
  });
});
