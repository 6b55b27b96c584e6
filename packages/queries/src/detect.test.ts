import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, detect, httpRouteOf, requestParts } from './detect.js';
import { loop, makeTrace } from './test-spans.js';

const noSite = () => undefined;
function findingsOf(spans: Parameters<typeof requestParts>[0], thresholds = DEFAULT_THRESHOLDS) {
  return requestParts(spans).flatMap((p) => detect(p, thresholds, noSite));
}
const kinds = (spans: Parameters<typeof requestParts>[0]) => findingsOf(spans).map((f) => f.kind);

describe('N+1 DB', () => {
  it('finds 5 sequential same-fingerprint siblings taking >= 50 ms', () => {
    const t = makeTrace();
    const r = t.root('GET /api/products', 100);
    loop(t, r, (i) => `SELECT SUM(quantity) FROM stock WHERE product_id = ${i}`, 5, 11);
    const [f] = findingsOf(t.spans);
    expect(f).toMatchObject({ kind: 'n+1', count: 5, route: 'GET /api/products', statement: 'select sum(quantity) from stock where product_id = ?', parallel: false });
    expect(f!.totalMs).toBeCloseTo(55);
    expect(f!.spanIds).toHaveLength(5);
  });

  it('ignores 4 repeats, and 5 that are fast and a small share of their request', () => {
    const a = makeTrace();
    loop(a, a.root('GET /a', 100), (i) => `SELECT * FROM t WHERE id = ${i}`, 4, 20);
    expect(kinds(a.spans)).toEqual([]);
    const b = makeTrace();
    loop(b, b.root('GET /b', 100), (i) => `SELECT * FROM t WHERE id = ${i}`, 5, 1);
    expect(kinds(b.spans)).toEqual([]); // 5 ms in all, 5% of the request
  });

  it('finds fast repeats that are most of their request (an embedded database)', () => {
    const t = makeTrace();
    loop(t, t.root('GET /api/orders', 2), (i) => `SELECT * FROM order_items WHERE order_id = ${i}`, 20, 0.05, 0.2);
    expect(findingsOf(t.spans)).toMatchObject([{ kind: 'n+1', count: 20 }]);
  });

  it('finds the Promise.all form (overlapping siblings) and says it is parallel', () => {
    const t = makeTrace();
    const r = t.root('GET /api/products', 40);
    const handler = t.span({ name: 'handler', parent: r, start: 0.5, duration: 39 });
    t.span({ name: 'auth', parent: handler, start: 0.6, duration: 0.2 });
    for (let i = 0; i < 8; i++) t.query(handler, `SELECT * FROM stock WHERE id = $1`, 1 + i * 0.1, 30);
    const [f] = findingsOf(t.spans);
    expect(f).toMatchObject({ kind: 'n+1', count: 8, parallel: true, parentSpanId: handler.spanId });
  });

  it('looks through pool connect spans', () => {
    const t = makeTrace();
    const r = t.root('GET /api/products', 100);
    for (let i = 0; i < 6; i++) {
      const c = t.span({ name: 'pg-pool.connect', kind: 'client', parent: r, start: i * 15, duration: 14, attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'shop' } });
      t.query(c, `SELECT * FROM stock WHERE id = ${i}`, i * 15 + 1, 12);
    }
    expect(findingsOf(t.spans)).toMatchObject([{ kind: 'n+1', count: 6, parentSpanId: r.spanId }]);
  });

  it('keeps different parents apart', () => {
    const t = makeTrace();
    const r = t.root('GET /x', 200);
    const a = t.span({ name: 'a', parent: r, start: 0, duration: 90 });
    const b = t.span({ name: 'b', parent: r, start: 100, duration: 90 });
    loop(t, a, () => 'SELECT 1 FROM t WHERE id = 1', 3, 20);
    loop(t, b, () => 'SELECT 1 FROM t WHERE id = 1', 3, 20, 101);
    expect(kinds(t.spans)).toEqual([]);
  });
});

