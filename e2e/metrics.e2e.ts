/**
 * Browser tests of the Metrics view (golden signals): Chromium against the e2e app with real,
 * steady traffic, so the 1-second series have points. Screenshots land in e2e/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eApp } from './src/app.js';
import { E2E_AUTH, login, openPage } from './src/browser.js';
import { generateTraffic } from './src/traffic.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let server: Server;
let base: string;
let closeApp: () => Promise<void>;
let closeBrowser: () => Promise<void>;
let page: Page;
let traffic: ReturnType<typeof setInterval> | undefined;
const pageErrors: string[] = [];

const points = (testId: string) => page.locator(`[data-testid="${testId}"]`).getAttribute('data-points').then(Number);
const hash = () => page.evaluate(() => location.hash);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const made = createE2eApp();
  closeApp = made.close;
  server = made.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // An outgoing call, so the dependency table has a row (the shared app makes none).
  made.app.get('/api/proxy', async (_req, res) => {
    const r = await fetch(`${base}/api/slow?ms=3`);
    res.json(await r.json());
  });
  // Steady traffic over several seconds: each second of the series gets requests, a few errors.
  await generateTraffic(base, { orders: 6, slow: 6, fails: 1, big: false });
  traffic = setInterval(() => {
    void generateTraffic(base, { orders: 2, slow: 2, fails: 1, big: false }).catch(() => undefined);
    void fetch(`${base}/api/proxy`).then((r) => r.arrayBuffer(), () => undefined);
  }, 250);
  await new Promise((r) => setTimeout(r, 3500));
  ({ page, close: closeBrowser } = await openPage({ width: 1400, height: 900 }, pageErrors));
  await login(page, base);
});

afterAll(async () => {
  clearInterval(traffic);
  await closeBrowser?.();
  await closeApp?.();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

describe('metrics view in Chromium', () => {
  it('draws the four golden signals as live uPlot charts', async () => {
    await page.goto(`${base}/_debug/#/metrics`);
    await page.waitForSelector('[data-testid="chart-latency"] canvas');
    for (const id of ['chart-latency', 'chart-traffic', 'chart-errors', 'chart-saturation', 'chart-memory']) {
      expect(await page.locator(`[data-testid="${id}"] canvas`).count()).toBe(1);
      await expect.poll(() => points(id)).toBeGreaterThan(0);
    }
    // Live: new seconds arrive while the view is open (the chart is fed, not recreated).
    const lastX = () => page.locator('[data-testid="chart-traffic"]').getAttribute('data-last').then(Number);
    const before = await lastX();
    await expect.poll(lastX, { timeout: 5000 }).toBeGreaterThan(before);
    expect(await page.locator('[data-testid="chart-traffic"] canvas').count()).toBe(1);
    expect(await page.locator('[data-testid="chart-errors"]').textContent()).toMatch(/\d+(\.\d+)?%/);
  });

  it('lists routes and dependencies, sortable by p99 and error rate', async () => {
    const names = () => page.locator('[data-testid="routes-row"] td.mname').allTextContents();
    await expect.poll(async () => (await names()).length).toBe(4);
    // The default sort is p99, worst first: read the column in one go (the table refreshes).
    const p99s = await page.$$eval('[data-testid="routes-row"]', (trs) => trs.map((tr) => tr.querySelectorAll('td')[4]!.textContent ?? ''));
    const ms = p99s.map((t) => {
      const m = /^([\d.]+)(µs|ms|s)$/.exec(t);
      if (!m) throw new Error(`unexpected p99 cell "${t}"`);
      return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'µs' ? 0.001 : 1);
    });
    expect(ms).toEqual([...ms].sort((a, b) => b - a));
    await page.click('[data-testid="routes-sort-errorRate"]');
    await expect.poll(hash).toContain('sort=errorRate');
    await expect.poll(async () => (await names())[0]).toContain('GET /api/fail');
    expect(await page.locator('[data-testid="routes-row"]').first().locator('td').nth(2).textContent()).toBe('100%');
    await page.click('[data-testid="routes-sort-name"]');
    await expect.poll(names).toEqual([...(await names())].sort());
    await page.click('[data-testid="routes-sort-p99"]');
    await expect.poll(hash).toBe('#/metrics');
    await expect.poll(() => page.locator('[data-testid="deps-row"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="deps-row"] td.mname').first().textContent()).toMatch(/127\.0\.0\.1:\d+/);
  });

  it('charts one route, then switches windows', async () => {
    const row = page.locator('[data-testid="routes-row"]', { hasText: '/api/slow' });
    await row.locator('[data-testid="routes-chart"]').click();
    await expect.poll(hash).toContain('route=%2Fapi%2Fslow');
    await expect.poll(() => page.locator('[data-testid="metrics-scope"]').textContent()).toContain('GET /api/slow');
    await expect.poll(() => points('chart-latency')).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'metrics-route.png') });
    // Up to 10 minutes the server answers at 1 s per point, beyond at 10 s.
    expect(await page.locator('.mres').textContent()).toBe('1s/pt');
    await page.click('[data-testid="window-15m"]');
    await expect.poll(hash).toContain('window=15m');
    await expect.poll(() => page.locator('.mres').textContent()).toBe('10s/pt');
    await page.click('[data-testid="window-6h"]');
    await expect.poll(hash).toContain('window=6h');
    await page.click('[data-testid="window-5m"]');
    await expect.poll(() => page.locator('.mres').textContent()).toBe('1s/pt');
    await page.click('[data-testid="metrics-clear-route"]');
    await expect.poll(hash).toBe('#/metrics');
    // A dependency can be charted too (kind=client series).
    await page.locator('[data-testid="deps-chart"]').first().click();
    await expect.poll(hash).toMatch(/dep=127\.0\.0\.1%3A\d+/);
    await expect.poll(() => page.locator('[data-testid="metrics-scope"]').textContent()).toMatch(/→ 127\.0\.0\.1:\d+/);
    await expect.poll(() => points('chart-latency')).toBeGreaterThan(0);
    await page.click('[data-testid="metrics-clear-route"]');
    await expect.poll(hash).toBe('#/metrics');
    await page.waitForTimeout(1200); // a couple of refreshes, so the screenshot shows a full picture
    await page.screenshot({ path: join(SHOTS, 'metrics.png') });
    await page.click('[data-testid="theme-toggle"]');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, 'metrics-other-theme.png') });
    await page.click('[data-testid="theme-toggle"]');
  });

  it('a click on a route row opens the traces of that route and window', async () => {
    await page.locator('[data-testid="routes-row"]', { hasText: '/api/orders/:id' }).locator('td.mname').click();
    await expect.poll(hash).toMatch(/^#\/traces\?service=shop&route=%2Fapi%2Forders%2F%3Aid&since=\d+&until=\d+$/);
    await page.waitForSelector('[data-testid="trace-row"]');
    const rows = await page.locator('[data-testid="trace-row"]').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toContain('/api/orders/');
  });

  it('a click on a latency point opens that point\'s exemplar trace', async () => {
    await page.goto(`${base}/_debug/#/metrics`);
    await expect.poll(() => points('chart-latency')).toBeGreaterThan(0);
    const over = page.locator('[data-testid="chart-latency"] .u-over');
    const box = (await over.boundingBox())!;
    // The newest complete seconds are at the right edge and had traffic.
    await over.click({ position: { x: box.width - 3, y: box.height / 2 } });
    await expect.poll(hash).toMatch(/^#\/(trace\/[0-9a-f]{32}|traces\?.*since=\d+&until=\d+)/);
    expect(pageErrors).toEqual([]);
  });
});

describe('sampling bits in Chromium', () => {
  it('pins and unpins a trace from its header; the list marks it; stats show sampling', async () => {
    await page.goto(`${base}/_debug/#/traces?route=%2Fapi%2Fslow`);
    await page.locator('[data-testid="trace-row"]').first().click();
    const pin = page.locator('[data-testid="pin-toggle"]');
    await expect.poll(() => pin.textContent()).toBe('Pin');
    const id = (await hash()).match(/#\/trace\/([0-9a-f]{32})/)![1]!;
    await pin.click();
    await expect.poll(() => pin.textContent()).toBe('Unpin');
    await page.screenshot({ path: join(SHOTS, 'trace-pinned.png'), clip: { x: 0, y: 0, width: 1400, height: 140 } });
    const summary = async () => ((await (await fetch(`${base}/_debug/api/traces/${id}`, E2E_AUTH)).json()) as { summary?: { pinned?: boolean } }).summary;
    expect((await summary())?.pinned).toBe(true);
    await page.goto(`${base}/_debug/#/traces?route=%2Fapi%2Fslow&until=${Date.now() + 60_000}`);
    // A pinned trace reads "Kept: pinned": the reason badge itself, or a pinned mark beside another reason.
    // (vitest's poll gives up after 1 s by default: too short for a navigation and a list fetch when
    // the e2e files share the machine.)
    await expect.poll(() => page.locator('[data-testid="pinned-mark"], .reason.r-pinned').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.goto(`${base}/_debug/#/trace/${id}`);
    await expect.poll(() => pin.textContent()).toBe('Unpin');
    await pin.click();
    await expect.poll(() => pin.textContent()).toBe('Pin');
    expect((await summary())?.pinned).not.toBe(true);
    await page.goto(`${base}/_debug/#/stats`);
    await page.waitForSelector('[data-testid="stats-sampling"]');
    await page.waitForSelector('[data-testid="stats-sampling policies"]');
    expect(await page.locator('[data-testid="stats-sampling policies"]').textContent()).toMatch(/mode\s*all/);
    await page.screenshot({ path: join(SHOTS, 'stats-sampling.png') });
    expect(pageErrors).toEqual([]);
  });
});
