import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { storeSpan } from './compact.js';
import { SpanSlab } from './slab.js';
import { span, tid } from './spans.test-helper.js';

function stored(s: SpanRecord, slab = new SpanSlab()): { slab: SpanSlab; slot: number } {
  const slot = slab.alloc();
  storeSpan(slab, slot, s, undefined, false);
  return { slab, slot };
}

describe('SpanSlab', () => {
  it('gives back a record equal to the one stored, not the same object', () => {
    const s = span(tid(1), {
      kind: 'server', parentSpanId: '00f067aa0ba902b7', startTime: 1_700_000_000_000.25, duration: 0.125,
      attributes: { 'http.route': '/x', n: 2 }, resource: { 'service.instance.id': 'i-1' },
    });
    const { slab, slot } = stored(s);
    const r = slab.record(slot, s.traceId);
    expect(r).toEqual(s);
    expect(r).not.toBe(s);
    expect(r.attributes).toBe(s.attributes);
    expect(Object.isFrozen(r.status) && Object.isFrozen(r.events)).toBe(true);
  });

  it('keeps what it cannot pack as given: ids not in lower-case hex, status messages, events, links, odd kinds', () => {
    const s = span(tid(2), {
      spanId: 'ABCDEF0123456789', parentSpanId: 'p', kind: 'weird' as never, status: { code: 'error', message: 'boom' },
      events: [{ name: 'e', time: 1, attributes: {} }], links: [{ traceId: tid(3), spanId: '1'.repeat(16) }], resource: { r: 1 },
    });
    const { slab, slot } = stored(s);
    expect(slab.record(slot, s.traceId)).toEqual(s);
    expect([slab.spanId(slot), slab.parentSpanId(slot)]).toEqual(['ABCDEF0123456789', 'p']);
    const plain = span(tid(2), { spanId: 'ffffffff00000000' });
    const p = stored(plain, slab);
    expect(slab.record(p.slot, tid(2))).toEqual(plain);
    expect(slab.parentSpanId(p.slot)).toBeUndefined();
  });

  it('tells a parent by its id, packed or not', () => {
    const slab = new SpanSlab();
    const parent = stored(span(tid(4), { spanId: '0123456789abcdef' }), slab).slot;
    const child = stored(span(tid(4), { parentSpanId: '0123456789abcdef' }), slab).slot;
    const other = stored(span(tid(4), { parentSpanId: '0123456789abcdee' }), slab).slot;
    const oddParent = stored(span(tid(4), { spanId: 'odd' }), slab).slot;
    const oddChild = stored(span(tid(4), { parentSpanId: 'odd' }), slab).slot;
    expect([slab.isParentOf(parent, child), slab.isParentOf(parent, other), slab.isParentOf(child, parent)]).toEqual([true, false, false]);
    expect(slab.isParentOf(oddParent, oddChild)).toBe(true);
  });

  it('reuses freed slots and lets go of what they referenced', () => {
    const slab = new SpanSlab();
    const a = stored(span(tid(5)), slab).slot;
    slab.free(a);
    expect(slab.attributes(a)).toBeUndefined();
    expect(slab.alloc()).toBe(a);
    for (let i = 0; i < 1024; i++) slab.alloc();
    expect(slab.capacity).toBe(2048);
    slab.clear();
    expect(slab.capacity).toBe(0);
  });
});
