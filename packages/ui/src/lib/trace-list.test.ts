import { describe, expect, it } from 'vitest';
import { summary } from './test-spans.js';
import { appendOlder, emptyList, olderPageQuery, percentile, prependNewer } from './trace-list.js';

const t = summary;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => t(from + i));

describe('appendOlder', () => {
  it('appends pages, drops duplicates, and keeps the cursor', () => {
    let l = appendOlder(emptyList(), [t(9), t(8)], 'c1');
    l = appendOlder(l, [t(8), t(7)], 'c2');
    expect(l.rows.map((r) => r.startTime)).toEqual([9, 8, 7]);
    expect(l.nextCursor).toBe('c2');
    expect(olderPageQuery(l, { service: 'x' })).toEqual({ service: 'x', cursor: 'c2' });
  });
  it('drops the newest rows over the cap and says so', () => {
    const l = appendOlder(appendOlder(emptyList(), range(0, 8).reverse(), 'a', 10), range(100, 108), 'b', 10);
    expect(l.rows).toHaveLength(10);
    expect(l.headTrimmed).toBe(true);
    expect(l.rows[l.rows.length - 1]!.startTime).toBe(107);
  });
  it('has no older page on the last page', () => {
    expect(olderPageQuery(appendOlder(emptyList(), [t(1)], undefined), {})).toBeUndefined();
  });
});

describe('prependNewer', () => {
  it('puts streamed traces on top, newest first, replacing updated summaries', () => {
    const l = appendOlder(emptyList(), [t(5), t(4)], 'c');
    const next = prependNewer(l, [t(6), t(7), { ...t(5), spanCount: 9 }]);
    expect(next.rows.map((r) => [r.startTime, r.spanCount])).toEqual([
      [5, 9],
      [7, 3],
      [6, 3],
      [4, 3],
    ]);
  });
  it('never grows past the cap; then pages on by time instead of the stale cursor', () => {
    let l = appendOlder(emptyList(), range(0, 10).reverse(), 'c', 10);
    l = prependNewer(l, range(10, 15), 10);
    expect(l.rows).toHaveLength(10);
    expect(l.tailTrimmed).toBe(true);
    expect(olderPageQuery(l, { status: 'error' })).toEqual({ status: 'error', cursor: undefined, until: 5 });
  });
  it('returns the same list for nothing new', () => {
    const l = emptyList();
    expect(prependNewer(l, [])).toBe(l);
  });
});

describe('percentile', () => {
  it('is the nearest-rank percentile', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(v, 0.99)).toBe(99);
    expect(percentile(v, 0.5)).toBe(50);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.99)).toBeNaN();
  });
});
