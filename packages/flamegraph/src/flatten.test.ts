import { describe, expect, it } from 'vitest';
import { flattenFlame } from './flatten.js';
import type { FlameNode } from './types.js';

const n = (name: string, children: FlameNode[] = []): FlameNode => ({ name, service: 's', total: 1, self: 1, children });

describe('flattenFlame', () => {
  it('lists parents before children, children in order, each with its parent index', () => {
    const flat = flattenFlame(n('r', [n('a', [n('a1'), n('a2')]), n('b')]));
    expect(flat.map((f) => [f.name, f.parent])).toEqual([['r', -1], ['a', 0], ['a1', 1], ['a2', 1], ['b', 0]]);
    expect('children' in flat[0]!).toBe(false);
  });

  it('makes a 10,000-deep tree serializable as JSON', () => {
    let deep = n('leaf');
    for (let i = 0; i < 10_000; i++) deep = n(`l${i}`, [deep]);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    const text = JSON.stringify(flattenFlame(deep));
    expect(JSON.parse(text)).toHaveLength(10_001);
  });
});
