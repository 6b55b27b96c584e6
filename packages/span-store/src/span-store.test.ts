import type { SpanRecord, TraceQuery, TraceSummary } from '@debugpanel/model';
import { isErrorSpan } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { storedSpanBytes } from './compact.js';
import { stringBytes } from './estimate.js';
import { SpanStore } from './span-store.js';
import { SERVICES_BYTES, WIDE_BYTES, traceBytes } from './trace-entry.js';
import { ids, sid, span, tid, trace } from './spans.test-helper.js';

describe('SpanStore options', () => {
  it.each([
    [{ maxSpans: 0 }, /maxSpans must be a positive integer, got number 0/],
    [{ maxBytes: -5 }, /maxBytes must be a positive integer/],
    [{ maxSpansPerTrace: 1.5 }, /maxSpansPerTrace must be a positive integer/],
    [{ maxPinned: Number.NaN }, /maxPinned must be a positive integer/],
    [{ maxSpan: 10 }, /unknown option "maxSpan"; did you mean "maxSpans"\?/],
    [{ zzzzzzzz: 10 }, /unknown option "zzzzzzzz"; known options: maxSpans, maxBytes, maxSpansPerTrace, maxPinned/],
  ])('refuses %o with a clear message', (options, message) => {
    expect(() => new SpanStore(options as never)).toThrow(message);
  });

  it('uses the documented defaults', () => {
    const s = new SpanStore().stats();
    expect(s.maxSpans).toBe(100_000);
    expect(s.maxBytes).toBe(64 * 1024 * 1024);
  });
});

describe('SpanStore on an empty store', () => {
  it('answers every read with nothing', () => {
    const store = new SpanStore();
    expect(store.query()).toEqual({ traces: [] });
    expect(store.query({ status: 'error', cursor: 's5' })).toEqual({ traces: [] });
    expect(store.getTrace(tid(1))).toBeUndefined();
    expect(store.getSummary(tid(1))).toBeUndefined();
    expect(store.services()).toEqual([]);
    expect(store.setTraceMeta(tid(1), { pinned: true })).toBe(false);
    expect(store.stats()).toMatchObject({ spans: 0, traces: 0, bytes: 0, evictedTraces: 0, refusedSpans: 0, pinned: 0 });
  });
});

describe('SpanStore.add and getTrace', () => {
  it('groups spans by trace and returns them sorted by startTime whatever the arrival order', () => {
    const store = new SpanStore();
    const [root, a, b] = trace(1, 2);
    expect(store.add(b!)).toBe(true);
    expect(store.add(root!)).toBe(true);
    expect(store.add(a!)).toBe(true);
    store.add(span(tid(2)));
    expect(store.getTrace(tid(1))).toEqual([root, a, b]);
    expect(store.getTrace(tid(2))).toHaveLength(1);
    expect(store.stats()).toMatchObject({ spans: 4, traces: 2 });
  });

  it('hands out records equal to the spans given (copies: it keeps columns, not the objects) in a fresh array', () => {
    const store = new SpanStore();
    const s = span(tid(1), { attributes: { k: 'v' } });
    store.add(s);
    const got = store.getTrace(tid(1))!;
    expect(got[0]).toEqual(s);
    expect(got[0]).not.toBe(s);
    expect(got[0]!.attributes).toBe(s.attributes);
    got.pop();
    expect(store.getTrace(tid(1))).toHaveLength(1);
  });

  it('refuses a value that is not a span with a TypeError', () => {
    const store = new SpanStore();
    expect(() => store.add({ ...span(tid(1)), traceId: 5 } as never)).toThrow(TypeError);
    expect(() => store.add(span(tid(1), { startTime: Number.NaN }))).toThrow(/finite startTime/);
    expect(store.stats().spans).toBe(0);
  });

  it('addMany counts what it accepted', () => {
    const store = new SpanStore({ maxSpansPerTrace: 2 });
    expect(store.addMany(trace(1, 3))).toBe(2);
  });
});

