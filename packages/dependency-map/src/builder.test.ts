import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { buildDependencyMap } from './build.js';
import { DependencyMapBuilder } from './builder.js';

let seq = 0;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
function span(traceId: string, kind: SpanRecord['kind'], service: string, parent?: SpanRecord, extra: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId, spanId: hex(++seq, 16), parentSpanId: parent?.spanId, name: kind, kind, service,
    startTime: 0, duration: 10, status: { code: 'unset' }, attributes: {}, events: [], ...extra,
  };
}
/** web (root server) -> client -> api server */
function call(t: number): { root: SpanRecord; out: SpanRecord; srv: SpanRecord } {
  const id = hex(t, 32);
  const root = span(id, 'server', 'web');
  const out = span(id, 'client', 'web', root, { attributes: { 'server.address': 'api.local' } });
  const srv = span(id, 'server', 'api', out);
  return { root, out, srv };
}
function clock(start = 0) {
  const c = { t: start, now: () => c.t };
  return c;
}
const ids = (b: DependencyMapBuilder) => b.snapshot().edges.map((e) => `${e.id}=${e.requests}`);

describe('DependencyMapBuilder', () => {
  it('waits for the other side of a call, then pairs it', () => {
    const c = clock();
    const b = new DependencyMapBuilder({ waitMs: 1000, now: c.now });
    const { root, out, srv } = call(1);
    b.add(out);
    c.t = 900;
    expect(ids(b)).toEqual([]);
    b.add(srv); // from another process, 900 ms later
    b.add(root);
    c.t = 1800;
    expect(b.stats()).toMatchObject({ pendingTraces: 1, pendingSpans: 3, processedSpans: 0 });
    c.t = 1900;
    expect(ids(b)).toEqual(['svc:web->svc:api=1', 'user->svc:web=1']);
    expect(b.stats()).toMatchObject({ pendingTraces: 0, pendingSpans: 0, processedSpans: 3 });
  });

  it('counts a client span as a call to a virtual node when its server span comes after the wait', () => {
    const c = clock();
    const b = new DependencyMapBuilder({ waitMs: 1000, now: c.now });
    const { root, out, srv } = call(2);
    b.add([out, root]);
    c.t = 1000;
    expect(ids(b)).toEqual(['svc:web->ext:api.local=1', 'user->svc:web=1']);
    b.add(srv); // too late: a new group, with no caller
    c.t = 2000;
    expect(ids(b)).toEqual(['svc:web->ext:api.local=1', 'user->svc:api=1', 'user->svc:web=1']);
  });

  it('names a call after the service at its address when its server half comes after the wait (no phantom host)', () => {
    const c = clock();
    const b = new DependencyMapBuilder({ waitMs: 1000, now: c.now });
    const at = { 'server.address': '127.0.0.1', 'server.port': 3001 };
    // Trace 1, whole: orders' server span says where it was reached.
    const r1 = span(hex(41, 32), 'server', 'gateway');
    const o1 = span(r1.traceId, 'client', 'gateway', r1, { attributes: at });
    const s1 = span(r1.traceId, 'server', 'orders', o1, { attributes: at });
    b.add([r1, o1, s1]);
    c.t = 1000;
    // Trace 2: orders' half arrives after the wait, so the client span is counted unpaired.
    const r2 = span(hex(42, 32), 'server', 'gateway');
    const o2 = span(r2.traceId, 'client', 'gateway', r2, { attributes: { 'url.full': 'http://127.0.0.1:3001/products' } });
    const s2 = span(r2.traceId, 'server', 'orders', o2, { attributes: at });
    b.add([o2, r2]);
    c.t = 2000;
    expect(ids(b)).toEqual(['svc:gateway->svc:orders=2', 'user->svc:gateway=2']);
    b.add(s2);
    c.t = 3000;
    const m = b.snapshot();
    expect(m.nodes.map((n) => n.id)).toEqual(['svc:gateway', 'svc:orders', 'user']);
    expect(m.edges.find((e) => e.id === 'user->svc:orders')).toMatchObject({ requests: 1, callerNotSeen: 1 });
  });

  it('expires each trace on its own time, oldest first', () => {
    const c = clock();
    const b = new DependencyMapBuilder({ waitMs: 100, now: c.now });
    const a = call(3);
    const d = call(4);
    b.add(a.root);
    c.t = 50;
    b.add(d.root);
    c.t = 100;
    expect(b.snapshot().edges[0]!.requests).toBe(1);
    expect(b.stats().pendingTraces).toBe(1);
    c.t = 150;
    expect(b.snapshot().edges[0]!.requests).toBe(2);
  });

  it('bounds waiting spans: when full, the oldest trace is counted early', () => {
    const c = clock();
    const b = new DependencyMapBuilder({ waitMs: 10_000, maxPendingSpans: 4, now: c.now });
    const x = call(5);
    const y = call(6);
    b.add([x.out, x.srv, x.root]);
    b.add([y.out, y.srv]); // the 5th span pushes trace 5 out
    expect(b.stats()).toMatchObject({ pendingTraces: 1, pendingSpans: 2, processedSpans: 3, flushedEarly: 3 });
    expect(ids(b)).toEqual(['svc:web->svc:api=1', 'user->svc:web=1']);
  });

  it('refuses malformed spans without throwing and counts them as dropped', () => {
    const b = new DependencyMapBuilder();
    expect(() => b.add([null as unknown as SpanRecord, { traceId: 1 } as unknown as SpanRecord])).not.toThrow();
    expect(b.stats().dropped).toBe(2);
  });

  it('bounds nodes and edges and counts the calls it could not place', () => {
    const b = new DependencyMapBuilder({ waitMs: 0, maxEdges: 1 });
    const id = hex(7, 32);
    const root = span(id, 'server', 'web');
    b.add([root, span(id, 'client', 'web', root, { attributes: { 'server.address': 'a' } })]);
    const m = b.snapshot();
    expect(m.edges).toHaveLength(1);
    expect(b.stats().dropped).toBe(1);
  });

  it('gives the same counts as buildDependencyMap over the same spans', () => {
    const spans: SpanRecord[] = [];
    for (let t = 10; t < 60; t++) {
      const { root, out, srv } = call(t);
      if (t % 4 === 0) srv.status = { code: 'error' };
      spans.push(out, srv, root);
    }
    const b = new DependencyMapBuilder({ waitMs: 5 });
    b.add(spans);
    b.flush();
    const live = b.snapshot();
    const once = buildDependencyMap(spans);
    const counts = (m: typeof live) => m.edges.map((e) => [e.id, e.requests, e.errors, e.failures, e.impact]);
    expect(counts(live)).toEqual(counts(once));
    expect(live.nodes.map((n) => [n.id, n.requests, n.errors])).toEqual(once.nodes.map((n) => [n.id, n.requests, n.errors]));
  });

  it('forgets everything on reset', () => {
    const b = new DependencyMapBuilder({ waitMs: 0 });
    b.add(call(70).root);
    b.reset();
    expect(b.snapshot()).toEqual({ nodes: [], edges: [] });
  });

  it('validates options at creation', () => {
    expect(() => new DependencyMapBuilder({ waitMs: -1 })).toThrow(/waitMs/);
    expect(() => new DependencyMapBuilder({ maxPendingSpans: 0 })).toThrow(/maxPendingSpans/);
    expect(() => new DependencyMapBuilder({ wait: 5 } as never)).toThrow(/DependencyMapBuilder: unknown option "wait"; did you mean "waitMs"\?/);
    expect(() => new DependencyMapBuilder({ hardThreshold: 0 })).toThrow(/DependencyMapBuilder: hardThreshold must be a number in \(0, 1\]/);
  });
});

