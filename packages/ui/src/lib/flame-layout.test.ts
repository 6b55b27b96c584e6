import { describe, expect, it } from 'vitest';
import { flameNodeMatches, flameTooltip, hitTest, layoutFlame, pathOf, unflattenFlame, withoutIdle, type FlameLike } from './flame-layout.js';

const n = (name: string, total: number, children: FlameLike[] = [], extra: Partial<FlameLike> = {}): FlameLike => {
  const covered = children.reduce((a, c) => a + c.total, 0);
  return { name, service: 'svc', total, self: Math.max(0, total - covered), children, ...extra };
};
// root 100: a 60 (a1 30, a2 20), b 40
const tree = n('root', 100, [n('a', 60, [n('a1', 30), n('a2', 20)]), n('b', 40)]);
const geo = (l: ReturnType<typeof layoutFlame>) => l.rects.map((r) => [r.node.name, r.depth, +r.x.toFixed(3), +r.w.toFixed(3)]);

describe('layoutFlame', () => {
  it('packs children left to right, each as wide as its share of time', () => {
    const l = layoutFlame(tree, []);
    expect(geo(l).sort()).toEqual([
      ['a', 1, 0, 0.6], ['a1', 2, 0, 0.3], ['a2', 2, 0.3, 0.2], ['b', 1, 0.6, 0.4], ['root', 0, 0, 1],
    ]);
    expect(l.rows.map((r) => r.length)).toEqual([1, 2, 2]);
    expect(l.focus.name).toBe('root');
  });

  it('zooms: the focused node fills the width and its ancestors stay above it', () => {
    const l = layoutFlame(tree, [0]);
    expect(geo(l).sort()).toEqual([['a', 1, 0, 1], ['a1', 2, 0, 0.5], ['a2', 2, 0.5, 0.333], ['root', 0, 0, 1]]);
    expect(l.rects.find((r) => r.node.name === 'root')!.ancestor).toBe(true);
    expect(l.path).toEqual([0]);
  });

  it('scales parallel children that add up to more than their parent so they fit inside it', () => {
    const l = layoutFlame(n('root', 100, [n('x', 80), n('y', 80)]), []);
    const kids = l.rects.filter((r) => r.depth === 1);
    expect(kids.map((r) => r.w)).toEqual([0.5, 0.5]);
    expect(kids[1]!.x + kids[1]!.w).toBeCloseTo(1);
  });

  it('leaves out nodes narrower than minWidth, with their subtree', () => {
    const l = layoutFlame(n('root', 1000, [n('big', 999), n('tiny', 1, [n('under', 1)])]), [], 0.005);
    expect(l.rects.map((r) => r.node.name)).toEqual(['root', 'big']);
  });

  it('shows a run of nodes too small to draw as one group, which zooms to their parent', () => {
    const many = Array.from({ length: 1000 }, (_, i) => n(`q${i}`, 0.5));
    const l = layoutFlame(n('root', 1000, [n('handler', 600, many)]), [], 0.001);
    const group = l.rects.find((r) => r.node.synthetic)!;
    expect(group.node).toMatchObject({ name: '1000 more', total: 500 });
    expect(group.w).toBeCloseTo(0.5);
    expect(group.depth).toBe(2);
    expect(pathOf(l, l.rects.indexOf(group))).toEqual([0]);
  });

  it('cuts a stale zoom path where it stops matching the tree', () => {
    expect(layoutFlame(tree, [0, 7, 1]).path).toEqual([0]);
  });

  it('handles a tree 10,000 levels deep without recursion', () => {
    let deep = n('leaf', 1);
    for (let i = 0; i < 10_000; i++) deep = n(`l${i}`, 1, [deep]);
    expect(layoutFlame(deep, []).rows).toHaveLength(10_001);
  });
});

