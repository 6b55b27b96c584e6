import { describe, expect, it } from 'vitest';
import { storeSpan } from './compact.js';
import { SpanSlab } from './slab.js';
import { span } from './spans.test-helper.js';
import { TraceEntry } from './trace-entry.js';
import { TraceIndex, WordTable } from './trace-index.js';

const slab = new SpanSlab();
function entry(traceId: string): TraceEntry {
  const slot = slab.alloc();
  storeSpan(slab, slot, span(traceId), undefined, false);
  return new TraceEntry(0, slab, traceId, slot, 0);
}

describe('TraceIndex', () => {
  it('finds traces by their id, packed or kept as given, and forgets deleted ones', () => {
    const index = new TraceIndex();
    const hex = '4bf92f3577b34da6a3ce929d0e0e4736';
    const a = entry(hex);
    const odd = entry('not-a-w3c-id');
    index.add(a, hex);
    index.add(odd, 'not-a-w3c-id');
    expect([a.byString, odd.byString]).toEqual([false, true]);
    expect(a.traceId).toBe(hex);
    expect(index.get(hex)).toBe(a);
    expect(index.get(['4bf92f35', '77b34da6', 'a3ce929d', '0e0e4736'].join(''))).toBe(a); // an equal string, not the same
    expect(index.get('not-a-w3c-id')).toBe(odd);
    expect(index.get('4BF92F3577B34DA6A3CE929D0E0E4736')).toBeUndefined(); // upper case is another id
    expect(index.size).toBe(2);
    index.delete(a);
    expect(index.has(hex)).toBe(false);
    index.clear();
    expect([index.size, index.has('not-a-w3c-id')]).toEqual([0, false]);
  });

  it('keeps a trace whose last 32 bits another trace has by its string, and finds both', () => {
    const index = new TraceIndex();
    const one = '00000000000000000000000000000001' ;
    const two = 'ffffffffffffffffffffffff00000001';
    const a = entry(one);
    const b = entry(two);
    index.add(a, one);
    index.add(b, two);
    expect(b.byString).toBe(true);
    expect([index.get(one), index.get(two), index.get(one)]).toEqual([a, b, a]);
    index.delete(a);
    expect([index.get(one), index.get(two)]).toEqual([undefined, b]);
  });
});

describe('WordTable', () => {
  it('agrees with a Map through random adds, replacements and deletes (growing, colliding runs, wrap-around)', () => {
    const table = new WordTable<{ v: number }>();
    const model = new Map<number, { v: number }>();
    let seed = 12345;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) | 0);
    for (let step = 0; step < 60_000; step++) {
      // Few distinct keys in a narrow range (many collisions and long runs), a few at the extremes.
      const r = rand();
      const key = step % 97 === 0 ? (r & 1 ? -2147483648 : 2147483647) : (r >>> 8) % 5000 - 2500;
      if ((r & 3) === 0) {
        expect(table.delete(key)).toBe(model.delete(key));
      } else {
        const v = { v: step };
        table.set(key, v);
        model.set(key, v);
      }
      if (step % 6000 === 0) {
        expect(table.size).toBe(model.size);
        for (let k = -2600; k < 2600; k++) expect(table.get(k)).toBe(model.get(k));
      }
    }
    for (const [k, v] of model) expect(table.get(k)).toBe(v);
    expect(table.size).toBe(model.size);
    for (const k of [...model.keys()]) table.delete(k);
    expect(table.size).toBe(0);
    expect(table.has(0)).toBe(false);
    // Sequential keys (ids a producer counts up) spread over the slots too.
    for (let k = 0; k < 100_000; k++) table.set(k, { v: k });
    expect(table.get(99_999)!.v).toBe(99_999);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(5)).toBeUndefined();
  });
});
