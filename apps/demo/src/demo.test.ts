/**
 * Acceptance test of the demo: the three services in their own processes on free ports, each with
 * its own panel. One gateway request must become one trace across the three panels, linked parent
 * to child through the W3C traceparent headers, with user spans and SQLite spans where they belong.
 */
import type { ChaosExperiment, LogRecord, LogsResponse, SpanRecord, TraceResponse, TracesResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from './config.js';
import { startShop, type RunningService } from './launcher.js';

let shop: Record<ServiceName, RunningService>;
const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };

beforeAll(async () => {
  shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: TOKEN });
});

afterAll(async () => {
  if (shop) await Promise.all(Object.values(shop).map((s) => s.stop()));
});

async function call(path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${shop.gateway.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const traceId = res.headers.get('x-trace-id') ?? '';
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, traceId };
}

/**
 * The spans of `service` that its panel holds for a trace, once `ready` says they are all there: a
 * panel keeps a trace when its local root ends (plus a grace period), so it may take a moment to
 * show up. `whole` keeps the spans other services sent (the gateway's panel is their hub).
 */
async function traceIn(
  service: ServiceName,
  traceId: string,
  ready: (spans: SpanRecord[]) => boolean = (s) => s.some((x) => x.kind === 'server'),
  whole = false,
) {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${shop[service].url}/_debug/api/traces/${traceId}`, AUTH);
    last = `${res.status}`;
    if (res.status === 200) {
      const body = (await res.json()) as TraceResponse;
      const spans = whole ? body.spans : body.spans.filter((s) => s.service === service);
      if (ready(spans)) return spans;
      last += ` with ${spans.length} spans`;
    } else {
      await res.body?.cancel();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`trace ${traceId} not complete in the ${service} panel (last answer: ${last})\n${shop[service].output.join('\n')}`);
}

const one = (spans: SpanRecord[], what: string, match: (s: SpanRecord) => boolean): SpanRecord => {
  const found = spans.filter(match);
  expect(found, `${what} among ${spans.map((s) => `${s.kind} ${s.name}`).join(', ')}`).toHaveLength(1);
  return found[0]!;
};
const isSql = (s: SpanRecord, text: RegExp) =>
  s.kind === 'client' && s.attributes['db.system'] === 'sqlite' && text.test(String(s.attributes['db.query.text']));

describe('demo shop', () => {
  it('turns one gateway request into one trace across three panels, linked parent to child', async () => {
    const res = await call('/api/orders', { method: 'POST', body: { customer: 'ada', items: [{ productId: 1, quantity: 2 }] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ customer: 'ada', price: { totalCents: 5378 } });
    expect(res.traceId).toMatch(/^[0-9a-f]{32}$/);

    const orders = await traceIn('orders', res.traceId, (s) => s.some((x) => isSql(x, /INSERT INTO orders/)));
    const inventory = await traceIn('inventory', res.traceId, (s) => s.some((x) => isSql(x, /UPDATE stock/)));
    // The gateway's panel is the hub: it also receives what orders and inventory send (batched).
    const sent = [...orders, ...inventory].map((s) => s.spanId);
    const hub = await traceIn(
      'gateway',
      res.traceId,
      (spans) => {
        const ids = new Set(spans.map((s) => s.spanId));
        return spans.some((s) => s.service === 'gateway' && s.kind === 'server') && sent.every((id) => ids.has(id));
      },
      true,
    );
    const gateway = hub.filter((s) => s.service === 'gateway');

    for (const [service, spans] of [['gateway', gateway], ['orders', orders], ['inventory', inventory]] as const) {
      for (const s of spans) expect(s).toMatchObject({ traceId: res.traceId, service });
    }
    const gServer = one(gateway, 'gateway server span', (s) => s.kind === 'server');
    expect(gServer.parentSpanId).toBeUndefined();
    expect(gServer.attributes).toMatchObject({ 'http.route': '/api/orders', 'http.response.status_code': 201 });
    const gClient = one(gateway, 'fetch to orders', (s) => s.kind === 'client' && String(s.attributes['url.full']).endsWith('/orders'));
    const oServer = one(orders, 'orders server span', (s) => s.kind === 'server');
    expect(oServer.parentSpanId).toBe(gClient.spanId);
    const oClient = one(orders, 'http call to inventory', (s) => s.kind === 'client' && String(s.attributes['url.full']).endsWith('/reservations'));
    const iServer = one(inventory, 'inventory server span', (s) => s.kind === 'server');
    expect(iServer.parentSpanId).toBe(oClient.spanId);

    // User spans made with @opentelemetry/api sit under their service's server span.
    const ids = (spans: SpanRecord[]) => new Set(spans.map((s) => s.spanId));
    expect(ids(gateway).has(one(gateway, 'auth.verify', (s) => s.name === 'auth.verify').parentSpanId!)).toBe(true);
    const price = one(orders, 'price.calculate', (s) => s.name === 'price.calculate');
    expect(ids(orders).has(price.parentSpanId!)).toBe(true);
    expect(price.attributes).toMatchObject({ 'price.total_cents': 5378 });
    one(inventory, 'stock.reserve', (s) => s.name === 'stock.reserve');

    // better-sqlite3 statements are client spans of their own service, inside the same trace.
    const insert = orders.find((s) => isSql(s, /INSERT INTO orders/))!;
    expect(ids(orders).has(insert.parentSpanId!)).toBe(true);
    expect(inventory.filter((s) => isSql(s, /UPDATE stock/)).length).toBeGreaterThanOrEqual(1);

    // The hub holds the very same spans of the other two, links intact, so it shows the whole trace.
    const inHub = new Map(hub.map((s) => [s.spanId, s]));
    for (const s of [...orders, ...inventory]) {
      expect(inHub.get(s.spanId), `${s.service} ${s.name} in the hub`).toMatchObject({
        traceId: s.traceId,
        parentSpanId: s.parentSpanId,
        name: s.name,
        kind: s.kind,
        service: s.service,
      });
    }
    expect(hub).toHaveLength(gateway.length + orders.length + inventory.length);

    // Each panel's list of traces names this one.
    for (const service of ['gateway', 'orders', 'inventory'] as const) {
      const list = (await (await fetch(`${shop[service].url}/_debug/api/traces?limit=100`, AUTH)).json()) as TracesResponse;
      expect(list.traces.map((t) => t.traceId)).toContain(res.traceId);
    }
  });

  it('shows the N+1 of the product list: one stock query per product in inventory', async () => {
    const res = await call('/api/products');
    expect(res.status).toBe(200);
    expect((res.body.products as unknown[]).length).toBe(20);
    const inventory = await traceIn('inventory', res.traceId, (s) => s.some((x) => isSql(x, /FROM products/)));
    expect(inventory.filter((s) => isSql(s, /FROM stock WHERE product_id = \?/))).toHaveLength(20);
  });

  it('records the unpriced product bug as an exception in orders and a 502 at the gateway', async () => {
    const res = await call('/api/products/13');
    expect(res.status).toBe(502);
    expect(String(res.body.error)).toMatch(/^orders failed: Cannot read properties of null/);
    const orders = await traceIn('orders', res.traceId);
    const price = one(orders, 'price.calculate', (s) => s.name === 'price.calculate');
    expect(price.status.code).toBe('error');
    expect(price.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({ 'exception.type': 'TypeError' });
    expect(one(orders, 'server', (s) => s.kind === 'server').status.code).toBe('error');
    const gateway = await traceIn('gateway', res.traceId);
    expect(one(gateway, 'server', (s) => s.kind === 'server').status.code).toBe('error');
  });

  it('runs a chaos experiment on inventory from the gateway\'s hub panel, and judges it', async () => {
    const hub = `${shop.gateway.url}/_debug/api/chaos`;
    const started = await fetch(`${hub}/experiments`, {
      method: 'POST',
      headers: { ...AUTH.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'inventory product lookup fails',
        rule: { target: 'db', fault: { kind: 'error' }, scope: { service: 'inventory', statement: 'FROM products WHERE id' } },
        durationMs: 60_000,
      }),
    });
    expect(started.status).toBe(201);
    const experiment = (await started.json()) as ChaosExperiment;
    // inventory pulls the rule from its hub within a second or so, then the lookups fail
    let failed: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 100 && !failed; i++) {
      const r = await call('/api/products/2');
      if (r.status >= 500) failed = r;
      else await new Promise((res) => setTimeout(res, 100));
    }
    expect(failed, 'the fault never reached inventory').toBeDefined();
    const inventory = await traceIn('inventory', failed!.traceId, (s) => s.some((x) => x.attributes['debugpanel.chaos.rule'] === experiment.rule.id));
    const sql = inventory.find((x) => x.attributes['debugpanel.chaos.rule'] === experiment.rule.id)!;
    expect(sql.status.code).toBe('error');
    // stop it early: the verdict follows a few seconds later (spans still arriving at the hub)
    expect((await fetch(`${hub}/rules/${experiment.rule.id}`, { method: 'DELETE', ...AUTH })).status).toBe(200);
    let judged: ChaosExperiment | undefined;
    for (let i = 0; i < 100 && !judged?.verdict; i++) {
      judged = (await (await fetch(`${hub}/experiments/${experiment.id}`, AUTH)).json()) as ChaosExperiment;
      if (!judged.verdict) await new Promise((res) => setTimeout(res, 100));
    }
    expect(judged!.status).toBe('stopped');
    const v = judged!.verdict!;
    expect(v.faultedTraces).toBeGreaterThan(0);
    expect(v.traceIds).toContain(failed!.traceId);
    expect(v.expectations[0]).toMatchObject({ expectation: 'the fault was injected', met: true });
    // the hub's insights engine is still in its warm-up (minutes): nothing fired
    // (chaos-caught.test.ts runs one with a short warm-up that is caught)
    expect(v.caught).toBe(false);
    expect(v.summary).toMatch(/^Not caught: no alert fired; \d+ faults? in \d+ traces?\./);
    expect((await call('/api/products/2')).status).toBe(200);
  });

  it("shows a failing checkout's logs from all three services under one trace id in the gateway's hub", async () => {
    // A chaos rule on inventory's own panel: its reservation insert fails, so the checkout fails in all three.
    const rules = `${shop.inventory.url}/_debug/api/chaos/rules`;
    const made = await fetch(rules, {
      method: 'POST',
      headers: { ...AUTH.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'db', fault: { kind: 'error' }, scope: { statement: 'INSERT INTO reservations' } }),
    });
    expect(made.status).toBe(201);
    const failed = await call('/api/orders', { method: 'POST', body: { customer: 'grace', items: [{ productId: 1, quantity: 1 }] } });
    expect((await fetch(rules, { method: 'DELETE', ...AUTH })).status).toBe(200);
    expect(failed.status).toBe(502);
    const deadline = Date.now() + 10_000;
    let logs: LogRecord[] = [];
    // orders and inventory send their lines to the gateway's hub in batches (about once a second).
    while (Date.now() < deadline) {
      const res = await fetch(`${shop.gateway.url}/_debug/api/logs?traceId=${failed.traceId}`, AUTH);
      logs = ((await res.json()) as LogsResponse).logs ?? [];
      if (new Set(logs.map((r) => r.service)).size === 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const by = (service: string) => logs.filter((r) => r.service === service).map((r) => r.body);
    expect(by('gateway')).toEqual(expect.arrayContaining(['checkout for grace', expect.stringMatching(/^POST \/api\/orders failed with 502/)]));
    expect(by('orders')).toEqual(expect.arrayContaining(['order for grace: reserving 1 lines', expect.stringMatching(/^POST \/orders failed with 502/)]));
    expect(by('inventory')).toEqual(expect.arrayContaining([expect.stringMatching(/^POST \/reservations failed with 500/)]));
    expect(logs.every((r) => r.traceId === failed.traceId)).toBe(true);
    expect(logs.filter((r) => r.severityNumber === 17)).toHaveLength(3);
  });

  it('answers bad input with a 4xx and a message', async () => {
    expect(await call('/api/orders/abc')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/order id/) } });
    expect(await call('/api/orders', { method: 'POST', body: { customer: 'ada', items: [] } })).toMatchObject({ status: 400 });
    expect((await call('/api/nope')).status).toBe(404);
  });

  it('relays a client error (409 out of stock) without marking the server spans as failed', async () => {
    const res = await call('/api/orders', { method: 'POST', body: { customer: 'ada', items: [{ productId: 2, quantity: 1000 }] } });
    expect(res.status).toBe(409);
    expect(String(res.body.error)).toMatch(/in stock, 1000 wanted/);
    for (const service of ['gateway', 'orders', 'inventory'] as const) {
      const server = one(await traceIn(service, res.traceId), `${service} server span`, (s) => s.kind === 'server');
      expect(server.attributes['http.response.status_code']).toBe(409);
      expect(server.status.code).not.toBe('error');
    }
  });
});
