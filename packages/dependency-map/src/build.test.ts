import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { buildDependencyMap } from './build.js';
import { whatFailsWith } from './impact.js';
import type { DependencyMap } from './types.js';

let seq = 0;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
function span(traceId: string, kind: SpanRecord['kind'], service: string, parent?: SpanRecord, extra: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId, spanId: hex(++seq, 16), parentSpanId: parent?.spanId, name: `${kind} ${service}`, kind, service,
    startTime: 0, duration: 10, status: { code: 'unset' }, attributes: {}, events: [], ...extra,
  };
}
const err = { status: { code: 'error' as const } };

/** gateway -> orders -> inventory -> SQLite, the demo's shape; `fail` makes inventory's query fail. */
function shopTrace(t: number, opts: { fail?: boolean; ordersRecovers?: boolean; ms?: number } = {}): SpanRecord[] {
  const id = hex(t + 1, 32);
  const failed = opts.fail ? err : {};
  const gw = span(id, 'server', 'gateway', undefined, { ...(opts.fail && !opts.ordersRecovers ? err : {}), duration: opts.ms ?? 50 });
  const gwMid = span(id, 'internal', 'gateway', gw);
  const gwOut = span(id, 'client', 'gateway', gwMid, { ...(opts.fail && !opts.ordersRecovers ? err : {}), duration: opts.ms ?? 40 });
  const ord = span(id, 'server', 'orders', gwOut, opts.fail && !opts.ordersRecovers ? err : {});
  const ordOut = span(id, 'client', 'orders', ord, failed);
  const inv = span(id, 'server', 'inventory', ordOut, failed);
  const db = span(id, 'client', 'inventory', inv, {
    ...failed, attributes: { 'db.system': 'sqlite', 'db.namespace': 'shop', 'db.query.text': 'SELECT 1' },
  });
  return [db, inv, ordOut, ord, gwOut, gwMid, gw]; // in end order, as they arrive
}
const edge = (m: DependencyMap, id: string) => m.edges.find((e) => e.id === id);
const node = (m: DependencyMap, id: string) => m.nodes.find((n) => n.id === id);