describe('SpanStore summaries', () => {
  it('takes name, service, route and status from the parentless root and sums the rest', () => {
    const store = new SpanStore();
    const root = span(tid(1), {
      kind: 'server',
      name: 'GET /orders/:id',
      service: 'gateway',
      startTime: 100,
      duration: 50,
      attributes: { 'http.route': '/orders/:id', 'http.response.status_code': 503 },
    });
    const child = span(tid(1), { parentSpanId: root.spanId, service: 'orders', startTime: 90, duration: 70 });
    const failed = span(tid(1), { parentSpanId: child.spanId, service: 'db', status: { code: 'error' }, startTime: 120, duration: 1 });
    // A call that got a 404: an error on the client side, an answer on the server side.
    const got404 = { attributes: { 'http.response.status_code': 404 }, startTime: 130, duration: 1 };
    const client4xx = span(tid(1), { ...got404, parentSpanId: root.spanId, kind: 'client', service: 'orders' });
    const server4xx = span(tid(1), { ...got404, parentSpanId: client4xx.spanId, kind: 'server', service: 'inventory' });
    store.addMany([child, failed, client4xx, server4xx]);
    // Before the root arrives, the earliest span stands in for it.
    expect(store.getSummary(tid(1))).toMatchObject({ rootName: 'work', rootService: 'orders' });
    store.add(root);
    expect(store.getSummary(tid(1))).toEqual({
      traceId: tid(1),
      rootName: 'GET /orders/:id',
      rootService: 'gateway',
      services: ['orders', 'db', 'inventory', 'gateway'],
      startTime: 90,
      duration: 70,
      spanCount: 5,
      // the db error, the root's 503 and the client's 404; the server's own 404 is an answer, not an error
      errorCount: 3,
      route: '/orders/:id',
      httpStatus: 503,
    });
    expect([failed, root, client4xx, server4xx].map(isErrorSpan)).toEqual([true, true, true, false]);
  });

  it('keeps the earliest parentless span as root when several arrive', () => {
    const store = new SpanStore();
    store.add(span(tid(1), { name: 'late', startTime: 50 }));
    store.add(span(tid(1), { name: 'early', startTime: 10 }));
    store.add(span(tid(1), { name: 'child', startTime: 1, parentSpanId: 'ab'.repeat(8) }));
    expect(store.getSummary(tid(1))!.rootName).toBe('early');
  });
});

