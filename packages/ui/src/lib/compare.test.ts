import { describe, expect, it } from 'vitest';
import type { CompareNode } from '@debugpanel/model';
import { type DiffFlameNode, diffColor, diffFlame, diffTooltip, presetCohorts, selfChange, topChanges } from './compare.js';
import { compareLink, parseHash } from './route.js';

const node = (path: string, depth: number, over: Partial<CompareNode> = {}): CompareNode => ({
  path, depth, service: 'gateway', operation: path.split('>').pop()!.trim(), status: 'both',
  countA: 1, countB: 1, selfA: 1, selfB: 1, criticalA: 1, criticalB: 1, ...over,
});

// gateway GET /checkout > orders POST /orders > (sqlite INSERT, inventory GET /stock); B got a slow stock call and lost a cache read
const NODES: CompareNode[] = [
  node('GET /checkout', 0, { selfA: 2, selfB: 2 }),
  node('GET /checkout > POST /orders', 1, { service: 'orders', selfA: 3, selfB: 3 }),
  node('GET /checkout > POST /orders > GET /stock', 2, { service: 'inventory', selfA: 10, selfB: 210, criticalA: 10, criticalB: 210 }),
  node('GET /checkout > POST /orders > INSERT', 2, { service: 'orders', selfA: 1, selfB: 1 }),
  node('GET /checkout > cache get', 1, { status: 'removed', selfA: 4, selfB: 0, countB: 0, criticalA: 4, criticalB: 0 }),
];

describe('diffFlame', () => {
  it('rebuilds the aligned tree and sums each cohort per subtree, as wide as the larger one', () => {
    const root = diffFlame(NODES)!;
    expect(root.name).toBe('GET /checkout');
    expect(root.children.map((c) => c.name)).toEqual(['POST /orders', 'cache get']);
    expect(root.diff.totalA).toBe(2 + 3 + 10 + 1 + 4);
    expect(root.diff.totalB).toBe(2 + 3 + 210 + 1 + 0);
    expect(root.total).toBe(216);
    const orders = root.children[0]!;
    expect([orders.diff.totalA, orders.diff.totalB, orders.total]).toEqual([14, 214, 214]);
    // a removed subtree keeps its A width, so it shows
    expect(root.children[1]!.total).toBe(4);
    // each node is as wide as its larger cohort, so children may add up to more than the parent
    // (214 + 4 > 216): self is then 0 and the layout scales the children into the parent
    expect(root.self).toBe(0);
  });

  it('puts several top-level nodes under a synthetic root, and refuses a node that skips a level', () => {
    const two = diffFlame([node('a', 0, { selfA: 1, selfB: 2 }), node('b', 0, { selfA: 5, selfB: 1 })])!;
    expect(two.synthetic).toBe(true);
    expect(two.children.map((c) => c.name)).toEqual(['a', 'b']);
    expect([two.diff.totalA, two.diff.totalB]).toEqual([6, 3]);
    expect(diffFlame([])).toBeUndefined();
    expect(() => diffFlame([node('a', 0), node('a > b > c', 2)])).toThrow(/depth 2/);
  });
});

describe('diff colours and text', () => {
  const d = (over: Partial<DiffFlameNode['diff']> = {}): DiffFlameNode['diff'] => ({
    status: 'both' as const, countA: 1, countB: 1, selfA: 10, selfB: 10, totalA: 10, totalB: 10, criticalA: 10, criticalB: 10, ...over,
  });
  it('is red for slower or added, blue for faster or removed, grey for noise', () => {
    expect(diffColor(d({ status: 'added' }))).toBe('rgb(217, 45, 32)');
    expect(diffColor(d({ status: 'removed' }))).toBe('rgb(46, 120, 210)');
    expect(diffColor(d({ selfB: 10.2 }))).toBe('rgb(160, 160, 160)');
    expect(diffColor(d({ selfA: 0.01, selfB: 0.04 }))).toBe('rgb(160, 160, 160)');
    // all of B's time is new: the full red; half of it: a lighter red
    expect(diffColor(d({ selfA: 0, selfB: 10 }))).toBe('rgb(217, 45, 32)');
    const half = diffColor(d({ selfA: 5, selfB: 10 }));
    expect(half).toMatch(/^rgb\(216, 130, 124\)$/);
    expect(diffColor(d({ selfA: 10, selfB: 0 }))).toBe('rgb(46, 120, 210)');
    expect(selfChange(d({ selfA: 10, selfB: 5 }))).toEqual({ ms: -5, relative: -0.5 });
  });
  it('says what changed in the tooltip', () => {
    const root = diffFlame(NODES)!;
    const stock = root.children[0]!.children[0]!;
    expect(diffTooltip(stock, (ms) => `${ms} ms`)).toEqual([
      'GET /stock',
      'service: inventory',
      'self per trace: A 10 ms → B 210 ms (+200 ms, +95%)',
      'with children: A 10 ms → B 210 ms',
      'on the critical path: A 10 ms → B 210 ms',
      'spans per trace: A 1 → B 1',
    ]);
    expect(diffTooltip(root.children[1]!, (ms) => `${ms} ms`)[2]).toBe('only in A (removed)');
  });
  it('lists the largest critical-path changes first', () => {
    expect(topChanges(NODES, 2).map((n) => n.operation)).toEqual(['GET /stock', 'cache get']);
  });
});

describe('cohorts and links', () => {
  it('links to a comparison of trace ids or queries, and the link parses back', () => {
    const link = compareLink(['a'.repeat(32), 'b'.repeat(32)], 'route=/checkout&status=error');
    const r = parseHash(link);
    expect(r.view).toBe('compare');
    expect(r.params.get('a')).toBe(`${'a'.repeat(32)},${'b'.repeat(32)}`);
    expect(r.params.get('b')).toBe('route=/checkout&status=error');
  });
  it('makes the presets of a route', () => {
    const scope = { service: 'gateway', route: '/checkout' };
    expect(presetCohorts('errors', scope)).toEqual({ a: 'service=gateway&route=/checkout&status=ok', b: 'service=gateway&route=/checkout&status=error' });
    expect(presetCohorts('slow', { route: '/checkout' }, 300)).toEqual({ a: 'route=/checkout&maxDuration=300', b: 'route=/checkout&minDuration=300' });
    expect(presetCohorts('time', { route: '/x' }, 1700000000000.4)).toEqual({ a: 'route=/x&until=1700000000000', b: 'route=/x&since=1700000000000' });
    expect(presetCohorts('slow', { route: '/x' })).toEqual({ error: 'give a duration in ms to split at' });
    expect(presetCohorts('errors', { route: ' ' })).toEqual({ error: 'pick a route first' });
  });
});
