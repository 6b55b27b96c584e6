import { describe, expect, it } from 'vitest';
import { FOLD_MIN, buildSpanTree } from './tree.js';
import { sid, span } from './test-spans.js';

describe('buildSpanTree', () => {
  it('nests children under parents, ordered by start, with depths and descendant counts', () => {
    const t = buildSpanTree([span('3', '1', 20, 5), span('1', undefined, 0, 100), span('2', '1', 10, 5), span('4', '2', 11, 1)]);
    expect(t.roots.map((n) => n.span.spanId)).toEqual([sid('1')]);
    expect(t.order.map((n) => [n.span.spanId, n.depth])).toEqual([
      [sid('1'), 0],
      [sid('2'), 1],
      [sid('4'), 2],
      [sid('3'), 1],
    ]);
    expect(t.byId.get(sid('1'))!.descendants).toBe(3);
    expect(t.start).toBe(1000);
    expect(t.end).toBe(1100);
  });
  it('makes spans with a missing parent roots (orphans)', () => {
    const t = buildSpanTree([span('1', undefined, 0, 10), span('2', '9', 5, 1)]);
    expect(t.roots.map((n) => n.span.spanId)).toEqual([sid('1'), sid('2')]);
  });
  it('breaks parent cycles instead of looping or losing spans', () => {
    const t = buildSpanTree([span('1', '2', 0, 10), span('2', '1', 1, 5)]);
    expect(t.order).toHaveLength(2);
    expect(t.roots).toHaveLength(1);
  });
  it('handles a 10,000-deep chain without recursion', () => {
    const spans = Array.from({ length: 10_000 }, (_, i) => span(String(i + 1), i === 0 ? undefined : String(i), i, 10_000 - i));
    const t = buildSpanTree(spans);
    expect(t.order[9999]!.depth).toBe(9999);
    expect(t.roots[0]!.descendants).toBe(9999);
  });
  it('keeps the given order of siblings that start in the same millisecond', () => {
    const kids = ['9', '3', '7', '5'].map((id) => span(id, '1', 1, 1));
    const t = buildSpanTree([span('1', undefined, 0, 10), ...kids]);
    expect(t.roots[0]!.children.map((n) => n.span.spanId)).toEqual(kids.map((k) => k.spanId));
  });
  it('keeps the first of duplicate span ids', () => {
    const t = buildSpanTree([span('1', undefined, 0, 10), span('1', undefined, 5, 10, { name: 'dup' })]);
    expect(t.order).toHaveLength(1);
    expect(t.order[0]!.span.name).toBe('op-1');
  });
  it('returns an empty tree for no spans', () => {
    const t = buildSpanTree([]);
    expect(t.order).toEqual([]);
    expect([t.start, t.end]).toEqual([0, 0]);
  });
});

describe('groupChildren (folding of repeated siblings)', () => {
  const kids = (names: string[]) => [span('1', undefined, 0, 100), ...names.map((n, i) => span(String(i + 2), '1', i, 1, { name: n }))];
  it(`folds a run of ${FOLD_MIN} or more consecutive same-name siblings`, () => {
    const t = buildSpanTree(kids(['auth', ...Array(200).fill('SELECT orders'), 'render']));
    const groups = t.roots[0]!.groups;
    expect(groups.map((g) => g.nodes.length)).toEqual([1, 200, 1]);
    expect(groups[1]!.nodes.every((n) => n.foldKey === groups[1]!.key)).toBe(true);
  });
  it(`does not fold runs shorter than ${FOLD_MIN}`, () => {
    const t = buildSpanTree(kids(Array(FOLD_MIN - 1).fill('q')));
    expect(t.roots[0]!.groups.every((g) => g.nodes.length === 1)).toBe(true);
  });
  it('does not fold same names that are not consecutive or differ in service', () => {
    const names = ['q', 'x', 'q', 'x', 'q', 'x', 'q', 'x'];
    expect(buildSpanTree(kids(names)).roots[0]!.groups).toHaveLength(8);
    const spans = kids(Array(10).fill('q'));
    spans[5] = { ...spans[5]!, service: 'other' }; // spans[0] is the parent: this is the 5th child
    expect(buildSpanTree(spans).roots[0]!.groups.map((g) => g.nodes.length)).toEqual([4, 1, 5]);
  });
});