describe('DependencyMapBuilder time buckets', () => {
  const MIN = 60_000;
  /** web -> api call of trace t starting at `at` */
  function callAt(t: number, at: number, failed = false): SpanRecord[] {
    const { root, out, srv } = call(t);
    for (const s of [root, out, srv]) s.startTime = at;
    if (failed) srv.status = { code: 'error' };
    out.duration = 10 + (t % 50);
    return [out, srv, root];
  }

  it('answers for a window from the buckets it touches, as buildDependencyMap does over those traces', () => {
    const c = clock(100 * MIN);
    const b = new DependencyMapBuilder({ waitMs: 0, now: c.now, bucketMs: MIN });
    const all: SpanRecord[][] = [];
    for (let t = 1; t <= 3000; t++) {
      const spans = callAt(t, 100 * MIN + (t % 30) * MIN, t % 7 === 0);
      all.push(spans);
      b.add(spans);
    }
    c.t = 200 * MIN;
    const since = 110 * MIN;
    const w = b.window({ since });
    const inWindow = all.filter((s) => s[0]!.startTime >= since).flat();
    const exact = buildDependencyMap(inWindow);
    expect(w.spans).toBe(inWindow.length);
    expect(w.traces).toBe(inWindow.length / 3);
    expect(w.from).toBe(since);
    expect(w.truncated).toBe(false);
    const counts = (m: { edges: Array<{ id: string; requests: number; errors: number }> }) => m.edges.map((e) => [e.id, e.requests, e.errors]);
    expect(counts(w)).toEqual(counts(exact));
    const edge = w.edges.find((e) => e.id === 'svc:web->svc:api')!;
    const exactEdge = exact.edges.find((e) => e.id === 'svc:web->svc:api')!;
    expect(Math.abs(edge.latency.p99 - exactEdge.latency.p99) / exactEdge.latency.p99).toBeLessThan(0.05);
    // Every bucket: the whole map.
    expect(b.window().spans).toBe(9000);
  });

  it('forgets the oldest bucket past maxBuckets, counts it, and says a window reaching before it is truncated', () => {
    const c = clock(0);
    const b = new DependencyMapBuilder({ waitMs: 0, now: c.now, bucketMs: MIN, maxBuckets: 2 });
    b.add(callAt(1, 0));
    b.add(callAt(2, MIN));
    b.add(callAt(3, 2 * MIN));
    b.add(callAt(4, 0)); // older than every bucket held
    c.t = 3 * MIN;
    expect(b.stats()).toMatchObject({ buckets: 2, expiredBuckets: 1, tooOld: 3 });
    expect(b.window({ since: 0 })).toMatchObject({ traces: 2, truncated: true, from: MIN });
    expect(b.window({ since: MIN })).toMatchObject({ traces: 2, truncated: false });
  });
});

