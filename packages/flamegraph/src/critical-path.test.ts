import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { criticalPath, isFollowsFrom } from './critical-path.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
function span(id: string, parent: string | undefined, start: number, duration: number, extra: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: T, spanId: id, parentSpanId: parent, name: id, kind: 'internal', service: 'svc',
    startTime: start, duration, status: { code: 'unset' }, attributes: {}, events: [], ...extra,
  };
}
const path = (spans: SpanRecord[]) => criticalPath(spans).map((s) => [s.spanId, s.start, s.end]);
const sum = (spans: SpanRecord[]) => criticalPath(spans).reduce((a, s) => a + s.duration, 0);

describe('criticalPath', () => {
  it('is the root alone when it has no children', () => {
    expect(path([span('root', undefined, 0, 10)])).toEqual([['root', 0, 10]]);
  });

  it('walks sequential children and the parent time between them', () => {
    const spans = [span('root', undefined, 0, 100), span('a', 'root', 10, 20), span('b', 'root', 30, 50)];
    expect(path(spans)).toEqual([['root', 0, 10], ['a', 10, 30], ['b', 30, 80], ['root', 80, 100]]);
  });

  it('with overlapping children steps into the last to finish, then the last to finish before it started', () => {
    const spans = [
      span('root', undefined, 0, 100),
      span('a', 'root', 10, 50), // 10..60
      span('b', 'root', 20, 60), // 20..80, hidden by c: ends after c started
      span('c', 'root', 70, 20), // 70..90
    ];
    expect(path(spans)).toEqual([['root', 0, 10], ['a', 10, 60], ['root', 60, 70], ['c', 70, 90], ['root', 90, 100]]);
    expect(sum(spans)).toBe(100);
  });

  it('descends into grandchildren', () => {
    const spans = [
      span('root', undefined, 0, 100), span('a', 'root', 10, 80), span('a1', 'a', 20, 30), span('a2', 'a', 40, 40),
    ];
    // a2 (40..80) finishes last, then a1 ended at 50 > 40, so a1 is not on the path.
    expect(path(spans)).toEqual([['root', 0, 10], ['a', 10, 40], ['a2', 40, 80], ['a', 80, 90], ['root', 90, 100]]);
  });

  it('ignores a follows-from child that starts after its parent ended', () => {
    const spans = [span('root', undefined, 0, 50), span('a', 'root', 10, 20), span('async', 'root', 60, 100)];
    expect(path(spans)).toEqual([['root', 0, 10], ['a', 10, 30], ['root', 30, 50]]);
  });

  it('ignores a child linked to its parent as follows_from', () => {
    const spans = [
      span('root', undefined, 0, 50),
      span('job', 'root', 10, 30, { links: [{ traceId: T, spanId: 'root', attributes: { 'opentracing.ref_type': 'follows_from' } }] }),
    ];
    expect(path(spans)).toEqual([['root', 0, 50]]);
    expect(isFollowsFrom(spans[1]!, spans[0]!)).toBe(true);
    // A link without the follows_from marker is an ordinary link: the child still blocks.
    const linked = { ...spans[1]!, links: [{ traceId: T, spanId: 'root' }] };
    expect(isFollowsFrom(linked, spans[0]!)).toBe(false);
  });

  it('ignores a consumer under a producer even while the producer still runs', () => {
    const spans = [
      span('root', undefined, 0, 100),
      span('send', 'root', 10, 30, { kind: 'producer' }),
      span('consume', 'send', 20, 60, { kind: 'consumer' }),
    ];
    expect(path(spans)).toEqual([['root', 0, 10], ['send', 10, 40], ['root', 40, 100]]);
  });

  it('clips a child that outlives its parent (clock skew) to the parent interval', () => {
    const spans = [span('root', undefined, 0, 100), span('skewed', 'root', 50, 100)];
    expect(path(spans)).toEqual([['root', 0, 50], ['skewed', 50, 100]]);
    expect(sum(spans)).toBe(100);
  });

  it('clips a child that starts before its parent, and its own children to the clipped interval', () => {
    const spans = [span('root', undefined, 10, 90), span('early', 'root', 0, 50), span('g', 'early', 0, 20)];
    // early clipped to 10..50; g (0..20) clipped to 10..20
    expect(path(spans)).toEqual([['g', 10, 20], ['early', 20, 50], ['root', 50, 100]]);
  });

  it('drops a child that ends before its parent starts', () => {
    const spans = [span('root', undefined, 100, 50), span('before', 'root', 0, 50)];
    expect(path(spans)).toEqual([['root', 100, 150]]);
  });

  it('handles back-to-back children and zero-length children without looping', () => {
    const spans = [
      span('root', undefined, 0, 30), span('a', 'root', 0, 10), span('z', 'root', 10, 0), span('b', 'root', 10, 20),
    ];
    expect(path(spans)).toEqual([['a', 0, 10], ['b', 10, 30]]);
  });

  it('starts from the true root, not from an orphan, and adds up to the root duration', () => {
    const spans = [span('orphan', 'missing', 0, 500), span('root', undefined, 0, 100), span('a', 'root', 20, 10)];
    expect(path(spans)).toEqual([['root', 0, 20], ['a', 20, 30], ['root', 30, 100]]);
  });

  it('returns no segments for no spans', () => {
    expect(criticalPath([])).toEqual([]);
  });

  it('names each segment with its span name and service', () => {
    const [seg] = criticalPath([span('root', undefined, 0, 5, { name: 'GET /x', service: 'gateway' })]);
    expect(seg).toEqual({ spanId: 'root', name: 'GET /x', service: 'gateway', start: 0, end: 5, duration: 5 });
  });
});
