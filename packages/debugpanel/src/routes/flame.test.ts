import { SpanStore } from '@debugpanel/span-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flame, flameRoutes } from './flame.js';
import type { PanelContext } from './registry.js';
import { hex, order, serveFeature, span, storeShop, T0 } from './test-helpers.js';

// The flame feature over a real SpanStore holding a small shop (see test-helpers.ts).
const store = new SpanStore();
let base: string;
let close: () => Promise<void>;
const first = order(1, T0);
const firstId = first[0]!.traceId;

beforeAll(async () => {
  storeShop(store);
  ({ base, close } = await serveFeature(flame, { store }));
});
afterAll(() => close());

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
