import { describe, expect, it } from 'vitest';
import { summary } from './test-spans.js';
import { DEFAULT_SORT, formatSort, nextSort, parseSort, sortTraces, type TraceSort } from './trace-sort.js';

const rows = [
  summary(50, { duration: 5, spanCount: 3, errorCount: 0, rootService: 'orders', rootName: 'GET /b', route: '/b', httpStatus: 200 }),
  summary(40, { duration: 90, spanCount: 40, errorCount: 2, rootService: 'billing', rootName: 'POST /pay', httpStatus: 502 }),
  summary(30, { duration: 12, spanCount: 3, errorCount: 0, rootService: 'orders', rootName: 'GET /a', route: '/a', httpStatus: 200 }),
  summary(20, { duration: 90, spanCount: 7, errorCount: 1, rootService: 'gateway', rootName: 'GET /x', route: '/x' }),
];
const order = (s: TraceSort) => sortTraces(rows, s).map((t) => t.startTime);

describe('sortTraces', () => {
  it('keeps the API order for the default (newest first), as the same array', () => {
    expect(sortTraces(rows, DEFAULT_SORT)).toBe(rows);
    expect(order({ key: 'start', desc: false })).toEqual([20, 30, 40, 50]);
  });
  it.each<[TraceSort, number[]]>([
    [{ key: 'duration', desc: true }, [40, 20, 30, 50]], // ties keep newest first
    [{ key: 'duration', desc: false }, [50, 30, 40, 20]],
    [{ key: 'spans', desc: true }, [40, 20, 50, 30]],
    [{ key: 'errors', desc: true }, [40, 20, 50, 30]],
    [{ key: 'service', desc: false }, [40, 20, 30, 50]], // billing, gateway, orders GET /a, orders GET /b
    [{ key: 'route', desc: false }, [30, 50, 20, 40]], // no route last
    [{ key: 'route', desc: true }, [20, 50, 30, 40]], // ... whichever the direction
    [{ key: 'status', desc: true }, [40, 50, 30, 20]],
  ])('%j', (sort, want) => {
    expect(order(sort)).toEqual(want);
  });
});

describe('sort in the address and on a click', () => {
  it('reads ?sort= and ?dir=, and writes only what differs from the defaults', () => {
    expect(parseSort(null, null)).toEqual(DEFAULT_SORT);
    expect(parseSort('duration', null)).toEqual({ key: 'duration', desc: true });
    expect(parseSort('service', null)).toEqual({ key: 'service', desc: false });
    expect(parseSort('route', 'desc')).toEqual({ key: 'route', desc: true });
    expect(parseSort('bogus', 'asc')).toEqual({ key: 'start', desc: false });
    expect(formatSort(DEFAULT_SORT)).toEqual({});
    expect(formatSort({ key: 'start', desc: false })).toEqual({ sort: 'start', dir: 'asc' });
    expect(formatSort({ key: 'duration', desc: true })).toEqual({ sort: 'duration' });
    expect(formatSort({ key: 'service', desc: true })).toEqual({ sort: 'service', dir: 'desc' });
  });
  it('a first click sorts worst (or A) first, a second turns it around', () => {
    expect(nextSort(DEFAULT_SORT, 'duration')).toEqual({ key: 'duration', desc: true });
    expect(nextSort({ key: 'duration', desc: true }, 'duration')).toEqual({ key: 'duration', desc: false });
    expect(nextSort({ key: 'duration', desc: true }, 'route')).toEqual({ key: 'route', desc: false });
    expect(nextSort(DEFAULT_SORT, 'start')).toEqual({ key: 'start', desc: false });
  });
});
