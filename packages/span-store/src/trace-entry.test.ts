import type { SpanRecord } from '@debugpanel/model';
import { isErrorSpan } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { Interner, storeSpan } from './compact.js';
import { SpanSlab } from './slab.js';
import { span, tid } from './spans.test-helper.js';
import { TraceEntry, summarize, traceBytes } from './trace-entry.js';

function entryOf(spans: SpanRecord[], slab = new SpanSlab()): TraceEntry {
  const interner = new Interner();
  const put = (s: SpanRecord): [number, number] => {
    const slot = slab.alloc();
    return [slot, storeSpan(slab, slot, s, interner, isErrorSpan(s))];
  };
  const [first, bytes] = put(spans[0]!);
  const e = new TraceEntry(7, slab, spans[0]!.traceId, first, bytes);
  for (const s of spans.slice(1)) e.append(...put(s));
  return e;
}

describe('TraceEntry', () => {
  it('holds one span as a slot of the slab, its times read from there', () => {
    const root = span(tid(1), { kind: 'server', startTime: 5, duration: 3 });
    const slab = new SpanSlab();
    const e = entryOf([root], slab);
    expect(e.head).toBe(e.tail);
    expect(e.spans()).toEqual([root]);
    expect([e.startTime, e.endTime, e.count]).toEqual([5, 8, 1]);
    expect(e.bytes).toBe(traceBytes(tid(1)) + slab.bytes(e.head));
  });

  it('chains later spans in arrival order and widens its time range', () => {
    const root = span(tid(2), { startTime: 10, duration: 5 });
    const spans = [root, ...Array.from({ length: 9 }, (_, i) => span(tid(2), { startTime: 20 + i, duration: 1, parentSpanId: root.spanId }))];
    const e = entryOf(spans);
    expect(e.count).toBe(10);
    expect(e.spans()).toEqual(spans);
    expect(e.slots()).toHaveLength(10);
    expect([e.startTime, e.endTime]).toEqual([10, 29]);
    expect(e.sorted).toBe(true);
  });

  it('takes the parent of its current root as root until a parentless span arrives', () => {
    const parent = span(tid(3), { startTime: 5, duration: 20, parentSpanId: 'ab'.repeat(8), name: 'server' });
    const child = span(tid(3), { startTime: 6, duration: 2, parentSpanId: parent.spanId, name: 'child' });
    const e = entryOf([child, parent]);
    expect(summarize(e).rootName).toBe('server');
    expect(e.hasParentlessRoot).toBe(false);
  });

  it('sorts out-of-order spans by start time and asks for the filter to be redone', () => {
    const a = span(tid(3), { startTime: 30 });
    const b = span(tid(3), { startTime: 10 });
    const e = entryOf([a, b]);
    e.filtered = 1;
    expect(e.sorted).toBe(false);
    e.sortSpans();
    expect(e.spans()).toEqual([b, a]);
    expect(e.filtered).toBe(0);
    expect(e.sorted).toBe(true);
  });

  it('knows its services and answers someSlot over every span', () => {
    const e = entryOf([span(tid(4), { service: 'a' }), span(tid(4), { service: 'b', name: 'x' })]);
    e.moreServices = ['b'];
    expect(e.hasService('b')).toBe(true);
    expect(e.hasService('c')).toBe(false);
    expect(e.services()).toEqual(['a', 'b']);
    expect(e.someSlot((slab, s) => slab.name(s) === 'x')).toBe(true);
    expect(e.someSlot((slab, s) => slab.name(s) === 'y')).toBe(false);
  });

  it('summarizes from its root: route, status, reason and pin (a pinned trace says it is kept because pinned)', () => {
    const root = span(tid(5), { kind: 'server', name: 'GET /r', startTime: 1, duration: 4, attributes: { 'http.route': '/r', 'http.response.status_code': 503 } });
    const e = entryOf([root]);
    e.reason = 'error';
    e.pinned = true;
    expect(summarize(e)).toEqual({
      traceId: tid(5), rootName: 'GET /r', rootService: 'api', services: ['api'], startTime: 1, duration: 4,
      spanCount: 1, errorCount: 1, route: '/r', httpStatus: 503, reason: 'pinned', pinned: true,
    });
    e.pinned = false;
    expect(summarize(e).reason).toBe('error');
  });

  it('frees its slots on release, for the next spans to reuse', () => {
    const slab = new SpanSlab();
    const e = entryOf([span(tid(6)), span(tid(6)), span(tid(6))], slab);
    const slots = e.slots().sort();
    e.release();
    expect([e.head, e.traceId]).toEqual([-1, '']);
    expect([slab.alloc(), slab.alloc(), slab.alloc()].sort()).toEqual(slots);
    expect(slab.capacity).toBe(1024);
  });
});
