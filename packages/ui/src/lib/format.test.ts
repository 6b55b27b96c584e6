import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatCount, formatDuration, serviceHue } from './format.js';

describe('formatDuration', () => {
  it('picks a unit by magnitude and trims zeros', () => {
    expect(formatDuration(0.42)).toBe('420µs');
    expect(formatDuration(2.5)).toBe('2.5ms');
    expect(formatDuration(12.34)).toBe('12.3ms');
    expect(formatDuration(1000)).toBe('1s');
    expect(formatDuration(1234)).toBe('1.23s');
    expect(formatDuration(125_000)).toBe('2m 5s');
    expect(formatDuration(NaN)).toBe('–');
    expect(formatDuration(-5)).toBe('-5ms');
  });

  it('moves to the next unit where rounding reaches it, never "1000ms" or "60s"', () => {
    expect(formatDuration(0.9996)).toBe('1ms');
    expect(formatDuration(9.996)).toBe('10ms');
    expect(formatDuration(999.96)).toBe('1s');
    expect(formatDuration(999.94)).toBe('999.9ms');
    expect(formatDuration(59_999)).toBe('1m 0s');
    expect(formatDuration(119_700)).toBe('2m 0s');
    expect(formatDuration(0)).toBe('0µs');
  });
});

describe('other formats', () => {
  it('formats ages, bytes and counts', () => {
    expect(formatAgo(0, 5_000)).toBe('5s ago');
    expect(formatAgo(0, 120_000)).toBe('2m ago');
    expect(formatAgo(10_000, 0)).toBe('0s ago');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatCount(12345)).toBe('12,345');
  });
  it('gives a service the same colour every time, within the palette', () => {
    expect(serviceHue('orders')).toBe(serviceHue('orders'));
    expect(serviceHue('orders', 10)).toBeGreaterThanOrEqual(0);
    expect(serviceHue('orders', 10)).toBeLessThan(10);
  });
});
