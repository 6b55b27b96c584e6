import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { MERGED_ROOT_NAME, mergeFlames, percentile } from './merge.js';

function trace(t: number, rows: Array<[id: string, parent: string | undefined, name: string, start: number, dur: number, service?: string]>): SpanRecord[] {
  const traceId = t.toString(16).padStart(32, '0');
  return rows.map(([id, parent, name, start, duration, service = 'api']) => ({
    traceId, spanId: id, parentSpanId: parent, name, kind: 'internal', service, startTime: start, duration,
    status: { code: 'unset' }, attributes: {}, events: [],
  }));
}

describe('percentile', () => {
  it('takes the nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => 100 - i), 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBe(0);
  });
});

describe('mergeFlames', () => {
  it('merges by path of name and service, with count, traces, total, self, mean and p95', () => {
    const merged = mergeFlames([
      trace(1, [['r', undefined, 'GET /a', 0, 100], ['q', 'r', 'select', 10, 20, 'db'], ['h', 'r', 'render', 50, 10]]),
      trace(2, [['r', undefined, 'GET /a', 0, 60], ['q', 'r', 'select', 10, 40, 'db']]),
      trace(3, [['r', undefined, 'GET /a', 0, 80], ['q1', 'r', 'select', 0, 10, 'db'], ['q2', 'r', 'select', 20, 30, 'db']]),
    ]);
    expect(merged.name).toBe(MERGED_ROOT_NAME);
    expect(merged).toMatchObject({ count: 3, traces: 3, total: 240, self: 0 });
    expect(merged.children).toHaveLength(1);
    const get = merged.children[0]!;
    expect(get).toMatchObject({ name: 'GET /a', service: 'api', count: 3, traces: 3, total: 240, mean: 80, p95: 100 });
    expect(get.self).toBe(70 + 20 + 40);
    const [select, render] = get.children;
    expect(select).toMatchObject({ name: 'select', service: 'db', count: 4, traces: 3, total: 100, mean: 25, p95: 40 });
    expect(render).toMatchObject({ name: 'render', count: 1, traces: 1, total: 10, p95: 10 });
  });

  it('keeps the same name in different services apart', () => {
    const merged = mergeFlames([trace(1, [['r', undefined, 'GET /a', 0, 10], ['x', 'r', 'call', 0, 5, 'a'], ['y', 'r', 'call', 5, 5, 'b']])]);
    expect(merged.children[0]!.children.map((c) => c.service).sort()).toEqual(['a', 'b']);
  });

  it('keeps the same name on different paths apart', () => {
    const merged = mergeFlames([
      trace(1, [['r', undefined, 'root', 0, 10], ['a', 'r', 'a', 0, 5], ['q', 'a', 'q', 0, 1], ['q2', 'r', 'q', 6, 1]]),
    ]);
    const root = merged.children[0]!;
    expect(root.children.map((c) => c.name)).toEqual(['a', 'q']);
    expect(root.children[0]!.children[0]!.name).toBe('q');
  });

  it('puts each root of a trace with orphans directly under the merged root, with the gap as its self', () => {
    const merged = mergeFlames([trace(1, [['r', undefined, 'root', 0, 10], ['o', 'missing', 'late', 20, 10]])]);
    expect(merged.children.map((c) => c.name).sort()).toEqual(['late', 'root']);
    expect(merged).toMatchObject({ total: 30, self: 10 });
  });

  it('sorts children by total, largest first, and skips empty traces', () => {
    const merged = mergeFlames([[], trace(1, [['r', undefined, 'root', 0, 100], ['a', 'r', 'small', 0, 10], ['b', 'r', 'big', 10, 80]])]);
    expect(merged.count).toBe(1);
    expect(merged.children[0]!.children.map((c) => c.name)).toEqual(['big', 'small']);
  });

  it('returns an empty root for no traces', () => {
    expect(mergeFlames([])).toMatchObject({ count: 0, total: 0, mean: 0, p95: 0, children: [] });
  });
});
