import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { spanTree } from './span-tree.js';

const span = (id: string, parent: string | undefined, start: number): SpanRecord => ({
  traceId: 'a'.repeat(32), spanId: id, parentSpanId: parent, name: id, kind: 'internal', service: 's',
  startTime: start, duration: 1, status: { code: 'unset' }, attributes: {}, events: [],
});
const kidsOf = (t: ReturnType<typeof spanTree>, id: string) => {
  const i = t.spans.findIndex((s) => s.spanId === id);
  return Array.from(t.kids.subarray(t.first[i]!, t.first[i + 1]!), (k) => t.spans[k]!.spanId);
};

describe('spanTree', () => {
  it('lists children in order of start and roots (true and orphan) in order of start', () => {
    const t = spanTree([span('c2', 'r', 5), span('r', undefined, 0), span('c1', 'r', 1), span('o', 'gone', -1)]);
    expect(kidsOf(t, 'r')).toEqual(['c1', 'c2']);
    expect(t.roots.map((i) => t.spans[i]!.spanId)).toEqual(['o', 'r']);
  });

  it('keeps the first span of a duplicated id', () => {
    const t = spanTree([span('a', undefined, 0), span('a', undefined, 9)]);
    expect(t.spans).toHaveLength(1);
    expect(t.spans[0]!.startTime).toBe(0);
  });

  it('treats a span that names itself as parent as a root', () => {
    const t = spanTree([span('a', 'a', 0)]);
    expect(t.roots).toEqual([0]);
  });

  it('cuts a parent cycle once so that every span is reachable, with or without other roots', () => {
    for (const extra of [[], [span('r', undefined, 0)]]) {
      const t = spanTree([span('a', 'c', 1), span('b', 'a', 2), span('c', 'b', 3), ...extra]);
      const reach = new Set<number>();
      const stack = [...t.roots];
      while (stack.length) {
        const i = stack.pop()!;
        reach.add(i);
        for (let k = t.first[i]!; k < t.first[i + 1]!; k++) stack.push(t.kids[k]!);
      }
      expect(reach.size).toBe(t.spans.length);
      expect(t.roots.map((i) => t.spans[i]!.spanId)).toContain('a');
      expect(kidsOf(t, 'c')).toEqual([]); // the edge c -> a was the one cut
    }
  });
});
