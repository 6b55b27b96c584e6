import type { SpanRecord, TraceQuery, TraceSummary } from '@debugpanel/model';
import { isErrorSpan } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { estimateSpanBytes } from './estimate.js';
import { SpanStore } from './span-store.js';

let nextId = 1;
const tid = (n: number): string => n.toString(16).padStart(32, '0');
const sid = (): string => (nextId++).toString(16).padStart(16, '0');

function span(traceId: string, over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId,
    spanId: sid(),
    name: 'work',
    kind: 'internal',
    service: 'api',
    startTime: 1000,
    duration: 10,
    status: { code: 'unset' },
    attributes: {},
    events: [],
    ...over,
  };
}

/** A server root span plus `children` child spans, all of one trace. */
function trace(n: number, children = 0, rootOver: Partial<SpanRecord> = {}): SpanRecord[] {
  const root = span(tid(n), { kind: 'server', name: `GET /t${n}`, startTime: 1000 + n, duration: 20, ...rootOver });
  const out = [root];
  for (let i = 0; i < children; i++) {
    out.push(span(tid(n), { parentSpanId: root.spanId, startTime: root.startTime + i + 1, duration: 1, name: `child${i}` }));
  }
  return out;
}

const ids = (r: { traces: TraceSummary[] }): string[] => r.traces.map((t) => t.traceId);

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

  it('holds the given span objects, not copies, and hands out a fresh array', () => {
    const store = new SpanStore();
    const s = span(tid(1));
    store.add(s);
    const got = store.getTrace(tid(1))!;
    expect(got[0]).toBe(s);
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
    const one = new SpanStore();
    one.addMany(trace(1, 4));
    const perTrace = one.stats().bytes;
    const store = new SpanStore({ maxBytes: perTrace * 3 + 10 });
    for (let n = 1; n <= 10; n++) {
      store.addMany(trace(n, 4));
      expect(store.stats().bytes).toBeLessThanOrEqual(perTrace * 3 + 10);
    }
    expect(ids(store.query())).toEqual([tid(10), tid(9), tid(8)]);
    const stats = store.stats();
    expect(stats).toMatchObject({ traces: 3, spans: 15, evictedTraces: 7, evictedSpans: 35, bytes: perTrace * 3 });
    expect(stats.evictedBytes).toBe(perTrace * 7);
  });

  it('counts bytes from estimateSpanBytes plus a per-trace overhead', () => {
    const store = new SpanStore();
    const s = span(tid(1), { attributes: { 'http.route': '/x', big: 'y'.repeat(1000) } });
    store.add(s);
    const one = store.stats().bytes;
    expect(one).toBeGreaterThan(estimateSpanBytes(s));
    store.add(span(tid(1)));
    store.add(span(tid(2)));
    expect(store.stats().bytes - one).toBeGreaterThan(2 * estimateSpanBytes(span(tid(2))));
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
    expect(store.stats().bytes).toBe([root, kids[0]!, kids[1]!].reduce((n, s) => n + estimateSpanBytes(s), 0) + 200 + 3 * 12);
    // A second parentless span (not earlier) is refused like any other span past the cap.
    expect(store.add(span(tid(7), { startTime: 2000 }))).toBe(false);
    expect(store.query({ name: 'GET /big' }).traces.map((t) => t.traceId)).toEqual([tid(7)]);
  });
});

