import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { debugPanel } from '../index.js';
import { parseWindow } from './metrics.js';

async function serve(options: Parameters<typeof debugPanel>[0]) {
  const app = express();
  const panel = debugPanel({ service: 'metrics-test', auth: 'loopback', dataDir: false, ...options });
  app.use(panel);
  app.get('/items/:id', (req, res) => {
    if (req.params.id === '13') res.status(503).json({ error: 'unlucky' });
    else res.json({ id: req.params.id });
  });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: async () => { await panel.panel.close(); server.close(); } };
}

describe('golden signals routes', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    // The clock and the metrics timer are faked: one timer tick closes the second without waiting.
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    s = await serve({});
    for (let i = 0; i < 20; i++) await fetch(`${s.base}/items/${i}`);
    vi.advanceTimersByTime(1000);
  });
  afterAll(async () => {
    await s.close();
    vi.useRealTimers();
  });

  it('serves per-route series with exact counts', async () => {
    const r = (await (await fetch(`${s.base}/_debug/api/metrics?service=metrics-test&route=/items/:id&window=10`)).json()) as {
      resolution: number; series: { count: number[]; errors: number[] }[];
    };
    expect(r.resolution).toBe(1);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(r.series[0]!.count)).toBe(20);
    expect(sum(r.series[0]!.errors)).toBe(1);
  });

  it('serves the route table and the Prometheus text', async () => {
    const t = (await (await fetch(`${s.base}/_debug/api/metrics/table?kind=server&window=1m`)).json()) as { rows: { labels: { route: string }; count: number; errors: number }[] };
    expect(t.rows.find((r) => r.labels.route === '/items/:id')).toMatchObject({ count: 20, errors: 1 });
    const p = await fetch(`${s.base}/_debug/metrics`);
    expect(p.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await p.text();
    expect(text).toContain('debugpanel_http_server_request_duration_seconds_count{service="metrics-test",http_request_method="GET",http_route="/items/:id"} 20');
    expect(text).toContain('debugpanel_http_server_errors_total{service="metrics-test",http_request_method="GET",http_route="/items/:id"} 1');
    // the panel's own requests are not counted
    expect(text).not.toContain('_debug');
  });

  it('answers 400 for bad parameters', async () => {
    for (const qs of ['window=forever', 'window=0', 'kind=db', 'rute=/x']) {
      const r = await fetch(`${s.base}/_debug/api/metrics?${qs}`);
      expect(r.status, qs).toBe(400);
      expect(((await r.json()) as { error: string }).error).toBeTruthy();
    }
  });

  it('serves the table over a picked range (until) and refuses a bad one', async () => {
    const now = Date.now();
    const inRange = (await (await fetch(`${s.base}/_debug/api/metrics/table?kind=server&window=60s&until=${now + 5000}`)).json()) as { rows: { labels: { route: string }; count: number }[] };
    expect(inRange.rows.find((r) => r.labels.route === '/items/:id')?.count).toBe(20);
    // a range that ended an hour ago holds none of them
    const before = (await (await fetch(`${s.base}/_debug/api/metrics/table?kind=server&window=60s&until=${now - 3600_000}`)).json()) as { rows: { labels: { route: string }; count: number }[] };
    expect(before.rows.find((r) => r.labels.route === '/items/:id')?.count ?? 0).toBe(0);
    for (const until of ['soon', '-5', '0']) {
      const r = await fetch(`${s.base}/_debug/api/metrics/table?until=${until}`);
      expect(r.status, until).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(/until must be a time in ms/);
    }
  });

  it('is 404 when metrics are off', async () => {
    const off = await serve({ metrics: false });
    try {
      expect((await fetch(`${off.base}/_debug/metrics`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

describe('parseWindow', () => {
  it('reads seconds and durations', () => {
    expect(parseWindow('300', 21600)).toBe(300);
    expect(parseWindow('5m', 21600)).toBe(300);
    expect(parseWindow('6h', 21600)).toBe(21600);
    expect(parseWindow(null, 100)).toBeUndefined();
    expect(parseWindow('7h', 21600)).toHaveProperty('error');
  });
});
