import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { SpanStore } from './span-store.js';
import { ids, span, tid } from './spans.test-helper.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1, 13, 0);

/** A one-span request trace: a server root with a route, at `start`. */
function request(n: number, over: Partial<SpanRecord> = {}, attrs: SpanRecord['attributes'] = {}): SpanRecord {
  return span(tid(n), { kind: 'server', name: 'GET /r', startTime: T0 + n, duration: 5, attributes: { 'http.route': '/r', ...attrs }, ...over });
}
const error = (n: number, over: Partial<SpanRecord> = {}): SpanRecord => request(n, { status: { code: 'error' }, ...over });
const slow = (n: number): SpanRecord => request(n, { duration: 2000 });
const held = (store: SpanStore) => Object.fromEntries(Object.entries(store.stats().retention).map(([c, s]) => [c, s.traces]));

describe('SpanStore retention classes', () => {
  it('classes each trace by the one rule: error span, slow, exemplar of its route, sampler reason, pin, link', () => {
    const store = new SpanStore({ exemplarsPerMinute: 2 });
    store.add(request(1));
    store.add(request(2));
    store.add(request(3)); // third of /r in its minute: normal
    store.add(request(4, {}, { 'http.route': '/other' }));
    store.add(error(5));
    store.add(slow(6));
    store.add(request(7));
    store.setTraceMeta(tid(7), { reason: 'slow' });
    store.add(request(8));
    store.setTraceMeta(tid(8), { pinned: true });
    store.add(request(9));
    store.setTraceMeta(tid(9), { linked: true });
    expect(held(store)).toEqual({ normal: 1, exemplar: 3, slow: 2, error: 1, linked: 1, pinned: 1 });
    // A later error span moves a trace into `error`.
    store.add(span(tid(3), { status: { code: 'error' }, parentSpanId: 'ffffffffffffffff' }));
    expect(held(store)).toMatchObject({ normal: 0, error: 2 });
    expect(store.stats().retention.error.spans).toBe(3);
  });

  it('thins normal traces first, then exemplars, then slow and errors (oldest first), then linked, then pinned', () => {
    const store = new SpanStore({ maxSpans: 6, exemplarsPerMinute: 1 });
    store.add(request(1)); // exemplar
    store.add(error(2));
    store.add(slow(3));
    store.add(request(4));
    store.setTraceMeta(tid(4), { pinned: true });
    store.add(request(5));
    store.setTraceMeta(tid(5), { linked: true });
    store.add(request(6)); // normal (the minute's exemplar is taken)
    const order: string[] = [];
    store.onEvict = (traceId) => order.push(traceId);
    // Later normal traces: each takes the place of the least kept one.
    for (let n = 10; n < 16; n++) store.add(request(n, { startTime: T0 + n }));
    expect(order).toEqual([tid(6), tid(10), tid(11), tid(12), tid(13), tid(14)]);
    // Six protected traces and one normal: a flood of normal traces only replaces the newest normal one.
    order.length = 0;
    for (let n = 20; n < 30; n++) store.add(request(n));
    expect(order[0]).toBe(tid(15));
    expect(ids(store.query()).sort()).toEqual([tid(1), tid(2), tid(3), tid(4), tid(5), tid(29)].sort());

    // Then an error flood: normal, then the exemplar, then errors and slow oldest first, never linked or pinned.
    order.length = 0;
    for (let n = 40; n < 44; n++) store.add(error(n));
    expect(order).toEqual([tid(29), tid(1), tid(2), tid(3)]);
    expect(store.stats().retention).toMatchObject({
      normal: { traces: 0, evicted: 17 },
      exemplar: { traces: 0, evicted: 1 },
      slow: { traces: 0, evicted: 1 },
      error: { traces: 4, evicted: 1 },
      linked: { traces: 1, evicted: 0 },
      pinned: { traces: 1, evicted: 0 },
    });
  });

  it('keeps errors, slow, linked and pinned traces through a flood of 20,000 normal ones, within the budgets', () => {
    const maxBytes = 2 * 1024 * 1024;
    const store = new SpanStore({ maxSpans: 2000, maxBytes, exemplarsPerMinute: 0 });
    const protectedIds: string[] = [];
    for (let n = 1; n <= 300; n++) {
      const s = n % 3 === 0 ? error(n) : n % 3 === 1 ? slow(n) : request(n);
      store.add(s);
      // The rest: linked (even) or pinned (odd), 50 each.
      if (n % 3 === 2) store.setTraceMeta(tid(n), n % 2 === 0 ? { linked: true } : { pinned: true });
      protectedIds.push(tid(n));
    }
    let maxRefs = 0;
    for (let n = 1000; n < 21_000; n++) {
      // Ten spans per normal trace: a child then its root.
      for (let k = 0; k < 9; k++) store.add(span(tid(n), { parentSpanId: 'aaaaaaaaaaaaaaaa', startTime: T0 + n * 10, duration: 1 }));
      store.add(request(n, { startTime: T0 + n * 10 }));
      const st = store.stats();
      if (st.spans > 2000 || st.bytes > maxBytes) throw new Error(`over budget at ${n}: ${st.spans} spans, ${st.bytes} bytes`);
      maxRefs = Math.max(maxRefs, store.references);
    }
    for (const id of protectedIds) expect(store.has(id)).toBe(true);
    const st = store.stats();
    expect(st.retention.normal.evicted).toBeGreaterThan(19_000);
    expect(st.retention.error.evicted + st.retention.slow.evicted + st.retention.linked.evicted + st.retention.pinned.evicted).toBe(0);
    // The order and the class queues stay bounded by the traces held (tombstones and stale references included).
    expect(maxRefs).toBeLessThan(4 * st.traces + 1000);
    // A trace that changes class back and forth takes back its places: no queue grows.
    const before = store.references;
    for (let i = 0; i < 10_000; i++) store.setTraceMeta(tid(20_999), { pinned: i % 2 === 0 });
    expect(store.references).toBeLessThanOrEqual(before + 1);
  });

  it('evicts protected traces oldest first once nothing else is left: the budget stays hard', () => {
    const store = new SpanStore({ maxSpans: 3 });
    for (let n = 1; n <= 3; n++) store.add(error(n));
    store.add(error(4));
    store.add(slow(5));
    expect(ids(store.query())).toEqual([tid(5), tid(4), tid(3)]);
    expect(store.stats()).toMatchObject({ spans: 3, evictedTraces: 2 });
    // Linked ones go only when no error or slow trace is left.
    store.setTraceMeta(tid(3), { linked: true });
    store.add(error(6));
    store.add(error(7));
    expect(ids(store.query())).toEqual([tid(7), tid(6), tid(3)]);
  });

  it('bounds links: past maxLinked the oldest link is dropped and that trace falls back to its class', () => {
    const store = new SpanStore({ maxLinked: 2 });
    for (let n = 1; n <= 3; n++) store.add(error(n));
    expect(store.link([tid(1), tid(2), tid(3), tid(99)])).toBe(3);
    expect(store.stats()).toMatchObject({ linked: 2, retention: { linked: { traces: 2 }, error: { traces: 1 } } });
    expect(store.getSummary(tid(1))).toBeDefined();
  });

  it('links a trace whose id was linked before its first span arrived (a snapshot of a running request)', () => {
    const store = new SpanStore({ maxSpans: 2 });
    expect(store.link([tid(7)])).toBe(0);
    store.add(request(7));
    expect(store.stats()).toMatchObject({ linked: 1, retention: { linked: { traces: 1 } } });
    store.add(request(8));
    store.add(request(9));
    expect(store.has(tid(7))).toBe(true);
  });

  it('says how far back each class reaches', () => {
    const store = new SpanStore({ maxSpans: 4, exemplarsPerMinute: 0 });
    store.add(error(1, { startTime: T0 + 2 * MIN }));
    for (let n = 2; n <= 8; n++) store.add(request(n, { startTime: T0 + (40 + n) * MIN }));
    const r = store.stats().retention;
    expect(r.error.oldestStartAt).toBe(T0 + 2 * MIN);
    expect(r.normal.oldestStartAt).toBe(T0 + 46 * MIN); // 2..5 were thinned
    expect(r.pinned).toEqual({ traces: 0, spans: 0, evicted: 0 });
  });

  it('counts exemplars per route per minute of their start', () => {
    const store = new SpanStore({ exemplarsPerMinute: 1 });
    store.add(request(1, { startTime: T0 }));
    store.add(request(2, { startTime: T0 + 1000 }));
    store.add(request(3, { startTime: T0 + MIN }));
    store.add(request(4, { startTime: T0 + MIN + 1 }, { 'http.route': '/b' }));
    expect(held(store)).toMatchObject({ exemplar: 3, normal: 1 });
    store.clear();
    expect(held(store)).toMatchObject({ exemplar: 0, normal: 0 });
  });

  it('lists traces newest first across pages while eviction takes them from the middle', () => {
    const store = new SpanStore({ maxSpans: 5, exemplarsPerMinute: 0 });
    store.add(error(1));
    store.add(request(2));
    store.add(error(3));
    store.add(request(4));
    store.add(error(5));
    store.add(request(6)); // evicts 2
    store.add(request(7)); // evicts 4
    const first = store.query({ limit: 3 });
    expect(ids(first)).toEqual([tid(7), tid(6), tid(5)]);
    expect(ids(store.query({ limit: 3, cursor: first.nextCursor! }))).toEqual([tid(3), tid(1)]);
    expect(ids(store.query({ text: 'GET' }))).toEqual([tid(7), tid(6), tid(5), tid(3), tid(1)]);
  });
});
