import { RingBuffer } from '@debugpanel/model';
import { isErrorSpan } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { span, tid } from './spans.test-helper.js';
import { FILTER_BYTES, makeNeedle, NAME_SEP } from '@debugpanel/model';
import { storeSpan } from './compact.js';
import { SpanSlab } from './slab.js';
import { TraceEntry, traceBytes } from './trace-entry.js';
import { TraceFilters } from './trace-filters.js';
import type { SpanRecord } from '@debugpanel/model';

const slab = new SpanSlab();
function put(s: SpanRecord): number {
  const slot = slab.alloc();
  storeSpan(slab, slot, s, undefined, isErrorSpan(s));
  return slot;
}

describe('TraceFilters', () => {
  it('gives each trace one filter (its bytes counted once) and hashes only the spans added since', () => {
    const order = new RingBuffer<TraceEntry>(4);
    const e = new TraceEntry(0, slab, tid(1), put(span(tid(1), { name: 'alpha' })), 0);
    order.push(e);
    const f = new TraceFilters();
    const first = f.update(order);
    expect(first.added).toBe(FILTER_BYTES);
    expect(e.bytes).toBe(FILTER_BYTES + traceBytes(tid(1)));
    expect(f.bySlot[e.slot]).toBe(e);
    expect(first.filters.mayContain(e.slot, makeNeedle('alpha', NAME_SEP)!)).toBe(true);
    expect(first.filters.mayContain(e.slot, makeNeedle('omega', NAME_SEP)!)).toBe(false);

    // Not stale: nothing is hashed again.
    expect(f.update(order).added).toBe(0);
    e.append(put(span(tid(1), { name: 'omega' })), 0);
    f.stale = true;
    const again = f.update(order);
    expect(again.added).toBe(0);
    expect(e.filtered).toBe(2);
    expect(again.filters.mayContain(e.slot, makeNeedle('omega', NAME_SEP)!)).toBe(true);
  });

  it('frees the slot of an evicted trace, and starts afresh after clear()', () => {
    const e = new TraceEntry(0, slab, tid(2), put(span(tid(2))), 0);
    const f = new TraceFilters();
    const order = new RingBuffer<TraceEntry>(1);
    order.push(e);
    f.update(order);
    expect(f.bySlot[e.slot]).toBe(e);
    f.free(e);
    expect(f.bySlot[e.slot]).toBeUndefined();
    f.clear();
    expect(f.bySlot).toEqual([]);
  });
});