describe('SpanStore eviction', () => {
  it('evicts the oldest whole traces when maxSpans overflows', () => {
    const store = new SpanStore({ maxSpans: 10 });
    for (let n = 1; n <= 3; n++) store.addMany(trace(n, 2)); // 9 spans
    store.addMany(trace(4, 2)); // needs 3 more: trace 1 goes as a whole
    expect(store.getTrace(tid(1))).toBeUndefined();
    expect(ids(store.query())).toEqual([tid(4), tid(3), tid(2)]);
    expect(store.stats()).toMatchObject({ spans: 9, traces: 3, evictedTraces: 1, evictedSpans: 3 });
  });

  it('evicts the oldest whole traces when maxBytes overflows, and never holds more than maxBytes', () => {
    // The first trace pays for the strings later ones share (compact.ts): measure both.
    const one = new SpanStore();
    one.addMany(trace(1, 4));
    const first = one.stats().bytes;
    one.addMany(trace(2, 4));
    const perTrace = one.stats().bytes - first;
    expect(first).toBeGreaterThan(perTrace);
    const store = new SpanStore({ maxBytes: perTrace * 3 + 10 });
    for (let n = 1; n <= 10; n++) {
      store.addMany(trace(n, 4));
      expect(store.stats().bytes).toBeLessThanOrEqual(perTrace * 3 + 10);
    }
    expect(ids(store.query())).toEqual([tid(10), tid(9), tid(8)]);
    const stats = store.stats();
    expect(stats).toMatchObject({ traces: 3, spans: 15, evictedTraces: 7, evictedSpans: 35, bytes: perTrace * 3 });
    expect(stats.evictedBytes).toBe(first + perTrace * 6);
  });

  it('counts bytes from storedSpanBytes plus a per-trace overhead, repeated strings once', () => {
    const store = new SpanStore();
    const s = span(tid(1), { attributes: { 'http.route': '/x', big: 'y'.repeat(1000) } });
    store.add(s);
    const one = store.stats().bytes;
    expect(one).toBe(storedSpanBytes(s) + traceBytes(tid(1)));
    store.add(span(tid(1)));
    store.add(span(tid(2)));
    // Their name ("work") was stored before: held once, charged to the first span; trace 1's entry
    // now holds its start and end (WIDE_BYTES).
    const plain = storedSpanBytes(span(tid(2))) - stringBytes('work');
    expect(store.stats().bytes - one).toBe(2 * plain + WIDE_BYTES + traceBytes(tid(2)));
  });

  it('with capacity 1 keeps only the newest span', () => {
    const store = new SpanStore({ maxSpans: 1 });
    store.add(span(tid(1)));
    store.add(span(tid(2)));
    expect(ids(store.query())).toEqual([tid(2)]);
    expect(store.stats()).toMatchObject({ spans: 1, traces: 1, evictedTraces: 1 });
  });

  it('starts a fresh entry for spans of a trace evicted while they still arrive', () => {
    const store = new SpanStore({ maxSpans: 3 });
    const [root, a, b] = trace(1, 2);
    store.add(a!);
    store.addMany(trace(2, 1));
    store.add(b!); // trace 1 is full-budget oldest but not over yet: 4th span evicts trace 1
    expect(store.getTrace(tid(1))).toEqual([b]);
    expect(store.stats()).toMatchObject({ evictedTraces: 1, evictedSpans: 1, spans: 3 });
    store.add(root!); // joins the fresh entry; trace 2 (now oldest) is evicted
    expect(store.getTrace(tid(1))).toEqual([root, b]);
    expect(store.getSummary(tid(1))).toMatchObject({ spanCount: 2, rootName: 'GET /t1' });
    // The fresh entry counts as newer than everything that arrived before it.
    expect(ids(store.query())).toEqual([tid(1)]);
  });

  it('evicts a trace that is its own oldest when a capacity-1 store gets its second span', () => {
    const store = new SpanStore({ maxSpans: 1 });
    const [root, child] = trace(1, 1);
    store.add(root!);
    expect(store.add(child!)).toBe(true);
    expect(store.getTrace(tid(1))).toEqual([child]);
    expect(store.stats()).toMatchObject({ spans: 1, evictedSpans: 1 });
  });

  it('refuses a single span larger than maxBytes and keeps what it had', () => {
    const store = new SpanStore({ maxBytes: 2000 });
    store.add(span(tid(1)));
    expect(store.add(span(tid(2), { attributes: { blob: 'x'.repeat(5000) } }))).toBe(false);
    expect(store.stats()).toMatchObject({ spans: 1, refusedSpans: 1, evictedTraces: 0 });
  });

  it('reports evicted traces to onEvict, and survives a listener that throws', () => {
    const store = new SpanStore({ maxSpans: 2 });
    const seen: Array<[string, number]> = [];
    store.onEvict = (id, spans) => {
      seen.push([id, spans.length]);
      throw new Error('listener bug');
    };
    store.addMany(trace(1, 1));
    store.addMany(trace(2, 1));
    store.addMany(trace(3, 0));
    expect(seen).toEqual([[tid(1), 2], [tid(2), 2]]);
    expect(store.listenerErrors).toBe(2);
    expect(ids(store.query())).toEqual([tid(3)]);
  });

  it('updates services() as traces come and go', () => {
    const store = new SpanStore({ maxSpans: 2 });
    store.add(span(tid(1), { service: 'b' }));
    store.add(span(tid(2), { service: 'a' }));
    expect(store.services()).toEqual(['a', 'b']);
    store.add(span(tid(3), { service: 'a' }));
    expect(store.services()).toEqual(['a']);
  });
});

