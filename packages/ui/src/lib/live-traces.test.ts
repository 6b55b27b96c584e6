import { describe, expect, it } from 'vitest';
import { PendingTraces } from './live-traces.js';
import { summary } from './test-spans.js';

const none = new Set<string>();

describe('PendingTraces', () => {
  it('counts only traces that match the filter', () => {
    const p = new PendingTraces({ service: 'orders', status: 'error' });
    for (let i = 1; i <= 83; i++) p.offer(summary(i)); // orders, no errors: none match
    expect(p.countNew(none)).toBe(0);
    expect(p.size).toBe(0);
    p.offer(summary(84, { errorCount: 1 }));
    p.offer(summary(85, { errorCount: 2, services: ['billing'] }));
    expect(p.countNew(none)).toBe(1);
  });

  it('keeps the latest summary per trace, moved to the newest end; counts a trace once', () => {
    const p = new PendingTraces({});
    p.offer(summary(1));
    p.offer(summary(2));
    p.offer(summary(1, { spanCount: 9 }));
    expect(p.countNew(none)).toBe(2);
    expect(p.take().map((t) => [t.startTime, t.spanCount])).toEqual([[2, 3], [1, 9]]);
    expect(p.size).toBe(0);
  });

  it('drops a trace whose newer summary stops matching', () => {
    const p = new PendingTraces({ status: 'ok' });
    p.offer(summary(1));
    p.offer(summary(1, { errorCount: 1 }));
    expect(p.countNew(none)).toBe(0);
    expect(p.take()).toEqual([]);
  });

  it('does not count rows already in the list as new, but still hands their updates over', () => {
    const p = new PendingTraces({});
    p.offer(summary(1, { spanCount: 5 }));
    p.offer(summary(2));
    expect(p.countNew(new Set([summary(1).traceId]))).toBe(1);
    expect(p.hasMatches).toBe(true);
    expect(p.take()).toHaveLength(2);
  });

  it('is bounded: the oldest trace goes first and is counted', () => {
    const p = new PendingTraces({}, 10);
    for (let i = 0; i < 25; i++) p.offer(summary(i));
    expect(p.size).toBe(10);
    expect(p.dropped).toBe(15);
    expect(p.take().map((t) => t.startTime)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });

  it('waits for the API on what a summary cannot tell, then keeps what it found', () => {
    const p = new PendingTraces({ text: 'timeout' });
    p.offer(summary(10));
    p.offer(summary(11));
    p.offer(summary(12, { rootName: 'GET /timeout' })); // the root name decides
    expect(p.countNew(none)).toBe(1);
    const asked = p.unresolved();
    expect(asked.map((t) => t.startTime)).toEqual([10, 11]);
    p.offer(summary(13)); // arrives while the API is asked
    p.resolve(asked, [summary(11, { spanCount: 4 })]);
    expect(p.countNew(none)).toBe(2);
    expect(p.unresolved().map((t) => t.startTime)).toEqual([13]);
    expect(p.take().map((t) => [t.startTime, t.spanCount])).toEqual([[11, 4], [12, 3]]);
  });

  it('leaves undecided what a full API page did not reach, and re-asks about updated entries', () => {
    const p = new PendingTraces({ attributes: { a: 'b' } });
    p.offer(summary(10));
    p.offer(summary(20));
    p.offer(summary(30));
    const asked = p.unresolved();
    p.offer(summary(30, { spanCount: 8 })); // updated after asking
    p.resolve(asked, [], 15); // a full page reaching back to 15 only
    expect(p.unresolved().map((t) => [t.startTime, t.spanCount])).toEqual([[10, 3], [30, 8]]);
  });
});
