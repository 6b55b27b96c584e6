/**
 * Browser tests of the analysis views with real content: a trace's flame graph (and its critical
 * path, in the flame and in the waterfall), a route's merged flame, a CPU profile recorded from the
 * Flame view, and the dependency map of the three-service demo (started as its own processes, with
 * the gateway's panel as the hub). Screenshots: e2e/screenshots/{trace-flame,trace-critical-path,flame,cpu-flame,map}.png.
 */
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { TraceResponse, TracesResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningService } from '../apps/demo/src/launcher.js';
import { createE2eApp } from './src/app.js';
import { E2E_AUTH, E2E_TOKEN, login, openPage } from './src/browser.js';
import { generateTraffic } from './src/traffic.js';
import { until } from './src/until.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const ORDERS = 12;
const FLAME_ROW = 18; // FlameCanvas row height
let server: Server;
let base: string;
let closeApp: () => Promise<void>;
let closeBrowser: () => Promise<void>;
let shop: Record<'gateway' | 'orders' | 'inventory', RunningService> | undefined;
let page: Page;
const pageErrors: string[] = [];

const api = async <T>(root: string, path: string): Promise<T> => (await fetch(`${root}/_debug/${path}`, E2E_AUTH)).json() as Promise<T>;
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

/** Painted pixels of a canvas and how many distinct colours they use: a blank canvas has 0 and 0. */
function canvasInk(testId: string): Promise<{ painted: number; colours: number }> {
  return page.evaluate((id) => {
    const c = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`);
    if (!c || c.width === 0 || c.height === 0) return { painted: 0, colours: 0 };
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3]! === 0) continue;
      painted++;
      if (colours.size < 64) colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    }
    return { painted, colours: colours.size };
  }, testId);
}

/** Clicks the flame canvas at a fraction of its width, in a row (0 = the root). */
async function clickFlame(testId: string, fx: number, row: number): Promise<void> {
  const box = (await page.locator(`[data-testid="${testId}"]`).boundingBox())!;
  await page.mouse.click(box.x + box.width * fx, box.y + row * FLAME_ROW + FLAME_ROW / 2);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const made = createE2eApp();
  closeApp = made.close;
  server = made.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The demo shop starts (process start-up) while the e2e app gets its traffic.
  const starting = startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: E2E_TOKEN });
  await generateTraffic(base, { orders: ORDERS, slow: 10, fails: 2, big: false });
  shop = await starting;
  ({ page, close: closeBrowser } = await openPage({ width: 1400, height: 860 }, pageErrors));
  await login(page, base);
  await login(page, shop.gateway.url);
});

afterAll(async () => {
  await closeBrowser?.();
  await closeApp?.();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  if (shop) await Promise.all(Object.values(shop).map((s) => s.stop()));
});

describe('analysis views in Chromium', () => {
  it('draws a trace as a flame graph with its critical path; a click zooms, the waterfall marks the path too', async () => {
    const list = await until('orders traces', () => api<TracesResponse>(base, 'api/traces?route=%2Fapi%2Forders%2F%3Aid&limit=50'), (r) => r.traces.length === ORDERS);
    const traceId = list.traces[0]!.traceId;
    const trace = await api<TraceResponse>(base, `api/traces/${traceId}`);
    const path = await api<{ bySpan: Record<string, number> }>(base, `api/traces/${traceId}/critical-path`);
    const onPath = Object.keys(path.bySpan);
    expect(onPath.length).toBeGreaterThan(1);

    await page.goto(`${base}/_debug/#/trace/${traceId}?tab=flame`);
    const canvas = 'trace-flame-graph-canvas';
    await page.waitForSelector(`[data-testid="${canvas}"]`);
    // Every span is a node of the flame (the root included).
    await expect.poll(() => page.locator(`[data-testid="${canvas}"]`).getAttribute('data-rects')).toBe(String(trace.spans.length));
    await expect.poll(async () => (await canvasInk(canvas)).painted).toBeGreaterThan(2000);
    expect((await canvasInk(canvas)).colours).toBeGreaterThan(2);
    await expect.poll(() => page.locator('[data-testid="critical-path-top"]').textContent()).toMatch(/Most time on the path: .+ \d/);

    // Hover shows a node's details; a click on the second row (the root's first child) zooms to it.
    const focus = page.locator('[data-testid="trace-flame-graph-focus"]');
    const before = await focus.textContent();
    expect(before).toContain('GET /api/orders/:id');
    const box = (await page.locator(`[data-testid="${canvas}"]`).boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.05, box.y + FLAME_ROW * 1.5);
    await expect.poll(() => page.locator('[data-testid="trace-flame-graph-tip"]').textContent()).toMatch(/load order/);
    await clickFlame(canvas, 0.05, 1);
    await expect.poll(() => focus.textContent()).toMatch(/^load order · /);
    expect(await page.locator('[data-testid="trace-flame-graph-reset"]').isEnabled()).toBe(true);
    // The click also selected the span: its details show its time on the critical path.
    await expect.poll(() => page.locator('[data-testid="detail-critical"]').textContent()).toMatch(/on the path|off the path/);
    await shot('trace-flame');
    await page.click('[data-testid="trace-flame-graph-reset"]');
    await expect.poll(() => focus.textContent()).toBe(before);

    // The waterfall marks the same spans, with the path's stretches inside their bars; the toolbar
    // toggle turns the marks off (and into the link) and on again.
    await page.click('[data-testid="tab-waterfall"]');
    await page.click('[data-testid="expand-all"]');
    await page.locator('[data-testid="wf-fold"]').click();
    const marked = page.locator('[data-testid="wf-row"].on-path');
    await expect.poll(async () => (await marked.evaluateAll((els) => els.map((e) => e.getAttribute('data-span-id')))).sort()).toEqual([...onPath].sort());
    expect(await page.locator('[data-testid="wf-cp"]').count()).toBeGreaterThanOrEqual(onPath.length);
    await shot('trace-critical-path');
    await page.click('[data-testid="critical-path-toggle"]');
    await expect.poll(() => marked.count()).toBe(0);
    expect(await page.evaluate(() => location.hash)).toMatch(/[?&]cp=0/);
    await page.click('[data-testid="critical-path-toggle"]');
    await expect.poll(() => marked.count()).toBe(onPath.length);
  });

  it('merges the traces of a route into one flame graph', async () => {
    await page.goto(`${base}/_debug/#/flame?route=${encodeURIComponent('/api/orders/:id')}`);
    const canvas = 'merged-flame-canvas';
    await page.waitForSelector(`[data-testid="${canvas}"]`);
    await expect.poll(() => page.locator('[data-testid="flame-summary"]').textContent()).toMatch(new RegExp(`^${ORDERS} traces · mean .+ · p95 .+`));
    // The route's shape under the merged root: GET, load order, the six SELECTs as one node,
    // price order, fetch exchange rate.
    await expect.poll(() => page.locator(`[data-testid="${canvas}"]`).getAttribute('data-rects')).toBe('6');
    await expect.poll(async () => (await canvasInk(canvas)).painted).toBeGreaterThan(2000);
    expect((await page.locator('[data-testid="flame-route"]').inputValue())).toBe('/api/orders/:id');
    const box = (await page.locator(`[data-testid="${canvas}"]`).boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.05, box.y + FLAME_ROW * 3.5);
    await expect.poll(() => page.locator('[data-testid="merged-flame-tip"]').textContent()).toMatch(/SELECT order_items/);
    await shot('flame');
  });

  it('records a 1-second CPU profile from the Flame view and shows its flame', async () => {
    await page.goto(`${base}/_debug/#/flame?mode=cpu`);
    await page.fill('[data-testid="profile-seconds"]', '1');
    // Work for the profiler to see while it records.
    const busy = (async () => {
      const end = Date.now() + 1500;
      while (Date.now() < end) await generateTraffic(base, { orders: 5, slow: 0, fails: 0, big: false });
    })();
    await page.click('[data-testid="profile-record"]');
    await expect.poll(() => page.locator('[data-testid="profile-record"]').textContent()).toBe('Recording…');
    await busy;
    const canvas = 'cpu-flame-canvas';
    await page.waitForSelector(`[data-testid="${canvas}"]`, { timeout: 15_000 });
    expect(await page.evaluate(() => location.hash)).toMatch(/mode=cpu&profile=/);
    await expect.poll(async () => Number(await page.locator(`[data-testid="${canvas}"]`).getAttribute('data-rects'))).toBeGreaterThan(10);
    await expect.poll(async () => (await canvasInk(canvas)).painted).toBeGreaterThan(2000);
    expect(await page.locator('[data-testid="profile-list"] option').count()).toBe(2); // the prompt and the profile
    await shot('cpu-flame');
  });

  it('maps the demo shop: its services, their SQLite databases and the calls between them', async () => {
    const gw = shop!.gateway.url;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${gw}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customer: 'ada', items: [{ productId: 1, quantity: 1 }] }) });
      expect(res.status).toBe(201);
    }
    expect((await fetch(`${gw}/api/products/13`)).status).toBe(502); // the demo's unpriced-product bug: an error edge
    // Orders and inventory send their spans to the hub in batches.
    const wanted = ['db:sqlite:inventory/:memory:', 'db:sqlite:orders/:memory:', 'svc:gateway', 'svc:inventory', 'svc:orders', 'user'];
    const http = ['user->svc:gateway', 'svc:gateway->svc:orders', 'svc:orders->svc:inventory'];
    type Deps = { nodes: Array<{ id: string }>; edges: Array<{ source: string; target: string; requests: number }> };
    await until('the demo map', () => api<Deps>(gw, 'api/dependencies'), (m) =>
      m.nodes.map((n) => n.id).sort().join() === wanted.join() &&
      http.every((h) => m.edges.some((e) => `${e.source}->${e.target}` === h && e.requests === 4)),
    );

    await page.goto(`${gw}/_debug/#/map?since=all`);
    await page.waitForSelector('[data-testid="map-svg"]');
    const nodes = page.locator('[data-testid="map-node"]');
    await expect.poll(async () => (await nodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-node')))).sort()).toEqual(wanted);
    expect(await page.locator('[data-testid="map-edge"]').count()).toBe(5);
    expect(await page.locator('[data-testid="map-edge"] path[marker-end]').count()).toBe(5);
    await expect.poll(() => page.locator('[data-testid="map-summary"]').textContent()).toMatch(/ · 6 nodes · 5 edges/);
    // Nodes are laid out apart (dagre), inside the drawing.
    const boxes = await nodes.evaluateAll((els) => els.map((e) => (e as SVGGElement).getBBox()).map((b) => ({ x: b.x, y: b.y, w: b.width, h: b.height })));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, `nodes ${i} and ${j} overlap`).toBe(true);
      }
    // Selecting the orders -> inventory edge shows its numbers and a link to its traces.
    // (on its label: the middle of a curved edge's box may be empty canvas)
    await page.locator('[data-testid="map-edge"][data-edge*="svc:orders"][data-edge*="svc:inventory"] text').first().click();
    await page.waitForSelector('[data-testid="map-detail"]');
    expect(await page.locator('[data-testid="map-edge-traces"]').count()).toBe(1);
    await page.locator('[data-testid="map-node"][data-node="db:sqlite:inventory/:memory:"]').click();
    await page.waitForSelector('[data-testid="map-fails-with"]');
    await shot('map');

    // The shared filter bar on the Map: its window picks the nearest covering map window (the
    // map's own menu then follows it), its service selects that node.
    await page.goto(`${gw}/_debug/#/map`);
    await page.waitForSelector('[data-testid="map-svg"]');
    await page.selectOption('[data-testid="time-range"]', '1h');
    await expect.poll(() => page.locator('[data-testid="map-since"]').inputValue()).toBe('60');
    expect(await page.locator('[data-testid="map-since"]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="ctx-map-window"]').textContent()).toMatch(/Map: the last 1 hour, the nearest map window that covers the bar/);
    await page.selectOption('[data-testid="ctx-service"]', 'orders');
    await expect.poll(() => page.locator('[data-testid="map-detail"] h2').textContent()).toBe('orders');
    // its traces link carries the bar's window
    expect(await page.locator('[data-testid="map-node-traces"]').getAttribute('href')).toMatch(/^#\/traces\?service=orders&since=\d+$/);
    expect(await page.locator('[data-testid="ctx-ignored"]').textContent()).not.toMatch(/does not use this filter/);
    // the context still is not in the map's hash (it keeps minutes in since)
    expect(await page.evaluate(() => location.hash)).toBe('#/map');
    await shot('map-context');
    await page.selectOption('[data-testid="time-range"]', '6h');
    await expect.poll(() => page.locator('[data-testid="map-since"]').inputValue()).toBe('all');
    expect(await page.locator('[data-testid="ctx-map-window"]').textContent()).toMatch(/every stored trace/);
    await page.click('[data-testid="ctx-clear"]');
    await expect.poll(() => page.locator('[data-testid="map-since"]').isDisabled()).toBe(false);
    expect(await page.locator('[data-testid="map-detail"]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
