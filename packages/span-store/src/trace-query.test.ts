import type { SpanRecord, TraceQuery } from '@debugpanel/model';
import { isErrorSpan } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { SpanStore } from './span-store.js';
import { ids, span, tid, trace } from './spans.test-helper.js';
import { decodeCursor, encodeCursor, lastIndexBelow, needleOf } from './trace-query.js';

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
    ['root HTTP status class', { httpStatus: '2xx' }, [2, 1]],
    ['root HTTP status code (a trace without one never matches)', { httpStatus: '200,404' }, [2, 1]],
    ['root HTTP status class nobody answered', { httpStatus: '5xx' }, []],
  ];
  it.each(cases)('%s', (_, q, expected) => {
    expect(ids(fixture().query(q))).toEqual(expected.map(tid));
  });
});

describe('SpanStore.query route with a service', () => {
  it("finds a downstream service's own route, as a hub holds it (orders behind the gateway's root)", () => {
    const store = new SpanStore();
    const root = span(tid(1), { kind: 'server', service: 'gateway', name: 'GET /api/products/:id', startTime: 1000, duration: 30, attributes: { 'http.route': '/api/products/:id' } });
    store.add(root);
    const call = span(tid(1), { kind: 'client', parentSpanId: root.spanId, service: 'gateway', name: 'GET', startTime: 1002, duration: 25, attributes: { 'http.route': '/products/:id' } });
    store.add(call);
    store.add(span(tid(1), { kind: 'server', parentSpanId: call.spanId, service: 'orders', name: 'GET /products/:id', startTime: 1005, duration: 20, attributes: { 'http.route': '/products/:id' } }));
    // orders as the root of its own trace
    store.add(span(tid(2), { kind: 'server', service: 'orders', name: 'GET /orders', startTime: 2000, duration: 5, attributes: { 'http.route': '/orders' } }));
    // a client span of orders that carries the route is no server span of it
    const r3 = span(tid(3), { kind: 'server', service: 'gateway', name: 'GET /api/x', startTime: 3000, duration: 5, attributes: { 'http.route': '/api/x' } });
    store.add(r3);
    store.add(span(tid(3), { kind: 'client', parentSpanId: r3.spanId, service: 'orders', name: 'GET', startTime: 3001, duration: 2, attributes: { 'http.route': '/products/:id' } }));

    expect(ids(store.query({ service: 'orders', route: '/products/:id' }))).toEqual([tid(1)]);
    // without a service, and for the root's own service, the route is the root's
    expect(ids(store.query({ route: '/products/:id' }))).toEqual([]);
    expect(ids(store.query({ service: 'gateway', route: '/products/:id' }))).toEqual([]);
    // the root's route still answers for a service below it
    expect(ids(store.query({ service: 'orders', route: '/api/products/:id' }))).toEqual([tid(1)]);
    expect(ids(store.query({ service: 'orders', route: '/orders' }))).toEqual([tid(2)]);
  });
});

describe('SpanStore.query httpStatus', () => {
  it('tells a server 4xx (no error) from a 5xx, by the root span only', () => {
    const store = new SpanStore();
    const root = (n: number, code: number) => span(tid(n), { kind: 'server', name: 'GET /x', startTime: n, duration: 1, attributes: { 'http.response.status_code': code } });
    store.add(root(1, 404));
    store.add(root(2, 409));
    store.add(root(3, 502));
    // A client span's 503 below a 200 root: the trace answered 200.
    const ok = root(4, 200);
    store.add(ok);
    store.add(span(tid(4), { kind: 'client', parentSpanId: ok.spanId, startTime: 4, duration: 1, attributes: { 'http.response.status_code': 503 } }));
    expect(ids(store.query({ httpStatus: '4xx' }))).toEqual([tid(2), tid(1)]);
    expect(ids(store.query({ httpStatus: '5xx' }))).toEqual([tid(3)]);
    expect(ids(store.query({ httpStatus: '409' }))).toEqual([tid(2)]);
    expect(ids(store.query({ status: 'error' }))).toEqual([tid(4), tid(3)]);
    expect(() => store.query({ httpStatus: 'five' })).toThrow(/httpStatus terms are a class like 5xx/);
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
    // The first span pays for the name later ones share (compact.ts); it is evicted below.
    store.add(span(tid(99)));
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

describe('trace-query pieces', () => {
  it('round-trips cursors and rejects malformed ones with a RangeError that says what to pass', () => {
    for (const seq of [0, 1, 35, 36, 123_456_789, Number.MAX_SAFE_INTEGER]) expect(decodeCursor(encodeCursor(seq))).toBe(seq);
    for (const bad of ['x1', 's', 's-1', 'sZZ', 's' + 'z'.repeat(12)]) expect(() => decodeCursor(bad)).toThrow(/pass a nextCursor/);
  });

  it('finds the last index with seq below a bound by bisection', () => {
    const seqs = [2, 4, 4, 7, 9];
    const at = (i: number) => ({ seq: seqs[i]! }) as never;
    expect(lastIndexBelow(at, seqs.length, Infinity)).toBe(4);
    expect(lastIndexBelow(at, seqs.length, 2)).toBe(-1);
    expect(lastIndexBelow(at, seqs.length, 5)).toBe(2);
    expect(lastIndexBelow(at, seqs.length, 10)).toBe(4);
    expect(lastIndexBelow(at, 0, 3)).toBe(-1);
  });

  it('makes a needle only for name, attribute and text filters, one union for several', () => {
    expect(needleOf({ service: 'x', status: 'error' } satisfies TraceQuery)).toBeUndefined();
    expect(needleOf({ name: '' })).toBeUndefined();
    const one = needleOf({ text: 'abc' })!;
    const both = needleOf({ text: 'abc', name: 'GET /x' })!;
    expect(one.words.length).toBeGreaterThan(0);
    // The union has every bit of each part.
    for (let i = 0; i < one.words.length; i++) {
      const j = Array.from(both.words).indexOf(one.words[i]!);
      expect(j).toBeGreaterThanOrEqual(0);
      expect(both.masks[j]! & one.masks[i]!).toBe(one.masks[i]);
    }
  });
});
