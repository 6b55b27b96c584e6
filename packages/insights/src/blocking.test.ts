import { criticalPath } from '@debugpanel/flamegraph';
import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { BlockingCalls, isBlockingSpan, processOf } from './blocking.js';
import { InsightsEngine } from './engine.js';
import { digestTrace, type TraceDigest } from './digest.js';
import { rank } from './rank.js';

function span(traceId: string, spanId: string, parent: string | undefined, service: string, kind: SpanRecord['kind'], name: string, start: number, duration: number, attributes: SpanRecord['attributes'] = {}): SpanRecord {
  return {
    traceId: traceId.padStart(32, '0'), spanId: spanId.padStart(16, '0'), ...(parent ? { parentSpanId: parent.padStart(16, '0') } : {}),
    name, kind, service, startTime: start, duration, status: { code: 'unset' }, attributes, events: [],
  };
}
const SQL = { 'db.system.name': 'sqlite', 'db.namespace': 'orders.db', 'db.query.text': 'SELECT * FROM orders WHERE id = ?' };
const route = (r: string) => ({ 'http.request.method': 'GET', 'http.route': r });

describe('BlockingCalls', () => {
  it('keeps calls per process in start order and returns those overlapping a range', () => {
    const calls = new BlockingCalls(100);
    const a = span('1', '1', undefined, 'orders', 'client', 'SELECT', 100, 50, SQL);
    const b = span('2', '2', undefined, 'orders', 'client', 'SELECT', 10, 20, SQL); // arrived late, started earlier
    const other = span('3', '3', undefined, 'inventory', 'client', 'SELECT', 100, 50, SQL);
    for (const s of [a, b, other]) calls.add(s);
    expect(calls.count).toBe(3);
    expect([...calls.overlapping('orders', 0, 200)].map((c) => c.start).sort((x, y) => x - y)).toEqual([10, 100]);
    expect([...calls.overlapping('orders', 140, 160)].map((c) => c.start)).toEqual([100]);
    expect([...calls.overlapping('orders', 30, 100)]).toEqual([]); // touching ends do not overlap
    expect([...calls.overlapping('orders', 25, 26)].map((c) => c.start)).toEqual([10]);
    calls.prune(40);
    expect([...calls.overlapping('orders', 0, 200)].map((c) => c.start)).toEqual([100]);
    expect(calls.count).toBe(2);
  });

  it('is bounded: the oldest call of the fullest process goes, counted', () => {
    const calls = new BlockingCalls(3);
    for (let i = 0; i < 5; i++) calls.add(span(String(i + 1), String(i + 1), undefined, 'orders', 'client', 'SELECT', i * 10, 5, SQL));
    expect(calls.count).toBe(3);
    expect(calls.dropped).toBe(2);
    expect([...calls.overlapping('orders', 0, 100)].map((c) => c.start).sort((x, y) => x - y)).toEqual([20, 30, 40]);
  });

  it('tells processes apart by instance, and knows SQLite calls block', () => {
    const s = span('1', '1', undefined, 'orders', 'client', 'SELECT', 0, 1, SQL);
    expect(processOf(s)).toBe('orders');
    expect(processOf({ ...s, resource: { 'service.instance.id': 'b7' } })).toBe('orders\0b7');
    expect(isBlockingSpan(s)).toBe(true);
    expect(isBlockingSpan({ ...s, attributes: { 'db.system.name': 'postgresql' } })).toBe(false);
    expect(isBlockingSpan({ ...s, kind: 'server' })).toBe(false);
  });
});

describe('InsightsEngine.addSpans and blocking calls', () => {
  it("keeps a statement that is its trace's first span to arrive (children end, and arrive, first)", () => {
    const engine = new InsightsEngine({ criticalPath, now: () => 1000, source: { fine: () => [], coarse: () => [] } });
    const statement = span('9', 'b', 'a', 'orders', 'client', 'SELECT orders', 100, 51, SQL);
    engine.addSpans([statement]);
    expect(engine.stats().blockingCalls).toBe(1);
    engine.addSpans([span('9', 'c', 'a', 'orders', 'client', 'SELECT items', 160, 5, SQL), span('9', 'a', undefined, 'orders', 'server', 'GET /orders/:id', 95, 80, route('/orders/:id'))]);
    expect(engine.stats().blockingCalls).toBe(2);
  });
});

