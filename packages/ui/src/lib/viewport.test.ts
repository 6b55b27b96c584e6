import { describe, expect, it } from 'vitest';
import { barGeometry, nextRange, scrollToRow, timeTicks, visibleRange } from './viewport.js';

describe('visibleRange', () => {
  it('covers the rows in view plus overscan on both sides', () => {
    expect(visibleRange(240, 480, 24, 10_000, 5)).toEqual({ start: 5, end: 35 });
  });
  it('clamps at the top and at the end of the list', () => {
    expect(visibleRange(0, 480, 24, 10_000, 5)).toEqual({ start: 0, end: 25 });
    expect(visibleRange(24 * 9990, 480, 24, 10_000, 5)).toEqual({ start: 9985, end: 10_000 });
  });
  it('keeps the DOM small whatever the list size', () => {
    const r = visibleRange(123_456, 900, 24, 10_000);
    expect(r.end - r.start).toBeLessThan(60);
  });
  it('handles empty lists, negative scroll (rubber-banding) and scroll past the end', () => {
    expect(visibleRange(0, 500, 24, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 100, 24, 100, 0)).toEqual({ start: 0, end: 5 });
    expect(visibleRange(1e9, 100, 24, 100, 0)).toEqual({ start: 100, end: 100 });
  });
});

describe('scrollToRow', () => {
  it('scrolls up or down just enough, or not at all', () => {
    expect(scrollToRow(2, 240, 480, 24)).toBe(48);
    expect(scrollToRow(40, 240, 480, 24)).toBe(40 * 24 + 24 - 480);
    expect(scrollToRow(15, 240, 480, 24)).toBeUndefined();
  });
});

describe('barGeometry', () => {
  it('places a span in percent of the trace', () => {
    expect(barGeometry(1250, 500, 1000, 1000)).toEqual({ left: 25, width: 50 });
  });
  it('gives zero-length spans a minimum width and keeps bars inside the track', () => {
    expect(barGeometry(2000, 0, 1000, 1000).width).toBeGreaterThan(0);
    const g = barGeometry(2000, 0, 1000, 1000);
    expect(g.left + g.width).toBeLessThanOrEqual(100.0001);
    expect(barGeometry(900, 50, 1000, 1000).left).toBe(0);
  });
  it('fills the track for a zero-length trace', () => {
    expect(barGeometry(5, 0, 5, 0)).toEqual({ left: 0, width: 100 });
  });
});

describe('timeTicks', () => {
  it('spaces ticks evenly from 0 to the duration', () => {
    expect(timeTicks(100, 5)).toEqual([0, 25, 50, 75, 100]);
    expect(timeTicks(0)).toEqual([0]);
  });
});

describe('nextRange', () => {
  it('keeps the rendered range (same object) while it still covers the view', () => {
    const r = nextRange({ start: 0, end: 0 }, 0, 480, 24, 10_000, 20);
    expect(r).toEqual({ start: 0, end: 40 });
    expect(nextRange(r, 200, 480, 24, 10_000, 20)).toBe(r);
  });
  it('renders a fresh range once the view leaves it', () => {
    const r = { start: 0, end: 40 };
    expect(nextRange(r, 24 * 30, 480, 24, 10_000, 20)).toEqual({ start: 10, end: 70 });
  });
  it('shrinks when rows go away (collapse) and stays empty for an empty list', () => {
    expect(nextRange({ start: 0, end: 40 }, 0, 480, 24, 5, 20)).toEqual({ start: 0, end: 5 });
    const empty = { start: 0, end: 0 };
    expect(nextRange(empty, 0, 480, 24, 0, 20)).toBe(empty);
  });
});
