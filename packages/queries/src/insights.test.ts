import { describe, expect, it } from 'vitest';
import { QueryInsights } from './insights.js';
import { Histogram } from './histogram.js';
import { loop, makeTrace } from './test-spans.js';

const site = (file: string, line: number) => ({ 'code.file.path': file, 'code.line.number': line, 'code.column.number': 7 });

function productsRequest(insights: QueryInsights, items: number, withSite = true) {
  const t = makeTrace();
  const r = t.root('GET /api/products', 20 + items * 3);
  t.query(r, 'SELECT id, name FROM products ORDER BY id', 0.5, 1);
  loop(t, r, (i) => `SELECT SUM(quantity) FROM stock WHERE product_id = ${i}`, items, 2.5, 2, withSite ? site('/app/dist/db/inventory.js', 42) : {});
  insights.addTrace(t.spans);
  return t;
}

describe('QueryInsights', () => {
  it('aggregates N+1 findings by route and call site, and tells a loop from a fixed fan-out', () => {
    const insights = new QueryInsights({ resolveCallSite: (file, line) => (file.endsWith('inventory.js') ? `src/db/inventory.ts:${line - 2}` : undefined) });
    productsRequest(insights, 20);
    productsRequest(insights, 21, false); // no stack captured this time: the route's known call site is used
    productsRequest(insights, 19);
    const [f, ...rest] = insights.findings();
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      kind: 'n+1',
      route: 'GET /api/products',
      callSite: 'src/db/inventory.ts:40',
      requests: 3,
      routeRequests: 3,
      repeats: { min: 19, max: 21, mean: 20 },
      pattern: 'loop',
    });
    expect(f!.timeShare).toBeGreaterThan(0.5);
    expect(f!.exampleTraceIds).toHaveLength(3);
    expect(f!.summary).toMatch(/^src\/db\/inventory.ts:40 runs 19-21 queries per request in GET \/api\/products \(3 of 3 requests, \d+% of that route's time\)$/);

    const fan = new QueryInsights();
    for (let i = 0; i < 3; i++) productsRequest(fan, 8);
    expect(fan.findings()[0]).toMatchObject({ pattern: 'fan-out', repeats: { min: 8, max: 8 } });
  });

  it('keeps statistics per fingerprint: count, percentiles, rows, errors, routes, call sites, examples, series', () => {
    const insights = new QueryInsights();
    const t = makeTrace();
    const r = t.root('GET /api/orders', 100);
    for (let i = 0; i < 10; i++) t.query(r, `SELECT * FROM orders WHERE id = ${i}`, i * 5, i + 1, { 'db.response.returned_rows': 2, ...site('/app/o.js', 9) });
    const failed = t.query(r, 'SELECT * FROM orders WHERE id = 99', 60, 0.5);
    failed.status = { code: 'error' };
    insights.addTrace(t.spans);
    const [q] = insights.queries();
    expect(q).toMatchObject({ statement: 'select * from orders where id = ?', system: 'postgresql', namespace: 'shop', operation: 'SELECT', collection: 'orders', count: 11, errors: 1, rows: 20, service: 'shop' });
    expect(q!.totalMs).toBeCloseTo(55.5);
    expect(q!.p50Ms).toBeGreaterThan(4.8);
    expect(q!.p50Ms).toBeLessThan(6.2);
    expect(q!.maxMs).toBe(10);
    expect(q!.p99Ms).toBeLessThanOrEqual(10);
    expect(q!.share).toBeCloseTo(0.555);
    expect(q!.routes).toEqual([{ route: 'GET /api/orders', count: 11, requests: 1, totalMs: expect.closeTo(55.5), share: expect.closeTo(0.555) }]);
    expect(q!.callSites).toEqual([{ callSite: '/app/o.js:9', count: 10 }]);
    expect(q!.slowest).toMatchObject({ traceId: t.traceId, durationMs: 10 });
    expect(q!.typical).toBeDefined();
    expect(q!.series.count.reduce((a, b) => a + b, 0)).toBe(11);
    expect(insights.query(q!.fingerprint)).toHaveLength(1);
    expect(insights.query('0000000000000000')).toEqual([]);
  });

  it('sorts by total, p95 and count', () => {
    const insights = new QueryInsights();
    const t = makeTrace();
    const r = t.root('GET /x', 1000);
    for (let i = 0; i < 10; i++) t.query(r, 'SELECT a FROM many', i, 1); // count 10, total 10
    t.query(r, 'SELECT b FROM slow', 20, 50); // count 1, total 50, p95 50
    for (let i = 0; i < 3; i++) t.query(r, 'SELECT c FROM mid', 100 + i * 30, 20); // total 60, p95 20
    insights.addTrace(t.spans);
    const order = (sort: 'total' | 'p95' | 'count') => insights.queries({ sort }).map((q) => q.collection);
    expect(order('total')).toEqual(['mid', 'slow', 'many']);
    expect(order('p95')).toEqual(['slow', 'mid', 'many']);
    expect(order('count')).toEqual(['many', 'mid', 'slow']);
    expect(insights.queries({ limit: 1 })).toHaveLength(1);
    expect(insights.queries({ service: 'other' })).toEqual([]);
  });

  it('bounds its tables and counts what it refused', () => {
    const insights = new QueryInsights({ maxFingerprints: 2, maxFindings: 1 });
    const t = makeTrace();
    const r = t.root('GET /x', 5);
    for (const table of ['a', 'b', 'c', 'd']) loop(t, r, () => `SELECT * FROM ${table}`, 5, 0.4);
    insights.addTrace(t.spans);
    const s = insights.stats();
    expect(s.fingerprints).toBe(2);
    expect(s.droppedFingerprints).toBe(10);
    expect(s.findings).toBe(1);
    expect(s.droppedFindings).toBe(3);
    expect(s.tracesAnalysed).toBe(1);
    expect(s.querySpans).toBe(20);
  });

  it('finds nothing in requests without flaws', () => {
    const insights = new QueryInsights();
    for (let n = 0; n < 5; n++) {
      const t = makeTrace();
      const r = t.root('POST /api/orders', 30);
      t.query(r, 'SELECT * FROM products WHERE id = $1', 1, 1);
      t.query(r, 'INSERT INTO orders (a) VALUES ($1)', 3, 2);
      loop(t, r, () => 'INSERT INTO order_items (a, b) VALUES ($1, $2)', 3, 1, 6);
      insights.addTrace(t.spans);
    }
    expect(insights.findings()).toEqual([]);
    expect(insights.queries()).toHaveLength(3);
  });

  it('checks its options and names a mistyped key', () => {
    expect(() => new QueryInsights({ detectors: { nPlusOneMinRepeat: 3 } as never })).toThrow(/nPlusOneMinRepeats/);
    expect(() => new QueryInsights({ detectors: { slowQueryMs: -1 } })).toThrow(/slowQueryMs must be a number >= 0/);
    expect(() => new QueryInsights({ maxFingerprints: 0 })).toThrow(/positive integer/);
    expect(new QueryInsights({ detectors: { slowQueryMs: 200 } }).thresholds.slowQueryMs).toBe(200);
  });

  it("reports a slow query across requests only when it is slow in enough of its route's requests", () => {
    const insights = new QueryInsights();
    const request = (ms: number) => {
      const t = makeTrace();
      t.query(t.root('POST /reserve', ms + 5), 'UPDATE stock SET q = q - 1', 1, ms);
      insights.addTrace(t.spans);
    };
    request(40); // one stall: slow in 1 of 1
    expect(insights.findings().map((f) => f.kind)).toEqual(['slow-query']);
    for (let i = 0; i < 30; i++) request(1);
    expect(insights.findings()).toEqual([]); // 1 of 31 requests: below 5%
    request(40);
    expect(insights.findings().map((f) => f.kind)).toEqual(['slow-query']); // 2 of 32
  });

  it('does not call one stalled request of a busy route a slow query because it came last', () => {
    const insights = new QueryInsights();
    const request = (ms: number) => {
      const t = makeTrace();
      t.query(t.root('GET /products', ms + 5), 'SELECT * FROM stock WHERE sku = ?', 1, ms);
      insights.addTrace(t.spans);
    };
    for (let i = 0; i < 100; i++) request(1);
    request(60); // the latest request, stalled: slow in 1 of 101
    expect(insights.findings()).toEqual([]);
  });

  it('gives a trace its own findings on demand', () => {
    const insights = new QueryInsights();
    const t = makeTrace();
    t.query(t.root('GET /report', 110), 'SELECT * FROM report', 2, 100);
    expect(insights.traceFindings(t.spans)).toMatchObject([{ kind: 'slow-query', count: 1 }]);
  });
});

describe('Histogram', () => {
  it('reads quantiles within 2.5% and never above the max', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    expect(h.quantile(0.5) / 500).toBeGreaterThan(0.975);
    expect(h.quantile(0.5) / 500).toBeLessThan(1.025);
    expect(h.quantile(0.99) / 990).toBeGreaterThan(0.975);
    expect(h.quantile(1)).toBeLessThanOrEqual(1000);
    expect(new Histogram().quantile(0.5)).toBe(0);
  });
});
