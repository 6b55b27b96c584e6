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

describe('GET /api/dependencies with the panel\'s incremental map', () => {
  it('counts every span of the window: 3,000 traces through the pipeline, beyond the 2,000 newest stored ones', async () => {
    const { createPipeline } = await import('../pipeline.js');
    const { SseHub } = await import('../sse.js');
    const { createDependencyFeed } = await import('../dependency-feed.js');
    // A store too small for the window: it holds about 100 traces.
    const small = new SpanStore({ maxSpans: 300 });
    const feed = createDependencyFeed({ waitMs: 0 });
    const pipeline = createPipeline(small, new SseHub(), { consumers: [feed] });
    const now = Date.now();
    const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
    for (let t = 1; t <= 3000; t++) {
      const traceId = hex(t, 32);
      const startTime = now - 5 * 60_000 + t * 100; // the last 5 minutes, 10 traces a second
      const base = { traceId, startTime, duration: 5, status: { code: 'unset' as const }, events: [] };
      const root = { ...base, spanId: hex(3 * t, 16), name: 'GET /checkout', kind: 'server' as const, service: 'gateway', attributes: { 'http.route': '/checkout' } };
      const out = { ...base, spanId: hex(3 * t + 1, 16), parentSpanId: root.spanId, name: 'GET', kind: 'client' as const, service: 'gateway', attributes: {} };
      const srv = { ...base, spanId: hex(3 * t + 2, 16), parentSpanId: out.spanId, name: 'GET /stock', kind: 'server' as const, service: 'inventory', status: { code: t % 10 === 0 ? ('error' as const) : ('unset' as const) }, attributes: {} };
      pipeline.onSpan(srv);
      pipeline.onSpan(out);
      pipeline.onSpan(root);
    }
    pipeline.flush();
    const served = await serveFeature(dependencies, { store: small, dependencyMap: feed.builder });
    try {
      const r = await fetch(`${served.base}/api/dependencies?since=${now - 15 * 60_000}`);
      const body = await r.json();
      expect(body).toMatchObject({ traces: 3000, spans: 9000, truncated: false });
      const edge = body.edges.find((e: { id: string }) => e.id === 'svc:gateway->svc:inventory');
      expect(edge).toMatchObject({ requests: 3000, errors: 300 });
      // Example links name only traces the store still holds.
      for (const id of edge.traceIds) expect(small.has(id)).toBe(true);
      // A narrower window counts only its part, to the minute: 1,200 traces and at most a minute's more.
      const last = await (await fetch(`${served.base}/api/dependencies?since=${now - 2 * 60_000}`)).json();
      expect(last.traces).toBeGreaterThanOrEqual(1200);
      expect(last.traces).toBeLessThanOrEqual(1800);
      expect(last.from).toBeLessThanOrEqual(now - 2 * 60_000);
      expect(feed.builder.stats()).toMatchObject({ processedSpans: 9000, dropped: 0, pendingSpans: 0 });
    } finally {
      await served.close();
      pipeline.close();
    }
  });
});