describe('digestTrace with blocking calls', () => {
  // Trace 1 (GET /orders/:id) runs a 51 ms synchronous statement at 100-151. Trace 2 (GET
  // /products), in the same process, waits: its call to inventory is answered at 140 but read
  // back at 151, when the statement lets go of the thread.
  const culprit = [
    span('1', 'a', undefined, 'orders', 'server', 'GET /orders/:id', 95, 60, route('/orders/:id')),
    span('1', 'b', 'a', 'orders', 'client', 'SELECT orders', 100, 51, SQL),
  ];
  const victim = [
    span('2', 'c', undefined, 'orders', 'server', 'GET /products', 80, 80, route('/products')),
    span('2', 'd', 'c', 'orders', 'client', 'GET', 82, 69, { 'http.request.method': 'GET', 'server.address': 'inventory' }),
    span('2', 'e', 'd', 'inventory', 'server', 'GET /products', 83, 57, route('/products')),
  ];
  const calls = new BlockingCalls(100);
  for (const s of [...culprit, ...victim]) if (isBlockingSpan(s)) calls.add(s);
  const blocking = (p: string, from: number, to: number) => calls.overlapping(p, from, to);

  it("charges the time another trace's statement held the thread to that statement, not to the waiting spans", () => {
    const plain = digestTrace(victim, criticalPath)!;
    const d = digestTrace(victim, criticalPath, undefined, undefined, undefined, blocking)!;
    const op = (x: typeof d, service: string, name: string) => x.ops.find((o) => o.service === service && o.operation === name);
    // without: the call's read-back (140-151) is the caller's; with: 11 ms of it were the statement's
    expect(op(plain, 'orders', 'GET')!.self).toBeCloseTo(11, 5);
    expect(op(d, 'orders', 'GET')!.self).toBeCloseTo(0, 5);
    const stmt = op(d, 'orders', 'SELECT * FROM orders WHERE id = ?')!;
    expect(stmt).toMatchObject({ count: 0, kind: 'self-time', system: 'sqlite' });
    expect(stmt.blocked).toBeCloseTo(11, 5);
    expect(stmt.self).toBeCloseTo(11, 5);
    // the trace's total on the path is unchanged: time moved, none made up
    const sum = (x: typeof d) => x.ops.reduce((a, o) => a + o.self, 0);
    expect(sum(d)).toBeCloseTo(sum(plain), 5);
    // the culprit's own statement is its own time, not blocked time
    const own = digestTrace(culprit, criticalPath, undefined, undefined, undefined, blocking)!;
    expect(op(own, 'orders', 'SELECT * FROM orders WHERE id = ?')).toMatchObject({ count: 1, self: 51 });
    expect(op(own, 'orders', 'SELECT * FROM orders WHERE id = ?')!.blocked).toBeUndefined();
  });

  it("charges a request the callee could not read yet (its thread busy) to the callee's blocking statement", () => {
    // gateway calls orders at 110; orders' span starts at 151, when the statement released the thread
    const late = [
      span('4', 'f', undefined, 'gateway', 'server', 'GET /api/products', 100, 80, route('/api/products')),
      span('4', 'g', 'f', 'gateway', 'client', 'GET', 110, 60, { 'http.request.method': 'GET', 'server.address': 'orders' }),
      span('4', 'h', 'g', 'orders', 'server', 'GET /products', 151, 18, route('/products')),
    ];
    const d = digestTrace(late, criticalPath, undefined, undefined, undefined, blocking)!;
    const op = (service: string, name: string) => d.ops.find((o) => o.service === service && o.operation === name);
    // 110-151 waited: 41 ms, all inside the statement (100-151)
    expect(op('orders', 'SELECT * FROM orders WHERE id = ?')!.blocked).toBeCloseTo(41, 5);
    expect(op('orders', 'GET /products')!.self).toBeCloseTo(18, 5);
    expect(op('gateway', 'GET')!.self).toBeCloseTo(1, 5);
  });
});