describe('buildDependencyMap', () => {
  it('pairs client and server spans across services and ends at the database node', () => {
    const m = buildDependencyMap([...shopTrace(1), ...shopTrace(2), ...shopTrace(3)]);
    expect(m.edges.map((e) => [e.id, e.requests])).toEqual([
      ['svc:gateway->svc:orders', 3],
      ['svc:inventory->db:sqlite:shop', 3],
      ['svc:orders->svc:inventory', 3],
      ['user->svc:gateway', 3],
    ]);
    expect(m.nodes.map((n) => [n.id, n.kind, n.instrumented, n.requests])).toEqual([
      ['db:sqlite:shop', 'database', false, 3],
      ['svc:gateway', 'service', true, 3],
      ['svc:inventory', 'service', true, 3],
      ['svc:orders', 'service', true, 3],
      ['user', 'user', false, 3],
    ]);
    expect(node(m, 'db:sqlite:shop')!.system).toBe('sqlite');
  });

  it('makes no self-edges for parent and child spans inside one service', () => {
    const id = hex(9, 32);
    const root = span(id, 'server', 'api');
    const a = span(id, 'internal', 'api', root);
    const b = span(id, 'internal', 'api', a);
    const nested = span(id, 'server', 'api', b); // a server span under an internal one of its own service
    const m = buildDependencyMap([root, a, b, nested]);
    expect(m.edges.map((e) => e.id)).toEqual(['user->svc:api']);
    expect(m.edges.every((e) => e.source !== e.target)).toBe(true);
  });

  it('sends root server spans, and server spans whose caller never reported, from the user node', () => {
    const id = hex(10, 32);
    const root = span(id, 'server', 'web');
    const remote = span(id, 'server', 'web', undefined, { parentSpanId: 'aaaaaaaaaaaaaaaa' });
    const m = buildDependencyMap([root, remote]);
    expect(edge(m, 'user->svc:web')!.requests).toBe(2);
    expect(edge(m, 'user->svc:web')!.callerNotSeen).toBe(1); // the one with a parent id the map lacks
    expect(node(m, 'user')).toMatchObject({ kind: 'user', requests: 2 });
  });

  it('marks a user edge of a server span whose caller has not arrived (the demo hub\'s passing "user -> inventory")', () => {
    // The hub holds inventory's spans of trace 2 before orders' (they come over OTLP a moment later).
    const t1 = hex(31, 32);
    const ord1 = span(t1, 'server', 'orders');
    const out1 = span(t1, 'client', 'orders', ord1);
    const inv1 = span(t1, 'server', 'inventory', out1);
    const inv2 = span(hex(32, 32), 'server', 'inventory', undefined, { parentSpanId: 'bbbbbbbbbbbbbbbb' });
    const m = buildDependencyMap([ord1, out1, inv1, inv2]);
    expect(edge(m, 'svc:orders->svc:inventory')!.requests).toBe(1);
    expect(edge(m, 'user->svc:inventory')).toMatchObject({ requests: 1, callerNotSeen: 1 });
    expect(edge(m, 'user->svc:orders')!.callerNotSeen).toBeUndefined();
    // Nobody outside calls inventory: only orders may fail with it (its call never failed), and
    // user through orders (its root request), not through the edge of the late trace.
    expect(whatFailsWith(m, 'svc:inventory')).toEqual({ fails: [], mayFail: ['svc:orders', 'user'] });
    const soft = buildDependencyMap([ord1, { ...out1, status: { code: 'error' } }, inv1, inv2]);
    expect(edge(soft, 'svc:orders->svc:inventory')!.impact).toBe('soft');
    expect(whatFailsWith(soft, 'svc:inventory')).toEqual({ fails: [], mayFail: [] });
    // A real root request to inventory (no parent at all) does make user fail with it.
    const direct = span(hex(33, 32), 'server', 'inventory');
    expect(whatFailsWith(buildDependencyMap([ord1, out1, inv1, inv2, direct]), 'svc:inventory').fails).toEqual(['user']);
  });

  it('names a call to a known service\'s address after that service when its server half never arrived (no phantom host node)', () => {
    // Trace 1: gateway -> orders, whole; orders' server span says where it was reached.
    const t1 = hex(21, 32);
    const gw1 = span(t1, 'server', 'gateway');
    const out1 = span(t1, 'client', 'gateway', gw1, { attributes: { 'server.address': '127.0.0.1', 'server.port': 3001 } });
    const ord1 = span(t1, 'server', 'orders', out1, { attributes: { 'server.address': '127.0.0.1', 'server.port': 3001 } });
    // Trace 2: the same call, orders' half not (yet) here.
    const t2 = hex(22, 32);
    const gw2 = span(t2, 'server', 'gateway');
    const out2 = span(t2, 'client', 'gateway', gw2, { attributes: { 'server.address': '127.0.0.1', 'server.port': 3001 } });
    // Trace 3: a host no service answered at stays external.
    const out3 = span(t2, 'client', 'gateway', gw2, { attributes: { 'server.address': 'api.stripe.com' } });
    for (const order of [[gw1, out1, ord1, gw2, out2, out3], [gw2, out2, out3, gw1, out1, ord1]]) {
      const m = buildDependencyMap(order);
      expect(m.nodes.map((n) => n.id).sort()).toEqual(['ext:api.stripe.com', 'svc:gateway', 'svc:orders', 'user']);
      expect(edge(m, 'svc:gateway->svc:orders')!.requests).toBe(2);
      expect(node(m, 'svc:orders')!.instrumented).toBe(true);
    }
  });

  it('learns a service\'s address from a paired call too (a proxy\'s Host header differs), so its late calls are that service', () => {
    const t1 = hex(51, 32);
    const gw1 = span(t1, 'server', 'gateway');
    const out1 = span(t1, 'client', 'gateway', gw1, { attributes: { 'url.full': 'http://orders.internal:8080/products' } });
    const ord1 = span(t1, 'server', 'orders', out1, { attributes: { 'server.address': 'orders-7f9c', 'server.port': 3001 } });
    const t2 = hex(52, 32);
    const gw2 = span(t2, 'server', 'gateway');
    const out2 = span(t2, 'client', 'gateway', gw2, { attributes: { 'url.full': 'http://orders.internal:8080/orders' } });
    const m = buildDependencyMap([gw2, out2, gw1, out1, ord1]);
    expect(m.nodes.map((n) => n.id)).toEqual(['svc:gateway', 'svc:orders', 'user']);
    expect(edge(m, 'svc:gateway->svc:orders')!.requests).toBe(2);
  });

  it('names virtual nodes with model calleeOf: database, peer.service, messaging and address attributes', () => {
    const id = hex(11, 32);
    const root = span(id, 'server', 'app');
    const c = (attributes: Record<string, string | number>) => span(id, 'client', 'app', root, { attributes });
    const m = buildDependencyMap([
      root,
      c({ 'db.system.name': 'postgresql', 'db.namespace': 'orders', 'server.address': 'pg' }),
      c({ 'db.system': 'redis', 'server.address': 'cache' }),
      c({ 'peer.service': 'billing', 'server.address': 'billing.internal' }),
      c({ 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' }),
      c({ 'server.address': 'api.stripe.com', 'server.port': 443 }),
      c({ 'server.address': 'localhost', 'server.port': 3002 }),
      c({ 'url.full': 'https://example.com/x' }),
      c({}),
    ]);
    expect(m.nodes.filter((n) => n.id !== 'user' && n.id !== 'svc:app').map((n) => [n.id, n.kind, n.name])).toEqual([
      ['db:postgresql:orders', 'database', 'postgresql orders'],
      ['db:redis:cache', 'database', 'redis cache'],
      ['ext:api.stripe.com', 'external', 'api.stripe.com'],
      ['ext:example.com', 'external', 'example.com'],
      ['ext:kafka orders', 'external', 'kafka orders'],
      ['ext:localhost:3002', 'external', 'localhost:3002'],
      ['ext:unknown', 'external', 'unknown'],
      ['svc:billing', 'service', 'billing'],
    ]);
    expect(node(m, 'svc:billing')!.instrumented).toBe(false);
  });

  it('keeps the in-memory databases of two services apart', () => {
    const id = hex(17, 32);
    const root = span(id, 'server', 'orders');
    const mem = { 'db.system': 'sqlite', 'db.namespace': ':memory:' };
    const out = span(id, 'client', 'orders', root);
    const inv = span(id, 'server', 'inventory', out);
    const m = buildDependencyMap([root, out, inv, span(id, 'client', 'orders', root, { attributes: mem }), span(id, 'client', 'inventory', inv, { attributes: mem })]);
    expect(m.nodes.filter((n) => n.kind === 'database').map((n) => [n.id, n.name])).toEqual([
      ['db:sqlite:inventory/:memory:', 'sqlite :memory: (inventory)'],
      ['db:sqlite:orders/:memory:', 'sqlite :memory: (orders)'],
    ]);
  });

  it('joins a peer.service node with the service once that service reports its own spans', () => {
    const t1 = hex(12, 32);
    const r1 = span(t1, 'server', 'app');
    const unpaired = span(t1, 'client', 'app', r1, { attributes: { 'peer.service': 'billing' } });
    const t2 = hex(13, 32);
    const r2 = span(t2, 'server', 'app');
    const out = span(t2, 'client', 'app', r2);
    const bill = span(t2, 'server', 'billing', out);
    const m = buildDependencyMap([r1, unpaired, r2, out, bill]);
    expect(edge(m, 'svc:app->svc:billing')!.requests).toBe(2);
    expect(node(m, 'svc:billing')).toMatchObject({ instrumented: true, requests: 2 });
  });

  it('counts a call when context crossed services without a client span', () => {
    const id = hex(14, 32);
    const root = span(id, 'server', 'front');
    const work = span(id, 'internal', 'front', root);
    const back = span(id, 'server', 'back', work);
    expect(edge(buildDependencyMap([root, work, back]), 'svc:front->svc:back')!.requests).toBe(1);
  });

  it('counts every consumer of one produced message as a call', () => {
    const id = hex(16, 32);
    const root = span(id, 'server', 'shop');
    const send = span(id, 'producer', 'shop', root);
    const c1 = span(id, 'consumer', 'mailer', send);
    const c2 = span(id, 'consumer', 'ledger', send);
    const m = buildDependencyMap([root, send, c1, c2]);
    expect(m.edges.map((e) => [e.id, e.requests])).toEqual([['svc:shop->svc:ledger', 1], ['svc:shop->svc:mailer', 1], ['user->svc:shop', 1]]);
  });

  it('counts as many edge and node errors as there are error spans', () => {
    const spans: SpanRecord[] = [];
    for (let t = 0; t < 10; t++) spans.push(...shopTrace(100 + t, { fail: t % 3 === 0 }));
    const m = buildDependencyMap(spans);
    const errorSpans = (service: string, kind: string) => spans.filter((s) => s.service === service && s.kind === kind && s.status.code === 'error').length;
    expect(errorSpans('inventory', 'server')).toBe(4);
    expect(edge(m, 'svc:orders->svc:inventory')!.errors).toBe(errorSpans('inventory', 'server'));
    expect(node(m, 'svc:inventory')!.errors).toBe(errorSpans('inventory', 'server'));
    expect(edge(m, 'svc:inventory->db:sqlite:shop')!.errors).toBe(errorSpans('inventory', 'client'));
    expect(node(m, 'db:sqlite:shop')!.errors).toBe(errorSpans('inventory', 'client'));
    expect(edge(m, 'user->svc:gateway')!.errors).toBe(errorSpans('gateway', 'server'));
    expect(node(m, 'svc:orders')).toMatchObject({ requests: 10, errors: errorSpans('orders', 'server') });
  });

  it('counts an HTTP 5xx server span as an error', () => {
    const id = hex(15, 32);
    const s = span(id, 'server', 'api', undefined, { attributes: { 'http.response.status_code': 503 } });
    expect(buildDependencyMap([s]).edges[0]!.errors).toBe(1);
  });

  it('tells hard dependencies (the caller failed too) from soft ones (the caller recovered)', () => {
    const spans: SpanRecord[] = [];
    for (let t = 0; t < 4; t++) spans.push(...shopTrace(200 + t, { fail: true, ordersRecovers: true }));
    spans.push(...shopTrace(300, { fail: true }), ...shopTrace(301));
    const m = buildDependencyMap(spans);
    // inventory's server span failed every time the query did: the database is a hard dependency.
    expect(edge(m, 'svc:inventory->db:sqlite:shop')).toMatchObject({ errors: 5, failures: { hard: 5, soft: 0 }, impact: 'hard' });
    // orders recovered from 4 of 5 failed calls to inventory.
    expect(edge(m, 'svc:orders->svc:inventory')).toMatchObject({ failures: { hard: 1, soft: 4 }, impact: 'soft' });
    expect(edge(m, 'svc:gateway->svc:orders')).toMatchObject({ failures: { hard: 1, soft: 0 }, impact: 'hard' });
    expect(edge(buildDependencyMap(shopTrace(400)), 'svc:gateway->svc:orders')!.impact).toBe('unknown');
    expect(edge(buildDependencyMap(spans, { hardThreshold: 0.2 }), 'svc:orders->svc:inventory')!.impact).toBe('hard');
  });

  it('has exact latency percentiles per edge and node', () => {
    const spans: SpanRecord[] = [];
    for (let t = 1; t <= 100; t++) spans.push(...shopTrace(500 + t, { ms: t }));
    const m = buildDependencyMap(spans);
    expect(edge(m, 'user->svc:gateway')!.latency).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(node(m, 'svc:gateway')!.latency).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(edge(m, 'svc:gateway->svc:orders')!.latency.p99).toBe(99); // the client span's duration
  });

  it('keeps a few recent trace ids per edge, newest first', () => {
    const spans: SpanRecord[] = [];
    for (let t = 0; t < 8; t++) spans.push(...shopTrace(600 + t));
    const ids = edge(buildDependencyMap(spans, { maxTraceIdsPerEdge: 3 }), 'svc:gateway->svc:orders')!.traceIds;
    expect(ids).toEqual([hex(608, 32), hex(607, 32), hex(606, 32)]);
  });

  it('refuses bad options with a message', () => {
    expect(() => buildDependencyMap([], { hardThreshold: 2 })).toThrow(/hardThreshold/);
    expect(() => buildDependencyMap([], { maxTraceIdsPerEdge: -1 })).toThrow(/maxTraceIdsPerEdge/);
    expect(() => buildDependencyMap([], { hardTreshold: 0.5 } as never)).toThrow(/buildDependencyMap: unknown option "hardTreshold"; did you mean "hardThreshold"\?/);
  });

  it('returns an empty map for no spans', () => {
    expect(buildDependencyMap([])).toEqual({ nodes: [], edges: [] });
  });
});

describe('whatFailsWith', () => {
  const spans: SpanRecord[] = [];
  for (let t = 0; t < 3; t++) spans.push(...shopTrace(700 + t, { fail: true }));
  it('walks callers through hard edges up to the user', () => {
    const m = buildDependencyMap(spans);
    expect(whatFailsWith(m, 'db:sqlite:shop')).toEqual({ fails: ['svc:inventory', 'svc:orders', 'svc:gateway', 'user'], mayFail: [] });
  });
  it('stops at a caller that recovers, and lists callers never seen failing as may-fail', () => {
    const recovering: SpanRecord[] = [];
    for (let t = 0; t < 3; t++) recovering.push(...shopTrace(800 + t, { fail: true, ordersRecovers: true }));
    expect(whatFailsWith(buildDependencyMap(recovering), 'svc:inventory')).toEqual({ fails: [], mayFail: [] });
    const healthy = buildDependencyMap(shopTrace(900));
    expect(whatFailsWith(healthy, 'svc:inventory')).toEqual({ fails: [], mayFail: ['svc:orders', 'svc:gateway', 'user'] });
  });
});
