import { describe, expect, it } from 'vitest';
import { completenessText, learnHosts, nodeLabel, spanLabel, traceCompleteness } from './completeness.js';
import { sid, span } from './test-spans.js';

// gateway -> orders (host 127.0.0.1:3001) -> inventory (peer.service), plus an outside API call.
const gwServer = span('1', undefined, 0, 20, { kind: 'server', service: 'gateway', attributes: { 'server.address': '127.0.0.1', 'server.port': 3000 } });
const gwCall = span('2', '1', 1, 15, { kind: 'client', service: 'gateway', name: 'GET', attributes: { 'server.address': '127.0.0.1', 'server.port': 3001 } });
const ordersServer = span('3', '2', 2, 12, { kind: 'server', service: 'orders', attributes: { 'server.address': '127.0.0.1', 'server.port': 3001 } });
const ordersCall = span('4', '3', 3, 8, { kind: 'client', service: 'orders', name: 'GET', attributes: { 'peer.service': 'inventory' } });
const invServer = span('5', '4', 4, 6, { kind: 'server', service: 'inventory' });
const invQuery = span('6', '5', 5, 1, { kind: 'client', service: 'inventory', attributes: { 'db.system': 'sqlite', 'db.namespace': 'inv.db' } });
const stripe = span('7', '3', 4, 2, { kind: 'client', service: 'orders', attributes: { 'server.address': 'api.stripe.com' } });

describe('traceCompleteness', () => {
  it('calls a whole trace complete (database and outside-host calls expect no spans)', () => {
    const spans = [gwServer, gwCall, ordersServer, ordersCall, invServer, invQuery, stripe];
    const c = traceCompleteness(spans, learnHosts(spans));
    expect(c).toMatchObject({ complete: true, orphans: [], awaiting: [], expectedServices: [] });
    expect(completenessText(c)).toBeUndefined();
  });

  it('names the service a call still waits for, by peer.service or by a host learned from an earlier trace', () => {
    const known = learnHosts([gwServer, gwCall, ordersServer]);
    expect(known.get('127.0.0.1:3001')).toBe('orders');
    // Only the gateway's spans have arrived: its call to orders' address waits.
    const early = traceCompleteness([gwServer, gwCall], known);
    expect(early.complete).toBe(false);
    expect(early.awaiting.map((a) => [a.span.spanId, a.service])).toEqual([[sid('2'), 'orders']]);
    expect(completenessText(early)).toBe('1 call waiting for spans from orders');
    // Without that knowledge the address could be any outside host: not counted as waiting.
    expect(traceCompleteness([gwServer, gwCall]).complete).toBe(true);
    // orders arrived; inventory (peer.service) not yet.
    const later = traceCompleteness([gwServer, gwCall, ordersServer, ordersCall], known);
    expect(later.expectedServices).toEqual(['inventory']);
  });

  it('reports spans whose parent has not arrived, and clears once it does', () => {
    // inventory arrived before orders: its server span points at orders' client span.
    const spans = [gwServer, gwCall, invServer, invQuery];
    const c = traceCompleteness(spans, learnHosts(spans));
    expect(c.orphans.map((s) => s.spanId)).toEqual([sid('5')]);
    expect(c.missingParents).toEqual([sid('4')]);
    expect(completenessText(c)).toMatch(/^1 span refers to a parent not seen yet/);
    const whole = [...spans, ordersServer, ordersCall];
    expect(traceCompleteness(whole, learnHosts(whole)).complete).toBe(true);
  });

  it('counts several orphans of several parents', () => {
    const a = span('8', 'f1', 0, 1);
    const b = span('9', 'f1', 0, 1);
    const d = span('a', 'f2', 0, 1);
    expect(completenessText(traceCompleteness([a, b, d]))).toBe('3 spans refer to 2 parents not seen yet');
  });

  it('ignores a span that names itself as parent (bad data the tree already cuts)', () => {
    expect(traceCompleteness([span('1', '1', 0, 1)]).complete).toBe(true);
  });
});

describe('learnHosts', () => {
  it('keeps at most cap hosts, the newest', () => {
    const known = new Map<string, string>();
    for (let i = 0; i < 5; i++) learnHosts([span(String(i + 1), undefined, 0, 1, { kind: 'server', service: `s${i}`, attributes: { 'server.address': `h${i}` } })], known, 3);
    expect([...known.keys()]).toEqual(['h2', 'h3', 'h4']);
  });

  it('learns a callee host from the server span of another service below a client span', () => {
    const call = span('1', undefined, 0, 5, { kind: 'client', service: 'a', attributes: { 'url.full': 'http://b.internal:8080/x' } });
    const srv = span('2', '1', 1, 3, { kind: 'server', service: 'b' });
    expect(learnHosts([call, srv]).get('b.internal:8080')).toBe('b');
  });
});

describe('spanLabel', () => {
  const known = new Map([['127.0.0.1:3001', 'orders']]);
  it('names an HTTP client span by method, callee service and path', () => {
    const c = span('1', undefined, 0, 1, { kind: 'client', name: 'GET', attributes: { 'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:3001/products?x=1', 'server.address': '127.0.0.1', 'server.port': 3001 } });
    expect(spanLabel(c, undefined, known)).toBe('GET orders /products');
    expect(spanLabel(c, 'orders-2', known)).toBe('GET orders-2 /products');
    expect(spanLabel(c, undefined, new Map())).toBe('GET 127.0.0.1:3001 /products');
  });
  it('names a call whose server half never arrived after the service at its address (model calleeOf with known hosts)', () => {
    const known6 = learnHosts([span('9', undefined, 0, 1, { kind: 'server', service: 'inventory', attributes: { 'server.address': '::1', 'server.port': 3002 } })]);
    const old = span('1', undefined, 0, 1, { kind: 'client', name: 'HTTP POST', attributes: { 'http.method': 'POST', 'http.url': 'http://[::1]:3002/reserve' } });
    expect(spanLabel(old, undefined, known6)).toBe('POST inventory /reserve');
    const bare = span('2', undefined, 0, 1, { kind: 'client', name: 'GET', attributes: { 'http.request.method': 'GET' } });
    expect(spanLabel(bare, undefined, known)).toBe('GET');
  });
  it('names a tree node by its server child of another service first (nodeLabel)', () => {
    const c = span('1', undefined, 0, 1, { kind: 'client', name: 'GET', service: 'gateway', attributes: { 'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:3001/products' } });
    const own = span('2', '1', 0, 1, { kind: 'internal', service: 'gateway', name: 'retry' });
    const srv = span('3', '1', 0, 1, { kind: 'server', service: 'orders-canary', name: 'GET /products' });
    expect(nodeLabel({ span: c, children: [{ span: own }, { span: srv }] }, known)).toBe('GET orders-canary /products');
    expect(nodeLabel({ span: c, children: [] }, known)).toBe('GET orders /products');
    expect(nodeLabel({ span: srv, children: [] }, known)).toBe('GET /products');
  });
  it('keeps names that already say more, and other kinds', () => {
    expect(spanLabel(span('1', undefined, 0, 1, { kind: 'client', name: 'charge card', attributes: { 'http.request.method': 'POST' } }), undefined, known)).toBe('charge card');
    expect(spanLabel(span('1', undefined, 0, 1, { kind: 'server', name: 'GET' }), undefined, known)).toBe('GET');
  });
});