describe('rank with a blocked event loop', () => {
  /**
   * orders, each second: a GET /orders/:id whose statement runs 5 ms in (0.5 ms, then 51 ms with
   * the fault) and three GET /products, which call inventory (answered after 21 ms) and do 3 ms
   * of their own work. A synchronous statement blocks the thread: the GET /products whose answer
   * arrives while it runs (the one that started 10 ms before) reads it only when it ends.
   */
  function traffic(from: number, seconds: number, statementMs: number): SpanRecord[][] {
    const traces: SpanRecord[][] = [];
    for (let k = 0; k < seconds; k++) {
      const t = from + k * 1000;
      const stmt = { start: t + 5, end: t + 5 + statementMs };
      traces.push([
        span(`o${t}`, 'a', undefined, 'orders', 'server', 'GET /orders/:id', t, statementMs + 7, route('/orders/:id')),
        span(`o${t}`, 'b', 'a', 'orders', 'client', 'SELECT orders', stmt.start, statementMs, SQL),
      ]);
      for (const v of [t - 10, t + 250, t + 500]) {
        const answer = v + 21;
        const read = answer >= stmt.start && answer < stmt.end ? stmt.end : answer;
        traces.push([
          span(`p${v}`, 'c', undefined, 'orders', 'server', 'GET /products', v, read - v + 3, route('/products')),
          span(`p${v}`, 'd', 'c', 'orders', 'client', 'GET', v, read - v, { 'http.request.method': 'GET', 'server.address': 'inventory' }),
          span(`p${v}`, 'e', 'd', 'inventory', 'server', 'GET /products', v + 0.5, 20, route('/products')),
        ]);
      }
    }
    return traces;
  }
  const digests = (traces: SpanRecord[][], withBlocking: boolean): TraceDigest[] => {
    const calls = new BlockingCalls(10_000);
    for (const tr of traces) for (const s of tr) if (isBlockingSpan(s)) calls.add(s);
    return traces.map((tr) => digestTrace(tr, criticalPath, undefined, undefined, undefined, withBlocking ? (p, a, b) => calls.overlapping(p, a, b) : undefined)!);
  };
  const STMT = 'SELECT * FROM orders WHERE id = ?';
  const scopes = ['route:orders:GET /products'];
  const before = traffic(10_000, 60, 0.5);
  const after = traffic(80_000, 20, 51);

  it('without the blocking calls, the victim route blames its own call (the cause of the miss)', () => {
    const r = rank({ signal: 'latency', scopes, window: digests(after, false), baseline: digests(before, false) });
    expect(r.anomalous).toBe(20);
    expect(r.suspects[0]).toMatchObject({ service: 'orders', operation: 'GET' });
    expect(r.suspects.some((s) => s.operation === STMT)).toBe(false);
  });

  it('ranks the statement above the call whose time it held, even for an anomaly of a route that never runs it', () => {
    const r = rank({ signal: 'latency', scopes, window: digests(after, true), baseline: digests(before, true) });
    expect(r.anomalous).toBe(20);
    expect(r.suspects[0]).toMatchObject({ service: 'orders', operation: STMT, kind: 'self-time' });
    // inventory answered 20.5 ms into the call, at 10.5 ms of the second; the statement let go at 56
    expect(r.suspects[0]!.evidence.after).toBeCloseTo(45.5, 5);
    expect(r.suspects.find((s) => s.operation === 'GET')).toBeUndefined();
    expect(r.suspects[0]!.evidence.sentence).toMatch(/synchronous: while it ran, orders's other requests waited \(45.5 ms of each slow trace/);
    // the query evidence counts the requests that ran it, not those it blocked: none of this route's
    expect(r.suspects[0]!.evidence.query).toMatchObject({ callsBefore: 0, callsAfter: 0, samplesAfter: 0 });
  });

  it('an incident of the route that runs it names it too (its own time, plus the time it held others)', () => {
    const r = rank({ signal: 'latency', scopes: ['service:orders'], window: digests(after, true), baseline: digests(before, true) });
    expect(r.suspects[0]).toMatchObject({ service: 'orders', operation: STMT });
    expect(r.suspects[0]!.score).toBeGreaterThan(0.8);
    expect(r.suspects[0]!.evidence.query).toMatchObject({ callsBefore: 1, callsAfter: 1, p95After: 51 });
    // examples: the traces that ran it come first
    expect(r.suspects[0]!.evidence.anomalousTraces[0]).toMatch(/^0*o/);
  });
});