describe('consecutive DB', () => {
  it('finds sequential independent SELECTs whose parallel run saves >= 100 ms and >= 10%', () => {
    const t = makeTrace();
    const r = t.root('GET /api/dashboard', 260);
    t.query(r, 'SELECT count(*) FROM orders', 1, 80);
    t.query(r, 'SELECT count(*) FROM customers', 81.5, 80);
    t.query(r, 'SELECT sum(total) FROM invoices', 162, 90);
    const [f] = findingsOf(t.spans);
    expect(f).toMatchObject({ kind: 'consecutive', count: 3 });
    expect(f!.savingMs).toBeCloseTo(160);
  });

  it('ignores overlapping queries, writes, app work between, and small savings', () => {
    const par = makeTrace();
    const r1 = par.root('GET /p', 1000);
    par.query(r1, 'SELECT a FROM x', 1, 150);
    par.query(r1, 'SELECT b FROM y', 2, 150);
    expect(kinds(par.spans)).toEqual([]);

    const write = makeTrace();
    const r2 = write.root('POST /w', 300);
    write.query(r2, 'SELECT a FROM x', 1, 90);
    write.query(r2, "UPDATE y SET b = 1", 92, 90);
    write.query(r2, 'SELECT c FROM z', 183, 90);
    expect(kinds(write.spans)).toEqual([]);

    const between = makeTrace();
    const r3 = between.root('GET /b', 300);
    between.query(r3, 'SELECT a FROM x', 1, 120);
    between.get(r3, 'http://pricing:3003/prices', 121.5, 1);
    between.query(r3, 'SELECT c FROM z', 123, 120);
    expect(kinds(between.spans)).toEqual([]);

    const small = makeTrace();
    const r4 = small.root('GET /s', 100);
    small.query(r4, 'SELECT a FROM x', 1, 40);
    small.query(r4, 'SELECT c FROM z', 42, 40);
    expect(kinds(small.spans)).toEqual([]);
  });
});

describe('slow query', () => {
  it('finds a query past 500 ms, and one that is most of its request', () => {
    const a = makeTrace();
    a.query(a.root('GET /report', 2000), 'SELECT * FROM big', 1, 600);
    expect(findingsOf(a.spans)).toMatchObject([{ kind: 'slow-query', count: 1 }]);
    const b = makeTrace();
    b.query(b.root('GET /report', 110), 'WITH r AS (SELECT * FROM orders) SELECT * FROM r', 2, 100);
    expect(findingsOf(b.spans)).toMatchObject([{ kind: 'slow-query', statement: 'with r as (select * from orders) select * from r' }]);
  });

  it('ignores a 100 ms query in a 1 s request and a 10 ms query that is the whole request', () => {
    const a = makeTrace();
    a.query(a.root('GET /x', 1000), 'SELECT 1', 1, 100);
    const b = makeTrace();
    b.query(b.root('GET /y', 11), 'SELECT 1', 0.5, 10);
    expect([...kinds(a.spans), ...kinds(b.spans)]).toEqual([]);
  });
});

describe('N+1 HTTP', () => {
  it('finds >= 10 same-route GETs starting within 5 ms, >= 300 ms in all', () => {
    const t = makeTrace();
    const r = t.root('GET /api/cart', 60);
    for (let i = 0; i < 10; i++) t.get(r, `http://inventory:3002/products/${i + 1}?x=1`, 1 + i * 0.4, 40);
    const [f] = findingsOf(t.spans);
    expect(f).toMatchObject({ kind: 'n+1-http', count: 10, statement: 'GET inventory:3002/products/:id', parallel: true });
  });

  it('ignores 9 calls, calls spread out in time, and cheap ones', () => {
    const few = makeTrace();
    const r1 = few.root('GET /a', 60);
    for (let i = 0; i < 9; i++) few.get(r1, `http://inv/products/${i}`, 1 + i * 0.1, 40);
    const spread = makeTrace();
    const r2 = spread.root('GET /b', 600);
    for (let i = 0; i < 12; i++) spread.get(r2, `http://inv/products/${i}`, 1 + i * 45, 40);
    const cheap = makeTrace();
    const r3 = cheap.root('GET /c', 60);
    for (let i = 0; i < 12; i++) cheap.get(r3, `http://inv/products/${i}`, 1 + i * 0.1, 5);
    expect([...kinds(few.spans), ...kinds(spread.spans), ...kinds(cheap.spans)]).toEqual([]);
  });

  it('names a route by url.template when there is one, else by id-like segments', () => {
    const t = makeTrace();
    const r = t.root('GET /', 1);
    const s = t.get(r, 'http://api.example.com/users/42/orders/9f86d081884c7d65?page=2', 0, 1);
    expect(httpRouteOf(s)).toBe('GET api.example.com/users/:id/orders/:id');
    s.attributes['url.template'] = '/users/{id}/orders/{order}';
    expect(httpRouteOf(s)).toBe('GET api.example.com/users/{id}/orders/{order}');
  });
});

describe('requestParts', () => {
  it('splits a trace into one part per local root (services of one trace apart)', () => {
    const t = makeTrace();
    const gw = t.root('GET /api/products', 50);
    const call = t.get(gw, 'http://orders:3001/products', 1, 48);
    const orders = t.span({ name: 'GET /products', kind: 'server', parent: call, start: 2, duration: 46, service: 'orders' });
    loop(t, orders, (i) => `SELECT * FROM stock WHERE id = ${i}`, 5, 9, 3);
    const parts = requestParts(t.spans);
    expect(parts.map((p) => [p.root.name, p.spans.length])).toEqual([
      ['GET /api/products', 2],
      ['GET /products', 6],
    ]);
    expect(findingsOf(t.spans)).toMatchObject([{ kind: 'n+1', service: 'orders', route: 'GET /products' }]);
  });
});
