/**
 * Integration test of `DEMO_DB=postgres`: a real PostgreSQL (test-servers: initdb in a temporary
 * directory, a free port), the three services in their own processes reaching it through
 * DATABASE_URL, each creating and seeding its own schema. A request must work and its trace must
 * hold pg client spans; the queries detector must find both N+1 flaws and the slow report by their
 * call sites in the PostgreSQL sources.
 */
import type { Finding, FindingsResponse, SpanRecord, TraceResponse } from '@debugpanel/model';
import { startPostgres, type PostgresServer } from '@debugpanel/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from './config.js';
import { startShop, type RunningService } from './launcher.js';

const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };

let server: PostgresServer | undefined;
let shop: Record<ServiceName, RunningService> | undefined;

beforeAll(async () => {
  server = await startPostgres({ database: 'shop' });
  shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: TOKEN, env: { DEMO_DB: 'postgres', DATABASE_URL: server.url } });
}, 40_000);

afterAll(async () => {
  if (shop) await Promise.all(Object.values(shop).map((s) => s.stop()));
  await server?.stop();
});

async function call(path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${shop!.gateway.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, traceId: res.headers.get('x-trace-id') ?? '' };
}

/** The whole trace in the gateway's panel (the hub) once `ready` holds. */
async function trace(traceId: string, ready: (spans: SpanRecord[]) => boolean): Promise<SpanRecord[]> {
  const deadline = Date.now() + 10_000;
  let spans: SpanRecord[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(`${shop!.gateway.url}/_debug/api/traces/${traceId}`, AUTH);
    if (res.status === 200) {
      spans = ((await res.json()) as TraceResponse).spans;
      if (ready(spans)) return spans;
    } else await res.body?.cancel();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`trace ${traceId} incomplete: ${spans.map((s) => `${s.service} ${s.kind} ${s.name}`).join(', ')}`);
}

const pgSpan = (s: SpanRecord, service: string, text: RegExp) =>
  s.service === service && s.kind === 'client' && s.attributes['db.system.name'] === 'postgresql' && text.test(String(s.attributes['db.query.text']));

describe('demo on PostgreSQL (DEMO_DB=postgres)', () => {
  it('places an order: one trace with the pg spans of orders and inventory', async () => {
    const res = await call('/api/orders', { method: 'POST', body: { customer: 'ada', items: [{ productId: 1, quantity: 2 }] } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // the same answer as on SQLite: the seeded price, the tax and the reservation from inventory
    expect(res.body).toMatchObject({ customer: 'ada', status: 'placed', price: { totalCents: 5378 }, items: [{ productId: 1, quantity: 2, unitPriceCents: 2490 }] });
    const spans = await trace(res.traceId, (s) => s.some((x) => pgSpan(x, 'orders', /INSERT INTO orders/)) && s.some((x) => pgSpan(x, 'inventory', /UPDATE stock/)));
    const update = spans.find((x) => pgSpan(x, 'inventory', /UPDATE stock/))!;
    expect(update.attributes).toMatchObject({ 'db.namespace': 'shop', 'db.operation.name': 'UPDATE', 'db.collection.name': 'stock', 'server.port': server!.port });
    // parameterised: the text has placeholders, not the values
    expect(update.attributes['db.query.text']).toBe('UPDATE stock SET quantity = quantity - $1 WHERE product_id = $2 AND warehouse = $3');
    const reserve = spans.find((s) => s.name === 'stock.reserve')!;
    expect(spans.filter((s) => s.service === 'inventory' && s.attributes['db.system.name'] === 'postgresql' && s.parentSpanId === reserve.spanId).length).toBeGreaterThanOrEqual(4); // BEGIN, SELECT x2, UPDATE.., INSERT, COMMIT
    // out of stock rolls back: 409, and the stock is what it was
    const before = (await call('/api/products/2')).body.inStock as number;
    expect((await call('/api/orders', { method: 'POST', body: { customer: 'ada', items: [{ productId: 2, quantity: 1 }, { productId: 3, quantity: 500 }] } })).status).toBe(409);
    expect((await call('/api/products/2')).body.inStock).toBe(before);
  });

  it('finds the two N+1 flaws and the slow report by their call sites', async () => {
    const want = [
      { kind: 'n+1', service: 'inventory', route: 'GET /products', file: 'src/db/inventory-pg.ts' },
      { kind: 'n+1', service: 'orders', route: 'GET /orders', file: 'src/db/orders-pg.ts' },
      { kind: 'slow-query', service: 'orders', route: 'GET /reports/top-customers', file: 'src/db/orders-pg.ts' },
    ];
    const found = (fs: Finding[], e: (typeof want)[number]) =>
      fs.find((f) => f.kind === e.kind && f.service === e.service && f.route === e.route && f.callSite?.startsWith(`${e.file}:`));
    let findings: Finding[] = [];
    const deadline = Date.now() + 30_000;
    // Rounds of the load generator's mix, in order; at least 8, so that on this shared machine one
    // stalled event loop (a 60 ms product lookup) stays below the 5% of a route's requests that a
    // slow query needs to be reported, as it does under the demo's own load.
    for (let round = 0; Date.now() < deadline; round++) {
      for (const path of ['/api/products', '/api/orders?limit=10', '/api/reports/top-customers']) expect((await call(path)).status, path).toBe(200);
      for (let p = 1; p <= 4; p++) expect((await call(`/api/products/${((round * 4 + p) % 12) + 1}`)).status).toBe(200);
      const order = await call('/api/orders', { method: 'POST', body: { customer: 'grace', items: [{ productId: (round % 10) + 1, quantity: 1 }] } });
      expect(order.status, JSON.stringify(order.body)).toBe(201);
      expect((await call(`/api/orders/${order.body.id as number}`)).status).toBe(200);
      const res = await fetch(`${shop!.gateway.url}/_debug/api/findings`, AUTH);
      findings = ((await res.json()) as FindingsResponse).findings;
      if (round >= 7 && want.every((e) => found(findings, e))) break;
    }
    const summary = findings.map((f) => `${f.kind} ${f.service} ${f.route} ${f.callSite ?? '-'}: ${f.summary}`).join('\n');
    for (const e of want) expect(found(findings, e), `${e.kind} ${e.service} ${e.route}\n${summary}`).toBeDefined();
    const products = found(findings, want[0]!)!;
    expect(products.repeats.min).toBe(20); // one stock query per product, as on SQLite
    expect(products.statement).toBe('select sum(quantity) as total from stock where product_id = ?');
    expect(products.summary).toMatch(/^src\/db\/inventory-pg\.ts:\d+ runs 20 queries per request in GET \/products/);
    expect(found(findings, want[1]!)!.repeats.min).toBe(10);
    // Nothing else of the structural kinds (N+1, consecutive, N+1 HTTP): the product page, orders
    // and reservations are clean on PostgreSQL too. A slow-query finding elsewhere depends on
    // timing alone: on this shared machine an event-loop stall of 50 ms lands in a stock query now
    // and then, and over these few requests one or two such stalls pass the 5% bar that the
    // minute of load in queries.test.ts (SQLite, checked strictly there) dilutes.
    expect(findings.filter((f) => f.kind !== 'slow-query' && !want.some((e) => found([f], e))), summary).toEqual([]);
  }, 45_000);
});