describe('SpanStore per-trace cap', () => {
  it('refuses spans past maxSpansPerTrace and counts them', () => {
    const store = new SpanStore({ maxSpansPerTrace: 3 });
    const spans = trace(1, 5);
    expect(spans.map((s) => store.add(s))).toEqual([true, true, true, false, false, false]);
    expect(store.add(span(tid(2)))).toBe(true);
    expect(store.stats()).toMatchObject({ spans: 4, refusedSpans: 3 });
    expect(store.getSummary(tid(1))!.spanCount).toBe(3);
  });

  it('keeps the root of a full trace, which arrives last, in place of its latest child', () => {
    const store = new SpanStore({ maxSpansPerTrace: 3 });
    const root = span(tid(7), { kind: 'server', name: 'GET /big', startTime: 1000, duration: 50, service: 'gateway' });
    const kids = [1, 2, 3, 4].map((i) => span(tid(7), { parentSpanId: root.spanId, name: `child ${i}`, startTime: 1000 + i, status: { code: i === 3 ? 'error' : 'unset' } }));
    // Children end (and arrive) before their parent.
    expect(kids.map((k) => store.add(k))).toEqual([true, true, true, false]);
    expect(store.add(root)).toBe(true);
    const summary = store.getSummary(tid(7))!;
    expect(summary).toMatchObject({ rootName: 'GET /big', spanCount: 3, errorCount: 0 });
    expect(summary.services).toEqual(expect.arrayContaining(['gateway']));
    const names = store.getTrace(tid(7))!.map((s) => s.name);
    expect(names).toEqual(['GET /big', 'child 1', 'child 2']);
    expect(store.stats()).toMatchObject({ spans: 3, refusedSpans: 2 });
    // The entry holds its times and a second service (gateway) beside its spans.
    const entryBytes = traceBytes(tid(7)) + WIDE_BYTES + SERVICES_BYTES + 8;
    expect(store.stats().bytes).toBe([root, kids[0]!, kids[1]!].reduce((n, s) => n + storedSpanBytes(s), 0) + entryBytes);
    // A second parentless span (not earlier) is refused like any other span past the cap.
    expect(store.add(span(tid(7), { startTime: 2000 }))).toBe(false);
    expect(store.query({ name: 'GET /big' }).traces.map((t) => t.traceId)).toEqual([tid(7)]);
  });
});

describe('SpanStore pinning and reasons', () => {
  it('says a pinned trace was kept because it is pinned, and reason=pinned finds it', () => {
    const store = new SpanStore();
    store.add(span(tid(1), {}));
    store.add(span(tid(2), {}));
    store.setTraceMeta(tid(1), { reason: 'all' });
    store.setTraceMeta(tid(2), { reason: 'all' });
    store.setTraceMeta(tid(1), { pinned: true });
    expect(store.getSummary(tid(1))).toMatchObject({ pinned: true, reason: 'pinned' });
    expect(store.query({ reason: 'pinned' }).traces.map((t) => t.traceId)).toEqual([tid(1)]);
    expect(store.query({ reason: 'all' }).traces.map((t) => t.traceId)).toEqual([tid(2)]);
    // Unpinned, its sampling reason is back.
    store.setTraceMeta(tid(1), { pinned: false });
    expect(store.getSummary(tid(1))?.reason).toBe('all');
  });

  it('skips pinned traces when evicting, and keeps their place in the list', () => {
    const store = new SpanStore({ maxSpans: 3 });
    for (let n = 1; n <= 3; n++) store.add(span(tid(n)));
    expect(store.setTraceMeta(tid(1), { pinned: true, reason: 'pinned' })).toBe(true);
    store.add(span(tid(4)));
    store.add(span(tid(5)));
    expect(ids(store.query())).toEqual([tid(5), tid(4), tid(1)]);
    expect(store.getSummary(tid(1))).toMatchObject({ pinned: true, reason: 'pinned' });
    expect(store.stats().pinned).toBe(1);
    // Unpinned, it is a normal trace again, queued behind those already there (a class is
    // thinned in order of arrival into it): 4 and 5 go first, then 1.
    store.setTraceMeta(tid(1), { pinned: false });
    store.add(span(tid(6)));
    expect(ids(store.query())).toEqual([tid(6), tid(5), tid(1)]);
    store.add(span(tid(7)));
    expect(ids(store.query())).toEqual([tid(7), tid(6), tid(1)]);
    store.add(span(tid(8)));
    expect(ids(store.query())).toEqual([tid(8), tid(7), tid(6)]);
    expect(store.stats().pinned).toBe(0);
  });

  it('pins at most maxPinned traces', () => {
    const store = new SpanStore({ maxPinned: 1 });
    store.add(span(tid(1)));
    store.add(span(tid(2)));
    expect(store.setTraceMeta(tid(1), { pinned: true })).toBe(true);
    expect(store.setTraceMeta(tid(1), { pinned: true })).toBe(true); // already pinned: no change
    expect(store.setTraceMeta(tid(2), { pinned: true, reason: 'x' })).toBe(false);
    expect(store.getSummary(tid(2))).not.toHaveProperty('reason'); // nothing changed
    expect(store.stats().pinned).toBe(1);
  });

  it('evicts pinned traces too when only pinned ones are left (budgets are hard)', () => {
    const store = new SpanStore({ maxSpans: 2 });
    store.add(span(tid(1)));
    store.add(span(tid(2)));
    store.setTraceMeta(tid(1), { pinned: true });
    store.setTraceMeta(tid(2), { pinned: true });
    store.add(span(tid(3)));
    expect(ids(store.query())).toEqual([tid(3), tid(2)]);
    expect(store.stats()).toMatchObject({ spans: 2, pinned: 1, evictedTraces: 1 });
  });

  it('lists pinned traces moved aside in order, across pages', () => {
    const store = new SpanStore({ maxSpans: 4 });
    for (let n = 1; n <= 4; n++) store.add(span(tid(n)));
    store.setTraceMeta(tid(1), { pinned: true });
    store.setTraceMeta(tid(2), { pinned: true });
    store.add(span(tid(5))); // evicts 3, moving 1 and 2 aside
    store.add(span(tid(6))); // evicts 4
    const first = store.query({ limit: 3 });
    expect(ids(first)).toEqual([tid(6), tid(5), tid(2)]);
    expect(ids(store.query({ limit: 3, cursor: first.nextCursor! }))).toEqual([tid(1)]);
    // A late span of a pinned trace joins it.
    store.add(span(tid(1), { name: 'late' }));
    expect(store.getSummary(tid(1))!.spanCount).toBe(2);
  });

  it('returns false for an unknown trace', () => {
    expect(new SpanStore().setTraceMeta(tid(9), { reason: 'error' })).toBe(false);
  });
});

