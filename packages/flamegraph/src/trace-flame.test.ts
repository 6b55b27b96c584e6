import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { buildTraceFlame, coveredLength, SYNTHETIC_ROOT_NAME } from './trace-flame.js';
import type { FlameNode } from './types.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
function span(id: string, parent: string | undefined, start: number, duration: number, extra: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: T, spanId: id.padStart(16, '0'), parentSpanId: parent?.padStart(16, '0'), name: `op-${id}`, kind: 'internal',
    service: 'svc', startTime: 1_000 + start, duration, status: { code: 'unset' }, attributes: {}, events: [], ...extra,
  };
}
function find(n: FlameNode, name: string): FlameNode | undefined {
  if (n.name === name) return n;
  for (const c of n.children) { const f = find(c, name); if (f) return f; }
  return undefined;
}

describe('coveredLength', () => {
  it('counts overlapping intervals once and clips to the bounds', () => {
    expect(coveredLength([[0, 10], [5, 20], [30, 40]], 0, 100)).toBe(30);
    expect(coveredLength([[-5, 10], [90, 120]], 0, 100)).toBe(20);
    expect(coveredLength([[0, 10], [2, 3]], 0, 100)).toBe(10);
    expect(coveredLength([], 0, 100)).toBe(0);
  });
});

describe('buildTraceFlame', () => {
  it('builds one node per span with total, self, start offset and children in start order', () => {
    const root = buildTraceFlame([
      span('3', '1', 60, 30, { service: 'db' }),
      span('1', undefined, 0, 100, { kind: 'server' }),
      span('2', '1', 10, 40),
    ]);
    expect(root.name).toBe('op-1');
    expect(root.synthetic).toBeUndefined();
    expect(root.total).toBe(100);
    expect(root.self).toBe(30); // 100 - 40 - 30
    expect(root.children.map((c) => [c.name, c.start, c.total, c.self, c.service])).toEqual([
      ['op-2', 10, 40, 40, 'svc'],
      ['op-3', 60, 30, 30, 'db'],
    ]);
  });

  it('subtracts parallel children once, so self time never goes negative', () => {
    const root = buildTraceFlame([span('1', undefined, 0, 100), span('2', '1', 0, 80), span('3', '1', 10, 80)]);
    expect(root.self).toBe(10);
  });

  it('counts a child that outlives its parent only while the parent runs (clock skew)', () => {
    const root = buildTraceFlame([span('1', undefined, 0, 50), span('2', '1', 30, 100)]);
    expect(root.self).toBe(30);
    expect(root.children[0]!.total).toBe(100);
  });

  it('hangs orphans and extra roots under a synthetic root spanning the whole trace', () => {
    const root = buildTraceFlame([span('1', undefined, 0, 50), span('2', 'ffff', 100, 20), span('3', '2', 105, 5)]);
    expect(root.name).toBe(SYNTHETIC_ROOT_NAME);
    expect(root.synthetic).toBe(true);
    expect(root.total).toBe(120);
    expect(root.self).toBe(50); // the gap from 50 to 100
    expect(root.children.map((c) => c.name)).toEqual(['op-1', 'op-2']);
    expect(find(root, 'op-3')!.total).toBe(5);
  });

  it('uses a synthetic root when the only top span is an orphan, so the missing parent shows', () => {
    const root = buildTraceFlame([span('2', 'ffff', 0, 20)]);
    expect(root.synthetic).toBe(true);
    expect(root.children[0]!.name).toBe('op-2');
  });

  it('marks error spans and clamps negative durations to zero', () => {
    const root = buildTraceFlame([
      span('1', undefined, 0, 10, { status: { code: 'error' } }),
      span('2', '1', 2, -5),
    ]);
    expect(root.error).toBe(true);
    expect(root.children[0]!.total).toBe(0);
    expect(root.self).toBe(10);
  });

  it('keeps the first span of a duplicated id and breaks parent cycles', () => {
    const a = span('a', 'b', 0, 10);
    const b = span('b', 'a', 1, 5);
    const root = buildTraceFlame([a, b, span('a', undefined, 50, 1)]);
    let count = 0;
    const walk = (n: FlameNode): void => { if (!n.synthetic) count++; n.children.forEach(walk); };
    walk(root);
    expect(count).toBe(2);
    expect(find(root, 'op-a')!.total).toBe(10);
  });

  it('returns an empty synthetic root for no spans', () => {
    expect(buildTraceFlame([])).toMatchObject({ synthetic: true, total: 0, children: [] });
  });

  it('handles a chain 20,000 spans deep without recursion', () => {
    const spans = [span('1', undefined, 0, 20_000)];
    for (let i = 2; i <= 20_000; i++) spans.push(span(String(i), String(i - 1), i, 20_000 - i));
    let n = buildTraceFlame(spans);
    let depth = 1;
    while (n.children.length > 0) { n = n.children[0]!; depth++; }
    expect(depth).toBe(20_000);
  });
});
