/**
 * Integration test of query insights on the real demo: the three services in their own processes,
 * the built-in load generator, and the gateway's panel (the hub, which sees every service's
 * spans). Its two N+1 flaws and its slow report query must be found, each by its call site in the
 * TypeScript sources, within a minute of load, and nothing else may be reported on any route.
 */
import type { Finding, FindingsResponse, QueriesResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from './config.js';
import { startShop, type RunningService } from './launcher.js';
import { startLoad, type LoadGenerator } from './load.js';

const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };

let shop: Record<ServiceName, RunningService>;
let load: LoadGenerator | undefined;

beforeAll(async () => {
  shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: TOKEN });
});

afterAll(async () => {
  await load?.stop(500);
  if (shop) await Promise.all(Object.values(shop).map((s) => s.stop()));
});

async function panel<T>(path: string): Promise<T> {
  const res = await fetch(`${shop.gateway.url}/_debug${path}`, AUTH);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

const EXPECTED = [
  { kind: 'n+1', service: 'inventory', route: 'GET /products', file: 'src/db/inventory.ts' },
  { kind: 'n+1', service: 'orders', route: 'GET /orders', file: 'src/db/orders.ts' },
  { kind: 'slow-query', service: 'orders', route: 'GET /reports/top-customers', file: 'src/db/orders.ts' },
];
const found = (findings: Finding[], e: (typeof EXPECTED)[number]) =>
  findings.find((f) => f.kind === e.kind && f.service === e.service && f.route === e.route && f.callSite?.startsWith(`${e.file}:`));

describe('query insights on the demo', () => {
  it('finds the two N+1 flaws and the slow report by call site within a minute, and nothing else', async () => {
    load = startLoad({ target: shop.gateway.url, rate: 20 });
    const deadline = Date.now() + 60_000;
    let findings: Finding[] = [];
    while (Date.now() < deadline) {
      findings = (await panel<FindingsResponse>('/api/findings')).findings;
      // found, and a quarter of a minute of load seen for anything else to show up
      if (EXPECTED.every((e) => found(findings, e)) && Date.now() > deadline - 45_000) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const summary = findings.map((f) => `${f.kind} ${f.service} ${f.route} ${f.callSite ?? '-'}: ${f.summary}`).join('\n');
    for (const e of EXPECTED) expect(found(findings, e), `${e.kind} in ${e.service} ${e.route}\n${summary}`).toBeDefined();
    // no false finding: every finding is one of the three flaws
    expect(findings.filter((f) => !EXPECTED.some((e) => found([f], e))), summary).toEqual([]);

    const products = found(findings, EXPECTED[0]!)!;
    expect(products.repeats.min).toBe(20); // one stock query per product of the catalogue
    expect(products.statement).toBe('select sum(quantity) as total from stock where product_id = ?');
    expect(products.summary).toMatch(/^src\/db\/inventory\.ts:\d+ runs 20 queries per request in GET \/products/);
    const queries = await panel<QueriesResponse>('/api/queries?sort=p95&limit=1');
    expect(queries.queries[0]!.statement).toMatch(/^with recent as materialized/);
  }, 90_000);
});
