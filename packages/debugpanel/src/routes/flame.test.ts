import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SpanRecord } from '@debugpanel/model';
import { SpanStore } from '@debugpanel/span-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flame, flameRoutes } from './flame.js';
import { RouteTable, type PanelContext } from './registry.js';

// The flame feature over a real SpanStore, served by a bare node:http server: the panel's
// auth and middleware are tested in panel.test.ts; here only what its routes answer.
const store = new SpanStore();
let server: Server;
let base: string;

let seq = 0;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
function span(traceId: string, kind: SpanRecord['kind'], service: string, start: number, duration: number, parent?: SpanRecord, extra: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId, spanId: hex(++seq, 16), parentSpanId: parent?.spanId, name: `${service} ${kind}`, kind, service,
    startTime: start, duration, status: { code: 'unset' }, attributes: {}, events: [], ...extra,
  };
}
/** gateway GET /orders/:id -> orders -> SQLite; started at `t0` */
function order(t: number, t0: number, failDb = false): SpanRecord[] {
  const id = hex(t, 32);
  const gw = span(id, 'server', 'gateway', t0, 100, undefined, { name: 'GET /orders/:id', attributes: { 'http.route': '/orders/:id' }, ...(failDb ? { status: { code: 'error' } } : {}) });
  const out = span(id, 'client', 'gateway', t0 + 10, 80, gw, failDb ? { status: { code: 'error' } } : {});
  const ord = span(id, 'server', 'orders', t0 + 12, 75, out, failDb ? { status: { code: 'error' } } : {});
  const db = span(id, 'client', 'orders', t0 + 20, 50, ord, {
    name: 'SELECT orders', attributes: { 'db.system': 'sqlite', 'db.namespace': 'shop' }, ...(failDb ? { status: { code: 'error' } } : {}),
  });
  return [db, ord, out, gw];
}
const T0 = 1_700_000_000_000;
const first = order(1, T0);
const firstId = first[0]!.traceId;

beforeAll(async () => {
  for (let t = 1; t <= 5; t++) store.addMany(order(t, T0 + t * 1000, t === 5));
  const id = hex(99, 32);
  store.addMany([span(id, 'server', 'gateway', T0 + 10_000, 5, undefined, { name: 'GET /health', attributes: { 'http.route': '/health' } })]);
  const ctx = { store } as unknown as PanelContext;
  const table = new RouteTable(flame(ctx));
  server = createServer((req, res) => {
    const [path, search = ''] = req.url!.split('?');
    const m = table.match(req.method!, path!);
    if (!m || !('route' in m)) { res.statusCode = 404; res.end(); return; }
    void m.route.handle({ req, res, params: m.params, query: new URLSearchParams(search) });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function get(path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.json() };
}

describe('GET /api/traces/:traceId/flame', () => {
  it('answers the flame tree of a stored trace', async () => {
    const { status, body } = await get(`/api/traces/${firstId}/flame`);
    expect(status).toBe(200);
    expect(body.traceId).toBe(firstId);
    expect(body.flame.map((n: { name: string; parent: number }) => [n.name, n.parent])).toEqual([
      ['GET /orders/:id', -1], ['gateway client', 0], ['orders server', 1], ['SELECT orders', 2],
    ]);
    expect(body.flame[0]).toMatchObject({ service: 'gateway', total: 100, self: 20 });
    expect(body.flame[3]).toMatchObject({ total: 50, self: 50 });
  });
  it('refuses a malformed id with 400 and an unknown one with 404', async () => {
    expect((await get('/api/traces/xyz/flame')).status).toBe(400);
    const missing = await get(`/api/traces/${hex(12345, 32)}/flame`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/not found/);
  });

  it('answers a trace too deep to nest in JSON', async () => {
    const id = hex(77, 32);
    let parent = span(id, 'server', 'deep', T0, 20_000);
    const chain = [parent];
    for (let i = 1; i < 5000; i++) {
      parent = span(id, 'internal', 'deep', T0 + i, 20_000 - i, parent);
      chain.push(parent);
    }
    const deepStore = new SpanStore();
    deepStore.addMany(chain);
    const [route] = flame({ store: deepStore } as unknown as PanelContext);
    const { res, done } = capture();
    route!.handle({ req: {} as never, res: res as never, params: { traceId: id }, query: new URLSearchParams() });
    const body = JSON.parse(await done) as { flame: unknown[] };
    expect(body.flame).toHaveLength(5000);
  });
});

/** A stand-in ServerResponse collecting what a route sends. */
function capture() {
  let resolve!: (text: string) => void;
  const done = new Promise<string>((r) => (resolve = r));
  const res = { statusCode: 0, setHeader() {}, end: (text: string) => resolve(text) };
  return { res, done };
}

describe('GET /api/traces/:traceId/critical-path', () => {
  it('answers the segments in time order and the time on the path per span', async () => {
    const { status, body } = await get(`/api/traces/${firstId}/critical-path`);
    expect(status).toBe(200);
    expect(body.segments.map((s: { name: string; duration: number }) => [s.name, s.duration])).toEqual([
      ['GET /orders/:id', 10], ['gateway client', 2], ['orders server', 8], ['SELECT orders', 50],
      ['orders server', 17], ['gateway client', 3], ['GET /orders/:id', 10],
    ]);
    const onPath = Object.values(body.bySpan as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(onPath).toBe(100);
  });
  it('refuses a malformed id', async () => {
    expect((await get('/api/traces/ABC/critical-path')).body.error).toMatch(/malformed trace id/);
  });
});

describe('GET /api/flame', () => {
  it('merges the stored traces of a route', async () => {
    const { status, body } = await get('/api/flame?route=%2Forders%2F%3Aid');
    expect(status).toBe(200);
    expect(body).toMatchObject({ route: '/orders/:id', traces: 5 });
    expect(body.flame[0]).toMatchObject({ name: 'all', parent: -1, count: 5 });
    expect(body.flame.filter((n: { parent: number }) => n.parent === 0)).toHaveLength(1);
    expect(body.flame[1]).toMatchObject({ name: 'GET /orders/:id', parent: 0, count: 5, mean: 100, p95: 100 });
  });
  it('bounds the number of traces with limit, and says so', async () => {
    expect((await get('/api/flame?route=%2Forders%2F%3Aid&limit=2')).body).toMatchObject({ traces: 2, truncated: true });
    expect((await get('/api/flame?route=%2Forders%2F%3Aid')).body.truncated).toBe(false);
  });
  it('bounds the spans merged in one request', async () => {
    const route = flameRoutes({ store } as unknown as PanelContext, 10).find((r) => r.path === '/api/flame')!;
    const { res, done } = capture();
    route.handle({ req: {} as never, res: res as never, params: {}, query: new URLSearchParams('route=/orders/:id') });
    expect(JSON.parse(await done)).toMatchObject({ traces: 2, truncated: true }); // 4 spans per trace
  });
  it.each([
    ['', /route is required/],
    ['?route=/x&limit=0', /limit/],
    ['?route=/x&since=yesterday', /since/],
    ['?rout=/x', /unknown query parameter "rout"/],
  ])('refuses %s with 400', async (qs, msg) => {
    const { status, body } = await get('/api/flame' + qs);
    expect(status).toBe(400);
    expect(body.error).toMatch(msg);
  });
});
