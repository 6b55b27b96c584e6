import { SpanStore } from '@debugpanel/span-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencies, dependencyRoutes } from './dependencies.js';
import type { PanelContext } from './registry.js';
import { serveFeature, storeShop, T0 } from './test-helpers.js';

// The dependencies feature over a real SpanStore holding a small shop (see test-helpers.ts).
const store = new SpanStore();
let base: string;
let close: () => Promise<void>;
beforeAll(async () => {
  storeShop(store);
  ({ base, close } = await serveFeature(dependencies, { store }));
});
afterAll(() => close());

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