describe('SpanStore pinning and reasons', () => {
  it('skips pinned traces when evicting, and keeps their place in the list', () => {
    const store = new SpanStore({ maxSpans: 3 });
    for (let n = 1; n <= 3; n++) store.add(span(tid(n)));
    expect(store.setTraceMeta(tid(1), { pinned: true, reason: 'pinned' })).toBe(true);
    store.add(span(tid(4)));
    store.add(span(tid(5)));
    expect(ids(store.query())).toEqual([tid(5), tid(4), tid(1)]);
    expect(store.getSummary(tid(1))).toMatchObject({ pinned: true, reason: 'pinned' });
    expect(store.stats().pinned).toBe(1);
    // Unpinned, it is the oldest again and goes first.
    store.setTraceMeta(tid(1), { pinned: false });
    store.add(span(tid(6)));
    expect(ids(store.query())).toEqual([tid(6), tid(5), tid(4)]);
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

describe('SpanStore.query filters', () => {
  function fixture(): SpanStore {
    const store = new SpanStore();
    // 1: gateway -> orders, slow, error in orders, user 7
    const r1 = span(tid(1), {
      kind: 'server', service: 'gateway', name: 'GET /orders/:id', startTime: 1000, duration: 300,
      attributes: { 'http.route': '/orders/:id', 'http.response.status_code': 200, 'user.id': 7 },
    });
    store.add(r1);
    store.add(span(tid(1), {
      parentSpanId: r1.spanId, service: 'orders', name: 'SELECT orders', startTime: 1010, duration: 50,
      status: { code: 'error', message: 'Deadlock found' }, attributes: { 'db.system': 'sqlite' },
    }));
    // 2: gateway only, fast, ok, user 8
    store.add(span(tid(2), {
      kind: 'server', service: 'gateway', name: 'GET /health', startTime: 2000, duration: 2,
      attributes: { 'http.route': '/health', 'http.response.status_code': 200, 'user.id': '8' },
    }));
    // 3: inventory, medium, ok, flag attribute
    store.add(span(tid(3), {
      kind: 'server', service: 'inventory', name: 'GET /items/:sku', startTime: 3000, duration: 100,
      attributes: { 'http.route': '/items/:sku', cached: true },
    }));
    store.setTraceMeta(tid(1), { reason: 'error' });
    store.setTraceMeta(tid(3), { reason: 'slow' });
    return store;
  }
  const cases: Array<[string, TraceQuery, number[]]> = [
    ['no filter', {}, [3, 2, 1]],
    ['service of a child span', { service: 'orders' }, [1]],
    ['service of roots', { service: 'gateway' }, [2, 1]],
    ['unknown service', { service: 'nope' }, []],
    ['span name of a child', { name: 'SELECT orders' }, [1]],
    ['route', { route: '/health' }, [2]],
    ['status error', { status: 'error' }, [1]],
    ['status ok', { status: 'ok' }, [3, 2]],
    ['minDuration inclusive', { minDuration: 100 }, [3, 1]],
    ['maxDuration inclusive', { maxDuration: 100 }, [3, 2]],
    ['duration range', { minDuration: 50, maxDuration: 150 }, [3]],
    ['number attribute as string', { attributes: { 'user.id': '7' } }, [1]],
    ['string attribute', { attributes: { 'user.id': '8' } }, [2]],
    ['boolean attribute', { attributes: { cached: 'true' } }, [3]],
    ['attributes on different spans', { attributes: { 'user.id': '7', 'db.system': 'sqlite' } }, [1]],
    ['attribute value mismatch', { attributes: { 'db.system': 'postgres' } }, []],
    ['text in a span name, any case', { text: 'select' }, [1]],
    ['text in an attribute value', { text: 'ITEMS/:s' }, [3]],
    ['text in the trace id', { text: tid(2).slice(20) }, [2]],
    ['since inclusive', { since: 2000 }, [3, 2]],
    ['until inclusive', { until: 2000 }, [2, 1]],
    ['reason', { reason: 'slow' }, [3]],
    ['combined', { service: 'gateway', status: 'ok', since: 1500 }, [2]],
  ];
  it.each(cases)('%s', (_, q, expected) => {
    expect(ids(fixture().query(q))).toEqual(expected.map(tid));
  });
});

describe('SpanStore.query pagination', () => {
  it('pages newest first with a cursor until the last page, which has no cursor', () => {
    const store = new SpanStore();
    for (let n = 1; n <= 5; n++) store.add(span(tid(n)));
    const p1 = store.query({ limit: 2 });
    expect(ids(p1)).toEqual([tid(5), tid(4)]);
    const p2 = store.query({ limit: 2, cursor: p1.nextCursor! });
    expect(ids(p2)).toEqual([tid(3), tid(2)]);
    const p3 = store.query({ limit: 2, cursor: p2.nextCursor! });
    expect(ids(p3)).toEqual([tid(1)]);
    expect(p3).not.toHaveProperty('nextCursor');
  });

  it('gives no cursor when the last page is exactly full', () => {
    const store = new SpanStore();
    for (let n = 1; n <= 4; n++) store.add(span(tid(n)));
    expect(store.query({ limit: 4 })).not.toHaveProperty('nextCursor');
    expect(store.query({ limit: 2, status: 'ok' }).nextCursor).toBeDefined();
  });

  it('stays stable when traces arrive or are evicted between pages', () => {
    const store = new SpanStore({ maxSpans: 8 });
    for (let n = 1; n <= 6; n++) store.add(span(tid(n)));
    const p1 = store.query({ limit: 2 });
    expect(ids(p1)).toEqual([tid(6), tid(5)]);
    store.add(span(tid(7)));
    store.add(span(tid(4), { name: 'late span of a listed trace' }));
    const p2 = store.query({ limit: 2, cursor: p1.nextCursor! });
    expect(ids(p2)).toEqual([tid(4), tid(3)]);
    store.add(span(tid(8))); // evicts 1
    const p3 = store.query({ limit: 2, cursor: p2.nextCursor! });
    expect(p3).toEqual({ traces: [expect.objectContaining({ traceId: tid(2) })] });
    expect(store.stats().evictedTraces).toBe(1);
  });

  it('keeps the cursor meaning under a filter', () => {
    const store = new SpanStore();
    for (let n = 1; n <= 9; n++) store.add(span(tid(n), { service: n % 3 === 0 ? 'x' : 'y' }));
    const p1 = store.query({ service: 'x', limit: 2 });
    expect(ids(p1)).toEqual([tid(9), tid(6)]);
    const p2 = store.query({ service: 'x', limit: 2, cursor: p1.nextCursor! });
    expect(ids(p2)).toEqual([tid(3)]);
    expect(p2.nextCursor).toBeUndefined();
  });

  it.each(['abc', 's', 's-1', 'sZZ', 'x12', 's' + 'z'.repeat(20)])('refuses the malformed cursor %j', (cursor) => {
    expect(() => new SpanStore().query({ cursor })).toThrow(/invalid cursor/);
  });

  it.each([0, 1001, 2.5, Number.NaN])('refuses limit %s', (limit) => {
    expect(() => new SpanStore().query({ limit })).toThrow(/limit must be an integer from 1 to 1000/);
  });

  it('defaults to 50 per page', () => {
    const store = new SpanStore();
    for (let n = 1; n <= 60; n++) store.add(span(tid(n)));
    expect(store.query().traces).toHaveLength(50);
  });
});

describe('SpanStore against a brute-force model', () => {
  it('answers random queries with eviction, pins and late spans like a full scan would', () => {
    // Deterministic pseudo-random generator, so a failure reproduces.
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const store = new SpanStore({ maxSpans: 300, maxPinned: 5 });
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(i / 4 + rnd() * 20);
      store.add(
        span(tid(n), {
          service: pick(['a', 'b', 'c']),
          name: pick(['x', 'y', 'z']),
          startTime: n * 10 + rnd() * 5,
          duration: rnd() * 100,
          status: { code: rnd() < 0.1 ? 'error' : 'ok' },
          attributes: { k: pick(['1', '2']) },
          ...(rnd() < 0.3 ? {} : { parentSpanId: 'ab'.repeat(8) }),
        }),
      );
      if (rnd() < 0.02) store.setTraceMeta(tid(n), { pinned: rnd() < 0.7 });
    }
    // The model: every stored trace, in the store's own newest-first order, filtered by a scan.
    const all = store.query({ limit: 1000 }).traces;
    expect(store.stats().spans).toBeLessThanOrEqual(300);
    expect(all.reduce((n, t) => n + t.spanCount, 0)).toBe(store.stats().spans);
    const queries: TraceQuery[] = [
      { service: 'b' }, { name: 'z' }, { status: 'error' }, { status: 'ok' }, { minDuration: 80 },
      { attributes: { k: '2' } }, { service: 'c', status: 'ok', limit: 7 }, { maxDuration: 60, limit: 3 },
    ];
    for (const q of queries) {
      const expected = all
        .filter((t) => {
          const spans = store.getTrace(t.traceId)!;
          return (
            (q.service === undefined || spans.some((s) => s.service === q.service)) &&
            (q.name === undefined || spans.some((s) => s.name === q.name)) &&
            (q.status === undefined || (q.status === 'error') === spans.some(isErrorSpan)) &&
            (q.minDuration === undefined || t.duration >= q.minDuration) &&
            (q.maxDuration === undefined || t.duration <= q.maxDuration) &&
            (q.attributes === undefined || spans.some((s) => s.attributes.k === q.attributes!.k))
          );
        })
        .map((t) => t.traceId);
      const got: string[] = [];
      let cursor: string | undefined;
      do {
        const page = store.query({ ...q, limit: q.limit ?? 4, ...(cursor ? { cursor } : {}) });
        got.push(...ids(page));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(got).toEqual(expected);
    }
  });
});

describe('SpanStore text, attribute and name queries (bigram filters)', () => {
  /** The query semantics, by a scan over every stored span */
  function scanMatches(spans: SpanRecord[], q: TraceQuery): boolean {
    const attrOk = Object.entries(q.attributes ?? {}).every(([k, v]) =>
      spans.some((s) => s.attributes[k] !== undefined && String(s.attributes[k]) === v),
    );
    const text = q.text?.toLowerCase();
    const textOk =
      text === undefined ||
      spans[0]!.traceId.includes(text) ||
      spans.some((s) => s.name.toLowerCase().includes(text) || Object.values(s.attributes).some((v) => String(v).toLowerCase().includes(text)));
    const serviceOk = q.service === undefined || spans.some((s) => s.service === q.service);
    return attrOk && textOk && serviceOk && (q.name === undefined || spans.some((s) => s.name === q.name));
  }

  function allPages(store: SpanStore, q: TraceQuery): string[] {
    const got: string[] = [];
    let cursor: string | undefined;
    do {
      const page = store.query({ ...q, ...(cursor ? { cursor } : {}) });
      got.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return got;
  }

  it('matches a full scan on random data, across adds, evictions, pins, sorting and pages', () => {
    let seed = 777;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    // More traces than a query walks before switching to the filters (256), so both paths run.
    const store = new SpanStore({ maxSpans: 1500, maxPinned: 10 });
    const words = ['alpha', 'Beta', 'gamma-7', 'sku-42', 'SKU-4242', '/orders/9', 'u42', 'u420', 'ü-x'];
    const queries: TraceQuery[] = [
      { text: 'sku-42' }, { text: 'SKU-4242', limit: 3 }, { text: 'ta' }, { text: 'ü-' }, { text: 'zzz' },
      { attributes: { 'user.id': 'u42' }, limit: 5 }, { attributes: { n: '7' } }, { attributes: { flag: 'true' } },
      { attributes: { 'user.id': 'u42', n: '3' } }, { name: 'op-alpha', limit: 4 }, { text: 'ord', service: 'b' },
    ];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 600; i++) {
        const n = 1 + round * 700 + Math.floor(i * 0.9 + rnd() * 20);
        store.add(
          span(tid(n), {
            service: pick(['a', 'b']),
            name: `op-${pick(words)}`,
            startTime: 5000 - i + rnd() * 100, // often out of order: getTrace sorts
            attributes: {
              'user.id': pick(words),
              n: Math.floor(rnd() * 10),
              ...(rnd() < 0.2 ? { flag: rnd() < 0.5 } : {}),
              ...(rnd() < 0.1 ? { list: [pick(words), 'x'] } : {}),
            },
          }),
        );
        if (rnd() < 0.01) store.setTraceMeta(tid(n), { pinned: true });
        if (rnd() < 0.05) store.getTrace(tid(n));
      }
      const all = store.query({ limit: 1000 }).traces.map((t) => t.traceId);
      expect(all.length).toBeGreaterThan(256);
      for (const q of queries) {
        const expected = all.filter((id) => scanMatches(store.getTrace(id)!, q));
        expect([q, allPages(store, { limit: 20, ...q })]).toEqual([q, expected]); // q names a failure
      }
    }
    expect(store.stats().evictedTraces).toBeGreaterThan(0);
  });

  it.each([43, 44, 45, 1, 300])('finds a lone match at the %ith oldest of 300 traces (around where the walk hands over)', (k) => {
    const store = new SpanStore();
    for (let n = 1; n <= 300; n++) store.add(span(tid(n), { name: n === k ? 'needle-span' : `span-${n}` }));
    expect(ids(store.query({ name: 'needle-span', limit: 5 }))).toEqual([tid(k)]);
    expect(ids(store.query({ text: 'NEEDLE', limit: 5 }))).toEqual([tid(k)]);
  });

  it('counts each filter in the byte budget and frees it with its evicted trace', () => {
    const store = new SpanStore({ maxSpans: 10 });
    for (let n = 1; n <= 10; n++) store.add(span(tid(n), { attributes: { code: `c${n}` } }));
    const before = store.stats().bytes;
    expect(ids(store.query({ attributes: { code: 'c3' } }))).toEqual([tid(3)]);
    const perTrace = (store.stats().bytes - before) / 10;
    expect(perTrace).toBeGreaterThan(64);
    expect(perTrace).toBeLessThan(100);
    // Each new trace evicts the oldest, its filter's bytes with it; new traces get one lazily.
    for (let n = 11; n <= 20; n++) store.add(span(tid(n), { attributes: { code: `c${n}` } }));
    expect(store.stats().bytes).toBe(before);
    expect(ids(store.query({ attributes: { code: 'c3' } }))).toEqual([]);
    expect(ids(store.query({ text: 'C15' }))).toEqual([tid(15)]);
    expect(store.stats().bytes).toBe(before + perTrace * 10);
  });

  it('finds spans added to a trace after its filter was made', () => {
    const store = new SpanStore();
    store.add(span(tid(1), { name: 'first' }));
    expect(ids(store.query({ text: 'late-comer' }))).toEqual([]);
    store.add(span(tid(1), { name: 'late-comer', startTime: 1 }));
    store.getTrace(tid(1)); // sorts the spans under the filter's bookkeeping
    store.add(span(tid(1), { attributes: { k: 'v2' } }));
    expect(ids(store.query({ text: 'LATE-COMER' }))).toEqual([tid(1)]);
    expect(ids(store.query({ attributes: { k: 'v2' } }))).toEqual([tid(1)]);
    expect(ids(store.query({ name: 'first' }))).toEqual([tid(1)]);
  });

  it('starts afresh after clear()', () => {
    const store = new SpanStore();
    store.add(span(tid(1), { name: 'one' }));
    expect(ids(store.query({ text: 'one' }))).toEqual([tid(1)]);
    store.clear();
    expect(store.stats().bytes).toBe(0);
    store.add(span(tid(2), { name: 'two' }));
    expect(ids(store.query({ text: 'one' }))).toEqual([]);
    expect(ids(store.query({ text: 'two' }))).toEqual([tid(2)]);
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
