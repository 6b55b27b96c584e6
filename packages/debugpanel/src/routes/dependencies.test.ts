import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SpanRecord } from '@debugpanel/model';
import { SpanStore } from '@debugpanel/span-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencies, dependencyRoutes } from './dependencies.js';
import { RouteTable, type PanelContext } from './registry.js';

// The dependencies feature over a real SpanStore, served by a bare node:http server: the panel's
// auth and middleware are tested in panel.test.ts; here only what this route answers.
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

beforeAll(async () => {
  for (let t = 1; t <= 5; t++) store.addMany(order(t, T0 + t * 1000, t === 5));
  const id = hex(99, 32);
  store.addMany([span(id, 'server', 'gateway', T0 + 10_000, 5, undefined, { name: 'GET /health', attributes: { 'http.route': '/health' } })]);
  const ctx = { store } as unknown as PanelContext;
  const table = new RouteTable(dependencies(ctx));
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

describe('GET /api/dependencies', () => {
  it('answers the dependency map of the stored traces', async () => {
    const { status, body } = await get('/api/dependencies');
    expect(status).toBe(200);
    expect(body).toMatchObject({ traces: 6, truncated: false });
    expect(body.edges.map((e: { id: string; requests: number; errors: number }) => [e.id, e.requests, e.errors])).toEqual([
      ['svc:gateway->svc:orders', 5, 1],
      ['svc:orders->db:sqlite:shop', 5, 1],
      ['user->svc:gateway', 6, 1],
    ]);
    // The failed query took orders and the gateway down: hard edges all the way up.
    expect(body.failsWith['db:sqlite:shop']).toEqual({ fails: ['svc:orders', 'svc:gateway', 'user'], mayFail: [] });
  });
  it('keeps only traces that started since the given time', async () => {
    const { body } = await get(`/api/dependencies?since=${T0 + 4000}`);
    expect(body).toMatchObject({ traces: 3, since: T0 + 4000 });
    expect(body.edges.find((e: { id: string }) => e.id === 'svc:gateway->svc:orders').requests).toBe(2);
  });
  it('says when the limit left traces out', async () => {
    expect((await get('/api/dependencies?limit=2')).body).toMatchObject({ traces: 2, truncated: true });
  });
  it('bounds the spans folded in one request', async () => {
    const [route] = dependencyRoutes({ store } as unknown as PanelContext, 9);
    let text = '';
    const res = { statusCode: 0, setHeader() {}, end: (t: string) => (text = t) };
    route!.handle({ req: {} as never, res: res as never, params: {}, query: new URLSearchParams() });
    // newest first: the 1-span health check, then two 4-span orders; a third would pass 9 spans
    expect(JSON.parse(text)).toMatchObject({ traces: 3, truncated: true });
  });
  it('refuses bad parameters with 400', async () => {
    expect((await get('/api/dependencies?since=-5')).status).toBe(400);
    expect((await get('/api/dependencies?service=x')).body.error).toMatch(/unknown query parameter/);
  });
});
