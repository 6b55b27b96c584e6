/**
 * The insights routes over an engine fed with hand-built golden signals (a route whose p95 went
 * from 100 to 400 ms) and hand-built traces (inventory became slow), on a fake clock: the list, an
 * incident with its ranked suspects and evidence, acknowledging it, the compare route over stored
 * traces, and the errors of bad input.
 */
import { criticalPath } from '@debugpanel/flamegraph';
import { InsightsEngine } from '@debugpanel/insights';
import type { AckResponse, CompareResponse, IncidentDetail, IncidentSummary, InsightsResponse, MetricsResponse, SeriesPoints, SpanRecord } from '@debugpanel/model';
import { SpanStore } from '@debugpanel/span-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insights } from './insights.js';
import type { PanelContext } from './registry.js';
import { hex, serveFeature, span } from './test-helpers.js';
import { expectWire } from './wire-check.js';

const T0 = Date.UTC(2026, 0, 1, 12);
let now = T0;
let slow = false;

function points(n: number, count: number, p95: number): Omit<SeriesPoints, 'labels'> {
  const fill = (v: number) => new Array<number>(n).fill(v);
  return { rate: fill(count), count: fill(count), errors: fill(0), errorRate: fill(0), p50: fill(p95 * 0.8), p95: fill(p95), p99: fill(p95 * 1.2), max: fill(p95 * 1.5), exemplars: new Array(n).fill(null) };
}
const labels = { kind: 'server' as const, service: 'gateway', method: 'GET', route: '/checkout' };
function fine(): MetricsResponse {
  return { resolution: 1, times: Array.from({ length: 15 }, (_, i) => now - (15 - i) * 1000), series: [{ labels, ...points(15, 10, slow ? 400 : 100) }] };
}
function coarse(): MetricsResponse {
  const start = now - 360 * 10_000 - 20_000;
  return { resolution: 10, times: Array.from({ length: 360 }, (_, i) => start + i * 10_000), series: [{ labels, ...points(360, 100, 100) }] };
}

let n = 0;
/** gateway GET /checkout -> inventory GET /stock (its own time `inv` ms). */
function checkout(start: number, inv: number): SpanRecord[] {
  const id = hex(++n, 32);
  const gw = span(id, 'server', 'gateway', start, inv + 20, undefined, { name: 'GET /checkout', attributes: { 'http.request.method': 'GET', 'http.route': '/checkout' } });
  const c = span(id, 'client', 'gateway', start + 5, inv + 10, gw, { name: 'GET', attributes: { 'peer.service': 'inventory' } });
  const s = span(id, 'server', 'inventory', start + 6, inv + 8, c, { name: 'GET /stock', attributes: { 'http.request.method': 'GET', 'http.route': '/stock', region: slow ? 'eu' : 'us' } });
  return [gw, c, s];
}

let served: Awaited<ReturnType<typeof serveFeature>>;
const events: IncidentSummary[] = [];
const store = new SpanStore();
let engine: InsightsEngine;

beforeAll(async () => {
  engine = new InsightsEngine({
    criticalPath, now: () => now, source: { fine, coarse },
    warmupMs: 0, warmupRequests: 0, openTicks: 1, pendingMs: 0, settleMs: 1,
    onIncident: (i) => events.push(i),
  });
  // 10 minutes of normal traces, then slow ones; one tick per simulated second
  for (let t = 0; t < 660; t++) {
    if (t === 600) slow = true;
    const spans = checkout(now, slow ? 300 : 5);
    store.addMany(spans);
    engine.addSpans(spans);
    now += 1000;
    engine.tick(now);
  }
  served = await serveFeature(insights, { insights: engine, store } as Partial<PanelContext>);
});
afterAll(() => served.close());

async function get(p: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(served.base + p);
  return { status: res.status, body: await res.json() };
}

