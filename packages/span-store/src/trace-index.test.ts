import { describe, expect, it } from 'vitest';
import { storeSpan } from './compact.js';
import { SpanSlab } from './slab.js';
import { span } from './spans.test-helper.js';
import { TraceEntry } from './trace-entry.js';
import { TraceIndex } from './trace-index.js';

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
