/**
 * Integration test of the dependency map on the demo: the three services in their own processes,
 * a known number of gateway requests, then the hub's (gateway's) `GET /_debug/api/dependencies`
 * must hold exactly the shop's real edges: user -> gateway -> orders -> inventory, and each of
 * orders and inventory -> its own SQLite database, with counts equal to what was sent.
 *
 * The HTTP edges' counts are the requests sent. SQLite edges count every statement the hub holds
 * for that service: the requests' statements (the product list's N+1 among them) and those of the
 * restock job that runs every 10 s as a trace of its own, so they are compared with the SQL spans
 * of the same stored traces, read from the same hub.
 */
import type { SpanRecord, TraceResponse, TracesResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from './config.js';
import { startShop, type RunningService } from './launcher.js';

interface MapEdge {
  source: string;
  target: string;
  requests: number;
  errors: number;
}
interface MapNode {
  id: string;
  kind: string;
  requests: number;
}
interface Dependencies {
  nodes: MapNode[];
  edges: MapEdge[];
  traces: number;
  truncated: boolean;
}

let shop: Record<ServiceName, RunningService>;
const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };

beforeAll(async () => {
  shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: TOKEN });
});

afterAll(async () => {
  if (shop) await Promise.all(Object.values(shop).map((s) => s.stop()));
});

const hub = (path: string) => `${shop.gateway.url}/_debug/api/${path}`;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, AUTH);
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function send(path: string, body?: unknown): Promise<string> {
  const res = await fetch(`${shop.gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.body?.cancel();
  expect(res.status, path).toBeLessThan(300);
  return res.headers.get('x-trace-id') ?? '';
}

const isSql = (s: SpanRecord) => s.kind === 'client' && s.attributes['db.system'] === 'sqlite';

/** Waits until the hub holds the trace with spans of all three services and the SQL it expects. */
async function whole(traceId: string, ready: (spans: SpanRecord[]) => boolean): Promise<SpanRecord[]> {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(hub(`traces/${traceId}`), AUTH);
    if (res.status === 200) {
      const spans = ((await res.json()) as TraceResponse).spans;
      const services = new Set(spans.filter((s) => s.kind === 'server').map((s) => s.service));
      if (services.size === 3 && ready(spans)) return spans;
      last = `${spans.length} spans of ${[...services].join(', ')}`;
    } else {
      last = String(res.status);
      await res.body?.cancel();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`trace ${traceId} not complete in the hub (last: ${last})`);
}

/**
 * The map and every stored span of the hub, read so that both describe the same traces: the list
 * of traces is read before and after the map, and the read is repeated if a trace (the restock
 * job's, say) arrived in between.
 */
async function snapshot(): Promise<{ map: Dependencies; spans: SpanRecord[] }> {
  const ids = async () => (await getJson<TracesResponse>(hub('traces?limit=1000'))).traces.map((t) => `${t.traceId}:${t.spanCount}`).sort().join();
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await ids();
    const map = await getJson<Dependencies>(hub('dependencies'));
    if ((await ids()) !== before) continue;
    const list = await getJson<TracesResponse>(hub('traces?limit=1000'));
    const spans = (await Promise.all(list.traces.map((t) => getJson<TraceResponse>(hub(`traces/${t.traceId}`))))).flatMap((t) => t.spans);
    if ((await ids()) !== before) continue;
    expect(map.traces).toBe(list.traces.length);
    return { map, spans };
  }
  throw new Error('the hub kept receiving traces while the map was read');
}

describe('dependency map of the demo shop', () => {
  it('holds exactly the real edges, with counts equal to the requests sent and the SQL statements run', async () => {
    const ORDERS = 3;
    const PRODUCT = 2;
    const LIST = 1;
    const sent: Array<Promise<string>> = [];
    for (let i = 0; i < ORDERS; i++) sent.push(send('/api/orders', { customer: 'ada', items: [{ productId: 1, quantity: 1 }] }));
    for (let i = 0; i < PRODUCT; i++) sent.push(send('/api/products/2'));
    for (let i = 0; i < LIST; i++) sent.push(send('/api/products'));
    const traceIds = await Promise.all(sent);
    const requests = ORDERS + PRODUCT + LIST;
    expect(new Set(traceIds).size).toBe(requests);
    // Every request's spans, SQL included, have reached the hub (the others export in batches).
    for (const id of traceIds) await whole(id, (spans) => spans.some((s) => s.service === 'inventory' && isSql(s)));

    const { map, spans } = await snapshot();
    const sqlBy = (service: string) => spans.filter((s) => s.service === service && isSql(s)).length;
    // Each service has its own in-memory SQLite: one database node per calling service.
    const ordersDb = 'db:sqlite:orders/:memory:';
    const inventoryDb = 'db:sqlite:inventory/:memory:';
    // Beside the requests' traces, the hub holds only the restock job's (none if it has not run yet).
    const ours = new Set(traceIds);
    const others = spans.filter((s) => !ours.has(s.traceId));
    expect(new Set(others.filter((s) => !s.parentSpanId).map((s) => `${s.service} ${s.name}`))).toEqual(
      new Set(others.length ? ['inventory inventory.restock'] : []),
    );

    const edges = map.edges.map((e) => `${e.source} -> ${e.target}: ${e.requests}`).sort();
    expect(edges).toEqual(
      [
        `user -> svc:gateway: ${requests}`,
        `svc:gateway -> svc:orders: ${requests}`,
        `svc:orders -> svc:inventory: ${requests}`,
        `svc:orders -> ${ordersDb}: ${sqlBy('orders')}`,
        `svc:inventory -> ${inventoryDb}: ${sqlBy('inventory')}`,
      ].sort(),
    );
    expect(map.edges.every((e) => e.errors === 0)).toBe(true);
    expect(map.nodes.find((n) => n.id === ordersDb)).toMatchObject({ kind: 'database', requests: sqlBy('orders') });
    // The product list is an N+1: one stock query per product, all counted on inventory's edge.
    expect(sqlBy('inventory')).toBeGreaterThanOrEqual(LIST * 20 + PRODUCT + ORDERS);
    // Orders inserts each order (and its items) and reads no SQL for the product pages.
    expect(sqlBy('orders')).toBeGreaterThanOrEqual(ORDERS);
    expect(map.nodes.map((n) => n.id).sort()).toEqual(['svc:gateway', 'svc:inventory', 'svc:orders', 'user', ordersDb, inventoryDb].sort());
    expect(map.nodes.find((n) => n.id === 'svc:gateway')!.requests).toBe(requests);
  }, 20_000);
});