describe('insights routes', () => {
  it('lists the incident, newest first, with its suspects', async () => {
    const { status, body } = await get('/api/insights');
    expect(status).toBe(200);
    expectWire(body, 'InsightsResponse');
    const list = body as InsightsResponse;
    expect(list.incidents).toHaveLength(1);
    expect(list.firing).toBe(1);
    expect(list.anomalies[0]!.signal).toBe('latency');
    expect(list.incidents[0]!.suspects[0]).toMatchObject({ service: 'inventory', operation: 'GET /stock', kind: 'self-time' });
    expect(list.incidents[0]!.title).toMatch(/most likely inventory GET \/stock/);
    expectWire(events.at(-1), 'IncidentSummary');
    expect(((await get('/api/insights?state=open&limit=5')).body as InsightsResponse).incidents).toHaveLength(1);
  });

  it('gives an incident with its evidence, timeline and windows; the attribute lift is there too', async () => {
    const id = ((await get('/api/insights')).body as InsightsResponse).incidents[0]!.id;
    const { status, body } = await get(`/api/insights/${id}`);
    expect(status).toBe(200);
    expectWire(body, 'IncidentDetail');
    const d = body as IncidentDetail;
    const top = d.ranked[0]!;
    // inventory's own time (inv + 8) plus the 1 ms the call waited before inventory's span started
    expect(top.evidence.before).toBeCloseTo(14, 0);
    expect(top.evidence.after).toBeCloseTo(309, 0);
    expect(top.evidence.anomalousShare).toBe(1);
    expect(top.evidence.normalShare).toBe(0);
    expect(top.evidence.anomalousTraces).toHaveLength(3);
    expect(d.ranked.find((s) => s.service === 'gateway' && s.kind !== 'attribute')?.score ?? 0).toBeLessThan(0.3);
    expect(d.ranked.find((s) => s.kind === 'attribute')).toMatchObject({ service: 'inventory', attribute: 'region=eu' });
    expect(d.timeline[0]!.type).toBe('opened');
    expect(d.windows.baseline[1]).toBeLessThanOrEqual(d.windows.anomalous[0]);
  });

  it('acknowledges (and silences) an incident; bad input gets a clear 4xx', async () => {
    const id = ((await get('/api/insights')).body as InsightsResponse).incidents[0]!.id;
    const post = (p: string, body?: string) => fetch(served.base + p, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const res = await post(`/api/insights/${id}/ack`, JSON.stringify({ silenceMinutes: 30 }));
    expect(res.status).toBe(200);
    const ack = (await res.json()) as AckResponse;
    expectWire(ack, 'AckResponse');
    expect(ack.incident.acked).toBe(true);
    expect(ack.silencedUntil).toBe(now + 30 * 60_000);
    expect(((await get('/api/insights')).body as InsightsResponse).firing).toBe(0);
    for (const [p, body, status] of [
      [`/api/insights/${id}/ack`, '{nope', 400],
      [`/api/insights/${id}/ack`, '{"silenceMinutes": -1}', 400],
      [`/api/insights/${id}/ack`, '{"silence": 1}', 400],
      ['/api/insights/nope/ack', '', 404],
    ] as const) {
      const r = await post(p, body);
      expect(r.status, `${p} ${body}`).toBe(status);
      expectWire(await r.json(), 'ApiError');
    }
    for (const [p, status] of [['/api/insights/nope', 404], ['/api/insights?state=broken', 400], ['/api/insights?limit=0', 400], ['/api/insights?x=1', 400]] as const) {
      const r = await get(p);
      expect(r.status, p).toBe(status);
      expectWire(r.body, 'ApiError');
    }
  });

  it('compares two cohorts aligned by path: by ids and by a query', async () => {
    const { traces } = store.query({ limit: 200 });
    const slowIds = traces.filter((t) => t.duration > 100).slice(0, 5).map((t) => t.traceId);
    const fastIds = traces.filter((t) => t.duration < 100).slice(0, 5).map((t) => t.traceId);
    const { status, body } = await get(`/api/compare?a=${fastIds.join(',')}&b=${slowIds.join(',')}`);
    expect(status).toBe(200);
    expectWire(body, 'CompareResponse');
    const c = body as CompareResponse;
    expect(c.a.traces).toBe(5);
    const stock = c.nodes.find((x) => x.service === 'inventory')!;
    expect(stock.status).toBe('both');
    expect(stock.selfB - stock.selfA).toBeCloseTo(295, 0);
    expect(stock.criticalB - stock.criticalA).toBeCloseTo(295, 0);
    const gw = c.nodes.find((x) => x.service === 'gateway' && x.depth === 0)!;
    expect(gw.selfB - gw.selfA).toBeCloseTo(0, 0);
    expect(c.attributes[0]).toMatchObject({ attribute: 'inventory:region=eu', shareA: 0, shareB: 1 });
    const q = await get(`/api/compare?a=${encodeURIComponent('maxDuration=50')}&b=${encodeURIComponent('minDuration=200')}`);
    expect(q.status).toBe(200);
    expect((q.body as CompareResponse).b.meanDuration).toBeGreaterThan(300);
    for (const p of ['/api/compare', `/api/compare?a=${fastIds[0]}`, '/api/compare?a=xyz&b=abc', `/api/compare?a=${'f'.repeat(32)}&b=${fastIds[0]}`, `/api/compare?a=bogus%3D1&b=${fastIds[0]}`]) {
      const r = await get(p);
      expect(r.status, p).toBe(400);
      expectWire(r.body, 'ApiError');
    }
  });
});