describe('DependencyMapBuilder: calls whose server half is late, across buckets and windows', () => {
  const MIN = 60_000;
  const at = { 'server.address': '127.0.0.1', 'server.port': 3001 };
  /** gateway -> orders; `whole` false: orders' server span has not arrived */
  function gatewayCall(t: number, start: number, whole: boolean): SpanRecord[] {
    const root = span(hex(t, 32), 'server', 'gateway', undefined, { startTime: start });
    const out = span(root.traceId, 'client', 'gateway', root, { startTime: start, attributes: { 'url.full': 'http://127.0.0.1:3001/products' } });
    return whole ? [root, out, span(root.traceId, 'server', 'orders', out, { startTime: start, attributes: at })] : [root, out];
  }
  const ext = (m: { nodes: Array<{ id: string }> }) => m.nodes.filter((n) => n.id.startsWith('ext:')).map((n) => n.id);

  it("names a waiting call by orders' address learned in an earlier bucket, in the window's answer and once counted", () => {
    const c = clock(10 * MIN);
    const b = new DependencyMapBuilder({ waitMs: 5000, now: c.now, bucketMs: MIN });
    b.add(gatewayCall(1, 10 * MIN, true));
    c.t = 11 * MIN; // trace 1 counted in the minute-10 bucket
    // the next minute: the gateway's half only, orders' spans still on their way
    b.add(gatewayCall(2, 11 * MIN, false));
    const waiting = b.window();
    expect(ext(waiting)).toEqual([]);
    expect(waiting.edges.find((e) => e.id === 'svc:gateway->svc:orders')?.requests).toBe(2);
    c.t = 11 * MIN + 6000; // trace 2 counted, unpaired, in the minute-11 bucket
    const counted = b.window({ since: 11 * MIN });
    expect(ext(counted)).toEqual([]);
    expect(counted.edges.map((e) => `${e.id}=${e.requests}`)).toEqual(['svc:gateway->svc:orders=1', 'user->svc:gateway=1']);
  });

  it('learns from the waiting traces before counting them, whatever their order', () => {
    const c = clock(0);
    const b = new DependencyMapBuilder({ waitMs: 5000, now: c.now, bucketMs: MIN });
    b.add(gatewayCall(3, 0, false)); // waits first, before any orders span was seen
    b.add(gatewayCall(4, 0, true));
    expect(ext(b.window())).toEqual([]);
  });

  it('forgets the addresses on reset', () => {
    const c = clock(0);
    const b = new DependencyMapBuilder({ waitMs: 0, now: c.now, bucketMs: MIN });
    b.add(gatewayCall(5, 0, true));
    b.reset();
    b.add(gatewayCall(6, 0, false));
    expect(ext(b.window())).toEqual(['ext:127.0.0.1:3001']);
  });
});

describe('DependencyMapBuilder.window with waiting traces', () => {
  it('counts a waiting trace in the answer as it is so far, and for good once its wait ends', () => {
    const c = { t: 0, now: () => c.t };
    const b = new DependencyMapBuilder({ waitMs: 5000, now: c.now, bucketMs: 60_000 });
    const { root, out, srv } = call(77);
    b.add([out, srv, root]);
    expect(b.window()).toMatchObject({ traces: 1, spans: 3 });
    expect(b.window().edges.map((e) => `${e.id}=${e.requests}`)).toEqual(['svc:web->svc:api=1', 'user->svc:web=1']);
    expect(b.window({ pending: false })).toMatchObject({ traces: 0, spans: 0 });
    c.t = 6000;
    expect(b.window()).toMatchObject({ traces: 1, spans: 3 });
    expect(b.stats()).toMatchObject({ pendingSpans: 0, processedSpans: 3 });
  });
});
