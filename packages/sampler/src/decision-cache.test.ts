import { describe, expect, it } from 'vitest';
import { DecisionCache } from './decision-cache.js';

const KEEP = Object.freeze({ keep: true, reason: 'error' });
const DROP = Object.freeze({ keep: false, reason: 'unsampled' });

describe('DecisionCache', () => {
  it('remembers decisions up to its capacity, forgetting the oldest first and counting them', () => {
    const c = new DecisionCache(2);
    c.set('a', KEEP);
    c.set('b', DROP);
    expect([c.get('a'), c.get('b'), c.size, c.evicted]).toEqual([KEEP, DROP, 2, 0]);
    c.set('c', KEEP);
    expect([c.get('a'), c.get('b'), c.get('c'), c.size, c.evicted]).toEqual([undefined, DROP, KEEP, 2, 1]);
  });

  it('a trace decided again after it was forgotten keeps its new decision', () => {
    const c = new DecisionCache(1);
    c.set('a', KEEP);
    c.set('b', DROP); // forgets a
    c.set('a', DROP); // forgets b
    expect([c.get('a'), c.get('b'), c.evicted]).toEqual([DROP, undefined, 2]);
    c.set('a', KEEP); // its own slot: nothing else is forgotten
    expect([c.get('a'), c.size, c.evicted]).toEqual([KEEP, 1, 2]);
  });

  it('stays at its bound over many decisions', () => {
    const c = new DecisionCache(100);
    for (let i = 0; i < 10_000; i++) c.set(`t${i}`, KEEP);
    expect([c.size, c.evicted, c.get('t9999'), c.get('t9899'), c.get('t9900')]).toEqual([100, 9900, KEEP, undefined, KEEP]);
  });
});