describe('SpanStore.clear', () => {
  it('removes every trace and keeps the cumulative counters', () => {
    const store = new SpanStore({ maxSpans: 1 });
    store.add(span(tid(1)));
    store.add(span(tid(2)));
    store.setTraceMeta(tid(2), { pinned: true });
    store.clear();
    expect(store.query()).toEqual({ traces: [] });
    expect(store.services()).toEqual([]);
    expect(store.stats()).toMatchObject({ spans: 0, traces: 0, bytes: 0, pinned: 0, evictedTraces: 1 });
    store.add(span(tid(3)));
    expect(ids(store.query())).toEqual([tid(3)]);
  });
});

describe('SpanStore root of a trace whose parent is in another process', () => {
  it('is the server span even when its children arrive first and start in the same millisecond', () => {
    const store = new SpanStore();
    const t = 'c'.repeat(32);
    const base = { traceId: t, kind: 'internal' as const, service: 'orders', startTime: 1000, duration: 1, status: { code: 'unset' as const }, attributes: {}, events: [] };
    store.add({ ...base, spanId: '0000000000000003', parentSpanId: '0000000000000002', name: 'SELECT orders', kind: 'client' });
    store.add({ ...base, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'GET /orders/:id', kind: 'server', attributes: { 'http.route': '/orders/:id', 'http.response.status_code': 200 } });
    const s = store.getSummary(t)!;
    expect(s.rootName).toBe('GET /orders/:id');
    expect(s.route).toBe('/orders/:id');
    expect(s.httpStatus).toBe(200);
  });
});

describe('SpanStore tombstones', () => {
  it('keeps at most a quarter as many evicted entries in its order as live traces (plus slack), queries unaffected', () => {
    const store = new SpanStore({ maxSpans: 1000, exemplarsPerMinute: 0 });
    // A kept trace at the front of the order (an exemplar or a slow trace under a flood): evicted
    // ones behind it cannot be shifted off, they stay as tombstones until a compacting pass.
    store.add(span(tid(1), { startTime: 0 }));
    store.setTraceMeta(tid(1), { pinned: true });
    let maxRefs = 0;
    for (let i = 1; i < 10_000; i++) {
      store.add(span(tid(i + 1), { startTime: i }));
      maxRefs = Math.max(maxRefs, store.references);
    }
    // The class queue holds each live trace once; the order the live ones and at most 250 + 64 tombstones.
    expect(maxRefs).toBeLessThanOrEqual(2 * 1000 + 250 + 64 + 1);
    expect(store.query({ limit: 3 }).traces.map((t) => t.traceId)).toEqual([tid(10_000), tid(9999), tid(9998)]);
    const page = store.query({ limit: 1000 });
    expect(page.traces).toHaveLength(1000);
    expect(page.traces.at(-1)!.traceId).toBe(tid(1));
    expect(page.traces.at(-2)!.traceId).toBe(tid(9002));
  });
});