describe('hitTest and pathOf', () => {
  it('finds the rectangle under the pointer and the zoom path that focuses it', () => {
    const l = layoutFlame(tree, []);
    const a2 = hitTest(l, 0.45, 2);
    expect(l.rects[a2]!.node.name).toBe('a2');
    expect(pathOf(l, a2)).toEqual([0, 1]);
    expect(hitTest(l, 0.95, 2)).toBe(-1); // under b there is nothing at depth 2
    expect(hitTest(l, 0.5, 9)).toBe(-1);
  });

  it('zooms out when an ancestor is clicked, and stays when the focus is', () => {
    const l = layoutFlame(tree, [0, 1]);
    const root = hitTest(l, 0.9, 0);
    const a = hitTest(l, 0.9, 1);
    const a2 = hitTest(l, 0.9, 2);
    expect([pathOf(l, root), pathOf(l, a), pathOf(l, a2)]).toEqual([[], [0], [0, 1]]);
  });
});

describe('flameNodeMatches and flameTooltip', () => {
  it('matches name, service and source, case-insensitively; blank matches nothing', () => {
    const node = n('SELECT orders', 1, [], { service: 'inventory', source: '/app/db.js:3:1' });
    expect(['select', 'INVENT', 'db.js'].map((q) => flameNodeMatches(node, q))).toEqual([true, true, true]);
    expect(flameNodeMatches(node, '  ')).toBe(false);
  });

  it('describes span nodes and merged nodes', () => {
    const fmt = (ms: number) => `${ms}ms`;
    expect(flameTooltip(n('a', 50, [], { error: true }), 200, fmt, 20)).toEqual([
      'a', 'service: svc', 'total: 50ms (25.0 %)', 'self: 50ms', 'on the critical path: 20ms', 'error',
    ]);
    expect(flameTooltip(n('q', 90, [], { count: 9, traces: 3, mean: 10, p95: 30 }), 90, fmt)).toEqual([
      'q', 'service: svc', 'count: 9 in 3 traces', 'total: 90ms (100.0 %), self: 90ms', 'mean: 10ms, p95: 30ms',
    ]);
  });
});

describe('unflattenFlame', () => {
  it('rebuilds the tree from the depth-first list the API sends', () => {
    const root = unflattenFlame([
      { name: 'r', service: 's', total: 3, self: 1, parent: -1 },
      { name: 'a', service: 's', total: 1, self: 1, parent: 0 },
      { name: 'b', service: 's', total: 1, self: 0, parent: 0 },
      { name: 'b1', service: 's', total: 1, self: 1, parent: 2 },
    ])!;
    expect(root.children.map((c) => c.name)).toEqual(['a', 'b']);
    expect(root.children[1]!.children[0]!.name).toBe('b1');
    expect(unflattenFlame([])).toBeUndefined();
  });
  it('refuses a parent index that does not come first', () => {
    expect(() => unflattenFlame([{ name: 'r', service: '', total: 1, self: 1, parent: -1 }, { name: 'x', service: '', total: 1, self: 1, parent: 1 }])).toThrow(/parent 1/);
  });
});

describe('withoutIdle', () => {
  it('drops (idle) below (root) and takes its time out of the totals above it', () => {
    const profile = n('(root)', 100, [n('(idle)', 96), n('handler', 3, [n('JSON.stringify', 2)]), n('(program)', 1)]);
    const { root, idle } = withoutIdle(profile);
    expect(idle).toBe(96);
    expect(root.total).toBe(4);
    expect(root.children.map((c) => c.name)).toEqual(['handler', '(program)']);
    expect(profile.total).toBe(100); // the input is left as it was
  });
  it('looks through a synthetic root that wraps (root)', () => {
    const wrapped = n('all', 50, [n('(root)', 50, [n('(idle)', 40), n('work', 10)])], { synthetic: true });
    const { root, idle } = withoutIdle(wrapped);
    expect([idle, root.total, root.children[0]!.total]).toEqual([40, 10, 10]);
  });
  it('returns the same tree when nothing idles', () => {
    expect(withoutIdle(tree)).toEqual({ root: tree, idle: 0 });
    expect(withoutIdle(tree).root).toBe(tree);
  });
});
